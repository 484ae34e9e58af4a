package scheduler_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
)

// A whole campaign's logs (requests, ticks, webhooks, faults) never carry
// a contact's phone number or name.
func TestLogsCarryNoContactData(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 11, Faults: vapisim.Faults{RateLimited: 0.2, SilentCreates: 0.1}}})
	id := start(t, e, map[string]string{"cap": "4"}, 15)
	e.Eventually(60*time.Second, id, func() bool {
		e.Clock.Advance(time.Minute)
		return status(e, id)()
	})
	logs := e.LogBuf.String()
	if !strings.Contains(logs, `"route"`) {
		t.Fatal("no request logs captured")
	}
	for i := range 15 {
		for _, leak := range []string{fmt.Sprintf("415555%04d", i), fmt.Sprintf("Person %d,", i), fmt.Sprintf("Person %d\"", i)} {
			if strings.Contains(logs, leak) {
				t.Errorf("logs contain %q", leak)
			}
		}
	}
}
