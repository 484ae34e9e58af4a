package scheduler

import (
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/dbtest"
)

// The reconciliation's sweeps for calls still live read them through
// calls_live_idx (where live): no index names a call's status any more
// (HOT updates), so a query that asks for a status alone scans calls.
func TestLiveCallSweepsUseTheLiveIndex(t *testing.T) {
	t.Parallel()
	pool := dbtest.Pool(t)
	now := time.Now()
	for name, sql := range map[string]string{"ambiguousCalls": ambiguousCalls, "silentCalls": silentCalls} {
		if plan := dbtest.Plan(t, pool, sql, now, nil, 10); !strings.Contains(plan, "calls_live_idx") {
			t.Errorf("%s does not read calls_live_idx:\n%s", name, plan)
		}
	}
}
