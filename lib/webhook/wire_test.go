package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/lib/webhook"
)

var withSecret = map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}

// postRead posts body and returns the status and the answer.
func postRead(t *testing.T, e *apitest.Env, body []byte, headers map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.Server.URL+"/api/webhooks/vapi", bytes.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// TestB4MessagesExpectingAnAnswerGetVapisError: a tool call or a transfer
// request of an imported assistant must not be told {"ok":true} (which
// Vapi reads as a successful empty answer): it gets the documented error
// field, and the event is still logged.
func TestB4MessagesExpectingAnAnswerGetVapisError(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	for _, typ := range []string{"tool-calls", "transfer-destination-request", "assistant-request", "handoff-destination-request"} {
		body := fmt.Appendf(nil, `{"message":{"type":%q,"call":{"id":"c-%s"}}}`, typ, typ)
		st, answer := postRead(t, e, body, withSecret)
		var got map[string]any
		if st != http.StatusOK || json.Unmarshal([]byte(answer), &got) != nil || got["error"] == nil || got["ok"] != nil {
			t.Errorf("%s: %d %s, want 200 with an error field", typ, st, answer)
		}
	}
	for _, typ := range []string{"knowledge-base-request", "voice-request", "call.endpointing.request", "campaign.predial"} {
		body := fmt.Appendf(nil, `{"message":{"type":%q,"call":{"id":"c-%s"}}}`, typ, typ)
		if st, answer := postRead(t, e, body, withSecret); st != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400 (its answer has no error field)", typ, st, answer)
		}
	}
	if n := events(t, e); n != 8 {
		t.Errorf("%d events logged, want 8", n)
	}
	if st, answer := postRead(t, e, []byte(`{"message":{"type":"hang","call":{"id":"x"}}}`), withSecret); st != 200 || answer == "" {
		t.Errorf("hang: %d %s", st, answer)
	}
}

