package scheduler_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/campaign"
)

// world has one contact per zone: New York, Los Angeles, London, Tokyo.
const world = "name,business_name,phone\n" +
	"Nia,NYC Deli,+12125550100\n" +
	"Lou,LA Surf,+14155550100\n" +
	"Len,London Tea,+442071838750\n" +
	"Tom,Tokyo Ramen,+81312345678\n"

func zoneOf(phone string) string {
	switch {
	case strings.HasPrefix(phone, "+1212"):
		return "America/New_York"
	case strings.HasPrefix(phone, "+1415"):
		return "America/Los_Angeles"
	case strings.HasPrefix(phone, "+44"):
		return "Europe/London"
	}
	return "Asia/Tokyo"
}

// Each contact is dialed only inside 9:00–17:00 Monday–Friday of its own
// zone; a campaign whose remaining contacts are outside waits overnight
// (with nextEligibleAt) instead of completing.
func TestCallingHoursInEachContactsZone(t *testing.T) {
	t.Parallel()
	// Wednesday 14:30 UTC: New York 09:30, Los Angeles 06:30, London 14:30, Tokyo 23:30.
	start := time.Date(2026, 11, 25, 14, 30, 0, 0, time.UTC)
	e := apitest.New(t, apitest.Options{Now: start, Sim: vapisim.Config{Seed: 20, Mix: vapisim.Mix{Answered: 1}}})
	asst := e.CreateAssistant("Hours")
	c := e.CreateCampaign(map[string]string{"name": "world", "assistantId": asst, "maxAttempts": "1"}, world)
	e.Control(c.CampaignID, "start")
	dialed := func() map[string]bool {
		out := map[string]bool{}
		for _, call := range e.Sim.Calls() {
			out[zoneOf(call.Customer.Number)] = true
		}
		return out
	}
	settle := func() {
		for range 20 {
			e.Tick(c.CampaignID)
			time.Sleep(20 * time.Millisecond)
		}
	}
	settle()
	if got := dialed(); !got["America/New_York"] || !got["Europe/London"] || got["America/Los_Angeles"] || got["Asia/Tokyo"] {
		t.Fatalf("at 14:30 UTC dialed %v, want New York and London only", got)
	}
	// 17:30 UTC: Los Angeles 09:30 opens; London (17:30) has closed.
	e.Clock.Advance(3 * time.Hour)
	settle()
	if got := dialed(); !got["America/Los_Angeles"] || got["Asia/Tokyo"] {
		t.Fatalf("at 17:30 UTC dialed %v, want Los Angeles too, not Tokyo", got)
	}
	s := e.Summary(c.CampaignID)
	if s.Status == "COMPLETED" || s.NextEligibleAt == nil {
		t.Fatalf("with Tokyo left: status %s nextEligibleAt %v, want waiting with a time", s.Status, s.NextEligibleAt)
	}
	// Tokyo opens at 09:00 Thursday = 00:00 UTC.
	if want := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC); !s.NextEligibleAt.Equal(want) {
		t.Fatalf("nextEligibleAt %s, want %s", s.NextEligibleAt, want)
	}
	e.Clock.Advance(7 * time.Hour) // Thursday 00:30 UTC
	e.Eventually(30*time.Second, c.CampaignID, status(e, c.CampaignID))
	for _, call := range e.Sim.Calls() {
		loc, _ := time.LoadLocation(zoneOf(call.Customer.Number))
		local := call.CreatedAt.In(loc)
		if h := local.Hour(); h < 9 || h >= 17 || local.Weekday() == time.Saturday || local.Weekday() == time.Sunday {
			t.Errorf("%s… dialed at %s local", call.Customer.Number[:5], local)
		}
	}
}

