package scheduler_test

import (
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
	fields "github.com/autolynx/autolynx/lib/outcome"
)

const tokyo = "+81312345678"

// A person in Tokyo who asks, on Monday afternoon, to be called back
// "tomorrow 10:00" is dialed at 10:00 Tokyo time on Tuesday: once, as a
// callback rather than a redial (the campaign allows one attempt), and
// the campaign waits for it instead of completing.
func TestCallbackTomorrowAtTenInTokyo(t *testing.T) {
	t.Parallel()
	// Monday 2026-12-07 05:00 UTC = 14:00 in Tokyo.
	start := time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC)
	answers := vapisim.Answers{tokyo: {{"interested": true, "callback_at": "tomorrow 10:00"}, {"interested": true}}}
	e := apitest.New(t, apitest.Options{Now: start, Sim: vapisim.Config{Seed: 18, Mix: vapisim.Mix{Answered: 1}, Answers: answers}})
	asst := e.CreateAssistant("Callbacks")
	c := e.CreateCampaign(map[string]string{"name": "tokyo", "assistantId": asst, "maxAttempts": "1",
		"outcomeFields": "follow-up", "callingWindowStart": "09:00", "callingWindowEnd": "17:00"}, "name,business_name,phone\nTom,Tokyo Ramen,"+tokyo+"\n")
	e.Control(c.CampaignID, "start")
	due := time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC) // Tuesday 10:00 in Tokyo
	callbackAt := func() *time.Time {
		var at *time.Time
		if err := e.DB.QueryRow(t.Context(), `select callback_at from contacts where campaign_id = $1`, c.CampaignID).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	e.Eventually(30*time.Second, c.CampaignID, func() bool { return callbackAt() != nil })
	if at := callbackAt(); !at.Equal(due) {
		t.Fatalf("callback at %v, want %v (10:00 in Tokyo)", at, due)
	}
	for range 5 {
		e.Tick(c.CampaignID)
	}
	s := e.Summary(c.CampaignID)
	if s.Status == "COMPLETED" {
		t.Fatal("completed with a callback pending")
	}
	if s.Waiting == nil || s.Waiting.Callbacks != 1 || !strings.Contains(s.Waiting.Message, "1 callback due from Tue 8 Dec 01:00 UTC") {
		t.Errorf("waiting %+v, want one callback due at 01:00 UTC", s.Waiting)
	}
	if s.Outcomes == nil || s.Outcomes.Callbacks.Pending != 1 || !s.Outcomes.Callbacks.Next[0].At.Equal(due) {
		t.Errorf("next calls %+v, want the callback", s.Outcomes)
	}
	// A minute before, nothing; at 10:00, the call.
	e.Clock.Advance(due.Add(-time.Minute).Sub(e.Clock.Now()))
	for range 5 {
		e.Tick(c.CampaignID)
	}
	if n := len(e.Sim.Calls()); n != 1 {
		t.Fatalf("%d calls before 10:00, want 1", n)
	}
	e.Clock.Advance(time.Minute)
	e.Eventually(30*time.Second, c.CampaignID, func() bool { return e.Summary(c.CampaignID).Status == "COMPLETED" })
	calls := e.Sim.Calls()
	if len(calls) != 2 {
		t.Fatalf("%d calls, want the first and the callback", len(calls))
	}
	tokyoZone, _ := time.LoadLocation("Asia/Tokyo")
	if at := calls[1].CreatedAt.In(tokyoZone); at.Format("Mon 15:04") != "Tue 10:00" {
		t.Errorf("callback placed %s Tokyo time, want Tue 10:00", at.Format("Mon 15:04"))
	}
	var callbacks, attempts int
	if err := e.DB.QueryRow(t.Context(), `select count(*) filter (where callback), max(attempt) from calls where campaign_id = $1`,
		c.CampaignID).Scan(&callbacks, &attempts); err != nil {
		t.Fatal(err)
	}
	if callbacks != 1 || attempts != 2 {
		t.Errorf("%d callbacks over %d attempts, want 1 of 2", callbacks, attempts)
	}
	if at := callbackAt(); at != nil {
		t.Errorf("callback still pending at %v", at)
	}
}

