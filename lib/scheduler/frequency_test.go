package scheduler_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
)

// TestFrequencyCapAcrossCampaigns: one number sits in two campaigns and
// was called twice this week by a third, so the default cap (3 attempts
// in 7 days) leaves it one attempt. Ticks of both campaigns run at the
// same time, twice over: the number gets exactly one call, the other
// campaign's contact is held back, counted and explained, and it is
// called once the older attempt leaves the 7 days, not lost.
func TestFrequencyCapAcrossCampaigns(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 50, Mix: vapisim.Mix{Answered: 1}}})
	asst := e.CreateAssistant("Cap")
	shared := apitest.Phone(1)
	fields := func(name string) map[string]string { return map[string]string{"name": name, "assistantId": asst} }
	old := e.CreateCampaign(fields("last week"), "name,business_name,phone\nSam,Shared,"+shared+"\n")
	now := e.Clock.Now()
	first := now.Add(-7*24*time.Hour + time.Hour) // leaves the 7 days in an hour
	e.Exec(t, `
		with k as (select id, campaign_id from contacts where campaign_id = $1),
		c as (insert into calls (campaign_id, contact_id, attempt, status, phone_number_id, ended_reason, disposition, dial_requested_at)
		      select k.campaign_id, k.id, a, 'ENDED', 'test-phone-number', 'customer-did-not-answer', 'no-answer',
		        $2::timestamptz + (a - 1) * interval '1 day'
		      from k, generate_series(1, 2) a returning id, contact_id, attempt)
		update contacts set last_call_id = c.id, attempts = 2 from c where contacts.id = c.contact_id and c.attempt = 2`,
		old.CampaignID, first)
	e.Exec(t, `update campaigns set status = 'COMPLETED' where id = $1`, old.CampaignID)

	a := e.CreateCampaign(fields("A"), "name,business_name,phone\nAnn,Shared,"+shared+"\nBea,Bco,"+apitest.Phone(2)+"\n")
	b := e.CreateCampaign(fields("B"), "name,business_name,phone\nCy,Shared,"+shared+"\nDee,Dco,"+apitest.Phone(3)+"\n")
	e.Control(a.CampaignID, "start")
	e.Control(b.CampaignID, "start")
	for range 2 {
		var wg sync.WaitGroup
		for _, id := range []string{a.CampaignID, b.CampaignID, "", ""} {
			wg.Go(func() { e.Tick(id) })
		}
		wg.Wait()
	}
	toShared := `select count(*) from calls l join contacts k on k.id = l.contact_id
		where k.phone = $1 and k.campaign_id <> $2`
	if n := e.Count(t, toShared, shared, old.CampaignID); n != 1 {
		t.Fatalf("the capped number got %d calls from the two campaigns, want 1 (3 in 7 days, 2 already made)", n)
	}
	if n := e.Count(t, `select count(*) from calls where campaign_id in ($1, $2)`, a.CampaignID, b.CampaignID); n != 3 {
		t.Errorf("%d calls placed, want 3 (the other numbers are not capped)", n)
	}
	// The calls end (the simulator's webhooks); the campaign whose contact
	// is held back waits, saying why and until when.
	e.Clock.Advance(10 * time.Minute)
	var heldIn string
	e.Eventually(30*time.Second, "", func() bool {
		heldIn = ""
		for _, id := range []string{a.CampaignID, b.CampaignID} {
			if s := e.Summary(id); s.Metrics.HeldBack == 1 && s.Waiting != nil && s.Waiting.HeldBack == 1 {
				heldIn = id
			}
		}
		return heldIn != ""
	})
	s := e.Summary(heldIn)
	until := first.Add(7 * 24 * time.Hour).Truncate(time.Microsecond)
	if w := s.Waiting; w.HeldUntil == nil || !w.HeldUntil.Equal(until) || w.DueNow != 0 || s.Status == "COMPLETED" {
		t.Errorf("held campaign: status %s, waiting %+v; want held until %v", s.Status, w, until)
	}
	if want := "1 contact held back by the frequency cap"; !strings.Contains(s.Waiting.Message, want) {
		t.Errorf("message %q does not say %q", s.Waiting.Message, want)
	}
	// An hour later the oldest attempt left the 7 days: the held contact
	// is called.
	e.Clock.Advance(time.Hour)
	e.Eventually(30*time.Second, heldIn, func() bool { return e.Count(t, toShared, shared, old.CampaignID) == 2 })
	e.Eventually(30*time.Second, heldIn, func() bool { return e.Summary(heldIn).Status == "COMPLETED" })
}

