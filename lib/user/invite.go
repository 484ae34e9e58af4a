package user

import (
	"context"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/auth"
)

// LocalInviter stands in for Supabase Auth under the local runner: the
// user's id derives from the email, so `autolynx token --email` signs in
// as the invited user without any shared state.
type LocalInviter struct{}

// Invite returns the local id of email.
func (LocalInviter) Invite(_ context.Context, email string) (uuid.UUID, error) {
	return auth.LocalUserID(email), nil
}
