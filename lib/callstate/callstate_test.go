package callstate

import "testing"

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