// The window follows each zone's daylight-saving rules, and a number
// spanning several zones is dialed only when all of them are inside.
func TestCallingWindowDSTAndMultiZone(t *testing.T) {
	t.Parallel()
	pool := dbtest.Pool(t) // the window is SQL and Go: no backend needed
	w := campaign.Window{Start: "09:00", End: "17:00", Days: []int{1, 2, 3, 4, 5, 6, 7}}
	ny, _ := time.LoadLocation("America/New_York")
	la, _ := time.LoadLocation("America/Los_Angeles")
	cases := []struct {
		at    time.Time
		zones []string
		want  bool
	}{
		// 13:30 UTC is 08:30 EST before the 2026-03-08 change, 09:30 EDT after.
		{time.Date(2026, 3, 6, 13, 30, 0, 0, time.UTC), []string{"America/New_York"}, false},
		{time.Date(2026, 3, 9, 13, 30, 0, 0, time.UTC), []string{"America/New_York"}, true},
		// 17:30 UTC: New York 12:30, Los Angeles 09:30 — both open.
		{time.Date(2026, 11, 25, 17, 30, 0, 0, time.UTC), []string{"America/New_York", "America/Los_Angeles"}, true},
		// 15:30 UTC: New York 10:30 but Los Angeles 07:30 — closed.
		{time.Date(2026, 11, 25, 15, 30, 0, 0, time.UTC), []string{"America/New_York", "America/Los_Angeles"}, false},
	}
	for _, c := range cases {
		var inSQL bool
		err := pool.QueryRow(context.Background(),
			`select public.in_calling_window($1::text[], 'UTC', $2, '09:00', '17:00', '{1,2,3,4,5,6,7}')`, c.zones, c.at).Scan(&inSQL)
		if err != nil {
			t.Fatal(err)
		}
		var locs []*time.Location
		for _, z := range c.zones {
			if z == "America/New_York" {
				locs = append(locs, ny)
			} else {
				locs = append(locs, la)
			}
		}
		if inSQL != c.want || w.Open(c.at, locs) != c.want {
			t.Errorf("%s in %v: SQL %v, Go %v, want %v", c.at, c.zones, inSQL, w.Open(c.at, locs), c.want)
		}
	}
}

// No-answer is redialed after the delay, up to the attempt limit, each
// attempt its own call row; an answered call never is.
func TestRedialRules(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 21, Mix: vapisim.Mix{NoAnswer: 1}}})
	asst := e.CreateAssistant("Redial")
	c := e.CreateCampaign(map[string]string{"name": "redial", "assistantId": asst, "maxAttempts": "3", "retryDelayMinutes": "60"}, apitest.Contacts(4))
	e.Control(c.CampaignID, "start")
	waitQuiet := func() {
		e.Eventually(20*time.Second, c.CampaignID, func() bool {
			s := e.Summary(c.CampaignID)
			return s.Metrics.ActiveCalls == 0 && s.Metrics.DialedContacts == 4
		})
	}
	for attempt := 1; attempt <= 3; attempt++ {
		waitQuiet()
		if n := len(e.Sim.Calls()); n != 4*attempt {
			t.Fatalf("after attempt %d: %d calls placed, want %d", attempt, n, 4*attempt)
		}
		// Before the delay nothing is redialed.
		e.Clock.Advance(30 * time.Minute)
		e.Tick(c.CampaignID)
		if n := len(e.Sim.Calls()); n != 4*attempt {
			t.Fatalf("redialed before the delay: %d calls", n)
		}
		e.Clock.Advance(31 * time.Minute)
		e.Tick(c.CampaignID)
	}
	e.Eventually(20*time.Second, c.CampaignID, status(e, c.CampaignID))
	for num, n := range e.Sim.Stats().ByCustomer {
		if n != 3 {
			t.Errorf("%s… called %d times, want 3", num[:6], n)
		}
	}
	var attempts []int
	rows, _ := e.DB.Query(context.Background(), `select attempt from calls where campaign_id = $1 order by attempt`, c.CampaignID)
	for rows.Next() {
		var a int
		_ = rows.Scan(&a)
		attempts = append(attempts, a)
	}
	rows.Close()
	if len(attempts) != 12 || attempts[0] != 1 || attempts[11] != 3 {
		t.Fatalf("attempt rows %v, want four each of 1, 2, 3", attempts)
	}

	answered := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 22, Mix: vapisim.Mix{Answered: 1}}})
	id := start(t, answered, map[string]string{"maxAttempts": "3", "retryDelayMinutes": "1"}, 3)
	answered.Eventually(30*time.Second, id, func() bool {
		answered.Clock.Advance(2 * time.Minute)
		return status(answered, id)()
	})
	if n := len(answered.Sim.Calls()); n != 3 {
		t.Fatalf("answered calls redialed: %d calls for 3 contacts", n)
	}
}

