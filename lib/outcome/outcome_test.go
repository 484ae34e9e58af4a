package outcome_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/lib/outcome"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/vapi"
	"github.com/autolynx/autolynx/lib/vapi/openapi"
)

// Every template validates, and a bad definition is a 400 naming the
// field at fault.
func TestParseValidates(t *testing.T) {
	t.Parallel()
	for _, name := range outcome.TemplateNames() {
		p, err := outcome.Parse(name, "")
		if err != nil || p.Empty() || len(p.Rules) == 0 {
			t.Errorf("template %s: %v (%+v)", name, err, p)
		}
	}
	p, err := outcome.Parse("follow-up", `[{"field":"interested","equals":"yes","result":"hot lead"}]`)
	if err != nil || len(p.Rules) != 1 || p.Rules[0].Equals != true {
		t.Errorf("template with own rules: %v %+v", err, p.Rules)
	}
	if p, err := outcome.Parse("", ""); err != nil || !p.Empty() {
		t.Errorf("no outcomes: %v %+v", err, p)
	}
	bad := map[string][2]string{
		"unknown template":    {"nope", ""},
		"not JSON":            {"[{", ""},
		"unknown member":      {`[{"name":"a","type":"string","colour":"red"}]`, ""},
		"unsafe name":         {`[{"name":"Bad Name","type":"string"}]`, ""},
		"long name":           {`[{"name":"` + strings.Repeat("a", 41) + `","type":"string"}]`, ""},
		"duplicate":           {`[{"name":"a","type":"string"},{"name":"a","type":"number"}]`, ""},
		"unknown type":        {`[{"name":"a","type":"date"}]`, ""},
		"enum without option": {`[{"name":"a","type":"enum"}]`, ""},
		"options on text":     {`[{"name":"a","type":"string","options":["x"]}]`, ""},
		"long description":    {`[{"name":"a","type":"string","description":"` + strings.Repeat("d", 501) + `"}]`, ""},
		"callback on text":    {`[{"name":"a","type":"string","callback":true}]`, ""},
		"rule unknown field":  {"follow-up", `[{"field":"nope","equals":true,"result":"won"}]`},
		"rule wrong value":    {"follow-up", `[{"field":"interested","equals":"maybe","result":"won"}]`},
		"rule empty result":   {"follow-up", `[{"field":"interested","equals":true,"result":" "}]`},
		"rule on date-time":   {"follow-up", `[{"field":"callback_at","equals":"2026-01-01T10:00","result":"x"}]`},
	}
	many := make([]string, outcome.MaxFields+1)
	for i := range many {
		many[i] = `{"name":"f` + strings.Repeat("x", i) + `","type":"string"}`
	}
	bad["too many"] = [2]string{"[" + strings.Join(many, ",") + "]", ""}
	for name, in := range bad {
		_, err := outcome.Parse(in[0], in[1])
		var pe *problem.Error
		if !errors.As(err, &pe) || pe.Kind != problem.Invalid || pe.Details["field"] == nil {
			t.Errorf("%s: got %v, want a validation error naming the field", name, err)
		}
	}
}

// Values are read from our structured output, typed by their field; a
// value that does not fit is dropped and named; a date-time without an
// offset is the contact's local time.
func TestReadTypesValues(t *testing.T) {
	t.Parallel()
	p, _ := outcome.Parse(`[{"name":"interested","type":"boolean"},{"name":"budget","type":"number"},
		{"name":"interest","type":"enum","options":["Hot","Cold"]},{"name":"callback_at","type":"datetime"},
		{"name":"email","type":"string"},{"name":"notes","type":"string"}]`, "")
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	report := `{"9f2c":{"name":"autolynx_outcomes","result":{"interested":"yes","budget":"lots","interest":"hot",
		"callback_at":"2026-12-08T10:00","email":"","notes":42}},"77aa":{"name":"other","result":{"x":1}}}`
	vals, dropped := p.Read(json.RawMessage(report), tokyo)
	want := map[string]any{"interested": true, "interest": "Hot", "callback_at": "2026-12-08T10:00:00+09:00"}
	if len(vals) != len(want) {
		t.Errorf("values %v, want %v", vals, want)
	}
	for k, v := range want {
		if vals[k] != v {
			t.Errorf("%s = %#v, want %#v", k, vals[k], v)
		}
	}
	if strings.Join(dropped, ",") != "budget,notes" {
		t.Errorf("dropped %v, want budget and notes", dropped)
	}
	// The deprecated flat analysis.structuredData and outputs named by
	// field are read too.
	vals, _ = p.Read(json.RawMessage(`{"budget":1200.5,"a1":{"name":"email","result":"a@b.test"}}`), tokyo)
	if vals["budget"] != 1200.5 || vals["email"] != "a@b.test" {
		t.Errorf("flat and per-field values: %v", vals)
	}
	if r, ok := p.Decide(outcome.Values{"interested": true}); ok || r != "" {
		t.Errorf("no rules decided %q", r)
	}
}

