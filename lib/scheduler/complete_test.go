package scheduler_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/scheduler"
	"github.com/autolynx/autolynx/lib/vapi"
)

// TestM8LostEndOfCallReportIsRecovered (security review M8; audit B3,
// formerly TestB3LostReportIsCompletedFromVapi): Vapi's end-of-call
// reports are all lost (the "ended" status-updates arrive). Within two
// minutes of each call's end its cost, transcript and recording must
// equal Vapi's truth, fetched with GET /call/{id}.
func TestM8LostEndOfCallReportIsRecovered(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 33, Mix: vapisim.Mix{Answered: 1},
		Faults: vapisim.Faults{ReportDrops: 1}}})
	const n = 4
	id := start(t, e, map[string]string{"cap": "4"}, n)
	e.Eventually(30*time.Second, id, status(e, id))
	// The simulator decides a report's fate as it sends it, after the
	// "ended" status-update that may already have completed the campaign.
	e.Eventually(30*time.Second, id, func() bool { return e.Sim.Stats().ReportsDropped == n })
	for _, c := range lastCalls(t, e, id) {
		if c.cost != nil {
			t.Fatalf("cost known before any report: %+v", c)
		}
	}
	// Not before a minute: the report may still be on its way.
	e.Clock.Advance(30 * time.Second)
	e.Tick("")
	for _, c := range lastCalls(t, e, id) {
		if c.cost != nil {
			t.Fatalf("fetched %s 30 s after its end", c.providerID)
		}
	}
	// The next tick (cron: every minute) is at most 90 s after the end.
	e.Clock.Advance(60 * time.Second)
	e.Tick("")
	truth := map[string]vapi.Call{}
	for _, c := range e.Sim.Calls() {
		truth[c.ID] = c
	}
	for _, c := range lastCalls(t, e, id) {
		want := truth[c.providerID]
		if c.cost == nil || want.Cost == nil || *c.cost != *want.Cost {
			t.Errorf("call %s: cost %s, Vapi says %s", c.providerID, show(c.cost), show(want.Cost))
		}
		var transcript, recording string
		_ = e.DB.QueryRow(context.Background(), `select coalesce(transcript->>'text', ''), coalesce(recording_url, '')
			from calls where provider_call_id = $1`, c.providerID).Scan(&transcript, &recording)
		if transcript == "" || transcript != want.Artifact.Transcript || recording == "" {
			t.Errorf("call %s: transcript %q recording %q", c.providerID, transcript, recording)
		}
	}
}

