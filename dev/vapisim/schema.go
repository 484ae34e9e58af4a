package vapisim

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"unicode/utf16"
)

// Property names allowed by Vapi's OpenAPI schemas (vapi-openapi.json); a
// test checks these lists against the vendored spec. Vapi rejects any other
// property, and so does the simulator.
var (
	createCallKeys = []string{
		"assistantVersion", "transport", "customers", "name", "schedulePlan",
		"assistantId", "assistant", "assistantOverrides", "squadId", "squad",
		"squadOverrides", "workflowId", "workflow", "workflowOverrides",
		"phoneNumberId", "phoneNumber", "customerId", "customer",
	}
	customerKeys = []string{
		"numberE164CheckEnabled", "extension", "assistantOverrides", "squadOverrides",
		"number", "sipUri", "name", "email", "externalId",
	}
	// assistantKeys is CreateAssistantDTO, identical to UpdateAssistantDTO.
	assistantKeys = []string{
		"transcriber", "model", "voice", "firstMessage", "firstMessageInterruptionsEnabled",
		"firstMessageMode", "voicemailDetection", "clientMessages", "serverMessages",
		"maxDurationSeconds", "backgroundSound", "modelOutputInMessagesEnabled",
		"transportConfigurations", "observabilityPlan", "credentials", "hooks", "name",
		"voicemailMessage", "endCallMessage", "endCallPhrases", "compliancePlan", "metadata",
		"backgroundSpeechDenoisingPlan", "analysisPlan", "artifactPlan", "startSpeakingPlan",
		"stopSpeakingPlan", "monitorPlan", "credentialIds", "server", "keypadInputPlan",
	}
	// overrideKeys is AssistantOverrides: the assistant's fields plus two.
	overrideKeys = append(slices.Clone(assistantKeys), "tools:append", "variableValues")
	serverKeys   = []string{
		"timeoutSeconds", "credentialId", "staticIpAddressesEnabled", "encryptedPaths",
		"url", "headers", "backoffPlan",
	}
	serverMessageTypes = []string{
		"assistant.started", "assistant.speechStarted", "conversation-update",
		"end-of-call-report", "function-call", "hang", "language-changed",
		"language-change-detected", "model-output", "phone-call-control", "speech-update",
		"status-update", "transcript", `transcript[transcriptType="final"]`, "tool-calls",
		"transfer-destination-request", "handoff-destination-request", "transfer-update",
		"user-interrupted", "voice-input", "chat.created", "chat.deleted", "session.created",
		"session.updated", "session.deleted", "call.deleted", "call.delete.failed",
		"call.artifact.upload",
	}
)

// e164 is the E.164 shape Vapi checks customer numbers against.
var e164 = regexp.MustCompile(`^\+[1-9]\d{1,14}$`)

// maxName is the maxLength of customer and assistant names, in UTF-16 units
// as JavaScript counts them.
const maxName = 40

// checker collects NestJS-style validation messages with a property path.
type checker struct{ msgs []string }

func (c *checker) fail(path, format string, args ...any) {
	c.msgs = append(c.msgs, path+fmt.Sprintf(format, args...))
}

// keys rejects properties outside allowed, as class-validator's whitelist
// does ("property x should not exist", prefixed with the parent path).
func (c *checker) keys(path string, obj map[string]any, allowed []string) {
	var unknown []string
	for k := range obj {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		c.fail(path, "property %s should not exist", k)
	}
}

// object returns v as an object, recording a message when it is not one.
func (c *checker) object(path, name string, v any) (map[string]any, bool) {
	obj, ok := v.(map[string]any)
	if !ok {
		c.fail(path, "%s must be an object", name)
	}
	return obj, ok
}

func (c *checker) str(path, name string, v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		c.fail(path, "%s must be a string", name)
	}
	return s, ok
}

// name checks an optional name's maxLength.
func (c *checker) name(path string, obj map[string]any) {
	if v, ok := obj["name"]; ok {
		if s, ok := c.str(path, "name", v); ok && len(utf16.Encode([]rune(s))) > maxName {
			c.fail(path, "name must be shorter than or equal to %d characters", maxName)
		}
	}
}

// validateCall checks a POST /call body the way Vapi does for the fields
// AutoLynx can send.
func validateCall(body map[string]any) []string {
	var c checker
	c.keys("", body, createCallKeys)
	for _, k := range []string{"assistantId", "phoneNumberId"} {
		if v, ok := body[k]; ok {
			c.str("", k, v)
		}
	}
	if v, ok := body["customer"]; ok {
		if cust, ok := c.object("", "customer", v); ok {
			c.customer("customer.", cust)
		}
	}
	if v, ok := body["assistantOverrides"]; ok {
		if o, ok := c.object("", "assistantOverrides", v); ok {
			c.overrides("assistantOverrides.", o)
		}
	}
	return c.msgs
}

func (c *checker) customer(path string, cust map[string]any) {
	c.keys(path, cust, customerKeys)
	c.name(path, cust)
	check := cust["numberE164CheckEnabled"] != false
	if v, ok := cust["number"]; ok {
		if n, ok := c.str(path, "number", v); ok && check && !e164.MatchString(n) {
			c.fail(path, "number must be a valid phone number in the E.164 format. Hot tip, you may be missing the country code (Eg. US: +1).")
		}
	}
	if v, ok := cust["assistantOverrides"]; ok {
		if o, ok := c.object(path, "assistantOverrides", v); ok {
			c.overrides(path+"assistantOverrides.", o)
		}
	}
}

func (c *checker) overrides(path string, o map[string]any) {
	c.keys(path, o, overrideKeys)
	for _, k := range []string{"variableValues", "metadata"} {
		if v, ok := o[k]; ok {
			c.object(path, k, v)
		}
	}
	if v, ok := o["serverMessages"]; ok {
		c.serverMessages(path, v)
	}
	if v, ok := o["server"]; ok {
		if srv, ok := c.object(path, "server", v); ok {
			c.server(path+"server.", srv)
		}
	}
}

// validateAssistant checks a POST or PATCH /assistant body.
func validateAssistant(body map[string]any) []string {
	var c checker
	c.keys("", body, assistantKeys)
	c.name("", body)
	if v, ok := body["firstMessage"]; ok {
		c.str("", "firstMessage", v)
	}
	if v, ok := body["serverMessages"]; ok {
		c.serverMessages("", v)
	}
	if v, ok := body["server"]; ok {
		if srv, ok := c.object("", "server", v); ok {
			c.server("server.", srv)
		}
	}
	return c.msgs
}

func (c *checker) serverMessages(path string, v any) {
	list, ok := v.([]any)
	if !ok {
		c.fail(path, "serverMessages must be an array")
		return
	}
	for _, m := range list {
		if s, ok := m.(string); !ok || !slices.Contains(serverMessageTypes, s) {
			c.fail(path, "each value in serverMessages must be one of the following values: %s", serverMessageTypes)
			return
		}
	}
}

func (c *checker) server(path string, srv map[string]any) {
	c.keys(path, srv, serverKeys)
	if v, ok := srv["url"]; ok {
		if s, ok := c.str(path, "url", v); ok {
			if u, err := url.Parse(s); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
				c.fail(path, "url must be a URL address")
			}
		}
	}
	if v, ok := srv["headers"]; ok {
		c.object(path, "headers", v)
	}
	if v, ok := srv["timeoutSeconds"]; ok {
		n, ok := v.(json.Number)
		f, err := n.Float64()
		if !ok || err != nil || f < 1 || f > 300 {
			c.fail(path, "timeoutSeconds must be a number between 1 and 300")
		}
	}
}
