package csvimport

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/dev/xlsxtest"
)

// TestColumnAliases reads CRM-style headers: aliases in any case, spacing
// and punctuation, a first and a last name joined, a time zone column,
// and every other column kept as a variable.
func TestColumnAliases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []Row
	}{
		{
			name: "first and last name, company, mobile phone, time zone",
			in: "First Name,Last Name,Company,Mobile Phone,Time Zone,Email\n" +
				"Ann,Lee,Acme,(415) 555-2671,America/Chicago,ann@acme.test\n" +
				"Bob,,Bobco,212-555-0123,,\n",
			want: []Row{
				{Line: 2, Name: "Ann Lee", BusinessName: "Acme", Phone: ann, TimeZone: "America/Chicago", Variables: map[string]string{"email": "ann@acme.test"}},
				{Line: 3, Name: "Bob", BusinessName: "Bobco", Phone: bob, Variables: map[string]string{"email": ""}},
			},
		},
		{
			name: "spacing and punctuation ignored",
			in:   "CONTACT-NAME, organization ,Phone_Number,tz\nAnn,Acme,4155552671,Europe/Paris\n",
			want: []Row{{Line: 2, Name: "Ann", BusinessName: "Acme", Phone: ann, TimeZone: "Europe/Paris"}},
		},
		{
			name: "phone alone is enough",
			in:   "Telephone\n4155552671\n",
			want: []Row{{Line: 2, Phone: ann}},
		},
		{
			name: "full name and account name",
			in:   "Full Name,Account Name,Tel,time_zone\nAnn Lee,Acme,4155552671,\n",
			want: []Row{{Line: 2, Name: "Ann Lee", BusinessName: "Acme", Phone: ann}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := readAll(t, strings.NewReader(tt.in), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Rows, tt.want) || len(got.Skips) > 0 {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestAmbiguousColumnsNeedMapping: two candidate phone columns refuse the
// file until a mapping chooses; the mapping then wins over the aliases.
func TestAmbiguousColumnsNeedMapping(t *testing.T) {
	t.Parallel()
	in := "Name,Phone,Mobile Phone,Company\nAnn,2125550123,4155552671,Acme\n"
	_, err := NewReader(strings.NewReader(in), Options{})
	var amb *AmbiguousError
	if !errors.As(err, &amb) || !reflect.DeepEqual(amb.Candidates, map[string][]string{"phone": {"Phone", "Mobile Phone"}}) {
		t.Fatalf("error = %v, want phone ambiguous between Phone and Mobile Phone", err)
	}
	if want := `several columns could be the phone ("Phone", "Mobile Phone"): choose one in the column mapping`; err.Error() != want {
		t.Errorf("message = %q", err.Error())
	}
	m, err := ParseMapping(`{"phone":"mobile phone","business_name":[]}`)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := NewReader(strings.NewReader(in), Options{Mapping: m})
	if err != nil {
		t.Fatal(err)
	}
	row, skip, err := rd.Next()
	want := Row{Line: 2, Name: "Ann", Phone: ann, Zones: []string{"America/Los_Angeles"},
		Variables: map[string]string{"phone": "2125550123", "company": "Acme"}}
	if err != nil || skip != nil || !reflect.DeepEqual(row, want) {
		t.Errorf("row = %+v %v %v, want %+v", row, skip, err, want)
	}
	if got := rd.Mapping(); !reflect.DeepEqual(got, Mapping{"name": {"Name"}, "phone": {"Mobile Phone"}}) {
		t.Errorf("Mapping() = %v", got)
	}
}

func TestMappingRefused(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		`[1]`:                        `invalid column mapping: it must be a JSON object such as {"phone":"Mobile Phone"}`,
		`{"email":"Email"}`:          `invalid column mapping: unknown field "email" (fields: name, business_name, phone, timezone)`,
		`{"phone":7}`:                `invalid column mapping: phone must be a column name or a list of them`,
		`{"phone":"Cell"}`:           `invalid column mapping: the file has no column "Cell" (columns: "Name", "Phone")`,
		`{"phone":["Name","Phone"]}`: `invalid column mapping: the mapping gives one field several columns; only name may join several`,
	} {
		m, err := ParseMapping(text)
		if err == nil {
			_, err = NewReader(strings.NewReader("Name,Phone\nAnn,4155552671\n"), Options{Mapping: m})
		}
		if !errors.Is(err, ErrBadMapping) || err.Error() != want {
			t.Errorf("%s: error = %v\nwant %s", text, err, want)
		}
	}
}

// TestTimeZoneColumn: a valid IANA zone is the contact's; anything else
// skips the row with a reason naming the cell.
func TestTimeZoneColumn(t *testing.T) {
	t.Parallel()
	in := "name,phone,timezone\nAnn,4155552671,America/Denver\nBob,2125550123,Eastern\nCy,2125550124,Local\nDi,2125550125,../../etc/passwd\n"
	got, err := readAll(t, strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != 1 || got.Rows[0].TimeZone != "America/Denver" {
		t.Errorf("rows = %+v", got.Rows)
	}
	want := []Skip{
		{Row: 3, Reason: `invalid time zone "Eastern": use an IANA zone name such as America/New_York`},
		{Row: 4, Reason: `invalid time zone "Local": use an IANA zone name such as America/New_York`},
		{Row: 5, Reason: `invalid time zone "../../etc/passwd": use an IANA zone name such as America/New_York`},
	}
	if !reflect.DeepEqual(got.Skips, want) {
		t.Errorf("skips = %+v\nwant %+v", got.Skips, want)
	}
}

func TestSkipKinds(t *testing.T) {
	t.Parallel()
	in := "name,phone,tz,x\nA,12,,\nB,,,\nC,4155552671,Mars/Base,\nD,4155552671,,,extra\n"
	rd, err := NewReader(strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for {
		_, skip, err := rd.Next()
		if err != nil {
			break
		}
		kinds = append(kinds, skip.Kind)
	}
	want := []string{"invalid phone number", "phone is empty", "invalid time zone", "unreadable row"}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("kinds = %q, want %q", kinds, want)
	}
}

// TestLaterChunkRepeatingAliasHeader: a later chunk that repeats a CRM
// header is read with it, not as a data row.
func TestLaterChunkRepeatingAliasHeader(t *testing.T) {
	t.Parallel()
	first, err := NewReader(strings.NewReader("First Name,Mobile Phone\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, strings.NewReader("First Name,Mobile Phone\nAnn,4155552671\n"),
		Options{Columns: first.Columns(), Mapping: first.Mapping()})
	if err != nil || !reflect.DeepEqual(got.Rows, []Row{{Line: 2, Name: "Ann", Phone: ann}}) {
		t.Errorf("got %+v, %v", got, err)
	}
}

// TestXLSXReadsLikeItsCSV: a workbook's first sheet gives the same rows,
// skips and row numbers as the same sheet saved as CSV, including rows
// Excel leaves out of the file and phones typed as numbers.
func TestXLSXReadsLikeItsCSV(t *testing.T) {
	t.Parallel()
	sheet := [][]any{
		{"First Name", "Last Name", "Company", "Mobile Phone", "Time Zone", "Customer"},
		{"Ann", "Lee", "Acme", "(415) 555-2671", "America/Chicago", true},
		{},
		{"Bob", nil, "Bobco", 2125550123, nil, false},
		{"Cy", "Hill", "Hill Farm", 12, nil},
		{"Di", "Fox", "Fox & Co", 1.4155552672e10, "Eastern"},
		{"Ed", "Kay", "Kay, Inc", "+44 20 7946 0958", "Europe/London", 3.5},
	}
	csv := "First Name,Last Name,Company,Mobile Phone,Time Zone,Customer\n" +
		"Ann,Lee,Acme,(415) 555-2671,America/Chicago,TRUE\n" +
		"\n" +
		"Bob,,Bobco,2125550123,,FALSE\n" +
		"Cy,Hill,Hill Farm,12,,\n" +
		"Di,Fox,Fox & Co,14155552672,Eastern,\n" +
		"Ed,Kay,\"Kay, Inc\",+44 20 7946 0958,Europe/London,3.5\n"
	fromCSV, err := readAll(t, strings.NewReader(csv), Options{})
	if err != nil {
		t.Fatal(err)
	}
	fromXLSX, err := readAll(t, bytes.NewReader(xlsxtest.Build(sheet)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromXLSX, fromCSV) {
		t.Errorf("xlsx %+v\ncsv  %+v", fromXLSX, fromCSV)
	}
	if len(fromCSV.Rows) != 3 || fromCSV.Rows[1].Line != 4 || len(fromCSV.Skips) != 2 || fromCSV.Skips[1].Row != 6 {
		t.Errorf("unexpected reading of the sheet: %+v", fromCSV)
	}
}

func TestXLSXRefused(t *testing.T) {
	t.Parallel()
	good := xlsxtest.Build([][]any{{"phone"}, {"4155552671"}})
	for name, data := range map[string][]byte{
		"truncated": good[:len(good)/2],
		"no sheet":  []byte("PK\x05\x06" + strings.Repeat("\x00", 18)),
	} {
		_, err := readAll(t, bytes.NewReader(data), Options{})
		if err == nil || !errors.Is(err, ErrNotXLSX) && !errors.Is(err, ErrNotCSV) {
			t.Errorf("%s: error = %v, want a refusal", name, err)
		}
	}
}
