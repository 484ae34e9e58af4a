package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// localUserNamespace scopes LocalUserID's name-based UUIDs to AutoLynx.
var localUserNamespace = uuid.MustParse("4f1d7c0e-2b8a-5d3e-9a61-0c7f3e8b2d45")

// LocalIssuer mints HS256 access tokens shaped like Supabase's for the
// local runner, where no Supabase Auth runs. A Verifier configured with the
// same secret accepts them through the ordinary path.
type LocalIssuer struct {
	issuer string
	secret []byte
}

// NewLocalIssuer signs tokens for the project at supabaseURL with secret,
// which must be at least 32 bytes (checked by Mint).
func NewLocalIssuer(supabaseURL string, secret []byte) *LocalIssuer {
	return &LocalIssuer{issuer: strings.TrimRight(supabaseURL, "/") + "/auth/v1", secret: secret}
}

// Mint returns a token for user sub, valid for ttl from now, with the claims
// Supabase puts in an email user's access token.
func (li *LocalIssuer) Mint(sub uuid.UUID, email string, ttl time.Duration) (string, error) {
	if len(li.secret) < secretMinBytes {
		return "", fmt.Errorf("mint token: secret shorter than %d bytes", secretMinBytes)
	}
	if ttl <= 0 {
		return "", errors.New("mint token: ttl must be positive")
	}
	now := time.Now()
	claims := jwt.MapClaims{
		"iss":           li.issuer,
		"aud":           audience,
		"sub":           sub.String(),
		"iat":           now.Unix(),
		"exp":           now.Add(ttl).Unix(),
		"email":         email,
		"phone":         "",
		"role":          role,
		"aal":           "aal1",
		"session_id":    uuid.NewString(),
		"is_anonymous":  false,
		"app_metadata":  map[string]any{"provider": "email", "providers": []string{"email"}},
		"user_metadata": map[string]any{},
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(li.secret)
	if err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	return signed, nil
}

// LocalUserID is the user id the local runner gives email: a UUID v5 of the
// trimmed, lower-cased address, so the CLI and the local invite endpoint
// agree on it without talking to each other.
func LocalUserID(email string) uuid.UUID {
	return uuid.NewSHA1(localUserNamespace, []byte(strings.ToLower(strings.TrimSpace(email))))
}
