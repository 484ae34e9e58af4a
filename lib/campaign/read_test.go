package campaign_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/dev/campaigntest"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/importer"
)

// The read model: campaign.List, Get and Contacts over calls written
// straight to the database. The HTTP contract of the same reads (fields,
// query parsing, limits, ETags) is tested in lib/httpapi.

// contacts reads one page of contacts and fails the test on error.
func (f fixture) contacts(t testing.TB, id uuid.UUID, filter campaign.ContactFilter) ([]campaign.Contact, campaign.Pagination) {
	t.Helper()
	cs, p, err := campaign.Contacts(f.Ctx, f.Pool, id, filter)
	if err != nil {
		t.Fatalf("contacts %+v: %v", filter, err)
	}
	return cs, p
}

func TestListNewestFirstWithCounters(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var ids []uuid.UUID
	for i := range 3 {
		n := f.NewCampaign()
		n.Name = fmt.Sprintf("List %d", i)
		id, _, err := importer.Create(f.Ctx, f.Pool, n, strings.NewReader(campaigntest.Header+campaigntest.Rows(0, 5+i)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	last := ids[2]
	campaigntest.AddCall(t, f.Pool, last, campaigntest.Phone(0), campaigntest.Call{Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "answered", Cost: 0.25})
	campaigntest.AddCall(t, f.Pool, last, campaigntest.Phone(1), campaigntest.Call{Status: "ENDED", EndedReason: "voicemail", Disposition: "voicemail", Cost: 0.1})
	campaigntest.AddCall(t, f.Pool, last, campaigntest.Phone(2), campaigntest.Call{Status: "FAILED", EndedReason: "twilio-failed-to-connect-call", Disposition: "failed"})
	campaigntest.AddCall(t, f.Pool, last, campaigntest.Phone(3), campaigntest.Call{Status: "IN_PROGRESS"})
	list, err := campaign.List(f.Ctx, f.Pool, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Fatalf("%d campaigns listed, want 3", len(list))
	}
	for i, c := range list {
		if c.ID != ids[2-i] || c.Name != fmt.Sprintf("List %d", 2-i) || c.TotalContacts != 7-i || c.Status != campaign.Created {
			t.Errorf("campaign %d = %+v, want newest first", i, c)
		}
	}
	got := list[0]
	if got.CompletedCalls != 3 || got.SuccessfulCalls != 1 || got.ActiveCalls != 1 || got.TotalCost != 0.35 {
		t.Errorf("counters = completed %d, successful %d, active %d, cost %v; want 3, 1, 1, 0.35",
			got.CompletedCalls, got.SuccessfulCalls, got.ActiveCalls, got.TotalCost)
	}
}

func TestGetMetrics(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 6))
	campaigntest.AddCall(t, f.Pool, id, campaigntest.Phone(0), campaigntest.Call{Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "answered", Cost: 0.5})
	campaigntest.AddCall(t, f.Pool, id, campaigntest.Phone(1), campaigntest.Call{Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "answered", Cost: 0.25})
	campaigntest.AddCall(t, f.Pool, id, campaigntest.Phone(2), campaigntest.Call{Status: "FAILED", EndedReason: "twilio-failed-to-connect-call", Disposition: "failed"})
	campaigntest.AddCall(t, f.Pool, id, campaigntest.Phone(3), campaigntest.Call{Status: "RINGING"})
	s, err := campaign.Get(f.Ctx, f.Pool, id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := campaign.Metrics{TotalContacts: 6, DialedContacts: 4, CompletedCalls: 3, ActiveCalls: 1, SuccessfulCalls: 2,
		FailedCalls: 1, TotalCost: 0.75,
		ByStatus:      map[string]int{"ENDED": 2, "FAILED": 1, "RINGING": 1, "NOT_CALLED": 2},
		ByEndedReason: map[string]int{"customer-ended-call": 2, "twilio-failed-to-connect-call": 1},
		ByDisposition: map[string]int{"answered": 2, "failed": 1}}
	if !reflect.DeepEqual(s.Metrics, want) {
		t.Errorf("metrics = %+v\nwant      %+v", s.Metrics, want)
	}
	if s.PhoneLine.ActiveCalls != 1 || s.StartedAt != nil || s.CompletedAt != nil || s.ID != id {
		t.Errorf("summary = %+v", s)
	}
}

func TestContactsPages(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 120))
	seen := 0
	for page, size := range map[int]int{1: 50, 2: 50, 3: 20} {
		cs, p := f.contacts(t, id, campaign.ContactFilter{Page: page, Limit: 50})
		if p != (campaign.Pagination{Page: page, Limit: 50, Total: 120, Pages: 3}) || len(cs) != size {
			t.Errorf("page %d: %+v with %d contacts", page, p, len(cs))
			continue
		}
		for i, k := range cs {
			if n := (page-1)*50 + i; k.Phone != campaigntest.Phone(n) {
				t.Errorf("page %d row %d is %s, want contact %d", page, i, k.Phone, n)
			}
		}
		seen += len(cs)
	}
	if seen != 120 {
		t.Errorf("pages hold %d contacts, want 120", seen)
	}
}

