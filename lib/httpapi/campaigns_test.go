package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/autolynx/autolynx/lib/apitest"
	"github.com/autolynx/autolynx/lib/auth"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/csvimport"
	"github.com/autolynx/autolynx/lib/importer"
	"github.com/autolynx/autolynx/lib/user"
	"github.com/autolynx/autolynx/lib/vapisim"
)

// campEnv is a running backend with one active assistant. Each test (or
// subtest) signs in as its own operator so the per-user upload and export
// limits (10 and 5 a minute) never decide a test.
type campEnv struct {
	*apitest.Env
	assistant string
}

func newCampEnv(t *testing.T, opts apitest.Options) *campEnv {
	t.Helper()
	e := apitest.New(t, opts)
	return &campEnv{Env: e, assistant: e.CreateAssistant("Sales")}
}

// operator allowlists a fresh operator and returns their bearer token.
func (e *campEnv) operator(t *testing.T) string {
	t.Helper()
	email := strings.ToLower(strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())) + "@example.test"
	if _, err := user.Add(t.Context(), e.DB, auth.LocalUserID(email), email, user.Operator); err != nil {
		t.Fatalf("add operator: %v", err)
	}
	return e.Token(email)
}

// campReply is an answer read whole.
type campReply struct {
	status int
	header http.Header
	body   []byte
}

