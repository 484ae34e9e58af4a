package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/autolynx/autolynx/lib/problem"
)

type envelope struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details"`
}

var kinds = map[problem.Kind]struct {
	status int
	code   string
}{
	problem.Internal:             {http.StatusInternalServerError, "INTERNAL_ERROR"},
	problem.Invalid:              {http.StatusBadRequest, "VALIDATION_ERROR"},
	problem.Unauthorized:         {http.StatusUnauthorized, "UNAUTHORIZED"},
	problem.Forbidden:            {http.StatusForbidden, "FORBIDDEN"},
	problem.NotFound:             {http.StatusNotFound, "NOT_FOUND"},
	problem.MethodNotAllowed:     {http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"},
	problem.Conflict:             {http.StatusConflict, "CONFLICT"},
	problem.TooLarge:             {http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE"},
	problem.UnsupportedMediaType: {http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
	problem.RateLimited:          {http.StatusTooManyRequests, "RATE_LIMITED"},
	problem.Unavailable:          {http.StatusServiceUnavailable, "UNAVAILABLE"},
	problem.Upstream:             {http.StatusBadGateway, "UPSTREAM_ERROR"},
}

// WriteJSON answers v as JSON. Every API answer may carry PII, so none is
// cached by browsers or CDNs.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Reply writes v, or hands err back to the route's adapter. A GET answer
// carries an ETag and an unchanged one is answered 304, so the dashboard
// can poll every second for the price of a hash.
func Reply(w http.ResponseWriter, r *http.Request, v any, err error) error {
	if err != nil {
		return err
	}
	if r.Method != http.MethodGet {
		WriteJSON(w, http.StatusOK, v)
		return nil
	}
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-store")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(append(body, '\n'))
	return nil
}

// Created writes v with 201, or hands err back.
func Created(w http.ResponseWriter, v any, err error) error {
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, v)
	return nil
}

// NoContent answers 204, or hands err back.
func NoContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// WriteAnswer writes an answer already encoded as JSON, or hands err back.
func WriteAnswer(w http.ResponseWriter, status int, answer json.RawMessage, err error) error {
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// Clipped: an answer may be shared by every request, and must not be
	// written into.
	_, _ = w.Write(append(slices.Clip(answer), '\n'))
	return nil
}

// WriteError answers err in the error envelope. Only *problem.Error
// messages reach the client; anything else is a 500 with a generic
// message, its detail kept in the log.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var pe *problem.Error
	if !errors.As(err, &pe) {
		pe = problem.Wrap(problem.Internal, err, "internal error")
	}
	k := kinds[pe.Kind]
	if pe.Kind == problem.Internal || pe.Kind == problem.Upstream || pe.Kind == problem.Unavailable {
		Log(r).Error("request failed", "kind", k.code, "err", err.Error())
	}
	msg := pe.Message
	if pe.Kind == problem.Internal {
		msg = "internal error"
	}
	if ra, ok := pe.Details["retryAfterSeconds"].(int); ok {
		w.Header().Set("Retry-After", strconv.Itoa(ra))
	}
	details := pe.Details
	if details == nil {
		details = map[string]any{}
	}
	WriteJSON(w, k.status, envelope{Error: errorBody{Code: k.code, Message: msg, Details: details}})
}

// MethodNotAllowed answers 405 with the allowed methods.
func MethodNotAllowed(w http.ResponseWriter, r *http.Request, allowed ...string) {
	for _, m := range allowed {
		w.Header().Add("Allow", m)
	}
	WriteError(w, r, problem.Newf(problem.MethodNotAllowed, "method %s not allowed", r.Method))
}

// RetryAfter is the detail key WriteError turns into a Retry-After header.
func RetryAfter(d time.Duration) int {
	s := int(d.Round(time.Second) / time.Second)
	if s < 1 {
		s = 1
	}
	return s
}

func Log(r *http.Request) *slog.Logger {
	if l, ok := r.Context().Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}
