package teamsystem_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/teamsystem"
	"github.com/autolynx/autolynx/lib/outbox"
)

// recorder keeps the receiver's complaints instead of failing the test.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// The receiver refuses, as the Standard Webhooks specification tells
// receivers to, a delivery whose timestamp is more than
// teamsystem.Tolerance from its clock, however well signed (a replayed
// request), and takes one signed now.
func TestStaleTimestampRefused(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	rc := teamsystem.Start(rec, nil, 0)
	secret := outbox.NewSecret()
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	rc.SetSecret(secret)
	rc.SetClock(func() time.Time { return now })
	post := func(id string, at time.Time) int {
		body := `{"id":"` + id + `","type":"test","data":{}}`
		sig, err := outbox.Sign(secret, id, at, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, rc.URL, strings.NewReader(body))
		req.Header.Set(outbox.HeaderID, id)
		req.Header.Set(outbox.HeaderTimestamp, strconv.FormatInt(at.Unix(), 10))
		req.Header.Set(outbox.HeaderSignature, sig)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		return res.StatusCode
	}
	if st := post("stale", now.Add(-teamsystem.Tolerance-time.Second)); st != http.StatusUnauthorized || len(rec.errs) != 1 {
		t.Errorf("a delivery signed %s ago: status %d, complaints %q", teamsystem.Tolerance+time.Second, st, rec.errs)
	}
	if st := post("ahead", now.Add(teamsystem.Tolerance+time.Second)); st != http.StatusUnauthorized || len(rec.errs) != 2 {
		t.Errorf("a delivery signed ahead of the clock: status %d, complaints %q", st, rec.errs)
	}
	if st := post("fresh", now.Add(-time.Minute)); st != http.StatusOK || len(rec.errs) != 2 {
		t.Errorf("a delivery signed a minute ago: status %d, complaints %q", st, rec.errs)
	}
}
