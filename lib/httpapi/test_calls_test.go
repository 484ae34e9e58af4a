package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/testcall"
)

// TestTestCallStaysApart: a test call places one call of the campaign's
// assistant to the typed number with the chosen contact's variables and
// no server messages; its status is followed from Vapi until it ends. The
// campaign's metrics, contacts, export, status and the number's history
// are the same before and after: the test call is no campaign call.
func TestTestCallStaysApart(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{Sim: vapisim.Config{Seed: 80, Mix: vapisim.Mix{Answered: 1}, Scale: 0.002}})
	tok := e.Operator
	c := e.create(t, tok, map[string]string{"voicemailPolicy": "message_last_attempt", "voicemailMessage": "Hi {{name}}, call {{city}}."},
		apitest.CSVHeader+"Ann,Acme,"+apitest.Phone(1)+",Paris\nBob,Bco,"+apitest.Phone(2)+",Oslo\n")
	id := c.CampaignID
	e.AddCall(t, id, apitest.Phone(1), apitest.Call{Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "answered", Cost: 0.4})
	base := "/api/campaigns/" + id
	type view struct {
		metrics          campaign.Metrics
		status           campaign.Status
		contacts, export []byte
	}
	look := func() view {
		var v view
		s := e.Summary(id)
		v.metrics, v.status = s.Metrics, s.Status
		v.contacts = e.Send(t, http.MethodGet, base+"/contacts", tok, "", nil).Body
		v.export = e.Send(t, http.MethodGet, base+"/export.csv", tok, "", nil).Body
		return v
	}
	before := look()
	var contacts struct{ Contacts []campaign.Contact }
	e.GetJSON(t, tok, base+"/contacts", &contacts)
	var bob string
	for _, k := range contacts.Contacts {
		if k.Name == "Bob" {
			bob = k.ID.String()
		}
	}

	typed := "+1 (415) 555-0999"
	r := e.Send(t, http.MethodPost, base+"/test-calls", tok, "application/json",
		strings.NewReader(`{"phone":"`+typed+`","contactId":"`+bob+`"}`))
	var placed testcall.TestCall
	if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &placed) != nil || placed.Phone != "+14155550999" || placed.Status == "FAILED" {
		t.Fatalf("place: %d %s", r.Status, r.Body)
	}
	sim := e.Sim.Calls()
	if len(sim) != 1 {
		t.Fatalf("the simulator got %d calls, want 1", len(sim))
	}
	o := sim[0].AssistantOverrides
	if sim[0].Customer.Number != "+14155550999" || o.VariableValues["name"] != "Bob" || o.VariableValues["city"] != "Oslo" ||
		o.ServerMessages == nil || len(o.ServerMessages) != 0 || o.VoicemailMessage != "Hi Bob, call Oslo." {
		t.Errorf("placed %s with %+v", sim[0].Customer.Number, o)
	}
	// Its status is followed from Vapi: no webhook comes. Vapi may
	// report the end before its artifacts (cost, transcript): wait for
	// those too.
	var list struct{ TestCalls []testcall.TestCall }
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		e.Clock.Advance(3 * time.Second) // past RefreshEvery
		e.GetJSON(t, tok, base+"/test-calls", &list)
		if len(list.TestCalls) == 1 && list.TestCalls[0].Status == "ENDED" && list.TestCalls[0].Cost != nil &&
			len(list.TestCalls[0].Transcript) > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(list.TestCalls) != 1 || list.TestCalls[0].Status != "ENDED" || list.TestCalls[0].EndedReason == nil ||
		list.TestCalls[0].Cost == nil || len(list.TestCalls[0].Transcript) == 0 {
		t.Fatalf("test calls = %+v", list.TestCalls)
	}
	if n := e.Sim.Stats().WebhooksSent; n != 0 {
		t.Errorf("%d webhooks sent for a test call", n)
	}
	e.Tick(id)
	after := look()
	if !reflect.DeepEqual(before.metrics, after.metrics) || before.status != after.status ||
		!bytes.Equal(before.contacts, after.contacts) || !bytes.Equal(before.export, after.export) {
		t.Errorf("the campaign changed:\nbefore %+v %s\nafter  %+v %s", before.metrics, before.status, after.metrics, after.status)
	}
	if n := e.Count(t, `select count(*) from calls where campaign_id = $1`, id); n != 1 {
		t.Errorf("%d campaign calls, want the 1 added", n)
	}
	var h campaign.NumberHistory
	e.GetJSON(t, tok, "/api/numbers/%2B14155550999/calls", &h)
	if h.Pagination.Total != 0 || h.FrequencyCap.Attempts != 0 {
		t.Errorf("the typed number's history counts the test call: %+v", h)
	}
}

