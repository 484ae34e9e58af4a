package callstate

import (
	"bytes"
	"encoding/json"
	"math"
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Postgres refuses what encoding/json (and JavaScript, Vapi's language)
// accept: NUL in text and jsonb, invalid UTF-8 in text, and a lone UTF-16
// surrogate escape ("\ud83d", a string cut inside an emoji) in jsonb.
// Everything stored from Vapi goes through CleanText or cleanJSON, which
// put U+FFFD in their place, so one odd character never costs an outcome.

// CleanText makes s storable in a text column.
func CleanText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\ufffd"), "\x00", "\ufffd")
}

// surrogateEscape finds a \uD800–\uDFFF escape, paired or not.
var surrogateEscape = regexp.MustCompile(`\\u[dD][89a-fA-F]`)

// cleanJSON makes the JSON value b storable in a jsonb column: decoding
// it with encoding/json replaces invalid UTF-8 and lone surrogates with
// U+FFFD (a valid pair becomes its character), and NUL is replaced in
// every string and key. Clean input is returned as is. Input that is not
// JSON at all yields nil.
func cleanJSON(b []byte) []byte {
	if utf8.Valid(b) && !bytes.Contains(b, []byte(`\u0000`)) && !surrogateEscape.Match(b) {
		return b
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if enc.Encode(scrub(v)) != nil {
		return nil
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n"))
}

// scrub replaces NUL in every string of a decoded JSON value.
func scrub(v any) any {
	switch v := v.(type) {
	case string:
		return CleanText(v)
	case []any:
		for i := range v {
			v[i] = scrub(v[i])
		}
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[CleanText(k)] = scrub(x)
		}
		return out
	}
	return v
}

// Bounds of the values a real call can have (M1 of the security review).
const (
	MaxCost     = 10000 // USD per call, exclusive
	MaxDuration = 86400 // seconds; Vapi ends calls after 12 hours at most
	maxIDLen    = 200
)

// PlainID reports whether s is usable as an id or a message type: short,
// valid UTF-8, no control characters. "" is plain (absent).
func PlainID(s string) bool {
	return len(s) <= maxIDLen && utf8.ValidString(s) &&
		strings.IndexFunc(s, unicode.IsControl) < 0
}

// URLPolicy tells a recording URL we may store and link to from one we
// must not: https only, or also http to a loopback host when LoopbackHTTP
// is set (the local runner's simulator serves its storage on loopback).
type URLPolicy struct {
	LoopbackHTTP bool
}

// Allows reports whether u may be stored.
func (p URLPolicy) Allows(u string) bool {
	parsed, err := url.Parse(u)
	if err != nil || parsed.Host == "" || parsed.User != nil || !PlainID(u) {
		return false
	}
	switch parsed.Scheme {
	case "https":
		return true
	case "http":
		ip := net.ParseIP(parsed.Hostname())
		return p.LoopbackHTTP && (parsed.Hostname() == "localhost" || ip != nil && ip.IsLoopback())
	}
	return false
}

// Validate drops the values of o no real call can have, so they change
// nothing while the rest of the news is kept, and names what it dropped
// (for the log; never the values, which may carry personal data).
func (o *Observation) Validate(p URLPolicy) []string {
	var dropped []string
	if o.Cost != nil && !(*o.Cost >= 0 && *o.Cost < MaxCost) {
		o.Cost, dropped = nil, append(dropped, "cost")
	}
	if d := o.DurationSeconds; d != nil && !(*d >= 0 && *d < MaxDuration) || d != nil && math.IsNaN(*d) {
		o.DurationSeconds, dropped = nil, append(dropped, "durationSeconds")
	}
	if o.RecordingURL != "" && !p.Allows(o.RecordingURL) {
		o.RecordingURL, dropped = "", append(dropped, "recordingUrl")
	}
	if !PlainID(o.EndedReason) {
		o.EndedReason, dropped = "", append(dropped, "endedReason")
	}
	return dropped
}
