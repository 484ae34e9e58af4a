package scheduler_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/campaign"
)

// In strict batch mode no call of batch N+1 is claimed before every call
// of batch N is final.
func TestBatchModeNeverStartsTheNextBatchEarly(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 5}})
	id := start(t, e, map[string]string{"cap": "3", "mode": "batch"}, 10)
	e.Eventually(60*time.Second, id, status(e, id))
	rows, err := e.DB.Query(context.Background(), `
		select (k.position - 1) / 3 as batch, min(l.created_at), max(l.updated_at)
		from calls l join contacts k on k.id = l.contact_id
		where l.campaign_id = $1 group by 1 order by 1`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var prevEnd time.Time
	batches := 0
	for rows.Next() {
		var b int
		var first, last time.Time
		if err := rows.Scan(&b, &first, &last); err != nil {
			t.Fatal(err)
		}
		if b > 0 && first.Before(prevEnd) {
			t.Errorf("batch %d started at %s before batch %d ended at %s", b, first, b-1, prevEnd)
		}
		prevEnd = last
		batches++
	}
	if batches != 4 {
		t.Errorf("%d batches, want 4 (10 contacts, cap 3)", batches)
	}
	assertExactlyOnce(t, e, id, 10)
}

// With line-quiet gating a campaign waits while its number has any live
// call, whichever campaign placed it.
func TestLineQuietGatingWaitsForAQuietLine(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 6, Scale: 0.05}})
	e.Sim.PauseWebhooks() // calls stay live for us until resumed
	asst := e.CreateAssistant("Line")
	busy := start(t, e, map[string]string{"cap": "2", "assistantId": asst, "name": "busy"}, 2)
	if s := e.Summary(busy); s.Metrics.ActiveCalls == 0 {
		t.Fatalf("first campaign has no live call: %+v", s.Metrics)
	}
	gated := start(t, e, map[string]string{"cap": "2", "assistantId": asst, "name": "gated", "lineQuietGating": "true"}, 2)
	if sum := e.Tick(gated); sum.Launched != 0 {
		t.Fatalf("gated campaign launched %d calls on a busy line", sum.Launched)
	}
	e.Sim.ResumeWebhooks()
	e.Eventually(60*time.Second, "", func() bool { return status(e, busy)() && status(e, gated)() })
}

// A call whose news stopped is asked about after 10 silent minutes; Vapi's
// answer wins, and a call Vapi does not know becomes TIMEOUT, freeing its
// slot. Contacts never dialed are never timed out.
func TestSilentCallsAreReconciledOrTimedOut(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 7}})
	e.Sim.PauseWebhooks()
	id := start(t, e, map[string]string{"cap": "2"}, 5)
	// Let the simulator finish the two calls while we hear nothing.
	time.Sleep(500 * time.Millisecond)
	if sum := e.Tick(id); sum.Reconciled != 0 || sum.TimedOut != 0 {
		t.Fatalf("reconciled before 10 minutes: %+v", sum)
	}
	// One of the calls is unknown to Vapi (say, deleted there).
	if _, err := e.DB.Exec(context.Background(), `
		update calls set provider_call_id = 'gone-' || id where id = (select id from calls where campaign_id = $1 limit 1)`, id); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(11 * time.Minute)
	sum := e.Tick(id)
	if sum.Reconciled != 1 || sum.TimedOut != 1 {
		t.Fatalf("tick after 11 silent minutes: %+v, want 1 reconciled and 1 timed out", sum)
	}
	var timeouts, notCalled int
	_ = e.DB.QueryRow(context.Background(), `
		select count(*) filter (where l.status = 'TIMEOUT'), count(*) filter (where k.last_call_id is null)
		from contacts k left join calls l on l.id = k.last_call_id where k.campaign_id = $1`, id).Scan(&timeouts, &notCalled)
	if timeouts != 1 || notCalled < 1 {
		t.Fatalf("timeouts %d, never-dialed %d", timeouts, notCalled)
	}
	e.Sim.ResumeWebhooks()
	e.Eventually(60*time.Second, id, func() bool {
		e.Clock.Advance(time.Minute)
		return status(e, id)()
	})
}

// Truthful start: QUEUED until Vapi accepted a call; a key Vapi refuses
// fails the campaign with the reason and dials nobody.
func TestTruthfulStartAndUnhealableFailure(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 8}})
	asst := e.CreateAssistant("Key")
	c := e.CreateCampaign(map[string]string{"name": "bad key", "assistantId": asst}, apitest.Contacts(3))
	e.Deps.Vapi = badKeyClient(e)
	if st := e.Control(c.CampaignID, "start"); st != http.StatusOK {
		t.Fatalf("start: %d", st)
	}
	s := e.Summary(c.CampaignID)
	if s.Status != "FAILED" || s.StatusReason == nil || s.StartedAt != nil || s.Metrics.DialedContacts != 0 {
		t.Fatalf("after refused launches: status %s reason %v startedAt %v dialed %d", s.Status, s.StatusReason, s.StartedAt, s.Metrics.DialedContacts)
	}
	if e.Sim.Stats().CallsCreated != 0 {
		t.Fatalf("simulator created %d calls", e.Sim.Stats().CallsCreated)
	}
}

