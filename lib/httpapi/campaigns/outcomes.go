package campaigns

import (
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/httpapi"
	"github.com/autolynx/autolynx/lib/httpapi/jsonbody"
	"github.com/autolynx/autolynx/lib/outcome"
	"github.com/autolynx/autolynx/lib/problem"
)

// outcomeTemplates answers GET /api/campaigns/outcome-templates: the
// built-in outcome field sets the create form starts from.
func outcomeTemplates(_ *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	return httpapi.Reply(w, r, map[string]any{"templates": outcome.Templates}, nil)
}

// outcomeFilter reads the contacts list's outcome.<field>=<value>
// parameters, each value typed by its field (a date-time cannot be
// filtered on); nil when there are none.
func outcomeFilter(d *httpapi.Deps, r *http.Request, id uuid.UUID) (map[string]any, error) {
	var plan *outcome.Plan
	out := map[string]any{}
	for key, vals := range r.URL.Query() {
		name, ok := strings.CutPrefix(key, "outcome.")
		if !ok {
			continue
		}
		if plan == nil {
			p, err := outcome.Load(r.Context(), d.DB, id)
			if err != nil {
				return nil, err
			}
			plan = &p
		}
		f, known := plan.Field(name)
		if !known {
			return nil, problem.New(problem.Invalid, "no outcome field "+quote(name)+" in this campaign", "field", key)
		}
		v, ok := f.FilterValue(vals[0])
		if !ok {
			return nil, problem.New(problem.Invalid, quote(vals[0])+" is not a value of "+string(f.Type)+" field "+quote(name), "field", key)
		}
		out[name] = v
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func quote(s string) string { return `"` + s + `"` }

// setResult answers PUT /api/campaigns/{id}/contacts/{contactId}/result:
// an operator's correction of a contact's result ({"result": "won"}, or
// null to clear it), kept in the event log with who and when.
func setResult(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	contactID, err := httpapi.PathID(r, "contactId", "contact")
	if err != nil {
		return err
	}
	var body struct {
		Result *string `json:"result"`
	}
	if err := jsonbody.Decode(r, &body); err != nil {
		return err
	}
	if body.Result != nil {
		v := outcome.NormalResult(*body.Result)
		if !outcome.ValidResult(v) {
			return problem.New(problem.Invalid, "result must be 1 to 40 characters of text, or null to clear it", "field", "result")
		}
		body.Result = &v
	}
	caller := httpapi.Caller(r)
	if err := campaign.SetResult(r.Context(), d.DB, id, contactID, body.Result, caller.ID, caller.Email, d.Now()); err != nil {
		return err
	}
	return httpapi.Reply(w, r, map[string]any{"contactId": contactID, "result": body.Result}, nil)
}
