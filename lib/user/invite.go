package user

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

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/auth"
	"github.com/autolynx/autolynx/lib/problem"
)

// SupabaseInviter invites through Supabase Auth's admin API (with the
// service role key): the user gets Supabase's invitation email. Signups
// stay disabled; invites are how people get in. It speaks HTTP itself
// because gotrue-go's client takes no context and cannot page or filter
// the user list.
type SupabaseInviter struct {
	URL            string
	ServiceRoleKey string
	// HTTPClient is nil for a client with a 10 s timeout.
	HTTPClient *http.Client
}

const (
	// usersPerPage and maxUserPages bound the search for an existing
	// account: the Auth server filters by a substring of the email, so
	// a few pages cover any real project.
	usersPerPage = 100
	maxUserPages = 20
)

// authUser is the part of a Supabase Auth user we read.
type authUser struct {
	ID    uuid.UUID `json:"id"`
	Email string    `json:"email"`
}

// authError is Supabase Auth's error body.
type authError struct {
	status int
	Code   string `json:"error_code"`
	Msg    string `json:"msg"`
}

func (e *authError) Error() string {
	return fmt.Sprintf("supabase auth: %d %s: %s", e.status, e.Code, e.Msg)
}

// Invite sends the invitation, or finds the existing auth user: someone
// who already has an account (signed up earlier, or invited and
// confirmed) is allowlisted as is.
func (s SupabaseInviter) Invite(ctx context.Context, email string) (uuid.UUID, error) {
	if s.URL == "" || s.ServiceRoleKey == "" {
		return uuid.Nil, problem.New(problem.Unavailable, "invitations need SUPABASE_SERVICE_ROLE_KEY")
	}
	var u authUser
	err := s.call(ctx, http.MethodPost, "/invite", map[string]string{"email": email}, &u)
	if err == nil {
		return u.ID, nil
	}
	var refused *authError
	if !errors.As(err, &refused) || refused.Code != "email_exists" {
		return uuid.Nil, problem.Wrap(problem.Upstream, err, "Supabase Auth refused the invitation")
	}
	return s.find(ctx, email)
}

// find pages through the users whose email contains email for the one
// that is it exactly.
func (s SupabaseInviter) find(ctx context.Context, email string) (uuid.UUID, error) {
	for page := 1; page <= maxUserPages; page++ {
		q := url.Values{"filter": {email}, "page": {fmt.Sprint(page)}, "per_page": {fmt.Sprint(usersPerPage)}}
		var list struct {
			Users []authUser `json:"users"`
		}
		if err := s.call(ctx, http.MethodGet, "/admin/users?"+q.Encode(), nil, &list); err != nil {
			return uuid.Nil, problem.Wrap(problem.Upstream, err, "Supabase Auth could not list users")
		}
		for _, u := range list.Users {
			if strings.EqualFold(u.Email, email) {
				return u.ID, nil
			}
		}
		if len(list.Users) < usersPerPage {
			break
		}
	}
	return uuid.Nil, problem.New(problem.Conflict, "this email already has a Supabase account that could not be found")
}

// call sends one admin request and decodes a 2xx answer into out.
func (s SupabaseInviter) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(s.URL, "/")+"/auth/v1"+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("apikey", s.ServiceRoleKey)
	req.Header.Set("Authorization", "Bearer "+s.ServiceRoleKey)
	req.Header.Set("Content-Type", "application/json")
	client := s.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("supabase auth %s: %w", method, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("supabase auth %s: %w", method, err)
	}
	if resp.StatusCode/100 != 2 {
		e := &authError{status: resp.StatusCode}
		_ = json.Unmarshal(raw, e)
		return e
	}
	return json.Unmarshal(raw, out)
}

// LocalInviter stands in for Supabase Auth under the local runner: the
// user's id derives from the email, so `autolynx token --email` signs in
// as the invited user without any shared state.
type LocalInviter struct{}

// Invite returns the local id of email.
func (LocalInviter) Invite(_ context.Context, email string) (uuid.UUID, error) {
	return auth.LocalUserID(email), nil
}
