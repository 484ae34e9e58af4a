package importer_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/dev/campaigntest"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/csvimport"
	"github.com/autolynx/autolynx/lib/importer"
	"github.com/autolynx/autolynx/lib/problem"
)

func TestCreateReportsEveryRow(t *testing.T) {
	t.Parallel()
	f := campaigntest.Setup(t)
	csv := campaigntest.Header +
		"Ann,Acme,+12122000001,NYC\n" + // row 2
		"Bob,Bolt,(212) 200-0002,LA\n" + // row 3
		"Dup,Dupe,212.200.0001,SF\n" + // row 4: row 2's phone
		"Eve,Evil,12,Nowhere\n" + // row 5
		"\n" + // row 6: blank, still numbered
		"Fay,Fig,,Paris\n" + // row 7
		"Gus,Gum,+12122000003,Rome,extra\n" + // row 8
		"\"Hal, Jr.\",\"Hal \"\"H\"\" Co\",+12122000004,\"Multi\nline\"\n" + // row 9, one spreadsheet row
		"Ian,Ink,+12122000005,Oslo\n" + // row 10
		"Jo,Jam,abc,X\n" // row 11
	id, rep := f.Create(t, csv)
	want := &importer.Report{Accepted: 4, Duplicates: 1, Skipped: []csvimport.Skip{
		{Row: 5, Reason: `invalid phone number: "12"`, Kind: "invalid phone number"},
		{Row: 7, Reason: "phone is empty", Kind: "phone is empty"},
		{Row: 8, Reason: "row has 5 columns, header has 4", Kind: "unreadable row"},
		{Row: 11, Reason: `invalid phone number: "abc"`, Kind: "invalid phone number"},
	}, SkippedTotal: 4, SkippedByReason: map[string]int{"invalid phone number": 2, "phone is empty": 1, "unreadable row": 1}}
	if !reflect.DeepEqual(rep, want) {
		t.Fatalf("report = %+v, want %+v", rep, want)
	}
	type stored struct {
		Position                    int
		Name, Business, Phone, City string
	}
	rs, err := f.Pool.Query(f.Ctx, `select position, name, business_name, phone, variables->>'city'
		from contacts where campaign_id = $1 order by position`, id)
	if err != nil {
		t.Fatal(err)
	}
	var got []stored
	for rs.Next() {
		var s stored
		if err := rs.Scan(&s.Position, &s.Name, &s.Business, &s.Phone, &s.City); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	wantRows := []stored{
		{1, "Ann", "Acme", "+12122000001", "NYC"}, // the first of two duplicates wins
		{2, "Bob", "Bolt", "+12122000002", "LA"},
		{3, "Hal, Jr.", `Hal "H" Co`, "+12122000004", "Multi\nline"},
		{4, "Ian", "Ink", "+12122000005", "Oslo"},
	}
	if !reflect.DeepEqual(got, wantRows) {
		t.Fatalf("contacts = %+v, want %+v", got, wantRows)
	}
	if n := f.Count(t, `select total_contacts from campaigns where id = $1`, id); n != 4 {
		t.Errorf("total_contacts = %d, want 4", n)
	}
}

func TestCreateRefusals(t *testing.T) {
	t.Parallel()
	f := campaigntest.Setup(t)
	inactive := f.AddAssistant(t, false)
	tests := []struct {
		name  string
		edit  func(*importer.NewCampaign)
		csv   string
		field string
	}{
		{name: "empty file", csv: ""},
		{name: "only blank lines", csv: "\n\n\n"},
		{name: "binary file", csv: "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
		{name: "UTF-16 file", csv: "\xff\xfen\x00a\x00m\x00e\x00"},
		{name: "unknown assistant", edit: func(n *importer.NewCampaign) { n.AssistantID = uuid.New() }, field: "assistantId"},
		{name: "inactive assistant", edit: func(n *importer.NewCampaign) { n.AssistantID = inactive }, field: "assistantId"},
		{name: "cap zero", edit: func(n *importer.NewCampaign) { n.Cap = 0 }, field: "cap"},
		{name: "cap too big", edit: func(n *importer.NewCampaign) { n.Cap = 1001 }, field: "cap"},
		{name: "unknown mode", edit: func(n *importer.NewCampaign) { n.Mode = "fast" }, field: "mode"},
		{name: "blank name", edit: func(n *importer.NewCampaign) { n.Name = "  " }, field: "name"},
		{name: "broken quote", csv: campaigntest.Header + "Ann,Acme,+12122000001,\"NYC\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := f.NewCampaign()
			if tt.edit != nil {
				tt.edit(&n)
			}
			csv := tt.csv
			if tt.edit != nil {
				csv = campaigntest.Header + campaigntest.Rows(0, 3)
			}
			_, _, err := importer.Create(f.Ctx, f.Pool, n, strings.NewReader(csv))
			pe := campaigntest.WantProblem(t, err, problem.Invalid)
			if tt.field != "" && pe.Details["field"] != tt.field {
				t.Errorf("details = %v, want field %s", pe.Details, tt.field)
			}
		})
	}
	if n := f.Count(t, `select count(*) from campaigns`); n != 0 {
		t.Errorf("%d campaigns exist after refused creations", n)
	}
	if n := f.Count(t, `select count(*) from contacts`); n != 0 {
		t.Errorf("%d contacts exist after refused creations", n)
	}
}

func TestCreateMissingHeadersLeavesNothing(t *testing.T) {
	t.Parallel()
	f := campaigntest.Setup(t)
	_, _, err := importer.Create(f.Ctx, f.Pool, f.NewCampaign(), strings.NewReader("Name,Fax\nAnn,+12122000001\n"))
	pe := campaigntest.WantProblem(t, err, problem.Invalid)
	if got := pe.Details["missing"]; !reflect.DeepEqual(got, []string{"phone"}) {
		t.Errorf("missing = %#v, want [phone]", got)
	}
	if got := pe.Details["columns"]; !reflect.DeepEqual(got, []string{"Name", "Fax"}) {
		t.Errorf("columns = %#v, want [Name Fax]", got)
	}
	if !strings.Contains(pe.Message, `found "Name", "Fax"`) || !strings.Contains(pe.Message, "phone number, mobile") {
		t.Errorf("message %q does not list the columns found and expected", pe.Message)
	}
	if n := f.Count(t, `select count(*) from campaigns`); n != 0 {
		t.Errorf("%d campaigns created from a file without the required headers", n)
	}
}

func TestAppendChunks(t *testing.T) {
	t.Parallel()
	f := campaigntest.Setup(t)
	id, rep := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 3))
	if rep.Accepted != 3 {
		t.Fatalf("first chunk accepted %d, want 3", rep.Accepted)
	}
	tests := []struct {
		name  string
		chunk string
		want  importer.Report
	}{
		{"header repeated", campaigntest.Header + campaigntest.Rows(3, 2) + campaigntest.Rows(0, 1), importer.Report{Accepted: 2, Duplicates: 1}},
		{"header omitted", campaigntest.Rows(5, 2) + campaigntest.Rows(3, 2), importer.Report{Accepted: 2, Duplicates: 2}},
		{"header reordered", "phone,city,name,business_name\n" + campaigntest.Phone(7) + ",Lyon,Zed,Zinc\n", importer.Report{Accepted: 1}},
		{"duplicates within the chunk", campaigntest.Rows(8, 1) + campaigntest.Rows(8, 1) + campaigntest.Rows(1, 1), importer.Report{Accepted: 1, Duplicates: 2}},
	}
	for _, tt := range tests { // sequential: chunks of one campaign build on each other
		rep, err := importer.Append(f.Ctx, f.Pool, id, strings.NewReader(tt.chunk), "US")
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		tt.want.Skipped, tt.want.SkippedByReason = []csvimport.Skip{}, map[string]int{}
		if !reflect.DeepEqual(*rep, tt.want) {
			t.Errorf("%s: report = %+v, want %+v", tt.name, *rep, tt.want)
		}
	}
	if n := f.Count(t, `select count(*) from contacts where campaign_id = $1`, id); n != 9 {
		t.Errorf("contacts = %d, want 9", n)
	}
	if n := f.Count(t, `select total_contacts from campaigns where id = $1`, id); n != 9 {
		t.Errorf("total_contacts = %d, want 9", n)
	}
	// Positions stay dense in import order across chunks.
	if n := f.Count(t, `select count(*) from contacts where campaign_id = $1 and position between 1 and 9`, id); n != 9 {
		t.Errorf("positions are not 1..9 (%d in range)", n)
	}
	var city, name string
	err := f.Pool.QueryRow(f.Ctx, `select variables->>'city', name from contacts where campaign_id = $1 and phone = $2`, id, campaigntest.Phone(6)).Scan(&city, &name)
	if err != nil || city != "City 6" || name != "Person 6" {
		t.Errorf("headerless chunk contact = %q/%q (%v), want the first chunk's columns", name, city, err)
	}
	err = f.Pool.QueryRow(f.Ctx, `select variables->>'city', name from contacts where campaign_id = $1 and phone = $2`, id, campaigntest.Phone(7)).Scan(&city, &name)
	if err != nil || city != "Lyon" || name != "Zed" {
		t.Errorf("reordered chunk contact = %q/%q (%v), want Zed/Lyon", name, city, err)
	}
}