// TestStartedOnlyAfterVapiAccepts: a started campaign stays QUEUED, with
// no start time, while Vapi refuses its calls, and is DIALING or RUNNING
// from the tick whose call Vapi accepted.
func TestStartedOnlyAfterVapiAccepts(t *testing.T) {
	t.Parallel()
	f := setup(t, vapisim.Config{Seed: 9})
	id := f.campaign(t, apitest.Contacts(3))
	f.sim.SetFaults(vapisim.Faults{RateLimited: 1})
	f.control(t, id, campaign.Start)
	f.tick(t, id) // what starting through the API runs at once
	if s := f.summary(t, id); s.Status != "QUEUED" || s.StartedAt != nil || s.Metrics.ActiveCalls != 0 {
		t.Fatalf("while Vapi refuses: %s startedAt %v active %d", s.Status, s.StartedAt, s.Metrics.ActiveCalls)
	}
	f.sim.SetFaults(vapisim.Faults{})
	f.tick(t, id)
	if s := f.summary(t, id); (s.Status != "DIALING" && s.Status != "RUNNING") || s.StartedAt == nil {
		t.Fatalf("after Vapi accepts: %s startedAt %v", s.Status, s.StartedAt)
	}
}

func TestPauseResumeStopMidRun(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 10, Scale: 0.01}})
	id := start(t, e, map[string]string{"cap": "2"}, 8)
	if st := e.Control(id, "pause"); st != http.StatusOK {
		t.Fatalf("pause: %d", st)
	}
	dialed := e.Summary(id).Metrics.DialedContacts
	for range 5 {
		if sum := e.Tick(id); sum.Launched != 0 {
			t.Fatalf("paused campaign launched %d", sum.Launched)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if st := e.Control(id, "resume"); st != http.StatusOK {
		t.Fatalf("resume: %d", st)
	}
	e.Eventually(30*time.Second, id, func() bool { return e.Summary(id).Metrics.DialedContacts > dialed })
	if st := e.Control(id, "stop"); st != http.StatusOK {
		t.Fatalf("stop: %d", st)
	}
	stopped := e.Summary(id).Metrics.DialedContacts
	for range 5 {
		e.Tick(id)
		time.Sleep(100 * time.Millisecond)
	}
	s := e.Summary(id)
	if s.Status != "STOPPED" || s.Metrics.DialedContacts != stopped || s.Metrics.ByStatus["NOT_CALLED"] == 0 {
		t.Fatalf("after stop: %s dialed %d (was %d) byStatus %v", s.Status, s.Metrics.DialedContacts, stopped, s.Metrics.ByStatus)
	}
	// Calls in flight still finish and are recorded.
	e.Eventually(30*time.Second, id, func() bool { return e.Summary(id).Metrics.ActiveCalls == 0 })
}

// In strict batch mode a redial or a callback that falls due after the
// last batch was dialed is placed, and the campaign then completes: with
// every batch dialed, any position may be called again.
func TestBatchModeDialsWhatIsDueAfterTheLastBatch(t *testing.T) {
	t.Parallel()
	t.Run("redial", func(t *testing.T) {
		t.Parallel()
		e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 18, Mix: vapisim.Mix{NoAnswer: 1}}})
		id := start(t, e, map[string]string{"mode": "batch", "cap": "2", "maxAttempts": "2", "retryDelayMinutes": "1"}, 3)
		e.Eventually(30*time.Second, id, func() bool {
			return e.Count(t, `select count(*) from contacts where campaign_id = $1 and next_attempt_at is not null`, id) == 3
		})
		e.Clock.Advance(2 * time.Minute)
		e.Eventually(30*time.Second, id, status(e, id))
		if n := len(e.Sim.Calls()); n != 6 {
			t.Errorf("%d calls, want every contact's two attempts", n)
		}
	})
	t.Run("callback", func(t *testing.T) {
		t.Parallel()
		e, id := tokyoCampaign(t, []map[string]any{{"interested": true, "callback_at": "tomorrow 10:00"}, {"interested": true}},
			map[string]string{"mode": "batch"})
		reachCallback(t, e, id, 1)
		e.Eventually(30*time.Second, id, status(e, id))
		if n := e.Count(t, `select count(*) from calls where campaign_id = $1 and callback`, id); n != 1 {
			t.Errorf("%d callbacks placed, want 1", n)
		}
	})
}
