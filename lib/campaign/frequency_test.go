package campaign_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/campaigntest"
	"github.com/autolynx/autolynx/lib/campaign"
)

// TestHeldBackPlansAgree: the two ways of finding a campaign's contacts
// held back by the frequency cap (probing each number, for small
// campaigns; listing the numbers at the cap, for large ones) count the
// same contacts with the same release time, whichever campaign made the
// attempts, leaving out attempts Vapi refused and those before the
// window.
func TestHeldBackPlansAgree(t *testing.T) {
	t.Parallel()
	f := setup(t)
	now := time.Date(2026, 12, 2, 15, 30, 0, 0, time.UTC) // Wednesday, 10:30 in New York
	held, split, refused, old, fresh := campaigntest.Phone(1), campaigntest.Phone(2), campaigntest.Phone(3), campaigntest.Phone(4), campaigntest.Phone(5)
	other, _ := f.Create(t, campaigntest.Header+"A,a,"+held+",x\nB,b,"+split+",x\nC,c,"+refused+",x\nD,d,"+old+",x\n")
	second, _ := f.Create(t, campaigntest.Header+"B,b,"+split+",x\n")
	id, _ := f.Create(t, campaigntest.Header+"A,a,"+held+",x\nB,b,"+split+",x\nC,c,"+refused+",x\nD,d,"+old+",x\nE,e,"+fresh+",x\n")
	f.SetStatus(t, id, campaign.Running, nil)
	// Three attempts each: held (all recent, in one campaign), split (two
	// in one campaign, one in another), refused (one of the three refused
	// by Vapi for the account), old (one before the 7 days).
	_, err := f.Pool.Exec(f.Ctx, `
		insert into calls (campaign_id, contact_id, attempt, status, phone_number_id, dial_requested_at, refused)
		select k.campaign_id, k.id, a, 'ENDED', 'p', $3::timestamptz - make_interval(hours => a * 10 +
		         case when k.phone = $5 and a = 1 then 24 * 8 else 0 end),
		       k.phone = $4 and a = 1
		from contacts k cross join generate_series(1, 3) a
		where k.campaign_id = $1 and k.phone <> $6 and not (k.phone = $7 and a = 3)
		union all
		select k.campaign_id, k.id, 1, 'ENDED', 'p', $3::timestamptz - interval '5 hours', false
		from contacts k where k.campaign_id = $2`,
		other, second, now, refused, old, fresh, split)
	if err != nil {
		t.Fatal(err)
	}
	probe, err := campaign.WaitingByPlan(f.Ctx, f.Pool, id, now, true)
	if err != nil {
		t.Fatal(err)
	}
	listed, err := campaign.WaitingByPlan(f.Ctx, f.Pool, id, now, false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(probe, listed) {
		t.Errorf("the plans disagree:\nprobe  %+v\nlisted %+v", probe, listed)
	}
	// Held: A (3 recent) and B (2 + 1 in another campaign); the first to
	// be free is A's, whose third newest attempt was 30 hours ago.
	want := now.Add(-30 * time.Hour).Add(7 * 24 * time.Hour)
	if probe.HeldBack != 2 || probe.DueNow != 3 || probe.HeldUntil == nil || !probe.HeldUntil.Equal(want) {
		t.Errorf("waiting = %+v; want 2 held until %v, 3 due now", probe, want)
	}
}
