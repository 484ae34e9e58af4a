package assistant

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/vapi"
)

// MaxName is the maxLength of Vapi's assistant name. Vapi validates in
// JavaScript, so it counts UTF-16 code units: an emoji counts two.
const MaxName = 40

// validName trims name and checks it against Vapi's limit here, so the
// error names the limit and Vapi is never asked in vain.
func validName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(utf16.Encode([]rune(name))) > MaxName {
		return "", problem.New(problem.Invalid,
			"name must be 1 to 40 characters (Vapi's limit, counted in UTF-16 code units: an emoji counts 2)",
			"field", "name", "maxLength", MaxName)
	}
	return name, nil
}

// parseConfig reads a directory config: a JSON object of Vapi's assistant
// fields plus systemPrompt. The assistant's name is the name field, not a
// config key.
func parseConfig(raw json.RawMessage) (map[string]any, error) {
	cfg := map[string]any{}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &cfg); err != nil || cfg == nil {
			return nil, problem.New(problem.Invalid, "config must be a JSON object", "field", "config")
		}
	}
	if _, ok := cfg["name"]; ok {
		return nil, problem.New(problem.Invalid, "config.name is not used: the assistant's name is the name field", "field", "config.name")
	}
	if v, ok := cfg["systemPrompt"]; ok {
		if _, ok := v.(string); !ok {
			return nil, problem.New(problem.Invalid, "config.systemPrompt must be a string", "field", "config.systemPrompt")
		}
	}
	return cfg, nil
}

// checkOurServer refuses, in the config of an assistant we manage, what
// would redirect or unauthenticate its webhook: AutoLynx sets the server's
// url and authentication and the server messages; only the delivery tuning
// (timeoutSeconds, backoffPlan, staticIpAddressesEnabled) is the config's.
func checkOurServer(cfg map[string]any) error {
	if _, ok := cfg["serverMessages"]; ok {
		return problem.New(problem.Invalid, "config.serverMessages is set by AutoLynx", "field", "config.serverMessages")
	}
	v, ok := cfg["server"]
	if !ok {
		return nil
	}
	srv, ok := v.(map[string]any)
	if !ok {
		return problem.New(problem.Invalid, "config.server must be an object", "field", "config.server")
	}
	for _, k := range slices.Sorted(maps.Keys(srv)) {
		if !slices.Contains(serverTuning, k) {
			return problem.New(problem.Invalid,
				"config.server."+k+" is set by AutoLynx (calls report to its webhook); only timeoutSeconds, backoffPlan and staticIpAddressesEnabled may be set",
				"field", "config.server."+k)
		}
	}
	return nil
}

// WebhookAuth says how Vapi proves a server message is its own: by the
// Vapi credential credentialID names when one is configured (its secret
// never travels inside an assistant or a call, nor shows in Vapi's
// dashboard), otherwise by secret in the X-Vapi-Secret header. Exactly one
// of the results is set.
func WebhookAuth(secret, credentialID string) (headers map[string]string, credential string) {
	if credentialID != "" {
		return nil, credentialID
	}
	return map[string]string{"X-Vapi-Secret": secret}, ""
}

// webhookServer is the server of an assistant we manage: our webhook and
// its authentication, with the config's delivery tuning.
func (d *Directory) webhookServer(tuning any) map[string]any {
	srv := map[string]any{}
	if t, ok := tuning.(map[string]any); ok {
		srv = pick(t, serverTuning)
	}
	srv["url"] = d.WebhookURL
	if _, ok := srv["backoffPlan"]; !ok {
		// Vapi retries a delivery we could not take, as for our calls.
		srv["backoffPlan"] = vapi.WebhookBackoff()
	}
	headers, cred := WebhookAuth(d.WebhookSecret, d.CredentialID)
	if cred != "" {
		srv["credentialId"] = cred
	} else {
		srv["headers"] = headers
	}
	return srv
}

// withPrompt returns model with prompt as its system message; the other
// messages stay (the prompt replaces only the system ones).
func withPrompt(model any, prompt string) map[string]any {
	m, _ := model.(map[string]any)
	if m == nil {
		m = map[string]any{"provider": "openai", "model": "gpt-4o-mini"}
	}
	m = maps.Clone(m)
	msgs := []any{map[string]any{"role": "system", "content": prompt}}
	if old, ok := m["messages"].([]any); ok {
		for _, msg := range old {
			if mm, ok := msg.(map[string]any); !ok || mm["role"] != "system" {
				msgs = append(msgs, msg)
			}
		}
	}
	m["messages"] = msgs
	return m
}

// createBody turns a directory config into Vapi's CreateAssistantDTO:
// systemPrompt becomes the model's system message (Vapi has no
// systemPrompt field), and our webhook and server messages are set.
// Other keys are Vapi's own and passed as they are.
func (d *Directory) createBody(name string, cfg map[string]any) map[string]any {
	body := maps.Clone(cfg)
	if prompt, ok := body["systemPrompt"].(string); ok {
		delete(body, "systemPrompt")
		body["model"] = withPrompt(body["model"], prompt)
	}
	body["name"] = name
	body["server"] = d.webhookServer(cfg["server"])
	body["serverMessages"] = vapi.ServerMessages()
	return body
}

// configPatch merges edit into cur's config, as Vapi's PATCH does: the
// top-level keys sent replace the stored ones, the others stay. It returns
// the merged config and the PATCH body, which holds only the keys whose
// value changed. An imported assistant's server and server messages are
// its owner's and are never sent; values the editor never saw (Scrub hid
// them) are restored from Vapi's current assistant.
func (d *Directory) configPatch(ctx context.Context, cur *Assistant, edit map[string]any) (next, patch map[string]any, err error) {
	next = map[string]any{}
	_ = json.Unmarshal(cur.Config, &next)
	changed := map[string]any{}
	for k, v := range edit {
		if !sameJSON(next[k], v) {
			changed[k] = v
		}
		next[k] = v
	}
	if cur.Source != "local" {
		for _, k := range []string{"server", "serverMessages"} {
			if _, ok := changed[k]; ok {
				return nil, nil, problem.New(problem.Invalid,
					"config."+k+" of an imported assistant is its owner's and stays as it is at Vapi", "field", "config."+k)
			}
		}
	}
	if len(changed) == 0 {
		return next, nil, nil
	}
	at, err := d.Vapi.GetAssistant(ctx, cur.ProviderAssistantID)
	if err != nil {
		return nil, nil, vapiProblem(err, "read the assistant")
	}
	current := map[string]any{}
	_ = json.Unmarshal(at.Raw, &current)
	patch = map[string]any{}
	for k, v := range changed {
		switch k {
		case "systemPrompt":
		case "server":
			patch[k] = d.webhookServer(v)
		default:
			patch[k] = restore(v, current[k])
		}
	}
	_, promptChanged := changed["systemPrompt"]
	if prompt, ok := next["systemPrompt"].(string); ok && (promptChanged || patch["model"] != nil) {
		model := patch["model"]
		if model == nil {
			model = current["model"]
		}
		patch["model"] = withPrompt(model, prompt)
	}
	return next, patch, nil
}

func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// vapiProblem explains a Vapi failure: a refusal is the request's fault
// (400 with Vapi's words); anything else is Vapi's (502).
func vapiProblem(err error, doing string) error {
	var rej *vapi.RejectedError
	if errors.As(err, &rej) && !vapi.IsUnauthorized(err) {
		return problem.Wrap(problem.Invalid, err, "Vapi refused to "+doing+": "+rej.Message)
	}
	return problem.Wrap(problem.Upstream, err, "Vapi could not "+doing+"; nothing was changed, try again")
}
