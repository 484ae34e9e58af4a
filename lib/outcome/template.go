package outcome

import "slices"

// Template is a ready set of outcome fields (and rules) an operator starts
// from.
type Template struct {
	Name   string  `json:"name"`
	Label  string  `json:"label"`
	Fields []Field `json:"fields"`
	Rules  []Rule  `json:"rules"`
}

// Plan is a fresh copy of the template's definitions.
func (t Template) Plan() Plan {
	p := Plan{Fields: slices.Clone(t.Fields), Rules: slices.Clone(t.Rules)}
	for i := range p.Fields {
		p.Fields[i].Options = slices.Clone(p.Fields[i].Options)
	}
	return p
}

// Templates are the built-in outcome sets.
var Templates = []Template{
	{
		Name:  "follow-up",
		Label: "Interested / callback time / email / notes",
		Fields: []Field{
			{Name: "interested", Type: Boolean, Description: "Did the person say they are interested in what was offered?"},
			{Name: "callback_at", Type: DateTime, Callback: true,
				Description: "When the person asked to be called back, if they did (for example \"tomorrow at 10\")."},
			{Name: "email", Type: String, Description: "The email address the person gave, if any."},
			{Name: "notes", Type: String, Description: "Anything the team should know before the next contact, in one or two sentences."},
		},
		Rules: []Rule{{Field: "interested", Equals: true, Result: "won"}, {Field: "interested", Equals: false, Result: "lost"}},
	},
	{
		Name:  "qualification",
		Label: "Interest level / budget / decision maker / do not call",
		Fields: []Field{
			{Name: "interest", Type: Enum, Options: []string{"hot", "warm", "cold"}, Description: "How interested the person sounded."},
			{Name: "budget", Type: Number, Description: "The monthly budget in US dollars the person mentioned, if any."},
			{Name: "decision_maker", Type: Boolean, Description: "Is the person the one who decides the purchase?"},
			{Name: "do_not_call", Type: Boolean, Description: "Did the person ask not to be called again?"},
			{Name: "callback_at", Type: DateTime, Callback: true, Description: "When the person asked to be called back, if they did."},
		},
		Rules: []Rule{
			{Field: "do_not_call", Equals: true, Result: OptOut},
			{Field: "interest", Equals: "hot", Result: "won"},
			{Field: "interest", Equals: "cold", Result: "lost"},
		},
	},
}

// TemplateNamed returns the built-in template called name.
func TemplateNamed(name string) (Template, bool) {
	i := slices.IndexFunc(Templates, func(t Template) bool { return t.Name == name })
	if i < 0 {
		return Template{}, false
	}
	return Templates[i], true
}

// TemplateNames lists the built-in templates' names.
func TemplateNames() []string {
	out := make([]string, len(Templates))
	for i, t := range Templates {
		out[i] = t.Name
	}
	return out
}
