// Package problem is the vocabulary of failures the domain packages report
// to their callers (invalid input, not found, conflict…) without speaking
// HTTP: the HTTP layer maps each Kind to a status code in one place.
package problem

import (
	"errors"
	"fmt"
)

// Kind classifies a failure the way a client must react to it.
type Kind int

// The kinds, one per error code of the public API.
const (
	Internal Kind = iota
	Invalid
	Unauthorized
	Forbidden
	NotFound
	MethodNotAllowed
	Conflict
	TooLarge
	UnsupportedMediaType
	RateLimited
	Unavailable
	// Upstream is a failure of a provider we depend on (Vapi).
	Upstream
)

// Error is a failure with a message safe to show the client.
type Error struct {
	Kind    Kind
	Message string
	Details map[string]any
	// Err is the cause, for logs only; never shown to the client.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New makes an Error; details are key/value pairs.
func New(kind Kind, msg string, details ...any) *Error {
	e := &Error{Kind: kind, Message: msg}
	for i := 0; i+1 < len(details); i += 2 {
		if e.Details == nil {
			e.Details = map[string]any{}
		}
		e.Details[fmt.Sprint(details[i])] = details[i+1]
	}
	return e
}

// Newf is New with a formatted message and no details.
func Newf(kind Kind, format string, args ...any) *Error {
	return New(kind, fmt.Sprintf(format, args...))
}

// Wrap keeps err as the (log-only) cause of a client-facing failure.
func Wrap(kind Kind, err error, msg string) *Error {
	return &Error{Kind: kind, Message: msg, Err: err}
}

// KindOf returns the Kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}
