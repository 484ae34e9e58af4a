package callstate

import "testing"

// A screener is told by the first thing the other side says, in the
// turns or (without them) in the text; a person who asks who is calling
// later in the call is not one, nor one who answers asking who is calling
// and why: a screener's own words, or two of the questions, tell it.
func TestIsScreened(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		transcript string
		want       bool
	}{
		{`{"messages":[{"role":"user","message":"Hi, the person you're calling is using a screening service. Say your name and why you're calling."}]}`, true},
		{`{"messages":[{"role":"bot","message":"Hi Ann"},{"role":"user","message":"Who’s calling and why?"}]}`, false},
		{`{"messages":[{"role":"user","message":"Hi, who's calling and why? Say your name and why you're calling."}]}`, true},
		{`{"text":"User: Yeah, who is calling and why?\nAI: Hi, this is Alex."}`, false},
		{`{"text":"User: Please record your name and reason for calling.\nAI: Hi, this is Alex."}`, true},
		{`{"messages":[{"role":"user","message":"Hello?"},{"role":"user","message":"Is this a screening service?"}]}`, false},
		{`{"text":"AI: Hi Ann\nUser: Sure, what is this about?"}`, false},
		{`{"messages":[]}`, false},
		{``, false},
		{`not json`, false},
	} {
		if got := IsScreened([]byte(tc.transcript)); got != tc.want {
			t.Errorf("IsScreened(%s) = %v, want %v", tc.transcript, got, tc.want)
		}
	}
}
