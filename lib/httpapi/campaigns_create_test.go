package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/csvimport"
	"github.com/autolynx/autolynx/lib/importer"
)

func TestCampaignCreateReport(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
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
	e.GetJSON(t, tok, "/api/campaigns/"+c.CampaignID, &s)
	if s.Status != campaign.Created || s.Cap != 3 || s.Mode != campaign.Batch || !s.LineQuietGating ||
		s.PhoneNumberID != "other-line" || s.Name != "Spring list" || s.Assistant.ID.String() != e.assistant ||
		s.Assistant.Name != "Sales" || s.Metrics.TotalContacts != 2 {
		t.Errorf("summary = %+v", s)
	}
	var page struct{ Contacts []campaign.Contact }
	e.GetJSON(t, tok, "/api/campaigns/"+c.CampaignID+"/contacts", &page)
	wantVars := []map[string]string{{"city": "NYC", "notes": "first"}, {"city": "LA", "notes": "two\nlines"}}
	if len(page.Contacts) != 2 || page.Contacts[0].Name != "Ann" || page.Contacts[1].Phone != "+12122000002" ||
		!reflect.DeepEqual(page.Contacts[0].Variables, wantVars[0]) || !reflect.DeepEqual(page.Contacts[1].Variables, wantVars[1]) {
		t.Errorf("contacts = %+v", page.Contacts)
	}
}

func TestCampaignCreateDefaults(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	c := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 2))
	var s campaign.Summary
	e.GetJSON(t, tok, "/api/campaigns/"+c.CampaignID, &s)
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
	// Vapi says an assistant's own voicemail message on every voicemail
	// the overrides do not replace one, hangup or not.
	var speaks struct{ ID string }
	if st := e.JSON(http.MethodPost, "/api/assistants", e.Admin, map[string]any{"name": "Leaves messages",
		"config": map[string]any{"firstMessage": "Hi", "voicemailMessage": "Call us back."}}, &speaks); st != http.StatusCreated {
		t.Fatalf("create assistant: %d", st)
	}
	good := apitest.CSVHeader + apitest.Rows(0, 2)
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
		{name: "assistant with its own voicemail message", fields: map[string]string{"assistantId": speaks.ID}, csv: good, field: "assistantId"},
		{name: "no name", fields: map[string]string{"name": " "}, csv: good, field: "name"},
		{name: "cap zero", fields: map[string]string{"cap": "0"}, csv: good, field: "cap"},
		{name: "cap negative", fields: map[string]string{"cap": "-2"}, csv: good, field: "cap"},
		{name: "cap not a number", fields: map[string]string{"cap": "eight"}, csv: good, field: "cap"},
		{name: "cap fractional", fields: map[string]string{"cap": "2.5"}, csv: good, field: "cap"},
		{name: "cap too big", fields: map[string]string{"cap": "1001"}, csv: good, field: "cap"},
		{name: "unknown mode", fields: map[string]string{"mode": "parallel"}, csv: good, field: "mode"},
		{name: "bad lineQuietGating", fields: map[string]string{"lineQuietGating": "maybe"}, csv: good, field: "lineQuietGating"},
		{name: "voicemail message with NUL", fields: voicemail("Hi\x00there"), csv: good, field: "voicemailMessage"},
		{name: "voicemail message not UTF-8", fields: voicemail("Hi \xff there"), csv: good, field: "voicemailMessage"},
		{name: "voicemail message with a control character", fields: voicemail("Hi\x1bthere"), csv: good, field: "voicemailMessage"},
	}
	// The group returns once its parallel subtests are done.
	t.Run("refusals", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				ct, body := apitest.Multipart(e.form(tt.fields), tt.csv)
				r := e.Send(t, http.MethodPost, "/api/campaigns", e.NewOperator(t), ct, body)
				got := apitest.WantError(t, r, http.StatusBadRequest, "VALIDATION_ERROR")
				if tt.field != "" && got.Error.Details["field"] != tt.field {
					t.Errorf("details = %v, want field %s", got.Error.Details, tt.field)
				}
			})
		}
		t.Run("no phone column", func(t *testing.T) {
			t.Parallel()
			ct, body := apitest.Multipart(e.form(nil), "Full Name,Email\nAnn,ann@acme.test\n")
			got := apitest.WantError(t, e.Send(t, http.MethodPost, "/api/campaigns", e.NewOperator(t), ct, body), http.StatusBadRequest, "VALIDATION_ERROR")
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
			r := e.Send(t, http.MethodPost, "/api/campaigns", e.NewOperator(t), w, &buf)
			if got := apitest.WantError(t, r, http.StatusBadRequest, "VALIDATION_ERROR"); got.Error.Details["field"] != "file" {
				t.Errorf("details = %v, want field file", got.Error.Details)
			}
		})
	})
	if n := e.Count(t, `select count(*) from campaigns`); n != 0 {
		t.Errorf("%d campaigns exist after refused creations", n)
	}
}