// TestBearerCredentialAndRotation: Vapi's Bearer credential
// (Authorization: Bearer <secret>) is accepted besides X-Vapi-Secret and
// HMAC, and during a rotation the previous secret still works in every
// form.
func TestBearerCredentialAndRotation(t *testing.T) {
	t.Parallel()
	body := []byte(`{"message":{"type":"hang"}}`)
	now := time.Now()
	current, previous := "new-secret-0123", "old-secret-0123"
	sign := func(secret string) http.Header {
		ts := fmt.Sprint(now.Unix())
		return http.Header{"X-Timestamp": {ts}, "X-Signature": {webhook.Sign(secret, ts, body)}}
	}
	for _, secret := range []string{current, previous} {
		for name, h := range map[string]http.Header{
			"bearer":        {"Authorization": {"Bearer " + secret}},
			"x-vapi-secret": {"X-Vapi-Secret": {secret}},
			"hmac":          sign(secret),
		} {
			if err := webhook.Verify(h, body, now, current, previous); err != nil {
				t.Errorf("%s with %s: %v", name, secret, err)
			}
		}
	}
	for name, h := range map[string]http.Header{
		"bearer, other secret":  {"Authorization": {"Bearer guess"}},
		"bearer, no prefix":     {"Authorization": {current}},
		"basic":                 {"Authorization": {"Basic " + current}},
		"previous unset, guess": {"X-Vapi-Secret": {""}},
		"hmac, other secret":    sign("guess"),
	} {
		if err := webhook.Verify(h, body, now, current, ""); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := webhook.Verify(http.Header{"Authorization": {"Bearer " + previous}}, body, now, current, ""); err == nil {
		t.Error("previous secret accepted after the rotation ended")
	}
	e := apitest.New(t, apitest.Options{})
	if st, _ := postRead(t, e, body, map[string]string{"Authorization": "Bearer " + apitest.WebhookSecret}); st != http.StatusOK {
		t.Errorf("bearer over HTTP: %d", st)
	}
}

// TestB7EchoedConfigNeverFailsAMessage: oddly typed values in the
// configuration Vapi echoes back (timeoutSeconds 7.5, a non-string
// header, an object successEvaluation) must not cost the outcome.
func TestB7EchoedConfigNeverFailsAMessage(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	callID := seedCall(t, e, "prov-b7")
	body := fmt.Sprintf(`{"message":{"type":"end-of-call-report","endedReason":"customer-ended-call","cost":0.5,
		"analysis":{"summary":"fine","successEvaluation":{"score":7}},
		"call":{"id":"prov-b7","assistantOverrides":{"metadata":{"autolynxCallId":%q},
		  "server":{"url":"https://x.test","timeoutSeconds":7.5,"headers":{"X-Retries":3}},"variableValues":[1,2]},
		  "customer":{"number":12345},"costs":"n/a","createdAt":"yesterday"}}}`, callID)
	if st, answer := postRead(t, e, []byte(body), withSecret); st != http.StatusOK {
		t.Fatalf("webhook: %d %s", st, answer)
	}
	f := final(t, e, callID)
	if f.Status != "ENDED" || f.Cost != 0.5 || f.Summary != "fine" || f.Success != `{"score":7}` {
		t.Fatalf("final %+v", f)
	}
	var n int
	_ = e.DB.QueryRow(context.Background(), `select count(*) from call_events where call_id = $1`, callID).Scan(&n)
	if n != 1 {
		t.Fatalf("%d events for the call", n)
	}
}

// TestB5OptOutFromStructuredOutputs: an assistant built the current way
// reports through artifact.structuredOutputs, not the deprecated
// analysis.structuredData; a person who opted out there is not redialed,
// even when the deprecated field is sent too (as Vapi may, and the
// simulator does) without the opt-out. The current field is the one
// stored.
func TestB5OptOutFromStructuredOutputs(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ outputs, data string }{
		"named output":  {outputs: `{"0a1b":{"name":"optOut","result":true}}`},
		"object result": {outputs: `{"0a1b":{"name":"callOutcome","result":{"interested":false,"doNotCall":true}}}`},
		"both, opt-out only in outputs": {
			outputs: `{"0a1b":{"name":"optOut","result":true}}`,
			data:    `{"interested":false}`,
		},
	} {
		e := apitest.New(t, apitest.Options{})
		callID := seedCall(t, e, "prov-b5")
		if _, err := e.DB.Exec(context.Background(), `update campaigns set auto_dnc_on_opt_out = true`); err != nil {
			t.Fatal(err)
		}
		analysis := `{}`
		if tc.data != "" {
			analysis = `{"structuredData":` + tc.data + `}`
		}
		body := fmt.Sprintf(`{"message":{"type":"end-of-call-report","endedReason":"customer-ended-call",
			"artifact":{"structuredOutputs":%s,"recording":{"mono":{"combinedUrl":"https://storage.vapi.test/m.wav"}}},
			"analysis":%s,"call":{"id":"prov-b5","assistantOverrides":{"metadata":{"autolynxCallId":%q}}}}}`, tc.outputs, analysis, callID)
		if st, answer := postRead(t, e, []byte(body), withSecret); st != 200 {
			t.Fatalf("%s: webhook %d %s", name, st, answer)
		}
		var listed int
		_ = e.DB.QueryRow(context.Background(), `select count(*) from dnc where source = 'opt-out'`).Scan(&listed)
		if listed != 1 {
			t.Errorf("%s: %d numbers listed, want 1", name, listed)
		}
		if f := final(t, e, callID); f.Recording != "https://storage.vapi.test/m.wav" {
			t.Errorf("%s: recording %q", name, f.Recording)
		}
		var stored bool
		_ = e.DB.QueryRow(context.Background(), `select structured_data = $2::jsonb from calls where id = $1`, callID, tc.outputs).Scan(&stored)
		if !stored {
			t.Errorf("%s: structured data stored is not artifact.structuredOutputs", name)
		}
	}
}

// TestH3AnyJSONVapiSendsIsStored: a lone surrogate (a string cut inside
// an emoji by JavaScript), invalid UTF-8 and NUL inside strings are all
// valid to encoding/json and refused by Postgres; the outcome must be
// stored anyway, with U+FFFD in their place, and the event kept.
func TestH3AnyJSONVapiSendsIsStored(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	callID := seedCall(t, e, "prov-h3")
	body := fmt.Sprintf(`{"message":{"type":"end-of-call-report","endedReason":"customer-ended-call","cost":0.2,
		"artifact":{"transcript":"AI: Hi \ud83d`+"\xff"+`","messages":[{"role":"user","message":"\udc00 x\u0000"}]},
		"analysis":{"summary":"cut \ud83d\u0000","structuredData":{"note\u0000":"\ud83d"}},
		"note":"`+"\xfe\xff"+`",
		"call":{"id":"prov-h3","assistantOverrides":{"metadata":{"autolynxCallId":%q}}}}}`, callID)
	if st, answer := postRead(t, e, []byte(body), withSecret); st != http.StatusOK {
		t.Fatalf("webhook: %d %s", st, answer)
	}
	f := final(t, e, callID)
	if f.Status != "ENDED" || f.Cost != 0.2 || f.Summary != "cut \ufffd\ufffd" || !bytes.Contains([]byte(f.Transcript), []byte(`Hi \ufffd`)) && !bytes.Contains([]byte(f.Transcript), []byte("Hi \ufffd")) {
		t.Fatalf("final %+v", f)
	}
	var events int
	_ = e.DB.QueryRow(context.Background(), `select count(*) from call_events where call_id = $1 and payload::text like '%prov-h3%'`, callID).Scan(&events)
	if events != 1 {
		t.Fatalf("%d events kept", events)
	}
}

