package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/lib/ops"
)

type healthBody struct {
	Status string        `json:"status"`
	Cron   *ops.Cron     `json:"cron"`
	Hooks  *ops.Webhooks `json:"webhooks"`
	Vapi   *ops.Vapi     `json:"vapi"`
}

// Liveness is for admins and the cron secret; a stale cron shows as
// "stale" under a 200 (load balancers must not flap on it).
func TestHealthShowsHeartbeatToAdminsOnly(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	get := func(token string) (int, healthBody) {
		t.Helper()
		var h healthBody
		st := e.JSON(http.MethodGet, "/api/health", token, nil, &h)
		return st, h
	}
	for name, token := range map[string]string{"anonymous": "", "operator": e.Operator, "forged": "not-a-token"} {
		if st, h := get(token); st != http.StatusOK || h.Cron != nil || h.Hooks != nil || h.Vapi != nil {
			t.Errorf("%s: %d %+v, want the public answer", name, st, h)
		}
	}
	if _, h := get(e.Admin); h.Cron == nil || h.Cron.Status != "never" || h.Vapi.Status != ops.VapiUnknown {
		t.Fatalf("admin before any tick: %+v", h)
	}
	if err := ops.Beat(context.Background(), e.DB, e.Clock.Now(), ops.VapiOK); err != nil {
		t.Fatal(err)
	}
	if _, h := get(apitest.CronSecret); h.Cron == nil || h.Cron.Status != "ok" || h.Vapi.Status != ops.VapiOK || h.Hooks.Status != "idle" {
		t.Fatalf("cron secret after a tick: %+v", h)
	}
	e.Clock.Advance(3*time.Minute + time.Second)
	if st, h := get(e.Admin); st != http.StatusOK || h.Status != "ok" || h.Cron.Status != "stale" {
		t.Fatalf("3 cadences later: %d %+v, want 200 with cron stale", st, h.Cron)
	}
}
