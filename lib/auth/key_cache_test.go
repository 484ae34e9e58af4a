package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"maps"
	"slices"
	"testing"
)

func TestPublicKeysSkipsWhatCannotVerify(t *testing.T) {
	t.Parallel()
	weak := must(rsa.GenerateKey(rand.Reader, 1024))
	p384 := ecJWK("p384", ecKey())
	p384["crv"] = "P-384"
	enc := rsaJWK("enc", rsaKey())
	enc["use"] = "enc"
	mislabeled := ecJWK("mislabeled", ecKey())
	mislabeled["alg"] = "RS256"
	offCurve := ecJWK("off-curve", ecKey())
	offCurve["y"] = offCurve["x"]
	noKid := ecJWK("", ecKey())
	set := jwks{}
	for _, m := range []map[string]string{
		ecJWK("ec", ecKey()), rsaJWK("rsa", rsaKey()), rsaJWK("weak", weak), p384, enc, mislabeled, offCurve, noKid,
		{"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
	} {
		set.Keys = append(set.Keys, jwk{Kty: m["kty"], Kid: m["kid"], Use: m["use"], Alg: m["alg"],
			Crv: m["crv"], X: m["x"], Y: m["y"], N: m["n"], E: m["e"]})
	}
	got := set.publicKeys()
	if kids := slices.Sorted(maps.Keys(got)); !slices.Equal(kids, []string{"ec", "rsa"}) {
		t.Fatalf("kept %v, want [ec rsa]", kids)
	}
	if got["ec"].alg != "ES256" || got["rsa"].alg != "RS256" {
		t.Fatalf("algs = %s, %s", got["ec"].alg, got["rsa"].alg)
	}
}