// The first rule that matches decides the result.
func TestDecide(t *testing.T) {
	t.Parallel()
	p, _ := outcome.Parse("qualification", "")
	cases := []struct {
		vals outcome.Values
		want string
	}{
		{outcome.Values{"do_not_call": true, "interest": "hot"}, outcome.OptOut},
		{outcome.Values{"do_not_call": false, "interest": "hot"}, "won"},
		{outcome.Values{"interest": "cold"}, "lost"},
		{outcome.Values{"interest": "warm"}, ""},
	}
	for _, c := range cases {
		if got, _ := p.Decide(c.vals); got != c.want {
			t.Errorf("%v: result %q, want %q", c.vals, got, c.want)
		}
	}
}

// An opt-out rule wins over an earlier rule the call also matches (a
// person not interested who asked not to be called again is an opt-out,
// not "lost"), and any spelling of the opt-out, in a rule or stored
// before spellings were read, is the opt-out that lists the number.
func TestOptOutWinsWhateverItsPlaceAndSpelling(t *testing.T) {
	t.Parallel()
	p, err := outcome.Parse(`[{"name":"interested","type":"boolean"},{"name":"do_not_call","type":"boolean"}]`,
		`[{"field":"interested","equals":false,"result":"lost"},{"field":"do_not_call","equals":true,"result":"Opt out"}]`)
	if err != nil {
		t.Fatal(err)
	}
	if p.Rules[1].Result != outcome.OptOut {
		t.Errorf("rule result stored as %q, want %q", p.Rules[1].Result, outcome.OptOut)
	}
	if r, _ := p.Decide(outcome.Values{"interested": false, "do_not_call": true}); r != outcome.OptOut {
		t.Errorf("result %q: the opt-out lost to an earlier rule", r)
	}
	if r, _ := p.Decide(outcome.Values{"interested": false, "do_not_call": false}); r != "lost" {
		t.Errorf("result %q, want lost", r)
	}
	stored, _ := outcome.Decode(`[{"name":"do_not_call","type":"boolean"}]`, `[{"field":"do_not_call","equals":true,"result":"OPT-OUT"}]`)
	if r, _ := stored.Decide(outcome.Values{"do_not_call": true}); r != outcome.OptOut {
		t.Errorf("stored rule decided %q, want %q", r, outcome.OptOut)
	}
	for in, want := range map[string]string{" Opt-Out ": outcome.OptOut, "opted out": outcome.OptOut, "Do not call": outcome.OptOut,
		"DNC": outcome.OptOut, "optout": outcome.OptOut, " Won ": "Won", "opt-outs": "opt-outs"} {
		if got := outcome.NormalResult(in); got != want {
			t.Errorf("NormalResult(%q) = %q, want %q", in, got, want)
		}
	}
}

type window struct{ start, end int }

// NextOpen of a window open every day from start to end o'clock in the
// first zone.
func (w window) NextOpen(from time.Time, zones []string) time.Time {
	loc, _ := time.LoadLocation(zones[0])
	t := from.In(loc)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	for i := range 3 {
		open := day.AddDate(0, 0, i).Add(time.Duration(w.start) * time.Hour)
		shut := day.AddDate(0, 0, i).Add(time.Duration(w.end) * time.Hour)
		if !t.After(open) {
			return open
		}
		if t.Before(shut) {
			return t
		}
	}
	return time.Time{}
}