// voicemail is the create fields for a message_last_attempt policy with msg.
func voicemail(msg string) map[string]string {
	return map[string]string{"voicemailPolicy": "message_last_attempt", "voicemailMessage": msg}
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
			r := e.Send(t, http.MethodPost, "/api/campaigns", e.NewOperator(t), ct, strings.NewReader(apitest.CSVHeader+apitest.Rows(0, 1)))
			apitest.WantError(t, r, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE")
		})
	}
	t.Run("append as JSON", func(t *testing.T) {
		t.Parallel()
		tok := e.NewOperator(t)
		c := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 1))
		r := e.Send(t, http.MethodPost, "/api/campaigns/"+c.CampaignID+"/contacts", tok, "application/json", strings.NewReader(`{}`))
		apitest.WantError(t, r, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE")
	})
}

// hideLength makes a body of unknown length, which the client sends
// chunked, without a Content-Length.
type hideLength struct{ r io.Reader }

func (h hideLength) Read(p []byte) (int, error) { return h.r.Read(p) }

func TestCampaignUploadTooLarge(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	over := apitest.BigCSV(4_600_000)
	// The group returns once its parallel subtests are done.
	t.Run("uploads", func(t *testing.T) {
		for _, chunked := range []bool{false, true} {
			t.Run(fmt.Sprintf("create chunked=%v", chunked), func(t *testing.T) {
				t.Parallel()
				ct, body := apitest.Multipart(e.form(map[string]string{"name": "Too big"}), over)
				if chunked {
					body = hideLength{body}
				}
				r := e.Send(t, http.MethodPost, "/api/campaigns", e.NewOperator(t), ct, body)
				apitest.WantError(t, r, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")
			})
			t.Run(fmt.Sprintf("append chunked=%v", chunked), func(t *testing.T) {
				t.Parallel()
				tok := e.NewOperator(t)
				c := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 1))
				var body io.Reader = strings.NewReader(over)
				if chunked {
					body = hideLength{body}
				}
				r := e.Send(t, http.MethodPost, "/api/campaigns/"+c.CampaignID+"/contacts", tok, "text/csv", body)
				apitest.WantError(t, r, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")
				if n := e.Count(t, `select count(*) from contacts where campaign_id = $1`, c.CampaignID); n != 1 {
					t.Errorf("%d contacts after a refused oversized chunk, want 1", n)
				}
			})
		}
		t.Run("just under the limit", func(t *testing.T) {
			t.Parallel()
			csv := apitest.BigCSV(4_400_000)
			c := e.create(t, e.NewOperator(t), nil, csv)
			if want := strings.Count(csv, "\n") - 1; c.ImportReport.Accepted != want {
				t.Errorf("accepted %d of %d rows", c.ImportReport.Accepted, want)
			}
		})
	})
	if n := e.Count(t, `select count(*) from campaigns where name = 'Too big'`); n != 0 {
		t.Errorf("%d campaigns created from an oversized body", n)
	}
}