// A callback does not use up one of the campaign's attempts: with two
// attempts, a first call and a callback that both go unanswered still
// leave the contact its redial.
func TestCallbackIsNotARedial(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 18, Mix: vapisim.Mix{NoAnswer: 1}}})
	asst := e.CreateAssistant("Callbacks")
	c := e.CreateCampaign(map[string]string{"name": "redials", "assistantId": asst, "maxAttempts": "2", "outcomeFields": "follow-up"},
		apitest.CSVHeader+apitest.Rows(0, 1))
	e.Control(c.CampaignID, "start")
	next := func() (*time.Time, int) {
		var at *time.Time
		var attempts int
		if err := e.DB.QueryRow(t.Context(), `select next_attempt_at, attempts from contacts where campaign_id = $1`, c.CampaignID).Scan(&at, &attempts); err != nil {
			t.Fatal(err)
		}
		return at, attempts
	}
	e.Eventually(30*time.Second, c.CampaignID, func() bool { at, _ := next(); return at != nil })
	// The person asked for a call back now (as a previous answer would
	// have set it): it is placed before the redial, and goes unanswered.
	e.Exec(t, `update contacts set callback_at = $2 where campaign_id = $1`, c.CampaignID, e.Clock.Now())
	e.Eventually(30*time.Second, c.CampaignID, func() bool { at, n := next(); return n == 2 && at != nil })
	var callbacks int
	if err := e.DB.QueryRow(t.Context(), `select count(*) from calls where campaign_id = $1 and callback`, c.CampaignID).Scan(&callbacks); err != nil || callbacks != 1 {
		t.Fatalf("%d callbacks (%v), want 1", callbacks, err)
	}
}

// An end-of-call report that never arrives does not lose the outcomes:
// the campaign waits for it instead of completing, and reconciliation's
// GET /call brings the values, the result and the callback (logged as
// reconcile's news).
func TestLostReportStillBringsOutcomes(t *testing.T) {
	t.Parallel()
	// start's first contact (apitest.Contacts).
	answers := vapisim.Answers{"+14155550000": {{"interested": true, "callback_at": "tomorrow 10:00"}}}
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 18, Mix: vapisim.Mix{Answered: 1}, Answers: answers,
		Faults: vapisim.Faults{ReportDrops: 1}}})
	id := start(t, e, map[string]string{"outcomeFields": "follow-up"}, 1)
	e.Eventually(30*time.Second, id, func() bool { return e.Sim.Stats().ReportsDropped == 1 })
	for range 5 {
		e.Tick(id)
	}
	if status(e, id)() {
		t.Fatal("completed before the answered call's outcomes came")
	}
	e.Clock.Advance(90 * time.Second)
	e.Tick("")
	var result, source string
	var callback *time.Time
	if err := e.DB.QueryRow(t.Context(), `select coalesce(k.result, ''), k.callback_at, coalesce(v.source, '')
		from contacts k left join call_events v on v.call_id = k.last_call_id and v.type = 'call.outcome'
		where k.campaign_id = $1`, id).Scan(&result, &callback, &source); err != nil {
		t.Fatal(err)
	}
	if result != "won" || callback == nil || source != "reconcile" {
		t.Errorf("after reconciliation: result %q callback %v event source %q", result, callback, source)
	}
}

// On the callback call the person (or the extraction) restates the time
// agreed ("today 10:00"), by then past: that is no new request, so the
// contact is not dialed again straight away, call after call.
func TestRestatedCallbackTimeIsNotDialedAgain(t *testing.T) {
	t.Parallel()
	restated := map[string]any{"interested": true, "callback_at": "today 10:00"}
	e, id := tokyoCampaign(t, []map[string]any{{"interested": true, "callback_at": "tomorrow 10:00"}, restated, restated, restated}, nil)
	reachCallback(t, e, id, 1)
	e.Eventually(30*time.Second, id, func() bool { return e.Summary(id).Status == "COMPLETED" })
	if n := len(e.Sim.Calls()); n != 2 {
		t.Errorf("%d calls, want the first and the one callback", n)
	}
}

