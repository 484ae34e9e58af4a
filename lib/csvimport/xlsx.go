package csvimport

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/thedatashed/xlsxreader"
)

// ErrNotXLSX reports a workbook that cannot be read; wrapped with the
// detail.
var ErrNotXLSX = errors.New("file is not a readable .xlsx workbook")

// Bounds on a workbook: its compressed size (an upload is at most a few
// MB anyway) and what its parts may expand to, since the shared strings
// are held in memory.
const (
	maxWorkbook  = 32 << 20
	maxExpansion = 256 << 20
)

// zipMagic starts every .xlsx (a zip archive).
var zipMagic = []byte("PK\x03\x04")

func isXLSX(br *bufio.Reader) bool {
	head, _ := br.Peek(len(zipMagic))
	return bytes.Equal(head, zipMagic)
}

// sheet yields the rows of a workbook's first sheet as records numbered
// as Excel numbers its rows, each cell as Excel would save it in a CSV
// (numbers in full, not in scientific notation; TRUE/FALSE).
type sheet struct {
	rows <-chan xlsxreader.Row
	last int
	rec  record
}

// openSheet reads the workbook (it must be whole to be unzipped) and
// starts streaming its first sheet.
func openSheet(r io.Reader) (*sheet, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxWorkbook+1))
	if err != nil {
		return nil, fmt.Errorf("read workbook: %w", err)
	}
	if len(data) > maxWorkbook {
		return nil, fmt.Errorf("%w: it is over %d MB", ErrNotXLSX, maxWorkbook>>20)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotXLSX, err)
	}
	var expanded uint64
	for _, f := range zr.File {
		expanded += f.UncompressedSize64
	}
	if expanded > maxExpansion {
		return nil, fmt.Errorf("%w: it expands to over %d MB", ErrNotXLSX, maxExpansion>>20)
	}
	x, err := xlsxreader.NewReaderZip(zr)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotXLSX, err)
	}
	if len(x.Sheets) == 0 {
		return nil, fmt.Errorf("%w: it has no sheet", ErrNotXLSX)
	}
	rows := x.ReadRows(x.Sheets[0])
	s := &sheet{rows: rows}
	// A reader abandoned mid-sheet must not leave the sheet's goroutine
	// blocked forever: drain it once the reader is gone.
	runtime.AddCleanup(s, func(ch <-chan xlsxreader.Row) {
		go func() {
			for range ch {
			}
		}()
	}, rows)
	return s, nil
}

func (s *sheet) current() *record { return &s.rec }

// read turns the next row into s.rec. Excel leaves empty rows and cells
// out of the file; row numbers come from the file, so they match Excel's.
func (s *sheet) read() error {
	row, ok := <-s.rows
	if !ok {
		return io.EOF
	}
	n := row.Index
	if n <= s.last {
		n = s.last + 1
	}
	s.last = n
	if row.Error != nil {
		return &ParseError{Row: n, Err: fmt.Errorf("%w: %v", ErrNotXLSX, row.Error)}
	}
	rec := record{row: n, fields: s.rec.fields[:0], valid: true}
	for _, c := range row.Cells {
		col := c.ColumnIndex()
		v := strings.TrimSpace(excelText(c))
		if col < 0 || v == "" {
			continue
		}
		rec.width = max(rec.width, col+1)
		if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
			rec.valid = false
		}
		if len(v) > maxField {
			if rec.long == 0 || col+1 < rec.long {
				rec.long = col + 1
			}
			continue
		}
		if col < maxFields {
			for len(rec.fields) <= col {
				rec.fields = append(rec.fields, "")
			}
			rec.fields[col] = v
		}
	}
	s.rec = rec
	return nil
}

// excelText is a cell as Excel's "Save as CSV" writes it, except that
// numbers keep every digit (a phone typed as a number stays dialable).
func excelText(c xlsxreader.Cell) string {
	switch c.Type {
	case xlsxreader.TypeBoolean:
		if c.Value == "1" {
			return "TRUE"
		}
		return "FALSE"
	case xlsxreader.TypeNumerical:
		if strings.ContainsAny(c.Value, "eE") {
			if f, err := strconv.ParseFloat(c.Value, 64); err == nil {
				return strconv.FormatFloat(f, 'f', -1, 64)
			}
		}
	}
	return c.Value
}
