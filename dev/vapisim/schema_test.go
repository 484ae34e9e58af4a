package vapisim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/lib/vapi"
	"github.com/autolynx/autolynx/lib/vapi/openapi"
)

// spec loads the vendored Vapi OpenAPI schemas (lib/vapi/testdata);
// VAPI_OPENAPI overrides the path.
func spec(t *testing.T) map[string]struct {
	Properties map[string]json.RawMessage
	Required   []string
} {
	t.Helper()
	path := os.Getenv("VAPI_OPENAPI")
	if path == "" {
		path = "../../lib/vapi/testdata/vapi-openapi.json"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read Vapi OpenAPI document: %v", err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage
				Required   []string
			}
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Components.Schemas
}

func TestAllowListsMatchOpenAPI(t *testing.T) {
	t.Parallel()
	s := spec(t)
	for name, keys := range map[string][]string{
		"CreateCallDTO": createCallKeys, "CreateCustomerDTO": customerKeys, "CreateAssistantDTO": assistantKeys,
		"UpdateAssistantDTO": assistantKeys, "AssistantOverrides": overrideKeys, "Server": serverKeys,
	} {
		want := slices.Sorted(maps.Keys(s[name].Properties))
		if got := slices.Sorted(slices.Values(keys)); !slices.Equal(got, want) {
			t.Errorf("%s: simulator allows %v, spec has %v", name, got, want)
		}
	}
	var sm struct{ Enum []string }
	_ = json.Unmarshal(s["AssistantOverrides"].Properties["serverMessages"], &sm)
	if !slices.Equal(sm.Enum, serverMessageTypes) {
		t.Errorf("serverMessages enum differs from the spec: %v", sm.Enum)
	}
}

