package vapisim

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Structured outputs: a call whose assistantOverrides.artifactPlan names
// transient structuredOutputs gets, once answered, a result for each in
// artifact.structuredOutputs ({id: {name, result}}), drawn from its JSON
// schema the way an extraction would fill it: yes/no, a number, one of
// an enum's options, text, and sometimes a callback request ("tomorrow
// 10:00") for a date-time asked in the person's local time. Config.Answers
// scripts what one number says.

// Answers script what a number's person says, by customer number: the
// n-th call placed to the number takes the n-th set of values by
// property name, and says nothing else (nothing at all after the last
// set). A text "tomorrow HH:MM" or "today HH:MM" is resolved as an
// assistant would, in the zone the call's contact_timezone variable names
// (UTC without one), and written as YYYY-MM-DDTHH:MM local time.
type Answers map[string][]map[string]any

// transientOutputs reads the structured outputs a call asked for.
func transientOutputs(overrides map[string]any) []map[string]any {
	plan, _ := overrides["artifactPlan"].(map[string]any)
	list, _ := plan["structuredOutputs"].([]any)
	var out []map[string]any
	for _, o := range list {
		if m, ok := o.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// answerOutputs adds a result for each transient output of an answered
// call to its artifact; the caller holds s.mu.
func (s *Sim) answerOutputs(c *call, p plan) {
	outputs := transientOutputs(c.v.AssistantOverrides)
	if len(outputs) == 0 || p.outcome != Answered || c.v.Artifact == nil {
		return
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(c.number))
	rng := rand.New(rand.NewPCG(s.cfg.Seed^0x0c7c0e, h.Sum64()+uint64(p.reply)))
	a := s.answering(c, p, rng)
	if c.v.Artifact.StructuredOutputs == nil {
		c.v.Artifact.StructuredOutputs = map[string]any{}
	}
	for _, o := range outputs {
		name, _ := o["name"].(string)
		schema, _ := o["schema"].(map[string]any)
		id := uuid.NewSHA1(uuid.NameSpaceURL, []byte(c.v.ID+"/"+name)).String()
		c.v.Artifact.StructuredOutputs[id] = map[string]any{"name": name, "result": a.value(name, schema)}
	}
}

// answering is how one call's person answers.
type answering struct {
	rng      *rand.Rand
	p        plan
	scripted map[string]any
	local    time.Time // the person's local time now
	name     string
}

func (s *Sim) answering(c *call, p plan, rng *rand.Rand) answering {
	loc := time.UTC
	if z, _ := c.vars["contact_timezone"].(string); z != "" {
		if l, err := time.LoadLocation(z); err == nil {
			loc = l
		}
	}
	name, _ := c.vars["name"].(string)
	a := answering{rng: rng, p: p, local: s.now().In(loc), name: name}
	if sets, ok := s.cfg.Answers[c.number]; ok {
		a.scripted = map[string]any{}
		if c.dial < uint64(len(sets)) {
			a.scripted = sets[c.dial]
		}
	}
	return a
}

// value draws a value of schema (nil: nothing said).
func (a answering) value(name string, schema map[string]any) any {
	typ, _ := schema["type"].(string)
	if a.scripted != nil && typ != "object" {
		return a.resolve(a.scripted[name])
	}
	desc, _ := schema["description"].(string)
	switch typ {
	case "object":
		props, _ := schema["properties"].(map[string]any)
		out := map[string]any{}
		for k, sub := range props {
			m, _ := sub.(map[string]any)
			if v := a.value(k, m); v != nil {
				out[k] = v
			}
		}
		return out
	case "boolean":
		if strings.Contains(name, "not_call") || strings.Contains(name, "opt_out") || name == "dnc" {
			return a.rng.Float64() < 0.05
		}
		return a.p.success
	case "number", "integer":
		return float64(a.rng.IntN(50) * 100)
	case "string":
		if opts, ok := schema["enum"].([]any); ok && len(opts) > 0 {
			return opts[a.rng.IntN(len(opts))]
		}
		switch {
		case strings.Contains(desc, "YYYY-MM-DDTHH:MM"):
			if a.p.success || a.rng.Float64() < 0.5 {
				return nil
			}
			return a.resolve(fmt.Sprintf("tomorrow %02d:00", 9+a.rng.IntN(8)))
		case strings.Contains(name, "email"):
			first := strings.ToLower(strings.Fields(a.name + " contact")[0])
			return first + "@example.com"
		}
		return notes[a.rng.IntN(len(notes))]
	}
	return nil
}

var notes = []string{
	"Asked for pricing by email first.",
	"Busy this week; open to a short demo.",
	"Uses a competitor; contract ends in spring.",
}

// resolve turns "tomorrow 10:00" or "today 16:30" into the person's
// local date-time; any other value is said as it is.
func (a answering) resolve(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	day, clock, ok := strings.Cut(s, " ")
	var at time.Time
	if t, err := time.Parse("15:04", clock); ok && err == nil {
		at = time.Date(a.local.Year(), a.local.Month(), a.local.Day(), t.Hour(), t.Minute(), 0, 0, a.local.Location())
	}
	switch {
	case at.IsZero():
		return s
	case day == "tomorrow":
		return at.AddDate(0, 0, 1).Format("2006-01-02T15:04")
	case day == "today":
		return at.Format("2006-01-02T15:04")
	}
	return s
}
