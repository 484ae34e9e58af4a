package vapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ErrConcurrencyBlocked reports a call Vapi accepted (2xx) but will not place
// because every concurrency slot of the account is busy. CreateCall returns it
// together with the Call, which Vapi ends on its own.
var ErrConcurrencyBlocked = errors.New("vapi concurrency limit reached")

// RateLimitedError is a 429 from Vapi: the request did nothing and may be
// repeated after RetryAfter (zero when Vapi sent no Retry-After header).
type RateLimitedError struct {
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("vapi rate limited (retry after %s)", e.RetryAfter)
}

// ServerError is a 5xx from Vapi. For writes it arrives wrapped in an
// *AmbiguousError because Vapi may have applied the request before failing.
type ServerError struct {
	Status  int
	Message string
}

func (e *ServerError) Error() string {
	return fmt.Sprintf("vapi server error %d: %s", e.Status, e.Message)
}

// RejectedError is a 4xx other than 429: Vapi refused the request and did
// nothing. Message carries Vapi's explanation (NestJS messages joined by
// "; "), cut to a length fit for logs.
type RejectedError struct {
	Status  int
	Message string
	// full is the whole explanation: a long NestJS array can name the
	// cause after the cut.
	full string
}

// Mentions reports whether Vapi's whole explanation contains any of
// words (lower case), wherever it says so.
func (e *RejectedError) Mentions(words ...string) bool {
	full := strings.ToLower(e.full)
	if full == "" {
		full = strings.ToLower(e.Message)
	}
	for _, w := range words {
		if strings.Contains(full, w) {
			return true
		}
	}
	return false
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("vapi rejected request %d: %s", e.Status, e.Message)
}

// AmbiguousError reports a write whose outcome is unknown: the request may
// have been applied (a call may exist). Err is the underlying cause, often a
// *ServerError or a network timeout.
type AmbiguousError struct {
	Err error
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("vapi outcome unknown: %v", e.Err)
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *AmbiguousError) Unwrap() error { return e.Err }

// IsNotFound reports whether Vapi answered that the resource does not exist.
func IsNotFound(err error) bool {
	r, ok := errors.AsType[*RejectedError](err)
	return ok && r.Status == http.StatusNotFound
}

// IsUnauthorized reports whether Vapi refused the API key.
func IsUnauthorized(err error) bool {
	r, ok := errors.AsType[*RejectedError](err)
	return ok && (r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden)
}

// maxMessageLen bounds the error text kept from a response body.
const maxMessageLen = 300

// statusError turns a non-2xx answer into the typed error for its class.
func statusError(resp *http.Response, body []byte, now time.Time) error {
	full := errorMessage(body)
	msg := full
	if len(msg) > maxMessageLen {
		msg = strings.ToValidUTF8(msg[:maxMessageLen], "")
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return &RateLimitedError{RetryAfter: retryAfter(resp.Header.Get("Retry-After"), now)}
	case resp.StatusCode >= 500:
		return &ServerError{Status: resp.StatusCode, Message: msg}
	default:
		return &RejectedError{Status: resp.StatusCode, Message: msg, full: full}
	}
}

// errorMessage extracts NestJS's message, which is a string or an array of
// strings, falling back to the "error" field and then the raw body.
func errorMessage(body []byte) string {
	var nest struct {
		Message json.RawMessage `json:"message"`
		Error   string          `json:"error"`
	}
	msg := strings.TrimSpace(string(body))
	if json.Unmarshal(body, &nest) == nil {
		var one string
		var many []string
		switch {
		case json.Unmarshal(nest.Message, &one) == nil && one != "":
			msg = one
		case json.Unmarshal(nest.Message, &many) == nil && len(many) > 0:
			msg = strings.Join(many, "; ")
		case nest.Error != "":
			msg = nest.Error
		}
	}
	return msg
}

// retryAfter parses a Retry-After header given in seconds or as an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
