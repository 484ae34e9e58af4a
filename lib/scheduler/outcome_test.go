package scheduler_test

import (
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
)

// tokyoCampaign starts a one-contact campaign of the follow-up outcome
// fields calling tokyo (whose person says answers) on Monday 14:00 Tokyo
// time, with more fields of the create form in extra.
func tokyoCampaign(t *testing.T, answers []map[string]any, extra map[string]string) (*apitest.Env, string) {
	t.Helper()
	start := time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC)
	e := apitest.New(t, apitest.Options{Now: start, Sim: vapisim.Config{Seed: 18, Mix: vapisim.Mix{Answered: 1},
		Answers: vapisim.Answers{tokyo: answers}}})
	form := map[string]string{"name": "tokyo", "assistantId": e.CreateAssistant("Outcomes"), "maxAttempts": "1",
		"outcomeFields": "follow-up", "callingWindowStart": "09:00", "callingWindowEnd": "17:00"}
	for k, v := range extra {
		form[k] = v
	}
	c := e.CreateCampaign(form, "name,business_name,phone\nTom,Tokyo Ramen,"+tokyo+"\n")
	e.Control(c.CampaignID, "start")
	return e, c.CampaignID
}

// reachCallback waits until the campaign's one contact has a callback
// pending after its n-th call, and moves the clock to when it is due.
func reachCallback(t *testing.T, e *apitest.Env, id string, n int) {
	t.Helper()
	var due *time.Time
	e.Eventually(30*time.Second, id, func() bool {
		due = nil
		_ = e.DB.QueryRow(t.Context(), `select k.callback_at from contacts k where k.campaign_id = $1
			and (select count(*) from calls l where l.contact_id = k.id) = $2`, id, n).Scan(&due)
		return due != nil
	})
	e.Clock.Advance(due.Sub(e.Clock.Now()))
}

// A NUL in an outcome text (which jsonb refuses) does not cost the
// end-of-call report: the cost and the outcomes are kept, the NUL
// replaced as in every other text stored from Vapi.
func TestNULInOutcomeTextKeepsTheReport(t *testing.T) {
	t.Parallel()
	e, id := tokyoCampaign(t, []map[string]any{{"interested": true, "notes": "call\x00me"}}, nil)
	var notes *string
	var cost *float64
	e.Eventually(30*time.Second, id, func() bool {
		_ = e.DB.QueryRow(t.Context(), `select outcomes->>'notes', cost::float8 from calls where campaign_id = $1`, id).Scan(&notes, &cost)
		return notes != nil
	})
	if *notes != "call\ufffdme" || cost == nil {
		t.Errorf("notes %q cost %v, want the NUL replaced and the cost kept", *notes, cost)
	}
}
