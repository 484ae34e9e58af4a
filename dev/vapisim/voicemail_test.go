package vapisim

import (
	"context"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/lib/vapi"
)

// TestVoicemailDetectionAndScreening: a voicemail ends as "voicemail"
// only when the call asks for detection, silently or after the call's
// voicemail message (its variables filled in); without detection the
// assistant talks to the greeting and the call ends as a conversation. A
// call-screening service's call ends as one the customer ended, its
// transcript holding the screener's question.
func TestVoicemailDetectionAndScreening(t *testing.T) {
	t.Parallel()
	detect := vapi.VapiVoicemailDetection()
	for _, tc := range []struct {
		name      string
		mix       Mix
		detection *vapi.VoicemailDetection
		message   string
		reason    string
		heard     string // in the transcript
		stats     Stats
	}{
		{"hang up", Mix{Voicemail: 1}, detect, "", "voicemail", voicemailGreeting, Stats{VoicemailsDetected: 1}},
		{"message", Mix{Voicemail: 1}, detect, "Hi {{name}}, please call {{business_name}} back.", "voicemail",
			"AI: Hi Ada, please call Engines Ltd back.", Stats{VoicemailsDetected: 1, VoicemailMessagesLeft: 1}},
		{"no detection", Mix{Voicemail: 1}, nil, "Never said", "customer-ended-call", "AI: Hi Ada, calling about Engines Ltd.", Stats{}},
		{"screened", Mix{Screened: 1}, detect, "", "customer-ended-call", "using a screening service", Stats{Screened: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, Config{Scale: fast, Mix: tc.mix, Seed: 9})
			call, err := e.client.CreateCall(context.Background(), vapi.CreateCallRequest{
				AssistantID: e.assistant, PhoneNumberID: "pn-1",
				Customer: vapi.Customer{Number: "+14155550111", Name: "Ada"},
				AssistantOverrides: &vapi.AssistantOverrides{
					VariableValues:     map[string]any{"name": "Ada", "business_name": "Engines Ltd"},
					ServerMessages:     vapi.ServerMessages(),
					Server:             &vapi.Server{URL: e.hook.srv.URL, Headers: map[string]string{"X-Vapi-Secret": "s3cret"}},
					VoicemailDetection: tc.detection, VoicemailMessage: tc.message,
				},
			})
			if err != nil {
				t.Fatalf("create call: %v", err)
			}
			st := e.settle(t)
			msgs := e.hook.messages()
			last := msgs[len(msgs)-1].msg
			if last.EndedReason != tc.reason || last.Artifact == nil || !strings.Contains(last.Artifact.Transcript, tc.heard) {
				t.Errorf("call %s: reason %q, artifact %+v; want %q and %q heard", call.ID, last.EndedReason, last.Artifact, tc.reason, tc.heard)
			}
			if tc.name == "no detection" && strings.Contains(last.Artifact.Transcript, "Never said") {
				t.Error("a voicemail message was said without detection")
			}
			got := [3]int{st.VoicemailsDetected, st.VoicemailMessagesLeft, st.Screened}
			if got != [3]int{tc.stats.VoicemailsDetected, tc.stats.VoicemailMessagesLeft, tc.stats.Screened} {
				t.Errorf("stats %+v, want %+v", got, tc.stats)
			}
		})
	}
}
