package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/campaign"
)

// outcomeCampaign runs a campaign of n contacts with the given outcome
// settings to COMPLETED on the simulator, every call answered, each
// number saying what answers scripts.
func outcomeCampaign(t *testing.T, answers vapisim.Answers, fields map[string]string, n int) (*campEnv, string, string) {
	t.Helper()
	e := newCampEnv(t, apitest.Options{Sim: vapisim.Config{Seed: 18, Mix: vapisim.Mix{Answered: 1}, Answers: answers}})
	tok := e.NewOperator(t)
	fields["maxAttempts"] = "1"
	id := e.create(t, tok, fields, apitest.CSVHeader+apitest.Rows(0, n)).CampaignID
	e.Control(id, "start")
	e.Eventually(30*time.Second, id, func() bool { return e.Summary(id).Status == "COMPLETED" })
	return e, tok, id
}

// contactsBy reads a campaign's contacts (with a query) by phone.
func contactsBy(t *testing.T, e *campEnv, tok, id, query string) map[string]campaign.Contact {
	t.Helper()
	var p contactPage
	e.GetJSON(t, tok, "/api/campaigns/"+id+"/contacts?limit=500"+query, &p)
	out := map[string]campaign.Contact{}
	for _, c := range p.Contacts {
		out[c.Phone] = c
	}
	return out
}

