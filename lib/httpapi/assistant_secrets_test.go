package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/lib/vapi"
)

// secretsOf are the values an import of customerAssistant or of one of our
// own assistants must never store or show.
var secretsOf = []string{apitest.WebhookSecret, "tool-secret-123", "sk-customer-key-456", "customer-hook-secret-789"}

// H1: re-importing one of our own assistants (deleted from the directory,
// kept at Vapi) or importing a customer's stores no webhook secret, header,
// credential or Vapi read-only field, and no answer shows one.
func TestH1ImportStoresNoSecret(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	ctx := context.Background()
	var ours assistantJSON
	if st := e.JSON("POST", "/api/assistants", e.Admin, map[string]any{"name": "Sales", "config": map[string]any{"firstMessage": "Hi"}}, &ours); st != http.StatusCreated {
		t.Fatalf("create: %d", st)
	}
	if st := e.JSON("DELETE", "/api/assistants/"+ours.ID, e.Admin, nil, nil); st != http.StatusNoContent {
		t.Fatalf("delete: %d", st)
	}
	theirs, err := vapiClient(e).CreateAssistant(ctx, json.RawMessage(customerAssistant))
	if err != nil {
		t.Fatal(err)
	}
	for _, pid := range []string{ours.ProviderAssistantID, theirs.ID} {
		if st := e.JSON("POST", "/api/assistants/import", e.Admin, map[string]any{"providerAssistantId": pid}, nil); st != http.StatusCreated {
			t.Fatalf("import %s: %d", pid, st)
		}
	}
	rows, err := e.DB.Query(ctx, `select config::text from assistants where source = 'imported'`)
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		stored = append(stored, s)
	}
	if len(stored) != 2 {
		t.Fatalf("%d imported rows", len(stored))
	}
	resp := e.Do("GET", "/api/assistants", e.Admin, "", nil)
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, text := range append(stored, string(answer)) {
		for _, s := range secretsOf {
			if strings.Contains(text, s) {
				t.Errorf("secret %q readable in %s", s, text)
			}
		}
		for _, k := range []string{`"headers"`, `"credentials"`, `"orgId"`, `"isServerUrlSecretSet"`, `"apiKey"`} {
			if strings.Contains(text, k) {
				t.Errorf("%s kept in %s", k, text)
			}
		}
	}
	for _, cfg := range stored {
		var top map[string]any
		_ = json.Unmarshal([]byte(cfg), &top)
		for _, k := range []string{"id", "orgId", "createdAt", "updatedAt", "latestVersion"} {
			if _, ok := top[k]; ok {
				t.Errorf("read-only %s stored: %s", k, cfg)
			}
		}
	}
}

// H1: an operator reads only an explicit list of an assistant's fields;
// admins read the (scrubbed) configuration they edit.
func TestH1OperatorReadsOnlyDisplayFields(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	made, err := vapiClient(e).CreateAssistant(context.Background(), json.RawMessage(customerAssistant))
	if err != nil {
		t.Fatal(err)
	}
	var a assistantJSON
	if st := e.JSON("POST", "/api/assistants/import", e.Admin, map[string]any{"providerAssistantId": made.ID}, &a); st != http.StatusCreated {
		t.Fatalf("import: %d", st)
	}
	var list struct{ Assistants []assistantJSON }
	var one assistantJSON
	e.JSON("GET", "/api/assistants", e.Operator, nil, &list)
	e.JSON("GET", "/api/assistants/"+a.ID, e.Operator, nil, &one)
	if len(list.Assistants) != 1 {
		t.Fatalf("list: %+v", list)
	}
	want := `{"firstMessage":"Yo","model":{"model":"gpt-4o","provider":"openai"},"voice":{"provider":"11labs","voiceId":"burt"}}`
	for _, got := range []json.RawMessage{list.Assistants[0].Config, one.Config} {
		if norm(t, got) != want {
			t.Errorf("operator reads %s, want %s", got, want)
		}
	}
	e.JSON("GET", "/api/assistants/"+a.ID, e.Admin, nil, &one)
	var admin map[string]any
	_ = json.Unmarshal(one.Config, &admin)
	if admin["endCallMessage"] != "Bye" || admin["serverMessages"] == nil {
		t.Errorf("admin reads %s", one.Config)
	}
}

