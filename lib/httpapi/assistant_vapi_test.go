package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/lib/vapi"
)

// errorJSON is the error envelope.
type errorJSON struct {
	Error struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Details map[string]any `json:"details"`
	} `json:"error"`
}

// customerAssistant is an assistant made at Vapi by its owner, with its own
// webhook, credentials and tool server: everything an import must neither
// store nor overwrite.
const customerAssistant = `{
  "name": "Made at Vapi",
  "firstMessage": "Yo",
  "endCallMessage": "Bye",
  "model": {"provider": "openai", "model": "gpt-4o", "messages": [{"role": "system", "content": "Sell."}],
    "tools": [{"type": "function", "function": {"name": "book"},
      "server": {"url": "https://tools.customer.example/book", "headers": {"Authorization": "Bearer tool-secret-123"}}}]},
  "voice": {"provider": "11labs", "voiceId": "burt"},
  "credentials": [{"provider": "openai", "apiKey": "sk-customer-key-456"}],
  "server": {"url": "https://hooks.customer.example/vapi", "headers": {"X-Vapi-Secret": "customer-hook-secret-789"}},
  "serverMessages": ["tool-calls", "end-of-call-report"]
}`

// TestLowL11ImportedAssistantCanBeEdited (security review L11; audit A1,
// formerly TestA1ImportedAssistantRenamesAndEdits): an imported assistant
// is renamed and edited at Vapi with only what changed, so Vapi's
// read-only fields (id, orgId, createdAt…, which Vapi refuses) are never
// sent back and the assistant keeps its own server and server messages.
func TestLowL11ImportedAssistantCanBeEdited(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	ctx := context.Background()
	made, err := vapiClient(e).CreateAssistant(ctx, json.RawMessage(customerAssistant))
	if err != nil {
		t.Fatal(err)
	}
	var a assistantJSON
	if st := e.JSON("POST", "/api/assistants/import", e.Admin, map[string]any{"providerAssistantId": made.ID}, &a); st != http.StatusCreated {
		t.Fatalf("import: %d", st)
	}
	var got assistantJSON
	var fail errorJSON
	if st := e.JSON("PATCH", "/api/assistants/"+a.ID, e.Admin, map[string]any{"name": "Renamed"}, &fail); st != http.StatusOK {
		t.Fatalf("rename an imported assistant: %d %+v", st, fail.Error)
	}
	var cfg map[string]any
	_ = json.Unmarshal(a.Config, &cfg)
	cfg["firstMessage"] = "Hello there"
	// The editor never saw the tool's headers; saving an edited model must
	// not wipe them at Vapi.
	cfg["model"].(map[string]any)["model"] = "gpt-4o-mini"
	if st := e.JSON("PATCH", "/api/assistants/"+a.ID, e.Admin, map[string]any{"config": cfg}, &got); st != http.StatusOK || got.Name != "Renamed" {
		t.Fatalf("edit an imported assistant: %d %+v", st, got)
	}
	at, err := vapiClient(e).GetAssistant(ctx, made.ID)
	if err != nil {
		t.Fatal(err)
	}
	if at.Name != "Renamed" || at.FirstMessage != "Hello there" || !strings.Contains(string(at.Model), "gpt-4o-mini") {
		t.Errorf("at Vapi: name %q firstMessage %q", at.Name, at.FirstMessage)
	}
	if at.Server == nil || at.Server.URL != "https://hooks.customer.example/vapi" || at.Server.Headers["X-Vapi-Secret"] != "customer-hook-secret-789" {
		t.Errorf("the assistant's own server was overwritten: %+v", at.Server)
	}
	if strings.Join(at.ServerMessages, ",") != "tool-calls,end-of-call-report" {
		t.Errorf("the assistant's own serverMessages were overwritten: %v", at.ServerMessages)
	}
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(at.Raw, &raw)
	if !strings.Contains(string(raw["credentials"]), "sk-customer-key-456") || !strings.Contains(string(raw["model"]), "tool-secret-123") {
		t.Errorf("credentials or tools lost at Vapi: %s", at.Raw)
	}
	// Re-pointing an imported assistant's webhook is refused, not done.
	cfg["server"] = map[string]any{"url": "https://elsewhere.example"}
	if st := e.JSON("PATCH", "/api/assistants/"+a.ID, e.Admin, map[string]any{"config": cfg}, &fail); st != http.StatusBadRequest || fail.Error.Code != "VALIDATION_ERROR" {
		t.Errorf("changing an imported assistant's server: %d %+v", st, fail.Error)
	}
}

