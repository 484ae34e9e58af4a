package csvimport

import (
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/lib/phone"
)

// result is everything a file yields, in order.
type result struct {
	Rows  []Row
	Skips []Skip
}

// readAll reads r to the end.
func readAll(t *testing.T, r io.Reader, opts Options) (result, error) {
	t.Helper()
	rd, err := NewReader(r, opts)
	if err != nil {
		return result{}, err
	}
	var res result
	for {
		row, skip, err := rd.Next()
		switch {
		case err == io.EOF:
			return res, nil
		case err != nil:
			return res, err
		case skip != nil:
			if skip.Kind == "" {
				t.Errorf("row %d: skip %q has no kind", skip.Row, skip.Reason)
			}
			skip.Kind = "" // tested on its own
			res.Skips = append(res.Skips, *skip)
		default:
			// Read with the number, the zones are those of its E.164 form.
			if want := phone.TimeZones(row.Phone); !slices.Equal(row.Zones, want) {
				t.Errorf("row %d: zones %v, want %v", row.Line, row.Zones, want)
			}
			row.Zones = nil
			res.Rows = append(res.Rows, row)
		}
	}
}

const (
	ann = "+14155552671"
	bob = "+12125550123"
)

func TestReaderQuirks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		opts  Options
		rows  []Row
		skips []Skip
	}{
		{
			name: "plain LF",
			in:   "name,business_name,phone\nAnn,Acme,(415) 555-2671\nBob,Bobco,212-555-0123\n",
			rows: []Row{{Line: 2, Name: "Ann", BusinessName: "Acme", Phone: ann}, {Line: 3, Name: "Bob", BusinessName: "Bobco", Phone: bob}},
		},
		{
			name: "BOM, CRLF, no final newline",
			in:   "\xEF\xBB\xBFname,business_name,phone\r\nAnn,Acme,4155552671\r\nBob,Bobco,2125550123",
			rows: []Row{{Line: 2, Name: "Ann", BusinessName: "Acme", Phone: ann}, {Line: 3, Name: "Bob", BusinessName: "Bobco", Phone: bob}},
		},
		{
			name: "old Mac CR line ends",
			in:   "name,business_name,phone\rAnn,Acme,4155552671\rBob,Bobco,2125550123\r",
			rows: []Row{{Line: 2, Name: "Ann", BusinessName: "Acme", Phone: ann}, {Line: 3, Name: "Bob", BusinessName: "Bobco", Phone: bob}},
		},
		{
			name: "header case, order, spaces, dashes",
			in:   " Phone , NAME,Business-Name\n4155552671,Ann,Acme\n",
			rows: []Row{{Line: 2, Name: "Ann", BusinessName: "Acme", Phone: ann}},
		},
		{
			name: "extra columns become variables",
			in:   "name,Business Name,phone,Lead Source,E-mail\nAnn,Acme,4155552671,Web,ann@acme.test\nBob,Bobco,2125550123,,\n",
			rows: []Row{
				{Line: 2, Name: "Ann", BusinessName: "Acme", Phone: ann, Variables: map[string]string{"lead_source": "Web", "e_mail": "ann@acme.test"}},
				{Line: 3, Name: "Bob", BusinessName: "Bobco", Phone: bob, Variables: map[string]string{"lead_source": "", "e_mail": ""}},
			},
		},
		{
			name: "quoted commas, quotes and newlines; multi-line cell is one row",
			in:   "name,business_name,phone,notes\n\"Lee, Ann\",\"Acme \"\"Best\"\" Inc\",4155552671,\"line one\r\nline two\"\nBob,Bobco,2125550123,x\n",
			rows: []Row{
				{Line: 2, Name: "Lee, Ann", BusinessName: `Acme "Best" Inc`, Phone: ann, Variables: map[string]string{"notes": "line one\nline two"}},
				{Line: 3, Name: "Bob", BusinessName: "Bobco", Phone: bob, Variables: map[string]string{"notes": "x"}},
			},
		},
		{
			name: "blank and empty rows are skipped silently but counted",
			in:   "\nname,business_name,phone\n\nAnn,Acme,4155552671\n  \n,,\n\"\",,\nBob,Bobco,2125550123\n\n\n",
			rows: []Row{{Line: 4, Name: "Ann", BusinessName: "Acme", Phone: ann}, {Line: 8, Name: "Bob", BusinessName: "Bobco", Phone: bob}},
		},
		{
			name: "surrounding spaces trimmed, quoted or not",
			in:   "name,business_name,phone\n  Ann  ,\" Acme \" , 415 555 2671 \n",
			rows: []Row{{Line: 2, Name: "Ann", BusinessName: "Acme", Phone: ann}},
		},
		{
			name: "Excel sep= line is not a row",
			in:   "sep=;\r\nname;business_name;phone\r\nAnn;Acme, Inc;4155552671\r\n",
			rows: []Row{{Line: 2, Name: "Ann", BusinessName: "Acme, Inc", Phone: ann}},
		},
		{
			name: "semicolons detected",
			in:   "name;business_name;phone\nLee, Ann;Acme;4155552671\n",
			rows: []Row{{Line: 2, Name: "Lee, Ann", BusinessName: "Acme", Phone: ann}},
		},
		{
			name: "tabs detected",
			in:   "name\tbusiness_name\tphone\nAnn\tAcme, Inc\t4155552671\n",
			rows: []Row{{Line: 2, Name: "Ann", BusinessName: "Acme, Inc", Phone: ann}},
		},
		{
			name: "trailing empty header column",
			in:   "name,business_name,phone,\nAnn,Acme,4155552671,\nBob,Bobco,2125550123\n",
			rows: []Row{{Line: 2, Name: "Ann", BusinessName: "Acme", Phone: ann}, {Line: 3, Name: "Bob", BusinessName: "Bobco", Phone: bob}},
		},
		{
			name: "short rows: missing cells are empty",
			in:   "name,business_name,phone\nAnn,Acme\n4155552671\n,,2125550123\n",
			rows: []Row{{Line: 4, Phone: bob}},
			skips: []Skip{
				{Row: 2, Reason: "phone is empty"},
				{Row: 3, Reason: "phone is empty"},
			},
		},
		{
			name:  "long rows: trailing empty cells ignored, extra text refused",
			in:    "name,business_name,phone\nAnn,Acme,4155552671,,\nLee, Ann,Acme,4155552671\n",
			rows:  []Row{{Line: 2, Name: "Ann", BusinessName: "Acme", Phone: ann}},
			skips: []Skip{{Row: 3, Reason: "row has 4 columns, header has 3"}},
		},
		{
			name: "stray quotes kept as text",
			in:   "name,business_name,phone\nAnn \"The Boss\" Lee,Acme,4155552671\n\"Bob \"B\" Ray\",Bobco,2125550123\n\"Cy\" ,Cyco,2125550123\n",
			rows: []Row{
				{Line: 2, Name: `Ann "The Boss" Lee`, BusinessName: "Acme", Phone: ann},
				{Line: 3, Name: `Bob "B" Ray`, BusinessName: "Bobco", Phone: bob},
				{Line: 4, Name: "Cy", BusinessName: "Cyco", Phone: bob},
			},
		},
		{
			name: "invalid phones skipped with the cell quoted",
			in:   "name,business_name,phone\nAnn,Acme,12\nBob,Bobco,555-555-5555\nCy,Cyco,call me\n",
			skips: []Skip{
				{Row: 2, Reason: `invalid phone number: "12"`},
				{Row: 3, Reason: `invalid phone number: "555-555-5555" (not a valid number for region US)`},
				{Row: 4, Reason: `invalid phone number: "call me"`},
			},
		},
		{
			name: "in-file duplicates are kept for the database to count",
			in:   "name,business_name,phone\nAnn,Acme,4155552671\nAnn again,Acme,+1 415 555 2671\n",
			rows: []Row{{Line: 2, Name: "Ann", BusinessName: "Acme", Phone: ann}, {Line: 3, Name: "Ann again", BusinessName: "Acme", Phone: ann}},
		},
		{
			name: "name and business name may be empty",
			in:   "name,business_name,phone\n,,4155552671\n",
			rows: []Row{{Line: 2, Phone: ann}},
		},
		{
			name: "default region",
			in:   "name,business_name,phone\nAnn,Acme,07911 123456\nBob,Bobco,+1 212 555 0123\n",
			opts: Options{DefaultRegion: "gb"},
			rows: []Row{{Line: 2, Name: "Ann", BusinessName: "Acme", Phone: "+447911123456"}, {Line: 3, Name: "Bob", BusinessName: "Bobco", Phone: bob}},
		},
		{
			name:  "invalid UTF-8 row skipped",
			in:    "name,business_name,phone\nJos\xe9,Acme,4155552671\nBob,Bobco,2125550123\n",
			rows:  []Row{{Line: 3, Name: "Bob", BusinessName: "Bobco", Phone: bob}},
			skips: []Skip{{Row: 2, Reason: `row is not UTF-8 text (save the file as "CSV UTF-8")`}},
		},
		{
			name:  "oversized cell skips its row only",
			in:    "name,business_name,phone\nAnn,\"" + strings.Repeat("x\n", maxField) + "\",4155552671\nBob,Bobco,2125550123\n",
			rows:  []Row{{Line: 3, Name: "Bob", BusinessName: "Bobco", Phone: bob}},
			skips: []Skip{{Row: 2, Reason: "column 2 is longer than 10 KB"}},
		},
		{
			name:  "thousands of cells skip their row only",
			in:    "name,business_name,phone\n" + strings.Repeat("x,", 5000) + "\nBob,Bobco,2125550123\n",
			rows:  []Row{{Line: 3, Name: "Bob", BusinessName: "Bobco", Phone: bob}},
			skips: []Skip{{Row: 2, Reason: "row has 5000 columns, header has 3"}},
		},
		{
			name: "header only",
			in:   "name,business_name,phone\r\n",
		},
		{
			name: "later chunk without header uses earlier columns",
			in:   "4155552671,Ann,Acme,Web\n2125550123,Bob,Bobco,\n",
			opts: Options{Columns: []string{"phone", "name", "business_name", "lead_source"}},
			rows: []Row{
				{Line: 1, Name: "Ann", BusinessName: "Acme", Phone: ann, Variables: map[string]string{"lead_source": "Web"}},
				{Line: 2, Name: "Bob", BusinessName: "Bobco", Phone: bob, Variables: map[string]string{"lead_source": ""}},
			},
		},
		{
			name: "later chunk repeating the header",
			in:   "Name,Business Name,Phone\nAnn,Acme,4155552671\n",
			opts: Options{Columns: []string{"phone", "name", "business_name", "lead_source"}},
			rows: []Row{{Line: 2, Name: "Ann", BusinessName: "Acme", Phone: ann}},
		},
		{
			name:  "later chunk whose first row is bad data",
			in:    "Ann,Acme,12\nBob,Bobco,2125550123\n",
			opts:  Options{Columns: []string{"name", "business_name", "phone"}},
			rows:  []Row{{Line: 2, Name: "Bob", BusinessName: "Bobco", Phone: bob}},
			skips: []Skip{{Row: 1, Reason: `invalid phone number: "12"`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := readAll(t, strings.NewReader(tt.in), tt.opts)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			want := result{Rows: tt.rows, Skips: tt.skips}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestReaderRefusesFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		opts Options
		is   error
		msg  string
	}{
		{"empty body", "", Options{}, ErrEmpty, "CSV file is empty"},
		{"BOM only", "\xEF\xBB\xBF", Options{}, ErrEmpty, "CSV file is empty"},
		{"blank lines only", "\r\n\r\n , ,\r\n", Options{}, ErrEmpty, "CSV file is empty"},
		{"sep line only", "sep=;\r\n", Options{}, ErrEmpty, "CSV file is empty"},
		{"binary", "GIF89a\x00\x06\x00name,phone", Options{}, ErrNotCSV, "file is not a CSV text file: it contains binary data"},
		{"zip that is not a workbook", "PK\x03\x04\x14\x00\x06\x00name,phone", Options{}, ErrNotXLSX, "file is not a readable .xlsx workbook: zip: not a valid zip file"},
		{"UTF-16", "\xFF\xFEn\x00a\x00", Options{}, ErrNotCSV, `file is not a CSV text file: it is UTF-16 text (save it as "CSV UTF-8")`},
		{"header not UTF-8", "n\xe9m,business_name,phone\n", Options{}, ErrNotCSV, "file is not a CSV text file: the header row is not UTF-8 text"},
		{"column twice", "name,business_name,phone,Phone \n", Options{}, ErrBadHeader, `invalid header row: column "phone" appears twice`},
		{"too many columns", "name,business_name,phone" + strings.Repeat(",x", maxFields) + "\n", Options{}, ErrBadHeader, "invalid header row: more than 200 columns"},
		{"huge header cell", "name,business_name,phone," + strings.Repeat("x", maxField+1) + "\n", Options{}, ErrBadHeader, "invalid header row: column 4 is longer than 10 KB"},
		{"unknown region", "name,business_name,phone\n", Options{DefaultRegion: "XX"}, phone.ErrUnknownRegion, `check default region: unknown phone region: "XX"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := readAll(t, strings.NewReader(tt.in), tt.opts)
			if !errors.Is(err, tt.is) || err.Error() != tt.msg {
				t.Errorf("error = %v, want %q", err, tt.msg)
			}
		})
	}
}

func TestReaderMissingHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		opts    Options
		columns []string
	}{
		{"Name,Email,Company\nAnn,ann@acme.test,Acme\n", Options{}, []string{"Name", "Email", "Company"}},
		{"Ann,Acme,4155552671\n", Options{}, []string{"Ann", "Acme", "4155552671"}},
		{"Ann,Acme,4155552671\n", Options{Columns: []string{"name", "company"}}, []string{"name", "company"}},
	}
	for _, tt := range tests {
		_, err := readAll(t, strings.NewReader(tt.in), tt.opts)
		var mh *MissingHeadersError
		if !errors.As(err, &mh) || !slices.Equal(mh.Missing, []string{"phone"}) || !slices.Equal(mh.Columns, tt.columns) {
			t.Errorf("%q: error = %#v, want phone missing among %q", tt.in, err, tt.columns)
		}
	}
	err := &MissingHeadersError{Missing: []string{"phone"}, Columns: []string{"Email", "Company"}}
	want := `no phone column: found "Email", "Company"; expected a column named one of ` +
		"phone, phone number, mobile, mobile phone, cell, tel, telephone, number (or a mapping naming it)"
	if got := err.Error(); got != want {
		t.Errorf("message = %q\nwant      %q", got, want)
	}
}

func TestReaderUnclosedQuoteNamesRow(t *testing.T) {
	t.Parallel()
	in := "name,business_name,phone\nAnn,Acme,4155552671\n\"Bob,Bobco,2125550123\nCy,Cyco,2125550123\n"
	got, err := readAll(t, strings.NewReader(in), Options{})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Row != 3 || err.Error() != "row 3: a quoted cell is never closed" {
		t.Fatalf("error = %v, want a ParseError at row 3", err)
	}
	if len(got.Rows) != 1 {
		t.Errorf("rows before the broken one = %d, want 1", len(got.Rows))
	}
}

func TestReaderColumns(t *testing.T) {
	t.Parallel()
	rd, err := NewReader(strings.NewReader("Phone,,Name,Business Name,Lead Source,\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"phone", "", "name", "business_name", "lead_source"}
	if got := rd.Columns(); !slices.Equal(got, want) {
		t.Errorf("Columns() = %q, want %q", got, want)
	}
	if _, _, err := rd.Next(); err != io.EOF {
		t.Errorf("Next on a header-only file = %v, want io.EOF", err)
	}
}

func TestColumnKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"name": "name", " Business Name ": "business_name", "Business-Name": "business_name",
		"BUSINESS__NAME": "business_name", "Lead Source (2)": "lead_source_2", "Prénom": "prénom",
		"#": "", "": "", "phone.number": "phone_number",
	} {
		if got := columnKey(in); got != want {
			t.Errorf("columnKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReaderBoundsMemory feeds a hostile file — a 5 MB cell whose quote
// never closes, after a row of a million cells — and checks the buffers
// never grew past the limits.
func TestReaderBoundsMemory(t *testing.T) {
	t.Parallel()
	in := io.MultiReader(
		strings.NewReader("name,business_name,phone\n"),
		io.LimitReader(repeatReader(','), 1<<20),
		strings.NewReader("x\n\""),
		io.LimitReader(repeatReader('x'), 5<<20),
	)
	rd, err := NewReader(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, skip, err := rd.Next()
	if skip == nil || skip.Reason != "row has 1048577 columns, header has 3" {
		t.Errorf("wide row: skip = %+v, err = %v", skip, err)
	}
	_, _, err = rd.Next()
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Row != 3 {
		t.Errorf("endless cell: error = %v, want ParseError at row 3", err)
	}
	if c := cap(rd.src.(*scanner).buf); c > 2*maxField {
		t.Errorf("cell buffer grew to %d bytes", c)
	}
	if c := cap(rd.src.(*scanner).ends); c > 2*maxFields {
		t.Errorf("cell index grew to %d entries", c)
	}
}

// repeatReader is an endless stream of one byte.
type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}
