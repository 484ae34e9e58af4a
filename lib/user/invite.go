package user

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/supabase-community/gotrue-go/types"
	"github.com/supabase-community/supabase-go"

	"github.com/autolynx/autolynx/lib/auth"
	"github.com/autolynx/autolynx/lib/problem"
)

// SupabaseInviter invites through Supabase Auth's admin API (with the
// service role key): the user gets Supabase's invitation email. Signups
// stay disabled; invites are how people get in.
type SupabaseInviter struct {
	URL            string
	ServiceRoleKey string
}

// Invite sends the invitation, or finds the existing auth user.
func (s SupabaseInviter) Invite(ctx context.Context, email string) (uuid.UUID, error) {
	client, err := supabase.NewClient(s.URL, s.ServiceRoleKey, nil)
	if err != nil {
		return uuid.Nil, problem.Wrap(problem.Unavailable, err, "Supabase Auth is not configured")
	}
	admin := client.Auth.WithToken(s.ServiceRoleKey)
	resp, err := admin.Invite(types.InviteRequest{Email: email})
	if err == nil {
		return resp.ID, nil
	}
	if !strings.Contains(strings.ToLower(err.Error()), "already") {
		return uuid.Nil, problem.Wrap(problem.Upstream, err, "Supabase Auth refused the invitation")
	}
	// Already a Supabase user: allowlist the existing account. The admin
	// list holds the first page (50) of users; beyond that, ask the user to
	// sign in once and be added by id.
	users, lerr := admin.AdminListUsers()
	if lerr != nil {
		return uuid.Nil, problem.Wrap(problem.Upstream, lerr, "Supabase Auth could not list users")
	}
	for _, u := range users.Users {
		if strings.EqualFold(u.Email, email) {
			return u.ID, nil
		}
	}
	return uuid.Nil, problem.Wrap(problem.Conflict, err, "this email already has a Supabase account that could not be found")
}

// LocalInviter stands in for Supabase Auth under the local runner: the
// user's id derives from the email, so `autolynx token --email` signs in
// as the invited user without any shared state.
type LocalInviter struct{}

// Invite returns the local id of email.
func (LocalInviter) Invite(_ context.Context, email string) (uuid.UUID, error) {
	return auth.LocalUserID(email), nil
}
