package vapisim

// Voicemail detection, voicemail messages and call screening, as a call's
// assistantOverrides ask for them.
//
// Vapi's voicemail detection is off unless a call (or its assistant)
// names a voicemailDetection plan. With it, a voicemail greeting ends the
// call with endedReason "voicemail": silently, or after the assistant
// says voicemailMessage when one is set. Without it the assistant does not
// notice the machine: it talks to the greeting until the recording ends
// and the call ends as a conversation the customer ended. Assumption:
// Vapi's enum has no ended reason for a call-screening service (a
// phone's assistant that answers for the person and asks who is calling),
// so a screened call ends as "customer-ended-call" after the screener's
// question; only its transcript tells it.

// screenerLines are what a call-screening service says.
var screenerLines = []string{
	"Hi, the person you're calling is using a screening service and will get a copy of this conversation. Go ahead and say your name and why you're calling.",
	"Thanks, stay on the line while I see if this person is available.",
}

// withVoicemail fits the plan to the call's voicemail settings; it draws
// nothing from the call's randomness.
func (p plan) withVoicemail(overrides, assistant map[string]any, vars map[string]any) plan {
	detection := overrides["voicemailDetection"]
	if detection == nil {
		detection = assistant["voicemailDetection"]
	}
	p.detects = detection != nil && detection != "off"
	if msg, _ := overrides["voicemailMessage"].(string); msg != "" {
		p.voicemailMessage = render(msg, vars)
	} else if msg, _ := assistant["voicemailMessage"].(string); msg != "" {
		p.voicemailMessage = render(msg, vars)
	}
	if p.outcome == Voicemail && !p.detects {
		// Nobody noticed the machine: the call lasts the whole greeting and
		// the assistant's talk, and the recording's end hangs up.
		p.reason = "customer-ended-call"
	}
	if p.outcome == Voicemail && p.detects && p.voicemailMessage == "" {
		p.talk = min(p.talk, 6) // hung up as soon as detected
	}
	return p
}

// leftMessage reports whether the call left a voicemail message.
func (p plan) leftMessage() bool {
	return p.refused == "" && p.outcome == Voicemail && p.detects && p.voicemailMessage != ""
}

// unanswered is what a voicemail or a screening service heard.
func (p plan) unanswered(first string) []turn {
	if p.outcome == Screened {
		return []turn{{"user", screenerLines[0]}, {"bot", first}, {"user", screenerLines[1]}}
	}
	switch {
	case !p.detects:
		return []turn{{"user", voicemailGreeting}, {"bot", first}}
	case p.voicemailMessage != "":
		return []turn{{"user", voicemailGreeting}, {"bot", p.voicemailMessage}}
	}
	return []turn{{"user", voicemailGreeting}}
}

// unansweredAnalysis is the post-call analysis of a voicemail or a
// screened call.
func (p plan) unansweredAnalysis() *apiAnalysis {
	summary := "The call reached voicemail; the assistant hung up."
	switch {
	case p.outcome == Screened:
		summary = "A call-screening service answered and asked who was calling; the person did not pick up."
	case !p.detects:
		summary = "The call reached voicemail; the assistant spoke to the greeting."
	case p.voicemailMessage != "":
		summary = "The call reached voicemail; the assistant left a message."
	}
	return &apiAnalysis{Summary: summary, SuccessEvaluation: "false"}
}

// countVoicemail counts a placed call's voicemail and screening outcome;
// the caller holds s.mu.
func (s *Sim) countVoicemail(p plan) {
	if p.refused != "" {
		return
	}
	st := &s.stats
	switch {
	case p.outcome == Screened:
		st.Screened++
	case p.outcome == Voicemail && p.detects:
		st.VoicemailsDetected++
		if p.leftMessage() {
			st.VoicemailMessagesLeft++
		}
	}
}
