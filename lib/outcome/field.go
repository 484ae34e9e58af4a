package outcome

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/autolynx/autolynx/lib/problem"
)

// Type is what kind of value a field holds.
type Type string

// The field types: yes/no, text, number, a date and time, one of a list.
const (
	Boolean  Type = "boolean"
	String   Type = "string"
	Number   Type = "number"
	DateTime Type = "datetime"
	Enum     Type = "enum"
)

var types = []Type{Boolean, String, Number, DateTime, Enum}

// Limits on a campaign's definitions: a handful of fields is what a call
// can answer, and each reaches Vapi on every call.
const (
	MaxFields      = 20
	MaxDescription = 500
	MaxOptions     = 20
	MaxOption      = 60
	MaxRules       = 40
	MaxResult      = 40
	// MaxText bounds a text value kept from a call.
	MaxText = 2000
)

// Field is one outcome field of a campaign.
type Field struct {
	Name        string   `json:"name"`
	Type        Type     `json:"type"`
	Description string   `json:"description,omitempty"`
	Options     []string `json:"options,omitempty"`
	// Callback marks the date-time field whose value schedules a
	// callback (by default the one named callback_at).
	Callback bool `json:"callback,omitempty"`
}

// Rule maps an outcome value to the contact's result: when Field equals
// Equals, the result is Result. A matching opt-out rule wins, else the
// first matching rule (Plan.Decide).
type Rule struct {
	Field  string `json:"field"`
	Equals any    `json:"equals"`
	Result string `json:"result"`
}

// OptOut is the result that also puts the number on the do-not-call list.
const OptOut = "opt-out"

// Plan is a campaign's outcome definitions.
type Plan struct {
	Fields []Field `json:"fields"`
	Rules  []Rule  `json:"rules"`
}

// Empty reports whether the campaign asks for no outcomes.
func (p Plan) Empty() bool { return len(p.Fields) == 0 }

// safeName is a field name usable as a JSON key, a query parameter and a
// CSV column on every system the values travel to.
var safeName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

func invalid(field, msg string, details ...any) error {
	return problem.New(problem.Invalid, msg, append([]any{"field", field}, details...)...)
}

// Validate checks the definitions: unique safe names, known types,
// bounded counts and lengths, options for one-of fields, at most one
// callback field, and rules that name a field and a value it can hold.
func (p *Plan) Validate() error {
	if len(p.Fields) > MaxFields {
		return invalid("outcomeFields", fmt.Sprintf("at most %d outcome fields", MaxFields), "max", MaxFields)
	}
	seen := map[string]bool{}
	callbacks := 0
	for i := range p.Fields {
		f := &p.Fields[i]
		f.Name = strings.TrimSpace(f.Name)
		f.Description = strings.TrimSpace(f.Description)
		at := fmt.Sprintf("outcomeFields[%d]", i)
		switch {
		case !safeName.MatchString(f.Name):
			return invalid(at+".name", fmt.Sprintf("outcome field name %q must be 1–40 lower-case letters, digits or _, starting with a letter", f.Name))
		case seen[f.Name]:
			return invalid(at+".name", fmt.Sprintf("outcome field %q is defined twice", f.Name))
		case !slices.Contains(types, f.Type):
			return invalid(at+".type", fmt.Sprintf("outcome field %q: type must be one of boolean, string, number, datetime, enum", f.Name))
		case utf8.RuneCountInString(f.Description) > MaxDescription:
			return invalid(at+".description", fmt.Sprintf("outcome field %q: description is at most %d characters", f.Name, MaxDescription))
		case f.Callback && f.Type != DateTime:
			return invalid(at+".callback", fmt.Sprintf("outcome field %q: only a datetime field can schedule a callback", f.Name))
		}
		seen[f.Name] = true
		if f.Callback {
			callbacks++
		}
		if err := f.validOptions(at); err != nil {
			return err
		}
	}
	if callbacks > 1 {
		return invalid("outcomeFields", "at most one outcome field schedules callbacks")
	}
	return p.validRules()
}

