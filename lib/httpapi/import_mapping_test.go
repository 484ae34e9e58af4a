package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/xlsxtest"
	"github.com/autolynx/autolynx/lib/csvimport"
	"github.com/autolynx/autolynx/lib/importer"
)

// crmCSV is a CRM export: aliases, a joined name, a time zone column, bad
// rows, a duplicate and a number on the do-not-call list.
const crmCSV = "First Name,Last Name,Company,Mobile Phone,Time Zone,Lead Source\n" +
	"Ann,Lee,Acme,(415) 555-2671,America/Los_Angeles,Web\n" + // row 2
	"Bob,Ray,Bobco,212-555-0123,,Fair\n" + // row 3
	"Cy,Hill,Hill Farm,12,,\n" + // row 4: invalid phone
	"Di,Fox,Fox & Co,(415) 555-2671,,\n" + // row 5: duplicate of row 2
	"Ed,Kay,Kay Inc,303-555-0199,Mountain,\n" + // row 6: invalid zone
	"Flo,Ng,Ng LLC,617-555-0142,,\n" + // row 7: on the do-not-call list
	"Gus,Orr,,,,\n" // row 8: no phone

// TestCampaignPreviewDryRun: dryRun=true answers what the import would do
// — mapping, first rows normalized with their zone, skips by reason,
// duplicates, do-not-call matches, who is callable now — and stores
// nothing.
func TestCampaignPreviewDryRun(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	e.Exec(t, `insert into dnc (phone) values ('+16175550142')`)
	// 18:00 UTC on a Wednesday: 10:00 in Los Angeles, 13:00 in New York.
	e.Clock.Advance(time.Date(2026, 12, 2, 18, 0, 0, 0, time.UTC).Sub(e.Clock.Now()))
	ct, body := apitest.Multipart(map[string]string{"dryRun": "true", "callingWindowStart": "09:00", "callingWindowEnd": "12:00"}, crmCSV)
	r := e.Send(t, http.MethodPost, "/api/campaigns", tok, ct, body)
	var got struct{ Preview importer.Preview }
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &got) != nil {
		t.Fatalf("dry run: %d %s", r.Status, r.Body)
	}
	p := got.Preview
	wantMapping := csvimport.Mapping{"name": {"First Name", "Last Name"}, "business_name": {"Company"}, "phone": {"Mobile Phone"}, "timezone": {"Time Zone"}}
	if !reflect.DeepEqual(p.Mapping, wantMapping) || !reflect.DeepEqual(p.Variables, []string{"Lead Source"}) {
		t.Errorf("mapping %v, variables %v", p.Mapping, p.Variables)
	}
	wantRows := []importer.PreviewRow{
		{Row: 2, Name: "Ann Lee", BusinessName: "Acme", Phone: "+14155552671", TimeZones: []string{"America/Los_Angeles"}, ZoneSource: "column", Variables: map[string]string{"lead_source": "Web"}},
		{Row: 3, Name: "Bob Ray", BusinessName: "Bobco", Phone: "+12125550123", TimeZones: []string{"America/New_York"}, ZoneSource: "number", Variables: map[string]string{"lead_source": "Fair"}},
	}
	if !reflect.DeepEqual(p.Rows, wantRows) {
		t.Errorf("rows = %+v\nwant %+v", p.Rows, wantRows)
	}
	wantSkips := map[string]int{"invalid phone number": 1, "invalid time zone": 1, "phone is empty": 1, "on the do-not-call list": 1}
	if p.DataRows != 7 || p.Importable != 2 || p.Duplicates != 1 || p.DoNotCall != 1 || !reflect.DeepEqual(p.SkippedByReason, wantSkips) {
		t.Errorf("counts: %+v", p)
	}
	if len(p.Skipped) != 4 || p.Skipped[1].Row != 6 || !strings.Contains(p.Skipped[1].Reason, `"Mountain"`) {
		t.Errorf("skipped = %+v", p.Skipped)
	}
	if p.CallableNow != 1 { // Los Angeles is at 10:00, New York already past noon
		t.Errorf("callableNow = %d, want 1", p.CallableNow)
	}
	if n := e.Count(t, `select count(*) from campaigns`) + e.Count(t, `select count(*) from contacts`); n != 0 {
		t.Errorf("a dry run stored %d rows", n)
	}
}

