package csvimport

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/autolynx/autolynx/lib/phone"
)

// bufSize is the read buffer; the delimiter is guessed from the header line
// within it.
const bufSize = 16 << 10

// Options configure a Reader.
type Options struct {
	// DefaultRegion is the ISO region numbers without a country code are
	// read in; empty means phone.DefaultRegion ("US").
	DefaultRegion string
	// Columns is the header of an earlier chunk of the same list (raw cells
	// or Reader.Columns). When set, a chunk whose first row is not a header
	// is read with these columns.
	Columns []string
}

// Row is one importable contact.
type Row struct {
	Line         int    // spreadsheet row number (header = 1)
	Name         string // may be empty
	BusinessName string // may be empty
	Phone        string // E.164
	// Variables holds the extra columns keyed by column key (snake_case);
	// nil when the file has none.
	Variables map[string]string
}

// Skip is a row that was not imported and why, for the import report.
type Skip struct {
	Row    int    `json:"row"`
	Reason string `json:"reason"`
}

// Reader streams contacts out of a CSV file.
type Reader struct {
	sc      scanner
	region  string
	h       header
	pending bool // sc.rec holds a data row read while looking for the header
}

// NewReader reads up to the header row and checks it. Errors: ErrEmpty,
// ErrNotCSV, ErrBadHeader, *MissingHeadersError, phone.ErrUnknownRegion, or
// a read error of r.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	if err := phone.CheckRegion(opts.DefaultRegion); err != nil {
		return nil, fmt.Errorf("check default region: %w", err)
	}
	br := bufio.NewReaderSize(r, bufSize)
	comma, err := prelude(br)
	if err != nil {
		return nil, err
	}
	rd := &Reader{sc: scanner{br: br, comma: comma}, region: opts.DefaultRegion}
	if err := rd.readHeader(opts.Columns); err != nil {
		return nil, err
	}
	return rd, nil
}

// readHeader finds the first non-blank row and decides whether it is the
// header or, for a later chunk, the first data row.
func (r *Reader) readHeader(columns []string) error {
	if err := r.nextRecord(); err == io.EOF {
		return ErrEmpty
	} else if err != nil {
		return err
	}
	rec := &r.sc.rec
	if columns != nil && !(rec.valid && looksLikeHeader(rec.fields)) {
		r.pending = true
		return r.useHeader(columns)
	}
	switch {
	case !rec.valid:
		return fmt.Errorf("%w: the header row is not UTF-8 text", ErrNotCSV)
	case rec.long > 0:
		return fmt.Errorf("%w: column %d is longer than %d KB", ErrBadHeader, rec.long, maxField>>10)
	case rec.width > maxFields:
		return fmt.Errorf("%w: more than %d columns", ErrBadHeader, maxFields)
	}
	return r.useHeader(rec.fields)
}

// useHeader sets the column mapping.
func (r *Reader) useHeader(cells []string) error {
	h, err := parseHeader(cells)
	if err != nil {
		return err
	}
	r.h = h
	return nil
}

// Columns returns the column keys in file order ("" for an unnamed column),
// to pass as Options.Columns when reading a later chunk.
func (r *Reader) Columns() []string {
	return append([]string(nil), r.h.cols...)
}

// Next returns the next contact, or a Skip for a row that cannot be imported
// (Row is then zero). It returns io.EOF after the last row and a
// *ParseError when the rest of the file cannot be read. Blank rows are
// passed over silently but still count in row numbers.
func (r *Reader) Next() (Row, *Skip, error) {
	if !r.pending {
		if err := r.nextRecord(); err != nil {
			return Row{}, nil, err
		}
	}
	r.pending = false
	row, reason := r.contact(&r.sc.rec)
	if reason != "" {
		return Row{}, &Skip{Row: r.sc.rec.row, Reason: reason}, nil
	}
	return row, nil, nil
}

// nextRecord reads a record that is not blank, wrapping read errors.
func (r *Reader) nextRecord() error {
	for {
		err := r.sc.read()
		var pe *ParseError
		if err != nil && err != io.EOF && !errors.As(err, &pe) {
			return fmt.Errorf("read csv: %w", err)
		}
		if err != nil || !r.sc.rec.blank() {
			return err
		}
	}
}

// contact turns a record into a Row, or says why it cannot.
func (r *Reader) contact(rec *record) (Row, string) {
	switch {
	case !rec.valid:
		return Row{}, `row is not UTF-8 text (save the file as "CSV UTF-8")`
	case rec.long > 0:
		return Row{}, fmt.Sprintf("column %d is longer than %d KB", rec.long, maxField>>10)
	case rec.width > len(r.h.cols):
		return Row{}, fmt.Sprintf("row has %d columns, header has %d", rec.width, len(r.h.cols))
	}
	num, err := phone.Normalize(cell(rec, r.h.phone), r.region)
	if err != nil {
		return Row{}, err.Error()
	}
	row := Row{Line: rec.row, Name: cell(rec, r.h.name), BusinessName: cell(rec, r.h.business), Phone: num}
	if len(r.h.vars) > 0 {
		row.Variables = make(map[string]string, len(r.h.vars))
		for _, i := range r.h.vars {
			row.Variables[r.h.cols[i]] = cell(rec, i)
		}
	}
	return row, ""
}

// cell returns column i of rec; a short row's missing cells are empty.
func cell(rec *record, i int) string {
	if i < len(rec.fields) {
		return rec.fields[i]
	}
	return ""
}