// A person who asks for another callback on every callback call is
// called back at most fields.MaxCallbacks times, so a campaign cannot
// be kept open, and a number dialed, by callbacks alone.
func TestCallbacksPerContactAreCapped(t *testing.T) {
	t.Parallel()
	again := map[string]any{"interested": true, "callback_at": "tomorrow 10:00"}
	e, id := tokyoCampaign(t, []map[string]any{again, again, again, again}, nil)
	for calls := 1; calls <= fields.MaxCallbacks; calls++ {
		reachCallback(t, e, id, calls)
	}
	e.Eventually(30*time.Second, id, func() bool { return e.Summary(id).Status == "COMPLETED" })
	if n := e.Count(t, `select count(*) from calls where campaign_id = $1 and callback`, id); n != fields.MaxCallbacks {
		t.Errorf("%d callbacks, want %d", n, fields.MaxCallbacks)
	}
	if n := e.Count(t, `select count(*) from call_events where campaign_id = $1 and type = 'call.outcome'
		and (payload->>'callbackLimited')::boolean`, id); n != 1 {
		t.Errorf("%d outcome events say a callback asked for went over the limit, want 1", n)
	}
}

// A callback whose claim Vapi refuses with a 429 comes back as the
// callback, due at once, not as one of the campaign's redials.
func TestReleasedCallbackStaysACallback(t *testing.T) {
	t.Parallel()
	e, id := tokyoCampaign(t, []map[string]any{{"interested": true, "callback_at": "tomorrow 10:00"}, {"interested": true}}, nil)
	reachCallback(t, e, id, 1)
	e.Sim.SetFaults(vapisim.Faults{RateLimited: 1})
	e.Tick(id)
	if n := e.Count(t, `select count(*) from contacts where campaign_id = $1 and callback_at is not null and next_attempt_at is null`, id); n != 1 {
		t.Errorf("after the 429 the contact is not a pending callback")
	}
	e.Sim.SetFaults(vapisim.Faults{})
	e.Eventually(30*time.Second, id, func() bool { return e.Summary(id).Status == "COMPLETED" })
	if n := e.Count(t, `select count(*) from calls where campaign_id = $1 and callback`, id); n != 1 || len(e.Sim.Calls()) != 2 {
		t.Errorf("%d calls marked callback of %d, want the callback once", n, len(e.Sim.Calls()))
	}
}

// A callback call Vapi accepts but then refuses for the account (out of
// credits) comes back, once the campaign is resumed, as the callback:
// not as a redial, and without using up one of the contact's callbacks.
func TestRefusedCallbackStaysACallback(t *testing.T) {
	t.Parallel()
	e, id := tokyoCampaign(t, []map[string]any{{"interested": true, "callback_at": "tomorrow 10:00"}, {"interested": true}}, nil)
	reachCallback(t, e, id, 1)
	e.Sim.SetFaults(vapisim.Faults{OutOfCreditsAfter: 1})
	e.Eventually(30*time.Second, id, func() bool { return e.Summary(id).Status == "PAUSED" })
	if n := e.Count(t, `select count(*) from contacts where campaign_id = $1 and callback_at is not null and next_attempt_at is null`, id); n != 1 {
		t.Errorf("after the refusal the contact is not a pending callback")
	}
	e.Sim.SetFaults(vapisim.Faults{})
	e.Control(id, "resume")
	e.Eventually(30*time.Second, id, func() bool { return e.Summary(id).Status == "COMPLETED" })
	if n := e.Count(t, `select count(*) from calls where campaign_id = $1 and callback and not refused`, id); n != 1 {
		t.Errorf("%d callbacks placed after the refusal, want 1", n)
	}
}