// Numbers on the do-not-call list are refused at import, and a number
// listed after import is never dialed (the campaign still completes).
func TestDoNotCall(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 23, Mix: vapisim.Mix{Answered: 1}}})
	if st := e.JSON("POST", "/api/dnc", e.Operator, map[string]any{"phones": []string{"(415) 555-0001", "nonsense"}}, nil); st != http.StatusCreated {
		t.Fatalf("add dnc: %d", st)
	}
	asst := e.CreateAssistant("DNC")
	c := e.CreateCampaign(map[string]string{"name": "dnc", "assistantId": asst, "maxAttempts": "1"}, apitest.Contacts(4))
	if c.ImportReport.Suppressed != 1 || c.ImportReport.Accepted != 3 {
		t.Fatalf("import report %+v, want 1 suppressed and 3 accepted", c.ImportReport)
	}
	if st := e.JSON("POST", "/api/dnc", e.Operator, map[string]any{"phone": "+14155550002"}, nil); st != http.StatusCreated {
		t.Fatalf("add dnc: %d", st)
	}
	e.Control(c.CampaignID, "start")
	e.Eventually(30*time.Second, c.CampaignID, status(e, c.CampaignID))
	st := e.Sim.Stats()
	if st.ByCustomer["+14155550001"] != 0 || st.ByCustomer["+14155550002"] != 0 || len(st.ByCustomer) != 2 {
		t.Fatalf("suppressed numbers dialed: %v", st.ByCustomer)
	}
	var list struct{ Total int }
	e.JSON("GET", "/api/dnc", e.Operator, nil, &list)
	if list.Total != 2 {
		t.Fatalf("dnc total %d, want 2", list.Total)
	}
	if st := e.JSON("DELETE", "/api/dnc/%2B14155550002", e.Operator, nil, nil); st != http.StatusForbidden {
		t.Fatalf("operator removed a number: %d", st)
	}
	if st := e.JSON("DELETE", "/api/dnc/%2B14155550002", e.Admin, nil, nil); st != http.StatusNoContent {
		t.Fatalf("admin remove: %d", st)
	}
}

// A campaign pauses itself once its recorded cost reaches the limit.
func TestSpendLimitPauses(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 24, Mix: vapisim.Mix{Answered: 1}}})
	id := start(t, e, map[string]string{"cap": "2", "spendLimit": "0.01"}, 10)
	e.Eventually(30*time.Second, id, func() bool { return e.Summary(id).Status == "PAUSED" })
	s := e.Summary(id)
	if s.StatusReason == nil || !strings.Contains(*s.StatusReason, "spend limit") {
		t.Fatalf("reason %v", s.StatusReason)
	}
	dialed := len(e.Sim.Calls())
	for range 5 {
		e.Tick(id)
	}
	if len(e.Sim.Calls()) != dialed || dialed >= 10 {
		t.Fatalf("kept dialing after the limit: %d calls", len(e.Sim.Calls()))
	}
	// Raising the limit lets it resume and finish.
	if st := e.JSON("PATCH", "/api/campaigns/"+id, e.Operator, map[string]any{"spendLimit": 1000}, nil); st != http.StatusOK {
		t.Fatalf("raise limit: %d", st)
	}
	if st := e.Control(id, "resume"); st != http.StatusOK {
		t.Fatalf("resume: %d", st)
	}
	e.Eventually(60*time.Second, id, status(e, id))
}

