package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/lib/apitest"
	"github.com/autolynx/autolynx/lib/campaign"
)

func TestCampaignListNewestFirstWithCounters(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	var ids []string
	for i := range 3 {
		ids = append(ids, e.create(t, tok, map[string]string{"name": fmt.Sprintf("List %d", i)}, apitest.CSVHeader+apitest.Rows(0, 5+i)).CampaignID)
	}
	last := ids[2]
	e.AddCall(t, last, apitest.Phone(0), apitest.Call{Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "answered", Cost: 0.25})
	e.AddCall(t, last, apitest.Phone(1), apitest.Call{Status: "ENDED", EndedReason: "voicemail", Disposition: "voicemail", Cost: 0.1})
	e.AddCall(t, last, apitest.Phone(2), apitest.Call{Status: "FAILED", EndedReason: "twilio-failed-to-connect-call", Disposition: "failed"})
	e.AddCall(t, last, apitest.Phone(3), apitest.Call{Status: "IN_PROGRESS"})
	var list struct{ Campaigns []campaign.Campaign }
	e.GetJSON(t, tok, "/api/campaigns", &list)
	if len(list.Campaigns) != 3 {
		t.Fatalf("%d campaigns listed, want 3", len(list.Campaigns))
	}
	for i, c := range list.Campaigns {
		if c.ID.String() != ids[2-i] || c.Name != fmt.Sprintf("List %d", 2-i) || c.TotalContacts != 7-i || c.Status != campaign.Created {
			t.Errorf("campaign %d = %+v, want newest first", i, c)
		}
	}
	got := list.Campaigns[0]
	if got.CompletedCalls != 3 || got.SuccessfulCalls != 1 || got.ActiveCalls != 1 || got.TotalCost != 0.35 {
		t.Errorf("counters = completed %d, successful %d, active %d, cost %v; want 3, 1, 1, 0.35",
			got.CompletedCalls, got.SuccessfulCalls, got.ActiveCalls, got.TotalCost)
	}
	var raw struct{ Campaigns []map[string]any }
	e.GetJSON(t, tok, "/api/campaigns", &raw)
	wantKeys(t, raw.Campaigns[0], "id", "name", "status", "mode", "cap", "totalContacts", "completedCalls",
		"activeCalls", "successfulCalls", "totalCost", "createdAt", "startedAt", "completedAt")
}

// wantKeys fails unless m has every key of the API contract.
func wantKeys(t *testing.T, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("answer lacks %q: %v", k, m)
		}
	}
}

func TestCampaignSummary(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	id := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 6)).CampaignID
	e.AddCall(t, id, apitest.Phone(0), apitest.Call{Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "answered", Cost: 0.5})
	e.AddCall(t, id, apitest.Phone(1), apitest.Call{Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "answered", Cost: 0.25})
	e.AddCall(t, id, apitest.Phone(2), apitest.Call{Status: "FAILED", EndedReason: "twilio-failed-to-connect-call", Disposition: "failed"})
	e.AddCall(t, id, apitest.Phone(3), apitest.Call{Status: "RINGING"})
	var raw map[string]any
	e.GetJSON(t, tok, "/api/campaigns/"+id, &raw)
	wantKeys(t, raw, "id", "name", "status", "mode", "cap", "lineQuietGating", "assistant", "phoneNumberId",
		"metrics", "phoneLine", "createdAt", "startedAt", "completedAt")
	wantKeys(t, raw["assistant"].(map[string]any), "id", "name")
	wantKeys(t, raw["phoneLine"].(map[string]any), "activeCalls")
	wantKeys(t, raw["metrics"].(map[string]any), "totalContacts", "dialedContacts", "completedCalls", "activeCalls",
		"successfulCalls", "failedCalls", "totalCost", "byStatus", "byEndedReason")
	var s campaign.Summary
	e.GetJSON(t, tok, "/api/campaigns/"+id+"/summary", &s)
	m := s.Metrics
	want := campaign.Metrics{TotalContacts: 6, DialedContacts: 4, CompletedCalls: 3, ActiveCalls: 1, SuccessfulCalls: 2,
		FailedCalls: 1, TotalCost: 0.75,
		ByStatus:      map[string]int{"ENDED": 2, "FAILED": 1, "RINGING": 1, "NOT_CALLED": 2},
		ByEndedReason: map[string]int{"customer-ended-call": 2, "twilio-failed-to-connect-call": 1},
		ByDisposition: map[string]int{"answered": 2, "failed": 1}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("metrics = %+v\nwant      %+v", m, want)
	}
	if s.PhoneLine.ActiveCalls != 1 || s.StartedAt != nil || s.CompletedAt != nil || s.ID.String() != id {
		t.Errorf("summary = %+v", s)
	}
	var again campaign.Summary
	e.GetJSON(t, tok, "/api/campaigns/"+id, &again)
	if !reflect.DeepEqual(s, again) {
		t.Errorf("/summary and the detail differ:\n%+v\n%+v", s, again)
	}
}

type contactPage struct {
	Contacts   []campaign.Contact
	Pagination campaign.Pagination
}

