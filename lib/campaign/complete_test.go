package campaign_test

import (
	"testing"

	"github.com/autolynx/autolynx/dev/campaigntest"
)

// Whether any call of a campaign is live is read from calls_live_idx,
// even when the statistics still say every call of the campaign is live
// (as after its first calls were analyzed together): a sequential scan
// picked for that reads past every call that has ended since, at every
// call's end.
func TestCompletionProbeReadsOnlyLiveCalls(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 2000))
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := f.Pool.Exec(f.Ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`update campaigns set status = 'RUNNING' where id = $1`, id)
	exec(`with ins as (
	        insert into calls (campaign_id, contact_id, status, phone_number_id)
	        select campaign_id, id, 'QUEUED', 'p' from contacts where campaign_id = $1
	        returning id, contact_id)
	      update contacts k set last_call_id = ins.id, attempts = 1 from ins where k.id = ins.contact_id`, id)
	exec(`analyze calls`)
	exec(`update calls set status = 'ENDED', ended_reason = 'customer-ended-call', disposition = 'answered'
	      where campaign_id = $1 and contact_id <> (select id from contacts where campaign_id = $1 and position = 1999)`, id)

	tx, err := f.Pool.Begin(f.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(f.Ctx) }()
	// Counted before and after: the view also holds counts of earlier
	// transactions on this connection not yet reported.
	seqScans := func() int {
		var n int
		if err := tx.QueryRow(f.Ctx, `select seq_scan from pg_stat_xact_user_tables where relid = 'public.calls'::regclass`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := seqScans()
	var completed bool
	if err := tx.QueryRow(f.Ctx, `select public.complete_if_done($1, now())`, id).Scan(&completed); err != nil {
		t.Fatal(err)
	}
	if n := seqScans() - before; completed || n != 0 {
		t.Errorf("complete_if_done: completed %v after %d sequential scans of calls; want not completed (one call is live), none", completed, n)
	}
}