func TestAppendRefusedWhenFinished(t *testing.T) {
	t.Parallel()
	f := campaigntest.Setup(t)
	for _, st := range []campaign.Status{campaign.Stopped, campaign.Completed, campaign.Failed} {
		id, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 1))
		f.SetStatus(t, id, st, nil)
		_, err := importer.Append(f.Ctx, f.Pool, id, strings.NewReader(campaigntest.Rows(1, 1)), "US")
		pe := campaigntest.WantProblem(t, err, problem.Conflict)
		if pe.Details["status"] != st {
			t.Errorf("%s: details = %v, want status %s", st, pe.Details, st)
		}
		if n := f.Count(t, `select count(*) from contacts where campaign_id = $1`, id); n != 1 {
			t.Errorf("%s: %d contacts, want 1", st, n)
		}
	}
	for _, st := range []campaign.Status{campaign.Created, campaign.Queued, campaign.Dialing, campaign.Running, campaign.Paused} {
		id, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 1))
		f.SetStatus(t, id, st, nil)
		if _, err := importer.Append(f.Ctx, f.Pool, id, strings.NewReader(campaigntest.Rows(1, 1)), "US"); err != nil {
			t.Errorf("%s: append refused: %v", st, err)
		}
	}
	_, err := importer.Append(f.Ctx, f.Pool, uuid.New(), strings.NewReader(campaigntest.Rows(1, 1)), "US")
	campaigntest.WantProblem(t, err, problem.NotFound)
}