// Calls are spread over the campaign's numbers so none carries more than
// its share.
func TestNumberRotationIsFair(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 25}})
	id := start(t, e, map[string]string{"cap": "6", "phoneNumberIds": "line-a,line-b,line-c"}, 30)
	e.Eventually(60*time.Second, id, status(e, id))
	for _, n := range []string{"line-a", "line-b", "line-c"} {
		if got := e.Sim.Stats().ByPhoneNumber[n]; got < 9 || got > 11 {
			t.Errorf("%s placed %d of 30 calls, want about 10", n, got)
		}
	}
}

func TestRulesAreValidated(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	asst := e.CreateAssistant("Rules")
	for _, f := range []map[string]string{
		{"callingWindowStart": "07:00"},
		{"callingWindowStart": "18:00", "callingWindowEnd": "10:00"},
		{"callingDays": "funday"},
		{"timezone": "Mars/Olympus"},
		{"maxAttempts": "0"},
		{"retryOn": "answered"},
		{"spendLimit": "-5"},
	} {
		f["name"], f["assistantId"] = "bad", asst
		ct, body := apitest.Multipart(f, apitest.Contacts(1))
		resp := e.Do("POST", "/api/campaigns", e.Operator, ct, body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%v: %d, want 400", f, resp.StatusCode)
		}
	}
}

// A redial whose launch Vapi turned away (rate limit) stays due: the
// contact gets its next attempt on a later tick instead of being dropped.
func TestReleasedRedialStaysDue(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 26, Mix: vapisim.Mix{NoAnswer: 1}}})
	asst := e.CreateAssistant("Again")
	c := e.CreateCampaign(map[string]string{"name": "again", "assistantId": asst, "maxAttempts": "2", "retryDelayMinutes": "5"}, apitest.Contacts(3))
	e.Control(c.CampaignID, "start")
	e.Eventually(20*time.Second, c.CampaignID, func() bool {
		s := e.Summary(c.CampaignID)
		return s.Metrics.ActiveCalls == 0 && s.Metrics.RetriesPending == 3
	})
	e.Clock.Advance(6 * time.Minute)
	e.Sim.SetFaults(vapisim.Faults{RateLimited: 1})
	e.Tick(c.CampaignID)
	if s := e.Summary(c.CampaignID); s.Metrics.RetriesPending != 3 || s.Status == "COMPLETED" {
		t.Fatalf("after a refused redial: %d retries pending, status %s", s.Metrics.RetriesPending, s.Status)
	}
	e.Sim.SetFaults(vapisim.Faults{})
	e.Eventually(30*time.Second, c.CampaignID, status(e, c.CampaignID))
	for num, n := range e.Sim.Stats().ByCustomer {
		if n != 2 {
			t.Errorf("%s… called %d times, want 2", num[:6], n)
		}
	}
}

// In strict batch mode a number listed as do-not-call before its turn
// does not hold the later batches back.
func TestBatchModeSkipsSuppressedContacts(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 27, Mix: vapisim.Mix{Answered: 1}}})
	asst := e.CreateAssistant("Batch")
	c := e.CreateCampaign(map[string]string{"name": "batch", "assistantId": asst, "mode": "batch", "cap": "2", "maxAttempts": "1"}, apitest.Contacts(6))
	if st := e.JSON("POST", "/api/dnc", e.Operator, map[string]any{"phone": "+14155550001"}, nil); st != http.StatusCreated {
		t.Fatalf("dnc: %d", st)
	}
	e.Control(c.CampaignID, "start")
	e.Eventually(30*time.Second, c.CampaignID, status(e, c.CampaignID))
	if n := len(e.Sim.Calls()); n != 5 {
		t.Fatalf("%d calls, want 5 (6 contacts, one listed)", n)
	}
}