// send makes one request; headers are name, value pairs.
func (e *campEnv) send(t *testing.T, method, path, token, contentType string, body io.Reader, headers ...string) campReply {
	t.Helper()
	r, err := e.do(method, path, token, contentType, body, headers...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// do is send for goroutines other than the test's: it returns the error.
func (e *campEnv) do(method, path, token, contentType string, body io.Reader, headers ...string) (campReply, error) {
	req, err := http.NewRequest(method, e.Server.URL+path, body)
	if err != nil {
		return campReply{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return campReply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return campReply{}, fmt.Errorf("read answer: %w", err)
	}
	return campReply{status: resp.StatusCode, header: resp.Header, body: raw}, nil
}

// get reads path as JSON into out, failing unless it answers 200.
func (e *campEnv) get(t *testing.T, token, path string, out any) {
	t.Helper()
	r := e.send(t, http.MethodGet, path, token, "", nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	if err := json.Unmarshal(r.body, out); err != nil {
		t.Fatalf("GET %s: decode %s: %v", path, r.body, err)
	}
}

// form is the create form with the test assistant; extra overrides it.
func (e *campEnv) form(extra map[string]string) map[string]string {
	f := map[string]string{"name": "Spring list", "assistantId": e.assistant}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

// create posts the create form and fails the test unless it answers 201.
func (e *campEnv) create(t *testing.T, token string, fields map[string]string, csv string) apitest.Created {
	t.Helper()
	ct, body := apitest.Multipart(e.form(fields), csv)
	r := e.send(t, http.MethodPost, "/api/campaigns", token, ct, body)
	if r.status != http.StatusCreated {
		t.Fatalf("create campaign: %d %s", r.status, r.body)
	}
	var c apitest.Created
	if err := json.Unmarshal(r.body, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// sql runs a statement on the backend's database.
func (e *campEnv) sql(t *testing.T, stmt string, args ...any) {
	t.Helper()
	if _, err := e.DB.Exec(t.Context(), stmt, args...); err != nil {
		t.Fatalf("sql: %v", err)
	}
}

// count runs a count query on the backend's database.
func (e *campEnv) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.DB.QueryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

// testCall is a call row written straight to the database, standing for
// what the tick and the webhook record.
type testCall struct {
	status, endedReason, disposition, recordingURL, transcript string
	cost                                                       float64
}

// addCall records c as the latest attempt of the contact with phone.
func (e *campEnv) addCall(t *testing.T, campaignID, phone string, c testCall) {
	t.Helper()
	null := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	var cost *float64
	if c.cost != 0 {
		cost = &c.cost
	}
	e.sql(t, `
		with k as (select id, campaign_id, attempts from contacts where campaign_id = $1 and phone = $2),
		c as (insert into calls (campaign_id, contact_id, attempt, status, phone_number_id, ended_reason,
		        disposition, cost, recording_url, transcript, duration_seconds, started_at, ended_at)
		      select k.campaign_id, k.id, k.attempts + 1, $3, 'test-phone-number', $4, $5, $6, $7, $8::jsonb,
		        42.5, now() - interval '1 minute', now()
		      from k returning id, contact_id)
		update contacts set last_call_id = c.id, attempts = attempts + 1 from c where contacts.id = c.contact_id`,
		campaignID, phone, c.status, null(c.endedReason), null(c.disposition), cost, null(c.recordingURL), null(c.transcript))
}

// apiError is the error envelope.
type apiError struct {
	Error struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Details map[string]any `json:"details"`
	} `json:"error"`
}

// wantError fails unless r is the error envelope with status and code.
func wantError(t *testing.T, r campReply, status int, code string) apiError {
	t.Helper()
	var e apiError
	if r.status != status || json.Unmarshal(r.body, &e) != nil || e.Error.Code != code {
		t.Fatalf("answer %d %s, want %d %s", r.status, r.body, status, code)
	}
	return e
}

// phoneAt is the i-th distinct valid US number in E.164.
func phoneAt(i int) string { return fmt.Sprintf("+1212%03d%04d", 200+i/10000, i%10000) }

const csvHeader = "name,business_name,phone,city\n"

// csvRows makes data rows for contacts from..from+n-1.
func csvRows(from, n int) string {
	var b strings.Builder
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "Person %d,Business %d,%s,City %d\n", i, i, phoneAt(i), i)
	}
	return b.String()
}

func TestCampaignCreateReport(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.operator(t)
	csv := "Name,Business Name,Phone,City,Notes\n" +
		"Ann,Acme,+12122000001,NYC,first\n" + // row 2
		"Dup,Dupe,(212) 200-0001,SF,\n" + // row 3: row 2's phone
		"Eve,Evil,12,Nowhere,\n" + // row 4
		",,,,\n" + // row 5: blank, still numbered
		"Fay,Fig,,Paris,\n" + // row 6
		"Bob,Bolt,212-200-0002,LA,\"two\nlines\"\n" + // row 7
		"Gus,Gum,+12122000003,Rome,x,extra\n" // row 8
	c := e.create(t, tok, map[string]string{"cap": "3", "mode": "batch", "lineQuietGating": "true", "phoneNumberId": "other-line"}, csv)
	want := importer.Report{Accepted: 2, Duplicates: 1, Skipped: []csvimport.Skip{
		{Row: 4, Reason: `invalid phone number: "12"`},
		{Row: 6, Reason: "phone is empty"},
		{Row: 8, Reason: "row has 6 columns, header has 5"},
	}, SkippedTotal: 3, SkippedByReason: map[string]int{"invalid phone number": 1, "phone is empty": 1, "unreadable row": 1}}
	if !reflect.DeepEqual(c.ImportReport, want) {
		t.Errorf("report = %+v, want %+v", c.ImportReport, want)
	}
	var s campaign.Summary
	e.get(t, tok, "/api/campaigns/"+c.CampaignID, &s)
	if s.Status != campaign.Created || s.Cap != 3 || s.Mode != campaign.Batch || !s.LineQuietGating ||
		s.PhoneNumberID != "other-line" || s.Name != "Spring list" || s.Assistant.ID.String() != e.assistant ||
		s.Assistant.Name != "Sales" || s.Metrics.TotalContacts != 2 {
		t.Errorf("summary = %+v", s)
	}
	var page struct{ Contacts []campaign.Contact }
	e.get(t, tok, "/api/campaigns/"+c.CampaignID+"/contacts", &page)
	wantVars := []map[string]string{{"city": "NYC", "notes": "first"}, {"city": "LA", "notes": "two\nlines"}}
	if len(page.Contacts) != 2 || page.Contacts[0].Name != "Ann" || page.Contacts[1].Phone != "+12122000002" ||
		!reflect.DeepEqual(page.Contacts[0].Variables, wantVars[0]) || !reflect.DeepEqual(page.Contacts[1].Variables, wantVars[1]) {
		t.Errorf("contacts = %+v", page.Contacts)
	}
}

func TestCampaignCreateDefaults(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.operator(t)
	c := e.create(t, tok, nil, csvHeader+csvRows(0, 2))
	var s campaign.Summary
	e.get(t, tok, "/api/campaigns/"+c.CampaignID, &s)
	if s.Cap != 8 || s.Mode != campaign.Continuous || s.LineQuietGating || s.PhoneNumberID != "test-phone-number" {
		t.Errorf("defaults: cap %d, mode %s, lineQuietGating %v, phone %q", s.Cap, s.Mode, s.LineQuietGating, s.PhoneNumberID)
	}
}

func TestCampaignCreateRefused(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	inactive := e.CreateAssistant("Retired")
	if st := e.JSON(http.MethodPatch, "/api/assistants/"+inactive, e.Admin, map[string]any{"active": false}, nil); st != http.StatusOK {
		t.Fatalf("deactivate assistant: %d", st)
	}
	good := csvHeader + csvRows(0, 2)
	tests := []struct {
		name   string
		fields map[string]string
		csv    string
		field  string
	}{
		{name: "empty file", csv: ""},
		{name: "binary file", csv: "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"},
		{name: "no assistant", fields: map[string]string{"assistantId": ""}, csv: good, field: "assistantId"},
		{name: "malformed assistant", fields: map[string]string{"assistantId": "sales"}, csv: good, field: "assistantId"},
		{name: "unknown assistant", fields: map[string]string{"assistantId": apitest.NewID()}, csv: good, field: "assistantId"},
		{name: "inactive assistant", fields: map[string]string{"assistantId": inactive}, csv: good, field: "assistantId"},
		{name: "no name", fields: map[string]string{"name": " "}, csv: good, field: "name"},
		{name: "cap zero", fields: map[string]string{"cap": "0"}, csv: good, field: "cap"},
		{name: "cap negative", fields: map[string]string{"cap": "-2"}, csv: good, field: "cap"},
		{name: "cap not a number", fields: map[string]string{"cap": "eight"}, csv: good, field: "cap"},
		{name: "cap fractional", fields: map[string]string{"cap": "2.5"}, csv: good, field: "cap"},
		{name: "cap too big", fields: map[string]string{"cap": "1001"}, csv: good, field: "cap"},
		{name: "unknown mode", fields: map[string]string{"mode": "parallel"}, csv: good, field: "mode"},
		{name: "bad lineQuietGating", fields: map[string]string{"lineQuietGating": "maybe"}, csv: good, field: "lineQuietGating"},
	}
	// The group returns once its parallel subtests are done.
	t.Run("refusals", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				ct, body := apitest.Multipart(e.form(tt.fields), tt.csv)
				r := e.send(t, http.MethodPost, "/api/campaigns", e.operator(t), ct, body)
				got := wantError(t, r, http.StatusBadRequest, "VALIDATION_ERROR")
				if tt.field != "" && got.Error.Details["field"] != tt.field {
					t.Errorf("details = %v, want field %s", got.Error.Details, tt.field)
				}
			})
		}
		t.Run("no phone column", func(t *testing.T) {
			t.Parallel()
			ct, body := apitest.Multipart(e.form(nil), "Full Name,Email\nAnn,ann@acme.test\n")
			got := wantError(t, e.send(t, http.MethodPost, "/api/campaigns", e.operator(t), ct, body), http.StatusBadRequest, "VALIDATION_ERROR")
			d := got.Error.Details
			if !reflect.DeepEqual(d["missing"], []any{"phone"}) || !reflect.DeepEqual(d["columns"], []any{"Full Name", "Email"}) {
				t.Errorf("details = %v", d)
			}
			if exp, _ := d["expected"].(map[string]any); len(exp["phone"].([]any)) != 8 {
				t.Errorf("details.expected = %v, want the eight phone aliases", d["expected"])
			}
			for _, want := range []string{`"Full Name", "Email"`, "phone, phone number, mobile"} {
				if !strings.Contains(got.Error.Message, want) {
					t.Errorf("message %q does not say %s", got.Error.Message, want)
				}
			}
		})
		t.Run("no file", func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			w := newForm(&buf, e.form(nil))
			r := e.send(t, http.MethodPost, "/api/campaigns", e.operator(t), w, &buf)
			if got := wantError(t, r, http.StatusBadRequest, "VALIDATION_ERROR"); got.Error.Details["field"] != "file" {
				t.Errorf("details = %v, want field file", got.Error.Details)
			}
		})
	})
	if n := e.count(t, `select count(*) from campaigns`); n != 0 {
		t.Errorf("%d campaigns exist after refused creations", n)
	}
}

