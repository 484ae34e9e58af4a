package csvimport

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrEmpty reports an upload with no rows at all.
	ErrEmpty = errors.New("CSV file is empty")
	// ErrNotCSV reports an upload that is not CSV text (binary, UTF-16, or a
	// header that is not UTF-8); wrapped with the detail.
	ErrNotCSV = errors.New("file is not a CSV text file")
	// ErrBadHeader reports a header row that cannot be used (a column twice,
	// too many columns, a huge cell); wrapped with the detail.
	ErrBadHeader = errors.New("invalid header row")
	// ErrBadMapping reports a column mapping that does not fit the file;
	// wrapped with the detail.
	ErrBadMapping = errors.New("invalid column mapping")
)

// MissingHeadersError reports that no column can be the phone, with the
// columns the file has, so the operator can rename one or map it.
type MissingHeadersError struct {
	Missing []string // field names; always "phone" (the only required one)
	Columns []string // the header cells found
}

// Error reads like `no phone column: found "Email", "Company"; expected a
// column named one of phone, phone number, mobile, …`.
func (e *MissingHeadersError) Error() string {
	found := "no named columns"
	if len(e.Columns) > 0 {
		found = "found " + quoteList(e.Columns)
	}
	return fmt.Sprintf("no %s column: %s; expected a column named one of %s (or a mapping naming it)",
		strings.Join(e.Missing, ", "), found, strings.Join(Aliases[FieldPhone], ", "))
}

// AmbiguousError reports fields that several columns could feed (a
// "Phone" and a "Mobile Phone"); a Mapping must choose.
type AmbiguousError struct {
	Candidates map[string][]string // field → the header cells that match it
	Columns    []string            // every header cell found
}

// Error reads like `several columns could be the phone ("Phone", "Mobile"):
// choose one in the column mapping`.
func (e *AmbiguousError) Error() string {
	var parts []string
	for _, f := range fields {
		if c, ok := e.Candidates[f]; ok {
			parts = append(parts, fmt.Sprintf("the %s (%s)", f, quoteList(c)))
		}
	}
	return "several columns could be " + strings.Join(parts, " and ") + ": choose one in the column mapping"
}

// ParseError reports a row after which the file cannot be read reliably (a
// quote that never closes swallows the rest of the file), so the import
// fails naming the row rather than guessing.
type ParseError struct {
	Row int   // spreadsheet row number where the broken row starts
	Err error // what went wrong
}

// Error reads like "row 17: a quoted cell is never closed".
func (e *ParseError) Error() string { return fmt.Sprintf("row %d: %v", e.Row, e.Err) }

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }
