package scheduler_test

import (
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
)

// H1 (and audit B8): with a Vapi credential configured, a call names it
// and carries no secret (Vapi echoes a call's overrides in its dashboard,
// in GET /call and in every message); the messages still authenticate,
// by the credential's Bearer token, and the campaign completes.
func TestH1CallsUseTheCredential(t *testing.T) {
	t.Parallel()
	const cred = "5d7f8a1c-3b2e-4c6d-9e0f-1a2b3c4d5e6f"
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 9,
		Credentials: map[string]string{cred: apitest.WebhookSecret}}})
	e.Deps.Config.VapiServerCredentialID = cred
	id := start(t, e, map[string]string{"cap": "3"}, 6)
	e.Eventually(60*time.Second, id, status(e, id))
	calls := e.Sim.Calls()
	if len(calls) != 6 {
		t.Fatalf("simulator placed %d calls, want 6", len(calls))
	}
	for _, c := range calls {
		srv := c.AssistantOverrides.Server
		if srv == nil || srv.CredentialID != cred || len(srv.Headers) != 0 {
			t.Errorf("call %s: server %+v, want the credential and no headers", c.ID, srv)
		}
	}
	if n := e.Sim.Stats().WebhooksSent; n == 0 {
		t.Errorf("no webhook was accepted")
	}
}
