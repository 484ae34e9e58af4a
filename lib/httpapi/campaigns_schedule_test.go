package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
)

// TestScheduledLaunch: Start with a time makes the campaign SCHEDULED and
// dials nobody; a pause holds the launch and a resume restores it; when
// the (injected) clock reaches the time, the tick queues it and dials in
// the same tick. Times in the past, too far ahead or not RFC 3339 are
// 400s that change nothing.
func TestScheduledLaunch(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{Sim: vapisim.Config{Seed: 60, Mix: vapisim.Mix{Answered: 1}}})
	tok := e.NewOperator(t)
	id := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 2)).CampaignID
	path := "/api/campaigns/" + id
	start := func(body string) apitest.Reply {
		return e.Send(t, http.MethodPost, path+"/start", tok, "application/json", strings.NewReader(body))
	}
	now := e.Clock.Now()
	for _, at := range []string{now.Add(-time.Minute).Format(time.RFC3339), now.Add(91 * 24 * time.Hour).Format(time.RFC3339),
		"tomorrow", "2026-12-08 09:00"} {
		if got := apitest.WantError(t, start(`{"at":"`+at+`"}`), http.StatusBadRequest, "VALIDATION_ERROR"); got.Error.Details["field"] != "at" {
			t.Errorf("at %q: details %v", at, got.Error.Details)
		}
	}
	at := now.Add(30 * time.Minute).Truncate(time.Second)
	r := start(`{"at":"` + at.Format(time.RFC3339) + `"}`)
	var ans struct{ Status, ScheduledAt string }
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &ans) != nil || ans.Status != "SCHEDULED" ||
		ans.ScheduledAt != at.UTC().Format(time.RFC3339) {
		t.Fatalf("scheduled start: %d %s", r.Status, r.Body)
	}
	e.Tick("")
	if s := e.Summary(id); s.Status != "SCHEDULED" || s.ScheduledAt == nil || !s.ScheduledAt.Equal(at) || len(e.Sim.Calls()) != 0 {
		t.Fatalf("before its time: status %s at %v, %d calls", s.Status, s.ScheduledAt, len(e.Sim.Calls()))
	}
	if st := e.Control(id, "pause"); st != http.StatusOK {
		t.Fatalf("pause: %d", st)
	}
	e.Clock.Advance(time.Hour) // the time passes while paused: nothing is dialed
	e.Tick("")
	if s := e.Summary(id); s.Status != "PAUSED" || len(e.Sim.Calls()) != 0 {
		t.Fatalf("paused past its time: status %s, %d calls", s.Status, len(e.Sim.Calls()))
	}
	if st := e.Control(id, "resume"); st != http.StatusOK || e.Summary(id).Status != "SCHEDULED" {
		t.Fatalf("resume: %d, status %s", st, e.Summary(id).Status)
	}
	sum := e.Tick("")
	if s := e.Summary(id); sum.Scheduled != 1 || (s.Status != "DIALING" && s.Status != "RUNNING") || len(e.Sim.Calls()) != 2 {
		t.Fatalf("at its time: tick %+v, status %s, %d calls", sum, s.Status, len(e.Sim.Calls()))
	}
	if n := e.Count(t, `select count(*) from call_events where campaign_id = $1 and type = 'campaign.launched'`, id); n != 1 {
		t.Errorf("%d campaign.launched events, want 1", n)
	}
}