// TestM1WebhookValuesAreValidated: values no real call can have are
// dropped (and the rest of the news kept); a message whose ids are not
// plain text, or whose Vapi id disagrees with the call our id names,
// changes nothing but is still logged.
func TestM1WebhookValuesAreValidated(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	report := func(prov, callID, extra string) []byte {
		return fmt.Appendf(nil, `{"message":{"type":"end-of-call-report","endedReason":"customer-ended-call",%s
			"call":{"id":%q,"assistantOverrides":{"metadata":{"autolynxCallId":%q}}}}}`, extra, prov, callID)
	}
	read := func(callID string) (status string, cost *float64, recording *string) {
		if err := e.DB.QueryRow(context.Background(), `select status, cost::float8, recording_url from calls where id = $1`, callID).
			Scan(&status, &cost, &recording); err != nil {
			t.Fatal(err)
		}
		return
	}
	for name, extra := range map[string]string{
		"negative cost": `"cost":-5,"artifact":{"recordingUrl":"javascript:alert(1)"},`,
		"huge cost":     `"cost":1e9,"durationSeconds":1e12,"artifact":{"recording":{"mono":{"combinedUrl":"http://evil.example/a.wav"}}},`,
		"10000 cost":    `"cost":10000,"artifact":{"recordingUrl":"data:audio/wav;base64,AAAA"},`,
		"relative url":  `"cost":-0.01,"artifact":{"recordingUrl":"//evil.example/a.wav"},`,
	} {
		prov := "prov-m1-" + name
		callID := seedCall(t, e, prov)
		if st, answer := postRead(t, e, report(prov, callID, extra), withSecret); st != http.StatusOK {
			t.Errorf("%s: %d %s", name, st, answer)
			continue
		}
		status, cost, recording := read(callID)
		if status != "ENDED" || cost != nil || recording != nil {
			t.Errorf("%s: status %s cost %v recording %v, want ENDED without cost or recording", name, status, cost, recording)
		}
	}
	// Sane values are kept; the local runner's loopback http is allowed
	// (this backend runs in local mode), any other http is not.
	callID := seedCall(t, e, "prov-m1-ok")
	if st, _ := postRead(t, e, report("prov-m1-ok", callID, `"cost":9999.5,"artifact":{"recordingUrl":"http://127.0.0.1:9/storage/x/mono.wav"},`), withSecret); st != 200 {
		t.Fatalf("sane report: %d", st)
	}
	if status, cost, recording := read(callID); status != "ENDED" || cost == nil || *cost != 9999.5 || recording == nil {
		t.Errorf("sane report: %s %v %v", status, cost, recording)
	}

	// Identity: control characters in the type or the ids, and a Vapi id
	// that disagrees with the call our id names.
	victim := seedCall(t, e, "prov-m1-victim")
	for name, body := range map[string][]byte{
		"NUL in type":      fmt.Appendf(nil, `{"message":{"type":"status-update\u0000","status":"ended","endedReason":"customer-busy","call":{"id":"prov-m1-victim"}}}`),
		"control in id":    fmt.Appendf(nil, `{"message":{"type":"status-update","status":"ended","endedReason":"customer-busy","call":{"id":"prov-m1-victim\n"}}}`),
		"NUL in id":        fmt.Appendf(nil, `{"message":{"type":"status-update","status":"ended","endedReason":"customer-busy","call":{"id":"prov\u0000"}}}`),
		"other Vapi call":  report("prov-m1-intruder", victim, `"cost":1,`),
		"other of our ids": report("prov-m1-victim", uuid.NewString(), `"cost":1,`),
	} {
		before := events(t, e)
		if st, answer := postRead(t, e, body, withSecret); st != http.StatusOK {
			t.Errorf("%s: %d %s, want 200 (logged, ignored)", name, st, answer)
		}
		if events(t, e) != before+1 {
			t.Errorf("%s: not kept in the event log", name)
		}
		if status, cost, _ := read(victim); status != "QUEUED" || cost != nil {
			t.Errorf("%s: changed the call: %s %v", name, status, cost)
		}
	}
}

