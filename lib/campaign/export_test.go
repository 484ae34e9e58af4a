package campaign_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/dev/campaigntest"
	"github.com/autolynx/autolynx/lib/campaign"
)

// exportAll follows the cursors from the start and returns every page.
func exportAll(t *testing.T, f fixture, id uuid.UUID, maxBytes int) []*campaign.ExportPage {
	t.Helper()
	var pages []*campaign.ExportPage
	cursor := 0
	for range 10_000 { // bounded: far more pages than any test makes
		p, err := campaign.Export(f.Ctx, f.Pool, id, cursor, maxBytes, testLinks)
		if err != nil {
			t.Fatalf("export at cursor %d: %v", cursor, err)
		}
		pages = append(pages, p)
		if p.Next == 0 {
			return pages
		}
		if p.Next <= cursor {
			t.Fatalf("cursor went from %d to %d", cursor, p.Next)
		}
		cursor = p.Next
	}
	t.Fatal("export never ended")
	return nil
}

// recordStarts parses a CSV page and returns its records and the byte
// offset where each starts.
func recordStarts(t *testing.T, page []byte) ([][]string, []int64) {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(page))
	var recs [][]string
	var starts []int64
	for {
		start := r.InputOffset()
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return recs, starts
		}
		if err != nil {
			t.Fatalf("page is not CSV: %v", err)
		}
		recs, starts = append(recs, rec), append(starts, start)
	}
}

func TestExportPagesConcatenate(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 400))
	whole, err := campaign.Export(f.Ctx, f.Pool, id, 0, campaign.MaxExportPage, testLinks)
	if err != nil || whole.Next != 0 || whole.Rows != 400 {
		t.Fatalf("single-page export: rows %d, next %d, %v", whole.Rows, whole.Next, err)
	}
	const maxBytes = 2 << 10
	pages := exportAll(t, f, id, maxBytes)
	if len(pages) < 5 {
		t.Fatalf("%d pages of at most ~2 KB for %d bytes", len(pages), len(whole.CSV))
	}
	var joined []byte
	total := 0
	for i, p := range pages {
		joined = append(joined, p.CSV...)
		total += p.Rows
		recs, _ := recordStarts(t, p.CSV)
		headers := 0
		for _, r := range recs {
			if strings.Join(r, ",") == strings.Join(campaign.ExportHeader, ",") {
				headers++
			}
		}
		if want := map[bool]int{true: 1, false: 0}[i == 0]; headers != want {
			t.Errorf("page %d has %d header rows, want %d", i, headers, want)
		}
	}
	if !bytes.Equal(joined, whole.CSV) {
		t.Errorf("pages joined (%d bytes) differ from the whole export (%d bytes)", len(joined), len(whole.CSV))
	}
	if total != 400 {
		t.Errorf("pages hold %d rows, want 400", total)
	}
}

// TestExportPageStopsAtFirstRowPastLimit checks MaxExportPage's promise:
// a page ends at the first row boundary past maxBytes, so a page without
// its last row is under the limit (and a 4 MB page stays under Vercel's
// 4.5 MB answer limit whatever the row sizes).
func TestExportPageStopsAtFirstRowPastLimit(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 400))
	const maxBytes = 2 << 10
	for i, p := range exportAll(t, f, id, maxBytes) {
		if p.Next == 0 {
			continue
		}
		_, starts := recordStarts(t, p.CSV)
		if last := starts[len(starts)-1]; last >= maxBytes {
			t.Errorf("page %d is %d bytes: its last row starts at byte %d, past the %d-byte limit", i, len(p.CSV), last, maxBytes)
		}
	}
}

func TestExportCursorPastEnd(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 3))
	p, err := campaign.Export(f.Ctx, f.Pool, id, 3, campaign.MaxExportPage, testLinks)
	if err != nil || len(p.CSV) != 0 || p.Rows != 0 || p.Next != 0 {
		t.Errorf("export after the last row = %q, rows %d, next %d, %v; want empty", p.CSV, p.Rows, p.Next, err)
	}
}

