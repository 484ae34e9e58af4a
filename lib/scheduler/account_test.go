package scheduler_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/vapi"
)

// TestB2AccountRefusalPausesEveryCampaignAndResumes runs two campaigns
// into an account that runs out of credits after a few calls, once as
// Vapi's ended reason after a 201 and once as a 400 at POST /call. Each
// campaign must pause with a reason a person understands and an alert for
// admins, no contact may lose an attempt to the refusal, and after credits
// are added Resume must finish the list with every outcome equal to
// Vapi's truth.
func TestB2AccountRefusalPausesEveryCampaignAndResumes(t *testing.T) {
	t.Parallel()
	for name, as400 := range map[string]bool{"ended reason": false, "400 at POST /call": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 31, Mix: vapisim.Mix{Answered: 1},
				Faults: vapisim.Faults{OutOfCreditsAfter: 3, OutOfCreditsAs400: as400}}})
			asst := e.CreateAssistant("Caller")
			a := start(t, e, map[string]string{"cap": "2", "assistantId": asst, "name": "A"}, 6)
			b := start(t, e, map[string]string{"cap": "2", "assistantId": asst, "name": "B"}, 6)
			paused := func(id string) bool { return e.Summary(id).Status == "PAUSED" }
			e.Eventually(60*time.Second, "", func() bool { return paused(a) && paused(b) })
			for _, id := range []string{a, b} {
				s := e.Summary(id)
				if s.StatusReason == nil || !strings.Contains(*s.StatusReason, "insufficient credits") ||
					!strings.Contains(*s.StatusReason, "Resume") {
					t.Errorf("campaign %s: statusReason %v", id, s.StatusReason)
				}
			}
			var alerts int
			if err := e.DB.QueryRow(context.Background(),
				`select count(distinct campaign_id) from alerts where kind = 'vapi-account' and detail like '%insufficient credits%'`,
			).Scan(&alerts); err != nil {
				t.Fatal(err)
			}
			if alerts != 2 {
				t.Errorf("%d campaigns alerted, want 2", alerts)
			}
			// Paused: nothing more is dialed.
			before := e.Sim.Stats().CallsCreated
			for range 3 {
				e.Tick("")
			}
			if after := e.Sim.Stats().CallsCreated; after != before {
				t.Errorf("dialed %d calls while paused", after-before)
			}
			// Credits added; Resume continues both lists to the end.
			e.Sim.SetFaults(vapisim.Faults{})
			for _, id := range []string{a, b} {
				if st := e.Control(id, "resume"); st != http.StatusOK {
					t.Fatalf("resume: %d", st)
				}
			}
			e.Eventually(60*time.Second, "", func() bool { return done(t, e, a) && done(t, e, b) })
			assertVapisTruth(t, e, a, b)
		})
	}
}

// assertVapisTruth checks that every contact of the campaigns ended with
// a conversation (maxAttempts is 1, so a refused attempt must not have
// used it up) whose reason and cost are the simulator's.
func assertVapisTruth(t *testing.T, e *apitest.Env, campaigns ...string) {
	t.Helper()
	truth := map[string]vapi.Call{}
	for _, c := range e.Sim.Calls() {
		truth[c.ID] = c
	}
	for _, id := range campaigns {
		for _, o := range lastCalls(t, e, id) {
			want := truth[o.providerID]
			if d := callstate.Disposition(o.reason); d != "answered" {
				t.Errorf("contact %s…: %+v (%s), want a conversation", o.phone[:6], o, d)
			}
			if o.reason != want.EndedReason || o.cost == nil || want.Cost == nil || *o.cost != *want.Cost {
				t.Errorf("contact %s…: reason %q cost %s, Vapi says %q %s", o.phone[:6], o.reason, show(o.cost), want.EndedReason, show(want.Cost))
			}
		}
	}
}

