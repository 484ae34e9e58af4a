package outbox_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/dev/campaigntest"
	"github.com/autolynx/autolynx/dev/teamsystem"
	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/outbox"
)

func TestBackoffGrowsWithJitterAndCaps(t *testing.T) {
	t.Parallel()
	nominal := 30 * time.Second
	for n := 1; n <= 40; n++ {
		lo, hi := outbox.Backoff(n, 0), outbox.Backoff(n, 0.999999)
		if lo != nominal/2 || hi > nominal || hi < nominal*99/100 {
			t.Fatalf("attempt %d: backoff between %s and %s, want %s to %s", n, lo, hi, nominal/2, nominal)
		}
		nominal = min(2*nominal, time.Hour)
	}
}

// A destination that never answers 2xx is retried with growing waits for
// 24 hours after the first attempt, then marked failed, and never tried
// again.
func TestGivesUpAfter24Hours(t *testing.T) {
	t.Parallel()
	e := setup(t)
	rc := newReceiver(t, func(int) int { return http.StatusInternalServerError })
	dest := e.destination(t, rc, outbox.ContactOptedOut)
	e.optOut(t, 1, 1)
	start := e.clock.Now()
	status := ""
	for i := 0; i < 200 && status != "failed"; i++ {
		if _, err := e.d.Deliver(e.ctx); err != nil {
			t.Fatal(err)
		}
		var next *time.Time
		if err := e.Pool.QueryRow(e.ctx, `select status, next_attempt_at from outbox_deliveries where destination_id = $1`,
			dest).Scan(&status, &next); err != nil {
			t.Fatal(err)
		}
		if next != nil {
			e.clock.Set(*next)
		}
	}
	if status != "failed" {
		t.Fatalf("delivery is %s after 200 passes", status)
	}
	var n int
	var first, last time.Time
	if err := e.Pool.QueryRow(e.ctx, `select count(*), min(attempted_at), max(attempted_at) from outbox_attempts
		where destination_id = $1`, dest).Scan(&n, &first, &last); err != nil {
		t.Fatal(err)
	}
	if !first.Equal(start) || !last.Equal(start.Add(24*time.Hour)) {
		t.Errorf("attempts from %s to %s, want %s to 24 h later", first, last, start)
	}
	if n < 20 || n > 50 || rc.Requests() != n {
		t.Errorf("%d attempts logged, %d received; want one per backoff step over 24 h", n, rc.Requests())
	}
	e.clock.Set(start.Add(72 * time.Hour))
	if _, err := e.d.Deliver(e.ctx); err != nil {
		t.Fatal(err)
	}
	if rc.Requests() != n {
		t.Errorf("a failed delivery was tried again")
	}
}

