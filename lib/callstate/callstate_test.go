package callstate

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestAllowedIsMonotonic(t *testing.T) {
	t.Parallel()
	cases := []struct {
		old, next string
		want      bool
	}{
		{Pending, Queued, true}, {Queued, Ringing, true}, {Ringing, InProgress, true}, {InProgress, Ended, true},
		{Pending, Ended, true}, {Ringing, Queued, false}, {InProgress, Ringing, false},
		{Ended, InProgress, false}, {Ended, Failed, false}, {Failed, Ended, false}, {Canceled, Queued, false},
		{Timeout, Ended, true}, {Timeout, InProgress, false}, {Ended, Ended, false}, {Queued, "", false},
	}
	for _, c := range cases {
		if got := Allowed(c.old, c.next); got != c.want {
			t.Errorf("Allowed(%s, %s) = %v, want %v", c.old, c.next, got, c.want)
		}
	}
}

func TestFromVapiAndDisposition(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status, reason, want, disposition string
	}{
		{"scheduled", "", Queued, ""},
		{"queued", "", Queued, ""},
		{"ringing", "", Ringing, ""},
		{"in-progress", "", InProgress, ""},
		{"forwarding", "", InProgress, ""},
		{"ended", "customer-ended-call", Ended, "answered"},
		{"ended", "assistant-said-end-call-phrase", Ended, "answered"},
		{"ended", "silence-timed-out", Ended, "answered"},
		{"ended", "customer-did-not-answer", Ended, "no-answer"},
		{"ended", "call.in-progress.error-providerfault-outbound-sip-480-temporarily-unavailable", Ended, "no-answer"},
		{"ended", "customer-busy", Ended, "busy"},
		{"ended", "voicemail", Ended, "voicemail"},
		{"ended", "twilio-failed-to-connect-call", Failed, "failed"},
		{"ended", "assistant-not-found", Failed, "failed"},
		{"ended", "call.start.error-subscription-concurrency-limit-reached", Failed, "failed"},
		{"ended", "manually-canceled", Canceled, "canceled"},
		{"ended", "some-brand-new-reason", Ended, "unknown"},
		{"not-found", "", "", ""},
	}
	for _, c := range cases {
		if got := FromVapi(c.status, c.reason); got != c.want {
			t.Errorf("FromVapi(%s, %s) = %q, want %q", c.status, c.reason, got, c.want)
		}
		if got := Disposition(c.reason); got != c.disposition {
			t.Errorf("Disposition(%s) = %q, want %q", c.reason, got, c.disposition)
		}
	}
}

// Security review L12: a transcript is stored within MaxTranscriptBytes
// (an export row must fit one answer), keeping the start of the call and
// saying it was cut, however the text escapes; a normal one is as sent.
func TestLowL12TranscriptBounded(t *testing.T) {
	t.Parallel()
	turn := json.RawMessage(`{"role":"user","message":"` + strings.Repeat("<&>", 100) + `"}`)
	turns := make([]json.RawMessage, 10_000)
	for i := range turns {
		turns[i] = turn
	}
	for name, text := range map[string]string{
		"plain":   strings.Repeat("Hello there. ", 200_000),
		"escaped": strings.Repeat("<", 2<<20),
	} {
		b := Transcript(text, turns)
		var got struct {
			Text      string
			Messages  []json.RawMessage
			Truncated bool
		}
		if len(b) > MaxTranscriptBytes || json.Unmarshal(b, &got) != nil || !got.Truncated {
			t.Errorf("%s: %d bytes, truncated %v", name, len(b), got.Truncated)
			continue
		}
		if !strings.HasPrefix(text, got.Text) || len(got.Messages) == 0 && len(got.Text) == 0 {
			t.Errorf("%s: kept %d bytes of text and %d turns", name, len(got.Text), len(got.Messages))
		}
	}
	small := Transcript("AI: Hi", []json.RawMessage{json.RawMessage(`{"role":"bot","message":"Hi"}`)})
	if string(small) != `{"text":"AI: Hi","messages":[{"role":"bot","message":"Hi"}]}` {
		t.Errorf("small transcript stored as %s", small)
	}
}

func TestRedactMasksEverySecret(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ payload, want string }{
		{`{"headers":{"X-Vapi-Secret":"cur-1"},"b":"Bearer cur-1"}`, `{"headers":{"X-Vapi-Secret":"[redacted]"},"b":"Bearer [redacted]"}`},
		{`{"old":"prev-2","new":"cur-1"}`, `{"old":"[redacted]","new":"[redacted]"}`},
		{`{"status":"queued"}`, `{"status":"queued"}`},
	} {
		if got := string(Redact([]byte(c.payload), "cur-1", "", "prev-2")); got != c.want {
			t.Errorf("Redact(%s) = %s, want %s", c.payload, got, c.want)
		}
	}
}

func TestAllowedFromListsWhatAllowedAllows(t *testing.T) {
	t.Parallel()
	for _, next := range append(Statuses(), "", "ANSWERED") {
		from := strings.Split(strings.Trim(allowedFrom(next), "{}"), ",")
		for _, old := range Statuses() {
			if slices.Contains(from, old) != Allowed(old, next) {
				t.Errorf("allowedFrom(%q) = %s, but Allowed(%s, %q) = %v", next, allowedFrom(next), old, next, Allowed(old, next))
			}
		}
	}
}