// done reports whether the campaign completed and every report (which may
// trail the final status-update) is in.
func done(t *testing.T, e *apitest.Env, id string) bool {
	if !status(e, id)() {
		return false
	}
	for _, c := range lastCalls(t, e, id) {
		if c.cost == nil {
			return false
		}
	}
	return true
}

// lastCall is a contact's latest call as we recorded it.
type lastCall struct {
	phone, providerID, reason string
	cost                      *float64
}

func lastCalls(t *testing.T, e *apitest.Env, campaignID string) []lastCall {
	t.Helper()
	rows, err := e.DB.Query(context.Background(), `
		select k.phone, coalesce(l.provider_call_id, ''), coalesce(l.ended_reason, ''), l.cost::float8
		from contacts k left join calls l on l.id = k.last_call_id where k.campaign_id = $1`, campaignID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []lastCall
	for rows.Next() {
		var c lastCall
		if err := rows.Scan(&c.phone, &c.providerID, &c.reason, &c.cost); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// simCall reads Vapi's own view of a call (GET /call/{id}) as raw JSON.
func simCall(t *testing.T, e *apitest.Env, id string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.Sim.URL()+"/call/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+e.Sim.APIKey())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestB3B4EveryCallNamesItsBackoffPlanAndServerMessages: Vapi retries a
// failed delivery only when the call's server names a backoffPlan, and
// sends an imported assistant's own subscriptions unless the call
// overrides serverMessages.
func TestB3B4EveryCallNamesItsBackoffPlanAndServerMessages(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 32}})
	id := start(t, e, map[string]string{"cap": "2"}, 2)
	e.Eventually(30*time.Second, id, status(e, id))
	calls := e.Sim.Calls()
	if len(calls) != 2 {
		t.Fatalf("%d calls", len(calls))
	}
	for _, c := range calls {
		o, _ := simCall(t, e, c.ID)["assistantOverrides"].(map[string]any)
		msgs, _ := json.Marshal(o["serverMessages"])
		if string(msgs) != `["status-update","end-of-call-report"]` {
			t.Errorf("serverMessages %s", msgs)
		}
		srv, _ := o["server"].(map[string]any)
		plan, _ := json.Marshal(srv["backoffPlan"])
		if string(plan) != `{"baseDelaySeconds":2,"excludedStatusCodes":[400,401],"maxRetries":5,"type":"exponential"}` {
			t.Errorf("backoffPlan %s", plan)
		}
	}
}

// B4: an assistant imported as it stands at Vapi asks for Vapi's default
// server messages (conversation updates at every turn among them); the
// calls AutoLynx places override that with the two it reads, so Vapi
// sends nothing else and the event log holds nothing else.
func TestB4ImportedAssistantDoesNotFloodTheLog(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 33, Mix: vapisim.Mix{Answered: 1}}})
	made, err := e.Deps.Vapi.CreateAssistant(t.Context(), json.RawMessage(`{"name":"Imported","firstMessage":"Hi"}`))
	if err != nil {
		t.Fatal(err)
	}
	var a struct{ ID string }
	if st := e.JSON("POST", "/api/assistants/import", e.Admin, map[string]any{"providerAssistantId": made.ID}, &a); st != http.StatusCreated {
		t.Fatalf("import: %d", st)
	}
	id := start(t, e, map[string]string{"assistantId": a.ID, "cap": "2"}, 3)
	e.Eventually(30*time.Second, id, func() bool { return done(t, e, id) })
	sent := e.Sim.Stats().Sent
	if sent["status-update"] == 0 || sent["end-of-call-report"] != 3 || len(sent) != 2 {
		t.Errorf("Vapi sent %v, want status updates and 3 reports only", sent)
	}
	var others int
	if err := e.DB.QueryRow(t.Context(), `select count(*) from call_events where source = 'webhook'
		and type not in ('status-update', 'end-of-call-report')`).Scan(&others); err != nil || others != 0 {
		t.Errorf("%d other messages in the event log (%v)", others, err)
	}
}
