package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/lib/campaign"
)

func TestMain(m *testing.M) { apitest.Main(m) }

// The recovery commands against a database after a full simulated run:
// a wiped outcome is found by the dry run, written back by --repair, and
// the output names ids and columns only, never a contact.
func TestRecoveryCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apitest.New(t, apitest.Options{})
	asst := e.CreateAssistant("CLI")
	csv := apitest.Contacts(3)
	c := e.CreateCampaign(map[string]string{"name": "CLI", "assistantId": asst, "maxAttempts": "1"}, csv)
	e.Control(c.CampaignID, "start")
	// Completed, and every end-of-call report (which may trail the final
	// status update) in.
	e.Eventually(30*time.Second, c.CampaignID, func() bool {
		var reports int
		err := e.DB.QueryRow(ctx, `select count(distinct call_id) from call_events
			where campaign_id = $1 and type = 'end-of-call-report'`, c.CampaignID).Scan(&reports)
		return err == nil && reports == 3 && e.Summary(c.CampaignID).Status == campaign.Completed
	})
	if _, err := e.DB.Exec(ctx, `update calls set status = 'IN_PROGRESS', cost = null where campaign_id = $1`, c.CampaignID); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": e.DB.Config().ConnString()}
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		cli := recoveryCLI{getenv: func(k string) string { return env[k] }, out: &out, now: e.Clock.Now}
		err := cli.run(ctx, args[0], args[1:])
		return out.String(), err
	}
	out, err := run("reconcile", "--campaign", c.CampaignID)
	if err != nil || !strings.Contains(out, "3 calls differ") || !strings.Contains(out, "IN_PROGRESS -> ENDED  status, cost") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(csv), "\n")[1:] {
		for _, field := range strings.Split(line, ",")[:3] { // name, business, phone
			if strings.Contains(out, field) {
				t.Fatalf("output contains contact data %q:\n%s", field, out)
			}
		}
	}
	if out, err = run("reconcile", "--campaign", c.CampaignID, "--repair"); err != nil || !strings.Contains(out, "repaired 3 calls") {
		t.Fatalf("repair: %v\n%s", err, out)
	}
	if out, err = run("reconcile", "--campaign", c.CampaignID); err != nil || !strings.Contains(out, "0 calls differ") {
		t.Fatalf("after repair: %v\n%s", err, out)
	}
	if _, err = run("reconcile", "--campaign", "nope"); err == nil {
		t.Fatal("a bad id was accepted")
	}
	var callID string
	if err := e.DB.QueryRow(ctx, `select id::text from calls where campaign_id = $1 limit 1`, c.CampaignID).Scan(&callID); err != nil {
		t.Fatal(err)
	}
	if _, err = run("mark-call", "--call", callID, "--status", "timeout", "--reason", "stuck"); err == nil || !strings.Contains(err.Error(), "already ENDED") {
		t.Fatalf("mark-call of a finished call: %v", err)
	}
	if out, err = run("pause-all"); err != nil || !strings.Contains(out, "0 campaigns paused") {
		t.Fatalf("pause-all: %v\n%s", err, out)
	}
	if _, err = run("resume", "--campaign", c.CampaignID); err == nil || !strings.Contains(err.Error(), "COMPLETED") {
		t.Fatalf("resume of a completed campaign: %v", err)
	}
	env["DATABASE_URL"] = ""
	if _, err = run("pause-all"); err == nil {
		t.Fatal("ran without DATABASE_URL")
	}
}
