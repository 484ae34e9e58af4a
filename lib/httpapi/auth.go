package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/auth"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/ratelimit"
	"github.com/autolynx/autolynx/lib/user"
)

// Authorize verifies the bearer token, checks the allowlist and that the
// caller has role (an admin has every role), and counts the request
// against the caller's rate limit in bucket.
func (d *Deps) Authorize(r *http.Request, role user.Role, bucket ratelimit.Bucket) (*user.Profile, error) {
	token, ok := auth.BearerToken(r)
	if !ok {
		return nil, problem.New(problem.Unauthorized, "sign in: missing bearer token")
	}
	claims, err := d.Auth.Verify(r.Context(), token)
	switch {
	case errors.Is(err, auth.ErrKeysUnavailable):
		return nil, problem.Wrap(problem.Unavailable, err, "cannot check sign-in right now; try again")
	case err != nil:
		return nil, problem.Wrap(problem.Unauthorized, err, "invalid or expired token: sign in again")
	}
	p, err := user.SignIn(r.Context(), d.DB, claims.UserID, claims.Email, d.Config.AdminEmails, d.Now())
	if err != nil {
		return nil, err
	}
	if role == user.Admin && p.Role != user.Admin {
		return nil, problem.New(problem.Forbidden, "admins only")
	}
	if err := d.Limit(r.Context(), p.ID, bucket); err != nil {
		return nil, err
	}
	return p, nil
}

// Limit counts one request of key (a user, or the destination whose
// link token was shown) in bucket, and refuses it over the limit.
func (d *Deps) Limit(ctx context.Context, key uuid.UUID, bucket ratelimit.Bucket) error {
	dec, err := d.Limiter.Allow(ctx, key, bucket)
	if err != nil {
		return err
	}
	if !dec.Allowed {
		return problem.New(problem.RateLimited, "too many requests; slow down",
			"retryAfterSeconds", RetryAfter(dec.RetryAfter), "bucket", string(bucket))
	}
	return nil
}