func TestCampaignContactsPagination(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	id := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 120)).CampaignID
	base := "/api/campaigns/" + id + "/contacts"
	var p contactPage
	e.GetJSON(t, tok, base, &p)
	if p.Pagination != (campaign.Pagination{Page: 1, Limit: 50, Total: 120, Pages: 3}) || len(p.Contacts) != 50 {
		t.Errorf("default page: %+v with %d contacts", p.Pagination, len(p.Contacts))
	}
	seen := 0
	for page, size := range map[int]int{1: 50, 2: 50, 3: 20} {
		var p contactPage
		e.GetJSON(t, tok, fmt.Sprintf("%s?page=%d&limit=50", base, page), &p)
		if p.Pagination != (campaign.Pagination{Page: page, Limit: 50, Total: 120, Pages: 3}) || len(p.Contacts) != size {
			t.Errorf("page %d: %+v with %d contacts", page, p.Pagination, len(p.Contacts))
			continue
		}
		for i, k := range p.Contacts {
			if n := (page-1)*50 + i; k.Phone != apitest.Phone(n) {
				t.Errorf("page %d row %d is %s, want contact %d", page, i, k.Phone, n)
			}
		}
		seen += len(p.Contacts)
	}
	if seen != 120 {
		t.Errorf("pages hold %d contacts, want 120", seen)
	}
	e.GetJSON(t, tok, base+"?limit=500", &p)
	if len(p.Contacts) != 120 || p.Pagination.Pages != 1 {
		t.Errorf("limit=500: %+v with %d contacts", p.Pagination, len(p.Contacts))
	}
	for _, q := range []string{"limit=501", "limit=0", "limit=-1", "limit=ten", "page=0", "page=x", "status=DONE"} {
		apitest.WantError(t, e.Send(t, http.MethodGet, base+"?"+q, tok, "", nil), http.StatusBadRequest, "VALIDATION_ERROR")
	}
}

// TestCampaignContactsPastLastPage asks for a page after the last: it is
// empty, but the pagination must still describe the list.
func TestCampaignContactsPastLastPage(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	id := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 12)).CampaignID
	var p contactPage
	e.GetJSON(t, tok, "/api/campaigns/"+id+"/contacts?page=4&limit=5", &p)
	if len(p.Contacts) != 0 || p.Pagination != (campaign.Pagination{Page: 4, Limit: 5, Total: 12, Pages: 3}) {
		t.Errorf("page past the end: %+v with %d contacts, want total 12, pages 3", p.Pagination, len(p.Contacts))
	}
}

func TestCampaignContactsStatusFilter(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	id := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 8)).CampaignID
	e.AddCall(t, id, apitest.Phone(1), apitest.Call{Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "answered",
		Cost: 0.3, RecordingURL: "https://rec.example/1.wav"})
	e.AddCall(t, id, apitest.Phone(4), apitest.Call{Status: "ENDED", EndedReason: "voicemail", Disposition: "voicemail"})
	e.AddCall(t, id, apitest.Phone(5), apitest.Call{Status: "FAILED", EndedReason: "twilio-failed-to-connect-call"})
	// A retry: the contact's latest attempt decides its status.
	e.AddCall(t, id, apitest.Phone(5), apitest.Call{Status: "IN_PROGRESS"})
	base := "/api/campaigns/" + id + "/contacts?status="
	tests := map[string][]int{
		"ENDED":       {1, 4},
		"ended":       {1, 4},
		"IN_PROGRESS": {5},
		"FAILED":      nil,
		"NOT_CALLED":  {0, 2, 3, 6, 7},
		"":            {0, 1, 2, 3, 4, 5, 6, 7},
	}
	for status, want := range tests {
		var p contactPage
		e.GetJSON(t, tok, base+status, &p)
		if got := contactIndexes(p.Contacts); !reflect.DeepEqual(got, want) || p.Pagination.Total != len(want) {
			t.Errorf("status=%s: contacts %v (total %d), want %v", status, got, p.Pagination.Total, want)
		}
	}
	var p contactPage
	e.GetJSON(t, tok, base+"ENDED", &p)
	call := p.Contacts[0].Call
	if call == nil || call.Status != "ENDED" || *call.EndedReason != "customer-ended-call" || *call.Cost != 0.3 ||
		*call.RecordingURL != "/api/campaigns/"+id+"/calls/"+call.ID.String()+"/recording" || *call.Duration != 42.5 || call.Attempt != 1 ||
		call.StartedAt == nil || call.EndedAt == nil {
		t.Errorf("call = %+v", call)
	}
	e.GetJSON(t, tok, base+"IN_PROGRESS", &p)
	if c := p.Contacts[0]; c.Call.Attempt != 2 || c.Attempts != 2 {
		t.Errorf("retried contact: attempts %d, call attempt %d; want 2", c.Attempts, c.Call.Attempt)
	}
	var raw struct{ Contacts []map[string]any }
	e.GetJSON(t, tok, base+"ENDED", &raw)
	wantKeys(t, raw.Contacts[0], "id", "name", "businessName", "phone", "variables", "call")
	wantKeys(t, raw.Contacts[0]["call"].(map[string]any), "id", "status", "endedReason", "cost", "recordingUrl",
		"duration", "startedAt", "endedAt", "attempt")
}

