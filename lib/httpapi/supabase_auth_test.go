package httpapi_test

// These tests run against Supabase's own Auth server (dev/authserver),
// configured like a hosted project, instead of local tokens: what the
// dashboard and our functions see in production.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/authserver"
	"github.com/autolynx/autolynx/lib/auth"
)

func supabaseEnv(t *testing.T) *apitest.Env {
	t.Helper()
	return apitest.New(t, apitest.Options{SupabaseAuth: true})
}

type meBody struct{ ID, Email, Role string }

func whoAmI(t *testing.T, e *apitest.Env, token string) (int, meBody) {
	t.Helper()
	var me meBody
	resp := e.Do("GET", "/api/me", token, "", nil)
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		_ = json.NewDecoder(resp.Body).Decode(&me)
	}
	return resp.StatusCode, me
}

func alg(t *testing.T, token string) string {
	t.Helper()
	tok, _, err := jwt.NewParser().ParseUnverified(token, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := tok.Header["alg"].(string)
	return a
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// TestSupabasePasswordSignIn: a password sign-in at Supabase's /token
// gives an ES256 token AutoLynx verifies through the JWKS; a legacy HS256
// token is accepted while the secret is configured; a refreshed token
// works too.
func TestSupabasePasswordSignIn(t *testing.T) {
	t.Parallel()
	e := supabaseEnv(t)
	ctx := ctxT(t)
	if a := alg(t, e.Admin); a != "ES256" {
		t.Fatalf("admin token alg = %s, want ES256", a)
	}
	if st, me := whoAmI(t, e, e.Admin); st != 200 || me.Role != "admin" || me.Email != apitest.AdminEmail {
		t.Fatalf("me (ES256) = %d %+v", st, me)
	}
	sess, err := e.Auth.SignIn(ctx, apitest.OperatorEmail, apitest.Password)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := e.Auth.Refresh(ctx, sess.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken == sess.AccessToken {
		t.Fatal("refresh returned the same token")
	}
	if st, me := whoAmI(t, e, fresh.AccessToken); st != 200 || me.Role != "operator" {
		t.Errorf("me (refreshed) = %d %+v", st, me)
	}

	keys := e.Auth.Keys()
	if err := e.Auth.SetKeys(ctx, authserver.Keys{Signing: e.Auth.Legacy, Others: []authserver.Key{keys.Signing}}); err != nil {
		t.Fatal(err)
	}
	hs := e.SignIn(apitest.OperatorEmail)
	if a := alg(t, hs); a != "HS256" {
		t.Fatalf("legacy token alg = %s", a)
	}
	if st, _ := whoAmI(t, e, hs); st != 200 {
		t.Errorf("me (HS256, secret set) = %d, want 200", st)
	}
}

// TestSupabaseSignOut pins down what signing out means. Supabase's access
// tokens are self-contained: after sign-out the Auth server refuses the
// session (its /user and the refresh token), but like PostgREST and
// Realtime, AutoLynx verifies tokens locally, so one already issued stays
// valid until it expires (JWT expiry, 1 hour by default). The immediate
// cut-off is the allowlist, checked on every request: revoking a user
// refuses their current token at once.
func TestSupabaseSignOut(t *testing.T) {
	t.Parallel()
	e := supabaseEnv(t)
	ctx := ctxT(t)
	sess, err := e.Auth.SignIn(ctx, apitest.OperatorEmail, apitest.Password)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Auth.SignOut(ctx, sess.AccessToken, "global"); err != nil {
		t.Fatal(err)
	}
	var refused *auth.APIError
	if err := e.Auth.GetUser(ctx, sess.AccessToken); !errors.As(err, &refused) || refused.Status != http.StatusForbidden {
		t.Errorf("Auth server /user after sign-out: %v, want 403", err)
	}
	if _, err := e.Auth.Refresh(ctx, sess.RefreshToken); err == nil {
		t.Error("refresh after sign-out succeeded")
	}
	st, me := whoAmI(t, e, sess.AccessToken)
	if st != 200 {
		t.Errorf("AutoLynx after sign-out = %d, want 200 until the token expires (documented)", st)
	}
	if st := e.JSON("DELETE", "/api/admin/users/"+me.ID, e.Admin, nil, nil); st != http.StatusNoContent {
		t.Fatalf("revoke: %d", st)
	}
	if st, _ := whoAmI(t, e, sess.AccessToken); st != http.StatusForbidden {
		t.Errorf("AutoLynx after revocation = %d, want 403", st)
	}
}

// TestSupabaseKeyRotation follows Supabase's rotation without restarting
// AutoLynx: a standby key published in the JWKS ahead of the rotation is
// picked up when the key cache renews, so its tokens are accepted the
// moment it starts signing; the previous key, once removed from the set,
// stops verifying when the cache's lifetime has passed. A key that signs
// without having been on standby is fetched on its first token, at most
// once per 30 seconds.
func TestSupabaseKeyRotation(t *testing.T) {
	t.Parallel()
	e := supabaseEnv(t)
	ctx := ctxT(t)
	const ttl = 2 * time.Minute
	clock := apitest.NewClock(time.Time{})
	v, err := auth.NewVerifier(auth.Config{SupabaseURL: e.Auth.URL, JWTSecret: []byte(e.Auth.JWTSecret), JWKSCacheTTL: ttl, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.Deps.Auth = v
	setKeys := func(signing authserver.Key, others ...authserver.Key) {
		t.Helper()
		if err := e.Auth.SetKeys(ctx, authserver.Keys{Signing: signing, Others: append(others, e.Auth.Legacy)}); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(what, token string, want int) {
		t.Helper()
		if st, _ := whoAmI(t, e, token); st != want {
			t.Errorf("%s: %d, want %d", what, st, want)
		}
	}
	newKey := func(id string) authserver.Key {
		k, err := authserver.NewES256Key(id)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	old := e.Auth.Keys().Signing
	before := e.SignIn(apitest.OperatorEmail)
	expect("before rotation", before, 200)

	next := newKey("es256-next")
	setKeys(old, next) // standby
	clock.Advance(ttl)
	expect("old key while the cache renews", before, 200)
	setKeys(next, old) // rotate
	after := e.SignIn(apitest.OperatorEmail)
	expect("token of the new key, at once", after, 200)

	setKeys(next) // remove the old key
	expect("removed key within the cache lifetime", before, 200)
	clock.Advance(ttl)
	expect("removed key after the cache lifetime", before, http.StatusUnauthorized)
	expect("new key after the cache renewed", after, 200)

	sudden := newKey("es256-sudden")
	setKeys(sudden, next) // no standby
	unannounced := e.SignIn(apitest.OperatorEmail)
	expect("a key never on standby, just after a fetch", unannounced, http.StatusUnauthorized)
	clock.Advance(31 * time.Second)
	expect("a key never on standby, 30 s later", unannounced, 200)
}

// TestSupabaseInvite: an admin's invite creates the user at the Auth
// server; the invited user follows the invitation, chooses a password,
// signs in and has the role the admin chose.
func TestSupabaseInvite(t *testing.T) {
	t.Parallel()
	e := supabaseEnv(t)
	ctx := ctxT(t)
	const email = "new.admin@example.com"
	var invited meBody
	if st := e.JSON("POST", "/api/admin/users", e.Admin, map[string]string{"email": email, "role": "admin"}, &invited); st != http.StatusCreated {
		t.Fatalf("invite: %d %+v", st, invited)
	}
	link, err := e.Auth.GenerateLink(ctx, "invite", email, "")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := e.Auth.FollowLink(ctx, link)
	if err != nil {
		t.Fatal(err)
	}
	if st, me := whoAmI(t, e, sess.AccessToken); st != 200 || me.ID != invited.ID || me.Role != "admin" {
		t.Errorf("first visit = %d %+v, want the invited admin %s", st, me, invited.ID)
	}
	if err := e.Auth.SetPassword(ctx, sess.AccessToken, "my own new password"); err != nil {
		t.Fatal(err)
	}
	again, err := e.Auth.SignIn(ctx, email, "my own new password")
	if err != nil {
		t.Fatal(err)
	}
	if st, me := whoAmI(t, e, again.AccessToken); st != 200 || me.Role != "admin" || me.Email != email {
		t.Errorf("password sign-in = %d %+v", st, me)
	}
}

// TestSupabaseInviteExistingUserOnPageTwo: inviting someone who already
// has an account, listed after the first 50 users of the Auth server,
// allowlists that account instead of failing.
func TestSupabaseInviteExistingUserOnPageTwo(t *testing.T) {
	t.Parallel()
	e := supabaseEnv(t)
	ctx := ctxT(t)
	const email = "early.bird@example.com"
	id, err := e.Auth.CreateUser(ctx, email, apitest.Password)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 55 { // newest first: the early bird ends up on page 2
		if _, err := e.Auth.CreateUser(ctx, fmt.Sprintf("later%02d@example.com", i), ""); err != nil {
			t.Fatal(err)
		}
	}
	var p meBody
	if st := e.JSON("POST", "/api/admin/users", e.Admin, map[string]string{"email": email}, &p); st != http.StatusCreated || p.ID != id.String() {
		t.Fatalf("invite existing = %d %+v, want 201 with id %s", st, p, id)
	}
	if st, me := whoAmI(t, e, e.SignIn(email)); st != 200 || me.Role != "operator" {
		t.Errorf("me = %d %+v", st, me)
	}
}

// TestSupabaseUsersNotAllowlisted: an Auth server account nobody invited,
// and one whose access was revoked, are refused on every route.
func TestSupabaseUsersNotAllowlisted(t *testing.T) {
	t.Parallel()
	e := supabaseEnv(t)
	if _, err := e.Auth.CreateUser(ctxT(t), "stranger@example.com", apitest.Password); err != nil {
		t.Fatal(err)
	}
	stranger := e.SignIn("stranger@example.com")
	_, op := whoAmI(t, e, e.Operator)
	if st := e.JSON("DELETE", "/api/admin/users/"+op.ID, e.Admin, nil, nil); st != http.StatusNoContent {
		t.Fatalf("revoke: %d", st)
	}
	for _, r := range protectedRoutes() {
		for who, token := range map[string]string{"never invited": stranger, "revoked": e.Operator} {
			resp := e.Do(r.method, r.path, token, "application/json", strings.NewReader("{}"))
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s as %s: %d, want 403", r.method, r.path, who, resp.StatusCode)
			}
		}
	}
}

// TestSupabaseMagicLink: the dashboard asks for a link (/otp, existing
// users only); following the link the email would carry signs in.
func TestSupabaseMagicLink(t *testing.T) {
	t.Parallel()
	e := supabaseEnv(t)
	c := ctxT(t)
	if err := e.Auth.SendMagicLink(c, apitest.OperatorEmail); err != nil {
		t.Fatalf("request a link: %v", err)
	}
	link, err := e.Auth.GenerateLink(c, "magiclink", apitest.OperatorEmail, e.Server.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := e.Auth.FollowLink(c, link)
	if err != nil {
		t.Fatal(err)
	}
	if st, me := whoAmI(t, e, sess.AccessToken); st != 200 || me.Role != "operator" {
		t.Errorf("me = %d %+v", st, me)
	}
}
