package httpapi

import (
	"errors"
	"net/http"

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
	dec, err := d.Limiter.Allow(r.Context(), p.ID, bucket)
	if err != nil {
		return nil, err
	}
	if !dec.Allowed {
		return nil, problem.New(problem.RateLimited, "too many requests; slow down",
			"retryAfterSeconds", RetryAfter(dec.RetryAfter), "bucket", string(bucket))
	}
	return p, nil
}