// Failures (500s, a stalled answer past the timeout) are retried with
// the same webhook-id and the same body until one is accepted.
func TestRetriesKeepIDAndBody(t *testing.T) {
	t.Parallel()
	e := setup(t)
	rc := newReceiver(t, func(n int) int {
		switch n {
		case 1:
			return http.StatusInternalServerError
		case 2:
			return teamsystem.Hold // taken, but answered past the timeout
		}
		return http.StatusNoContent
	})
	e.destination(t, rc, outbox.ContactOptedOut)
	e.optOut(t, 1, 1)
	delivered := func() bool {
		return e.Count(t, `select count(*) from outbox_deliveries where status = 'delivered'`) == 1
	}
	for i := 0; i < 10 && !delivered(); i++ {
		if _, err := e.d.Deliver(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(e.clock.Now().Add(2 * time.Hour))
	}
	taken := rc.Taken()
	if !delivered() || len(taken) != 1 || rc.Requests() != 3 {
		t.Fatalf("taken %v after %d requests", taken, rc.Requests())
	}
	for id, n := range taken {
		if n != 2 {
			t.Errorf("%s taken %d times, want 2 (the held attempt and its retry)", id, n)
		}
	}
	var lastErr string
	if err := e.Pool.QueryRow(e.ctx, `select error from outbox_attempts where status_code is null`).Scan(&lastErr); err != nil {
		t.Fatalf("the timed-out attempt is not logged: %v", err)
	}
}

// Passes running at once never send one delivery twice: the claim skips
// what another holds and leases what it takes.
func TestConcurrentPassesNeverDoubleSend(t *testing.T) {
	t.Parallel()
	e := setup(t)
	rc := newReceiver(t, func(int) int { time.Sleep(10 * time.Millisecond); return http.StatusOK })
	e.destination(t, rc, outbox.ContactOptedOut)
	const events = 40
	e.optOut(t, 1, events)
	for round := 0; round < 20 && len(rc.Taken()) < events; round++ {
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if _, err := e.d.Deliver(e.ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	got := rc.Taken()
	if len(got) != events || rc.Requests() != events {
		t.Fatalf("%d ids taken, %d requests; want %d of each", len(got), rc.Requests(), events)
	}
	for id, n := range got {
		if n != 1 {
			t.Errorf("%s sent %d times", id, n)
		}
	}
}

// A call's finish waits for its end-of-call report (its cost), or for
// ReportWait, so the event carries the outcome.
func TestCallFinishedWaitsForTheReport(t *testing.T) {
	t.Parallel()
	e := setup(t)
	rc := newReceiver(t, nil)
	e.destination(t, rc, outbox.CallFinished)
	call := e.call(t, "IN_PROGRESS")
	e.exec(t, `update calls set status = 'ENDED', last_event_at = $2 where id = $1`, call, e.clock.Now())
	if _, err := e.d.Deliver(e.ctx); err != nil || rc.Requests() != 0 {
		t.Fatalf("sent before the report: %d (%v)", rc.Requests(), err)
	}
	e.exec(t, `update calls set cost = 0.12, structured_data = '{"x":{"name":"interested","result":true}}' where id = $1`, call)
	if _, err := e.d.Deliver(e.ctx); err != nil || rc.Requests() != 1 {
		t.Fatalf("not sent once the report is in: %d (%v)", rc.Requests(), err)
	}
	for _, ev := range rc.Events()[outbox.CallFinished] {
		if !strings.Contains(ev.Body, `"interested"`) || !strings.Contains(ev.Body, `"cost":0.12`) {
			t.Errorf("body %s", ev.Body)
		}
	}
	other := e.call(t, "RINGING")
	e.exec(t, `update calls set status = 'ENDED', last_event_at = $2 where id = $1`, other, e.clock.Now())
	e.clock.Set(e.clock.Now().Add(outbox.ReportWait))
	if _, err := e.d.Deliver(e.ctx); err != nil || rc.Requests() != 2 {
		t.Fatalf("a report that never came holds the event: %d (%v)", rc.Requests(), err)
	}
}

// Events are written only by the terminal transitions: a call's end
// (once, even when a late real outcome replaces a timeout), a campaign's
// finish, a number listed as an opt-out, and only while a destination
// wants them.
func TestEventsOnTerminalTransitionsOnly(t *testing.T) {
	t.Parallel()
	e := setup(t)
	events := func() int { return e.Count(t, `select count(*) from outbox_events`) }
	call := e.call(t, "PENDING")
	e.exec(t, `update calls set status = 'ENDED' where id = $1`, call)
	if events() != 0 {
		t.Fatal("an event without a destination")
	}
	rc := newReceiver(t, nil)
	dest := e.destination(t, rc, outbox.CallFinished, outbox.CampaignFinished, outbox.ContactOptedOut)
	call = e.call(t, "PENDING")
	for _, st := range []string{"QUEUED", "RINGING", "IN_PROGRESS"} {
		e.exec(t, `update calls set status = $2 where id = $1`, call, st)
	}
	if events() != 0 {
		t.Fatal("live news wrote an event")
	}
	e.exec(t, `update calls set status = 'TIMEOUT' where id = $1`, call)
	e.exec(t, `update calls set status = 'ENDED', cost = 1 where id = $1`, call)
	e.exec(t, `update campaigns set status = 'COMPLETED' where id = (select campaign_id from calls where id = $1)`, call)
	e.exec(t, `update campaigns set status_reason = 'again'`)
	e.exec(t, `insert into dnc (phone, source) values ('+12125550100', 'manual')`)
	e.optOut(t, 900, 1)
	if got := e.Count(t, `select count(*) from outbox_events`); got != 3 {
		t.Fatalf("%d events, want 3 (call, campaign, opt-out)", got)
	}
	if e.Count(t, `select count(*) from outbox_deliveries where destination_id = $1`, dest) != 3 {
		t.Fatal("deliveries do not fan out to the destination")
	}
}

// call adds a call of a fresh one-contact campaign in status st.
func (e env) call(t *testing.T, st string) uuid.UUID {
	t.Helper()
	campaignID, _ := e.Create(t, "name,business_name,phone\nAda,Acme,+12125550199\n")
	var id uuid.UUID
	if err := e.Pool.QueryRow(e.ctx, `insert into calls (campaign_id, contact_id, status, phone_number_id, provider_call_id)
		select campaign_id, id, $2, 'test-phone-number', gen_random_uuid()::text from contacts where campaign_id = $1 returning id`,
		campaignID, st).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (e env) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := e.Pool.Exec(e.ctx, sql, args...); err != nil {
		t.Fatal(err)
	}
}

// Events no delivery waits for are deleted after KeepFor; pending ones
// stay however old.
func TestOldEventsArePruned(t *testing.T) {
	t.Parallel()
	e := setup(t)
	rc := newReceiver(t, nil)
	dest := e.destination(t, rc, outbox.ContactOptedOut)
	e.optOut(t, 1, 2)
	e.exec(t, `update outbox_events set created_at = $1`, e.clock.Now().Add(-outbox.KeepFor-time.Hour))
	e.exec(t, `update outbox_deliveries set next_attempt_at = $1 where event_id = (select min(id::text)::uuid from outbox_events)`,
		e.clock.Now().Add(time.Hour))
	if _, err := e.d.Deliver(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.Count(t, `select count(*) from outbox_events`); n != 1 {
		t.Errorf("%d events left, want the pending one", n)
	}
	if n := e.Count(t, `select count(*) from outbox_deliveries where destination_id = $1 and status = 'pending'`, dest); n != 1 {
		t.Errorf("%d pending deliveries, want 1", n)
	}
}

// With a PII horizon shorter than KeepFor, events go at that horizon:
// their bodies carry names, phones and outcome texts, which retention
// promises to remove by then.
func TestEventsGoByThePIIHorizon(t *testing.T) {
	t.Parallel()
	e := setup(t)
	rc := newReceiver(t, nil)
	e.destination(t, rc, outbox.ContactOptedOut)
	e.exec(t, `insert into system_config (key, value) values ('retention_pii_days', '7')`)
	e.optOut(t, 1, 2)
	if _, err := e.d.Deliver(e.ctx); err != nil || rc.Requests() != 2 {
		t.Fatalf("%d delivered (%v)", rc.Requests(), err)
	}
	e.exec(t, `update outbox_events set created_at = $1 where phone = $2`, e.clock.Now().Add(-7*24*time.Hour-time.Hour), campaigntest.Phone(1))
	if _, err := e.d.Deliver(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.Count(t, `select count(*) from outbox_events`); n != 1 {
		t.Errorf("%d events left, want only the one younger than the PII horizon", n)
	}
}

// The tick's own ends (a timeout, a refusal, a manual mark) go through
// callstate.End and write the event like the webhook's.
func TestCallEndedByUsIsAnEvent(t *testing.T) {
	t.Parallel()
	e := setup(t)
	rc := newReceiver(t, nil)
	e.destination(t, rc, outbox.CallFinished)
	call := e.call(t, "RINGING")
	_, ok, err := callstate.End(e.ctx, e.Pool, call, callstate.FromLaunched, callstate.Timeout, "silent",
		callstate.Event{Source: "tick", Type: callstate.EventTimeout}, e.clock.Now())
	if err != nil || !ok {
		t.Fatalf("end: %v %v", ok, err)
	}
	if n := e.Count(t, `select count(*) from outbox_events where type = 'call.finished' and subject_id = $1`, call); n != 1 {
		t.Fatalf("%d events for the timed-out call", n)
	}
	// No report comes for a call Vapi lost: it is sent after ReportWait.
	e.clock.Set(e.clock.Now().Add(outbox.ReportWait))
	if _, err := e.d.Deliver(e.ctx); err != nil || rc.Requests() != 1 {
		t.Fatalf("timed-out call not delivered: %d %v", rc.Requests(), err)
	}
}

// After a rotation, deliveries carry the new secret's signature and, for
// RotationOverlap, the old one's too, so a receiver still on the old
// secret keeps accepting them until then.
func TestRotationSignsWithBothSecretsForAWhile(t *testing.T) {
	t.Parallel()
	e := setup(t)
	type got struct{ id, ts, sig, body string }
	seen := make(chan got, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seen <- got{r.Header.Get(outbox.HeaderID), r.Header.Get(outbox.HeaderTimestamp), r.Header.Get(outbox.HeaderSignature), string(b)}
	}))
	t.Cleanup(srv.Close)
	name, url, events := "CRM", srv.URL, []string{outbox.ContactOptedOut}
	dst, old, err := outbox.Create(e.ctx, e.Pool, outbox.URLPolicy{Local: true},
		outbox.Input{Name: &name, URL: &url, Events: &events}, uuid.Nil, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := outbox.RotateSecret(e.ctx, e.Pool, dst.ID, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	verifies := func(secret string, g got) bool { return outbox.Verify(secret, g.id, g.ts, []byte(g.body), g.sig) }
	e.optOut(t, 1, 1)
	if _, err := e.d.Deliver(e.ctx); err != nil {
		t.Fatal(err)
	}
	if g := <-seen; !verifies(fresh, g) || !verifies(old, g) {
		t.Errorf("within the overlap %q is not signed with both secrets", g.sig)
	}
	e.clock.Set(e.clock.Now().Add(outbox.RotationOverlap))
	e.optOut(t, 2, 1)
	if _, err := e.d.Deliver(e.ctx); err != nil {
		t.Fatal(err)
	}
	if g := <-seen; !verifies(fresh, g) || verifies(old, g) {
		t.Errorf("after the overlap %q: want the new secret's signature alone", g.sig)
	}
}

// Redelivering an event a pass is sending right now (its delivery under
// the pass's lease) sends nothing alongside: the pass's attempt decides.
// Once the lease has passed (a pass that died mid-send), it sends.
func TestRedeliverLeavesADeliveryInFlightAlone(t *testing.T) {
	t.Parallel()
	e := setup(t)
	rc := newReceiver(t, nil)
	dest := e.destination(t, rc, outbox.ContactOptedOut)
	e.optOut(t, 0, 1)
	var delivery, event uuid.UUID
	if err := e.Pool.QueryRow(e.ctx, `select id, event_id from outbox_deliveries`).Scan(&delivery, &event); err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	// As a pass's claim leaves it while the request is out.
	e.exec(t, `update outbox_deliveries set attempts = 1, last_attempt_at = $2,
		next_attempt_at = $2::timestamptz + $3::interval, give_up_at = $2::timestamptz + $4::interval where id = $1`,
		delivery, now, outbox.Lease, outbox.RetryFor)
	st, err := e.d.Redeliver(e.ctx, dest, event)
	if err != nil || rc.Requests() != 0 || st.Status != "pending" || st.Attempts != 1 {
		t.Fatalf("redelivered while in flight: %d requests, %+v (%v)", rc.Requests(), st, err)
	}
	e.clock.Set(now.Add(outbox.Lease))
	if st, err := e.d.Redeliver(e.ctx, dest, event); err != nil || rc.Requests() != 1 || st.Status != "delivered" {
		t.Errorf("redelivered after the lease: %d requests, %+v (%v)", rc.Requests(), st, err)
	}
}
