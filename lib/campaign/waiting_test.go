package campaign_test

import (
	"testing"
	"time"

	"github.com/autolynx/autolynx/lib/campaign"
)

// TestWaitingExplained: a running campaign with nothing live says why in
// words — redials waiting for their delay, contacts outside their calling
// hours — and when the next call can happen; the list says the same.
func TestWaitingExplained(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id, _ := f.Create(t, "name,business_name,phone,timezone\n"+
		"Ann,Acme,+12122000001,\n"+ // New York, by the number
		"Bob,Bobco,+12122000002,\n"+
		"Cy,Cyco,+12122000003,America/Los_Angeles\n") // the column wins
	f.SetStatus(t, id, campaign.Running, nil)
	// Wednesday 15:30 UTC: 10:30 in New York, 07:30 in Los Angeles.
	now := time.Date(2026, 12, 2, 15, 30, 0, 0, time.UTC)
	_, err := f.Pool.Exec(f.Ctx, `
		with k as (select id, campaign_id, position from contacts where campaign_id = $1 and name in ('Ann', 'Bob')),
		c as (insert into calls (campaign_id, contact_id, status, ended_reason, disposition, phone_number_id)
		      select campaign_id, id, 'ENDED', 'customer-did-not-answer', 'no-answer', 'p' from k returning id, contact_id)
		update contacts set last_call_id = c.id, attempts = 1,
		  next_attempt_at = $2::timestamptz + case when contacts.name = 'Ann' then interval '30 minutes' else interval '1 hour' end
		from c where contacts.id = c.contact_id`, id, now)
	if err != nil {
		t.Fatal(err)
	}
	s, err := campaign.Get(f.Ctx, f.Pool, id, now)
	if err != nil {
		t.Fatal(err)
	}
	w := s.Waiting
	if w == nil {
		t.Fatal("no waiting explanation")
	}
	want := "Nothing is dialing: 2 redials due from 16:00 UTC; 1 contact outside their calling hours until 09:00 in Los Angeles."
	if w.Message != want {
		t.Errorf("message = %q\nwant      %q", w.Message, want)
	}
	due := now.Add(30 * time.Minute)
	opens := time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)
	if w.Redials != 2 || !w.RedialsFrom.Equal(due) || w.OutsideHours != 1 || !w.OpensAt.Equal(opens) ||
		w.OpensZone != "America/Los_Angeles" || w.OpensLocal != "09:00" || w.DueNow != 0 {
		t.Errorf("waiting = %+v", w)
	}
	if !w.NextCallAt.Equal(due) || !s.NextEligibleAt.Equal(due) {
		t.Errorf("next call at %v, next eligible %v; want %v", w.NextCallAt, s.NextEligibleAt, due)
	}
	list, err := campaign.List(f.Ctx, f.Pool, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Waiting == nil || list[0].Waiting.Message != want {
		t.Errorf("list = %+v", list)
	}
	// Once the redials are due and New York is open, they are due now.
	later := now.Add(time.Hour + 20*time.Second) // mid-minute: open now, not from the next minute
	if s, err = campaign.Get(f.Ctx, f.Pool, id, later); err != nil {
		t.Fatal(err)
	}
	if w := s.Waiting; w.DueNow != 2 || w.OutsideHours != 1 || w.Redials != 0 || s.NextEligibleAt != nil ||
		w.Message != "Nothing is dialing: 2 contacts can be called now: the next tick dials them; 1 contact outside their calling hours until 09:00 in Los Angeles." {
		t.Errorf("an hour later: %+v, next eligible %v", w, s.NextEligibleAt)
	}
}