// TestContactsPastLastPage asks for a page after the last: it is empty,
// but the pagination must still describe the list.
func TestContactsPastLastPage(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 12))
	cs, p := f.contacts(t, id, campaign.ContactFilter{Page: 4, Limit: 5})
	if len(cs) != 0 || p != (campaign.Pagination{Page: 4, Limit: 5, Total: 12, Pages: 3}) {
		t.Errorf("page past the end: %+v with %d contacts, want total 12, pages 3", p, len(cs))
	}
}

func TestContactsStatusFilter(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 8))
	campaigntest.AddCall(t, f.Pool, id, campaigntest.Phone(1), campaigntest.Call{Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "answered",
		Cost: 0.3, RecordingURL: "https://rec.example/1.wav"})
	campaigntest.AddCall(t, f.Pool, id, campaigntest.Phone(4), campaigntest.Call{Status: "ENDED", EndedReason: "voicemail", Disposition: "voicemail"})
	campaigntest.AddCall(t, f.Pool, id, campaigntest.Phone(5), campaigntest.Call{Status: "FAILED", EndedReason: "twilio-failed-to-connect-call"})
	// A retry: the contact's latest attempt decides its status.
	campaigntest.AddCall(t, f.Pool, id, campaigntest.Phone(5), campaigntest.Call{Status: "IN_PROGRESS"})
	tests := map[string][]int{
		"ENDED":       {1, 4},
		"IN_PROGRESS": {5},
		"FAILED":      nil,
		"NOT_CALLED":  {0, 2, 3, 6, 7},
		"":            {0, 1, 2, 3, 4, 5, 6, 7},
	}
	byStatus := func(status string) ([]campaign.Contact, campaign.Pagination) {
		return f.contacts(t, id, campaign.ContactFilter{Page: 1, Limit: 50, Status: status})
	}
	for status, want := range tests {
		cs, p := byStatus(status)
		if got := campaigntest.ContactIndexes(cs); !reflect.DeepEqual(got, want) || p.Total != len(want) {
			t.Errorf("status=%s: contacts %v (total %d), want %v", status, got, p.Total, want)
		}
	}
	cs, _ := byStatus("ENDED")
	c := cs[0].Call
	if c == nil || c.Status != "ENDED" || *c.EndedReason != "customer-ended-call" || *c.Cost != 0.3 ||
		*c.RecordingURL != "/api/campaigns/"+id.String()+"/calls/"+c.ID.String()+"/recording" || *c.Duration != 42.5 || c.Attempt != 1 ||
		c.StartedAt == nil || c.EndedAt == nil {
		t.Errorf("call = %+v", c)
	}
	cs, _ = byStatus("IN_PROGRESS")
	if k := cs[0]; k.Call.Attempt != 2 || k.Attempts != 2 {
		t.Errorf("retried contact: attempts %d, call attempt %d; want 2", k.Attempts, k.Call.Attempt)
	}
}

func TestContactsSearch(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id, _ := f.Create(t, campaigntest.Header+
		"Alice Martin,Acme Plumbing,+12122000001,NYC\n"+
		"Bob Stone,Stone & Sons,+12122000002,NYC\n"+
		"Carla Diaz,100% Organic,+13105550003,LA\n"+
		"Dan_Acme,Bakery,+13105550004,LA\n")
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
		cs, p := f.contacts(t, id, campaign.ContactFilter{Page: 1, Limit: 50, Search: q})
		var got []string
		for _, c := range cs {
			got = append(got, c.Name)
		}
		if !reflect.DeepEqual(got, want) || p.Total != len(want) {
			t.Errorf("search %q = %v (total %d), want %v", q, got, p.Total, want)
		}
	}
}
