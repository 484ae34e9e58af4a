package scheduler_test

import (
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
)

// The bar: 1,000 contacts, cap 8, under the simulator's fault
// mode (429s, 500s, lost answers, dropped/duplicated/reordered webhooks)
// runs to COMPLETED with zero double dials, peak concurrency within the
// cap, and an outcome for every contact.
func TestThousandContactsUnderFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("long run")
	}
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 30, Scale: 0.0005, Faults: vapisim.Faults{
		RateLimited: 0.1, ServerErrors: 0.1, SilentCreates: 0.03, DroppedAnswers: 0.02, RetryAfter: time.Second,
		WebhookDrops: 0.1, WebhookDuplicates: 0.2, WebhookCopies: 3, WebhookReorders: 0.2,
	}}})
	const n = 1000
	id := start(t, e, map[string]string{"cap": "8"}, n)
	e.Eventually(240*time.Second, id, func() bool {
		e.Clock.Advance(20 * time.Second) // lets silent and ambiguous calls be settled
		return status(e, id)()
	})
	if peak := e.Sim.Stats().PeakLive; peak > 8 {
		t.Errorf("peak concurrency %d, cap 8", peak)
	}
	assertExactlyOnce(t, e, id, n)
	st := e.Sim.Stats()
	t.Logf("simulator: %d created, peak %d, 429s %d, 500s %d, lost answers %d, webhooks dropped %d",
		st.CallsCreated, st.PeakLive, st.RateLimited, st.ServerErrors, st.AmbiguousCreates, st.WebhooksDropped)
}