// contactIndexes maps contacts made by csvRows back to their index.
func contactIndexes(cs []campaign.Contact) []int {
	var out []int
	for _, c := range cs {
		var i int
		if _, err := fmt.Sscanf(c.Name, "Person %d", &i); err == nil {
			out = append(out, i)
		} else {
			out = append(out, -1)
		}
	}
	return out
}

func TestCampaignContactsSearch(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	csv := apitest.CSVHeader +
		"Alice Martin,Acme Plumbing,+12122000001,NYC\n" +
		"Bob Stone,Stone & Sons,+12122000002,NYC\n" +
		"Carla Diaz,100% Organic,+13105550003,LA\n" +
		"Dan_Acme,Bakery,+13105550004,LA\n"
	id := e.create(t, tok, nil, csv).CampaignID
	tests := map[string][]string{
		"acme":           {"Alice Martin", "Dan_Acme"}, // business name, then name, case-insensitive
		"MARTIN":         {"Alice Martin"},
		"stone":          {"Bob Stone"},
		"(212) 200-0002": {"Bob Stone"}, // phone digits, as typed
		"310555":         {"Carla Diaz", "Dan_Acme"},
		"+1 212":         {"Alice Martin", "Bob Stone"},
		"100%":           {"Carla Diaz"}, // % is literal
		"b_b":            nil,            // _ is literal (as a wildcard it would match "bob")
		"nobody":         nil,
		"Bakery 2":       nil, // digits in a name search do not match phones
		"Stone 0003":     nil,
	}
	for q, want := range tests {
		var p contactPage
		e.GetJSON(t, tok, "/api/campaigns/"+id+"/contacts?search="+urlQuery(q), &p)
		var got []string
		for _, c := range p.Contacts {
			got = append(got, c.Name)
		}
		if !reflect.DeepEqual(got, want) || p.Pagination.Total != len(want) {
			t.Errorf("search %q = %v (total %d), want %v", q, got, p.Pagination.Total, want)
		}
	}
}

func urlQuery(s string) string {
	return strings.NewReplacer("%", "%25", " ", "%20", "+", "%2B", "&", "%26", "(", "%28", ")", "%29").Replace(s)
}

func TestCampaignNotFound(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	for _, id := range []string{apitest.NewID(), "not-a-uuid", "123"} {
		for _, rq := range []struct{ method, path string }{
			{http.MethodGet, ""}, {http.MethodGet, "/summary"}, {http.MethodGet, "/contacts"},
			{http.MethodGet, "/export.csv"}, {http.MethodPost, "/start"}, {http.MethodPost, "/pause"},
			{http.MethodPost, "/resume"}, {http.MethodPost, "/stop"},
		} {
			r := e.Send(t, rq.method, "/api/campaigns/"+id+rq.path, tok, "", nil)
			apitest.WantError(t, r, http.StatusNotFound, "NOT_FOUND")
		}
	}
	id := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 1)).CampaignID
	apitest.WantError(t, e.Send(t, http.MethodPost, "/api/campaigns/"+id+"/restart", tok, "", nil), http.StatusNotFound, "NOT_FOUND")
}

func TestCampaignETag(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	id := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 2)).CampaignID
	for _, path := range []string{"/api/campaigns/" + id + "/summary", "/api/campaigns/" + id, "/api/campaigns",
		"/api/campaigns/" + id + "/contacts?limit=10"} {
		first := e.Send(t, http.MethodGet, path, tok, "", nil)
		etag := first.Header.Get("ETag")
		if first.Status != http.StatusOK || etag == "" {
			t.Fatalf("GET %s: %d, ETag %q", path, first.Status, etag)
		}
		again := e.Send(t, http.MethodGet, path, tok, "", nil, "If-None-Match", etag)
		if again.Status != http.StatusNotModified || len(again.Body) != 0 || again.Header.Get("ETag") != etag {
			t.Errorf("GET %s with If-None-Match: %d %q, ETag %q", path, again.Status, again.Body, again.Header.Get("ETag"))
		}
		stale := e.Send(t, http.MethodGet, path, tok, "", nil, "If-None-Match", `"stale"`)
		if stale.Status != http.StatusOK || !bytes.Equal(stale.Body, first.Body) {
			t.Errorf("GET %s with a stale ETag: %d", path, stale.Status)
		}
	}
	path := "/api/campaigns/" + id + "/summary"
	etag := e.Send(t, http.MethodGet, path, tok, "", nil).Header.Get("ETag")
	if r := e.Send(t, http.MethodPost, "/api/campaigns/"+id+"/contacts", tok, "text/csv", strings.NewReader(apitest.Rows(2, 1))); r.Status != http.StatusOK {
		t.Fatalf("append: %d %s", r.Status, r.Body)
	}
	changed := e.Send(t, http.MethodGet, path, tok, "", nil, "If-None-Match", etag)
	if changed.Status != http.StatusOK || changed.Header.Get("ETag") == etag {
		t.Errorf("summary after a change: %d, ETag %q (was %q)", changed.Status, changed.Header.Get("ETag"), etag)
	}
}
