package outcome

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/autolynx/autolynx/lib/callstate"
)

// OutputName is the name of the structured output that carries a
// campaign's fields to Vapi and back.
const OutputName = "autolynx_outcomes"

// Values are a call's outcome values by field name, each typed as its
// field says: bool, float64, string (text, an option, or a date-time in
// RFC 3339 with the contact's offset).
type Values map[string]any

// Read types what Vapi extracted (artifact.structuredOutputs, {id: {name,
// result}}, or the older flat analysis.structuredData) into values of the
// campaign's fields. Our own output's object result is read first, then
// outputs named after a field, then flat keys. A value that does not fit
// its field's type is left out and its field named in dropped; loc is the
// contact's zone, in which a date-time without an offset is read.
func (p Plan) Read(structured json.RawMessage, loc *time.Location) (vals Values, dropped []string) {
	raw := candidates(structured)
	vals = Values{}
	for _, f := range p.Fields {
		v, ok := raw[f.Name]
		if !ok || v == nil {
			continue
		}
		if s, isText := v.(string); isText && strings.TrimSpace(s) == "" {
			continue
		}
		typed, ok := f.coerce(v, loc)
		if !ok {
			dropped = append(dropped, f.Name)
			continue
		}
		vals[f.Name] = typed
	}
	return vals, dropped
}

// Answered reports whether structured holds our own output's result:
// then it alone says what was said (another analysis, such as the
// deprecated analysis.structuredData of an assistant configured the old
// way, is not read).
func Answered(structured json.RawMessage) bool {
	var top map[string]struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(structured, &top) != nil {
		return false
	}
	for _, o := range top {
		if o.Name == OutputName {
			return true
		}
	}
	return false
}

// candidates flattens the shapes Vapi uses into raw values by name.
func candidates(structured json.RawMessage) map[string]any {
	var top map[string]any
	if json.Unmarshal(structured, &top) != nil {
		return nil
	}
	out := map[string]any{}
	var ours map[string]any
	for k, v := range top {
		out[k] = v // analysis.structuredData: flat
		o, _ := v.(map[string]any)
		name, _ := o["name"].(string)
		if _, has := o["result"]; !has || name == "" {
			continue
		}
		if name == OutputName {
			ours, _ = o["result"].(map[string]any)
			continue
		}
		out[name] = o["result"]
	}
	for k, v := range ours {
		out[k] = v
	}
	return out
}

// coerce types v as the field's value; ok is false when it does not fit.
// A date-time needs loc only when it has no offset (nil: refuse such).
func (f Field) coerce(v any, loc *time.Location) (any, bool) {
	if n, isNum := v.(json.Number); isNum {
		x, err := n.Float64()
		if err != nil {
			return nil, false
		}
		v = x
	}
	switch f.Type {
	case Boolean:
		switch x := v.(type) {
		case bool:
			return x, true
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true", "yes":
				return true, true
			case "false", "no":
				return false, true
			}
		}
	case Number:
		switch x := v.(type) {
		case float64:
			return x, !math.IsNaN(x) && !math.IsInf(x, 0)
		case string:
			n, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			return n, err == nil && !math.IsNaN(n) && !math.IsInf(n, 0)
		}
	case String:
		if x, ok := v.(string); ok {
			return cut(strings.TrimSpace(x), MaxText), true
		}
	case Enum:
		if x, ok := v.(string); ok {
			i := slices.IndexFunc(f.Options, func(o string) bool { return strings.EqualFold(o, strings.TrimSpace(x)) })
			if i >= 0 {
				return f.Options[i], true
			}
		}
	case DateTime:
		if x, ok := v.(string); ok {
			if t, ok := ParseTime(x, loc); ok {
				return t.Format(time.RFC3339), true
			}
		}
	}
	return nil, false
}

// localLayouts are the date-times without an offset an extraction writes.
var localLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"}

// ParseTime reads an RFC 3339 date-time, or one without an offset as
// local time in loc (the contact's zone). The result is in loc when
// there is one.
func ParseTime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if loc != nil {
			t = t.In(loc)
		}
		return t, true
	}
	if loc == nil {
		return time.Time{}, false
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// cut is s cut to at most n characters.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// Decide is the result the rules give the values: the opt-out when an
// opt-out rule matches, wherever it stands (a person who is not
// interested and asked not to be called again must join the do-not-call
// list, not be merely "lost"), else the first matching rule's. ok is
// false when none matches.
func (p Plan) Decide(vals Values) (string, bool) {
	first := ""
	for _, r := range p.Rules {
		v, ok := vals[r.Field]
		if !ok || !same(v, r.Equals) {
			continue
		}
		result := NormalResult(r.Result) // rules stored before spellings were read
		if result == OptOut {
			return OptOut, true
		}
		if first == "" {
			first = result
		}
	}
	return first, first != ""
}

// optOutSpellings are the ways a team writes the opt-out, as letters
// only in lower case.
var optOutSpellings = []string{"optout", "optedout", "donotcall", "dnc"}

// NormalResult is a result as stored: trimmed, and OptOut for any
// spelling of it ("Opt out", "opted-out", "Do not call", "DNC"), since
// only OptOut lists the number as do-not-call and a team writes results
// by hand.
func NormalResult(r string) string {
	r = strings.TrimSpace(r)
	letters := strings.Map(func(c rune) rune {
		if unicode.IsLetter(c) {
			return unicode.ToLower(c)
		}
		return -1
	}, r)
	if slices.Contains(optOutSpellings, letters) {
		return OptOut
	}
	return r
}

// ValidResult reports whether a result, as NormalResult leaves it, may be
// stored: 1 to MaxResult characters of plain text, as an id is (a
// control character, NUL among them, is no one's result and Postgres
// refuses NUL).
func ValidResult(r string) bool {
	n := utf8.RuneCountInString(r)
	return n >= 1 && n <= MaxResult && callstate.PlainID(r)
}

// same compares two typed values (texts ignoring case).
func same(a, b any) bool {
	as, aText := a.(string)
	bs, bText := b.(string)
	if aText && bText {
		return strings.EqualFold(as, bs)
	}
	return a == b
}

// FilterValue types a filter's text as the field's value, for a query;
// ok is false when the text cannot be one.
func (f Field) FilterValue(text string) (any, bool) {
	if f.Type == DateTime {
		return nil, false
	}
	return f.coerce(text, nil)
}
