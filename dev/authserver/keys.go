package authserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Key is one private JWK of the Auth server's key set
// (GOTRUE_JWT_KEYS): Supabase's asymmetric signing keys, or the legacy
// shared secret as an "oct" key.
type Key struct {
	ID  string
	jwk map[string]any
}

// NewES256Key generates a P-256 key, the kind Supabase recommends.
func NewES256Key(id string) (Key, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Key{}, fmt.Errorf("generate ES256 key: %w", err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	d, err := k.Bytes()
	if err != nil {
		return Key{}, fmt.Errorf("encode ES256 key: %w", err)
	}
	pub, err := k.PublicKey.Bytes() // 0x04 || x || y
	if err != nil {
		return Key{}, fmt.Errorf("encode ES256 key: %w", err)
	}
	x, y := pub[1:33], pub[33:]
	return Key{ID: id, jwk: map[string]any{
		"kty": "EC", "crv": "P-256", "alg": "ES256", "kid": id,
		"d": b64(d), "x": b64(x), "y": b64(y),
	}}, nil
}

// NewRS256Key generates a 2048-bit RSA key, which Supabase also offers.
func NewRS256Key(id string) (Key, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return Key{}, fmt.Errorf("generate RS256 key: %w", err)
	}
	k.Precompute()
	b64 := func(n *big.Int) string { return base64.RawURLEncoding.EncodeToString(n.Bytes()) }
	return Key{ID: id, jwk: map[string]any{
		"kty": "RSA", "alg": "RS256", "kid": id,
		"n": b64(k.N), "e": b64(big.NewInt(int64(k.E))), "d": b64(k.D),
		"p": b64(k.Primes[0]), "q": b64(k.Primes[1]),
		"dp": b64(k.Precomputed.Dp), "dq": b64(k.Precomputed.Dq), "qi": b64(k.Precomputed.Qinv),
	}}, nil
}

// LegacyKey is the project's HS256 JWT secret as a key of the set.
func LegacyKey(secret string) Key {
	const id = "legacy-hs256"
	return Key{ID: id, jwk: map[string]any{
		"kty": "oct", "alg": "HS256", "kid": id,
		"k": base64.RawURLEncoding.EncodeToString([]byte(secret)),
	}}
}

// Keys is the server's key set: one key signs new access tokens, the
// others still verify (a standby key published ahead of a rotation, or
// the previous key while its tokens expire). Asymmetric keys appear in the
// JWKS; the legacy secret never does.
type Keys struct {
	Signing Key
	Others  []Key
}

// env renders the set as GOTRUE_JWT_KEYS.
func (ks Keys) env() (string, error) {
	var set []map[string]any
	add := func(k Key, ops ...string) {
		m := make(map[string]any, len(k.jwk)+1)
		for name, v := range k.jwk {
			m[name] = v
		}
		m["key_ops"] = ops
		set = append(set, m)
	}
	add(ks.Signing, "sign", "verify")
	for _, k := range ks.Others {
		add(k, "verify")
	}
	b, err := json.Marshal(set)
	return string(b), err
}

// apiKey signs a legacy API key (anon or service_role) the way Supabase
// issues them: a long-lived HS256 JWT of the project secret.
func apiKey(secret, role string) (string, error) {
	now := time.Now()
	return jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": "supabase", "ref": "local", "role": role,
		"iat": now.Unix(), "exp": now.AddDate(10, 0, 0).Unix(),
	}).SignedString([]byte(secret))
}
