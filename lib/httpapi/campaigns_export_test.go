package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/dev/apitest"
)

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
	tok := e.NewOperator(t)
	csv := apitest.CSVHeader + apitest.Rows(0, 8) +
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
		e.Exec(t, `update contacts set name = $3, business_name = $4 where campaign_id = $1 and phone = $2`, id, apitest.Phone(i), f.name, f.business)
	}
	transcript := `[{"role":"assistant","message":"Hi, \"Ann\""},{"role":"user","message":"=1+1"}]`
	e.AddCall(t, id, apitest.Phone(0), apitest.Call{Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "answered",
		Cost: 0.1234, RecordingURL: "https://rec.example/0.wav", Transcript: transcript})
	e.AddCall(t, id, apitest.Phone(5), apitest.Call{Status: "FAILED", EndedReason: "twilio-failed-to-connect-call"})
	e.AddCall(t, id, apitest.Phone(6), apitest.Call{Status: "IN_PROGRESS"})

	r := e.Send(t, http.MethodGet, "/api/campaigns/"+id+"/export.csv", tok, "", nil)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" || r.Header.Get("Link") != "" {
		t.Fatalf("export: %d %v", r.Status, r.Header)
	}
	if !bytes.HasPrefix(r.Body, []byte("name,business_name,phone,status,ended_reason,cost,recording_url,transcript_json\n")) {
		t.Errorf("export starts %q", r.Body[:min(len(r.Body), 100)])
	}
	recs, err := csvReader(r.Body).ReadAll()
	if err != nil {
		t.Fatalf("export is not RFC 4180 CSV: %v", err)
	}
	var p contactPage
	e.GetJSON(t, tok, "/api/campaigns/"+id+"/contacts?limit=500", &p)
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
		if k.Phone == apitest.Phone(0) {
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
	apitest.WantError(t, e.Send(t, http.MethodGet, "/api/campaigns/"+id+"/export.csv?cursor=x", tok, "", nil), http.StatusBadRequest, "VALIDATION_ERROR")
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
	tok := e.NewOperator(t)
	id := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 1)).CampaignID
	e.Exec(t, `insert into contacts (campaign_id, position, name, business_name, phone)
		select $1, g, 'N' || g || repeat('n', 10000), repeat('b', 10000), '+1212' || lpad(g::text, 7, '0')
		from generate_series(2, 260) g`, id)
	path, pages, rows := "/api/campaigns/"+id+"/export.csv", 0, 0
	for ; path != "" && pages < 10; pages++ {
		r := e.Send(t, http.MethodGet, path, tok, "", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
		}
		if len(r.Body) > 4_500_000 {
			t.Errorf("page %d is %d bytes, over the 4.5 MB a deployed function may answer", pages, len(r.Body))
		}
		recs, err := csvReader(r.Body).ReadAll()
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
		if link := r.Header.Get("Link"); link != "" {
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
