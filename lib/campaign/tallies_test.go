package campaign_test

import (
	"testing"

	"github.com/autolynx/autolynx/dev/campaigntest"
)

// A deleted campaign takes its tallies with it, though they hold no
// foreign key to it (one would lock the campaign row at every delta).
func TestDeletedCampaignTakesItsTallies(t *testing.T) {
	t.Parallel()
	f := setup(t)
	kept, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 2))
	gone, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 3))
	campaigntest.AddCall(t, f.Pool, gone, campaigntest.Phone(1), campaigntest.Call{Status: "ENDED", Cost: 0.25})
	if n := f.Count(t, `select count(*) from campaign_tallies where campaign_id = $1`, gone); n == 0 {
		t.Fatal("no tallies for the campaign before its deletion")
	}
	if _, err := f.Pool.Exec(f.Ctx, `delete from campaigns where id = $1`, gone); err != nil {
		t.Fatal(err)
	}
	if n := f.Count(t, `select count(*) from campaign_tallies where campaign_id = $1`, gone); n != 0 {
		t.Fatalf("%d tallies left of a deleted campaign", n)
	}
	if n := f.Count(t, `select coalesce(sum(n), 0) from campaign_tallies where campaign_id = $1`, kept); n != 2 {
		t.Fatalf("the other campaign's tallies count %d contacts, want 2", n)
	}
}
