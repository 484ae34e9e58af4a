package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/outbox"
)

// teamSystem is a receiver of the outbox's deliveries, as a team's CRM
// would be: it verifies every signature, de-duplicates by webhook-id,
// and is unreliable on purpose (answer decides each reply by the request's
// number; 0 holds the answer past the sender's timeout).
type teamSystem struct {
	*httptest.Server
	t       testing.TB
	mu      sync.Mutex
	secret  string
	seen    map[string]json.RawMessage // by webhook-id, first accepted body
	dups    int
	n       int
	faults  map[string]int
	answer  func(n int) int
	release chan struct{}
}

func newTeamSystem(t testing.TB, answer func(n int) int) *teamSystem {
	s := &teamSystem{t: t, seen: map[string]json.RawMessage{}, faults: map[string]int{}, answer: answer,
		release: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() { close(s.release); s.Close() })
	return s
}

func (s *teamSystem) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id := r.Header.Get(outbox.HeaderID)
	s.mu.Lock()
	secret := s.secret
	s.n++
	n := s.n
	s.mu.Unlock()
	if !outbox.Verify(secret, id, r.Header.Get(outbox.HeaderTimestamp), body, r.Header.Get(outbox.HeaderSignature)) {
		s.t.Errorf("delivery %s: signature does not verify", id)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	code := http.StatusOK
	if s.answer != nil {
		code = s.answer(n)
	}
	if code >= 300 {
		s.mu.Lock()
		s.faults["5xx"]++
		s.mu.Unlock()
		w.WriteHeader(code)
		return
	}
	s.mu.Lock()
	if _, ok := s.seen[id]; ok {
		s.dups++
	} else {
		s.seen[id] = body
	}
	if code == 0 {
		s.faults["timeout"]++
	}
	s.mu.Unlock()
	if code == 0 {
		// The event is taken, but the answer comes only after the sender
		// gave up: it must send it again, and we see it twice.
		select {
		case <-time.After(outbox.Timeout + time.Second):
		case <-s.release:
		}
		code = http.StatusOK
	}
	w.WriteHeader(code)
}

// events are the distinct events received, by type.
func (s *teamSystem) events() map[string][]json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]json.RawMessage{}
	for _, b := range s.seen {
		var ev struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(b, &ev); err != nil {
			s.t.Errorf("body %s: %v", b, err)
		}
		out[ev.Type] = append(out[ev.Type], ev.Data)
	}
	return out
}

type createdDestination struct {
	Destination outbox.Destination `json:"destination"`
	Secret      string             `json:"secret"`
}

func addDestination(t *testing.T, e *apitest.Env, url string, events ...string) createdDestination {
	t.Helper()
	var c createdDestination
	body := map[string]any{"name": "CRM", "url": url, "events": events}
	if st := e.JSON(http.MethodPost, "/api/admin/destinations", e.Admin, body, &c); st != http.StatusCreated {
		t.Fatalf("create destination: %d", st)
	}
	if !strings.HasPrefix(c.Secret, "whsec_") {
		t.Fatalf("secret %q", c.Secret)
	}
	return c
}

// The done-when: a simulator campaign's every call, its finish
// and an opt-out reach a receiver that answers 500s and times out, each
// exactly once after de-duplication by webhook-id, every signature
// verified.
func TestEveryEventReachesAnUnreliableReceiverOnce(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	crm := newTeamSystem(t, func(n int) int {
		switch {
		case n == 2:
			return 0 // one timeout
		case n%3 == 0:
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	dst := addDestination(t, e, crm.URL, outbox.CallFinished, outbox.CampaignFinished, outbox.ContactOptedOut)
	crm.mu.Lock()
	crm.secret = dst.Secret
	crm.mu.Unlock()

	const contacts = 6
	c := e.CreateCampaign(map[string]string{"name": "Outbox", "assistantId": e.CreateAssistant("Caller"),
		"maxAttempts": "1", "autoDncOnOptOut": "true"}, apitest.Contacts(contacts))
	if st := e.Control(c.CampaignID, "start"); st != http.StatusOK {
		t.Fatalf("start: %d", st)
	}
	e.Eventually(60*time.Second, c.CampaignID, func() bool {
		var st string
		_ = e.DB.QueryRow(context.Background(), `select status from campaigns where id = $1`, c.CampaignID).Scan(&st)
		return st == "COMPLETED"
	})
	// One person asks not to be called again: the opt-out path the
	// webhook's end-of-call report takes.
	var callID uuid.UUID
	if err := e.DB.QueryRow(context.Background(), `select id from calls where campaign_id = $1 limit 1`, c.CampaignID).Scan(&callID); err != nil {
		t.Fatal(err)
	}
	if err := campaign.SuppressOptOut(context.Background(), e.DB, callID, e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	calls := e.Count(t, `select count(*) from calls where campaign_id = $1`, c.CampaignID)
	want := map[string]int{outbox.CallFinished: calls, outbox.CampaignFinished: 1, outbox.ContactOptedOut: 1}
	complete := func() bool {
		got := crm.events()
		for typ, n := range want {
			if len(got[typ]) != n {
				return false
			}
		}
		return true
	}
	for i := 0; i < 60 && !complete(); i++ {
		e.Tick("") // the full pass delivers
		e.Clock.Advance(30 * time.Minute)
	}
	got := crm.events()
	for typ, n := range want {
		if len(got[typ]) != n {
			t.Errorf("%s: %d distinct events, want %d", typ, len(got[typ]), n)
		}
	}
	crm.mu.Lock()
	faults, dups := crm.faults, crm.dups
	crm.mu.Unlock()
	if faults["timeout"] == 0 || faults["5xx"] == 0 || dups == 0 {
		t.Errorf("faults %v, %d duplicates: the receiver's faults were not exercised", faults, dups)
	}
	contactsSeen := map[string]bool{}
	for _, data := range got[outbox.CallFinished] {
		var d struct {
			Contact struct{ Phone string } `json:"contact"`
			Status  string                 `json:"status"`
		}
		_ = json.Unmarshal(data, &d)
		contactsSeen[d.Contact.Phone] = true
	}
	if len(contactsSeen) != contacts {
		t.Errorf("call.finished for %d contacts, want %d", len(contactsSeen), contacts)
	}
	if e.Count(t, `select count(*) from outbox_deliveries where status <> 'delivered'`) != 0 {
		t.Error("deliveries left undelivered")
	}
}
