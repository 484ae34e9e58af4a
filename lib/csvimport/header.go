package csvimport

import (
	"fmt"
	"strings"
	"unicode"
)

// Required column keys.
const (
	colName     = "name"
	colBusiness = "business_name"
	colPhone    = "phone"
)

// header maps the file's columns to contact fields.
type header struct {
	cols                  []string // key per column up to the last named one; "" is ignored
	name, business, phone int      // column indexes of the required fields
	vars                  []int    // column indexes kept as variables
}

// parseHeader validates header cells (raw or already keys).
func parseHeader(cells []string) (header, error) {
	if len(cells) > maxFields {
		return header{}, fmt.Errorf("%w: more than %d columns", ErrBadHeader, maxFields)
	}
	h := header{name: -1, business: -1, phone: -1}
	seen := make(map[string]bool, len(cells))
	for i, c := range cells {
		key := columnKey(c)
		h.cols = append(h.cols, key)
		if key == "" {
			continue
		}
		if seen[key] {
			return header{}, fmt.Errorf("%w: column %q appears twice", ErrBadHeader, key)
		}
		seen[key] = true
		switch key {
		case colName:
			h.name = i
		case colBusiness:
			h.business = i
		case colPhone:
			h.phone = i
		default:
			h.vars = append(h.vars, i)
		}
	}
	if missing := missingColumns(seen); len(missing) > 0 {
		return header{}, &MissingHeadersError{Missing: missing}
	}
	for len(h.cols) > 0 && h.cols[len(h.cols)-1] == "" {
		h.cols = h.cols[:len(h.cols)-1]
	}
	return h, nil
}

// missingColumns lists the required keys not in seen.
func missingColumns(seen map[string]bool) []string {
	var missing []string
	for _, k := range []string{colName, colBusiness, colPhone} {
		if !seen[k] {
			missing = append(missing, k)
		}
	}
	return missing
}

// looksLikeHeader reports whether cells name every required column, which a
// data row never does; it tells a repeated header from a first data row.
func looksLikeHeader(cells []string) bool {
	seen := make(map[string]bool, len(cells))
	for _, c := range cells {
		seen[columnKey(c)] = true
	}
	return len(missingColumns(seen)) == 0
}

// columnKey turns a header cell into the key used for matching and as the
// variable name: lower case, each run of other than letters and digits one
// "_", none at the ends ("Business-Name " → "business_name").
func columnKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	gap := false
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			gap = b.Len() > 0
			continue
		}
		if gap {
			b.WriteByte('_')
			gap = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
