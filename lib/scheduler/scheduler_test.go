package scheduler_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/vapi"
)

func TestMain(m *testing.M) { apitest.Main(m) }

// outcome is one contact's final state in our database.
type outcome struct {
	phone, status, reason string
	attempts, calls       int
}

func outcomes(t *testing.T, e *apitest.Env, campaignID string) map[string]outcome {
	t.Helper()
	rows, err := e.DB.Query(context.Background(), `
		select k.phone, coalesce(l.status, 'NOT_CALLED'), coalesce(l.ended_reason, ''), k.attempts,
		  (select count(*) from calls c where c.contact_id = k.id)
		from contacts k left join calls l on l.id = k.last_call_id where k.campaign_id = $1`, campaignID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]outcome{}
	for rows.Next() {
		var o outcome
		if err := rows.Scan(&o.phone, &o.status, &o.reason, &o.attempts, &o.calls); err != nil {
			t.Fatal(err)
		}
		out[o.phone] = o
	}
	return out
}

func start(t *testing.T, e *apitest.Env, fields map[string]string, contacts int) string {
	t.Helper()
	if fields["assistantId"] == "" {
		fields["assistantId"] = e.CreateAssistant("Caller")
	}
	if fields["name"] == "" {
		fields["name"] = "Campaign"
	}
	if fields["maxAttempts"] == "" {
		// One attempt each: these tests count dials; redials have their own.
		fields["maxAttempts"] = "1"
	}
	c := e.CreateCampaign(fields, apitest.Contacts(contacts))
	if c.ImportReport.Accepted != contacts {
		t.Fatalf("imported %d of %d", c.ImportReport.Accepted, contacts)
	}
	if st := e.Control(c.CampaignID, "start"); st != http.StatusOK {
		t.Fatalf("start: %d", st)
	}
	return c.CampaignID
}

// status reports whether the campaign is COMPLETED, read from the
// database (safe from any goroutine).
func status(e *apitest.Env, id string) func() bool {
	return func() bool {
		var st string
		_ = e.DB.QueryRow(context.Background(), `select status from campaigns where id = $1`, id).Scan(&st)
		return st == "COMPLETED"
	}
}

// assertExactlyOnce checks the simulator's own count: every contact was
// placed exactly once, and each has exactly one final outcome with us.
func assertExactlyOnce(t *testing.T, e *apitest.Env, id string, n int) {
	t.Helper()
	st := e.Sim.Stats()
	if len(st.ByCustomer) != n {
		t.Errorf("simulator placed calls to %d numbers, want %d", len(st.ByCustomer), n)
	}
	for num, c := range st.ByCustomer {
		if c != 1 {
			t.Errorf("simulator placed %d calls to one number (%s…), want 1", c, num[:6])
		}
	}
	e.CheckTallies(id)
	for _, o := range outcomes(t, e, id) {
		if o.calls != 1 || o.status == "NOT_CALLED" || o.status == "PENDING" || o.reason == "" {
			t.Errorf("contact %s…: %+v, want one ended call with a reason", o.phone[:6], o)
		}
	}
}

func TestParallelTicksNeverDoubleDialNorExceedTheCap(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 1}})
	const contacts, cap = 60, 5
	id := start(t, e, map[string]string{"cap": fmt.Sprint(cap)}, contacts)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for ctx.Err() == nil && !status(e, id)() {
				tick(e)
			}
		})
	}
	wg.Wait()
	if got := e.Summary(id).Status; got != "COMPLETED" {
		t.Fatalf("status %s after 60 s", got)
	}
	if peak := e.Sim.Stats().PeakLive; peak > cap {
		t.Errorf("simulator saw %d calls live at once, cap %d", peak, cap)
	}
	assertExactlyOnce(t, e, id, contacts)
}

