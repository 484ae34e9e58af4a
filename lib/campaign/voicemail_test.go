package campaign_test

import (
	"strings"
	"testing"

	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/vapi"
)

// The message goes on the last attempt maxAttempts allows, or on every
// attempt when a voicemail is never redialed; never with HangUp.
func TestVoicemailLeavesMessage(t *testing.T) {
	t.Parallel()
	msg := campaign.Voicemail{Policy: campaign.MessageLastAttempt, Message: "Hi"}
	redial := []string{"no-answer", "voicemail"}
	for _, tc := range []struct {
		v            campaign.Voicemail
		attempt, max int
		retryOn      []string
		want         bool
	}{
		{msg, 1, 3, redial, false},
		{msg, 3, 3, redial, true},
		{msg, 1, 1, redial, true},
		{msg, 1, 3, []string{"no-answer"}, true},
		{campaign.Voicemail{Policy: campaign.HangUp}, 3, 3, redial, false},
	} {
		if got := tc.v.LeavesMessage(tc.attempt, tc.max, tc.retryOn); got != tc.want {
			t.Errorf("%+v attempt %d of %d, retry %v: %v, want %v", tc.v, tc.attempt, tc.max, tc.retryOn, got, tc.want)
		}
	}
}

// Variables are filled in, missing ones say nothing, and the result is
// cut to what Vapi takes.
func TestVoicemailMessageFor(t *testing.T) {
	t.Parallel()
	v := campaign.Voicemail{Policy: campaign.MessageLastAttempt, Message: "Hi {{ name }}, {{missing}}call {{business_name}} about {{order-id}}."}
	got := v.MessageFor(map[string]any{"name": "Ann", "business_name": "Acme", "order-id": "A17"})
	if got != "Hi Ann, call Acme about A17." {
		t.Errorf("message = %q", got)
	}
	long := campaign.Voicemail{Policy: campaign.MessageLastAttempt, Message: "{{name}}"}
	if got := long.MessageFor(map[string]any{"name": strings.Repeat("😀", vapi.MaxVoicemailMessage)}); len([]rune(got))*2 > vapi.MaxVoicemailMessage {
		t.Errorf("a message of %d characters (UTF-16 %d) passed", len([]rune(got)), len([]rune(got))*2)
	}
}

// A contact's value is said as it is: braces in it cannot make a Liquid
// tag or variable, which Vapi would read in the message.
func TestVoicemailMessageForValuesStayText(t *testing.T) {
	t.Parallel()
	v := campaign.Voicemail{Policy: campaign.MessageLastAttempt, Message: "Hi {{name}}, {{{business_name}} {{note}}"}
	got := v.MessageFor(map[string]any{"name": "{{ customer.number }}", "business_name": "{% if x %}", "note": "}}"})
	if strings.Contains(got, "{{") || strings.Contains(got, "{%") {
		t.Errorf("message = %q: a value made a Liquid tag", got)
	}
}
