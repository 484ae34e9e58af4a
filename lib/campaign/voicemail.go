package campaign

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/vapi"
)

// VoicemailPolicy is what a call does when Vapi's voicemail detection
// hears a voicemail greeting.
type VoicemailPolicy string

// Voicemail policies.
const (
	// HangUp ends the call on a voicemail without a word (the default).
	HangUp VoicemailPolicy = "hangup"
	// MessageLastAttempt leaves the campaign's message, but only on the
	// contact's last attempt: a contact is never left a message per
	// redial.
	MessageLastAttempt VoicemailPolicy = "message_last_attempt"
)

// Voicemail is a campaign's voicemail policy and message. The message may
// name the contact's variables as {{name}}, {{business_name}} or any
// column of the file; a variable the contact lacks says nothing.
type Voicemail struct {
	Policy  VoicemailPolicy `json:"policy"`
	Message string          `json:"message"`
}

// Validate checks the policy and that a message policy has a message
// Vapi takes (at most vapi.MaxVoicemailMessage UTF-16 code units, as Vapi
// counts).
func (v Voicemail) Validate() error {
	switch v.Policy {
	case HangUp:
		if strings.TrimSpace(v.Message) != "" {
			return invalid("voicemailMessage", "a voicemail message needs voicemailPolicy message_last_attempt")
		}
	case MessageLastAttempt:
		if strings.TrimSpace(v.Message) == "" {
			return invalid("voicemailMessage", "voicemailPolicy message_last_attempt needs a voicemailMessage")
		}
		if !spokenText(v.Message) {
			return invalid("voicemailMessage", "voicemailMessage must be text: no NUL or other control character except tab and line breaks")
		}
		if len(utf16.Encode([]rune(v.Message))) > vapi.MaxVoicemailMessage {
			return problem.New(problem.Invalid, fmt.Sprintf("voicemailMessage must be at most %d characters", vapi.MaxVoicemailMessage),
				"field", "voicemailMessage", "maxLength", vapi.MaxVoicemailMessage)
		}
	default:
		return invalid("voicemailPolicy", "voicemailPolicy must be hangup or message_last_attempt")
	}
	return nil
}

// spokenText reports whether a message is valid UTF-8 without control
// characters other than tab and line breaks: Postgres refuses NUL in text,
// and no other control character means anything when read aloud.
func spokenText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
	})
}

// SetVoicemail stores a new campaign's voicemail policy (the zero value is
// HangUp).
func SetVoicemail(ctx context.Context, q db.DBTX, id uuid.UUID, v Voicemail) error {
	if v.Policy == "" {
		v.Policy = HangUp
	}
	if err := v.Validate(); err != nil {
		return err
	}
	var msg *string
	if v.Policy == MessageLastAttempt {
		m := strings.TrimSpace(v.Message)
		msg = &m
	}
	if _, err := q.Exec(ctx, `update campaigns set voicemail_policy = $2, voicemail_message = $3 where id = $1`, id, v.Policy, msg); err != nil {
		return fmt.Errorf("set voicemail policy: %w", err)
	}
	return nil
}

// LeavesMessage reports whether attempt (the contact's how-manieth,
// refused attempts not counted) is one a voicemail message is left on:
// with MessageLastAttempt, the last one that maxAttempts allows, or any
// attempt when a voicemail is never redialed (retryOn lacks it), since a
// voicemail then ends the contact.
func (v Voicemail) LeavesMessage(attempt, maxAttempts int, retryOn []string) bool {
	return v.Policy == MessageLastAttempt && v.Message != "" &&
		(attempt >= maxAttempts || !slices.Contains(retryOn, "voicemail"))
}

// placeholder is a {{variable}} in a voicemail message.
var placeholder = regexp.MustCompile(`\{\{\s*([^{}\s]+)\s*\}\}`)

// braces turns the braces of a contact's value into parentheses: Vapi
// reads the message as a Liquid template, where a value's "{{" or "{%"
// (or one brace next to the message's own) would be a variable or tag.
var braces = strings.NewReplacer("{", "(", "}", ")")

// MessageFor is the message for one contact, its variables filled in (as
// text, see braces) and cut to what Vapi takes.
func (v Voicemail) MessageFor(vars map[string]any) string {
	out := placeholder.ReplaceAllStringFunc(v.Message, func(m string) string {
		if val, ok := vars[placeholder.FindStringSubmatch(m)[1]]; ok && val != nil {
			return braces.Replace(fmt.Sprint(val))
		}
		return ""
	})
	return vapi.Truncate(strings.Join(strings.Fields(out), " "), vapi.MaxVoicemailMessage)
}
