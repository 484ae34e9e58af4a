package csvimport

import (
	"bytes"
	"regexp"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/xlsxtest"
)

var e164 = regexp.MustCompile(`^\+[1-9]\d{6,14}$`)

// FuzzReader checks that no input panics, that every accepted phone is
// E.164, that row numbers only go up and that a Stream yields what Next
// does.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"name,business_name,phone\nAnn,Acme,4155552671\n",
		"\xEF\xBB\xBFname,business_name,phone\r\n\"Lee, Ann\",\"A \"\"B\"\"\",+44 7911 123456\r\n\r\n",
		"sep=;\nname;business_name;phone;x\nAnn;Acme;0049 30 1234567;\"a\nb\"\n",
		"name\tbusiness_name\tphone\nAnn\tAcme\t12\n",
		"name,business_name,phone,\nAnn \"x\" y,Acme,4155552671,,,\n\"Bob\" ,B,2125550123\n\"open,B,1\n",
		"phone,name,business_name\r4155552671,Ann,Acme\r",
	} {
		f.Add([]byte(s), false)
	}
	f.Add([]byte("4155552671,Ann,Acme\nname,business_name,phone\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, headerless bool) {
		var opts Options
		if headerless {
			opts.Columns = []string{"phone", "name", "business_name", "extra"}
		}
		checkRows(t, data, opts)
		sameAsNext(t, data, opts, 2)
	})
}

// FuzzXLSX checks that no workbook panics or hangs the reader, and that
// rows from a sheet keep the reader's guarantees (E.164 phones, rising
// row numbers).
func FuzzXLSX(f *testing.F) {
	f.Add(xlsxtest.Build([][]any{{"First Name", "Last Name", "Mobile Phone", "Time Zone"}, {"Ann", "Lee", 4155552671, "America/Chicago"}, {}, {"Bob", nil, "12", "Mars"}}))
	f.Add(xlsxtest.Build([][]any{{"phone", "x"}, {1.4155552671e10, true}, {"+44 20 7946 0958", 2.5}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRows(t, data, Options{})
	})
}

// FuzzMapping checks header matching against any header line and mapping:
// an accepted mapping names columns the header has, and rows read.
func FuzzMapping(f *testing.F) {
	f.Add("First Name,Last Name,Phone,Mobile\n", `{"phone":"Mobile","name":["First Name","Last Name"]}`)
	f.Add("Name,Phone,Phone Number\n", `{"phone":["Phone Number"]}`)
	f.Add("tz,cell,company\n", `{"timezone":[]}`)
	f.Add("a,b\n", `{"phone":"b","business_name":null}`)
	f.Fuzz(func(t *testing.T, header, mapping string) {
		m, err := ParseMapping(mapping)
		if err != nil {
			return
		}
		checkRows(t, []byte(header+"Ann,Lee,4155552671,2125550123,Acme\n"), Options{Mapping: m})
	})
}

// checkRows reads data to the end, failing on a non-E.164 phone, a bad
// zone or a row number that does not rise.
func checkRows(t *testing.T, data []byte, opts Options) {
	rd, err := NewReader(bytes.NewReader(data), opts)
	if err != nil {
		return
	}
	last := 0
	for n := 0; n <= len(data)+1; n++ {
		row, skip, err := rd.Next()
		if err != nil {
			return
		}
		line := row.Line
		if skip != nil {
			line = skip.Row
		} else if !e164.MatchString(row.Phone) {
			t.Fatalf("row %d: phone %q is not E.164", row.Line, row.Phone)
		} else if row.TimeZone != "" {
			if _, err := time.LoadLocation(row.TimeZone); err != nil {
				t.Fatalf("row %d: zone %q: %v", row.Line, row.TimeZone, err)
			}
		}
		if line <= last {
			t.Fatalf("row number %d after %d", line, last)
		}
		last = line
	}
	t.Fatalf("more rows than input bytes")
}