// newForm writes a multipart form of fields only (no file) and returns
// its content type.
func newForm(buf *bytes.Buffer, fields map[string]string) string {
	w := multipart.NewWriter(buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	_ = w.Close()
	return w.FormDataContentType()
}

func TestCampaignCreateMediaType(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	for _, ct := range []string{"application/json", "text/csv", "", "multipart/form-data", "application/x-www-form-urlencoded"} {
		t.Run(ct, func(t *testing.T) {
			t.Parallel()
			r := e.send(t, http.MethodPost, "/api/campaigns", e.operator(t), ct, strings.NewReader(csvHeader+csvRows(0, 1)))
			wantError(t, r, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE")
		})
	}
	t.Run("append as JSON", func(t *testing.T) {
		t.Parallel()
		tok := e.operator(t)
		c := e.create(t, tok, nil, csvHeader+csvRows(0, 1))
		r := e.send(t, http.MethodPost, "/api/campaigns/"+c.CampaignID+"/contacts", tok, "application/json", strings.NewReader(`{}`))
		wantError(t, r, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE")
	})
}

// bigCSV is a valid CSV of about size bytes: rows with a 9 KB notes cell.
func bigCSV(size int) string {
	var b strings.Builder
	b.WriteString("name,business_name,phone,notes\n")
	notes := strings.Repeat("n", 1800) // under the 2 KB of extra columns a contact may hold
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "P%d,B%d,%s,%s\n", i, i, phoneAt(i), notes)
	}
	return b.String()
}

// hideLength makes a body of unknown length, which the client sends
// chunked, without a Content-Length.
type hideLength struct{ r io.Reader }

func (h hideLength) Read(p []byte) (int, error) { return h.r.Read(p) }

func TestCampaignUploadTooLarge(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	over := bigCSV(4_600_000)
	// The group returns once its parallel subtests are done.
	t.Run("uploads", func(t *testing.T) {
		for _, chunked := range []bool{false, true} {
			t.Run(fmt.Sprintf("create chunked=%v", chunked), func(t *testing.T) {
				t.Parallel()
				ct, body := apitest.Multipart(e.form(map[string]string{"name": "Too big"}), over)
				if chunked {
					body = hideLength{body}
				}
				r := e.send(t, http.MethodPost, "/api/campaigns", e.operator(t), ct, body)
				wantError(t, r, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")
			})
			t.Run(fmt.Sprintf("append chunked=%v", chunked), func(t *testing.T) {
				t.Parallel()
				tok := e.operator(t)
				c := e.create(t, tok, nil, csvHeader+csvRows(0, 1))
				var body io.Reader = strings.NewReader(over)
				if chunked {
					body = hideLength{body}
				}
				r := e.send(t, http.MethodPost, "/api/campaigns/"+c.CampaignID+"/contacts", tok, "text/csv", body)
				wantError(t, r, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")
				if n := e.count(t, `select count(*) from contacts where campaign_id = $1`, c.CampaignID); n != 1 {
					t.Errorf("%d contacts after a refused oversized chunk, want 1", n)
				}
			})
		}
		t.Run("just under the limit", func(t *testing.T) {
			t.Parallel()
			csv := bigCSV(4_400_000)
			c := e.create(t, e.operator(t), nil, csv)
			if want := strings.Count(csv, "\n") - 1; c.ImportReport.Accepted != want {
				t.Errorf("accepted %d of %d rows", c.ImportReport.Accepted, want)
			}
		})
	})
	if n := e.count(t, `select count(*) from campaigns where name = 'Too big'`); n != 0 {
		t.Errorf("%d campaigns created from an oversized body", n)
	}
}

func TestCampaignAppendChunks(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.operator(t)
	c := e.create(t, tok, nil, csvHeader+csvRows(0, 3))
	path := "/api/campaigns/" + c.CampaignID + "/contacts"
	multipartChunk := func(csv string) (string, io.Reader) { return apitest.Multipart(nil, csv) }
	rawChunk := func(csv string) (string, io.Reader) { return "text/csv; charset=utf-8", strings.NewReader(csv) }
	tests := []struct {
		name string
		body func(string) (string, io.Reader)
		csv  string
		want importer.Report
	}{
		{"multipart with header", multipartChunk, csvHeader + csvRows(3, 2) + csvRows(0, 1), importer.Report{Accepted: 2, Duplicates: 1}},
		{"raw without header", rawChunk, csvRows(5, 2) + csvRows(4, 1) + "Bad,Row,999,Nowhere\n", importer.Report{Accepted: 2, Duplicates: 1,
			Skipped: []csvimport.Skip{{Row: 4, Reason: `invalid phone number: "999"`}}, SkippedTotal: 1, SkippedByReason: map[string]int{"invalid phone number": 1}}},
		{"raw with header", rawChunk, csvHeader + csvRows(7, 1) + csvRows(7, 1), importer.Report{Accepted: 1, Duplicates: 1}},
		{"multipart without header", multipartChunk, csvRows(8, 2), importer.Report{Accepted: 2}},
	}
	for _, tt := range tests { // sequential: each chunk builds on the previous ones
		ct, body := tt.body(tt.csv)
		r := e.send(t, http.MethodPost, path, tok, ct, body)
		var got struct{ ImportReport importer.Report }
		if r.status != http.StatusOK || json.Unmarshal(r.body, &got) != nil {
			t.Fatalf("%s: %d %s", tt.name, r.status, r.body)
		}
		if tt.want.Skipped == nil {
			tt.want.Skipped, tt.want.SkippedByReason = []csvimport.Skip{}, map[string]int{}
		}
		if !reflect.DeepEqual(got.ImportReport, tt.want) {
			t.Errorf("%s: report = %+v, want %+v", tt.name, got.ImportReport, tt.want)
		}
	}
	var page struct {
		Contacts   []campaign.Contact
		Pagination campaign.Pagination
	}
	e.get(t, tok, path+"?limit=500", &page)
	if page.Pagination.Total != 10 || len(page.Contacts) != 10 {
		t.Fatalf("contacts: total %d, got %d; want 10", page.Pagination.Total, len(page.Contacts))
	}
	for i, k := range page.Contacts { // import order, first chunk's columns everywhere
		want := map[string]string{"city": fmt.Sprintf("City %d", i)}
		if k.Name != fmt.Sprintf("Person %d", i) || k.Phone != phoneAt(i) || !reflect.DeepEqual(k.Variables, want) || k.Call != nil {
			t.Errorf("contact %d = %+v", i, k)
		}
	}
	var s campaign.Summary
	e.get(t, tok, "/api/campaigns/"+c.CampaignID, &s)
	if s.Metrics.TotalContacts != 10 || s.Metrics.ByStatus["NOT_CALLED"] != 10 {
		t.Errorf("metrics = %+v", s.Metrics)
	}
}

func TestCampaignAppendRefused(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.operator(t)
	stopped := e.create(t, tok, nil, csvHeader+csvRows(0, 1)).CampaignID
	if r := e.send(t, http.MethodPost, "/api/campaigns/"+stopped+"/stop", tok, "", nil); r.status != http.StatusOK {
		t.Fatalf("stop: %d %s", r.status, r.body)
	}
	completed := e.create(t, tok, nil, csvHeader+csvRows(0, 1)).CampaignID
	e.sql(t, `update campaigns set status = 'COMPLETED' where id = $1`, completed)
	failed := e.create(t, tok, nil, csvHeader+csvRows(0, 1)).CampaignID
	e.sql(t, `update campaigns set status = 'FAILED' where id = $1`, failed)
	for id, st := range map[string]string{stopped: "STOPPED", completed: "COMPLETED", failed: "FAILED"} {
		r := e.send(t, http.MethodPost, "/api/campaigns/"+id+"/contacts", tok, "text/csv", strings.NewReader(csvRows(1, 1)))
		if got := wantError(t, r, http.StatusConflict, "CONFLICT"); got.Error.Details["status"] != st {
			t.Errorf("%s: details = %v", st, got.Error.Details)
		}
	}
	r := e.send(t, http.MethodPost, "/api/campaigns/"+apitest.NewID()+"/contacts", tok, "text/csv", strings.NewReader(csvRows(1, 1)))
	wantError(t, r, http.StatusNotFound, "NOT_FOUND")
	if n := e.count(t, `select count(*) from contacts`); n != 3 {
		t.Errorf("%d contacts, want the 3 of creation", n)
	}
}

// TestCampaignAppendAtomic breaks a raw chunk after 2,500 valid rows:
// more than one insert batch was already written in its transaction.
func TestCampaignAppendAtomic(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.operator(t)
	c := e.create(t, tok, nil, csvHeader+csvRows(0, 3))
	chunk := csvRows(3, 2500) + "Broken,Quote,+12129990000,\"never closed\n" + csvRows(3000, 5)
	r := e.send(t, http.MethodPost, "/api/campaigns/"+c.CampaignID+"/contacts", tok, "text/csv", strings.NewReader(chunk))
	if got := wantError(t, r, http.StatusBadRequest, "VALIDATION_ERROR"); got.Error.Details["row"] != float64(2501) {
		t.Errorf("details = %v, want row 2501", got.Error.Details)
	}
	if n := e.count(t, `select count(*) from contacts where campaign_id = $1`, c.CampaignID); n != 3 {
		t.Errorf("%d contacts after a refused chunk, want 3", n)
	}
	var s campaign.Summary
	e.get(t, tok, "/api/campaigns/"+c.CampaignID, &s)
	if s.Metrics.TotalContacts != 3 {
		t.Errorf("totalContacts = %d, want 3", s.Metrics.TotalContacts)
	}
}

func TestCampaignListNewestFirstWithCounters(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.operator(t)
	var ids []string
	for i := range 3 {
		ids = append(ids, e.create(t, tok, map[string]string{"name": fmt.Sprintf("List %d", i)}, csvHeader+csvRows(0, 5+i)).CampaignID)
	}
	last := ids[2]
	e.addCall(t, last, phoneAt(0), testCall{status: "ENDED", endedReason: "customer-ended-call", disposition: "answered", cost: 0.25})
	e.addCall(t, last, phoneAt(1), testCall{status: "ENDED", endedReason: "voicemail", disposition: "voicemail", cost: 0.1})
	e.addCall(t, last, phoneAt(2), testCall{status: "FAILED", endedReason: "twilio-failed-to-connect-call", disposition: "failed"})
	e.addCall(t, last, phoneAt(3), testCall{status: "IN_PROGRESS"})
	var list struct{ Campaigns []campaign.Campaign }
	e.get(t, tok, "/api/campaigns", &list)
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
	e.get(t, tok, "/api/campaigns", &raw)
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
	tok := e.operator(t)
	id := e.create(t, tok, nil, csvHeader+csvRows(0, 6)).CampaignID
	e.addCall(t, id, phoneAt(0), testCall{status: "ENDED", endedReason: "customer-ended-call", disposition: "answered", cost: 0.5})
	e.addCall(t, id, phoneAt(1), testCall{status: "ENDED", endedReason: "customer-ended-call", disposition: "answered", cost: 0.25})
	e.addCall(t, id, phoneAt(2), testCall{status: "FAILED", endedReason: "twilio-failed-to-connect-call", disposition: "failed"})
	e.addCall(t, id, phoneAt(3), testCall{status: "RINGING"})
	var raw map[string]any
	e.get(t, tok, "/api/campaigns/"+id, &raw)
	wantKeys(t, raw, "id", "name", "status", "mode", "cap", "lineQuietGating", "assistant", "phoneNumberId",
		"metrics", "phoneLine", "createdAt", "startedAt", "completedAt")
	wantKeys(t, raw["assistant"].(map[string]any), "id", "name")
	wantKeys(t, raw["phoneLine"].(map[string]any), "activeCalls")
	wantKeys(t, raw["metrics"].(map[string]any), "totalContacts", "dialedContacts", "completedCalls", "activeCalls",
		"successfulCalls", "failedCalls", "totalCost", "byStatus", "byEndedReason")
	var s campaign.Summary
	e.get(t, tok, "/api/campaigns/"+id+"/summary", &s)
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
	e.get(t, tok, "/api/campaigns/"+id, &again)
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
	tok := e.operator(t)
	id := e.create(t, tok, nil, csvHeader+csvRows(0, 120)).CampaignID
	base := "/api/campaigns/" + id + "/contacts"
	var p contactPage
	e.get(t, tok, base, &p)
	if p.Pagination != (campaign.Pagination{Page: 1, Limit: 50, Total: 120, Pages: 3}) || len(p.Contacts) != 50 {
		t.Errorf("default page: %+v with %d contacts", p.Pagination, len(p.Contacts))
	}
	seen := 0
	for page, size := range map[int]int{1: 50, 2: 50, 3: 20} {
		var p contactPage
		e.get(t, tok, fmt.Sprintf("%s?page=%d&limit=50", base, page), &p)
		if p.Pagination != (campaign.Pagination{Page: page, Limit: 50, Total: 120, Pages: 3}) || len(p.Contacts) != size {
			t.Errorf("page %d: %+v with %d contacts", page, p.Pagination, len(p.Contacts))
			continue
		}
		for i, k := range p.Contacts {
			if n := (page-1)*50 + i; k.Phone != phoneAt(n) {
				t.Errorf("page %d row %d is %s, want contact %d", page, i, k.Phone, n)
			}
		}
		seen += len(p.Contacts)
	}
	if seen != 120 {
		t.Errorf("pages hold %d contacts, want 120", seen)
	}
	e.get(t, tok, base+"?limit=500", &p)
	if len(p.Contacts) != 120 || p.Pagination.Pages != 1 {
		t.Errorf("limit=500: %+v with %d contacts", p.Pagination, len(p.Contacts))
	}
	for _, q := range []string{"limit=501", "limit=0", "limit=-1", "limit=ten", "page=0", "page=x", "status=DONE"} {
		wantError(t, e.send(t, http.MethodGet, base+"?"+q, tok, "", nil), http.StatusBadRequest, "VALIDATION_ERROR")
	}
}

// TestCampaignContactsPastLastPage asks for a page after the last: it is
// empty, but the pagination must still describe the list.
func TestCampaignContactsPastLastPage(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.operator(t)
	id := e.create(t, tok, nil, csvHeader+csvRows(0, 12)).CampaignID
	var p contactPage
	e.get(t, tok, "/api/campaigns/"+id+"/contacts?page=4&limit=5", &p)
	if len(p.Contacts) != 0 || p.Pagination != (campaign.Pagination{Page: 4, Limit: 5, Total: 12, Pages: 3}) {
		t.Errorf("page past the end: %+v with %d contacts, want total 12, pages 3", p.Pagination, len(p.Contacts))
	}
}

func TestCampaignContactsStatusFilter(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.operator(t)
	id := e.create(t, tok, nil, csvHeader+csvRows(0, 8)).CampaignID
	e.addCall(t, id, phoneAt(1), testCall{status: "ENDED", endedReason: "customer-ended-call", disposition: "answered",
		cost: 0.3, recordingURL: "https://rec.example/1.wav"})
	e.addCall(t, id, phoneAt(4), testCall{status: "ENDED", endedReason: "voicemail", disposition: "voicemail"})
	e.addCall(t, id, phoneAt(5), testCall{status: "FAILED", endedReason: "twilio-failed-to-connect-call"})
	// A retry: the contact's latest attempt decides its status.
	e.addCall(t, id, phoneAt(5), testCall{status: "IN_PROGRESS"})
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
		e.get(t, tok, base+status, &p)
		if got := contactIndexes(p.Contacts); !reflect.DeepEqual(got, want) || p.Pagination.Total != len(want) {
			t.Errorf("status=%s: contacts %v (total %d), want %v", status, got, p.Pagination.Total, want)
		}
	}
	var p contactPage
	e.get(t, tok, base+"ENDED", &p)
	call := p.Contacts[0].Call
	if call == nil || call.Status != "ENDED" || *call.EndedReason != "customer-ended-call" || *call.Cost != 0.3 ||
		*call.RecordingURL != "/api/campaigns/"+id+"/calls/"+call.ID.String()+"/recording" || *call.Duration != 42.5 || call.Attempt != 1 ||
		call.StartedAt == nil || call.EndedAt == nil {
		t.Errorf("call = %+v", call)
	}
	e.get(t, tok, base+"IN_PROGRESS", &p)
	if c := p.Contacts[0]; c.Call.Attempt != 2 || c.Attempts != 2 {
		t.Errorf("retried contact: attempts %d, call attempt %d; want 2", c.Attempts, c.Call.Attempt)
	}
	var raw struct{ Contacts []map[string]any }
	e.get(t, tok, base+"ENDED", &raw)
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
	tok := e.operator(t)
	csv := csvHeader +
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
		e.get(t, tok, "/api/campaigns/"+id+"/contacts?search="+urlQuery(q), &p)
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
	tok := e.operator(t)
	for _, id := range []string{apitest.NewID(), "not-a-uuid", "123"} {
		for _, rq := range []struct{ method, path string }{
			{http.MethodGet, ""}, {http.MethodGet, "/summary"}, {http.MethodGet, "/contacts"},
			{http.MethodGet, "/export.csv"}, {http.MethodPost, "/start"}, {http.MethodPost, "/pause"},
			{http.MethodPost, "/resume"}, {http.MethodPost, "/stop"},
		} {
			r := e.send(t, rq.method, "/api/campaigns/"+id+rq.path, tok, "", nil)
			wantError(t, r, http.StatusNotFound, "NOT_FOUND")
		}
	}
	id := e.create(t, tok, nil, csvHeader+csvRows(0, 1)).CampaignID
	wantError(t, e.send(t, http.MethodPost, "/api/campaigns/"+id+"/restart", tok, "", nil), http.StatusNotFound, "NOT_FOUND")
}

// controlLegal is API.md's state machine: the answer of each action from
// each status it is allowed in (a PAUSED campaign here was DIALING).
var controlLegal = map[string]map[string]string{
	"start":  {"CREATED": "QUEUED"},
	"pause":  {"QUEUED": "PAUSED", "DIALING": "PAUSED", "RUNNING": "PAUSED"},
	"resume": {"PAUSED": "DIALING"},
	"stop":   {"CREATED": "STOPPED", "QUEUED": "STOPPED", "DIALING": "STOPPED", "RUNNING": "STOPPED", "PAUSED": "STOPPED"},
}

func TestCampaignControlTransitions(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	statuses := []string{"CREATED", "QUEUED", "DIALING", "RUNNING", "PAUSED", "STOPPED", "COMPLETED", "FAILED"}
	for action, allowed := range controlLegal {
		for _, from := range statuses {
			t.Run(action+" from "+from, func(t *testing.T) {
				t.Parallel()
				tok := e.operator(t)
				id := e.create(t, tok, nil, csvHeader+csvRows(0, 1)).CampaignID
				e.sql(t, `update campaigns set status = $2,
					paused_from = case when $2 = 'PAUSED' then 'DIALING' end where id = $1`, id, from)
				r := e.send(t, http.MethodPost, "/api/campaigns/"+id+"/"+action, tok, "", nil)
				want, ok := allowed[from]
				if !ok {
					if got := wantError(t, r, http.StatusConflict, "CONFLICT"); got.Error.Details["status"] != from {
						t.Errorf("details = %v, want status %s", got.Error.Details, from)
					}
					return
				}
				var ans struct {
					Status             string
					EstimatedStartTime *string
				}
				if r.status != http.StatusOK || json.Unmarshal(r.body, &ans) != nil || ans.Status != want {
					t.Fatalf("%s from %s: %d %s, want status %s", action, from, r.status, r.body, want)
				}
				if (ans.EstimatedStartTime != nil) != (action == "start") {
					t.Errorf("estimatedStartTime = %v for %s", ans.EstimatedStartTime, action)
				}
				if n := e.count(t, `select count(*) from call_events where campaign_id = $1 and type = $2`, id, "campaign."+action); n != 1 {
					t.Errorf("%d campaign.%s events, want 1", n, action)
				}
			})
		}
	}
}

// slowCalls makes a simulated second last ten real ones, so calls placed
// by a test stay ringing until it ends.
var slowCalls = vapisim.Config{Scale: 10}

// TestCampaignControlLifecycle drives one campaign through the API only:
// resume returns to the status the campaign was paused from.
func TestCampaignControlLifecycle(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{Sim: slowCalls}) // no call ends or is answered during the test
	tok := e.operator(t)
	id := e.create(t, tok, map[string]string{"cap": "1"}, csvHeader+csvRows(0, 3)).CampaignID
	control := func(action string, wantCode int, wantStatus string) {
		t.Helper()
		r := e.send(t, http.MethodPost, "/api/campaigns/"+id+"/"+action, tok, "", nil)
		if r.status != wantCode {
			t.Fatalf("%s: %d %s, want %d", action, r.status, r.body, wantCode)
		}
		if wantCode == http.StatusConflict {
			if got := wantError(t, r, wantCode, "CONFLICT"); got.Error.Details["status"] != wantStatus {
				t.Errorf("%s: details = %v, want status %s", action, got.Error.Details, wantStatus)
			}
			return
		}
		var ans struct{ Status string }
		if json.Unmarshal(r.body, &ans) != nil || ans.Status != wantStatus {
			t.Errorf("%s: answer %s, want status %s", action, r.body, wantStatus)
		}
	}
	control("pause", http.StatusConflict, "CREATED")
	control("resume", http.StatusConflict, "CREATED")
	control("start", http.StatusOK, "QUEUED")
	before := e.Summary(id).Status // DIALING once the start's own tick placed the first call
	control("start", http.StatusConflict, string(before))
	control("pause", http.StatusOK, "PAUSED")
	control("pause", http.StatusConflict, "PAUSED")
	control("start", http.StatusConflict, "PAUSED")
	control("resume", http.StatusOK, string(before))
	control("resume", http.StatusConflict, string(before))
	control("stop", http.StatusOK, "STOPPED")
	for _, action := range []string{"start", "pause", "resume", "stop"} {
		control(action, http.StatusConflict, "STOPPED")
	}
}

// TestCampaignControlRace races starts against stops on one CREATED
// campaign: each 200 must be a real transition, logged once.
func TestCampaignControlRace(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{Sim: slowCalls}) // no call ends during the race
	tok := e.operator(t)
	id := e.create(t, tok, nil, csvHeader+csvRows(0, 2)).CampaignID
	const racers = 20
	type result struct {
		action string
		reply  campReply
		err    error
	}
	results := make(chan result, racers)
	ready := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		action := []string{"start", "stop"}[i%2]
		wg.Go(func() {
			<-ready
			r, err := e.do(http.MethodPost, "/api/campaigns/"+id+"/"+action, tok, "", nil)
			results <- result{action, r, err}
		})
	}
	close(ready)
	wg.Wait()
	close(results)
	won := map[string]int{}
	for r := range results {
		if r.err != nil {
			t.Errorf("%s: %v", r.action, r.err)
			continue
		}
		switch r.reply.status {
		case http.StatusOK:
			var ans struct{ Status string }
			_ = json.Unmarshal(r.reply.body, &ans)
			if want := map[string]string{"start": "QUEUED", "stop": "STOPPED"}[r.action]; ans.Status != want {
				t.Errorf("%s answered %s", r.action, r.reply.body)
			}
			won[r.action]++
		case http.StatusConflict:
			var ae apiError
			_ = json.Unmarshal(r.reply.body, &ae)
			if st := ae.Error.Details["status"]; st == "CREATED" || st == nil || (r.action == "stop" && st != "STOPPED") {
				t.Errorf("%s refused with details.status %v", r.action, st)
			}
		default:
			t.Errorf("%s: %d %s", r.action, r.reply.status, r.reply.body)
		}
	}
	t.Logf("successes: %v", won)
	if won["stop"] != 1 || won["start"] > 1 {
		t.Errorf("successes: %v, want one stop and at most one start", won)
	}
	if st := e.Summary(id).Status; st != campaign.Stopped {
		t.Errorf("final status %s, want STOPPED", st)
	}
	var events []string
	rows, err := e.DB.Query(t.Context(), `select type from call_events where campaign_id = $1 and source = 'api' order by id`, id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var typ string
		_ = rows.Scan(&typ)
		events = append(events, typ)
	}
	want := []string{"campaign.stop"}
	if won["start"] == 1 {
		want = []string{"campaign.start", "campaign.stop"}
	}
	if !reflect.DeepEqual(events, want) {
		t.Errorf("transition events %v, want %v", events, want)
	}
}

