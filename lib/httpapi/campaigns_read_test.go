package httpapi_test

import (
	"bytes"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/campaigntest"
	"github.com/autolynx/autolynx/lib/campaign"
)

// The read model's arithmetic, filters, search and paging are tested on
// campaign.List, Get and Contacts in lib/campaign (read_test.go); here,
// only what HTTP adds: the fields of the answers, query parsing, limits
// and ETags.

// TestCampaignListFields: the list answers the contract's fields, with
// the counters of the read model.
func TestCampaignListFields(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	id := e.create(t, tok, map[string]string{"name": "List 0"}, apitest.CSVHeader+apitest.Rows(0, 5)).CampaignID
	e.AddCall(t, id, apitest.Phone(0), apitest.Call{Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "answered", Cost: 0.25})
	var list struct{ Campaigns []campaign.Campaign }
	e.GetJSON(t, tok, "/api/campaigns", &list)
	if len(list.Campaigns) != 1 {
		t.Fatalf("%d campaigns listed, want 1", len(list.Campaigns))
	}
	if c := list.Campaigns[0]; c.ID.String() != id || c.Name != "List 0" || c.TotalContacts != 5 || c.SuccessfulCalls != 1 || c.TotalCost != 0.25 {
		t.Errorf("campaign = %+v", c)
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

// TestCampaignSummary: the detail answers the contract's fields, and
// /summary answers the same.
func TestCampaignSummary(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	id := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 6)).CampaignID
	e.AddCall(t, id, apitest.Phone(0), apitest.Call{Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "answered", Cost: 0.5})
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
	if s.ID.String() != id || s.Metrics.TotalContacts != 6 || s.Metrics.DialedContacts != 2 || s.PhoneLine.ActiveCalls != 1 {
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

// TestCampaignContactsPagination: page and limit are read from the query
// (50 by default, at most 500) and anything else is refused.
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
	e.GetJSON(t, tok, base+"?page=3&limit=50", &p)
	if p.Pagination != (campaign.Pagination{Page: 3, Limit: 50, Total: 120, Pages: 3}) || len(p.Contacts) != 20 ||
		p.Contacts[0].Phone != apitest.Phone(100) {
		t.Errorf("page=3&limit=50: %+v with %d contacts", p.Pagination, len(p.Contacts))
	}
	e.GetJSON(t, tok, base+"?limit=500", &p)
	if len(p.Contacts) != 120 || p.Pagination.Pages != 1 {
		t.Errorf("limit=500: %+v with %d contacts", p.Pagination, len(p.Contacts))
	}
	for _, q := range []string{"limit=501", "limit=0", "limit=-1", "limit=ten", "page=0", "page=x", "status=DONE"} {
		apitest.WantError(t, e.Send(t, http.MethodGet, base+"?"+q, tok, "", nil), http.StatusBadRequest, "VALIDATION_ERROR")
	}
}

// TestCampaignContactsQuery: the status filter is read in any case, the
// search from the query string, and contacts and their calls answer the
// contract's fields.
func TestCampaignContactsQuery(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	id := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 8)).CampaignID
	e.AddCall(t, id, apitest.Phone(1), apitest.Call{Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "answered",
		Cost: 0.3, RecordingURL: "https://rec.example/1.wav"})
	e.AddCall(t, id, apitest.Phone(4), apitest.Call{Status: "ENDED", EndedReason: "voicemail", Disposition: "voicemail"})
	base := "/api/campaigns/" + id + "/contacts?"
	for query, want := range map[string][]int{
		"status=ENDED": {1, 4},
		"status=ended": {1, 4},
		"status=":      {0, 1, 2, 3, 4, 5, 6, 7},
		"search=" + url.QueryEscape("(212) 200-0002"): {2},
		"search=" + url.QueryEscape("Person 7"):       {7},
		"status=ENDED&search=Person%204":              {4},
	} {
		var p contactPage
		e.GetJSON(t, tok, base+query, &p)
		if got := campaigntest.ContactIndexes(p.Contacts); !reflect.DeepEqual(got, want) || p.Pagination.Total != len(want) {
			t.Errorf("%s: contacts %v (total %d), want %v", query, got, p.Pagination.Total, want)
		}
	}
	var raw struct{ Contacts []map[string]any }
	e.GetJSON(t, tok, base+"status=ENDED", &raw)
	wantKeys(t, raw.Contacts[0], "id", "name", "businessName", "phone", "variables", "call")
	wantKeys(t, raw.Contacts[0]["call"].(map[string]any), "id", "status", "endedReason", "cost", "recordingUrl",
		"duration", "startedAt", "endedAt", "attempt")
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
