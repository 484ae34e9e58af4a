package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

var (
	ecKey  = sync.OnceValue(func() *ecdsa.PrivateKey { return must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)) })
	ecKey2 = sync.OnceValue(func() *ecdsa.PrivateKey { return must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)) })
	rsaKey = sync.OnceValue(func() *rsa.PrivateKey { return must(rsa.GenerateKey(rand.Reader, 2048)) })
	secret = []byte("local-test-secret-at-least-32-bytes-long")
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// clock is a settable time source shared with the verifier's goroutines.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// jwksServer serves a JWKS that tests can rotate, counting requests.
type jwksServer struct {
	*httptest.Server
	requests atomic.Int32
	mu       sync.Mutex
	keys     []map[string]string
	status   int
}

func (s *jwksServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if r.URL.Path != "/auth/v1/.well-known/jwks.json" {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status != 0 {
		w.WriteHeader(s.status)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": s.keys})
}

func (s *jwksServer) publish(keys ...map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, keys...)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func ecJWK(kid string, k *ecdsa.PrivateKey) map[string]string {
	return map[string]string{"kty": "EC", "kid": kid, "use": "sig", "alg": "ES256", "crv": "P-256",
		"x": b64(k.X.FillBytes(make([]byte, 32))), "y": b64(k.Y.FillBytes(make([]byte, 32)))}
}

func rsaJWK(kid string, k *rsa.PrivateKey) map[string]string {
	return map[string]string{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
}

// fixture is a verifier for a project whose JWKS is a loopback server.
type fixture struct {
	jwks  *jwksServer
	clock *clock
	v     *Verifier
}

func setup(t *testing.T, jwtSecret []byte) *fixture {
	t.Helper()
	s := &jwksServer{}
	s.Server = httptest.NewServer(s)
	t.Cleanup(s.Close)
	s.publish(ecJWK("ec-1", ecKey()), rsaJWK("rsa-1", rsaKey()))
	c := newClock()
	v, err := NewVerifier(Config{SupabaseURL: s.URL + "/", JWTSecret: jwtSecret, HTTPClient: s.Client(), Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{jwks: s, clock: c, v: v}
}

func (f *fixture) issuer() string { return f.jwks.URL + "/auth/v1" }

// claims returns a valid Supabase user token's claims at the fixture's time.
func (f *fixture) claims() jwt.MapClaims {
	now := f.clock.Now()
	return jwt.MapClaims{
		"iss": f.issuer(), "aud": "authenticated", "sub": uuid.NewString(),
		"email": "ada@example.com", "role": "authenticated", "aal": "aal1",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "is_anonymous": false,
	}
}

func sign(t *testing.T, m jwt.SigningMethod, kid string, key any, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifyAcceptsEachAlgorithm(t *testing.T) {
	t.Parallel()
	f := setup(t, secret)
	cases := map[string]func(jwt.MapClaims) string{
		"ES256": func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodES256, "ec-1", ecKey(), c) },
		"RS256": func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodRS256, "rsa-1", rsaKey(), c) },
		"HS256": func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodHS256, "", secret, c) },
	}
	for name, mint := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := f.claims()
			c["aud"] = []string{"other", "authenticated"}
			got, err := f.v.Verify(context.Background(), mint(c))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			want := Claims{UserID: uuid.MustParse(c["sub"].(string)), Email: "ada@example.com",
				Role: "authenticated", ExpiresAt: time.Unix(c["exp"].(int64), 0)}
			if !got.ExpiresAt.Equal(want.ExpiresAt) || got.UserID != want.UserID || got.Email != want.Email || got.Role != want.Role {
				t.Fatalf("claims = %+v, want %+v", got, want)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	f := setup(t, secret)
	es := func(edit func(jwt.MapClaims)) string {
		c := f.claims()
		edit(c)
		return sign(t, jwt.SigningMethodES256, "ec-1", ecKey(), c)
	}
	now := f.clock.Now()
	valid := es(func(jwt.MapClaims) {})
	parts := strings.Split(valid, ".")
	forged := f.claims()
	forged["sub"] = uuid.NewString()
	cases := map[string]string{
		"expired":            es(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() }),
		"no exp":             es(func(c jwt.MapClaims) { delete(c, "exp") }),
		"not yet valid":      es(func(c jwt.MapClaims) { c["nbf"] = now.Add(2 * time.Minute).Unix() }),
		"issued in future":   es(func(c jwt.MapClaims) { c["iat"] = now.Add(2 * time.Minute).Unix() }),
		"wrong issuer":       es(func(c jwt.MapClaims) { c["iss"] = "https://evil.supabase.co/auth/v1" }),
		"wrong audience":     es(func(c jwt.MapClaims) { c["aud"] = []string{"anon", "other"} }),
		"no audience":        es(func(c jwt.MapClaims) { delete(c, "aud") }),
		"role anon":          es(func(c jwt.MapClaims) { c["role"] = "anon" }),
		"role service_role":  es(func(c jwt.MapClaims) { c["role"] = "service_role" }),
		"anonymous user":     es(func(c jwt.MapClaims) { c["is_anonymous"] = true }),
		"sub not a uuid":     es(func(c jwt.MapClaims) { c["sub"] = "admin" }),
		"alg none":           sign(t, jwt.SigningMethodNone, "", jwt.UnsafeAllowNoneSignatureType, f.claims()),
		"no kid":             sign(t, jwt.SigningMethodES256, "", ecKey(), f.claims()),
		"ES token, RSA kid":  sign(t, jwt.SigningMethodES256, "rsa-1", ecKey(), f.claims()),
		"RS token, EC kid":   sign(t, jwt.SigningMethodRS256, "ec-1", rsaKey(), f.claims()),
		"HS wrong secret":    sign(t, jwt.SigningMethodHS256, "", []byte("another-secret-of-at-least-32-bytes!!"), f.claims()),
		"ES384 not allowed":  sign(t, jwt.SigningMethodES384, "ec-1", must(ecdsa.GenerateKey(elliptic.P384(), rand.Reader)), f.claims()),
		"tampered payload":   parts[0] + "." + b64(must(json.Marshal(forged))) + "." + parts[2],
		"tampered signature": parts[0] + "." + parts[1] + "." + b64([]byte("not a signature")),
		"garbage":            "not.a.jwt",
		"empty":              "",
	}
	for name, token := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := f.v.Verify(context.Background(), token)
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Verify = %v, want ErrInvalidToken", err)
			}
			if token != "" && strings.Contains(err.Error(), token) {
				t.Fatal("error message contains the token")
			}
		})
	}
}

