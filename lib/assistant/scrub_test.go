package assistant

import (
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

// The stored keys are Vapi's configurable ones (UpdateAssistantDTO) but the
// credentials and the name, and never a read-only field of Assistant.
func TestStoredKeysAreConfigurable(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../vapi/testdata/vapi-openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	update := slices.Sorted(maps.Keys(doc.Components.Schemas["UpdateAssistantDTO"].Properties))
	if len(update) < 20 {
		t.Fatalf("UpdateAssistantDTO has %d properties", len(update))
	}
	var left []string
	for _, k := range update {
		if !slices.Contains(storedKeys, k) {
			left = append(left, k)
		}
	}
	if strings.Join(left, ",") != "credentialIds,credentials,name" {
		t.Errorf("UpdateAssistantDTO keys not stored: %v, want credentialIds, credentials, name", left)
	}
	for _, k := range storedKeys {
		if k != "systemPrompt" && !slices.Contains(update, k) {
			t.Errorf("stored key %s is not in UpdateAssistantDTO", k)
		}
	}
}

func TestScrub(t *testing.T) {
	t.Parallel()
	in := `{
	  "id": "x", "orgId": "o", "createdAt": "t", "updatedAt": "t", "latestVersion": 3, "isServerUrlSecretSet": true,
	  "name": "N", "firstMessage": "Hi, our code is s3cret-value",
	  "credentials": [{"apiKey": "k"}], "credentialIds": ["c"],
	  "server": {"url": "https://h.example", "headers": {"X-Vapi-Secret": "s3cret-value"}, "credentialId": "c", "timeoutSeconds": 20},
	  "serverMessages": ["end-of-call-report"],
	  "voice": {"provider": "11labs", "voiceId": "v", "apiKey": "k2", "cachingEnabled": true},
	  "model": {"provider": "openai", "model": "gpt-4o", "maxTokens": 200,
	    "messages": [{"role": "system", "content": "p"}, "s3cret-value"],
	    "tools": [{"server": {"url": "https://t.example", "headers": {"Authorization": "Bearer t"}}, "function": {"name": "f"}}]},
	  "transcriber": {"provider": "azure", "ocpApimSubscriptionKey": "k3", "listenAuthenticationEnabled": false},
	  "hooks": [{"do": [{"type": "tool", "tool": {"server": {"authenticationPlan": {"type": "oauth2"}, "url": "https://x"}}}]}],
	  "metadata": {"twilioAuthToken": "t2", "hmacSecret": "h", "password": "p", "note": "kept"}
	}`
	var cfg map[string]any
	if err := json.Unmarshal([]byte(in), &cfg); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(Scrub(cfg, "s3cret-value"))
	want := `{"hooks":[{"do":[{"tool":{"server":{"url":"https://x"}},"type":"tool"}]}],` +
		`"metadata":{"note":"kept"},` +
		`"model":{"maxTokens":200,"messages":[{"content":"p","role":"system"}],"model":"gpt-4o","provider":"openai","tools":[{"function":{"name":"f"},"server":{"url":"https://t.example"}}]},` +
		`"server":{"timeoutSeconds":20},"serverMessages":["end-of-call-report"],` +
		`"transcriber":{"listenAuthenticationEnabled":false,"provider":"azure"},` +
		`"voice":{"cachingEnabled":true,"provider":"11labs","voiceId":"v"}}`
	if string(got) != want {
		t.Errorf("Scrub =\n%s\nwant\n%s", got, want)
	}
}

// What the editor never saw is put back before an edit goes to Vapi.
func TestRestore(t *testing.T) {
	t.Parallel()
	var edit, current any
	_ = json.Unmarshal([]byte(`{"model":"b","tools":[{"server":{"url":"u2"}}]}`), &edit)
	_ = json.Unmarshal([]byte(`{"model":"a","apiKey":"k","tools":[{"server":{"url":"u","headers":{"A":"1"}}}]}`), &current)
	got, _ := json.Marshal(restore(edit, current))
	if want := `{"apiKey":"k","model":"b","tools":[{"server":{"headers":{"A":"1"},"url":"u2"}}]}`; string(got) != want {
		t.Errorf("restore = %s, want %s", got, want)
	}
}

func TestOperatorView(t *testing.T) {
	t.Parallel()
	got := OperatorView(json.RawMessage(`{"firstMessage":"Hi","endCallMessage":"x","model":{"provider":"openai","model":"m","messages":[]},"voice":{"provider":{"x":1},"voiceId":"v"}}`))
	if want := `{"firstMessage":"Hi","model":{"model":"m","provider":"openai"},"voice":{"voiceId":"v"}}`; string(got) != want {
		t.Errorf("OperatorView = %s, want %s", got, want)
	}
}

func TestWithPromptKeepsOtherMessages(t *testing.T) {
	t.Parallel()
	var model any
	_ = json.Unmarshal([]byte(`{"provider":"anthropic","messages":[{"role":"system","content":"old"},{"role":"assistant","content":"example"}]}`), &model)
	got, _ := json.Marshal(withPrompt(model, "new"))
	if want := `{"messages":[{"content":"new","role":"system"},{"content":"example","role":"assistant"}],"provider":"anthropic"}`; string(got) != want {
		t.Errorf("withPrompt = %s, want %s", got, want)
	}
}

// Whatever Vapi answers, what Scrub keeps names no credential at any
// depth, holds no secret, and is kept whole by a second Scrub.
func FuzzScrub(f *testing.F) {
	f.Add(`{"model":{"tools":[{"server":{"headers":{"a":"b"}}}]},"server":{"url":"u","timeoutSeconds":3}}`, "b")
	f.Add(`{"voice":{"apiKey":"k","x":[{"secretSauce":1},"s3"]},"metadata":{"Token":"t","ok":true}}`, "s3")
	f.Add(`{"firstMessage":"x\u0000y","hooks":[[[{"password":"p"}]]]}`, "")
	f.Fuzz(func(t *testing.T, in, secret string) {
		var cfg map[string]any
		if json.Unmarshal([]byte(in), &cfg) != nil {
			return
		}
		once := Scrub(cfg, secret)
		a, _ := json.Marshal(once)
		b, _ := json.Marshal(Scrub(once, secret))
		if string(a) != string(b) {
			t.Fatalf("Scrub is not stable: %s then %s", a, b)
		}
		walk(t, once, secret)
	})
}

func walk(t *testing.T, v any, secret string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if _, flag := e.(bool); !flag && secretKey.MatchString(strings.ToLower(k)) {
				t.Fatalf("kept %q", k)
			}
			walk(t, e, secret)
		}
	case []any:
		for _, e := range x {
			walk(t, e, secret)
		}
	case string:
		if secret != "" && strings.Contains(x, secret) {
			t.Fatalf("kept the secret in %q", x)
		}
	}
}