// openAPI loads the vendored document for deep checks.
func openAPI(t *testing.T) *openapi.Spec {
	t.Helper()
	path := os.Getenv("VAPI_OPENAPI")
	if path == "" {
		path = "../../lib/vapi/testdata/vapi-openapi.json"
	}
	s, err := openapi.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// undocumented are the properties real Vapi sends that its schemas lack:
// end-of-call reports carry durationSeconds (seen in real payloads), and
// the 201 of POST /call carries subscriptionLimits (SubscriptionLimits is
// documented, the Call schema does not list it).
func undocumented(errs []string) []string {
	return slices.DeleteFunc(errs, func(e string) bool {
		return strings.HasSuffix(e, "property durationSeconds should not exist") ||
			strings.HasSuffix(e, "property subscriptionLimits should not exist")
	})
}

// TestMessagesValidateAgainstOpenAPI places calls of every outcome and
// checks, recursively against Vapi's schemas, every server message the
// simulator sends (ServerMessageStatusUpdate, ServerMessageEndOfCallReport),
// every call object it answers (Call, from POST, GET /call/{id} and GET
// /call), and that answered calls carry what real reports carry:
// recording.mono, presigned URLs with their expiry, structuredOutputs,
// analysis and costs.
func TestMessagesValidateAgainstOpenAPI(t *testing.T) {
	t.Parallel()
	s := openAPI(t)
	mix := Mix{Answered: 3, NoAnswer: 1, Busy: 1, Voicemail: 1, Failed: 1, Broken: 1, VapiFault: 1}
	e := setup(t, Config{Scale: fast, Mix: mix, Seed: 9, ConcurrencyLimit: 1000})
	var ids []string
	for i := range 60 {
		raw := postCall(t, e, fmt.Sprintf("+1415555%04d", i), i%4 == 0)
		for _, err := range undocumented(s.CheckJSON("Call", raw, "POST /call")) {
			t.Error(err)
		}
		var c struct{ ID string }
		_ = json.Unmarshal(raw, &c)
		ids = append(ids, c.ID)
	}
	e.settle(t)
	schema := map[string]string{vapi.MessageStatusUpdate: "ServerMessageStatusUpdate", vapi.MessageEndOfCallReport: "ServerMessageEndOfCallReport",
		"conversation-update": "ServerMessageConversationUpdate"}
	reports := 0
	for _, m := range e.hook.messages() {
		for _, err := range undocumented(s.Check(schema[m.msg.Type], m.raw, m.msg.Type)) {
			t.Error(err)
		}
		if m.msg.Type != vapi.MessageEndOfCallReport || m.msg.Artifact.Transcript == "" {
			continue
		}
		reports++
		a, _ := m.raw["artifact"].(map[string]any)
		rec, _ := a["recording"].(map[string]any)
		mono, _ := rec["mono"].(map[string]any)
		expires, _ := time.Parse(time.RFC3339, fmt.Sprint(a["presignedUrlsExpiresAt"]))
		if mono["combinedUrl"] == nil || !strings.Contains(fmt.Sprint(a["presignedMonoUrl"]), "sig=") ||
			!expires.After(time.Now()) || m.raw["costs"] == nil || m.raw["analysis"] == nil {
			t.Errorf("report without recording, presigned URLs, costs or analysis: %v", m.raw)
		}
		if m.msg.Analysis.Summary != "" && len(m.msg.Artifact.StructuredOutputs) == 0 && strings.Contains(m.msg.Analysis.Summary, "pitched") {
			t.Errorf("answered report without structuredOutputs")
		}
		for _, k := range []string{"recordingUrl", "stereoRecordingUrl"} {
			if _, ok := a[k]; ok {
				t.Errorf("report sends the deprecated artifact.%s", k)
			}
		}
	}
	if reports < 10 {
		t.Errorf("only %d reports with a conversation", reports)
	}
	for _, id := range ids[:10] {
		for _, err := range s.CheckJSON("Call", getRaw(t, e, "/call/"+id), "GET /call/"+id) {
			t.Error(err)
		}
	}
	var list []json.RawMessage
	if err := json.Unmarshal(getRaw(t, e, "/call?limit=1000"), &list); err != nil || len(list) != 60 {
		t.Fatalf("list: %d, %v", len(list), err)
	}
	for i, raw := range list {
		for _, err := range s.CheckJSON("Call", raw, fmt.Sprintf("GET /call[%d]", i)) {
			t.Error(err)
		}
	}
}

// postCall places a call the way the scheduler does and returns Vapi's
// raw answer; with everything, the call asks for Vapi's default server
// messages instead of ours, as an assistant left as it is would.
func postCall(t *testing.T, e *env, number string, everything bool) []byte {
	t.Helper()
	overrides := map[string]any{
		"variableValues": map[string]any{"name": "Ada"}, "metadata": map[string]any{"autolynxCallId": "c-" + number},
		"serverMessages": vapi.ServerMessages(),
		"server":         map[string]any{"url": e.hook.srv.URL, "headers": map[string]any{"X-Vapi-Secret": "s3cret"}, "backoffPlan": vapi.WebhookBackoff()},
	}
	if everything {
		delete(overrides, "serverMessages")
	}
	body, _ := json.Marshal(map[string]any{
		"assistantId": e.assistant, "phoneNumberId": "pn-1", "customer": map[string]any{"number": number, "name": "Ada"},
		"assistantOverrides": overrides,
	})
	req, _ := http.NewRequest(http.MethodPost, e.sim.URL()+"/call", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.sim.APIKey())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /call: %d %s", resp.StatusCode, raw)
	}
	return raw
}

func getRaw(t *testing.T, e *env, path string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.sim.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+e.sim.APIKey())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return raw
}

