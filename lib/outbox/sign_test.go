package outbox_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/lib/outbox"
)

// The Standard Webhooks specification's published vector (its reference
// libraries test against it).
func TestSignMatchesTheSpecificationVector(t *testing.T) {
	t.Parallel()
	const (
		secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		id     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
		want   = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	)
	at := time.Unix(1614265330, 0)
	body := []byte(`{"test": 2432232314}`)
	got, err := outbox.Sign(secret, id, at, body)
	if err != nil || got != want {
		t.Fatalf("Sign = %q, %v; want %q", got, err, want)
	}
	if !outbox.Verify(secret, id, "1614265330", body, "v1,bogus "+want) {
		t.Error("Verify refuses the vector among several signatures")
	}
	if outbox.Verify(secret, id, "1614265331", body, want) {
		t.Error("Verify accepts another timestamp")
	}
}

func TestNewSecretIsStandardForm(t *testing.T) {
	t.Parallel()
	a, b := outbox.NewSecret(), outbox.NewSecret()
	if a == b || !strings.HasPrefix(a, "whsec_") {
		t.Fatalf("secrets %q %q", a, b)
	}
	at := time.Unix(1700000000, 0)
	sig, err := outbox.Sign(a, "id", at, []byte("{}"))
	if err != nil || !outbox.Verify(a, "id", strconv.FormatInt(at.Unix(), 10), []byte("{}"), sig) {
		t.Fatalf("a new secret does not sign: %v", err)
	}
	if _, err := outbox.Sign("whsec_not base64!", "id", at, nil); err == nil {
		t.Error("a malformed secret signs")
	}
}