// A2: names are checked here against Vapi's 40 UTF-16 units, with an
// error that names the field and the limit.
func TestA2AssistantNameLimit(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	tooLong := strings.Repeat("n", 41)
	emoji40 := strings.Repeat("😀", 20) // 40 UTF-16 units, 20 characters
	check := func(what string, st int, fail errorJSON) {
		t.Helper()
		if st != http.StatusBadRequest || fail.Error.Code != "VALIDATION_ERROR" || fail.Error.Details["field"] != "name" ||
			fail.Error.Details["maxLength"] != float64(40) || !strings.Contains(fail.Error.Message, "40") {
			t.Errorf("%s: %d %+v", what, st, fail.Error)
		}
	}
	var fail errorJSON
	check("create 41", e.JSON("POST", "/api/assistants", e.Admin, map[string]any{"name": tooLong, "config": map[string]any{}}, &fail), fail)
	fail = errorJSON{}
	check("create 21 emoji", e.JSON("POST", "/api/assistants", e.Admin, map[string]any{"name": emoji40 + "😀", "config": map[string]any{}}, &fail), fail)
	var a assistantJSON
	if st := e.JSON("POST", "/api/assistants", e.Admin, map[string]any{"name": emoji40, "config": map[string]any{}}, &a); st != http.StatusCreated {
		t.Fatalf("create with 40 units: %d", st)
	}
	fail = errorJSON{}
	check("rename 41", e.JSON("PATCH", "/api/assistants/"+a.ID, e.Admin, map[string]any{"name": tooLong}, &fail), fail)
	made, err := vapiClient(e).CreateAssistant(context.Background(), json.RawMessage(`{"name":"short"}`))
	if err != nil {
		t.Fatal(err)
	}
	fail = errorJSON{}
	check("import as 41", e.JSON("POST", "/api/assistants/import", e.Admin, map[string]any{"providerAssistantId": made.ID, "name": tooLong}, &fail), fail)
}

// C3: an id that is not a UUID cannot be a Vapi assistant; it is answered
// here, not sent to Vapi (which refuses it with 400).
func TestC3ImportNonUUIDAnsweredLocally(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	var fail errorJSON
	for _, bad := range []string{"no-such-assistant", "urn:uuid:" + apitest.NewID(), strings.ReplaceAll(apitest.NewID(), "-", "")} {
		fail = errorJSON{}
		if st := e.JSON("POST", "/api/assistants/import", e.Admin, map[string]any{"providerAssistantId": bad}, &fail); st != http.StatusBadRequest ||
			fail.Error.Details["field"] != "providerAssistantId" {
			t.Errorf("import %q: %d %+v", bad, st, fail.Error)
		}
	}
	if st := e.JSON("POST", "/api/assistants/import", e.Admin, map[string]any{"providerAssistantId": apitest.NewID()}, nil); st != http.StatusNotFound {
		t.Errorf("import an unknown UUID: %d, want 404", st)
	}
}

// lossyVapi stands between us and the simulator and, while drop is set,
// loses the answer to POST /assistant: after forwarding it (created) or
// before (nothing created), answering 502 either way.
type lossyVapi struct {
	sim     http.Handler
	forward atomic.Bool // forward the dropped request first
	drop    atomic.Int32
}

func (l *lossyVapi) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.URL.Path == "/assistant" && l.drop.Add(-1) >= 0 {
		if l.forward.Load() {
			l.sim.ServeHTTP(httptest.NewRecorder(), r)
		}
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	l.sim.ServeHTTP(w, r)
}

// C7: a POST /assistant whose answer is lost is looked up at Vapi rather
// than reported failed, so the admin's retry cannot leave a duplicate.
func TestC7AmbiguousCreateLeavesNoDuplicate(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	ctx := context.Background()
	target, _ := url.Parse(e.Sim.URL())
	lossy := &lossyVapi{sim: httputil.NewSingleHostReverseProxy(target)}
	front := httptest.NewServer(lossy)
	t.Cleanup(front.Close)
	e.Deps.Vapi = vapi.New(vapi.Config{BaseURL: front.URL, APIKey: e.Sim.APIKey()})
	atVapi := func() int {
		t.Helper()
		list, err := vapiClient(e).ListAssistants(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}

	lossy.forward.Store(true)
	lossy.drop.Store(1)
	var a assistantJSON
	if st := e.JSON("POST", "/api/assistants", e.Admin, map[string]any{"name": "Lost answer", "config": map[string]any{"firstMessage": "Hi"}}, &a); st != http.StatusCreated || a.ProviderAssistantID == "" {
		t.Fatalf("create whose answer was lost: %d %+v", st, a)
	}
	if n := atVapi(); n != 1 {
		t.Errorf("%d assistants at Vapi, want 1", n)
	}
	if strings.Contains(string(a.Config), "autolynx") {
		t.Errorf("the lookup marker is stored: %s", a.Config)
	}

	lossy.forward.Store(false)
	lossy.drop.Store(1)
	var fail errorJSON
	if st := e.JSON("POST", "/api/assistants", e.Admin, map[string]any{"name": "Never made", "config": map[string]any{}}, &fail); st != http.StatusBadGateway {
		t.Fatalf("create Vapi never saw: %d %+v", st, fail.Error)
	}
	if st := e.JSON("POST", "/api/assistants", e.Admin, map[string]any{"name": "Never made", "config": map[string]any{}}, nil); st != http.StatusCreated {
		t.Fatalf("retry: %d", st)
	}
	var rows int
	_ = e.DB.QueryRow(ctx, `select count(*) from assistants`).Scan(&rows)
	if n := atVapi(); n != 2 || rows != 2 {
		t.Errorf("%d assistants at Vapi and %d in the directory, want 2 and 2", n, rows)
	}
}
