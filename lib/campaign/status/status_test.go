package status_test

import (
	"slices"
	"testing"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/campaign/status"
	"github.com/autolynx/autolynx/lib/db"
)

// all is every campaign status, in the schema's order.
var all = []status.Status{status.Created, status.Queued, status.Dialing, status.Running, status.Paused,
	status.Stopped, status.Completed, status.Failed}

// The SQL lists say what Active and Final say, and what the schema says:
// the active list is campaigns_active_idx's predicate word for word (so
// the queries built from it can use the index) and what paused_from may
// hold, and the statuses are the ones the campaigns table accepts.
func TestStatusSetsAgree(t *testing.T) {
	t.Parallel()
	var active, final []status.Status
	for _, s := range all {
		if s.Active() {
			active = append(active, s)
		}
		if s.Final() {
			final = append(final, s)
		}
		if s.Active() && s.Final() {
			t.Errorf("%s is both active and final", s)
		}
	}
	if got, want := status.ActiveSQL, db.InList(active...); got != want {
		t.Errorf("ActiveSQL = %s, want %s", got, want)
	}
	if got, want := status.FinalSQL, db.InList(final...); got != want {
		t.Errorf("FinalSQL = %s, want %s", got, want)
	}
	if got, want := dbtest.IndexPredicate(t, "campaigns_active_idx"), "status in "+status.ActiveSQL; got != want {
		t.Errorf("campaigns_active_idx is where %s; queries say %s", got, want)
	}
	if got := dbtest.CheckList(t, "campaigns", "paused_from"); got != status.ActiveSQL {
		t.Errorf("campaigns.paused_from is checked against %s, want %s", got, status.ActiveSQL)
	}
	if got, want := dbtest.CheckList(t, "campaigns", "status"), db.InList(all...); got != want {
		t.Errorf("campaigns.status is checked against %s, want %s", got, want)
	}
	if got, want := dbtest.StatusLists(t, "complete_if_done"), []string{status.ActiveSQL}; !slices.Equal(got, want) {
		t.Errorf("complete_if_done checks statuses against %v, want %v", got, want)
	}
}
