package csvimport

import (
	"fmt"
	"strings"
	"unicode"
)

// The contact fields a column can feed, by their API names.
const (
	FieldName     = "name"
	FieldBusiness = "business_name"
	FieldPhone    = "phone"
	FieldTimezone = "timezone"
)

// fields lists them in the order reports name them.
var fields = []string{FieldName, FieldBusiness, FieldPhone, FieldTimezone}

// Aliases are the header texts each field is recognized by, compared
// ignoring case, spacing and punctuation ("Mobile-Phone" is "mobile phone").
var Aliases = map[string][]string{
	FieldName:     {"name", "full name", "contact", "contact name"},
	FieldBusiness: {"business_name", "business", "company", "company name", "organization", "account name"},
	FieldPhone:    {"phone", "phone number", "mobile", "mobile phone", "cell", "tel", "telephone", "number"},
	FieldTimezone: {"timezone", "time_zone", "tz"},
}

// Without a name column, these are joined into the name.
var firstName, lastName = []string{"first name"}, []string{"last name"}

// header maps the file's columns to contact fields.
type header struct {
	cols  []string // key per column up to the last named one; "" is ignored
	names []string // the header cells as written, for reports
	// Column indexes of each field: several for a joined name, none when
	// the file lacks the field (only phone is required).
	name, business, phone, zone []int
	vars                        []int // column indexes kept as variables
}

// parseHeader validates header cells (raw or already keys) and maps them
// to fields, by the explicit mapping where it names a field and by the
// aliases otherwise.
func parseHeader(cells []string, mapping Mapping) (header, error) {
	if len(cells) > maxFields {
		return header{}, fmt.Errorf("%w: more than %d columns", ErrBadHeader, maxFields)
	}
	var h header
	seen := make(map[string]bool, len(cells))
	for _, c := range cells {
		key := columnKey(c)
		h.cols = append(h.cols, key)
		h.names = append(h.names, c)
		if key == "" {
			continue
		}
		if seen[key] {
			return header{}, fmt.Errorf("%w: column %q appears twice", ErrBadHeader, key)
		}
		seen[key] = true
	}
	for len(h.cols) > 0 && h.cols[len(h.cols)-1] == "" {
		h.cols, h.names = h.cols[:len(h.cols)-1], h.names[:len(h.cols)-1]
	}
	if err := h.assign(mapping); err != nil {
		return header{}, err
	}
	used := make(map[int]bool)
	for _, idx := range [][]int{h.name, h.business, h.phone, h.zone} {
		for _, i := range idx {
			used[i] = true
		}
	}
	for i, key := range h.cols {
		if key != "" && !used[i] {
			h.vars = append(h.vars, i)
		}
	}
	return h, nil
}

// assign finds each field's columns, failing when the phone has none or a
// field has several candidates the mapping does not choose between.
func (h *header) assign(mapping Mapping) error {
	ambiguous := map[string][]string{}
	for _, f := range fields {
		idx, ok, err := h.explicit(mapping, f)
		if err != nil {
			return err
		}
		if !ok {
			idx = h.find(Aliases[f])
			if len(idx) > 1 {
				ambiguous[f] = h.texts(idx)
			}
			if f == FieldName && len(idx) == 0 {
				idx = append(h.find(firstName), h.find(lastName)...)
			}
		}
		switch f {
		case FieldName:
			h.name = idx
		case FieldBusiness:
			h.business = idx
		case FieldPhone:
			h.phone = idx
		case FieldTimezone:
			h.zone = idx
		}
	}
	if len(ambiguous) > 0 {
		return &AmbiguousError{Candidates: ambiguous, Columns: h.texts(nil)}
	}
	if len(h.phone) == 0 {
		return &MissingHeadersError{Missing: []string{FieldPhone}, Columns: h.texts(nil)}
	}
	if len(h.phone) > 1 || len(h.business) > 1 || len(h.zone) > 1 {
		return fmt.Errorf("%w: the mapping gives one field several columns; only name may join several", ErrBadMapping)
	}
	return nil
}

// explicit returns the columns the mapping names for field f, if it does.
func (h *header) explicit(mapping Mapping, f string) ([]int, bool, error) {
	names, ok := mapping[f]
	if !ok {
		return nil, false, nil
	}
	idx := []int{}
	for _, n := range names {
		if strings.TrimSpace(n) == "" {
			continue
		}
		found := h.find([]string{n})
		if len(found) == 0 {
			return nil, false, fmt.Errorf("%w: the file has no column %q (columns: %s)", ErrBadMapping, n, quoteList(h.texts(nil)))
		}
		idx = append(idx, found...)
	}
	return idx, true, nil
}

// find returns the columns whose header matches one of the texts.
func (h *header) find(texts []string) []int {
	var idx []int
	for i, c := range h.cols {
		if c == "" {
			continue
		}
		for _, t := range texts {
			if squash(c) == squash(t) {
				idx = append(idx, i)
				break
			}
		}
	}
	return idx
}

// texts returns the header cells at idx (every named one for nil).
func (h *header) texts(idx []int) []string {
	out := []string{}
	if idx == nil {
		for i, c := range h.cols {
			if c != "" {
				out = append(out, h.names[i])
			}
		}
		return out
	}
	for _, i := range idx {
		out = append(out, h.names[i])
	}
	return out
}

// mapping reports the columns in use, by field, as the file writes them.
func (h *header) mapping() Mapping {
	m := Mapping{}
	for f, idx := range map[string][]int{FieldName: h.name, FieldBusiness: h.business, FieldPhone: h.phone, FieldTimezone: h.zone} {
		if len(idx) > 0 {
			m[f] = h.texts(idx)
		}
	}
	return m
}

// looksLikeHeader reports whether cells repeat an earlier chunk's header,
// or name name, business_name and phone outright (which a data row never
// does); it tells a repeated header from a first data row.
func looksLikeHeader(cells, columns []string) bool {
	same := len(cells) >= len(columns)
	seen := make(map[string]bool, len(cells))
	for i, c := range cells {
		key := columnKey(c)
		seen[key] = true
		if i < len(columns) && key != columnKey(columns[i]) || i >= len(columns) && key != "" {
			same = false
		}
	}
	return same || seen[FieldName] && seen[FieldBusiness] && seen[FieldPhone]
}

// columnKey turns a header cell into the key used as the variable name:
// lower case, each run of other than letters and digits one "_", none at
// the ends ("Business-Name " → "business_name").
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

// squash is a header text with only its letters and digits, lower case:
// what alias matching compares ("Time-Zone", "time_zone" → "timezone").
func squash(s string) string {
	return strings.ReplaceAll(columnKey(s), "_", "")
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
