package callstate_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/callstate"
)

// words reads an SQL list back: ('A', 'B') is [A B].
func words(t *testing.T, list string) []string {
	t.Helper()
	if !strings.HasPrefix(list, "('") || !strings.HasSuffix(list, "')") {
		t.Fatalf("%q is not an SQL list", list)
	}
	return strings.Split(list[2:len(list)-2], "', '")
}

// The SQL lists say what the Go predicates say, and what the schema
// says: calls.live and calls.finished_at are computed from them (and
// calls_live_idx is where live, as queries say), and the statuses are
// the ones the calls table accepts.
func TestStatusSetsAgree(t *testing.T) {
	t.Parallel()
	all := callstate.Statuses()
	var live, final, launched []string
	for _, s := range all {
		switch {
		case callstate.Live(s):
			live = append(live, s)
			if s != callstate.Pending {
				launched = append(launched, s)
			}
		case callstate.Terminal(s):
			final = append(final, s)
		default:
			t.Errorf("%s is neither live nor final", s)
		}
	}
	for _, c := range []struct {
		name, sql string
		want      []string
	}{{"LiveSQL", callstate.LiveSQL, live}, {"LaunchedSQL", callstate.LaunchedSQL, launched}, {"FinalSQL", callstate.FinalSQL, final}} {
		if got := words(t, c.sql); !slices.Equal(got, c.want) {
			t.Errorf("%s lists %v, want %v", c.name, got, c.want)
		}
	}
	if got, want := dbtest.GeneratedAs(t, "live"), "status in "+callstate.LiveSQL; got != want {
		t.Errorf("calls.live is %s, want %s", got, want)
	}
	if got, want := dbtest.GeneratedAs(t, "finished_at"), "case when status in "+callstate.FinalSQL+" then coalesce(ended_at, last_event_at) end"; got != want {
		t.Errorf("calls.finished_at is %s, want %s", got, want)
	}
	if got := dbtest.IndexPredicate(t, "calls_live_idx"); got != "live" {
		t.Errorf("calls_live_idx is where %s; queries say live", got)
	}
	// The check as the database holds it (migration 20261207800500 made
	// its list one array constant).
	var check string
	if err := dbtest.Pool(t).QueryRow(context.Background(), `select pg_get_constraintdef(oid) from pg_constraint
		where conrelid = 'public.calls'::regclass and conname = 'calls_status_check'`).Scan(&check); err != nil {
		t.Fatal(err)
	}
	if want := "CHECK ((status = ANY ('{" + strings.Join(all, ",") + "}'::text[])))"; check != want {
		t.Errorf("calls.status is checked by %s, want %s", check, want)
	}
	for _, f := range []string{"schedule_retry", "observe_call", "record_call_news"} {
		if got, want := dbtest.StatusLists(t, f), []string{callstate.FinalSQL}; !slices.Equal(got, want) {
			t.Errorf("%s checks statuses against %v, want %v", f, got, want)
		}
	}
}