// TestTestCallRefused: a number that is not one, a number on the
// do-not-call list, a contact of another campaign, a second test call
// while one is live and more than testcall.PerUser in testcall.Window are
// refused, and no call is placed for them.
func TestTestCallRefused(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{Sim: vapisim.Config{Seed: 81, Mix: vapisim.Mix{Answered: 1}, Scale: 100}}) // calls stay live
	tok := e.Operator
	id := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 1)).CampaignID
	other := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(5, 1)).CampaignID
	var contacts struct{ Contacts []campaign.Contact }
	e.GetJSON(t, tok, "/api/campaigns/"+other+"/contacts", &contacts)
	e.Exec(t, `insert into dnc (phone) values ('+14155550777')`)
	place := func(body string) apitest.Reply {
		return e.Send(t, http.MethodPost, "/api/campaigns/"+id+"/test-calls", tok, "application/json", strings.NewReader(body))
	}
	for body, want := range map[string]struct {
		status int
		code   string
	}{
		`{"phone":"12"}`:           {http.StatusBadRequest, "VALIDATION_ERROR"},
		`{}`:                       {http.StatusBadRequest, "VALIDATION_ERROR"},
		`{"phone":"+14155550777"}`: {http.StatusConflict, "CONFLICT"},
		`{"phone":"+14155550100","contactId":"` + contacts.Contacts[0].ID.String() + `"}`: {http.StatusBadRequest, "VALIDATION_ERROR"},
		`{"phone":"+14155550100","contactId":"x"}`:                                        {http.StatusBadRequest, "VALIDATION_ERROR"},
	} {
		apitest.WantError(t, place(body), want.status, want.code)
	}
	if r := e.Send(t, http.MethodPost, "/api/campaigns/"+apitest.NewID()+"/test-calls", tok, "application/json",
		strings.NewReader(`{"phone":"+14155550100"}`)); r.Status != http.StatusNotFound {
		t.Errorf("unknown campaign: %d", r.Status)
	}
	if r := place(`{"phone":"+14155550100"}`); r.Status != http.StatusCreated {
		t.Fatalf("first test call: %d %s", r.Status, r.Body)
	}
	apitest.WantError(t, place(`{"phone":"+14155550100"}`), http.StatusConflict, "CONFLICT") // the first is live
	// Earlier test calls of the same user, ended, fill the limit.
	e.Exec(t, `update test_calls set status = 'ENDED'`)
	e.Exec(t, `insert into test_calls (campaign_id, phone, status, created_by, created_at)
		select $1, '+14155550100', 'ENDED', created_by, $2 from test_calls, generate_series(1, $3)`, id, e.Clock.Now(), testcall.PerUser-1)
	r := place(`{"phone":"+14155550100"}`)
	if apitest.WantError(t, r, http.StatusTooManyRequests, "RATE_LIMITED"); r.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	if n := len(e.Sim.Calls()); n != 1 {
		t.Errorf("the simulator got %d calls, want the 1 allowed", n)
	}
	e.Clock.Advance(testcall.Window)
	if r := place(`{"phone":"+14155550100"}`); r.Status != http.StatusCreated {
		t.Errorf("after the window: %d %s", r.Status, r.Body)
	}
	// Vapi's answer lost: a 502, and the test call is not said to have
	// failed, since it may have been placed.
	e.Exec(t, `update test_calls set status = 'ENDED'`)
	e.Sim.SetFaults(vapisim.Faults{DroppedAnswers: 1})
	apitest.WantError(t, place(`{"phone":"+14155550100"}`), http.StatusBadGateway, "UPSTREAM_ERROR")
	if n := e.Count(t, `select count(*) from test_calls where status = 'TIMEOUT' and ended_reason like 'Vapi''s answer was lost%'`); n != 1 {
		t.Errorf("%d test calls recorded as possibly placed, want 1", n)
	}
	// Vapi rate-limiting us is no failure of Vapi's: try again shortly.
	e.Exec(t, `update test_calls set status = 'ENDED'`)
	e.Sim.SetFaults(vapisim.Faults{RateLimited: 1})
	r = place(`{"phone":"+14155550100"}`)
	if apitest.WantError(t, r, http.StatusServiceUnavailable, "UNAVAILABLE"); r.Header.Get("Retry-After") == "" {
		t.Error("rate limited by Vapi: no Retry-After")
	}
}

