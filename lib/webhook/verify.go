// Package webhook receives Vapi's server messages: it authenticates the raw
// bytes, decodes Vapi's envelope, applies the news to the call through
// callstate and appends the raw message to the event log, all in one
// transaction. It never calls Vapi, so it answers in milliseconds.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Freshness is how far a signed request's timestamp may be from now.
const Freshness = 5 * time.Minute

// ErrUnauthenticated is any failure to prove the request came from Vapi.
var ErrUnauthenticated = errors.New("webhook not authenticated")

// Verify checks a request against the shared secret: either Vapi's
// X-Vapi-Secret header, or an HMAC-SHA256 x-signature (lower-case hex) of
// "<x-timestamp>.<raw body>" whose timestamp (seconds or milliseconds) is
// fresh. Comparisons are constant-time.
func Verify(h http.Header, body []byte, secret string, now time.Time) error {
	if secret == "" {
		return ErrUnauthenticated
	}
	if got := h.Get("X-Vapi-Secret"); got != "" {
		if subtle.ConstantTimeCompare([]byte(got), []byte(secret)) == 1 {
			return nil
		}
		return ErrUnauthenticated
	}
	sig, ts := h.Get("X-Signature"), h.Get("X-Timestamp")
	if sig == "" || ts == "" {
		return ErrUnauthenticated
	}
	at, ok := parseTimestamp(ts)
	if !ok || at.Sub(now).Abs() > Freshness {
		return ErrUnauthenticated
	}
	want := Sign(secret, ts, body)
	sig = strings.TrimPrefix(strings.ToLower(sig), "sha256=")
	if subtle.ConstantTimeCompare([]byte(sig), []byte(want)) != 1 {
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