// spreadsheetSafe is the export's rule for a cell, written out here.
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func TestCampaignExport(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.operator(t)
	csv := csvHeader + csvRows(0, 8) +
		"\"Hal, Jr.\",\"Hal \"\"H\"\" Co\",+13105550001,\"two\nlines\"\n"
	id := e.create(t, tok, nil, csv).CampaignID
	// Cells a spreadsheet would evaluate; the import trims, so set them here.
	formulas := []struct{ name, business string }{
		{`=HYPERLINK("http://evil.example","click")`, "Acme"},
		{"Plain", "+cmd|' /C calc'!A0"},
		{"-2+3", "@SUM(A1:A9)"},
		{"\tTabbed", "\rReturned"},
	}
	for i, f := range formulas {
		e.sql(t, `update contacts set name = $3, business_name = $4 where campaign_id = $1 and phone = $2`, id, phoneAt(i), f.name, f.business)
	}
	transcript := `[{"role":"assistant","message":"Hi, \"Ann\""},{"role":"user","message":"=1+1"}]`
	e.addCall(t, id, phoneAt(0), testCall{status: "ENDED", endedReason: "customer-ended-call", disposition: "answered",
		cost: 0.1234, recordingURL: "https://rec.example/0.wav", transcript: transcript})
	e.addCall(t, id, phoneAt(5), testCall{status: "FAILED", endedReason: "twilio-failed-to-connect-call"})
	e.addCall(t, id, phoneAt(6), testCall{status: "IN_PROGRESS"})

	r := e.send(t, http.MethodGet, "/api/campaigns/"+id+"/export.csv", tok, "", nil)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "text/csv; charset=utf-8" || r.header.Get("Link") != "" {
		t.Fatalf("export: %d %v", r.status, r.header)
	}
	if !bytes.HasPrefix(r.body, []byte("name,business_name,phone,status,ended_reason,cost,recording_url,transcript_json\n")) {
		t.Errorf("export starts %q", r.body[:min(len(r.body), 100)])
	}
	recs, err := csvReader(r.body).ReadAll()
	if err != nil {
		t.Fatalf("export is not RFC 4180 CSV: %v", err)
	}
	var p contactPage
	e.get(t, tok, "/api/campaigns/"+id+"/contacts?limit=500", &p)
	if len(recs) != len(p.Contacts)+1 || len(p.Contacts) != 9 {
		t.Fatalf("export has %d rows for %d contacts", len(recs)-1, len(p.Contacts))
	}
	for i, k := range p.Contacts {
		// A phone is entirely a number: exact, never prefixed.
		want := []string{spreadsheetSafe(k.Name), spreadsheetSafe(k.BusinessName), k.Phone, "NOT_CALLED", "", "", "", ""}
		if c := k.Call; c != nil {
			want[3] = c.Status
			if c.EndedReason != nil {
				want[4] = *c.EndedReason
			}
			if c.Cost != nil {
				want[5] = fmt.Sprintf("%.4f", *c.Cost)
			}
			if c.RecordingURL != nil {
				// Our endpoint, signed (TestA3RecordingsPlayThroughOurEndpoint).
				want[6] = e.Server.URL + *c.RecordingURL + "?expires="
				if strings.HasPrefix(recs[i+1][6], want[6]) {
					want[6] = recs[i+1][6]
				}
			}
		}
		got := recs[i+1]
		if k.Phone == phoneAt(0) {
			if !jsonEqual(got[7], transcript) {
				t.Errorf("transcript_json = %q, want %q", got[7], transcript)
			}
			want[7] = got[7]
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("row %d = %q\nwant     %q", i+1, got, want)
		}
	}
	wantNames := map[string]bool{
		`'=HYPERLINK("http://evil.example","click")`: true, "'+cmd|' /C calc'!A0": true,
		"'-2+3": true, "'@SUM(A1:A9)": true, "'\tTabbed": true, "'\rReturned": true, "Hal, Jr.": true, `Hal "H" Co`: true,
	}
	for _, rec := range recs[1:] {
		delete(wantNames, rec[0])
		delete(wantNames, rec[1])
	}
	if len(wantNames) != 0 {
		t.Errorf("cells missing from the export: %v", wantNames)
	}
	wantError(t, e.send(t, http.MethodGet, "/api/campaigns/"+id+"/export.csv?cursor=x", tok, "", nil), http.StatusBadRequest, "VALIDATION_ERROR")
}

