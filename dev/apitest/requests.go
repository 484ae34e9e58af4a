package apitest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/lib/auth"
	"github.com/autolynx/autolynx/lib/user"
)

// The helpers here take the test to fail, so parallel subtests can use
// them; Env.Do and Env.JSON fail the test that made the Env.

// Reply is an answer read whole.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// Request sends one request and reads the answer whole; headers are name,
// value pairs. It returns the error instead of failing a test, so any
// goroutine may use it.
func (e *Env) Request(method, path, token, contentType string, body io.Reader, headers ...string) (Reply, error) {
	resp, err := e.roundTrip(method, path, token, contentType, body, headers...)
	if err != nil {
		return Reply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return Reply{}, fmt.Errorf("read answer: %w", err)
	}
	return Reply{Status: resp.StatusCode, Header: resp.Header, Body: raw}, nil
}

// Send is Request failing t when the request cannot be made.
func (e *Env) Send(t testing.TB, method, path, token, contentType string, body io.Reader, headers ...string) Reply {
	t.Helper()
	r, err := e.Request(method, path, token, contentType, body, headers...)
	if err != nil {
		t.Fatalf("apitest: %s %s: %v", method, path, err)
	}
	return r
}

// GetJSON reads path as JSON into out, failing t unless it answers 200.
func (e *Env) GetJSON(t testing.TB, token, path string, out any) {
	t.Helper()
	r := e.Send(t, http.MethodGet, path, token, "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	if err := json.Unmarshal(r.Body, out); err != nil {
		t.Fatalf("GET %s: decode %s: %v", path, r.Body, err)
	}
}

// APIError is the error envelope.
type APIError struct {
	Error struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Details map[string]any `json:"details"`
	} `json:"error"`
}

// WantError fails t unless r is the error envelope with status and code.
func WantError(t testing.TB, r Reply, status int, code string) APIError {
	t.Helper()
	var e APIError
	if r.Status != status || json.Unmarshal(r.Body, &e) != nil || e.Error.Code != code {
		t.Fatalf("answer %d %s, want %d %s", r.Status, r.Body, status, code)
	}
	return e
}

// NewOperator allowlists an operator of its own for t and returns their
// bearer token, so per-user limits (uploads, exports) never decide a test
// that shares its Env with others.
func (e *Env) NewOperator(t testing.TB) string {
	t.Helper()
	email := strings.ToLower(strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())) + "@example.test"
	if _, err := user.Add(t.Context(), e.DB, auth.LocalUserID(email), email, user.Operator); err != nil {
		t.Fatalf("apitest: add operator: %v", err)
	}
	return e.Token(email)
}
