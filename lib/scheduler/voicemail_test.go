package scheduler_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/vapi"
)

// TestVoicemailMessageOnlyOnLastAttempt: every call asks Vapi for
// voicemail detection; a campaign whose policy leaves a message says it,
// with the contact's variables, only on the contact's last attempt, and
// counts the message left. A hang-up campaign never leaves one.
func TestVoicemailMessageOnlyOnLastAttempt(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 70, Mix: vapisim.Mix{Voicemail: 1}}})
	asst := e.CreateAssistant("Voicemail")
	fields := func(name string, extra map[string]string) map[string]string {
		f := map[string]string{"name": name, "assistantId": asst, "maxAttempts": "2", "retryDelayMinutes": "5"}
		for k, v := range extra {
			f[k] = v
		}
		return f
	}
	msg := e.CreateCampaign(fields("message", map[string]string{"voicemailPolicy": "message_last_attempt",
		"voicemailMessage": "Hi {{name}}, this is Alex for {{business_name}}. {{missing}}Call us back!"}),
		"name,business_name,phone\nAnn,Acme,"+apitest.Phone(1)+"\n").CampaignID
	hang := e.CreateCampaign(fields("hang up", nil), "name,business_name,phone\nBob,Bco,"+apitest.Phone(2)+"\n").CampaignID
	for _, id := range []string{msg, hang} {
		e.Control(id, "start")
	}
	done := func() bool { return e.Summary(msg).Status == "COMPLETED" && e.Summary(hang).Status == "COMPLETED" }
	for range 20 {
		if done() {
			break
		}
		e.Clock.Advance(6 * time.Minute) // past the redial delay
		e.Tick("")
		e.Eventually(10*time.Second, "", func() bool {
			return e.Summary(msg).Metrics.ActiveCalls == 0 && e.Summary(hang).Metrics.ActiveCalls == 0
		})
	}
	if !done() {
		t.Fatalf("campaigns not completed: %s, %s", e.Summary(msg).Status, e.Summary(hang).Status)
	}
	var said []string
	for _, c := range e.Sim.Calls() {
		o := c.AssistantOverrides
		if o == nil || o.VoicemailDetection == nil || o.VoicemailDetection.Provider != "vapi" {
			t.Errorf("call to %s… without Vapi's voicemail detection: %+v", c.Customer.Number[:6], o)
			continue
		}
		if c.Customer.Number == apitest.Phone(2) && o.VoicemailMessage != "" {
			t.Errorf("the hang-up campaign left %q", o.VoicemailMessage)
		}
		if c.Customer.Number == apitest.Phone(1) {
			said = append(said, o.VoicemailMessage)
		}
	}
	if len(said) != 2 || said[0] != "" || said[1] != "Hi Ann, this is Alex for Acme. Call us back!" {
		t.Errorf("messages of the two attempts = %q; want none, then the message", said)
	}
	s := e.Summary(msg)
	if s.Voicemail.Policy != "message_last_attempt" || s.Metrics.VoicemailMessagesLeft != 1 || s.Metrics.ByDisposition["voicemail"] != 1 {
		t.Errorf("detail: voicemail %+v, messages left %d, by disposition %v", s.Voicemail, s.Metrics.VoicemailMessagesLeft, s.Metrics.ByDisposition)
	}
	if st := e.Sim.Stats(); st.VoicemailMessagesLeft != 1 || st.VoicemailsDetected != 4 {
		t.Errorf("simulator: %d voicemails detected, %d messages left; want 4 and 1", st.VoicemailsDetected, st.VoicemailMessagesLeft)
	}
	if s := e.Summary(hang); s.Voicemail.Policy != "hangup" || s.Metrics.VoicemailMessagesLeft != 0 {
		t.Errorf("hang-up campaign: %+v, %d messages left", s.Voicemail, s.Metrics.VoicemailMessagesLeft)
	}
	e.CheckTallies(msg)
}

