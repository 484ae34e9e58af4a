package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestLocalIssuerRoundTrip(t *testing.T) {
	t.Parallel()
	const base = "http://127.0.0.1:3000"
	v, err := NewVerifier(Config{SupabaseURL: base, JWTSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	id := LocalUserID("Ada@Example.com")
	token, err := NewLocalIssuer(base, secret).Mint(id, "ada@example.com", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.Verify(context.Background(), token)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got.UserID != id || got.Email != "ada@example.com" || got.Role != "authenticated" {
		t.Fatalf("claims = %+v", got)
	}

	payload := must(base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1]))
	var c map[string]any
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	// Shaped like Supabase's: aud a plain string, the session claims present.
	if c["aud"] != "authenticated" || c["aal"] != "aal1" || c["is_anonymous"] != false || c["session_id"] == "" ||
		c["iss"] != base+"/auth/v1" || c["app_metadata"].(map[string]any)["provider"] != "email" {
		t.Fatalf("payload = %s", payload)
	}

	other, err := NewVerifier(Config{SupabaseURL: base, JWTSecret: []byte("a-different-secret-of-32-bytes-or-more")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Verify(context.Background(), token); err == nil {
		t.Fatal("token verified under another secret")
	}
}

func TestLocalIssuerRefusesShortSecret(t *testing.T) {
	t.Parallel()
	if _, err := NewLocalIssuer("http://127.0.0.1:3000", []byte("short")).Mint(LocalUserID("a@b.c"), "a@b.c", time.Hour); err == nil {
		t.Fatal("minted with a short secret")
	}
}

func TestLocalUserIDIsStableAndCaseInsensitive(t *testing.T) {
	t.Parallel()
	a, b := LocalUserID("Ada@Example.com"), LocalUserID(" ada@example.com ")
	if a != b || a.Version() != 5 {
		t.Fatalf("ids %s and %s, want one v5 id", a, b)
	}
	if a == LocalUserID("bob@example.com") {
		t.Fatal("two emails share an id")
	}
	// Pinned: the CLI and the local invite endpoint of other builds must agree.
	if want := "ca1668e6-892b-5e43-923a-799bcd844d3e"; a.String() != want {
		t.Fatalf("id %s, want %s", a, want)
	}
}
