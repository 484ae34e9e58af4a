// Package invite creates the Supabase Auth account behind an allowlist
// entry. Only the admin function links it (and supabase-go with it).
package invite

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supabase-community/gotrue-go/types"
	"github.com/supabase-community/supabase-go"

	"github.com/autolynx/autolynx/lib/auth"
	"github.com/autolynx/autolynx/lib/problem"
)

// Supabase invites through Supabase Auth's admin API (with the
// service role key): the user gets Supabase's invitation email. Signups
// stay disabled; invites are how people get in.
type Supabase struct {
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

// Invite sends the invitation through supabase-go, or finds the existing
// auth user: someone who already has an account (signed up earlier, or
// invited and confirmed) is allowlisted as is. The lookup goes through
// auth.API, since gotrue-go's user list cannot page or filter (it sees
// only the first 50 users).
func (s Supabase) Invite(ctx context.Context, email string) (uuid.UUID, error) {
	if s.URL == "" || s.ServiceRoleKey == "" {
		return uuid.Nil, problem.New(problem.Unavailable, "invitations need SUPABASE_SERVICE_ROLE_KEY")
	}
	client, err := supabase.NewClient(s.URL, s.ServiceRoleKey, nil)
	if err != nil {
		return uuid.Nil, problem.Wrap(problem.Unavailable, err, "Supabase Auth is not configured")
	}
	admin := client.Auth.WithToken(s.ServiceRoleKey).WithClient(*s.httpClient())
	resp, err := admin.Invite(types.InviteRequest{Email: email})
	if err == nil {
		return resp.ID, nil
	}
	// gotrue-go reports a refusal as "response status code N: <body>";
	// Supabase Auth's body names an existing account's code.
	if !strings.Contains(err.Error(), `"email_exists"`) {
		return uuid.Nil, problem.Wrap(problem.Upstream, err, "Supabase Auth refused the invitation")
	}
	return s.find(ctx, email)
}

func (s Supabase) httpClient() *http.Client {
	if s.HTTPClient != nil {
		return s.HTTPClient
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// find pages through the users whose email contains email for the one
// that is it exactly.
func (s Supabase) find(ctx context.Context, email string) (uuid.UUID, error) {
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

// call sends one admin request with the service role key.
func (s Supabase) call(ctx context.Context, method, path string, in, out any) error {
	api := auth.API{URL: s.URL, HTTPClient: s.httpClient()}
	return api.Call(ctx, method, path, s.ServiceRoleKey, s.ServiceRoleKey, in, out)
}
