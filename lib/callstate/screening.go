package callstate

import (
	"encoding/json"
	"slices"
	"strings"
)

// Call screening: a service on the person's phone (Google's Call Screen,
// Apple's Call Screening, a carrier's) answers for them and asks who is
// calling. Vapi's ended reasons have no name for it, so such a call ends
// like a conversation ("customer-ended-call"); its transcript tells it,
// by what the screener says first. It is counted apart as the
// disposition "screened": nobody was reached, but the person was told who
// called and chose not to pick up, so like a conversation it is not
// redialed (and its end-of-call report may come after the campaign
// completed on the call's end).

// screenerWords are phrases only screening services open with (lower
// case): one tells a screener.
var screenerWords = []string{
	"screening service", "call screen", "call assist", "is screening", "screens calls",
	"state your name and the reason", "record your name and reason for calling",
}

// screenerQuestions are what screeners ask, but a person answering may
// ask too: it takes two of them to tell a screener.
var screenerQuestions = [][]string{
	{"say your name and why you're calling", "say your name and why you are calling"},
	{"who is calling and why", "who's calling and why"},
}

// IsScreened reports whether a stored transcript ({text, messages}) is a
// screening service's: the first thing the other side said, in the
// turns or else the text, uses a screener's words.
func IsScreened(transcript json.RawMessage) bool {
	if len(transcript) == 0 {
		return false
	}
	var t struct {
		Text     string `json:"text"`
		Messages []struct {
			Role    string `json:"role"`
			Message string `json:"message"`
		} `json:"messages"`
	}
	if json.Unmarshal(transcript, &t) != nil {
		return false
	}
	first := ""
	for _, m := range t.Messages {
		if m.Role == "user" || m.Role == "customer" {
			first = m.Message
			break
		}
	}
	if first == "" {
		for line := range strings.Lines(t.Text) {
			if who, said, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(who), "user") {
				first = said
				break
			}
		}
	}
	first = strings.ToLower(strings.ReplaceAll(first, "’", "'"))
	asked := 0
	for _, q := range screenerQuestions {
		if slices.ContainsFunc(q, func(w string) bool { return strings.Contains(first, w) }) {
			asked++
		}
	}
	return asked >= 2 || slices.ContainsFunc(screenerWords, func(w string) bool { return strings.Contains(first, w) })
}