// validOptions checks a one-of field's options (and that no other field
// has any).
func (f *Field) validOptions(at string) error {
	if f.Type != Enum {
		if len(f.Options) > 0 {
			return invalid(at+".options", fmt.Sprintf("outcome field %q: only an enum field has options", f.Name))
		}
		return nil
	}
	if len(f.Options) == 0 || len(f.Options) > MaxOptions {
		return invalid(at+".options", fmt.Sprintf("outcome field %q: an enum field needs 1 to %d options", f.Name, MaxOptions))
	}
	seen := map[string]bool{}
	for j, o := range f.Options {
		o = strings.TrimSpace(o)
		f.Options[j] = o
		if o == "" || utf8.RuneCountInString(o) > MaxOption || seen[strings.ToLower(o)] {
			return invalid(at+".options", fmt.Sprintf("outcome field %q: options must be distinct, 1 to %d characters", f.Name, MaxOption))
		}
		seen[strings.ToLower(o)] = true
	}
	return nil
}

// validRules checks each rule against the fields and keeps its value in
// the field's type.
func (p *Plan) validRules() error {
	if len(p.Rules) > MaxRules {
		return invalid("outcomeRules", fmt.Sprintf("at most %d outcome rules", MaxRules), "max", MaxRules)
	}
	for i := range p.Rules {
		r := &p.Rules[i]
		at := fmt.Sprintf("outcomeRules[%d]", i)
		r.Result = NormalResult(r.Result)
		if !ValidResult(r.Result) {
			return invalid(at+".result", fmt.Sprintf("a rule's result is 1 to %d characters of text", MaxResult))
		}
		f, ok := p.Field(r.Field)
		if !ok {
			return invalid(at+".field", fmt.Sprintf("rule names %q, which is not an outcome field", r.Field))
		}
		if f.Type == DateTime {
			return invalid(at+".field", fmt.Sprintf("rule on %q: a date-time field cannot be matched by value", r.Field))
		}
		v, ok := f.coerce(r.Equals, nil)
		if !ok {
			return invalid(at+".equals", fmt.Sprintf("rule on %q: %v is not a %s value of the field", r.Field, r.Equals, f.Type))
		}
		r.Equals = v
	}
	return nil
}

// Field returns the field named name.
func (p Plan) Field(name string) (Field, bool) {
	i := slices.IndexFunc(p.Fields, func(f Field) bool { return f.Name == name })
	if i < 0 {
		return Field{}, false
	}
	return p.Fields[i], true
}

// CallbackField is the field whose value schedules a callback: the one
// marked so, else a date-time field named callback_at.
func (p Plan) CallbackField() (Field, bool) {
	for _, f := range p.Fields {
		if f.Callback {
			return f, true
		}
	}
	f, ok := p.Field("callback_at")
	return f, ok && f.Type == DateTime
}

// Parse reads a create form's outcome settings: fields as a JSON list or
// a template's name, and rules as a JSON list (a template brings its own
// unless rules are given). Both empty is no outcomes.
func Parse(fields, rules string) (Plan, error) {
	var p Plan
	fields, rules = strings.TrimSpace(fields), strings.TrimSpace(rules)
	switch {
	case fields == "":
	case strings.HasPrefix(fields, "["):
		if err := strictJSON(fields, &p.Fields); err != nil {
			return p, invalid("outcomeFields", "outcomeFields must be a JSON list of {name, type, description, options}: "+err.Error())
		}
	default:
		t, ok := TemplateNamed(fields)
		if !ok {
			return p, invalid("outcomeFields", fmt.Sprintf("no outcome template %q: give a JSON list of fields or one of %s", fields, strings.Join(TemplateNames(), ", ")))
		}
		p = t.Plan()
	}
	if rules != "" {
		p.Rules = nil
		if err := strictJSON(rules, &p.Rules); err != nil {
			return p, invalid("outcomeRules", "outcomeRules must be a JSON list of {field, equals, result}: "+err.Error())
		}
	}
	if p.Fields == nil {
		p.Fields = []Field{}
	}
	if p.Rules == nil {
		p.Rules = []Rule{}
	}
	return p, p.Validate()
}

// strictJSON decodes s into v refusing unknown members.
func strictJSON(s string, v any) error {
	d := json.NewDecoder(strings.NewReader(s))
	d.DisallowUnknownFields()
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("trailing data")
	}
	return nil
}
