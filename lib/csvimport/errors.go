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
)

// MissingHeadersError reports required columns absent from the header row,
// so the operator can be told exactly what to add.
type MissingHeadersError struct {
	Missing []string // column keys, in the order name, business_name, phone
}

// Error reads like "missing required columns: business_name, phone".
func (e *MissingHeadersError) Error() string {
	return "missing required columns: " + strings.Join(e.Missing, ", ")
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
