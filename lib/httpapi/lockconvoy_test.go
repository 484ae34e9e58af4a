package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
)

// answer is a request made in the background.
type answer struct {
	apitest.Reply
	err     error
	elapsed time.Duration
}

// background sends a request on its own goroutine; wg counts it.
func (e *campEnv) background(wg *sync.WaitGroup, method, path, token, contentType string, body io.Reader) <-chan answer {
	out := make(chan answer, 1)
	wg.Go(func() {
		start := time.Now()
		r, err := e.Request(method, path, token, contentType, body)
		out <- answer{Reply: r, err: err, elapsed: time.Since(start)}
	})
	return out
}

// await waits for a background answer at most d.
func await(t *testing.T, what string, ch <-chan answer, d time.Duration) answer {
	t.Helper()
	select {
	case a := <-ch:
		if a.err != nil {
			t.Fatalf("%s: %v", what, a.err)
		}
		return a
	case <-time.After(d):
		t.Fatalf("%s: no answer within %s", what, d)
	}
	return answer{}
}

// twoRunning makes two running campaigns of one contact each.
func twoRunning(t *testing.T, e *campEnv, tok string) (x, y string) {
	t.Helper()
	x = e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 1)).CampaignID
	y = e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 1)).CampaignID
	e.Exec(t, `update campaigns set status = 'RUNNING' where id in ($1, $2)`, x, y)
	return x, y
}

// waitUntil polls a count query until it is positive, for at most 10 s.
func (e *campEnv) waitUntil(t *testing.T, what, query string, args ...any) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if e.Count(t, query, args...) > 0 {
			return
		}
	}
	t.Fatalf("never saw %s", what)
}

// An 80k-row chunk streaming into campaign X holds up neither the pause
// of X, nor the pause of another campaign, nor the tick: each answers while
// the import is still under way; the import then completes whole.
func TestM5AppendBlocksNoControl(t *testing.T) {
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	x, y := twoRunning(t, e, tok)
	var wg sync.WaitGroup
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.CloseWithError(io.ErrClosedPipe); wg.Wait() })
	appended := e.background(&wg, http.MethodPost, "/api/campaigns/"+x+"/contacts", tok, "text/csv", pr)
	const rows, head = 80_000, 2_000
	if _, err := io.WriteString(pw, apitest.CSVHeader+apitest.Rows(1, head)); err != nil {
		t.Fatal(err)
	}
	// The import's transaction waits for the rest of the body between
	// statements or inside its COPY.
	e.waitUntil(t, "the import's open transaction",
		`select count(*) from pg_stat_activity where datname = current_database()
		  and (state = 'idle in transaction' or query ilike 'copy %')`)

	pauseX := e.background(&wg, http.MethodPost, "/api/campaigns/"+x+"/pause", tok, "", nil)
	// Let the pause of X reach the database before the other requests.
	time.Sleep(200 * time.Millisecond)
	pauseY := e.background(&wg, http.MethodPost, "/api/campaigns/"+y+"/pause", tok, "", nil)
	tick := e.background(&wg, http.MethodPost, "/api/scheduler/tick", apitest.CronSecret, "", nil)

	if a := await(t, "pause of another campaign", pauseY, time.Second); a.Status != http.StatusOK {
		t.Errorf("pause Y: %d %s", a.Status, a.Body)
	}
	if a := await(t, "pause of the importing campaign", pauseX, 10*time.Second); a.Status != http.StatusOK {
		t.Errorf("pause X: %d %s", a.Status, a.Body)
	}
	if a := await(t, "tick", tick, 20*time.Second); a.Status != http.StatusOK {
		t.Errorf("tick: %d %s", a.Status, a.Body)
	}

	if _, err := io.WriteString(pw, apitest.Rows(1+head, rows-head)); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	a := await(t, "append", appended, time.Minute)
	var got struct{ ImportReport struct{ Accepted int } }
	if a.Status != http.StatusOK || json.Unmarshal(a.Body, &got) != nil || got.ImportReport.Accepted != rows {
		t.Fatalf("append: %d %.300s", a.Status, a.Body)
	}
	if n := e.Count(t, `select total_contacts from campaigns where id = $1 and status = 'PAUSED'`, x); n != rows+1 {
		t.Errorf("paused X counts %d contacts, want %d", n, rows+1)
	}
}

// A control request that cannot get its campaign promptly answers 503
// "busy, retry" (with Retry-After) instead of hanging, and while it waits
// it holds no lock that another campaign's control needs.
func TestM5ControlBusyRetry(t *testing.T) {
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	x, y := twoRunning(t, e, tok)
	tx, err := e.DB.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = tx.Rollback(t.Context()); wg.Wait() })
	if _, err := tx.Exec(t.Context(), `select 1 from campaigns where id = $1 for update`, x); err != nil {
		t.Fatal(err)
	}
	pauseX := e.background(&wg, http.MethodPost, "/api/campaigns/"+x+"/stop", tok, "", nil)
	e.waitUntil(t, "the stop waiting for the campaign",
		`select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)
	if a := await(t, "pause of another campaign", e.background(&wg, http.MethodPost, "/api/campaigns/"+y+"/pause", tok, "", nil), time.Second); a.Status != http.StatusOK {
		t.Errorf("pause Y: %d %s", a.Status, a.Body)
	}
	a := await(t, "stop of the locked campaign", pauseX, 10*time.Second)
	busy := apitest.WantError(t, a.Reply, http.StatusServiceUnavailable, "UNAVAILABLE")
	if a.Header.Get("Retry-After") == "" || busy.Error.Details["retryable"] != true {
		t.Errorf("busy answer: %v %s", a.Header, a.Body)
	}
	if st := e.Count(t, `select count(*) from campaigns where id = $1 and status = 'RUNNING'`, x); st != 1 {
		t.Errorf("the refused stop changed the campaign")
	}
}
