package recovery_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/recovery"
)

// With webhooks held, calls stay live: pause-all stops new dials, a stuck
// call is marked by hand (once), and the mark survives a rebuild.
func TestManualFallbacks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, c := heldCampaign(t, "Stuck", 4)
	paused, err := recovery.PauseAll(ctx, e.DB)
	if err != nil || len(paused) != 1 || paused[0].String() != c.CampaignID {
		t.Fatalf("pause-all = %v, %v", paused, err)
	}
	if again, err := recovery.PauseAll(ctx, e.DB); err != nil || len(again) != 0 {
		t.Fatalf("second pause-all = %v, %v", again, err)
	}
	var stuck uuid.UUID
	if err := e.DB.QueryRow(ctx, `select id from calls where campaign_id = $1 order by created_at limit 1`, c.CampaignID).Scan(&stuck); err != nil {
		t.Fatal(err)
	}
	if err := recovery.MarkCall(ctx, e.DB, stuck, "RINGING", "x", e.Clock.Now()); problem.KindOf(err) != problem.Invalid {
		t.Fatalf("live status accepted: %v", err)
	}
	if err := recovery.MarkCall(ctx, e.DB, stuck, "CANCELED", "operator: line stuck", e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := recovery.MarkCall(ctx, e.DB, stuck, "ENDED", "again", e.Clock.Now()); problem.KindOf(err) != problem.Conflict {
		t.Fatalf("re-marking a final call: %v, want Conflict", err)
	}
	if err := recovery.MarkCall(ctx, e.DB, uuid.New(), "ENDED", "x", e.Clock.Now()); problem.KindOf(err) != problem.NotFound {
		t.Fatalf("unknown call: %v, want NotFound", err)
	}
	var status, disposition, reason string
	err = e.DB.QueryRow(ctx, `select status, disposition, ended_reason from calls where id = $1`, stuck).Scan(&status, &disposition, &reason)
	if err != nil || status != "CANCELED" || disposition != "canceled" || reason != "operator: line stuck" {
		t.Fatalf("marked call = %s %s %q (%v)", status, disposition, reason, err)
	}
	res, err := recovery.Rebuild(ctx, e.DB, uuid.MustParse(c.CampaignID), recovery.Options{URLs: localURLs})
	if err != nil || len(res.Diffs) != 0 {
		t.Fatalf("rebuild after a manual mark: %+v, %v", res, err)
	}
	if st := e.Summary(c.CampaignID).Status; st != campaign.Paused {
		t.Fatalf("status %s, want PAUSED", st)
	}
}

// heldCampaign starts a campaign of n contacts (cap 2) with Vapi's webhooks
// held, and ticks once: its first calls stay live until the test says.
func heldCampaign(t *testing.T, name string, n int) (*apitest.Env, apitest.Created) {
	t.Helper()
	e := apitest.New(t, apitest.Options{})
	e.Sim.PauseWebhooks()
	t.Cleanup(e.Sim.ResumeWebhooks)
	asst := e.CreateAssistant(name)
	c := e.CreateCampaign(map[string]string{"name": name, "assistantId": asst, "cap": "2"}, apitest.Contacts(n))
	if st := e.Control(c.CampaignID, "start"); st != 200 {
		t.Fatalf("start: %d", st)
	}
	e.Tick(c.CampaignID)
	return e, c
}