// H1/B8: with VAPI_SERVER_CREDENTIAL_ID set, the assistants we save at Vapi
// authenticate their webhooks by that credential, and no secret travels in
// their server.headers.
func TestH1SavedAssistantUsesCredentialID(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	const cred = "2b9c1b62-8d52-4d1e-9a37-0f3c6a1d5e77"
	e.Deps.Config.VapiServerCredentialID = cred
	var a assistantJSON
	if st := e.JSON("POST", "/api/assistants", e.Admin, map[string]any{"name": "Cred", "config": map[string]any{"server": map[string]any{"timeoutSeconds": 15}}}, &a); st != http.StatusCreated {
		t.Fatalf("create: %d", st)
	}
	at, err := vapiClient(e).GetAssistant(context.Background(), a.ProviderAssistantID)
	if err != nil {
		t.Fatal(err)
	}
	var srv struct {
		URL            string         `json:"url"`
		CredentialID   string         `json:"credentialId"`
		Headers        map[string]any `json:"headers"`
		TimeoutSeconds float64        `json:"timeoutSeconds"`
	}
	var raw struct{ Server json.RawMessage }
	_ = json.Unmarshal(at.Raw, &raw)
	_ = json.Unmarshal(raw.Server, &srv)
	if srv.URL != e.Server.URL+"/api/webhooks/vapi" || srv.CredentialID != cred || srv.Headers != nil || srv.TimeoutSeconds != 15 {
		t.Errorf("server at Vapi: %s", raw.Server)
	}
	if strings.Contains(string(at.Raw), apitest.WebhookSecret) {
		t.Errorf("secret sent to Vapi: %s", at.Raw)
	}
}

// A config may not set how our webhook is reached or authenticated.
func TestH1ConfigCannotCarryOurServer(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	for _, server := range []map[string]any{
		{"url": "https://elsewhere.example"},
		{"headers": map[string]any{"X-Other": "v"}},
		{"credentialId": "x"},
	} {
		var fail errorJSON
		st := e.JSON("POST", "/api/assistants", e.Admin, map[string]any{"name": "S", "config": map[string]any{"server": server}}, &fail)
		if st != http.StatusBadRequest || !strings.HasPrefix(fmt.Sprint(fail.Error.Details["field"]), "config.server") {
			t.Errorf("server %v: %d %+v", server, st, fail.Error)
		}
	}
}

// norm re-encodes JSON with sorted keys.
func norm(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// An assistant we create asks Vapi for the two messages we read (audit
// C1: not "hang"), and to retry a delivery we could not take (B3), as
// every call does.
func TestC1AssistantAsksForWhatCallsAskFor(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	var a assistantJSON
	if st := e.JSON("POST", "/api/assistants", e.Admin, map[string]any{"name": "Msgs", "config": map[string]any{}}, &a); st != http.StatusCreated {
		t.Fatalf("create: %d", st)
	}
	at, err := vapiClient(e).GetAssistant(context.Background(), a.ProviderAssistantID)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		ServerMessages []string `json:"serverMessages"`
		Server         struct {
			BackoffPlan *vapi.BackoffPlan `json:"backoffPlan"`
		} `json:"server"`
	}
	if err := json.Unmarshal(at.Raw, &got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.ServerMessages, vapi.ServerMessages()) {
		t.Errorf("serverMessages = %v, want %v", got.ServerMessages, vapi.ServerMessages())
	}
	if b := got.Server.BackoffPlan; b == nil || !reflect.DeepEqual(b, vapi.WebhookBackoff()) {
		t.Errorf("server.backoffPlan = %+v, want %+v", b, vapi.WebhookBackoff())
	}
}
