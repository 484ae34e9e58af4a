package csvimport

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// Limits that keep a hostile file from growing memory: a row keeps at most
// maxFields cells of at most maxField bytes (about 2 MB in the worst case).
const (
	maxField  = 10 << 10
	maxFields = 200
)

// maxQuoteLookahead bounds how far past a closing quote we look for the
// cell's end; blanks beyond it mean the quote was part of the text.
const maxQuoteLookahead = 64

// errUnclosedQuote is turned into a *ParseError naming the row.
var errUnclosedQuote = errors.New("a quoted cell is never closed")

// term says what ended a cell.
type term int

const (
	termComma term = iota // another cell follows
	termLine              // end of row
	termEOF               // end of input
)

// record is one spreadsheet row as the scanner read it. Its cells are
// substrings of a single string, so a row costs one allocation.
type record struct {
	row    int      // spreadsheet row number
	fields []string // trimmed cells, at most maxFields
	width  int      // 1 + index of the last cell with text, counted past maxFields
	long   int      // 1-based column of a cell over maxField bytes, 0 if none
	valid  bool     // UTF-8 text without NUL bytes
}

// blank reports a row with no text at all, e.g. an empty line or ",,,".
func (r *record) blank() bool { return r.width == 0 && r.long == 0 }

// scanner splits CSV into records. Unlike encoding/csv it bounds cell sizes
// while reading, counts rows as a spreadsheet does, ends rows at CR, LF or
// CRLF, and keeps a stray quote as text instead of failing the file.
type scanner struct {
	br    *bufio.Reader
	comma byte
	row   int
	buf   []byte // the current row's stored cell bytes
	ends  []int  // end offset in buf of each stored cell
	text  bool   // the current cell has a non-blank byte
	long  bool   // the current cell went over maxField
	rec   record
}

// read scans the next record into s.rec. It returns io.EOF when nothing but
// blanks remain and a *ParseError when a quoted cell never closes.
func (s *scanner) read() error {
	s.buf, s.ends = s.buf[:0], s.ends[:0]
	rec := record{row: s.row + 1, fields: s.rec.fields[:0]}
	for cells := 0; ; {
		s.text, s.long = false, false
		t, err := s.readField(cells < maxFields)
		if errors.Is(err, errUnclosedQuote) {
			return &ParseError{Row: rec.row, Err: err}
		}
		if err != nil {
			return err
		}
		if t == termEOF && cells == 0 && !s.text && len(s.buf) == 0 {
			return io.EOF
		}
		if cells < maxFields {
			s.ends = append(s.ends, len(s.buf))
		}
		cells++
		if s.text {
			rec.width = cells
		}
		if s.long && rec.long == 0 {
			rec.long = cells
		}
		if t != termComma {
			break
		}
	}
	s.row = rec.row
	line := string(s.buf)
	rec.valid = utf8.ValidString(line) && strings.IndexByte(line, 0) < 0
	start := 0
	for _, end := range s.ends {
		rec.fields = append(rec.fields, strings.TrimSpace(line[start:end]))
		start = end
	}
	s.rec = rec
	return nil
}

// readField reads one cell, storing its bytes when store is set.
func (s *scanner) readField(store bool) (term, error) {
	start := len(s.buf)
	c, err := s.br.ReadByte()
	for err == nil && s.blank(c) {
		c, err = s.br.ReadByte()
	}
	for ; err == nil; c, err = s.br.ReadByte() {
		switch {
		case c == s.comma:
			return termComma, nil
		case c == '\n':
			return termLine, nil
		case c == '\r':
			return termLine, s.skipLF()
		case c == '"' && !s.text:
			return s.readQuoted(store, start)
		}
		s.put(c, store, start)
	}
	return termEOF, eof(err)
}

// readQuoted reads the rest of a cell that opened with a quote. A quote that
// neither doubles nor ends the cell is kept as text, as spreadsheets do.
func (s *scanner) readQuoted(store bool, start int) (term, error) {
	for {
		c, err := s.br.ReadByte()
		if err != nil {
			if err == io.EOF {
				return termEOF, errUnclosedQuote
			}
			return termEOF, err
		}
		switch c {
		case '"':
			if next, _ := s.br.Peek(1); len(next) == 1 && next[0] == '"' {
				_, _ = s.br.Discard(1)
				s.put('"', store, start)
				continue
			}
			if t, ok, err := s.closeQuote(); ok || err != nil {
				return t, err
			}
			s.put('"', store, start)
		case '\r':
			if next, _ := s.br.Peek(1); len(next) == 1 && next[0] == '\n' {
				continue // CRLF inside a cell is kept as LF
			}
			s.put('\n', store, start)
		default:
			s.put(c, store, start)
		}
	}
}

// closeQuote checks whether the quote just read ends the cell: only blanks
// may follow before the delimiter or the end of the row. If so it consumes
// them and the terminator.
func (s *scanner) closeQuote() (term, bool, error) {
	for n := 1; n <= maxQuoteLookahead; n++ {
		b, err := s.br.Peek(n)
		if len(b) < n {
			if err != io.EOF {
				return termEOF, false, err
			}
			_, _ = s.br.Discard(len(b))
			return termEOF, true, nil
		}
		switch c := b[n-1]; {
		case s.blank(c):
			continue
		case c == s.comma:
			_, _ = s.br.Discard(n)
			return termComma, true, nil
		case c == '\n':
			_, _ = s.br.Discard(n)
			return termLine, true, nil
		case c == '\r':
			_, _ = s.br.Discard(n)
			return termLine, true, s.skipLF()
		}
		return 0, false, nil
	}
	return 0, false, nil
}

// put appends a cell byte, dropping bytes past maxField (the row will be
// skipped) and bytes of cells past maxFields (only their presence counts).
func (s *scanner) put(c byte, store bool, start int) {
	if !s.blank(c) && c != '\n' {
		s.text = true
	}
	if !store {
		return
	}
	if len(s.buf)-start >= maxField {
		s.long = true
		return
	}
	s.buf = append(s.buf, c)
}

// blank reports padding around a cell; a tab is data when it separates cells.
func (s *scanner) blank(c byte) bool {
	return c == ' ' || c == '\t' && s.comma != '\t'
}

// skipLF consumes the LF of a CRLF pair.
func (s *scanner) skipLF() error {
	b, err := s.br.Peek(1)
	if len(b) == 1 && b[0] == '\n' {
		_, _ = s.br.Discard(1)
		return nil
	}
	return eof(err)
}

// eof turns io.EOF into nil: the caller already knows the input ended.
func eof(err error) error {
	if err == io.EOF {
		return nil
	}
	return err
}

// current is the record read last.
func (s *scanner) current() *record { return &s.rec }
