package webhook_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/webhook"
)

// The receiver reads vapi.Message: a body that is not one is refused, and
// a needed member of the wrong type is reported while the rest applies.
func TestReceiverReadsVapiMessage(t *testing.T) {
	t.Parallel()
	rc := &webhook.Receiver{DB: dbtest.Pool(t), Now: time.Now}
	ctx := context.Background()
	for _, body := range []string{`{}`, `{"message":null}`, `{"message":5}`, `{"message":{"status":"ended"}}`, `{"message":{"type":7}}`} {
		if _, err := rc.Receive(ctx, []byte(body)); !errors.Is(err, webhook.ErrNotEnvelope) {
			t.Errorf("%s: err = %v, want ErrNotEnvelope", body, err)
		}
	}
	report := `{"message":{"type":"end-of-call-report","endedReason":"customer-busy","cost":"0.1","timestamp":"soon","call":{"id":"unknown-call"}}}`
	out, err := rc.Receive(ctx, []byte(report))
	if err != nil {
		t.Fatal(err)
	}
	if out.Type != "end-of-call-report" || out.Matched || !slices.Equal(out.Mistyped, []string{"cost"}) {
		t.Errorf("outcome = %+v, want an unmatched report with cost mistyped", out)
	}
}