// TestCampaignImportMappingAndZones: two phone columns are refused with
// the candidates until the form's mapping chooses; the choice and the time
// zone column are kept for later chunks, where the column also gives a
// toll-free number its zone.
func TestCampaignImportMappingAndZones(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	file := "Name,Phone,Mobile,Company,TZ\nAnn Lee,2125550100,(415) 555-2671,Acme,America/Phoenix\n"
	ct, body := apitest.Multipart(e.form(nil), file)
	got := apitest.WantError(t, e.Send(t, http.MethodPost, "/api/campaigns", tok, ct, body), http.StatusBadRequest, "VALIDATION_ERROR")
	if d := got.Error.Details; d["field"] != "mapping" || !reflect.DeepEqual(d["ambiguous"], map[string]any{"phone": []any{"Phone", "Mobile"}}) {
		t.Fatalf("details = %v", d)
	}
	c := e.create(t, tok, map[string]string{"mapping": `{"phone":"Mobile"}`}, file)
	// A toll-free number tells no zone: its column gives it.
	chunk := "Name,Phone,Mobile,Company,TZ\nBob Ray,2125550101,212-555-0123,Bobco,\nCy Hill,2125550102,(800) 555-0199,Hill Co,America/Denver\n"
	r := e.Send(t, http.MethodPost, "/api/campaigns/"+c.CampaignID+"/contacts", tok, "text/csv", strings.NewReader(chunk))
	if r.Status != http.StatusOK {
		t.Fatalf("append: %d %s", r.Status, r.Body)
	}
	rows, err := e.DB.Query(t.Context(), `select name, phone, timezones, variables->>'phone' from contacts where campaign_id = $1 order by position`, c.CampaignID)
	if err != nil {
		t.Fatal(err)
	}
	type contact struct {
		name, phone string
		zones       []string
		other       string
	}
	var all []contact
	for rows.Next() {
		var k contact
		if err := rows.Scan(&k.name, &k.phone, &k.zones, &k.other); err != nil {
			t.Fatal(err)
		}
		all = append(all, k)
	}
	want := []contact{
		{"Ann Lee", "+14155552671", []string{"America/Phoenix"}, "2125550100"},
		{"Bob Ray", "+12125550123", []string{"America/New_York"}, "2125550101"},
		{"Cy Hill", "+18005550199", []string{"America/Denver"}, "2125550102"},
	}
	if !reflect.DeepEqual(all, want) {
		t.Errorf("contacts = %+v\nwant %+v", all, want)
	}
}

// TestCampaignCreateFromXLSX: an .xlsx upload imports like its CSV, with
// Excel's row numbers in the report.
func TestCampaignCreateFromXLSX(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	book := xlsxtest.Build([][]any{
		{"First Name", "Last Name", "Company", "Mobile Phone", "Time Zone"},
		{"Ann", "Lee", "Acme", 4155552671, "America/Chicago"},
		{},
		{"Bob", "Ray", "Bobco", "12", nil},
		{"Cy", "Hill", "Hill Farm", "+1 212 555 0123", "Nowhere/City"},
	})
	ct, body := apitest.MultipartFile(e.form(nil), "contacts.xlsx", book)
	r := e.Send(t, http.MethodPost, "/api/campaigns", tok, ct, body)
	var c struct{ ImportReport importer.Report }
	if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &c) != nil {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	want := importer.Report{Accepted: 1, Skipped: []csvimport.Skip{
		{Row: 4, Reason: `invalid phone number: "12"`},
		{Row: 5, Reason: `invalid time zone "Nowhere/City": use an IANA zone name such as America/New_York`},
	}, SkippedTotal: 2, SkippedByReason: map[string]int{"invalid phone number": 1, "invalid time zone": 1}}
	if !reflect.DeepEqual(c.ImportReport, want) {
		t.Errorf("report = %+v\nwant %+v", c.ImportReport, want)
	}
	if n := e.Count(t, `select count(*) from contacts where name = 'Ann Lee' and phone = '+14155552671' and timezones = '{America/Chicago}'`); n != 1 {
		t.Errorf("the workbook's contact was not stored as read")
	}
}