// post sends a raw body to the simulator and returns the status and the
// NestJS error body.
func post(t *testing.T, e *env, path, key, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, e.sim.URL()+path, bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

func TestValidationLikeVapi(t *testing.T) {
	t.Parallel()
	e := setup(t, Config{Scale: fast})
	ok := `"assistantId":"` + e.assistant + `","phoneNumberId":"pn-1"`
	for _, tc := range []struct {
		path, key, body string
		status          int
		msg             string
	}{
		{"/call", e.sim.APIKey(), `{` + ok + `,"type":"outboundPhoneCall","customer":{"number":"+14155550101"}}`, 400, "property type should not exist"},
		{"/call", e.sim.APIKey(), `{` + ok + `,"customer":{"number":"+14155550101","nickname":"x"}}`, 400, "customer.property nickname should not exist"},
		{"/call", e.sim.APIKey(), `{` + ok + `,"customer":{"number":"+14155550101"},"assistantOverrides":{"server":{"url":"https://x.test","secret":"s"}}}`, 400, "assistantOverrides.server.property secret should not exist"},
		{"/call", e.sim.APIKey(), `{` + ok + `,"customer":{"number":"4155550101"}}`, 400, "customer.number must be a valid phone number in the E.164 format"},
		{"/call", e.sim.APIKey(), `{` + ok + `,"customer":{"number":"+14155550101","name":"` + strings.Repeat("n", 41) + `"}}`, 400, "customer.name must be shorter than or equal to 40 characters"},
		{"/call", e.sim.APIKey(), `{` + ok + `,"customer":{"number":"+14155550101"},"assistantOverrides":{"serverMessages":["everything"]}}`, 400, "assistantOverrides.each value in serverMessages must be one of"},
		{"/call", e.sim.APIKey(), `{"assistantId":"nope","phoneNumberId":"pn-1","customer":{"number":"+14155550101"}}`, 400, "Couldn't Get Assistant"},
		{"/call", "wrong", `{}`, 401, "Invalid Key"},
		{"/assistant", e.sim.APIKey(), `{"name":"x","systemPrompt":"legacy"}`, 400, "property systemPrompt should not exist"},
		{"/assistant", e.sim.APIKey(), `[1]`, 400, "Body must be a JSON object"},
	} {
		status, body := post(t, e, tc.path, tc.key, tc.body)
		msg, _ := json.Marshal(body["message"])
		if status != tc.status || body["statusCode"] != float64(tc.status) || body["error"] != http.StatusText(tc.status) || !strings.Contains(string(msg), tc.msg) {
			t.Errorf("%s: %d %v, want %d containing %q", tc.body, status, body, tc.status, tc.msg)
		}
	}
	if st := e.sim.Stats(); st.CallsCreated != 0 {
		t.Errorf("invalid requests created %d calls", st.CallsCreated)
	}
}

// TestSimulatorSpeaksOnlyVapisEndedReasons: every reason the simulator
// can end a call with is in Vapi's enum, and the checker would notice if
// a report's shape drifted.
func TestSimulatorSpeaksOnlyVapisEndedReasons(t *testing.T) {
	t.Parallel()
	s := openAPI(t)
	n := 0
	for o, list := range reasons {
		for _, w := range list {
			n++
			msg := map[string]any{"type": "status-update", "status": "ended", "endedReason": w.reason}
			if errs := s.Check("ServerMessageStatusUpdate", msg, string(o)); len(errs) > 0 {
				t.Errorf("%s: %v", w.reason, errs)
			}
		}
	}
	if n < 36 {
		t.Errorf("%d ended reasons, want dozens", n)
	}
	bad := map[string]any{"type": "end-of-call-report", "endedReason": "customer-ended-call", "analysis": map[string]any{},
		"artifact": map[string]any{"recording": map[string]any{"mono": map[string]any{"combinedUrl": 5.0}}},
		"costs":    []any{map[string]any{"type": "voice", "cost": 1.0}}}
	errs := s.Check("ServerMessageEndOfCallReport", bad, "report")
	for _, want := range []string{"combinedUrl: number where string", "costs[0]: matches no oneOf"} {
		if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, want) }) {
			t.Errorf("checker missed %q: %v", want, errs)
		}
	}
}