// fakeVapi answers GET /call/{id} with body (or status 500 when body is
// ""), counting the requests.
func fakeVapi(t *testing.T, body string, gets *atomic.Int32) *vapi.Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets.Add(1)
		if body == "" {
			http.Error(w, `{"message":"Internal server error"}`, http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return vapi.New(vapi.Config{BaseURL: srv.URL, APIKey: "k", Sleep: func(context.Context, time.Duration) error { return nil }})
}

// liveCall seeds one IN_PROGRESS call with provider id prov, silent for
// an hour, in a RUNNING campaign of its own.
func (f fixture) liveCall(t *testing.T, prov string) (campaignID, callID uuid.UUID) {
	t.Helper()
	campaignID = f.campaign(t, apitest.Contacts(1))
	err := f.pool.QueryRow(f.ctx, `
		with k as (select id from contacts where campaign_id = $1),
		c as (insert into calls (campaign_id, contact_id, status, phone_number_id, provider_call_id, last_event_at)
		      select $1, k.id, 'IN_PROGRESS', 'test-phone-number', $2, $3::timestamptz - interval '1 hour' from k returning id, contact_id),
		u as (update contacts set last_call_id = c.id, attempts = 1 from c where contacts.id = c.contact_id)
		select id from c`, campaignID, prov, f.clock.Now()).Scan(&callID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(f.ctx, `update campaigns set status = 'RUNNING' where id = $1`, campaignID); err != nil {
		t.Fatal(err)
	}
	return campaignID, callID
}

// TestH3ReconciliationStoresAnyJSONAndGivesUp: Vapi's answer for a silent
// call carries a lone surrogate, invalid UTF-8 and NUL (which Postgres
// refuses as they are); the call must still end with its transcript. A
// call whose reconciliation keeps failing is marked with the error after
// a bounded number of tries, stops holding a slot, and admins see it.
func TestH3ReconciliationStoresAnyJSONAndGivesUp(t *testing.T) {
	t.Parallel()
	f := setup(t, vapisim.Config{})
	var gets atomic.Int32
	odd := `{"id":"prov-odd","status":"ended","endedReason":"customer-ended-call","cost":0.25,
		"endedAt":"2026-11-25T18:59:00Z","analysis":{"summary":"cut \ud83d","successEvaluation":"true\u0000"},
		"artifact":{"transcript":"AI: Hi \ud83d` + "\xff\xfe" + ` there\u0000","messages":[{"role":"user","message":"\udc00 \u0000"}]}}`
	campaignID, callID := f.liveCall(t, "prov-odd")
	f.sched.Vapi = fakeVapi(t, odd, &gets)
	f.tick(t, campaignID)
	var status, transcript, summary string
	if err := f.pool.QueryRow(f.ctx, `select status, coalesce(transcript->>'text', ''), coalesce(summary, '')
		from calls where id = $1`, callID).Scan(&status, &transcript, &summary); err != nil {
		t.Fatal(err)
	}
	if status != "ENDED" || !strings.Contains(transcript, "Hi \ufffd") || summary != "cut \ufffd" {
		t.Fatalf("call %s, transcript %q, summary %q", status, transcript, summary)
	}

	// Vapi keeps failing for another call: after MaxReconcileTries the
	// call is TIMEOUT with the error, and an alert says so.
	campaignID, callID = f.liveCall(t, "prov-failing")
	gets.Store(0)
	f.sched.Vapi = fakeVapi(t, "", &gets)
	for range scheduler.MaxReconcileTries + 2 {
		f.clock.Advance(scheduler.SilentAfter + time.Minute)
		f.tick(t, campaignID)
	}
	var reason, recErr string
	if err := f.pool.QueryRow(f.ctx, `select status, coalesce(ended_reason, ''), coalesce(reconcile_error, '')
		from calls where id = $1`, callID).Scan(&status, &reason, &recErr); err != nil {
		t.Fatal(err)
	}
	if status != "TIMEOUT" || !strings.Contains(reason, "reconcile") || !strings.Contains(recErr, "500") {
		t.Fatalf("call %s reason %q error %q, want TIMEOUT with the error", status, reason, recErr)
	}
	if n := gets.Load(); n > int32(scheduler.MaxReconcileTries)*4 {
		t.Errorf("asked Vapi %d times", n)
	}
	var alerts int
	_ = f.pool.QueryRow(f.ctx, `select count(*) from alerts where kind = 'reconcile-failed' and campaign_id = $1`, campaignID).Scan(&alerts)
	if alerts != 1 {
		t.Errorf("%d alerts, want 1", alerts)
	}
}

// TestNewFaultsCampaignEndsWithVapisTruth runs a campaign through the
// simulator's new faults at once: half the end-of-call reports lost, some
// webhooks dropped, transient Vapi faults, and the account out of credits
// mid-run (then credits added and the campaign resumed). Every contact
// must end with the outcome and the cost the simulator itself recorded.
func TestNewFaultsCampaignEndsWithVapisTruth(t *testing.T) {
	t.Parallel()
	lossy := vapisim.Faults{ReportDrops: 0.5, WebhookDrops: 0.1}
	broke := lossy
	broke.OutOfCreditsAfter = 6
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 40, Mix: vapisim.Mix{Answered: 0.8, VapiFault: 0.2}, Faults: broke}})
	id := start(t, e, map[string]string{"cap": "3"}, 12)
	e.Eventually(60*time.Second, id, func() bool {
		e.Clock.Advance(reportWait)
		return e.Summary(id).Status == "PAUSED"
	})
	if st := e.Sim.Stats(); st.CreditRefusals == 0 || st.Placed != 6 {
		t.Fatalf("credits ran out after %d calls (%d refusals), want 6", st.Placed, st.CreditRefusals)
	}
	e.Sim.SetFaults(lossy)
	if st := e.Control(id, "resume"); st != http.StatusOK {
		t.Fatalf("resume: %d", st)
	}
	e.Eventually(90*time.Second, id, func() bool {
		e.Clock.Advance(reportWait)
		return done(t, e, id)
	})
	if st := e.Sim.Stats(); st.ReportsDropped == 0 || st.WebhooksDropped == 0 {
		t.Errorf("faults not injected: %+v", st)
	}
	// Vapi's transient faults were redialed without using up the single
	// attempt each contact has.
	var faults int
	_ = e.DB.QueryRow(context.Background(), `select count(*) from calls where campaign_id = $1 and refused
		and ended_reason not like '%credits%'`, id).Scan(&faults)
	if faults == 0 {
		t.Error("no transient Vapi fault was injected; change the seed")
	}
	assertVapisTruth(t, e, id)
	assertEveryAttemptIsVapis(t, e, id)
}

