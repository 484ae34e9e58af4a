package assistant

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// storedKeys are the top-level keys of a config the directory keeps: Vapi's
// UpdateAssistantDTO (what can be configured, so never id, orgId,
// createdAt, updatedAt, latestVersion or isServerUrlSecretSet) minus the
// credentials it references and the name (the directory's own field), plus
// our systemPrompt. A test checks them
// against the vendored OpenAPI document.
var storedKeys = []string{
	"analysisPlan", "artifactPlan", "backgroundSound", "backgroundSpeechDenoisingPlan",
	"clientMessages", "compliancePlan", "endCallMessage", "endCallPhrases", "firstMessage",
	"firstMessageInterruptionsEnabled", "firstMessageMode", "hooks", "keypadInputPlan",
	"maxDurationSeconds", "metadata", "model", "modelOutputInMessagesEnabled", "monitorPlan",
	"observabilityPlan", "server", "serverMessages", "startSpeakingPlan",
	"stopSpeakingPlan", "transcriber", "transportConfigurations", "voice",
	"voicemailDetection", "voicemailMessage", "systemPrompt",
}

// serverTuning are the keys of a Server that say how Vapi delivers, not
// where or with which secret; the only ones a config may set or keep.
var serverTuning = []string{"timeoutSeconds", "backoffPlan", "staticIpAddressesEnabled"}

// secretKey matches (lower-cased) the names under which Vapi's schemas
// carry credentials: apiKey, headers, credentials, authenticationPlan,
// hmacSecret, twilioAuthToken, privateKey… A boolean under such a name
// (listenAuthenticationEnabled) is only a flag and is kept. The migration
// 20261202001500 applies the same pattern to rows stored before.
var secretKey = regexp.MustCompile(secretKeyPattern)

const secretKeyPattern = `secret|password|credential|authentication|authorization|^(sip)?headers$|key$|keyid$|token$`

// Scrub returns what the directory may store of an assistant config: the
// stored keys only, a server cut to its tuning, and nothing anywhere that
// is named like a credential or contains secret (our webhook secret).
// Operators and PostgREST never read even this (see OperatorView and the
// migration's column grants), but admins do, so it must carry no secret.
func Scrub(cfg map[string]any, secret string) map[string]any {
	out := map[string]any{}
	for k, v := range cfg {
		if slices.Contains(storedKeys, k) {
			out[k] = v
		}
	}
	if srv, ok := out["server"].(map[string]any); ok {
		tuned := pick(srv, serverTuning)
		if len(tuned) == 0 {
			delete(out, "server")
		} else {
			out["server"] = tuned
		}
	} else {
		delete(out, "server")
	}
	clean, _ := scrubValue(out, secret).(map[string]any)
	return clean
}

// scrubValue drops, at any depth, keys named like credentials and strings
// that contain secret.
func scrubValue(v any, secret string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if _, flag := e.(bool); !flag && secretKey.MatchString(strings.ToLower(k)) {
				continue
			}
			if leaks(e, secret) {
				continue
			}
			out[k] = scrubValue(e, secret)
		}
		return out
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if !leaks(e, secret) {
				out = append(out, scrubValue(e, secret))
			}
		}
		return out
	}
	return v
}

func leaks(v any, secret string) bool {
	s, ok := v.(string)
	return ok && secret != "" && strings.Contains(s, secret)
}

// restore puts back into edit, at any depth, the credential-named values
// of current (Vapi's assistant) that Scrub hid from the editor, so saving
// an edited model does not wipe the tool secrets the admin never saw.
// Arrays are matched by position when their lengths agree.
func restore(edit, current any) any {
	switch e := edit.(type) {
	case map[string]any:
		cur, ok := current.(map[string]any)
		if !ok {
			return edit
		}
		out := maps.Clone(e)
		for k, cv := range cur {
			ev, present := e[k]
			switch {
			case !present && secretKey.MatchString(strings.ToLower(k)):
				out[k] = cv
			case present:
				out[k] = restore(ev, cv)
			}
		}
		return out
	case []any:
		cur, ok := current.([]any)
		if !ok || len(cur) != len(e) {
			return edit
		}
		out := make([]any, len(e))
		for i := range e {
			out[i] = restore(e[i], cur[i])
		}
		return out
	}
	return edit
}

// displayFields are the parts of model and voice an operator reads.
var displayFields = map[string][]string{"model": {"provider", "model"}, "voice": {"provider", "voiceId"}}

// OperatorView is what a user who is not an admin reads of a config: an
// explicit list of display strings, whatever else the config holds.
func OperatorView(cfg json.RawMessage) json.RawMessage {
	var full map[string]any
	_ = json.Unmarshal(cfg, &full)
	view := texts(full, []string{"firstMessage"})
	for k, fields := range displayFields {
		if sub, ok := full[k].(map[string]any); ok {
			if t := texts(sub, fields); len(t) > 0 {
				view[k] = t
			}
		}
	}
	b, _ := json.Marshal(view)
	return b
}

// texts copies the string values of m under keys.
func texts(m map[string]any, keys []string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := m[k].(string); ok {
			out[k] = v
		}
	}
	return out
}

// pick copies the keys of m that are in keys.
func pick(m map[string]any, keys []string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}