// TestTestCallLiveOnlyWhileItCanBe: a test call Vapi never confirmed
// (the function died between recording it and Vapi's answer) does not
// block the campaign's later test calls for good, and one Vapi already
// ended does not block the next, though nobody read the list since.
func TestTestCallLiveOnlyWhileItCanBe(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{Sim: vapisim.Config{Seed: 82, Mix: vapisim.Mix{Answered: 1}, Scale: 0.002}})
	c := e.create(t, e.Operator, nil, "name,phone\nAnn,"+apitest.Phone(1)+"\n")
	path := "/api/campaigns/" + c.CampaignID + "/test-calls"
	place := func() apitest.Reply {
		return e.Send(t, http.MethodPost, path, e.Operator, "application/json", strings.NewReader(`{"phone":"+14155550998"}`))
	}
	e.Exec(t, `insert into test_calls (campaign_id, phone, created_at) values ($1, '+14155550999', $2::timestamptz - interval '2 days')`,
		c.CampaignID, e.Clock.Now())
	if r := place(); r.Status != http.StatusCreated {
		t.Fatalf("a 2-day-old unconfirmed test call still blocks the campaign: %d %s", r.Status, r.Body)
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(e.Sim.Calls()) != 1 || e.Sim.Calls()[0].Status != "ended" {
		if time.Now().After(deadline) {
			t.Fatalf("the test call did not end at Vapi: %+v", e.Sim.Calls())
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.Clock.Advance(testcall.RefreshEvery)
	if r := place(); r.Status != http.StatusCreated {
		t.Errorf("a test call Vapi ended blocks the next: %d %s", r.Status, r.Body)
	}
}

// TestTestCallOneLivePerCampaign: two operators placing a test call of
// one campaign at once get one call between them. Both requests are held
// at the live check (the do-not-call list locked) and let go together.
func TestTestCallOneLivePerCampaign(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{Sim: vapisim.Config{Seed: 83, Mix: vapisim.Mix{Answered: 1}, Scale: 100}}) // calls stay live
	id := e.create(t, e.Operator, nil, apitest.CSVHeader+apitest.Rows(0, 1)).CampaignID
	hold, err := e.DB.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = hold.Rollback(t.Context()) }()
	e.Exec(t, `select 1`) // the pool has a connection besides hold's
	if _, err := hold.Exec(t.Context(), `lock table dnc in access exclusive mode`); err != nil {
		t.Fatal(err)
	}
	tokens := []string{e.Operator, e.NewOperator(t)} // two users
	statuses := make([]int, len(tokens))
	var wg sync.WaitGroup
	for i, tok := range tokens {
		wg.Go(func() {
			statuses[i] = e.Send(t, http.MethodPost, "/api/campaigns/"+id+"/test-calls", tok, "application/json",
				strings.NewReader(`{"phone":"+14155550100"}`)).Status
		})
	}
	waiting := `select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`
	deadline := time.Now().Add(20 * time.Second)
	for e.Count(t, waiting) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the two requests did not reach the live check")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := hold.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if slices.Sort(statuses); !slices.Equal(statuses, []int{http.StatusCreated, http.StatusConflict}) {
		t.Errorf("answers %v, want one 201 and one 409", statuses)
	}
}