// An attacker who knows the RSA public key signs HS256 with it as the
// secret; the key must never serve as an HMAC secret, whether HS256 is
// enabled or not.
func TestVerifyRefusesKeyConfusion(t *testing.T) {
	t.Parallel()
	der := must(x509.MarshalPKIXPublicKey(&rsaKey().PublicKey))
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	for name, jwtSecret := range map[string][]byte{"HS256 enabled": secret, "HS256 disabled": nil} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, jwtSecret)
			for _, key := range [][]byte{pemBytes, der, rsaKey().N.Bytes()} {
				token := sign(t, jwt.SigningMethodHS256, "rsa-1", key, f.claims())
				if _, err := f.v.Verify(context.Background(), token); !errors.Is(err, ErrInvalidToken) {
					t.Fatalf("Verify = %v, want ErrInvalidToken", err)
				}
			}
		})
	}
}

func TestUnknownKidRefetchesOnceForRotatedKey(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	ctx := context.Background()
	if _, err := f.v.Verify(ctx, sign(t, jwt.SigningMethodES256, "ec-1", ecKey(), f.claims())); err != nil {
		t.Fatal(err)
	}
	f.jwks.publish(ecJWK("ec-2", ecKey2()))
	f.clock.Advance(refetchInterval)
	if _, err := f.v.Verify(ctx, sign(t, jwt.SigningMethodES256, "ec-2", ecKey2(), f.claims())); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
	if n := f.jwks.requests.Load(); n != 2 {
		t.Fatalf("JWKS requests = %d, want 2", n)
	}
	for range 2 {
		_, err := f.v.Verify(ctx, sign(t, jwt.SigningMethodES256, "ghost", ecKey(), f.claims()))
		if !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("unknown kid: %v, want ErrInvalidToken", err)
		}
	}
	if n := f.jwks.requests.Load(); n != 2 {
		t.Fatalf("JWKS requests after unknown kids = %d, want still 2", n)
	}
}

func TestKeysExpireAfterTTL(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	ctx := context.Background()
	for range 3 {
		if _, err := f.v.Verify(ctx, sign(t, jwt.SigningMethodRS256, "rsa-1", rsaKey(), f.claims())); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(maxJWKSCacheTTL)
	}
	if n := f.jwks.requests.Load(); n != 3 {
		t.Fatalf("JWKS requests = %d, want one per TTL (3)", n)
	}
}

func TestColdCacheFetchesOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	token := sign(t, jwt.SigningMethodES256, "ec-1", ecKey(), f.claims())
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, err := f.v.Verify(context.Background(), token)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.jwks.requests.Load(); n != 1 {
		t.Fatalf("JWKS requests = %d, want 1", n)
	}
}

func TestJWKSOutageIsNotAnInvalidToken(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.jwks.mu.Lock()
	f.jwks.status = http.StatusBadGateway
	f.jwks.mu.Unlock()
	_, err := f.v.Verify(context.Background(), sign(t, jwt.SigningMethodES256, "ec-1", ecKey(), f.claims()))
	if !errors.Is(err, ErrKeysUnavailable) || errors.Is(err, ErrInvalidToken) {
		t.Fatalf("Verify = %v, want ErrKeysUnavailable only", err)
	}
}

func TestNewVerifierValidatesConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]Config{
		"no URL":       {JWTSecret: secret},
		"short secret": {SupabaseURL: "http://127.0.0.1:54321", JWTSecret: []byte("short")},
	} {
		if _, err := NewVerifier(cfg); err == nil {
			t.Errorf("%s: NewVerifier succeeded", name)
		}
	}
}

// Security review L5: when the JWKS cannot be fetched as the cache's
// lifetime lapses, the keys already known keep verifying for a bounded
// grace period (every signed-in user would get a 503 otherwise); past it,
// or for a key never seen, the outage shows.
func TestLowL5StaleKeysServeThroughAnOutage(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	ctx := context.Background()
	token := func() string { return sign(t, jwt.SigningMethodES256, "ec-1", ecKey(), f.claims()) }
	if _, err := f.v.Verify(ctx, token()); err != nil {
		t.Fatal(err)
	}
	f.jwks.mu.Lock()
	f.jwks.status = http.StatusBadGateway
	f.jwks.mu.Unlock()
	f.clock.Advance(maxJWKSCacheTTL + time.Minute)
	if _, err := f.v.Verify(ctx, token()); err != nil {
		t.Errorf("known key during an outage: %v, want accepted", err)
	}
	if _, err := f.v.Verify(ctx, sign(t, jwt.SigningMethodES256, "ec-never", ecKey2(), f.claims())); err == nil {
		t.Error("a key never seen was accepted during an outage")
	}
	f.clock.Advance(staleGrace)
	if _, err := f.v.Verify(ctx, token()); !errors.Is(err, ErrKeysUnavailable) {
		t.Errorf("known key past the grace period: %v, want ErrKeysUnavailable", err)
	}
}