// TestCampaignAppendXLSX: appending an .xlsx to a campaign, as a form's
// file or as the raw body, stores what appending its CSV export stores,
// with the same report (Excel's row numbers are the CSV's lines).
func TestCampaignAppendXLSX(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	const first = "First Name,Last Name,Mobile Phone,Time Zone,Lead Source\nZed,Cole,(415) 555-0100,,Web\n"
	book := xlsxtest.Build([][]any{
		{"First Name", "Last Name", "Mobile Phone", "Time Zone", "Lead Source"},
		{"Ann", "Lee", 4155552671, "America/Chicago", "Fair"},
		{"Bob", "Ray", "12", nil, nil},
		{"Cy", "Hill", "+1 212 555 0123", nil, "Web"},
		{"Di", "Fox", "(415) 555-2671", nil, nil},
	})
	const csv = "First Name,Last Name,Mobile Phone,Time Zone,Lead Source\n" +
		"Ann,Lee,4155552671,America/Chicago,Fair\n" +
		"Bob,Ray,12,,\n" +
		"Cy,Hill,+1 212 555 0123,,Web\n" +
		"Di,Fox,(415) 555-2671,,\n"
	multipartXLSX := func() (string, io.Reader) { return apitest.MultipartFile(nil, "more.xlsx", book) }
	uploads := map[string]func() (string, io.Reader){
		"csv":           func() (string, io.Reader) { return "text/csv", strings.NewReader(csv) },
		"xlsx in form":  multipartXLSX,
		"xlsx raw body": func() (string, io.Reader) { return xlsxType, bytes.NewReader(book) },
	}
	type stored struct {
		Name, Phone string
		Zones       []string
		Vars        map[string]string
		Position    int
	}
	var wantReport importer.Report
	var wantContacts []stored
	for _, name := range []string{"csv", "xlsx in form", "xlsx raw body"} {
		c := e.create(t, tok, map[string]string{"name": name}, first)
		ct, body := uploads[name]()
		r := e.Send(t, http.MethodPost, "/api/campaigns/"+c.CampaignID+"/contacts", tok, ct, body)
		var got struct{ ImportReport importer.Report }
		if r.Status != http.StatusOK || json.Unmarshal(r.Body, &got) != nil {
			t.Errorf("%s: append: %d %s", name, r.Status, r.Body)
			continue
		}
		rows, err := e.DB.Query(t.Context(), `select name, phone, timezones, variables, position from contacts where campaign_id = $1 order by position`, c.CampaignID)
		if err != nil {
			t.Fatal(err)
		}
		var all []stored
		for rows.Next() {
			var k stored
			if err := rows.Scan(&k.Name, &k.Phone, &k.Zones, &k.Vars, &k.Position); err != nil {
				t.Fatal(err)
			}
			all = append(all, k)
		}
		if name == "csv" {
			wantReport, wantContacts = got.ImportReport, all
			if wantReport.Accepted != 2 || wantReport.Duplicates != 1 || wantReport.SkippedTotal != 1 || len(all) != 3 {
				t.Fatalf("csv append: report %+v, %d contacts", wantReport, len(all))
			}
			continue
		}
		if !reflect.DeepEqual(got.ImportReport, wantReport) {
			t.Errorf("%s: report = %+v\nwant (csv) %+v", name, got.ImportReport, wantReport)
		}
		if !reflect.DeepEqual(all, wantContacts) {
			t.Errorf("%s: contacts = %+v\nwant (csv) %+v", name, all, wantContacts)
		}
	}
}

// xlsxType is an .xlsx file's media type.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