// Outcome fields from a template reach Vapi on every call; what the
// simulator's people say comes back typed into the contacts table, the
// call, the filters, the summary's counts, the results the template's
// rules give and the export's outcome columns (formula-safe). A value of
// the wrong type is dropped and named in the event log.
func TestOutcomeFieldsFromCallToExport(t *testing.T) {
	t.Parallel()
	answers := vapisim.Answers{
		apitest.Phone(0): {{"interested": true, "email": "=cmd|' /C calc'!A0", "notes": "Wants a demo"}},
		apitest.Phone(1): {{"interested": false, "notes": "Not now"}},
		apitest.Phone(2): {{"interested": "maybe"}},
	}
	e, tok, id := outcomeCampaign(t, answers, map[string]string{"outcomeFields": "follow-up"}, 3)

	for _, c := range e.Sim.Calls() {
		o := c.AssistantOverrides
		if o.ArtifactPlan == nil || len(o.ArtifactPlan.StructuredOutputs) != 1 || o.ArtifactPlan.StructuredOutputs[0].Name != "autolynx_outcomes" {
			t.Fatalf("call without the outcome fields' structured output: %+v", o.ArtifactPlan)
		}
		if o.VariableValues["contact_timezone"] != "America/New_York" || o.VariableValues["contact_local_time"] == nil {
			t.Errorf("variables %v lack the contact's local time", o.VariableValues)
		}
	}
	got := contactsBy(t, e, tok, id, "")
	won, lost, odd := got[apitest.Phone(0)], got[apitest.Phone(1)], got[apitest.Phone(2)]
	var wonValues map[string]any
	_ = json.Unmarshal(won.Outcomes, &wonValues)
	if wonValues["interested"] != true || won.Result == nil || *won.Result != "won" || *won.ResultSource != "rule" {
		t.Errorf("interested contact: outcomes %s result %v", won.Outcomes, won.Result)
	}
	if lost.Result == nil || *lost.Result != "lost" {
		t.Errorf("uninterested contact: result %v", lost.Result)
	}
	if odd.Result != nil || strings.Contains(string(odd.Outcomes), "interested") {
		t.Errorf("a value of the wrong type was kept: outcomes %s result %v", odd.Outcomes, odd.Result)
	}
	var payload string
	if err := e.DB.QueryRow(t.Context(), `select payload::text from call_events where call_id = $1 and type = 'call.outcome'`,
		odd.Call.ID).Scan(&payload); err != nil || !strings.Contains(payload, `"dropped": ["interested"]`) || strings.Contains(payload, "maybe") {
		t.Errorf("event log of the dropped value: %s %v", payload, err)
	}
	var call campaign.CallDetail
	e.GetJSON(t, tok, "/api/campaigns/"+id+"/calls/"+won.Call.ID.String(), &call)
	if !strings.Contains(string(call.Outcomes), "Wants a demo") {
		t.Errorf("call outcomes %s", call.Outcomes)
	}

	// Filters.
	if f := contactsBy(t, e, tok, id, "&outcome.interested=true"); len(f) != 1 || f[apitest.Phone(0)].ID != won.ID {
		t.Errorf("outcome.interested=true gave %d contacts", len(f))
	}
	if f := contactsBy(t, e, tok, id, "&result=lost"); len(f) != 1 || f[apitest.Phone(1)].ID != lost.ID {
		t.Errorf("result=lost gave %d contacts", len(f))
	}
	for _, q := range []string{"outcome.interested=maybe", "outcome.nope=1", "outcome.callback_at=2026-01-01T10:00"} {
		r := e.Send(t, http.MethodGet, "/api/campaigns/"+id+"/contacts?"+q, tok, "", nil)
		if apitest.WantError(t, r, http.StatusBadRequest, "VALIDATION_ERROR").Error.Details["field"] == nil {
			t.Errorf("%s: no field named", q)
		}
	}

	// Charts.
	s := e.Summary(id)
	if s.Outcomes == nil || s.Outcomes.Counts["interested"].Given != 2 || s.Outcomes.Counts["interested"].Values["true"] != 1 ||
		s.Outcomes.Counts["notes"].Given != 2 || s.Outcomes.Results["won"] != 1 || s.Outcomes.Results["lost"] != 1 {
		t.Errorf("summary outcomes %+v", s.Outcomes)
	}

	// Export.
	r := e.Send(t, http.MethodGet, "/api/campaigns/"+id+"/export.csv", tok, "", nil)
	recs, err := csvReader(r.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := strings.Join(recs[0], ",")
	if !strings.HasSuffix(header, ",transcript_json,result,outcome.interested,outcome.callback_at,outcome.email,outcome.notes") {
		t.Fatalf("export header %s", header)
	}
	for _, rec := range recs[1:] {
		if rec[2] == apitest.Phone(0) && strings.Join(rec[8:], "|") != "won|true||'=cmd|' /C calc'!A0|Wants a demo" {
			t.Errorf("export row %q", rec[8:])
		}
	}

	// The team's systems get the same values by field name: the outcomes
	// CSV link of a destination has one column per field.
	dst := addDestination(t, e.Env, "https://example.com/hook")
	var feed struct{ URL string }
	if code := e.JSON(http.MethodPost, "/api/admin/destinations/"+dst.Destination.ID.String()+"/feed", e.Admin, nil, &feed); code != http.StatusOK {
		t.Fatalf("feed: %d", code)
	}
	r = e.Send(t, http.MethodGet, strings.TrimPrefix(feed.URL, e.Server.URL), "", "", nil)
	recs, err = csvReader(r.Body).ReadAll()
	if err != nil || len(recs) != 4 {
		t.Fatalf("outcomes CSV: %d rows, %v\n%s", len(recs), err, r.Body)
	}
	cols := strings.Join(recs[0], ",")
	if !strings.Contains(cols, "outcome.interested") || !strings.Contains(cols, "outcome.email") || strings.Contains(cols, "autolynx_outcomes") {
		t.Errorf("outcomes CSV columns %s", cols)
	}
}

// An operator corrects a contact's result by hand: it shows in the table
// as set by hand, the event log says who and when, and a bad request is a
// 400 (or 404 for a contact not in the campaign).
func TestManualResult(t *testing.T) {
	t.Parallel()
	e, tok, id := outcomeCampaign(t, vapisim.Answers{apitest.Phone(0): {{"interested": false}}}, map[string]string{"outcomeFields": "follow-up"}, 1)
	k := contactsBy(t, e, tok, id, "")[apitest.Phone(0)]
	path := "/api/campaigns/" + id + "/contacts/" + k.ID.String() + "/result"
	if st := e.JSON(http.MethodPut, path, tok, map[string]any{"result": "won"}, nil); st != http.StatusOK {
		t.Fatalf("set result: %d", st)
	}
	k = contactsBy(t, e, tok, id, "")[apitest.Phone(0)]
	if k.Result == nil || *k.Result != "won" || *k.ResultSource != "manual" || k.ResultSetAt == nil {
		t.Errorf("after the correction: result %v source %v at %v", k.Result, k.ResultSource, k.ResultSetAt)
	}
	var payload string
	if err := e.DB.QueryRow(t.Context(), `select payload::text from call_events where campaign_id = $1 and type = 'contact.result'`,
		id).Scan(&payload); err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	_ = json.Unmarshal([]byte(payload), &ev)
	if ev["result"] != "won" || ev["previous"] != "lost" || ev["by"] == "" || !strings.Contains(ev["byEmail"].(string), "@") {
		t.Errorf("event %s", payload)
	}
	for body, want := range map[string]int{`{"result":""}`: 400, `{"result":"` + strings.Repeat("x", 41) + `"}`: 400, `{"result":"won\u0000"}`: 400, `{"result":"a\nb"}`: 400, `{"outcome":"won"}`: 400} {
		r := e.Send(t, http.MethodPut, path, tok, "application/json", strings.NewReader(body))
		apitest.WantError(t, r, want, "VALIDATION_ERROR")
	}
	r := e.Send(t, http.MethodPut, "/api/campaigns/"+id+"/contacts/"+apitest.NewID()+"/result", tok, "application/json", strings.NewReader(`{"result":"won"}`))
	apitest.WantError(t, r, http.StatusNotFound, "NOT_FOUND")
	// Opt-out by hand, however it is spelled, lists the number, as its
	// rule would.
	var set struct{ Result string }
	if st := e.JSON(http.MethodPut, path, tok, map[string]any{"result": " Opt out"}, &set); st != http.StatusOK || set.Result != "opt-out" {
		t.Fatalf("set opt-out: %d, result %q", st, set.Result)
	}
	if n := e.Count(t, `select count(*) from dnc where phone = $1`, apitest.Phone(0)); n != 1 {
		t.Errorf("opt-out by hand: number listed %d times", n)
	}
	if st := e.JSON(http.MethodPut, path, tok, map[string]any{"result": nil}, nil); st != http.StatusOK {
		t.Fatalf("clear result: %d", st)
	}
	if k := contactsBy(t, e, tok, id, "")[apitest.Phone(0)]; k.Result != nil || k.ResultSource != nil {
		t.Errorf("cleared result %v source %v", k.Result, k.ResultSource)
	}
}

// A person who says "do not call me" gets the opt-out result by the
// campaign's rule, and the number joins the do-not-call list before any
// further dial: another campaign that already held the number (made
// before the opt-out, so its import could not drop it) never calls it.
func TestOptOutRuleStopsEveryCampaign(t *testing.T) {
	t.Parallel()
	answers := vapisim.Answers{apitest.Phone(0): {{"do_not_call": true}}}
	e := newCampEnv(t, apitest.Options{Sim: vapisim.Config{Seed: 18, Mix: vapisim.Mix{Answered: 1}, Answers: answers}})
	tok := e.NewOperator(t)
	first := e.create(t, tok, map[string]string{"maxAttempts": "1", "outcomeFields": "qualification"}, apitest.CSVHeader+apitest.Rows(0, 2)).CampaignID
	second := e.create(t, tok, map[string]string{"maxAttempts": "1"}, apitest.CSVHeader+apitest.Rows(0, 3)).CampaignID
	e.Control(first, "start")
	e.Eventually(30*time.Second, first, func() bool { return e.Summary(first).Status == "COMPLETED" })
	if k := contactsBy(t, e, tok, first, "")[apitest.Phone(0)]; k.Result == nil || *k.Result != "opt-out" {
		t.Fatalf("result %v, want opt-out", k.Result)
	}
	if n := e.Count(t, `select count(*) from dnc where phone = $1 and source = 'opt-out'`, apitest.Phone(0)); n != 1 {
		t.Fatalf("number on the do-not-call list %d times", n)
	}
	e.Control(second, "start")
	e.Eventually(30*time.Second, second, func() bool { return e.Summary(second).Status == "COMPLETED" })
	if n := e.Sim.Stats().ByCustomer[apitest.Phone(0)]; n != 1 {
		t.Errorf("the opted-out number was called %d times, want once (by the first campaign)", n)
	}
	if n := len(e.Sim.Calls()); n != 4 {
		t.Errorf("%d calls, want the first campaign's 2 and the second's 2 others", n)
	}
}

// Outcome settings are checked at creation: a bad definition is a 400
// naming the field, and no campaign is made.
func TestOutcomeFieldsValidatedAtCreation(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	cases := map[string]map[string]string{
		"duplicate":       {"outcomeFields": `[{"name":"a","type":"string"},{"name":"a","type":"boolean"}]`},
		"unsafe name":     {"outcomeFields": `[{"name":"a b","type":"string"}]`},
		"not JSON":        {"outcomeFields": `[{"name":`},
		"template":        {"outcomeFields": "nope"},
		"rule":            {"outcomeFields": "follow-up", "outcomeRules": `[{"field":"email","equals":1,"result":"x"}]`},
		"enum no options": {"outcomeFields": `[{"name":"a","type":"enum"}]`},
	}
	for name, fields := range cases {
		ct, body := apitest.Multipart(e.form(fields), apitest.CSVHeader+apitest.Rows(0, 1))
		r := e.Send(t, http.MethodPost, "/api/campaigns", tok, ct, body)
		if d := apitest.WantError(t, r, http.StatusBadRequest, "VALIDATION_ERROR").Error.Details["field"]; d == nil {
			t.Errorf("%s: no field named", name)
		}
	}
	if n := e.Count(t, `select count(*) from campaigns`); n != 0 {
		t.Errorf("%d campaigns made from refused forms", n)
	}
	fields := `[{"name":"budget","type":"number","description":"Monthly budget"},{"name":"tier","type":"enum","options":["a","b"]}]`
	id := e.create(t, tok, map[string]string{"outcomeFields": fields, "outcomeRules": `[{"field":"tier","equals":"A","result":"won"}]`},
		apitest.CSVHeader+apitest.Rows(0, 1)).CampaignID
	s := e.Summary(id)
	if s.Outcomes == nil || len(s.Outcomes.Fields) != 2 || s.Outcomes.Rules[0].Equals != "a" {
		t.Errorf("stored definitions %+v", s.Outcomes)
	}
	var tpl struct{ Templates []struct{ Name string } }
	e.GetJSON(t, tok, "/api/campaigns/outcome-templates", &tpl)
	if len(tpl.Templates) < 2 || tpl.Templates[0].Name != "follow-up" {
		t.Errorf("templates %+v", tpl)
	}
}
