package csvimport

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Mapping names, by field (FieldName…), the header cells a field is read
// from, overriding the aliases for that field. Several name columns are
// joined with spaces ("First Name", "Last Name"); an empty list means the
// file has no such column.
type Mapping map[string][]string

// ParseMapping reads a mapping as the dashboard sends it: a JSON object
// from field to a header text or a list of them, e.g.
// {"phone":"Mobile Phone","name":["First Name","Last Name"]}.
func ParseMapping(text string) (Mapping, error) {
	if text == "" {
		return nil, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, fmt.Errorf("%w: it must be a JSON object such as {\"phone\":\"Mobile Phone\"}", ErrBadMapping)
	}
	m := Mapping{}
	for f, v := range raw {
		if !slices.Contains(fields, f) {
			return nil, fmt.Errorf("%w: unknown field %q (fields: name, business_name, phone, timezone)", ErrBadMapping, f)
		}
		var one string
		var many []string
		switch {
		case json.Unmarshal(v, &one) == nil:
			many = []string{one}
		case json.Unmarshal(v, &many) == nil:
		default:
			return nil, fmt.Errorf("%w: %s must be a column name or a list of them", ErrBadMapping, f)
		}
		if len(many) > maxFields {
			return nil, fmt.Errorf("%w: %s names too many columns", ErrBadMapping, f)
		}
		m[f] = many
	}
	return m, nil
}