func TestCampaignAppendChunks(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	c := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 3))
	path := "/api/campaigns/" + c.CampaignID + "/contacts"
	multipartChunk := func(csv string) (string, io.Reader) { return apitest.Multipart(nil, csv) }
	rawChunk := func(csv string) (string, io.Reader) { return "text/csv; charset=utf-8", strings.NewReader(csv) }
	tests := []struct {
		name string
		body func(string) (string, io.Reader)
		csv  string
		want importer.Report
	}{
		{"multipart with header", multipartChunk, apitest.CSVHeader + apitest.Rows(3, 2) + apitest.Rows(0, 1), importer.Report{Accepted: 2, Duplicates: 1}},
		{"raw without header", rawChunk, apitest.Rows(5, 2) + apitest.Rows(4, 1) + "Bad,Row,999,Nowhere\n", importer.Report{Accepted: 2, Duplicates: 1,
			Skipped: []csvimport.Skip{{Row: 4, Reason: `invalid phone number: "999"`}}, SkippedTotal: 1, SkippedByReason: map[string]int{"invalid phone number": 1}}},
		{"raw with header", rawChunk, apitest.CSVHeader + apitest.Rows(7, 1) + apitest.Rows(7, 1), importer.Report{Accepted: 1, Duplicates: 1}},
		{"multipart without header", multipartChunk, apitest.Rows(8, 2), importer.Report{Accepted: 2}},
	}
	for _, tt := range tests { // sequential: each chunk builds on the previous ones
		ct, body := tt.body(tt.csv)
		r := e.Send(t, http.MethodPost, path, tok, ct, body)
		var got struct{ ImportReport importer.Report }
		if r.Status != http.StatusOK || json.Unmarshal(r.Body, &got) != nil {
			t.Fatalf("%s: %d %s", tt.name, r.Status, r.Body)
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
	e.GetJSON(t, tok, path+"?limit=500", &page)
	if page.Pagination.Total != 10 || len(page.Contacts) != 10 {
		t.Fatalf("contacts: total %d, got %d; want 10", page.Pagination.Total, len(page.Contacts))
	}
	for i, k := range page.Contacts { // import order, first chunk's columns everywhere
		want := map[string]string{"city": fmt.Sprintf("City %d", i)}
		if k.Name != fmt.Sprintf("Person %d", i) || k.Phone != apitest.Phone(i) || !reflect.DeepEqual(k.Variables, want) || k.Call != nil {
			t.Errorf("contact %d = %+v", i, k)
		}
	}
	var s campaign.Summary
	e.GetJSON(t, tok, "/api/campaigns/"+c.CampaignID, &s)
	if s.Metrics.TotalContacts != 10 || s.Metrics.ByStatus["NOT_CALLED"] != 10 {
		t.Errorf("metrics = %+v", s.Metrics)
	}
}

func TestCampaignAppendRefused(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	stopped := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 1)).CampaignID
	if r := e.Send(t, http.MethodPost, "/api/campaigns/"+stopped+"/stop", tok, "", nil); r.Status != http.StatusOK {
		t.Fatalf("stop: %d %s", r.Status, r.Body)
	}
	completed := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 1)).CampaignID
	e.Exec(t, `update campaigns set status = 'COMPLETED' where id = $1`, completed)
	failed := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 1)).CampaignID
	e.Exec(t, `update campaigns set status = 'FAILED' where id = $1`, failed)
	for id, st := range map[string]string{stopped: "STOPPED", completed: "COMPLETED", failed: "FAILED"} {
		r := e.Send(t, http.MethodPost, "/api/campaigns/"+id+"/contacts", tok, "text/csv", strings.NewReader(apitest.Rows(1, 1)))
		if got := apitest.WantError(t, r, http.StatusConflict, "CONFLICT"); got.Error.Details["status"] != st {
			t.Errorf("%s: details = %v", st, got.Error.Details)
		}
	}
	r := e.Send(t, http.MethodPost, "/api/campaigns/"+apitest.NewID()+"/contacts", tok, "text/csv", strings.NewReader(apitest.Rows(1, 1)))
	apitest.WantError(t, r, http.StatusNotFound, "NOT_FOUND")
	if n := e.Count(t, `select count(*) from contacts`); n != 3 {
		t.Errorf("%d contacts, want the 3 of creation", n)
	}
}

// TestCampaignAppendAtomic breaks a raw chunk after 2,500 valid rows:
// more than one insert batch was already written in its transaction.
func TestCampaignAppendAtomic(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	c := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 3))
	chunk := apitest.Rows(3, 2500) + "Broken,Quote,+12129990000,\"never closed\n" + apitest.Rows(3000, 5)
	r := e.Send(t, http.MethodPost, "/api/campaigns/"+c.CampaignID+"/contacts", tok, "text/csv", strings.NewReader(chunk))
	if got := apitest.WantError(t, r, http.StatusBadRequest, "VALIDATION_ERROR"); got.Error.Details["row"] != float64(2501) {
		t.Errorf("details = %v, want row 2501", got.Error.Details)
	}
	if n := e.Count(t, `select count(*) from contacts where campaign_id = $1`, c.CampaignID); n != 3 {
		t.Errorf("%d contacts after a refused chunk, want 3", n)
	}
	var s campaign.Summary
	e.GetJSON(t, tok, "/api/campaigns/"+c.CampaignID, &s)
	if s.Metrics.TotalContacts != 3 {
		t.Errorf("totalContacts = %d, want 3", s.Metrics.TotalContacts)
	}
}
