package scheduler

import (
	"fmt"
	"testing"

	"github.com/autolynx/autolynx/lib/vapi"
)

// TestB2RefusalsAtPostCallAreClassified: which 400s pause the campaign,
// which back off, which fail it and which fail only the contact.
func TestB2RefusalsAtPostCallAreClassified(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status               int
		msg                  string
		account, concurrency bool
		campaign             bool
	}{
		{400, "customer.number must be a valid phone number in the E.164 format. Hot tip, you may be missing the country code (Eg. US: +1).", false, false, false},
		{400, "Over Concurrency Limit", false, true, false},
		{400, "Your account has insufficient credits to make this call.", true, false, false},
		{400, "Subscription frozen: please update your billing details", true, false, false},
		{400, "Daily outbound call limit reached for this phone number", true, false, false},
		{400, "Couldn't Get Assistant. `assistantId` 1 Does Not Exist.", false, false, true},
		{400, "Couldn't Get Phone Number. Does Not Exist.", false, false, true},
		{404, "Not Found", false, false, true},
	}
	for _, c := range cases {
		err := fmt.Errorf("create call: %w", &vapi.RejectedError{Status: c.status, Message: c.msg})
		if got := isAccountRefusal(err) && !isConcurrencyRefusal(err); got != c.account {
			t.Errorf("%q: account refusal %v, want %v", c.msg, got, c.account)
		}
		if got := isConcurrencyRefusal(err); got != c.concurrency {
			t.Errorf("%q: concurrency %v, want %v", c.msg, got, c.concurrency)
		}
		if got := !c.account && !c.concurrency && isAssistantProblem(err); got != c.campaign {
			t.Errorf("%q: campaign problem %v, want %v", c.msg, got, c.campaign)
		}
	}
	for msg, want := range map[string]string{
		"insufficient credits":    "Vapi: insufficient credits — add credits, then Resume",
		"Wallet does not exist":   "Vapi refused calls for the account (Wallet does not exist) — fix it in Vapi, then Resume",
		"the subscription frozen": "Vapi: the subscription is frozen — settle billing in Vapi, then Resume",
	} {
		if got := accountRefusalReason(&vapi.RejectedError{Status: 400, Message: msg}); got != want {
			t.Errorf("%q: reason %q, want %q", msg, got, want)
		}
	}
}
