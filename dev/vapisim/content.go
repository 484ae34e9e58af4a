package vapisim

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
)

// Lines of the simulated conversation; {{var}} is filled from variableValues.
const (
	defaultFirstMessage = "Hi {{name}}, this is Alex from AutoLynx. Do you have a minute?"
	pitch               = "We help teams like {{business_name}} reach every customer with AI calls. Could I book you a short demo next week?"
	voicemailGreeting   = "Hi, you've reached my voicemail. Please leave a message after the tone."
	systemPrompt        = "You are Alex, a friendly outbound caller for AutoLynx."
)

var openers = []string{"Sure, what is this about?", "I have a couple of minutes.", "Who is this?", "Okay, go ahead."}

// placeholder matches a Liquid variable such as {{ name }}.
var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_.]+)\s*\}\}`)

// render fills {{var}} from vars; unknown variables render empty, as in Liquid.
func render(tmpl string, vars map[string]any) string {
	return placeholder.ReplaceAllStringFunc(tmpl, func(m string) string {
		if v, ok := vars[placeholder.FindStringSubmatch(m)[1]]; ok && v != nil {
			return fmt.Sprint(v)
		}
		return ""
	})
}

// turn is one line of the conversation.
type turn struct{ role, text string }

// conversation is what was said on the call.
func (p plan) conversation(c *call) []turn {
	first := c.firstMessage
	if first == "" {
		first = defaultFirstMessage
	}
	first = render(first, c.vars)
	switch {
	case p.outcome == Voicemail || p.outcome == Screened:
		return p.unanswered(first)
	case !p.talks():
		return nil
	}
	vars := c.vars
	if s, _ := vars["business_name"].(string); s == "" {
		vars = map[string]any{"business_name": "yours"}
	}
	answer, bye := "Not right now, thanks.", "No problem, thanks for your time. Goodbye!"
	if p.success {
		answer, bye = "Yes, that sounds good. Send me an invite.", "Great, I'll send it over. Have a nice day!"
	}
	return []turn{{"bot", first}, {"user", openers[p.reply]}, {"bot", render(pitch, vars)}, {"user", answer}, {"bot", bye}}
}

// message is an artifact.messages item.
type message struct {
	Role             string  `json:"role"`
	Message          string  `json:"message"`
	Time             int64   `json:"time"`
	EndTime          int64   `json:"endTime,omitempty"`
	SecondsFromStart float64 `json:"secondsFromStart"`
	Duration         float64 `json:"duration,omitempty"`
}

// artifact builds the transcript, messages and recordings, spreading the
// turns over the simulated talk time from started. base and key make the
// storage URLs (unsigned, and presigned until expires).
func (p plan) artifact(c *call, started time.Time, base string, key []byte, expires time.Time) *apiArtifact {
	turns := p.conversation(c)
	if len(turns) == 0 {
		return &apiArtifact{}
	}
	msgs := []message{{Role: "system", Message: systemPrompt, Time: started.UnixMilli()}}
	openai := []map[string]any{{"role": "system", "content": systemPrompt}}
	var transcript strings.Builder
	slot := p.talk / float64(len(turns))
	for i, t := range turns {
		from := float64(i) * slot
		at := started.Add(time.Duration(from * float64(time.Second)))
		msgs = append(msgs, message{
			Role: t.role, Message: t.text, Time: at.UnixMilli(), SecondsFromStart: round(from, 3),
			EndTime: at.Add(time.Duration(slot * 0.8 * float64(time.Second))).UnixMilli(), Duration: round(slot*800, 0),
		})
		who, role := "AI", "assistant"
		if t.role == "user" {
			who, role = "User", "user"
		}
		openai = append(openai, map[string]any{"role": role, "content": t.text})
		fmt.Fprintf(&transcript, "%s: %s\n", who, t.text)
	}
	id := c.v.ID
	sign := func(file string) string { return presignedStorageURL(base, id, file, expires, key) }
	a := &apiArtifact{
		Messages: msgs, MessagesOpenAIFormatted: openai, Transcript: transcript.String(),
		Recording: &apiRecording{
			StereoURL: storageURL(base, id, "stereo.wav"),
			Mono: &apiMono{CombinedURL: storageURL(base, id, "mono.wav"),
				AssistantURL: storageURL(base, id, "assistant.wav"), CustomerURL: storageURL(base, id, "customer.wav")},
		},
		PresignedMonoURL: sign("mono.wav"), PresignedStereoURL: sign("stereo.wav"),
		PresignedAssistantURL: sign("assistant.wav"), PresignedCustomerURL: sign("customer.wav"),
		PresignedURLsExpiresAt: expires,
	}
	if p.outcome == Answered {
		// The current way (artifactPlan.structuredOutputIds): outputs keyed
		// by the structured output's id.
		a.StructuredOutputs = map[string]any{
			structuredOutputID: map[string]any{"name": "callOutcome", "result": map[string]any{"interested": p.success, "demoBooked": p.success}},
		}
	}
	return a
}

// structuredOutputID is the id of the simulator's one structured output.
const structuredOutputID = "5f0a3c1e-7b2d-4e8a-9c6f-0d1e2f3a4b5c"

// analysis is the post-call analysis for the outcome.
func (p plan) analysis() *apiAnalysis {
	switch {
	case (p.outcome == Voicemail || p.outcome == Screened) && p.refused == "":
		return p.unansweredAnalysis()
	case !p.talks():
		return &apiAnalysis{}
	case p.outcome == Broken:
		return &apiAnalysis{Summary: "The call was cut short by an error.", SuccessEvaluation: "false"}
	}
	data := map[string]any{"interested": p.success, "demoBooked": p.success}
	if p.success {
		return &apiAnalysis{Summary: "The assistant pitched AutoLynx and the customer agreed to a demo next week.", StructuredData: data, SuccessEvaluation: "true"}
	}
	return &apiAnalysis{Summary: "The assistant pitched AutoLynx; the customer declined for now.", StructuredData: data, SuccessEvaluation: "false"}
}

// costs splits the bill like Vapi's costs[] (TransportCost,
// TranscriberCost, ModelCost, VoiceCost, VapiCost) and costBreakdown:
// Vapi's own $0.05/min plus providers, for a total of p.rate per billed
// minute.
func (p plan) costs() (float64, []map[string]any, map[string]any) {
	minutes := round(p.talk/60, 4)
	vapiCost := round(0.05*minutes, 4)
	rest := (p.rate - 0.05) * minutes
	transport, stt, llm, tts := round(rest*0.3, 4), round(rest*0.2, 4), round(rest*0.25, 4), round(rest*0.25, 4)
	prompt, completion, chars := int(minutes*1800), int(minutes*120), int(minutes*700)
	items := []map[string]any{
		{"type": "transport", "provider": "twilio", "minutes": minutes, "cost": transport},
		{"type": "transcriber", "transcriber": map[string]any{"provider": "deepgram", "model": "nova-2"}, "minutes": minutes, "cost": stt},
		{"type": "model", "model": map[string]any{"provider": "openai", "model": "gpt-4o"}, "promptTokens": prompt, "completionTokens": completion, "cost": llm},
		{"type": "voice", "voice": map[string]any{"provider": "11labs", "voiceId": "burt"}, "characters": chars, "cost": tts},
		{"type": "vapi", "subType": "normal", "minutes": minutes, "cost": vapiCost},
	}
	total := round(transport+stt+llm+tts+vapiCost, 4)
	breakdown := map[string]any{"transport": transport, "stt": stt, "llm": llm, "tts": tts, "vapi": vapiCost, "total": total,
		"llmPromptTokens": prompt, "llmCompletionTokens": completion, "ttsCharacters": chars}
	return total, items, breakdown
}

func round(x float64, digits int) float64 {
	f := math.Pow(10, float64(digits))
	return math.Round(x*f) / f
}
