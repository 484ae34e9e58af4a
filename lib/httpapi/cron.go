package httpapi

import (
	"crypto/subtle"
	"net/http"

	"github.com/autolynx/autolynx/lib/auth"
)

// CronAuthorized compares the bearer token with every configured secret in
// constant time.
func (d *Deps) CronAuthorized(r *http.Request) bool {
	token, ok := auth.BearerToken(r)
	if !ok {
		return false
	}
	match := 0
	for _, s := range d.Config.CronSecrets {
		match |= subtle.ConstantTimeCompare([]byte(token), []byte(s))
	}
	return match == 1
}
