package testcall

import (
	"testing"
	"time"
)

// A test call is asked about until its report is in: Vapi's call object
// says "ended" before its cost and artifacts are on it, and a call left
// at that first answer would never show them.
func TestSettledWaitsForTheReport(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	ended := now.Add(-time.Minute)
	long := now.Add(-ReportWait - time.Second)
	cost := 0.12
	for _, c := range []struct {
		name string
		call TestCall
		want bool
	}{
		{"live", TestCall{Status: "IN_PROGRESS"}, false},
		{"ended, report to come", TestCall{Status: "ENDED", EndedAt: &ended}, false},
		{"ended with its report", TestCall{Status: "ENDED", EndedAt: &ended, Cost: &cost}, true},
		{"ended, report overdue", TestCall{Status: "ENDED", EndedAt: &long}, true},
		{"failed before it started", TestCall{Status: "FAILED"}, true},
	} {
		if got := c.call.settled(now); got != c.want {
			t.Errorf("%s: settled = %v, want %v", c.name, got, c.want)
		}
	}
}