func csvReader(b []byte) *csv.Reader { return csv.NewReader(bytes.NewReader(b)) }

func jsonEqual(a, b string) bool {
	var x, y any
	return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil && reflect.DeepEqual(x, y)
}

var nextLink = regexp.MustCompile(`^<(/api/campaigns/[0-9a-f-]+/export\.csv\?cursor=[0-9]+)>; rel="next"$`)

// TestCampaignExportPages follows the Link headers of an export too big
// for one answer (260 contacts of about 20 KB each).
func TestCampaignExportPages(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.operator(t)
	id := e.create(t, tok, nil, csvHeader+csvRows(0, 1)).CampaignID
	e.sql(t, `insert into contacts (campaign_id, position, name, business_name, phone)
		select $1, g, 'N' || g || repeat('n', 10000), repeat('b', 10000), '+1212' || lpad(g::text, 7, '0')
		from generate_series(2, 260) g`, id)
	path, pages, rows := "/api/campaigns/"+id+"/export.csv", 0, 0
	for ; path != "" && pages < 10; pages++ {
		r := e.send(t, http.MethodGet, path, tok, "", nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		if len(r.body) > 4_500_000 {
			t.Errorf("page %d is %d bytes, over the 4.5 MB a deployed function may answer", pages, len(r.body))
		}
		recs, err := csvReader(r.body).ReadAll()
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		if isHeader := len(recs) > 0 && recs[0][0] == "name"; isHeader != (pages == 0) {
			t.Errorf("page %d: header row present = %v", pages, isHeader)
		}
		if pages == 0 {
			recs = recs[1:]
		}
		for _, rec := range recs {
			rows++
			if !strings.HasPrefix(rec[0], fmt.Sprintf("N%d", rows)) && !(rows == 1 && rec[0] == "Person 0") {
				t.Fatalf("row %d is %.12q…: rows out of order or repeated", rows, rec[0])
			}
		}
		path = ""
		if link := r.header.Get("Link"); link != "" {
			m := nextLink.FindStringSubmatch(link)
			if m == nil {
				t.Fatalf("Link header %q", link)
			}
			path = m[1]
		}
	}
	if pages < 2 || rows != 260 || path != "" {
		t.Errorf("%d pages, %d rows, next %q; want at least 2 pages and 260 rows", pages, rows, path)
	}
}

func TestCampaignETag(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.operator(t)
	id := e.create(t, tok, nil, csvHeader+csvRows(0, 2)).CampaignID
	for _, path := range []string{"/api/campaigns/" + id + "/summary", "/api/campaigns/" + id, "/api/campaigns",
		"/api/campaigns/" + id + "/contacts?limit=10"} {
		first := e.send(t, http.MethodGet, path, tok, "", nil)
		etag := first.header.Get("ETag")
		if first.status != http.StatusOK || etag == "" {
			t.Fatalf("GET %s: %d, ETag %q", path, first.status, etag)
		}
		again := e.send(t, http.MethodGet, path, tok, "", nil, "If-None-Match", etag)
		if again.status != http.StatusNotModified || len(again.body) != 0 || again.header.Get("ETag") != etag {
			t.Errorf("GET %s with If-None-Match: %d %q, ETag %q", path, again.status, again.body, again.header.Get("ETag"))
		}
		stale := e.send(t, http.MethodGet, path, tok, "", nil, "If-None-Match", `"stale"`)
		if stale.status != http.StatusOK || !bytes.Equal(stale.body, first.body) {
			t.Errorf("GET %s with a stale ETag: %d", path, stale.status)
		}
	}
	path := "/api/campaigns/" + id + "/summary"
	etag := e.send(t, http.MethodGet, path, tok, "", nil).header.Get("ETag")
	if r := e.send(t, http.MethodPost, "/api/campaigns/"+id+"/contacts", tok, "text/csv", strings.NewReader(csvRows(2, 1))); r.status != http.StatusOK {
		t.Fatalf("append: %d %s", r.status, r.body)
	}
	changed := e.send(t, http.MethodGet, path, tok, "", nil, "If-None-Match", etag)
	if changed.status != http.StatusOK || changed.header.Get("ETag") == etag {
		t.Errorf("summary after a change: %d, ETag %q (was %q)", changed.status, changed.header.Get("ETag"), etag)
	}
}
