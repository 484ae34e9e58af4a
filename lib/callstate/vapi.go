package callstate

import (
	"encoding/json"
	"slices"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/vapi"
)

// MetadataCallID is the assistantOverrides.metadata key that carries our
// call id to Vapi and back (Vapi calls have no top-level metadata).
const MetadataCallID = "autolynxCallId"

// OurCallID reads our call id from a Vapi call's metadata.
func OurCallID(c *vapi.Call) uuid.UUID {
	if c == nil || c.AssistantOverrides == nil {
		return uuid.Nil
	}
	return CallIDIn(c.AssistantOverrides.Metadata)
}

// CallIDIn reads our call id from a call's assistantOverrides.metadata.
func CallIDIn(metadata map[string]any) uuid.UUID {
	s, _ := metadata[MetadataCallID].(string)
	id, _ := uuid.Parse(s)
	return id
}

// FromCall is what Vapi's call object (GET /call) says about a call.
func FromCall(c *vapi.Call) Observation {
	o := Observation{
		ProviderCallID: c.ID,
		CallID:         OurCallID(c),
		Status:         FromVapi(c.Status, c.EndedReason),
		EndedReason:    c.EndedReason,
		Fetched:        true,
	}
	if !c.StartedAt.IsZero() {
		o.StartedAt = &c.StartedAt
	}
	if c.Status == "ended" {
		// No cost is not a cost of 0: Vapi may not have priced the call
		// yet, and the sweep must ask again.
		o.Cost, o.Costs = c.Cost, c.Costs
		if !c.EndedAt.IsZero() {
			o.EndedAt = &c.EndedAt
		}
	}
	var outputs json.RawMessage
	if a := c.Artifact; a != nil {
		o.RecordingURL = a.MonoURL()
		var turns []json.RawMessage
		_ = json.Unmarshal(a.Messages, &turns)
		o.Transcript = Transcript(a.Transcript, turns)
		outputs = a.StructuredOutputs
	}
	var data json.RawMessage
	if a := c.Analysis; a != nil {
		o.Summary, o.SuccessEvaluation, data = a.Summary, string(a.SuccessEvaluation), a.StructuredData
	}
	o.StructuredData, o.OtherStructuredData = Structured(data, outputs)
	return o
}

// Structured is what a call's analysis found. The current
// artifact.structuredOutputs ({id: {name, result}}) is stored when there
// are any, else the deprecated analysis.structuredData. Vapi may send
// both, and an assistant may flag an opt-out in either, so the one not
// stored is returned as other, to be looked at but not kept.
func Structured(data, outputs json.RawMessage) (stored, other json.RawMessage) {
	if !empty(outputs) {
		if empty(data) {
			return outputs, nil
		}
		return outputs, data
	}
	return data, nil
}

// empty reports whether a JSON value says nothing.
func empty(v json.RawMessage) bool {
	s := string(v)
	return s == "" || s == "null" || s == "{}"
}

// MaxTranscriptBytes bounds a stored transcript (security review L12): an
// hour's conversation is far less, and one export row (an answer of at
// most 4.5 MB) must hold it.
const MaxTranscriptBytes = 1 << 20

// transcript is the stored shape; Truncated says turns or text were cut
// to MaxTranscriptBytes (the first of them are kept).
type transcript struct {
	Text      string            `json:"text"`
	Messages  []json.RawMessage `json:"messages"`
	Truncated bool              `json:"truncated,omitempty"`
}

// Transcript keeps the conversation (text and turns) without the system
// prompt, which is configuration rather than what was said, within
// MaxTranscriptBytes.
func Transcript(text string, messages []json.RawMessage) json.RawMessage {
	turns := make([]json.RawMessage, 0, len(messages))
	for _, raw := range messages {
		var turn struct {
			Role string `json:"role"`
		}
		if json.Unmarshal(raw, &turn) == nil && turn.Role == "system" {
			continue
		}
		turns = append(turns, raw)
	}
	if text == "" && len(turns) == 0 {
		return nil
	}
	t := transcript{Text: text, Messages: turns}
	b, _ := json.Marshal(t)
	if len(b) <= MaxTranscriptBytes {
		return b
	}
	// Text and turns each get half, kept from the start of the call; JSON
	// escaping can grow what is kept, so each pass halves it until it fits.
	t.Truncated = true
	for budget := MaxTranscriptBytes / 2; len(b) > MaxTranscriptBytes; budget /= 2 {
		t.Text, t.Messages = cutUTF8(text, budget), firstTurns(turns, budget)
		b, _ = json.Marshal(t)
	}
	return b
}

// firstTurns is the longest prefix of turns of at most n bytes.
func firstTurns(turns []json.RawMessage, n int) []json.RawMessage {
	for i, turn := range turns {
		if n -= len(turn) + 1; n < 0 {
			return turns[:i]
		}
	}
	return turns
}

// cutUTF8 is s cut to at most n bytes of whole characters.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// needed are the members of a message or call whose loss changes what we
// record of a call: dropped for a wrong type, they are reported, not just
// skipped.
var needed = []string{"status", "endedReason", "cost"}

// Mistyped returns the needed members among dropped (a decoded message's
// or call's Dropped).
func Mistyped(dropped []string) []string {
	var out []string
	for _, k := range dropped {
		if slices.Contains(needed, k) {
			out = append(out, k)
		}
	}
	return out
}