// TestAppendChunkIsAtomic breaks a chunk after more than one insert batch
// went to the database inside its transaction: none of it may remain.
func TestAppendChunkIsAtomic(t *testing.T) {
	t.Parallel()
	f := campaigntest.Setup(t)
	id, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 5))
	chunk := campaigntest.Header + campaigntest.Rows(5, 2500) + fmt.Sprintf("Broken,Biz,%s,\"never closed\n", campaigntest.Phone(9999)) + campaigntest.Rows(2505, 10)
	_, err := importer.Append(f.Ctx, f.Pool, id, strings.NewReader(chunk), "US")
	pe := campaigntest.WantProblem(t, err, problem.Invalid)
	if pe.Details["row"] != 2502 {
		t.Errorf("details = %v, want row 2502", pe.Details)
	}
	if n := f.Count(t, `select count(*) from contacts where campaign_id = $1`, id); n != 5 {
		t.Errorf("contacts = %d after a refused chunk, want 5", n)
	}
	if n := f.Count(t, `select total_contacts from campaigns where id = $1`, id); n != 5 {
		t.Errorf("total_contacts = %d after a refused chunk, want 5", n)
	}
}

// A large chunk keeps every rule: a row repeating a number thousands of
// rows earlier is a duplicate, do-not-call rows are reported by row,
// positions stay dense in file order and a time zone comes with each
// number.
func TestCreateLargeChunk(t *testing.T) {
	t.Parallel()
	f := campaigntest.Setup(t)
	const n = 25_000
	if _, err := f.Pool.Exec(f.Ctx, `insert into dnc (phone) values ($1), ($2)`, campaigntest.Phone(3), campaigntest.Phone(22_000)); err != nil {
		t.Fatal(err)
	}
	csv := campaigntest.Header + campaigntest.Rows(0, n) + campaigntest.Rows(5, 1) + campaigntest.Rows(15_000, 1) // rows n+2 and n+3 repeat earlier rows
	id, rep := f.Create(t, csv)
	want := &importer.Report{Accepted: n - 2, Duplicates: 2, Suppressed: 2, Skipped: []csvimport.Skip{
		{Row: 5, Reason: "on the do-not-call list"},
		{Row: 22_002, Reason: "on the do-not-call list"},
	}, SkippedTotal: 2, SkippedByReason: map[string]int{"on the do-not-call list": 2}}
	for i := range rep.Skipped {
		rep.Skipped[i].Kind = ""
	}
	if !reflect.DeepEqual(rep, want) {
		t.Fatalf("report = %+v, want %+v", rep, want)
	}
	// Position p holds the p-th accepted row of the file.
	bad := f.Count(t, `select count(*) from (
		select position, row_number() over (order by substr(name, 8)::int) as want from contacts where campaign_id = $1
	) s where position <> want`, id)
	if bad != 0 || f.Count(t, `select max(position) from contacts where campaign_id = $1`, id) != n-2 {
		t.Errorf("%d positions out of file order, or not dense", bad)
	}
	if z := f.Count(t, `select count(*) from contacts where campaign_id = $1 and timezones = '{America/New_York}'`, id); z != n-2 {
		t.Errorf("%d contacts have the zone of their number, want %d", z, n-2)
	}
}
