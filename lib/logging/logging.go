// Package logging makes the structured JSON logger every function uses. It
// redacts personal data on the way out: attributes named like PII are
// replaced, and anything shaped like a phone number or an email address in
// any string is masked, so a careless log line cannot leak a contact.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
)

// piiKeys are attribute names whose values are never logged.
var piiKeys = map[string]bool{
	"phone": true, "number": true, "name": true, "business_name": true, "businessname": true,
	"email": true, "transcript": true, "customer": true, "variables": true, "summary": true,
	"token": true, "authorization": true, "secret": true, "password": true,
}

var (
	phoneLike = regexp.MustCompile(`\+?\d[\d ().-]{6,}\d`)
	dateLike  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}`)
	uuidLike  = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	emailLike = regexp.MustCompile(`[^\s@"']+@[^\s@"']+\.[A-Za-z]{2,}`)
)

// New returns a JSON logger writing to w with PII redaction.
func New(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: redact}))
}

func redact(_ []string, a slog.Attr) slog.Attr {
	if piiKeys[strings.ToLower(a.Key)] {
		return slog.String(a.Key, "[redacted]")
	}
	switch a.Value.Kind() {
	case slog.KindString:
		return slog.String(a.Key, Scrub(a.Value.String()))
	case slog.KindAny:
		// Errors and Stringers carry text too (Postgres and Vapi errors may
		// quote a value); the JSON handler would print it unscrubbed.
		switch v := a.Value.Any().(type) {
		case error:
			return slog.String(a.Key, Scrub(v.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, Scrub(v.String()))
		}
	}
	return a
}

// Scrub masks phone numbers and email addresses inside free text; UUIDs
// (request and call ids) are left whole.
func Scrub(s string) string {
	ids := uuidLike.FindAllStringIndex(s, -1)
	if len(ids) == 0 {
		return scrub(s)
	}
	var b strings.Builder
	last := 0
	for _, span := range ids {
		b.WriteString(scrub(s[last:span[0]]))
		b.WriteString(s[span[0]:span[1]])
		last = span[1]
	}
	b.WriteString(scrub(s[last:]))
	return b.String()
}

func scrub(s string) string {
	s = phoneLike.ReplaceAllStringFunc(s, func(m string) string {
		if dateLike.MatchString(m) || digits(m) < 9 && m[0] != '+' {
			return m
		}
		return "[phone]"
	})
	return emailLike.ReplaceAllString(s, "[email]")
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}
