package ops

import (
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/dbtest"
)

// The liveness check counts live calls through calls_live_idx (where
// live): no index names a call's status any more (HOT updates), so a
// count by status alone would scan every call at every health check.
func TestLivenessReadsLiveCallsByTheLiveIndex(t *testing.T) {
	t.Parallel()
	pool := dbtest.Pool(t)
	plan := dbtest.Plan(t, pool, livenessReads, 100000, time.Now())
	if n := strings.Count(plan, "calls_live_idx"); n != 2 {
		t.Errorf("calls_live_idx read %d times, want 2 (both live-call counts):\n%s", n, plan)
	}
}
