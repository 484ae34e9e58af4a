package outbox

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// secretPrefix starts every signing secret, as the Standard Webhooks
// specification writes symmetric keys.
const secretPrefix = "whsec_"

// The headers of a Standard Webhooks delivery.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// NewSecret makes a signing secret: whsec_ and 32 random bytes in base64.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return secretPrefix + base64.StdEncoding.EncodeToString(b)
}

// errSecret means a secret is not whsec_<base64>.
var errSecret = errors.New("signing secret is not whsec_<base64>")

// Sign is the webhook-signature of one delivery: "v1," and the base64
// HMAC-SHA256 of "{id}.{timestamp}.{body}", keyed with the bytes the
// secret's base64 (after whsec_) encodes.
func Sign(secret, id string, at time.Time, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil || len(key) == 0 {
		return "", errSecret
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(at.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// Verify reports whether one of the space-separated signatures of a
// webhook-signature header signs body, in constant time; what a receiver
// does (the tests use it).
func Verify(secret, id, timestamp string, body []byte, header string) bool {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	want, err := Sign(secret, id, time.Unix(ts, 0), body)
	if err != nil {
		return false
	}
	ok := false
	for _, sig := range strings.Fields(header) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			ok = true
		}
	}
	return ok
}
