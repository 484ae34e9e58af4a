package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/lib/campaign"
)

// TestNumberHistory: GET /api/numbers/{phone}/calls lists every call to
// the number across campaigns, newest first, with its campaign, outcome
// and cost, a page at a time, and where the number stands against the
// frequency cap; another number's calls never show. A number that is not
// one is a 400; one never called is an empty history.
func TestNumberHistory(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	shared, other := apitest.Phone(1), apitest.Phone(2)
	spring := e.create(t, tok, map[string]string{"name": "Spring"}, apitest.CSVHeader+"Ann,Acme,"+shared+",x\nBob,Bco,"+other+",y\n").CampaignID
	autumn := e.create(t, tok, map[string]string{"name": "Autumn"}, apitest.CSVHeader+"Ann B,Acme,"+shared+",x\n").CampaignID
	e.AddCall(t, spring, shared, apitest.Call{Status: "ENDED", EndedReason: "customer-did-not-answer", Disposition: "no-answer"})
	e.AddCall(t, spring, shared, apitest.Call{Status: "ENDED", EndedReason: "voicemail", Disposition: "voicemail", Cost: 0.02})
	e.AddCall(t, autumn, shared, apitest.Call{Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "answered", Cost: 0.31})
	e.AddCall(t, spring, other, apitest.Call{Status: "ENDED", EndedReason: "customer-busy", Disposition: "busy"})
	now := e.Clock.Now()
	// Dialed 8 days, 2 days and 1 hour ago: two inside the cap's 7 days.
	e.Exec(t, `update calls l set dial_requested_at = $2::timestamptz - case
		  when l.campaign_id = $1 and l.attempt = 1 then interval '8 days'
		  when l.campaign_id = $1 then interval '2 days' else interval '1 hour' end,
		structured_data = case when l.campaign_id <> $1 then '{"interested": true}'::jsonb end,
		outcomes = case when l.campaign_id <> $1 then '{"interested": true, "email": "ann@example.com"}'::jsonb end`, spring, now)

	path := "/api/numbers/" + strings.ReplaceAll(shared, "+", "%2B") + "/calls"
	var h campaign.NumberHistory
	e.GetJSON(t, tok, path, &h)
	if h.Phone != shared || len(h.Calls) != 3 || h.Pagination.Total != 3 {
		t.Fatalf("history = %+v", h)
	}
	want := []struct{ campaign, disposition string }{{"Autumn", "answered"}, {"Spring", "voicemail"}, {"Spring", "no-answer"}}
	for i, w := range want {
		c := h.Calls[i]
		if c.Campaign.Name != w.campaign || c.Disposition == nil || *c.Disposition != w.disposition {
			t.Errorf("call %d = %s %v, want %s %s", i, c.Campaign.Name, c.Disposition, w.campaign, w.disposition)
		}
	}
	if c := h.Calls[0]; c.Cost == nil || *c.Cost != 0.31 || string(c.StructuredData) != `{"interested":true}` || c.Name != "Ann B" ||
		string(c.Outcomes) != `{"email":"ann@example.com","interested":true}` ||
		!c.DialedAt.Equal(now.Add(-time.Hour).Truncate(time.Microsecond)) {
		t.Errorf("newest call = %+v", c)
	}
	if fc := h.FrequencyCap; fc.Attempts != 2 || fc.Limit != 3 || fc.Days != 7 || fc.NextAllowedAt != nil {
		t.Errorf("frequency cap = %+v, want 2 of 3 in 7 days, callable now", fc)
	}
	var page campaign.NumberHistory
	e.GetJSON(t, tok, path+"?limit=2&page=2", &page)
	if len(page.Calls) != 1 || page.Calls[0].ID != h.Calls[2].ID || page.Pagination.Pages != 2 {
		t.Errorf("page 2 of 2 = %+v", page)
	}
	// A third call this week fills the cap: the next is allowed when the
	// oldest of the three leaves the 7 days.
	e.Exec(t, `update calls set dial_requested_at = $2::timestamptz - interval '3 days' where campaign_id = $1 and attempt = 1`, spring, now)
	e.GetJSON(t, tok, path, &h)
	if fc := h.FrequencyCap; fc.Attempts != 3 || fc.NextAllowedAt == nil || !fc.NextAllowedAt.Equal(now.Add(4*24*time.Hour).Truncate(time.Microsecond)) {
		t.Errorf("frequency cap at the limit = %+v", fc)
	}
	var none campaign.NumberHistory
	e.GetJSON(t, tok, "/api/numbers/"+strings.ReplaceAll(apitest.Phone(9), "+", "%2B")+"/calls", &none)
	if len(none.Calls) != 0 || none.Pagination.Total != 0 || none.Calls == nil {
		t.Errorf("a number never called = %+v", none)
	}
	for _, bad := range []string{"not-a-number", "12", "%2B1"} {
		r := e.Send(t, http.MethodGet, "/api/numbers/"+bad+"/calls", tok, "", nil)
		if got := apitest.WantError(t, r, http.StatusBadRequest, "VALIDATION_ERROR"); got.Error.Details["field"] != "phone" {
			t.Errorf("%s: details %v", bad, got.Error.Details)
		}
	}
	r := e.Send(t, http.MethodGet, path+"?limit=201", tok, "", nil)
	apitest.WantError(t, r, http.StatusBadRequest, "VALIDATION_ERROR")
}
