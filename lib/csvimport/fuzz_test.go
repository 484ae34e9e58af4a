package csvimport

import (
	"bytes"
	"io"
	"regexp"
	"testing"
)

var e164 = regexp.MustCompile(`^\+[1-9]\d{6,14}$`)

// FuzzReader checks that no input panics, that every accepted phone is
// E.164 and that row numbers only go up.
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
		rd, err := NewReader(bytes.NewReader(data), opts)
		if err != nil {
			return
		}
		last := 0
		for n := 0; n <= len(data)+1; n++ {
			row, skip, err := rd.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				return
			}
			line := row.Line
			if skip != nil {
				line = skip.Row
			} else if !e164.MatchString(row.Phone) {
				t.Fatalf("row %d: phone %q is not E.164", row.Line, row.Phone)
			}
			if line <= last {
				t.Fatalf("row number %d after %d", line, last)
			}
			last = line
		}
		t.Fatalf("more rows than input bytes")
	})
}
