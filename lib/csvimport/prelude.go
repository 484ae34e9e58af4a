package csvimport

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// sniffSize is how much of the start of the file is checked for binary.
const sniffSize = 512

var (
	utf8BOM    = []byte("\xEF\xBB\xBF")
	utf16LEBOM = []byte("\xFF\xFE")
	utf16BEBOM = []byte("\xFE\xFF")
)

// prelude consumes what comes before the first row — a UTF-8 BOM and
// Excel's "sep=;" line — refuses what is not CSV text, and returns the
// delimiter: the one "sep=" names, else the one the first line uses most.
func prelude(br *bufio.Reader) (byte, error) {
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF {
		return 0, fmt.Errorf("read csv: %w", err)
	}
	switch {
	case len(head) == 0:
		return 0, ErrEmpty
	case bytes.HasPrefix(head, utf16LEBOM), bytes.HasPrefix(head, utf16BEBOM):
		return 0, fmt.Errorf(`%w: it is UTF-16 text (save it as "CSV UTF-8")`, ErrNotCSV)
	case bytes.IndexByte(head, 0) >= 0:
		return 0, fmt.Errorf("%w: it contains binary data", ErrNotCSV)
	case bytes.HasPrefix(head, utf8BOM):
		_, _ = br.Discard(len(utf8BOM))
	}
	if comma, ok := sepLine(br); ok {
		return comma, nil
	}
	return guessComma(br), nil
}

// sepLine consumes a leading "sep=X" line (X one of , ; tab |), which Excel
// writes and hides: it is not a spreadsheet row.
func sepLine(br *bufio.Reader) (byte, bool) {
	b, _ := br.Peek(7) // sep=X\r\n
	if len(b) < 5 || !bytes.EqualFold(b[:4], []byte("sep=")) || !bytes.ContainsRune([]byte(",;\t|"), rune(b[4])) {
		return 0, false
	}
	rest := b[5:]
	n := 5
	switch {
	case bytes.HasPrefix(rest, []byte("\r\n")):
		n += 2
	case len(rest) > 0 && (rest[0] == '\n' || rest[0] == '\r'):
		n++
	case len(rest) > 0:
		return 0, false
	}
	_, _ = br.Discard(n)
	return b[4], true
}

// guessComma counts ",", ";" and tabs outside quotes on the first non-blank
// line; the most frequent wins, "," on a tie (it is the standard).
func guessComma(br *bufio.Reader) byte {
	b, _ := br.Peek(bufSize)
	b = bytes.TrimLeft(b, "\r\n")
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	var commas, semicolons, tabs int
	quoted := false
	for _, c := range b {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ',':
			commas++
		case c == ';':
			semicolons++
		case c == '\t':
			tabs++
		}
	}
	best, n := byte(','), commas
	if semicolons > n {
		best, n = ';', semicolons
	}
	if tabs > n {
		best = '\t'
	}
	return best
}
