package csvimport

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestRealisticFiles reads exports shaped like the ones operators upload,
// each with the rows and skips a person would expect.
func TestRealisticFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		opts Options
		want result
	}{
		{
			file: "hubspot_export.csv", // BOM, CRLF, every cell quoted, extra columns
			want: result{
				Rows: []Row{
					{Line: 2, Name: "Ann Lee", BusinessName: "Acme Corp", Phone: "+14155552671", Variables: map[string]string{
						"record_id": "1001", "email": "ann@acme.test", "lifecycle_stage": "lead", "create_date": "2024-03-01 10:00"}},
					{Line: 3, Name: "Bob Ray", BusinessName: "Ray & Sons, LLC", Phone: "+12125550123", Variables: map[string]string{
						"record_id": "1002", "email": "bob@ray.test", "lifecycle_stage": "customer", "create_date": "2024-03-02 11:30"}},
					{Line: 4, Name: "Chloé Martin", BusinessName: "Café Lumière", Phone: "+33123456789", Variables: map[string]string{
						"record_id": "1003", "email": "", "lifecycle_stage": "lead", "create_date": "2024-03-03 09:15"}},
					{Line: 7, Name: "Ann Lee (2nd contact)", BusinessName: "Acme Corp", Phone: "+14155552671", Variables: map[string]string{
						"record_id": "1006", "email": "ann2@acme.test", "lifecycle_stage": "lead", "create_date": "2024-03-06 13:45"}},
				},
				Skips: []Skip{
					{Row: 5, Reason: "phone is empty"},
					{Row: 6, Reason: `invalid phone number: "4.15555E+09"`},
				},
			},
		},
		{
			file: "excel_semicolon.csv", // sep=; line, CRLF, trailing ";", decimal commas
			want: result{
				Rows: []Row{
					{Line: 2, Name: "Jürgen Müller", BusinessName: "Müller GmbH", Phone: "+49301234567", Variables: map[string]string{"city": "Berlin", "discount": "12,5"}},
					{Line: 3, Name: "Chloé Martin", BusinessName: "Café Lumière", Phone: "+33123456789", Variables: map[string]string{"city": "Paris", "discount": "7,0"}},
					{Line: 4, Name: "Smith; Jane", BusinessName: "Smith, Jones & Co", Phone: "+442079460958", Variables: map[string]string{"city": "London", "discount": ""}},
					{Line: 5, Name: "Raj Patel", BusinessName: "Patel Traders", Phone: "+919876543210", Variables: map[string]string{"city": "Mumbai", "discount": ""}},
				},
				Skips: []Skip{{Row: 6, Reason: "phone is empty"}},
			},
		},
		{
			file: "messy.csv", // blank lines, multi-line cell, stray quotes, bad phones, long row
			want: result{
				Rows: []Row{
					{Line: 3, Name: "Ann Lee", BusinessName: "Acme", Phone: "+14155552671", Variables: map[string]string{"notes": "Met at the expo,\nwants a call \"after 3pm\""}},
					{Line: 5, Name: "Lee, Bob", BusinessName: "Bobco", Phone: "+12125550123", Variables: map[string]string{"notes": ""}},
					{Line: 10, Name: `Fay "Red" Hill`, BusinessName: "Hill Farm", Phone: "+447911123456", Variables: map[string]string{"notes": "stray quotes kept"}},
					{Line: 12, Name: "Hal Kent", BusinessName: "Kent Inc", Phone: "+14155552671", Variables: map[string]string{"notes": "space after quote"}},
				},
				Skips: []Skip{
					{Row: 6, Reason: `invalid phone number: "12"`},
					{Row: 7, Reason: "phone is empty"},
					{Row: 9, Reason: `invalid phone number: "555-555-5555" (not a valid number for region US)`},
					{Row: 11, Reason: "row has 6 columns, header has 4"},
				},
			},
		},
		{
			file: "headerless_chunk.csv", // a later chunk of a split file
			opts: Options{Columns: []string{"name", "business_name", "phone", "lead_source"}},
			want: result{
				Rows:  []Row{{Line: 1, Name: "Kim Park", BusinessName: "Park Co", Phone: "+12125550123", Variables: map[string]string{"lead_source": "Referral"}}},
				Skips: []Skip{{Row: 2, Reason: `invalid phone number: "555"`}},
			},
		},
		{
			file: "google_sheets.tsv", // tab-separated, commas and quotes in cells
			want: result{
				Rows: []Row{
					{Line: 2, Name: "Mia Chen", BusinessName: "Chen, Wu & Partners", Phone: "+14155552671", Variables: map[string]string{"last_order": "2024-01-31"}},
					{Line: 3, Name: "Ned Fox", BusinessName: `Fox "Bros"`, Phone: "+12125550123", Variables: map[string]string{"last_order": ""}},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got, err := readAll(t, openTestdata(t, tt.file), tt.opts)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestAliasHeaderFile reads a file whose header uses aliases.
func TestAliasHeaderFile(t *testing.T) {
	t.Parallel()
	got, err := readAll(t, openTestdata(t, "alias_header.csv"), Options{})
	want := result{Rows: []Row{{Line: 2, Name: "Ann Lee", BusinessName: "Acme", Phone: "+14155552671"}}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
}

// openTestdata opens a file under testdata, closed at cleanup.
func openTestdata(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}