// assertEveryAttemptIsVapis checks every call Vapi placed, not only each
// contact's last: we hold it with Vapi's ended reason and cost, and the
// campaign's spend is the sum of Vapi's costs.
func assertEveryAttemptIsVapis(t *testing.T, e *apitest.Env, campaignID string) {
	t.Helper()
	var vapiSpend float64
	for _, c := range e.Sim.Calls() {
		var reason string
		var cost *float64
		err := e.DB.QueryRow(context.Background(), `select coalesce(ended_reason, ''), cost::float8 from calls
			where campaign_id = $1 and provider_call_id = $2`, campaignID, c.ID).Scan(&reason, &cost)
		if err != nil {
			t.Errorf("Vapi's call %s: %v", c.ID, err)
			continue
		}
		if reason != c.EndedReason || show(cost) != show(c.Cost) {
			t.Errorf("call %s: reason %q cost %s, Vapi says %q %s", c.ID, reason, show(cost), c.EndedReason, show(c.Cost))
		}
		if c.Cost != nil {
			vapiSpend += *c.Cost
		}
	}
	var spend float64
	if err := e.DB.QueryRow(context.Background(), `select coalesce(sum(cost), 0)::float8 from calls where campaign_id = $1`,
		campaignID).Scan(&spend); err != nil {
		t.Fatal(err)
	}
	if math.Abs(spend-vapiSpend) > 1e-6 {
		t.Errorf("campaign spend %.4f, Vapi's calls cost %.4f", spend, vapiSpend)
	}
}

// reportWait is one cron period: a tick after it completes calls whose
// report is missing.
const reportWait = 61 * time.Second

// TestB8BothWebhookSecretsMaskedInStoredCall: during a rotation, calls
// placed before it echo the previous secret in
// assistantOverrides.server.headers; Vapi's call object is stored with
// neither secret in it.
func TestB8BothWebhookSecretsMaskedInStoredCall(t *testing.T) {
	t.Parallel()
	f := setup(t, vapisim.Config{})
	const current, previous = "current-secret-b8", "previous-secret-b8"
	answer := `{"id":"prov-b8","status":"ended","endedReason":"customer-ended-call","cost":0.1,
		"assistantOverrides":{"server":{"url":"https://x.test","headers":{"X-Vapi-Secret":"` + previous + `"}},
		  "variableValues":{"note":"` + current + `"}}}`
	var gets atomic.Int32
	campaignID, callID := f.liveCall(t, "prov-b8")
	f.sched.Vapi = fakeVapi(t, answer, &gets)
	f.sched.WebhookSecret, f.sched.WebhookSecretPrevious = current, previous
	f.tick(t, campaignID)
	var stored, leaked int
	_ = f.pool.QueryRow(f.ctx, `select count(*), count(*) filter (where payload::text like '%' || $2 || '%'
		or payload::text like '%' || $3 || '%') from call_events where call_id = $1 and source = 'reconcile'`,
		callID, current, previous).Scan(&stored, &leaked)
	if stored == 0 || leaked != 0 {
		t.Fatalf("%d of %d stored call objects carry a webhook secret", leaked, stored)
	}
}

// seqVapi answers the n-th GET /call/{id} with bodies[n] (the last one
// from then on), counting the requests.
func seqVapi(t *testing.T, gets *atomic.Int32, bodies ...string) *vapi.Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(gets.Add(1)) - 1
		_, _ = io.WriteString(w, bodies[min(n, len(bodies)-1)])
	}))
	t.Cleanup(srv.Close)
	return vapi.New(vapi.Config{BaseURL: srv.URL, APIKey: "k", Sleep: func(context.Context, time.Duration) error { return nil }})
}

// endedCall seeds one answered call with provider id prov that ended two
// minutes ago, with cost (nil: none) and no transcript or recording.
func (f fixture) endedCall(t *testing.T, prov string, cost *float64) (campaignID, callID uuid.UUID) {
	t.Helper()
	campaignID = f.campaign(t, apitest.Contacts(1))
	err := f.pool.QueryRow(f.ctx, `
		with k as (select id from contacts where campaign_id = $1),
		c as (insert into calls (campaign_id, contact_id, status, ended_reason, disposition, phone_number_id, provider_call_id,
		        cost, ended_at, last_event_at)
		      select $1, k.id, 'ENDED', 'customer-ended-call', 'answered', 'test-phone-number', $2, $4,
		        $3::timestamptz - interval '2 minutes', $3::timestamptz - interval '2 minutes' from k returning id, contact_id),
		u as (update contacts set last_call_id = c.id, attempts = 1 from c where contacts.id = c.contact_id)
		select id from c`, campaignID, prov, f.clock.Now(), cost).Scan(&callID)
	if err != nil {
		t.Fatal(err)
	}
	return campaignID, callID
}