// tick runs one tick over HTTP; unlike Env.Tick it is safe in goroutines.
func tick(e *apitest.Env) {
	req, _ := http.NewRequest(http.MethodPost, e.Server.URL+"/api/scheduler/tick", nil)
	req.Header.Set("Authorization", "Bearer "+apitest.CronSecret)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

func TestCampaignsShareTheAccountCap(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 2, Scale: 0.01}})
	if st := e.JSON("PATCH", "/api/admin/config", e.Admin, map[string]any{"accountConcurrencyCap": 6}, nil); st != 200 {
		t.Fatalf("config: %d", st)
	}
	asst := e.CreateAssistant("Shared")
	a := start(t, e, map[string]string{"cap": "5", "assistantId": asst, "name": "A"}, 20)
	b := start(t, e, map[string]string{"cap": "5", "assistantId": asst, "name": "B"}, 20)
	e.Eventually(90*time.Second, "", func() bool { return status(e, a)() && status(e, b)() })
	if peak := e.Sim.Stats().PeakLive; peak > 6 {
		t.Errorf("simulator peak %d, account cap 6", peak)
	}
	if e.Sim.Stats().ConcurrencyBlocked != 0 {
		t.Errorf("Vapi refused %d calls for concurrency: our cap let too many through", e.Sim.Stats().ConcurrencyBlocked)
	}
}

// A lost answer (the call exists at Vapi, our tick never heard) and a tick
// that died after claiming (nothing at Vapi) both end with the contact
// dialed exactly once and its outcome recorded.
func TestAmbiguousCreationIsReconciledNotRedialed(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 3}})
	id := start(t, e, map[string]string{"cap": "4"}, 12)
	e.Sim.SetFaults(vapisim.Faults{DroppedAnswers: 0.3, SilentCreates: 0.2})
	for range 5 {
		e.Tick(id)
		time.Sleep(30 * time.Millisecond)
	}
	if e.Sim.Stats().AmbiguousCreates == 0 {
		t.Fatal("no ambiguous creation was injected; raise the fault rate")
	}
	e.Sim.SetFaults(vapisim.Faults{})
	// A claim whose tick died before asking Vapi: an attempt nobody sent,
	// stamped by the test clock that the scheduler reads (not the server's).
	_, err := e.DB.Exec(context.Background(), `
		with k as (select id from contacts where campaign_id = $1 and last_call_id is null order by position limit 1),
		c as (insert into calls (campaign_id, contact_id, attempt, status, phone_number_id, dial_requested_at)
		      select $1, k.id, 1, 'PENDING', 'test-phone-number', $2::timestamptz from k returning id, contact_id)
		update contacts set last_call_id = c.id, attempts = 1 from c where contacts.id = c.contact_id`, id, e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.Eventually(60*time.Second, id, func() bool {
		e.Clock.Advance(30 * time.Second) // past AmbiguousAfter within a few rounds
		return status(e, id)()
	})
	assertExactlyOnce(t, e, id, 12)
}

// Faults everywhere: 30% of POST /call answered 429 or 500, webhooks
// dropped, duplicated ×3 and reordered. The final state must equal what
// the simulator (the provider's truth) says.
func TestFaultsLeaveTheSameFinalState(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 4, Faults: vapisim.Faults{
		RateLimited: 0.15, ServerErrors: 0.15, RetryAfter: time.Second,
		WebhookDrops: 0.2, WebhookDuplicates: 0.3, WebhookCopies: 3, WebhookReorders: 0.3,
	}}})
	const n = 40
	id := start(t, e, map[string]string{"cap": "8"}, n)
	e.Eventually(120*time.Second, id, func() bool {
		// Calls whose last webhook was dropped are asked about once silent.
		e.Clock.Advance(time.Minute)
		return status(e, id)()
	})
	assertExactlyOnce(t, e, id, n)
	if st := e.Sim.Stats(); st.RateLimited == 0 || st.ServerErrors == 0 || st.WebhooksDropped == 0 {
		t.Errorf("faults not all injected: %+v", st)
	}
	truth := e.Sim.Calls()
	got := map[string]outcome{}
	for _, o := range outcomes(t, e, id) {
		got[o.phone] = o
	}
	for _, c := range truth {
		o := got[c.Customer.Number]
		if o.reason != c.EndedReason {
			t.Errorf("contact %s…: ended reason %q, Vapi says %q", c.Customer.Number[:6], o.reason, c.EndedReason)
		}
	}
	if len(truth) != n {
		t.Errorf("simulator has %d calls, want %d", len(truth), n)
	}
}

// badKeyClient talks to the simulator with a key it refuses.
func badKeyClient(e *apitest.Env) *vapi.Client {
	return vapi.New(vapi.Config{BaseURL: e.Sim.URL(), APIKey: "wrong-key"})
}
