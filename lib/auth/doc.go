// Package auth verifies Supabase access tokens inside our own functions, so
// a request costs no round trip to Supabase Auth: asymmetric tokens are
// checked against the project's cached JWKS and legacy HS256 tokens against
// the project secret. It also mints Supabase-shaped tokens for the local
// runner, which the same verification accepts, and calls Supabase Auth's
// HTTP API (API) for the admin tasks that need it.
package auth
