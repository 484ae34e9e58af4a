package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// ErrInvalidToken is wrapped by every rejection of a token itself (bad
// signature, expired, wrong issuer…); callers answer 401. The wrapped reason
// never contains the token.
var ErrInvalidToken = errors.New("invalid token")

// ErrKeysUnavailable means the signing keys could not be fetched, so the
// token could not be judged; callers answer 503 rather than 401.
var ErrKeysUnavailable = errors.New("signing keys unavailable")

const (
	// audience and role are what Supabase puts in a signed-in user's token.
	audience = "authenticated"
	role     = "authenticated"

	defaultLeeway   = 30 * time.Second
	maxJWKSCacheTTL = 10 * time.Minute // Supabase's own edge cache; no purge path beyond it
	maxTokenBytes   = 16 << 10
	secretMinBytes  = 32 // Supabase refuses shorter JWT secrets
)

// Config says which project's tokens a Verifier accepts.
type Config struct {
	// SupabaseURL is the project URL; the issuer is SupabaseURL + "/auth/v1"
	// and the JWKS is served at issuer + "/.well-known/jwks.json".
	SupabaseURL string
	// JWTSecret enables legacy HS256 tokens; nil refuses them.
	JWTSecret []byte
	// HTTPClient fetches the JWKS; nil means a client with a 10 s timeout.
	HTTPClient *http.Client
	// JWKSCacheTTL is how long fetched keys are trusted: default and maximum
	// 10 minutes.
	JWKSCacheTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Leeway tolerates clock skew on exp, nbf and iat; default 30 s.
	Leeway time.Duration
}

// Claims is what a verified token tells about its bearer.
type Claims struct {
	UserID    uuid.UUID // sub
	Email     string
	Role      string // the JWT role claim, always "authenticated"
	ExpiresAt time.Time
}

// Verifier checks access tokens of one Supabase project. It is safe for
// concurrent use and meant to live as long as a warm instance.
type Verifier struct {
	issuer string
	secret []byte
	keys   *keyCache
	parser *jwt.Parser
}

// supabaseClaims is the part of a Supabase access token we read.
type supabaseClaims struct {
	jwt.RegisteredClaims
	Email       string `json:"email"`
	Role        string `json:"role"`
	IsAnonymous bool   `json:"is_anonymous"`
}

// NewVerifier builds a Verifier for cfg.SupabaseURL.
func NewVerifier(cfg Config) (*Verifier, error) {
	base := strings.TrimRight(cfg.SupabaseURL, "/")
	if base == "" {
		return nil, errors.New("new verifier: SupabaseURL is required")
	}
	if cfg.JWTSecret != nil && len(cfg.JWTSecret) < secretMinBytes {
		return nil, fmt.Errorf("new verifier: JWTSecret shorter than %d bytes", secretMinBytes)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	leeway := cfg.Leeway
	if leeway <= 0 {
		leeway = defaultLeeway
	}
	issuer := base + "/auth/v1"
	methods := []string{"ES256", "RS256"}
	if cfg.JWTSecret != nil {
		methods = append(methods, "HS256")
	}
	return &Verifier{
		issuer: issuer,
		secret: cfg.JWTSecret,
		keys:   newKeyCache(issuer+"/.well-known/jwks.json", cfg.HTTPClient, cfg.JWKSCacheTTL, now),
		parser: jwt.NewParser(
			jwt.WithValidMethods(methods),
			jwt.WithIssuer(issuer),
			jwt.WithAudience(audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(leeway),
			jwt.WithTimeFunc(now),
		),
	}, nil
}

// Verify checks token's signature and claims and returns who it speaks for.
// Rejections wrap ErrInvalidToken; a JWKS outage returns ErrKeysUnavailable.
func (v *Verifier) Verify(ctx context.Context, token string) (Claims, error) {
	if len(token) > maxTokenBytes {
		return Claims{}, fmt.Errorf("%w: token too long", ErrInvalidToken)
	}
	var c supabaseClaims
	if _, err := v.parser.ParseWithClaims(token, &c, v.keyfunc(ctx)); err != nil {
		if errors.Is(err, ErrKeysUnavailable) || ctx.Err() != nil {
			return Claims{}, fmt.Errorf("verify token: %w", err)
		}
		return Claims{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	return checkClaims(&c)
}

// checkClaims applies the rules golang-jwt does not know: a signed-in,
// non-anonymous user with a UUID subject.
func checkClaims(c *supabaseClaims) (Claims, error) {
	if c.Role != role {
		return Claims{}, fmt.Errorf("%w: role is not %q", ErrInvalidToken, role)
	}
	if c.IsAnonymous {
		return Claims{}, fmt.Errorf("%w: anonymous session", ErrInvalidToken)
	}
	id, err := uuid.Parse(c.Subject)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: subject is not a UUID", ErrInvalidToken)
	}
	return Claims{UserID: id, Email: c.Email, Role: c.Role, ExpiresAt: c.ExpiresAt.Time}, nil
}

// keyfunc picks the key by the token's alg, so a key is only ever used with
// the algorithm family it belongs to: the HMAC secret for HS256 alone, and
// JWKS keys only for the alg their type implies.
func (v *Verifier) keyfunc(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		alg := t.Method.Alg()
		if alg == "HS256" {
			return v.secret, nil // WithValidMethods admits HS256 only when a secret is set
		}
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("missing key id")
		}
		k, err := v.keys.get(ctx, kid)
		if err != nil {
			return nil, err
		}
		if k.alg != alg {
			return nil, fmt.Errorf("key is for %s, token says %s", k.alg, alg)
		}
		return k.key, nil
	}
}
