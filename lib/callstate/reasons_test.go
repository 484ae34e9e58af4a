package callstate

import (
	"encoding/json"
	"os"
	"testing"
)

// endedReasonEnums reads the endedReason enum of every schema that has one
// from Vapi's vendored OpenAPI document.
func endedReasonEnums(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile("../vapi/testdata/vapi-openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties struct {
					EndedReason struct {
						Enum []string `json:"enum"`
					} `json:"endedReason"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, name := range []string{"Call", "ServerMessageStatusUpdate", "ServerMessageEndOfCallReport"} {
		enum := doc.Components.Schemas[name].Properties.EndedReason.Enum
		if len(enum) < 100 {
			t.Fatalf("%s.endedReason has %d values; the document changed shape", name, len(enum))
		}
		out[name] = enum
	}
	return out
}

// TestEndedReasonTableCoversOpenAPIEnum walks every endedReason Vapi
// documents: each must be in the table, so a new reason is a decision
// rather than a guess.
func TestEndedReasonTableCoversOpenAPIEnum(t *testing.T) {
	t.Parallel()
	for schema, enum := range endedReasonEnums(t) {
		for _, r := range enum {
			e, ok := LookupEnding(r)
			if !ok {
				t.Errorf("%s.endedReason %q is not in the table", schema, r)
				continue
			}
			if e.Disposition == "" || e.Disposition == "timeout" {
				t.Errorf("%q maps to disposition %q", r, e.Disposition)
			}
			if e.Refusal != NotRefused && !e.Redialable {
				t.Errorf("%q is a refusal but not redialable", r)
			}
		}
	}
}

// TestReachedCustomersAreNeverRedialedAsNoAnswer pins the reasons the
// substring rules got wrong (audit B1) and the refusals of B2.
func TestReachedCustomersAreNeverRedialedAsNoAnswer(t *testing.T) {
	t.Parallel()
	cases := []struct {
		reason      string
		disposition string
		redialable  bool
		refusal     Refusal
	}{
		{"call.forwarding.operator-busy", "answered", false, NotRefused},
		{"call.forwarding.no-answer", "answered", false, NotRefused},
		{"call.in-progress.error-vapifault-eleven-labs-system-busy-and-requested-upgrade", "failed", false, NotRefused},
		{"call.in-progress.error-providerfault-eleven-labs-system-busy-and-requested-upgrade", "failed", false, NotRefused},
		{"pipeline-error-eleven-labs-system-busy-and-requested-upgrade", "failed", false, NotRefused},
		{"pipeline-error-openai-llm-failed", "failed", false, NotRefused},
		{"assistant-join-timed-out", "failed", false, NotRefused},
		{"assistant-request-returned-no-assistant", "failed", false, NotRefused},
		{"call.in-progress.twilio-completed-call", "answered", false, NotRefused},
		{"customer-ended-call", "answered", false, NotRefused},
		{"customer-did-not-answer", "no-answer", true, NotRefused},
		{"call.in-progress.error-providerfault-outbound-sip-480-temporarily-unavailable", "no-answer", true, NotRefused},
		{"customer-busy", "busy", true, NotRefused},
		{"voicemail", "voicemail", true, NotRefused},
		{"manually-canceled", "canceled", false, NotRefused},
		{"twilio-failed-to-connect-call", "failed", false, NotRefused},
		{"call.start.error-subscription-insufficient-credits", "failed", true, AccountRefusal},
		{"call.start.error-subscription-frozen", "failed", true, AccountRefusal},
		{"call.start.error-fraud-check-failed", "failed", true, AccountRefusal},
		{"call.start.error-vapi-number-outbound-daily-limit", "failed", true, AccountRefusal},
		{"assistant-not-found", "failed", true, AccountRefusal},
		{"call.start.error-subscription-concurrency-limit-reached", "failed", true, VapiFault},
		{"call.in-progress.error-vapifault-worker-died", "failed", true, VapiFault},
		{"worker-shutdown", "failed", true, VapiFault},
		{"call.start.error-vapifault-database-error", "failed", true, VapiFault},
	}
	for _, c := range cases {
		e := Classify(c.reason)
		if e.Disposition != c.disposition || e.Redialable != c.redialable || e.Refusal != c.refusal {
			t.Errorf("%s: %+v, want %s redialable=%v refusal=%v", c.reason, e, c.disposition, c.redialable, c.refusal)
		}
		if Disposition(c.reason) != c.disposition {
			t.Errorf("Disposition(%s) = %s", c.reason, Disposition(c.reason))
		}
		if e.Refusal == AccountRefusal && e.Why == "" {
			t.Errorf("%s: an account refusal needs a reason a person understands", c.reason)
		}
	}
	if e := Classify("some-brand-new-reason"); e.Disposition != "unknown" || e.Redialable {
		t.Errorf("unknown reason: %+v", e)
	}
}
