package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"
)

const (
	// refetchInterval bounds how often tokens naming unknown key ids can
	// make us fetch the JWKS, so forged kids cannot turn us into a proxy
	// flooding Supabase.
	refetchInterval = 30 * time.Second
	fetchTimeout    = 10 * time.Second
	maxJWKSBytes    = 1 << 20
	minRSABits      = 2048
	// staleGrace is how long past their lifetime known keys still verify
	// while the JWKS cannot be fetched: an outage at Supabase's edge must
	// not sign everyone out, but a key removed for cause cannot live on.
	staleGrace = time.Hour
)

// publicKey is a JWKS entry we can verify with, and the one alg it serves.
type publicKey struct {
	key crypto.PublicKey
	alg string
}

// keyCache holds the project's JWKS for at most ttl. Fetches are
// single-flight and at most one per refetchInterval.
type keyCache struct {
	url    string
	client *http.Client
	ttl    time.Duration
	now    func() time.Time

	mu          sync.Mutex
	keys        map[string]publicKey
	fetchedAt   time.Time     // of the keys held
	lastAttempt time.Time     // of the last fetch, failed or not
	lastErr     error         // of the last fetch
	inflight    chan struct{} // closed when the running fetch ends
}

func newKeyCache(url string, client *http.Client, ttl time.Duration, now func() time.Time) *keyCache {
	if client == nil {
		client = &http.Client{Timeout: fetchTimeout}
	}
	if ttl <= 0 || ttl > maxJWKSCacheTTL {
		ttl = maxJWKSCacheTTL
	}
	return &keyCache{url: url, client: client, ttl: ttl, now: now}
}

// get returns the key named kid, fetching the JWKS when the cache is stale
// or lacks kid and the last fetch is old enough.
func (c *keyCache) get(ctx context.Context, kid string) (publicKey, error) {
	c.mu.Lock()
	if k, ok := c.lookup(kid); ok {
		c.mu.Unlock()
		return k, nil
	}
	done := c.startFetch()
	c.mu.Unlock()
	if done != nil {
		select {
		case <-done:
		case <-ctx.Done():
			return publicKey{}, fmt.Errorf("wait for JWKS: %w", ctx.Err())
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.lookup(kid); ok {
		return k, nil
	}
	if !c.fresh() && c.lastErr != nil {
		// Stale if error: only while the fetch fails, so a rotation that
		// removes a key still takes effect at the lifetime's end.
		if k, ok := c.keys[kid]; ok && c.now().Sub(c.fetchedAt) < c.ttl+staleGrace {
			return k, nil
		}
		return publicKey{}, fmt.Errorf("%w: %w", ErrKeysUnavailable, c.lastErr)
	}
	return publicKey{}, errors.New("unknown key id")
}

func (c *keyCache) fresh() bool {
	return c.keys != nil && c.now().Sub(c.fetchedAt) < c.ttl
}

func (c *keyCache) lookup(kid string) (publicKey, bool) {
	k, ok := c.keys[kid]
	return k, ok && c.fresh()
}

// startFetch returns a channel closed when a fetch ends: the running one,
// or a new one unless the last began less than refetchInterval ago (then
// nil). Callers hold mu.
func (c *keyCache) startFetch() chan struct{} {
	if c.inflight != nil {
		return c.inflight
	}
	if !c.lastAttempt.IsZero() && c.now().Sub(c.lastAttempt) < min(refetchInterval, c.ttl) {
		return nil
	}
	c.lastAttempt = c.now()
	done := make(chan struct{})
	c.inflight = done
	// Detached from the caller: one impatient client must not fail the
	// fetch others wait on and so block refetches for refetchInterval.
	go func() {
		keys, err := c.fetch()
		c.mu.Lock()
		defer c.mu.Unlock()
		c.lastErr = err
		if err == nil {
			c.keys, c.fetchedAt = keys, c.now()
		}
		c.inflight = nil
		close(done)
	}()
	return done
}

// jwks is the JSON Web Key Set document, reduced to the fields we use.
type jwks struct {
	Keys []jwk `json:"keys"`
}

type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	N   string `json:"n"`
	E   string `json:"e"`
}

func (c *keyCache) fetch() (map[string]publicKey, error) {
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, fmt.Errorf("build JWKS request: %w", err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch JWKS: status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read JWKS: %w", err)
	}
	if len(body) > maxJWKSBytes {
		return nil, errors.New("read JWKS: body too large")
	}
	var set jwks
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("decode JWKS: %w", err)
	}
	return set.publicKeys(), nil
}

// publicKeys keeps the signing keys we support and skips the rest (other
// key types, encryption keys, malformed entries), as one odd key must not
// lock everyone out.
func (s jwks) publicKeys() map[string]publicKey {
	keys := make(map[string]publicKey, len(s.Keys))
	for _, k := range s.Keys {
		if k.Kid == "" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		pk, err := k.publicKey()
		if err != nil || (k.Alg != "" && k.Alg != pk.alg) {
			continue
		}
		keys[k.Kid] = pk
	}
	return keys
}

func (k jwk) publicKey() (publicKey, error) {
	switch k.Kty {
	case "EC":
		return k.ecKey()
	case "RSA":
		return k.rsaKey()
	}
	return publicKey{}, fmt.Errorf("unsupported key type %q", k.Kty)
}

func (k jwk) ecKey() (publicKey, error) {
	if k.Crv != "P-256" {
		return publicKey{}, fmt.Errorf("unsupported curve %q", k.Crv)
	}
	x, errX := base64.RawURLEncoding.DecodeString(k.X)
	y, errY := base64.RawURLEncoding.DecodeString(k.Y)
	if errX != nil || errY != nil || len(x) != 32 || len(y) != 32 {
		return publicKey{}, errors.New("malformed EC coordinates")
	}
	point := append(append([]byte{4}, x...), y...)
	key, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	if err != nil {
		return publicKey{}, fmt.Errorf("parse EC key: %w", err)
	}
	return publicKey{key: key, alg: "ES256"}, nil
}

func (k jwk) rsaKey() (publicKey, error) {
	n, errN := base64.RawURLEncoding.DecodeString(k.N)
	e, errE := base64.RawURLEncoding.DecodeString(k.E)
	if errN != nil || errE != nil || len(e) == 0 || len(e) > 4 {
		return publicKey{}, errors.New("malformed RSA modulus or exponent")
	}
	key := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	if key.N.BitLen() < minRSABits || key.E < 3 || key.E%2 == 0 {
		return publicKey{}, errors.New("weak RSA key")
	}
	return publicKey{key: key, alg: "RS256"}, nil
}
