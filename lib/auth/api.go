package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// API calls Supabase Auth's HTTP API, <project URL>/auth/v1, the way
// supabase-js does: an API key in the apikey header and a bearer token
// (the same service role key for admin calls). An invitation sent through
// supabase-go uses it to find an existing account, since
// gotrue-go's user list takes no context and cannot page or filter.
type API struct {
	URL string // the project URL (SUPABASE_URL)
	// HTTPClient is nil for a client with a 10 s timeout.
	HTTPClient *http.Client
}

// APIError is Supabase Auth's refusal of a call.
type APIError struct {
	Status int
	Code   string `json:"error_code"` // e.g. "email_exists"
	Msg    string `json:"msg"`
}

func (e *APIError) Error() string {
	return fmt.Sprintf("supabase auth: %d %s: %s", e.Status, e.Code, e.Msg)
}

const maxAPIAnswer = 4 << 20

// Call sends in as JSON (nil: no body) to path under /auth/v1 and decodes
// a 2xx answer into out (nil: discard it); other answers are *APIError.
// Errors name the path without its query, which may hold an email.
func (a API) Call(ctx context.Context, method, path, apiKey, bearer string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	route, _, _ := strings.Cut(path, "?")
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(a.URL, "/")+"/auth/v1"+path, body)
	if err != nil {
		return fmt.Errorf("supabase auth %s %s: %w", method, route, err)
	}
	req.Header.Set("apikey", apiKey)
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("Content-Type", "application/json")
	client := a.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error // names the whole URL, query included
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("supabase auth %s %s: %w", method, route, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIAnswer))
	if err != nil {
		return fmt.Errorf("supabase auth %s %s: %w", method, route, err)
	}
	if resp.StatusCode/100 != 2 {
		e := &APIError{Status: resp.StatusCode}
		if json.Unmarshal(raw, e) != nil || e.Msg == "" {
			e.Msg = http.StatusText(resp.StatusCode)
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("supabase auth %s %s: decode: %w", method, route, err)
	}
	return nil
}