// TestVoicemailPolicyRefused: a policy or message Vapi cannot take is a
// 400 naming the field, and no campaign is made.
func TestVoicemailPolicyRefused(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	asst := e.CreateAssistant("Voicemail")
	for _, tc := range []struct {
		fields map[string]string
		field  string
	}{
		{map[string]string{"voicemailPolicy": "leave"}, "voicemailPolicy"},
		{map[string]string{"voicemailPolicy": "message_last_attempt"}, "voicemailMessage"},
		{map[string]string{"voicemailPolicy": "message_last_attempt", "voicemailMessage": strings.Repeat("é", vapi.MaxVoicemailMessage+1)}, "voicemailMessage"},
		{map[string]string{"voicemailPolicy": "message_last_attempt", "voicemailMessage": strings.Repeat("😀", vapi.MaxVoicemailMessage/2+1)}, "voicemailMessage"},
		{map[string]string{"voicemailMessage": "Hi"}, "voicemailMessage"},
	} {
		tc.fields["name"], tc.fields["assistantId"] = "refused", asst
		ct, body := apitest.Multipart(tc.fields, "name,phone\nAnn,"+apitest.Phone(1)+"\n")
		r := e.Send(t, http.MethodPost, "/api/campaigns", e.Operator, ct, body)
		if got := apitest.WantError(t, r, http.StatusBadRequest, "VALIDATION_ERROR"); got.Error.Details["field"] != tc.field {
			t.Errorf("%v: details %v, want field %s", tc.fields, got.Error.Details, tc.field)
		}
	}
	if n := e.Count(t, `select count(*) from campaigns`); n != 0 {
		t.Errorf("%d campaigns made from refused forms", n)
	}
}

// TestScreenedCallsCountedApart: a call a call-screening service took is
// counted as "screened", not as a conversation (nor as a success), and
// like a conversation it is not redialed.
func TestScreenedCallsCountedApart(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 71, Mix: vapisim.Mix{Screened: 1}}})
	asst := e.CreateAssistant("Screened")
	id := e.CreateCampaign(map[string]string{"name": "screened", "assistantId": asst},
		"name,phone\nAnn,"+apitest.Phone(1)+"\nBob,"+apitest.Phone(2)+"\n").CampaignID
	e.Control(id, "start")
	e.Eventually(20*time.Second, id, func() bool {
		s := e.Summary(id)
		return s.Status == "COMPLETED" && s.Metrics.ByDisposition["screened"] == 2
	})
	s := e.Summary(id)
	if s.Metrics.SuccessfulCalls != 0 || s.Metrics.ByDisposition["answered"] != 0 || s.Metrics.RetriesPending != 0 {
		t.Errorf("by disposition %v, successful %d, retries pending %d", s.Metrics.ByDisposition, s.Metrics.SuccessfulCalls, s.Metrics.RetriesPending)
	}
	if n := e.Count(t, `select count(*) from calls where campaign_id = $1`, id); n != 2 {
		t.Errorf("%d calls, want 2 (a screened call is not redialed)", n)
	}
	e.CheckTallies(id)
}

// TestVoicemailMessageCountedWhenAnswerLost: a last attempt whose answer
// from Vapi was lost (the call placed all the same, its outcome learned
// later) still counts the message it left.
func TestVoicemailMessageCountedWhenAnswerLost(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 71, Mix: vapisim.Mix{Voicemail: 1}, Faults: vapisim.Faults{DroppedAnswers: 1}}})
	asst := e.CreateAssistant("Voicemail")
	id := e.CreateCampaign(map[string]string{"name": "message", "assistantId": asst, "maxAttempts": "1",
		"voicemailPolicy": "message_last_attempt", "voicemailMessage": "Hi {{name}}, call us back!"},
		"name,phone\nAnn,"+apitest.Phone(1)+"\n").CampaignID
	e.Control(id, "start")
	e.Eventually(30*time.Second, id, func() bool {
		e.Clock.Advance(time.Minute) // the lost answer is looked up later
		return e.Summary(id).Status == "COMPLETED"
	})
	if said := e.Sim.Calls(); len(said) != 1 || said[0].AssistantOverrides.VoicemailMessage != "Hi Ann, call us back!" {
		t.Fatalf("calls placed: %+v", said)
	}
	if s := e.Summary(id); s.Metrics.VoicemailMessagesLeft != 1 || s.Metrics.ByDisposition["voicemail"] != 1 {
		t.Errorf("messages left %d, by disposition %v; want the 1 voicemail with the message", s.Metrics.VoicemailMessagesLeft, s.Metrics.ByDisposition)
	}
}
