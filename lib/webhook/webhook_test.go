package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/lib/webhook"
)

func TestMain(m *testing.M) { apitest.Main(m) }

func post(e *apitest.Env, body []byte, headers map[string]string) int {
	req, _ := http.NewRequest(http.MethodPost, e.Server.URL+"/api/webhooks/vapi", bytes.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func events(t *testing.T, e *apitest.Env) int {
	var n int
	if err := e.DB.QueryRow(context.Background(), `select count(*) from call_events where source = 'webhook'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func signed(body []byte, at time.Time) map[string]string {
	ts := strconv.FormatInt(at.Unix(), 10)
	return map[string]string{"x-timestamp": ts, "x-signature": webhook.Sign(apitest.WebhookSecret, ts, body)}
}

func TestWebhookAuthentication(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	body := []byte(`{"message":{"type":"hang","call":{"id":"unknown-call"}}}`)
	other := []byte(`{"message":{"type":"status-update","status":"ended","endedReason":"customer-busy","call":{"id":"unknown-call"}}}`)
	now := time.Now()
	refused := map[string]map[string]string{
		"missing":            nil,
		"wrong secret":       {"X-Vapi-Secret": "guess"},
		"stale signature":    signed(body, now.Add(-10*time.Minute)),
		"future signature":   signed(body, now.Add(10*time.Minute)),
		"bad signature":      {"x-timestamp": strconv.FormatInt(now.Unix(), 10), "x-signature": "00ff"},
		"signature, no ts":   {"x-signature": signed(body, now)["x-signature"]},
		"replayed, new body": signed(body, now), // signed for body, sent with other
	}
	for name, h := range refused {
		payload := body
		if name == "replayed, new body" {
			payload = other
		}
		if st := post(e, payload, h); st != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, st)
		}
	}
	if n := events(t, e); n != 0 {
		t.Fatalf("refused webhooks stored %d events", n)
	}
	if st := post(e, body, map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}); st != 200 {
		t.Errorf("X-Vapi-Secret: %d", st)
	}
	if st := post(e, body, signed(body, now)); st != 200 {
		t.Errorf("HMAC (seconds): %d", st)
	}
	ms := strconv.FormatInt(now.UnixMilli(), 10)
	if st := post(e, body, map[string]string{"x-timestamp": ms, "x-signature": webhook.Sign(apitest.WebhookSecret, ms, body)}); st != 200 {
		t.Errorf("HMAC (milliseconds): %d", st)
	}
	if st := post(e, []byte(`{"hello":1}`), map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}); st != http.StatusBadRequest {
		t.Errorf("not an envelope: %d, want 400", st)
	}
	// Unknown calls and types are acknowledged and kept in the event log.
	if n := events(t, e); n != 3 {
		t.Errorf("events = %d, want 3", n)
	}
}

// seedCall makes a campaign with one contact whose attempt Vapi accepted
// as providerID; it returns our call id.
func seedCall(t *testing.T, e *apitest.Env, providerID string) string {
	t.Helper()
	asst := e.CreateAssistant("Webhook")
	c := e.CreateCampaign(map[string]string{"name": "wh", "assistantId": asst}, apitest.Contacts(1))
	var callID string
	err := e.DB.QueryRow(context.Background(), `
		with k as (select id from contacts where campaign_id = $1),
		c as (insert into calls (campaign_id, contact_id, status, phone_number_id, provider_call_id)
		      select $1, k.id, 'QUEUED', 'test-phone-number', $2 from k returning id, contact_id),
		u as (update contacts set last_call_id = c.id, attempts = 1 from c where contacts.id = c.contact_id)
		select id from c`, c.CampaignID, providerID).Scan(&callID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.Exec(context.Background(), `update campaigns set status = 'DIALING' where id = $1`, c.CampaignID); err != nil {
		t.Fatal(err)
	}
	return callID
}

func messages(providerID, callID string) [][]byte {
	call := fmt.Sprintf(`{"id":%q,"assistantOverrides":{"metadata":{"autolynxCallId":%q}}}`, providerID, callID)
	msgs := []string{
		`{"message":{"type":"status-update","status":"queued","call":` + call + `}}`,
		`{"message":{"type":"status-update","status":"ringing","call":` + call + `}}`,
		`{"message":{"type":"status-update","status":"in-progress","call":` + call + `}}`,
		`{"message":{"type":"speech-update","status":"started","role":"user","call":` + call + `}}`,
		`{"message":{"type":"status-update","status":"ended","endedReason":"customer-ended-call","call":` + call + `}}`,
		`{"message":{"type":"end-of-call-report","endedReason":"customer-ended-call","cost":0.1234,
		  "startedAt":"2026-11-25T10:00:00Z","endedAt":"2026-11-25T10:01:30Z","durationSeconds":90,
		  "artifact":{"transcript":"AI: Hi\nUser: Hello","recordingUrl":"https://rec.example/1.wav",
		    "messages":[{"role":"system","message":"secret prompt"},{"role":"bot","message":"Hi"},{"role":"user","message":"Hello"}]},
		  "analysis":{"summary":"Greeted.","successEvaluation":true},"call":` + call + `}}`,
	}
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		out[i] = []byte(m)
	}
	return out
}

type finalState struct {
	Status, EndedReason, Disposition, Recording, Summary, Success string
	Cost, Duration                                                float64
	Transcript                                                    string
	Campaign                                                      string
}

func final(t *testing.T, e *apitest.Env, callID string) finalState {
	var f finalState
	err := e.DB.QueryRow(context.Background(), `
		select l.status, l.ended_reason, l.disposition, coalesce(l.recording_url, ''), coalesce(l.summary, ''),
		  coalesce(l.success_evaluation, ''), coalesce(l.cost, 0)::float8, coalesce(l.duration_seconds, 0)::float8,
		  coalesce(l.transcript::text, ''), c.status
		from calls l join campaigns c on c.id = l.campaign_id where l.id = $1`, callID).Scan(
		&f.Status, &f.EndedReason, &f.Disposition, &f.Recording, &f.Summary, &f.Success, &f.Cost, &f.Duration, &f.Transcript, &f.Campaign)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The same messages in order, reversed, shuffled with duplicates: the
// call ends in the same state, and every accepted message is logged.
func TestWebhooksAreIdempotentAndOrderProof(t *testing.T) {
	t.Parallel()
	orders := map[string]func([][]byte) [][]byte{
		"in order": func(m [][]byte) [][]byte { return m },
		"reversed": func(m [][]byte) [][]byte {
			out := make([][]byte, len(m))
			for i := range m {
				out[len(m)-1-i] = m[i]
			}
			return out
		},
		"shuffled ×3": func(m [][]byte) [][]byte {
			var out [][]byte
			for range 3 {
				out = append(out, m...)
			}
			r := rand.New(rand.NewPCG(42, 7))
			r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
			return out
		},
	}
	var want *finalState
	for name, order := range orders {
		e := apitest.New(t, apitest.Options{})
		callID := seedCall(t, e, "prov-"+name)
		sent := order(messages("prov-"+name, callID))
		for _, m := range sent {
			if st := post(e, m, map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}); st != 200 {
				t.Fatalf("%s: webhook %d", name, st)
			}
		}
		got := final(t, e, callID)
		if got.Status != "ENDED" || got.Disposition != "answered" || got.Cost != 0.1234 || got.Duration != 90 ||
			got.Success != "true" || got.Campaign != "COMPLETED" {
			t.Errorf("%s: final %+v", name, got)
		}
		var tr struct {
			Text     string
			Messages []map[string]any
		}
		_ = json.Unmarshal([]byte(got.Transcript), &tr)
		if len(tr.Messages) != 2 {
			t.Errorf("%s: transcript keeps %d turns, want 2 (system prompt dropped)", name, len(tr.Messages))
		}
		if n := events(t, e); n != len(sent) {
			t.Errorf("%s: %d events logged, want %d", name, n, len(sent))
		}
		if want == nil {
			want = &got
		} else if got != *want {
			t.Errorf("%s: final state differs:\n got %+v\nwant %+v", name, got, *want)
		}
	}
}

// A message that names only our id (the provider id was not stored yet
// because the tick is still waiting for Vapi's answer) finds the call.
func TestWebhookFindsTheCallByOurMetadataID(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	callID := seedCall(t, e, "")
	if _, err := e.DB.Exec(context.Background(), `update calls set provider_call_id = null, status = 'PENDING' where id = $1`, callID); err != nil {
		t.Fatal(err)
	}
	msg := messages("prov-late", callID)[1] // ringing
	if st := post(e, msg, map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}); st != 200 {
		t.Fatalf("webhook: %d", st)
	}
	var status, provider string
	_ = e.DB.QueryRow(context.Background(), `select status, provider_call_id from calls where id = $1`, callID).Scan(&status, &provider)
	if status != "RINGING" || provider != "prov-late" {
		t.Fatalf("call = %s %s, want RINGING prov-late", status, provider)
	}
}

// A person who asks not to be called again (the assistant's analysis sets
// optOut) lands on the do-not-call list when the campaign enables it.
func TestOptOutAddsToDoNotCall(t *testing.T) {
	t.Parallel()
	for _, enabled := range []bool{true, false} {
		e := apitest.New(t, apitest.Options{})
		callID := seedCall(t, e, "prov-optout")
		_, err := e.DB.Exec(context.Background(), `update campaigns set auto_dnc_on_opt_out = $1`, enabled)
		if err != nil {
			t.Fatal(err)
		}
		body := fmt.Sprintf(`{"message":{"type":"end-of-call-report","endedReason":"customer-ended-call",
			"analysis":{"structuredData":{"optOut":true}},
			"call":{"id":"prov-optout","assistantOverrides":{"metadata":{"autolynxCallId":%q}}}}}`, callID)
		if st := post(e, []byte(body), map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}); st != 200 {
			t.Fatalf("webhook: %d", st)
		}
		var listed int
		_ = e.DB.QueryRow(context.Background(), `select count(*) from dnc where source = 'opt-out'`).Scan(&listed)
		if (listed == 1) != enabled {
			t.Errorf("auto-DNC %v: %d numbers listed", enabled, listed)
		}
	}
}

// A call Vapi refused for the account's concurrency limit never rang: the
// contact is due again at once, even with a single attempt allowed.
func TestConcurrencyBlockedCallIsRetried(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	callID := seedCall(t, e, "prov-blocked")
	if _, err := e.DB.Exec(context.Background(), `update campaigns set max_attempts = 1`); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"message":{"type":"status-update","status":"ended",
		"endedReason":"call.start.error-subscription-concurrency-limit-reached",
		"call":{"id":"prov-blocked","assistantOverrides":{"metadata":{"autolynxCallId":%q}}}}}`, callID)
	if st := post(e, []byte(body), map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}); st != 200 {
		t.Fatalf("webhook: %d", st)
	}
	var due bool
	if err := e.DB.QueryRow(context.Background(), `select next_attempt_at is not null from contacts`).Scan(&due); err != nil || !due {
		t.Fatalf("blocked contact due again: %v (%v)", due, err)
	}
}

// Payload oddities never keep a call from ending: NUL characters (which
// Postgres refuses) become U+FFFD, and our secret, echoed back in the call's
// server headers, is not stored.
func TestWebhookPayloadIsStoredSafely(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	callID := seedCall(t, e, "prov-odd")
	body := fmt.Sprintf(`{"message":{"type":"end-of-call-report","endedReason":"customer-ended-call",
		"artifact":{"transcript":"AI: Hi\u0000 there","messages":[{"role":"bot","message":"Hi\u0000"}]},
		"analysis":{"summary":"ok\u0000"},
		"call":{"id":"prov-odd","assistantOverrides":{"metadata":{"autolynxCallId":%q},
		  "server":{"url":"https://x.test","headers":{"X-Vapi-Secret":%q}}}}}}`, callID, apitest.WebhookSecret)
	if st := post(e, []byte(body), map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}); st != 200 {
		t.Fatalf("webhook: %d", st)
	}
	var status, summary string
	if err := e.DB.QueryRow(context.Background(), `select status, summary from calls where id = $1`, callID).Scan(&status, &summary); err != nil || status != "ENDED" || summary != "ok\ufffd" {
		t.Fatalf("call %s %q (%v), want ENDED with its summary", status, summary, err)
	}
	var leaks int
	_ = e.DB.QueryRow(context.Background(), `select count(*) from call_events where payload::text like '%' || $1 || '%'`, apitest.WebhookSecret).Scan(&leaks)
	if leaks != 0 {
		t.Fatalf("%d stored events contain the webhook secret", leaks)
	}
}

// A bare "ended" status followed by the report with its reason still gets
// the redial the reason calls for.
func TestRetryDecidedWhenTheReasonArrivesLate(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	callID := seedCall(t, e, "prov-late-reason")
	call := fmt.Sprintf(`{"id":"prov-late-reason","assistantOverrides":{"metadata":{"autolynxCallId":%q}}}`, callID)
	for _, m := range []string{
		`{"message":{"type":"status-update","status":"ended","call":` + call + `}}`,
		`{"message":{"type":"end-of-call-report","endedReason":"customer-did-not-answer","call":` + call + `}}`,
	} {
		if st := post(e, []byte(m), map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}); st != 200 {
			t.Fatalf("webhook: %d", st)
		}
	}
	var due bool
	if err := e.DB.QueryRow(context.Background(), `select next_attempt_at is not null from contacts`).Scan(&due); err != nil || !due {
		t.Fatalf("no-answer not scheduled for a redial: %v (%v)", due, err)
	}
}
