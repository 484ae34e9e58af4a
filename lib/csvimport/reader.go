package csvimport

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

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
	// Mapping chooses the columns of some fields instead of the aliases
	// (an earlier chunk's, or the operator's choice between candidates).
	Mapping Mapping
}

// Row is one importable contact.
type Row struct {
	Line         int    // spreadsheet row number (header = 1)
	Name         string // may be empty
	BusinessName string // may be empty
	Phone        string // E.164
	// Zones are the IANA zones the number may ring in, read with it (nil
	// when unknown).
	Zones []string
	// TimeZone is the row's IANA zone from a time zone column, overriding
	// the zones of the number; empty when the file gives none.
	TimeZone string
	// Variables holds the extra columns keyed by column key (snake_case);
	// nil when the file has none.
	Variables map[string]string
}

// Skip is a row that was not imported and why, for the import report.
type Skip struct {
	Row    int    `json:"row"`
	Reason string `json:"reason"`
	// Kind groups reasons for counts ("invalid phone number").
	Kind string `json:"-"`
}

// Reader streams contacts out of a CSV file.
type Reader struct {
	src     source
	region  string
	h       header
	pending bool // the current record is a data row read while looking for the header
}

// source yields a file's records: the CSV scanner, or an Excel sheet's
// rows.
type source interface {
	read() error
	current() *record
}

// NewReader reads up to the header row and checks it. r is CSV text or an
// .xlsx workbook (its first sheet), told apart by content. Errors:
// ErrEmpty, ErrNotCSV, ErrBadHeader, ErrBadMapping, ErrNotXLSX,
// *MissingHeadersError, *AmbiguousError, phone.ErrUnknownRegion, or a read
// error of r.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	if err := phone.CheckRegion(opts.DefaultRegion); err != nil {
		return nil, fmt.Errorf("check default region: %w", err)
	}
	br := bufio.NewReaderSize(r, bufSize)
	src, err := open(br)
	if err != nil {
		return nil, err
	}
	rd := &Reader{src: src, region: opts.DefaultRegion}
	if err := rd.readHeader(opts.Columns, opts.Mapping); err != nil {
		return nil, err
	}
	return rd, nil
}

// open picks the source for the file's content.
func open(br *bufio.Reader) (source, error) {
	if isXLSX(br) {
		return openSheet(br)
	}
	comma, err := prelude(br)
	if err != nil {
		return nil, err
	}
	return &scanner{br: br, comma: comma}, nil
}

// readHeader finds the first non-blank row and decides whether it is the
// header or, for a later chunk, the first data row.
func (r *Reader) readHeader(columns []string, mapping Mapping) error {
	if err := r.nextRecord(); err == io.EOF {
		return ErrEmpty
	} else if err != nil {
		return err
	}
	rec := r.src.current()
	if columns != nil && !(rec.valid && looksLikeHeader(rec.fields, columns)) {
		r.pending = true
		return r.useHeader(columns, mapping)
	}
	switch {
	case !rec.valid:
		return fmt.Errorf("%w: the header row is not UTF-8 text", ErrNotCSV)
	case rec.long > 0:
		return fmt.Errorf("%w: column %d is longer than %d KB", ErrBadHeader, rec.long, maxField>>10)
	case rec.width > maxFields:
		return fmt.Errorf("%w: more than %d columns", ErrBadHeader, maxFields)
	}
	return r.useHeader(rec.fields, mapping)
}

// useHeader sets the column mapping.
func (r *Reader) useHeader(cells []string, mapping Mapping) error {
	h, err := parseHeader(cells, mapping)
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

// Mapping returns the columns each field is read from, as the header
// writes them; pass it as Options.Mapping for a later chunk.
func (r *Reader) Mapping() Mapping { return r.h.mapping() }

// Header returns the header cells as the file writes them.
func (r *Reader) Header() []string { return r.h.texts(nil) }

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
	row, skip := r.convert(r.src.current())
	return row, skip, nil
}

// nextRecord reads a record that is not blank, wrapping read errors.
func (r *Reader) nextRecord() error {
	for {
		err := r.src.read()
		var pe *ParseError
		if err != nil && err != io.EOF && !errors.As(err, &pe) && !errors.Is(err, ErrNotXLSX) {
			return fmt.Errorf("read csv: %w", err)
		}
		if err != nil || !r.src.current().blank() {
			return err
		}
	}
}

// Reasons kinds for rows that are not a spreadsheet row we can read.
const kindUnreadable = "unreadable row"

// contact turns a record into a Row, or says why it cannot and the kind of
// reason.
func (r *Reader) contact(rec *record) (Row, string, string) {
	switch {
	case !rec.valid:
		return Row{}, `row is not UTF-8 text (save the file as "CSV UTF-8")`, kindUnreadable
	case rec.long > 0:
		return Row{}, fmt.Sprintf("column %d is longer than %d KB", rec.long, maxField>>10), kindUnreadable
	case rec.width > len(r.h.cols):
		return Row{}, fmt.Sprintf("row has %d columns, header has %d", rec.width, len(r.h.cols)), kindUnreadable
	}
	num, err := phone.Read(cells(rec, r.h.phone), r.region)
	if err != nil {
		kind, _, _ := strings.Cut(err.Error(), ":")
		return Row{}, err.Error(), kind
	}
	zone, err := timeZone(cells(rec, r.h.zone))
	if err != nil {
		return Row{}, err.Error(), kindZone
	}
	row := Row{Line: rec.row, Name: cells(rec, r.h.name), BusinessName: cells(rec, r.h.business),
		Phone: num.E164, Zones: num.Zones, TimeZone: zone}
	if len(r.h.vars) > 0 {
		row.Variables = make(map[string]string, len(r.h.vars))
		for _, i := range r.h.vars {
			row.Variables[r.h.cols[i]] = cell(rec, i)
		}
	}
	return row, "", ""
}

// cells joins the non-empty cells at idx with spaces (a first and a last
// name); "" for none.
func cells(rec *record, idx []int) string {
	if len(idx) == 1 {
		return cell(rec, idx[0])
	}
	parts := make([]string, 0, len(idx))
	for _, i := range idx {
		if c := cell(rec, i); c != "" {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, " ")
}

// cell returns column i of rec; a short row's missing cells are empty.
func cell(rec *record, i int) string {
	if i < len(rec.fields) {
		return rec.fields[i]
	}
	return ""
}
