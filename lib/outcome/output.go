package outcome

import (
	"time"

	"github.com/autolynx/autolynx/lib/vapi"
)

// Output is the transient structured output that asks Vapi to extract the
// campaign's fields from one call (assistantOverrides.artifactPlan.
// structuredOutputs): one object whose properties are the fields, each
// with its description, so one extraction sees all of them together.
// localNow is the contact's current local time: a date-time is asked for
// without an offset, in the contact's own time, and "tomorrow at 10" is
// resolved from the date given here.
func (p Plan) Output(localNow time.Time) vapi.StructuredOutput {
	props := make(map[string]vapi.JSONSchema, len(p.Fields))
	for _, f := range p.Fields {
		props[f.Name] = f.schema(localNow)
	}
	return vapi.StructuredOutput{
		Name:        OutputName,
		Description: "What the person said on this call, as the calling team records it. Leave out what was not said.",
		Schema:      vapi.JSONSchema{Type: "object", Properties: props},
		// A voicemail greeting says nothing of the person's: not worth
		// an extraction (the values of any call not answered are
		// ignored anyway).
		Conditions: []vapi.OutputCondition{{Type: "endedReason", Operator: "notOneOf", Values: []string{"voicemail"}}},
	}
}

// LocalDateTimePattern is the form a date-time value is extracted in:
// the person's local date and time, without an offset.
const LocalDateTimePattern = `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$`

// schema is one field's JSON schema (Vapi's JsonSchema: type, enum,
// pattern, description).
func (f Field) schema(localNow time.Time) vapi.JSONSchema {
	s := vapi.JSONSchema{Description: f.Description}
	switch f.Type {
	case Boolean:
		s.Type = "boolean"
	case Number:
		s.Type = "number"
	case Enum:
		s.Type, s.Enum = "string", f.Options
	case DateTime:
		// The pattern holds the extraction to a local time: an offset it
		// added ("Z") would move a Tokyo 10:00 to 19:00.
		s.Type, s.Pattern = "string", LocalDateTimePattern
		s.Description = join(f.Description, "Write it as YYYY-MM-DDTHH:MM in the person's local time, without an offset. "+
			"Their local time now is "+localNow.Format("Monday 2006-01-02 15:04")+" ("+localNow.Location().String()+").")
	default:
		s.Type = "string"
	}
	return s
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

// Variables are the assistant variables that tell it the contact's local
// date, time and zone, so a conversation about "tomorrow afternoon" can
// be held in the contact's own time ({{contact_local_time}} in a prompt).
func Variables(localNow time.Time) map[string]string {
	return map[string]string{
		"contact_local_time": localNow.Format("Monday 2006-01-02 15:04"),
		"contact_timezone":   localNow.Location().String(),
	}
}