// TestB3SweepRetriesUntilVapiHasWhatWasMissing: a final call without its
// cost, or an answered one without any artifact (no transcript and no
// recording), is fetched from Vapi a minute after its end; it is marked
// complete only once Vapi's answer carries what was missing (Vapi may
// still be processing the call at the first fetch), and fetched again
// on later ticks until then, a bounded number of times.
func TestB3SweepRetriesUntilVapiHasWhatWasMissing(t *testing.T) {
	t.Parallel()
	const (
		bare      = `{"id":%q,"status":"ended","endedReason":"customer-ended-call"}`
		withCost  = `{"id":%q,"status":"ended","endedReason":"customer-ended-call","cost":0.3}`
		artifact  = `"artifact":{"transcript":"AI: Hello","recording":{"mono":{"combinedUrl":"https://storage.vapi.test/m.wav"}}}`
		noCost    = `{"id":%q,"status":"ended","endedReason":"customer-ended-call",` + artifact + `}`
		completed = `{"id":%q,"status":"ended","endedReason":"customer-ended-call","cost":0.3,` + artifact + `}`
	)
	paid := 0.2
	for name, tc := range map[string]struct {
		cost    *float64
		answers []string
		gets    int32 // GETs until complete, or MaxReconcileTries for never
	}{
		"cost missing, first answer without cost":         {nil, []string{noCost, completed}, 2},
		"artifact missing, first answer without artifact": {&paid, []string{withCost, completed}, 2},
		"cost missing, Vapi never has it":                 {nil, []string{bare}, scheduler.MaxReconcileTries},
	} {
		f := setup(t, vapisim.Config{})
		prov := "prov-sweep"
		for i, a := range tc.answers {
			tc.answers[i] = fmt.Sprintf(a, prov)
		}
		var gets atomic.Int32
		campaignID, callID := f.endedCall(t, prov, tc.cost)
		f.sched.Vapi = seqVapi(t, &gets, tc.answers...)
		for range scheduler.MaxReconcileTries + 3 {
			f.tick(t, campaignID)
			f.clock.Advance(reportWait)
		}
		var cost *float64
		var transcript, recording string
		var marked bool
		if err := f.pool.QueryRow(f.ctx, `select cost::float8, coalesce(transcript->>'text', ''),
			coalesce(recording_url, ''), completed_from_vapi_at is not null from calls where id = $1`, callID).
			Scan(&cost, &transcript, &recording, &marked); err != nil {
			t.Fatal(err)
		}
		if n := gets.Load(); n != tc.gets {
			t.Errorf("%s: Vapi asked %d times, want %d", name, n, tc.gets)
		}
		if tc.gets == scheduler.MaxReconcileTries {
			if marked || cost != nil {
				t.Errorf("%s: marked complete %v with cost %s, though Vapi never had it", name, marked, show(cost))
			}
			continue
		}
		if !marked || cost == nil || *cost != 0.3 || transcript != "AI: Hello" || recording != "https://storage.vapi.test/m.wav" {
			t.Errorf("%s: marked %v cost %s transcript %q recording %q", name, marked, show(cost), transcript, recording)
		}
	}
}

func show(cost *float64) string {
	if cost == nil {
		return "none"
	}
	return fmt.Sprint(*cost)
}

// B7, on reconciliation's side: a call object from GET /call whose cost
// is of the wrong type still completes what it can, and the loss is
// logged by field name (never silently dropped), as the webhook does.
func TestB7ReconciledMistypedFieldIsVisible(t *testing.T) {
	t.Parallel()
	f := setup(t, vapisim.Config{})
	var logs bytes.Buffer
	f.sched.Log = slog.New(slog.NewJSONHandler(&logs, nil))
	prov := "prov-mistyped"
	campaignID, callID := f.endedCall(t, prov, nil)
	var gets atomic.Int32
	f.sched.Vapi = seqVapi(t, &gets, fmt.Sprintf(`{"id":%q,"status":"ended","endedReason":"customer-ended-call","cost":"0.30",`+
		`"artifact":{"transcript":"AI: Hello","recording":{"mono":{"combinedUrl":"https://storage.vapi.test/m.wav"}}}}`, prov))
	f.tick(t, campaignID)
	var cost *float64
	var transcript string
	if err := f.pool.QueryRow(f.ctx, `select cost::float8, coalesce(transcript->>'text', '') from calls where id = $1`, callID).
		Scan(&cost, &transcript); err != nil {
		t.Fatal(err)
	}
	if gets.Load() == 0 || cost != nil || transcript != "AI: Hello" {
		t.Errorf("asked Vapi %d times; stored cost %s, transcript %q", gets.Load(), show(cost), transcript)
	}
	if !strings.Contains(logs.String(), `"fields":["cost"]`) || !strings.Contains(logs.String(), "wrong type") {
		t.Errorf("the mistyped cost was not logged by name:\n%s", logs.String())
	}
}
