package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Freshness is how far a signed request's timestamp may be from now.
const Freshness = 5 * time.Minute

// ErrUnauthenticated is any failure to prove the request came from Vapi.
var ErrUnauthenticated = errors.New("webhook not authenticated")

// Verify checks a request against the shared secrets (the current one
// and, during a rotation, the previous one; empty ones are ignored). Vapi
// proves itself in one of three ways, all accepted:
//   - a Bearer credential: "Authorization: Bearer <secret>";
//   - the legacy static header "X-Vapi-Secret: <secret>";
//   - an HMAC credential (sha256, hex, default headers and payload
//     format): x-signature = HMAC-SHA256(secret, "<x-timestamp>.<raw
//     body>"), the timestamp in seconds or milliseconds and fresh.
//
// Any one that matches is enough. Every comparison is constant-time and
// made against every secret.
func Verify(h http.Header, body []byte, now time.Time, secrets ...string) error {
	if !slices.ContainsFunc(secrets, func(s string) bool { return s != "" }) {
		return ErrUnauthenticated
	}
	same := func(s string) string { return s }
	if auth := h.Get("Authorization"); auth != "" {
		token, ok := strings.CutPrefix(auth, "Bearer ")
		if matchAny(ok, secrets, same, token) == nil {
			return nil
		}
	}
	if got := h.Get("X-Vapi-Secret"); got != "" && matchAny(true, secrets, same, got) == nil {
		return nil
	}
	sig, ts := h.Get("X-Signature"), h.Get("X-Timestamp")
	if sig == "" || ts == "" {
		return ErrUnauthenticated
	}
	at, ok := parseTimestamp(ts)
	sig = strings.TrimPrefix(strings.ToLower(sig), "sha256=")
	return matchAny(ok && at.Sub(now).Abs() <= Freshness, secrets,
		func(s string) string { return Sign(s, ts, body) }, sig)
}

// matchAny compares got with want(secret) for every secret set, in
// constant time and without stopping at the first match, and succeeds
// only when the precondition ok holds too.
func matchAny(ok bool, secrets []string, want func(string) string, got string) error {
	match := 0
	for _, s := range secrets {
		if s != "" {
			match |= subtle.ConstantTimeCompare([]byte(got), []byte(want(s)))
		}
	}
	if !ok || match != 1 {
		return ErrUnauthenticated
	}
	return nil
}

// Sign returns the hex HMAC-SHA256 of "<timestamp>.<body>" (what Vapi's
// HMAC credential sends in x-signature by default).
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// parseTimestamp accepts Unix seconds or milliseconds (Vapi does not
// document which it sends).
func parseTimestamp(s string) (time.Time, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	if n > 1e12 {
		return time.UnixMilli(n), true
	}
	return time.Unix(n, 0), true
}