// A callback is placed when asked, never in the past, and moved into the
// calling window when asked outside it.
func TestCallbackAt(t *testing.T) {
	t.Parallel()
	p, _ := outcome.Parse("follow-up", "")
	now := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC) // 15:00 in Tokyo
	started := now.Add(-5 * time.Minute)                // the call started 14:55
	zones := []string{"Asia/Tokyo"}
	w := window{9, 17}
	cases := map[string]time.Time{
		"2026-12-08T10:00:00+09:00": time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC),
		"2026-12-08T20:00:00+09:00": time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC), // next day 09:00
		"2026-12-07T14:58:00+09:00": now,                                          // during the call: now
		"2026-12-08T07:30:00+09:00": time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC), // opens 09:00
	}
	for asked, want := range cases {
		got, ok := p.CallbackAt(outcome.Values{"callback_at": asked}, started, now, w, zones)
		if !ok || !got.Equal(want) {
			t.Errorf("asked %s: callback %v %v, want %v", asked, got, ok, want)
		}
	}
	// Nothing for no time, a time three months ahead, or one at or before
	// the call started: the time agreed, restated on the callback call.
	for _, asked := range []string{"", "2027-03-01T10:00:00+09:00", "2026-12-07T14:55:00+09:00", "2026-12-01T10:00:00+09:00"} {
		if at, ok := p.CallbackAt(outcome.Values{"callback_at": asked}, started, now, w, zones); ok {
			t.Errorf("asked %q: a callback at %v", asked, at)
		}
	}
}

// The request carrying every field type is a valid CreateCallDTO, with
// the date-time asked in the contact's own time.
func TestOutputMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	spec, err := openapi.Load("../vapi/testdata/vapi-openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := outcome.Parse(`[{"name":"interested","type":"boolean","description":"Interested?"},{"name":"budget","type":"number"},
		{"name":"interest","type":"enum","options":["hot","cold"]},{"name":"callback_at","type":"datetime"},{"name":"notes","type":"string"}]`, "")
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	local := time.Date(2026, 12, 7, 15, 4, 0, 0, tokyo)
	vars := map[string]any{"name": "Tom"}
	for k, v := range outcome.Variables(local) {
		vars[k] = v
	}
	req := vapi.CreateCallRequest{AssistantID: "a", PhoneNumberID: "p", Customer: vapi.Customer{Number: "+81312345678"},
		AssistantOverrides: &vapi.AssistantOverrides{VariableValues: vars,
			ArtifactPlan: &vapi.ArtifactPlan{StructuredOutputs: []vapi.StructuredOutput{p.Output(local)}}}}
	body, _ := json.Marshal(req)
	var value any
	_ = json.Unmarshal(body, &value)
	if errs := spec.Check("CreateCallDTO", value, "body"); len(errs) > 0 {
		t.Fatalf("request %s violates CreateCallDTO:\n%s", body, strings.Join(errs, "\n"))
	}
	out := p.Output(local)
	// properties is a map of JsonSchema (additionalProperties, which the
	// checker does not follow): each is checked on its own.
	for name, prop := range out.Schema.Properties {
		b, _ := json.Marshal(prop)
		var v any
		_ = json.Unmarshal(b, &v)
		if errs := spec.Check("JsonSchema", v, name); len(errs) > 0 {
			t.Errorf("property %s violates JsonSchema: %v", name, errs)
		}
	}
	if d := out.Schema.Properties["callback_at"].Description; !strings.Contains(d, "Monday 2026-12-07 15:04 (Asia/Tokyo)") {
		t.Errorf("date-time description %q lacks the contact's local time", d)
	}
	// Vapi does not extract outcomes from a voicemail greeting.
	if c := out.Conditions; len(c) != 1 || c[0].Type != "endedReason" || c[0].Operator != "notOneOf" || !slices.Contains(c[0].Values, "voicemail") {
		t.Errorf("conditions %+v, want the output gated off voicemail", c)
	}
	// The date-time's form is enforced, not only asked for: an offset
	// ("Z") added to a local time would move it by the zone's offset.
	prop, _ := json.Marshal(out.Schema.Properties["callback_at"])
	if !strings.Contains(string(prop), `"pattern":"^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$"`) {
		t.Errorf("date-time schema %s has no local date-time pattern", prop)
	}
	if vars["contact_timezone"] != "Asia/Tokyo" {
		t.Errorf("variables %v", vars)
	}
}