// TestM7UnhandledMessagesStoredByNameOnly (security review M7): an
// imported assistant's own subscriptions reach us. A type we do not act
// on, like conversation-update with the whole conversation so far, is
// logged as its type and call id only, changes nothing on the call, and
// is answered as its type requires: {"ok": true} when it expects no
// answer, the documented error field for a tool call.
func TestM7UnhandledMessagesStoredByNameOnly(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	callID := seedCall(t, e, "prov-m7")
	row := func() string {
		var s string
		if err := e.DB.QueryRow(context.Background(), `select to_jsonb(c)::text from calls c where id = $1`, callID).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := row()
	turns := make([]string, 2000)
	for i := range turns {
		turns[i] = `{"role":"user","message":"I said something at turn ` + fmt.Sprint(i) + `"}`
	}
	call := fmt.Sprintf(`{"id":"prov-m7","assistantOverrides":{"metadata":{"autolynxCallId":%q}}}`, callID)
	for typ, want := range map[string]string{
		"conversation-update": `{"ok":true}`,
		"tool-calls":          `{"error":` + fmt.Sprintf("%q", webhook.Declined("tool-calls")) + `}`,
	} {
		body := fmt.Sprintf(`{"message":{"type":%q,"status":"ended","endedReason":"customer-busy","cost":3,
			"artifact":{"messages":[%s]},"messages":[%s],"call":%s}}`, typ, strings.Join(turns, ","), strings.Join(turns, ","), call)
		st, answer := postRead(t, e, []byte(body), withSecret)
		if st != http.StatusOK || strings.TrimSpace(answer) != want {
			t.Errorf("%s: %d %s, want 200 %s", typ, st, answer, want)
		}
		var stored string
		if err := e.DB.QueryRow(context.Background(), `select payload::text from call_events where type = $1`, typ).Scan(&stored); err != nil {
			t.Fatalf("%s: not logged: %v", typ, err)
		}
		var got, expected any
		_ = json.Unmarshal([]byte(stored), &got)
		_ = json.Unmarshal(fmt.Appendf(nil, `{"type":%q,"call":{"id":"prov-m7"}}`, typ), &expected)
		if fmt.Sprint(got) != fmt.Sprint(expected) {
			t.Errorf("%s: stored %.200s, want its type and call id only", typ, stored)
		}
	}
	if after := row(); after != before {
		t.Errorf("the call changed:\n%s\n%s", before, after)
	}
}

// TestB7WronglyTypedNeededFieldIsVisible: echoed configuration is read
// leniently, but a value we need (status, endedReason, cost) of the wrong
// type must not vanish without a trace: the message is kept in the event
// log, a warning names the field (and carries nothing about the person),
// and that field changes nothing on the call.
func TestB7WronglyTypedNeededFieldIsVisible(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	callID := seedCall(t, e, "prov-b7s")
	call := fmt.Sprintf(`{"id":"prov-b7s","customer":{"number":"+14155550123","name":"Ada Person"},
		"assistantOverrides":{"metadata":{"autolynxCallId":%q}}}`, callID)
	for _, tc := range []struct{ field, body string }{
		{"status", `{"message":{"type":"status-update","status":{"value":"in-progress"},"call":` + call + `}}`},
		{"cost", `{"message":{"type":"end-of-call-report","endedReason":"customer-ended-call","cost":"0.50",
			"artifact":{"transcript":"AI: Hello Ada Person"},"call":` + call + `}}`},
		{"endedReason", `{"message":{"type":"end-of-call-report","endedReason":42,"cost":0.5,"call":` + call + `}}`},
	} {
		field, body := tc.field, tc.body
		before := events(t, e)
		if st, answer := postRead(t, e, []byte(body), withSecret); st != http.StatusOK {
			t.Fatalf("%s: %d %s", field, st, answer)
		}
		if events(t, e) != before+1 {
			t.Errorf("%s: message not kept in the event log", field)
		}
		if !slices.ContainsFunc(strings.Split(e.LogBuf.String(), "\n"), func(line string) bool {
			return strings.Contains(line, "WARN") && strings.Contains(line, `"fields":["`+field+`"]`)
		}) {
			t.Errorf("%s: no warning names the field", field)
		}
		var status, reason string
		var cost *float64
		_ = e.DB.QueryRow(context.Background(), `select status, coalesce(ended_reason, ''), cost::float8 from calls where id = $1`, callID).
			Scan(&status, &reason, &cost)
		switch field {
		case "status":
			if status != "QUEUED" {
				t.Errorf("status: call moved to %s", status)
			}
		case "cost":
			if cost != nil {
				t.Errorf("cost: stored %v", *cost)
			}
		case "endedReason":
			if reason != "customer-ended-call" {
				t.Errorf("endedReason: stored %q", reason)
			}
		}
	}
	for _, leak := range []string{"4155550123", "Ada Person"} {
		if strings.Contains(e.LogBuf.String(), leak) {
			t.Errorf("logs contain %q", leak)
		}
	}
}