// TestFrequencyCapSetByAdmins: the cap is the admins' setting: at one
// attempt in 7 days the second campaign's contact waits; at 0 (no cap)
// it is called.
func TestFrequencyCapSetByAdmins(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 51, Mix: vapisim.Mix{Answered: 1}}})
	patch := func(body string) {
		t.Helper()
		var s map[string]any
		if st := e.JSON(http.MethodPatch, "/api/admin/config", e.Admin, json.RawMessage(body), &s); st != http.StatusOK {
			t.Fatalf("PATCH config %s: %d", body, st)
		}
	}
	patch(`{"frequencyCapAttempts": 1, "frequencyCapDays": 7}`)
	asst := e.CreateAssistant("Cap")
	shared := apitest.Phone(1)
	first := e.CreateCampaign(map[string]string{"name": "first", "assistantId": asst}, "name,phone\nAnn,"+shared+"\n").CampaignID
	second := e.CreateCampaign(map[string]string{"name": "second", "assistantId": asst}, "name,phone\nAnn,"+shared+"\n").CampaignID
	e.Control(first, "start")
	e.Eventually(20*time.Second, first, func() bool { return e.Summary(first).Status == "COMPLETED" })
	e.Control(second, "start")
	e.Tick(second)
	if s := e.Summary(second); s.Metrics.HeldBack != 1 || len(e.Sim.Calls()) != 1 {
		t.Fatalf("at 1 attempt in 7 days: held back %d, %d calls", s.Metrics.HeldBack, len(e.Sim.Calls()))
	}
	patch(`{"frequencyCapAttempts": 0}`)
	e.Eventually(20*time.Second, second, func() bool { return e.Summary(second).Status == "COMPLETED" })
	if n := len(e.Sim.Calls()); n != 2 {
		t.Errorf("%d calls with no cap, want 2", n)
	}
}

// TestFrequencyCapHeldContactFinishesBatch: in strict batch mode a
// contact held back by the cap does not keep its batch unfinished (the
// cap may hold it for days): the later batches are dialed meanwhile, and
// the held contact is not.
func TestFrequencyCapHeldContactFinishesBatch(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 52, Mix: vapisim.Mix{Answered: 1}}})
	asst := e.CreateAssistant("Cap")
	shared := apitest.Phone(1)
	capFilled(t, e, asst, shared, e.Clock.Now().Add(-24*time.Hour))
	b := e.CreateCampaign(map[string]string{"name": "B", "assistantId": asst, "mode": "batch", "cap": "1"},
		"name,phone\nAnn,"+shared+"\nBob,"+apitest.Phone(2)+"\nCy,"+apitest.Phone(3)+"\n").CampaignID
	e.Control(b, "start")
	calls := `select count(*) from calls where campaign_id = $1`
	e.Eventually(30*time.Second, b, func() bool { return e.Count(t, calls, b) == 2 })
	if n := e.Count(t, calls+` and contact_id in (select id from contacts where phone = $2)`, b, shared); n != 0 {
		t.Errorf("the held contact got %d calls", n)
	}
	if s := e.Summary(b); s.Waiting != nil && s.Waiting.DueNow != 0 {
		t.Errorf("waiting %+v, want no contact due now", s.Waiting)
	}
}

// TestFrequencyCapHeldContactWaitsForItsNumber: a contact held back by
// the cap is marked with the time its number frees and not checked again
// before then (each check would cost a probe per held contact on every
// tick, under the account lock); once that time comes it is called.
func TestFrequencyCapHeldContactWaitsForItsNumber(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 53, Mix: vapisim.Mix{Answered: 1}}})
	asst := e.CreateAssistant("Cap")
	shared := apitest.Phone(1)
	first := e.Clock.Now().Add(-7*24*time.Hour + time.Hour) // the third newest leaves the 7 days in an hour
	old := capFilled(t, e, asst, shared, first)
	b := e.CreateCampaign(map[string]string{"name": "B", "assistantId": asst}, "name,phone\nAnn,"+shared+"\nBob,"+apitest.Phone(2)+"\n").CampaignID
	e.Control(b, "start")
	e.Tick(b)
	var until *time.Time
	if err := e.DB.QueryRow(t.Context(), `select held_until from contacts where campaign_id = $1 and phone = $2`, b, shared).Scan(&until); err != nil {
		t.Fatal(err)
	}
	if want := first.Add(7 * 24 * time.Hour).Truncate(time.Microsecond); until == nil || !until.Equal(want) {
		t.Fatalf("held_until = %v, want %v (when the number frees)", until, want)
	}
	// A check now would find the number free: the mark keeps it unchecked.
	e.Exec(t, `update calls set dial_requested_at = dial_requested_at - interval '30 days' where campaign_id = $1`, old)
	toShared := `select count(*) from calls l join contacts k on k.id = l.contact_id where k.campaign_id = $1 and k.phone = $2`
	e.Tick(b)
	if n := e.Count(t, toShared, b, shared); n != 0 {
		t.Fatalf("the held contact was checked again before its number freed: %d calls", n)
	}
	e.Clock.Advance(time.Hour)
	e.Eventually(30*time.Second, b, func() bool { return e.Count(t, toShared, b, shared) == 1 })
}

// capFilled makes a completed campaign whose contact at phone had the
// default cap's 3 attempts, a minute apart from first on, and returns its
// id.
func capFilled(t *testing.T, e *apitest.Env, asst, phone string, first time.Time) string {
	t.Helper()
	old := e.CreateCampaign(map[string]string{"name": "old", "assistantId": asst}, "name,phone\nSam,"+phone+"\n").CampaignID
	e.Exec(t, `insert into calls (campaign_id, contact_id, attempt, status, phone_number_id, ended_reason, disposition, dial_requested_at)
		select k.campaign_id, k.id, x, 'ENDED', 'test-phone-number', 'customer-did-not-answer', 'no-answer', $2::timestamptz + (x - 1) * interval '1 minute'
		from contacts k, generate_series(1, 3) x where k.campaign_id = $1`, old, first)
	e.Exec(t, `update campaigns set status = 'COMPLETED' where id = $1`, old)
	return old
}
