package campaign_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/dev/campaigntest"
	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/outcome"
)

// Outcomes are read from answered calls only: Vapi runs structured
// outputs on a voicemail greeting's or a call screener's transcript too,
// and a rule must not make a contact "lost" from a greeting.
func TestOutcomesOnlyFromAnsweredCalls(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id := f.followUp(t, 3)
	endings := map[string]campaigntest.Call{
		campaigntest.Phone(0): {Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "answered"},
		campaigntest.Phone(1): {Status: "ENDED", EndedReason: "voicemail", Disposition: "voicemail"},
		campaigntest.Phone(2): {Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "screened"},
	}
	said := json.RawMessage(`{"a1":{"name":"` + outcome.OutputName + `","result":{"interested":false}}}`)
	for phone, c := range endings {
		campaigntest.AddCall(t, f.Pool, id, phone, c)
		err := db.InTx(f.Ctx, f.Pool, func(tx pgx.Tx) error {
			var call uuid.UUID
			if err := tx.QueryRow(f.Ctx, `select last_call_id from contacts where campaign_id = $1 and phone = $2`, id, phone).Scan(&call); err != nil {
				return err
			}
			recorded, err := campaign.RecordOutcomes(f.Ctx, tx, call, callstate.Observation{StructuredData: said}, time.Now())
			if recorded != (c.Disposition == "answered") {
				t.Errorf("%s call: outcomes recorded %v", c.Disposition, recorded)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.Count(t, `select count(*) from contacts where campaign_id = $1 and result is not null`, id); n != 1 {
		t.Errorf("%d contacts with a result, want only the answered one", n)
	}
}

// A later answered call whose extraction found nothing ({}) does not hide
// what an earlier call recorded: the contact's values, its filters and
// the charts' counts are those of its latest call that has any.
func TestEmptyLaterOutcomesKeepEarlierValues(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id := f.followUp(t, 1)
	answered := campaigntest.Call{Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "answered"}
	for _, vals := range []string{`{"interested": true}`, `{}`} {
		campaigntest.AddCall(t, f.Pool, id, campaigntest.Phone(0), answered)
		if _, err := f.Pool.Exec(f.Ctx, `update calls set outcomes = $2::jsonb
			where id = (select last_call_id from contacts where campaign_id = $1)`, id, vals); err != nil {
			t.Fatal(err)
		}
	}
	cs, _ := f.contacts(t, id, campaign.ContactFilter{Page: 1, Limit: 10, Outcomes: map[string]any{"interested": true}})
	if len(cs) != 1 {
		t.Fatalf("%d contacts found interested, want 1", len(cs))
	}
	if string(cs[0].Outcomes) != `{"interested": true}` {
		t.Errorf("the contact's values %s, want the first call's", cs[0].Outcomes)
	}
	s, err := campaign.Get(f.Ctx, f.Pool, id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if c := s.Outcomes.Counts["interested"]; c.Given != 1 || c.Values["true"] != 1 {
		t.Errorf("interested counted %+v, want given once, yes", c)
	}
}

// A finished campaign dials nothing more, so a callback still on one of
// its contacts (a stop, or a report that came after completion) is not
// listed among its next calls.
func TestFinishedCampaignListsNoNextCalls(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id := f.followUp(t, 1)
	if _, err := f.Pool.Exec(f.Ctx, `update contacts set callback_at = now() + interval '1 day' where campaign_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	for _, st := range []campaign.Status{campaign.Running, campaign.Stopped} {
		f.SetStatus(t, id, st, nil)
		s, err := campaign.Get(f.Ctx, f.Pool, id, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if want := st == campaign.Running; (s.Outcomes.Callbacks.Pending == 1) != want {
			t.Errorf("%s: %d callbacks listed", st, s.Outcomes.Callbacks.Pending)
		}
	}
}

// followUp makes a campaign of n contacts with the follow-up template's
// outcome fields and rules.
func (f fixture) followUp(t *testing.T, n int) uuid.UUID {
	t.Helper()
	id, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, n))
	plan, err := outcome.Parse("follow-up", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := outcome.Save(f.Ctx, f.Pool, id, plan); err != nil {
		t.Fatal(err)
	}
	return id
}
