package vapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Assistant is a saved Vapi assistant. Assistants are configuration-heavy
// and AutoLynx stores their config verbatim, so the typed fields are the few
// we read and Raw holds the whole object exactly as Vapi returned it.
type Assistant struct {
	ID             string          `json:"id"`
	Name           string          `json:"name,omitempty"`
	FirstMessage   string          `json:"firstMessage,omitempty"`
	Model          json.RawMessage `json:"model,omitempty"`
	Voice          json.RawMessage `json:"voice,omitempty"`
	Server         *Server         `json:"server,omitempty"`
	ServerMessages []string        `json:"serverMessages,omitempty"`
	CreatedAt      time.Time       `json:"createdAt,omitzero"`
	UpdatedAt      time.Time       `json:"updatedAt,omitzero"`
	// Raw is the complete JSON object from Vapi.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the typed fields and keeps the whole object in Raw.
func (a *Assistant) UnmarshalJSON(b []byte) error {
	type plain Assistant
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("decode assistant: %w", err)
	}
	*a = Assistant(p)
	a.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// errNotObject rejects an assistant config that is not a JSON object before
// it is sent.
var errNotObject = errors.New("assistant config must be a JSON object")

// CreateAssistant creates an assistant from config, a CreateAssistantDTO
// object. It is retried only on 429; any failure that may have created the
// assistant is an *AmbiguousError.
func (c *Client) CreateAssistant(ctx context.Context, config json.RawMessage) (*Assistant, error) {
	a, err := c.writeAssistant(ctx, http.MethodPost, "/assistant", config)
	if err != nil {
		return nil, fmt.Errorf("create assistant: %w", err)
	}
	return a, nil
}

// UpdateAssistant applies patch, a partial UpdateAssistantDTO object.
func (c *Client) UpdateAssistant(ctx context.Context, id string, patch json.RawMessage) (*Assistant, error) {
	a, err := c.writeAssistant(ctx, http.MethodPatch, "/assistant/"+url.PathEscape(id), patch)
	if err != nil {
		return nil, fmt.Errorf("update assistant: %w", err)
	}
	return a, nil
}

func (c *Client) writeAssistant(ctx context.Context, method, path string, body json.RawMessage) (*Assistant, error) {
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' {
		return nil, errNotObject
	}
	var a Assistant
	if err := c.do(ctx, request{method: method, path: path, body: body, write: true}, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// GetAssistant reads one assistant; IsNotFound(err) when Vapi has no such id.
func (c *Client) GetAssistant(ctx context.Context, id string) (*Assistant, error) {
	var a Assistant
	if err := c.do(ctx, request{method: http.MethodGet, path: "/assistant/" + url.PathEscape(id)}, &a); err != nil {
		return nil, fmt.Errorf("get assistant: %w", err)
	}
	return &a, nil
}

// DeleteAssistant deletes an assistant. Vapi refuses (409, a *RejectedError)
// to delete an assistant pinned by a version.
func (c *Client) DeleteAssistant(ctx context.Context, id string) error {
	if err := c.do(ctx, request{method: http.MethodDelete, path: "/assistant/" + url.PathEscape(id), write: true}, nil); err != nil {
		return fmt.Errorf("delete assistant: %w", err)
	}
	return nil
}

// ListAssistants lists up to 1000 assistants, newest first, created after
// createdAfter (all when zero). GET /assistant answers a plain array.
func (c *Client) ListAssistants(ctx context.Context, createdAfter time.Time) ([]Assistant, error) {
	q := url.Values{"limit": {"1000"}}
	if !createdAfter.IsZero() {
		q.Set("createdAtGt", createdAfter.UTC().Format(isoMillis))
	}
	var list []Assistant
	if err := c.do(ctx, request{method: http.MethodGet, path: "/assistant", query: q}, &list); err != nil {
		return nil, fmt.Errorf("list assistants: %w", err)
	}
	return list, nil
}