func TestNeutralize(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"":                           "",
		"Acme":                       "Acme",
		`=HYPERLINK("http://x","y")`: `'=HYPERLINK("http://x","y")`,
		"+1 (212) 200-0000":          "'+1 (212) 200-0000",
		"-2+3":                       "'-2+3",
		"+14155550100":               "+14155550100",
		"-12.5":                      "-12.5",
		"0.0735":                     "0.0735",
		"+":                          "'+",
		"-.5":                        "'-.5",
		"+1e5":                       "'+1e5",
		"+12.":                       "'+12.",
		"-1-1":                       "'-1-1",
		"@SUM(A1)":                   "'@SUM(A1)",
		"\tcmd":                      "'\tcmd",
		"\rcmd":                      "'\rcmd",
		"a=1":                        "a=1",
	}
	for in, want := range tests {
		if got := campaign.Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

// Security review L14: what a spreadsheet skips or folds before a formula
// sign (spaces, invisible format characters, full-width forms) hides none.
func TestLowL14NeutralizeHiddenFormulas(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		" =1":           "' =1",
		"\u00a0=1+1":    "'\u00a0=1+1",
		"\u200b=2+2":    "'\u200b=2+2",
		"\ufeff@SUM(1)": "'\ufeff@SUM(1)",
		"＝1+1":          "'＝1+1",
		"＋1":            "'＋1",
		"\n=4+4":        "'\n=4+4",
		" Acme":         " Acme",
		"\u200bAcme":    "\u200bAcme",
		"Zoë":           "Zoë",
	} {
		if got := campaign.Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseCursor(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		n  int
		ok bool
	}{"": {0, true}, "17": {17, true}, "0": {0, false}, "-3": {-3, false}, "x": {0, false}}
	for in, want := range tests {
		if n, ok := campaign.ParseCursor(in); ok != want.ok || (ok && n != want.n) {
			t.Errorf("ParseCursor(%q) = %d, %v; want %d, %v", in, n, ok, want.n, want.ok)
		}
	}
}

// TestExportPhonesAndCostsExact reads the export with a plain CSV parser:
// every phone and cost is the database's, with no apostrophe in front.
func TestExportPhonesAndCostsExact(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 30))
	// Give every other contact a finished call with a cost.
	_, err := f.Pool.Exec(f.Ctx, `
		with k as (select id, campaign_id, position from contacts where campaign_id = $1 and position % 2 = 0),
		c as (insert into calls (campaign_id, contact_id, status, ended_reason, cost, attempt, phone_number_id)
		      select campaign_id, id, 'ENDED', 'customer-ended-call', position * 0.0125, 1, 'p' from k returning id, contact_id)
		update contacts set last_call_id = c.id from c where contacts.id = c.contact_id`, id)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	rows, err := f.Pool.Query(f.Ctx, `select k.phone, coalesce(l.cost::text, '') from contacts k
		left join calls l on l.id = k.last_call_id where k.campaign_id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var ph, cost string
		if err := rows.Scan(&ph, &cost); err != nil {
			t.Fatal(err)
		}
		want[ph] = cost
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var recs [][]string
	for _, p := range exportAll(t, f, id, campaign.MaxExportPage) {
		r, _ := recordStarts(t, p.CSV)
		recs = append(recs, r...)
	}
	if len(recs) != 31 {
		t.Fatalf("export has %d records, want 31", len(recs))
	}
	costs := 0
	for _, rec := range recs[1:] {
		ph, cost := rec[2], rec[5]
		dbCost, ok := want[ph]
		if !ok {
			t.Fatalf("exported phone %q is not a phone of the campaign", ph)
		}
		if cost != dbCost {
			t.Errorf("phone %s: exported cost %q, database %q", ph, cost, dbCost)
		}
		if cost != "" {
			costs++
		}
		delete(want, ph)
	}
	if len(want) != 0 || costs != 15 {
		t.Errorf("phones missing from the export: %v; %d costs", want, costs)
	}
}
