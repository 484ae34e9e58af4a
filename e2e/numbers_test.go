package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/dev/apitest"
)

// TestNumberHistoryFromContactRow: a contact's phone on the campaign page
// opens the number's history: its calls in every campaign, newest first,
// with campaign, outcome and the frequency cap's standing.
func TestNumberHistoryFromContactRow(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	asst := e.CreateAssistant("Caller")
	shared := "+14155550601"
	spring := e.CreateCampaign(map[string]string{"name": "Spring list", "assistantId": asst}, "name,phone\nAnn,"+shared+"\n").CampaignID
	autumn := e.CreateCampaign(map[string]string{"name": "Autumn list", "assistantId": asst}, "name,phone\nAnn B,"+shared+"\nCy,+14155550602\n").CampaignID
	e.AddCall(t, spring, shared, apitest.Call{Status: "ENDED", EndedReason: "voicemail", Disposition: "voicemail"})
	e.AddCall(t, autumn, shared, apitest.Call{Status: "ENDED", EndedReason: "customer-ended-call", Disposition: "answered", Cost: 0.25})
	e.AddCall(t, autumn, "+14155550602", apitest.Call{Status: "ENDED", EndedReason: "customer-busy", Disposition: "busy"})
	e.Exec(t, `update calls l set dial_requested_at = $2::timestamptz - case when l.campaign_id = $1 then interval '1 day' else interval '1 hour' end,
		structured_data = case when l.campaign_id <> $1 then '{"interested": true}'::jsonb end`, spring, e.Clock.Now())

	p := open(t, e)
	p.signIn(e.Operator, apitest.OperatorEmail)
	p.goTo("#/campaigns/" + spring)
	p.do("open the number's history", chromedp.Click(chromedp.CSS(`[data-testid="contact-row"] [data-testid="number-link"]`)))
	p.waitText(tid("number-title"), "Calls to "+shared, true)
	p.until("the calls", `document.querySelectorAll('[data-testid="number-row"]').length === 2`, waitTimeout)
	got := eval[[]string](p, `[...document.querySelectorAll('[data-testid="number-row"]')].map((r) =>
		r.querySelector('[data-testid="number-campaign"]').textContent + ' | ' + r.querySelector('[data-testid="number-outcome"]').textContent)`)
	want := []string{"Autumn list | answered — interested: yes", "Spring list | voicemail"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if a := eval[string](p, `document.querySelector('[data-testid="number-cap"]').dataset.attempts`); a != "2" {
		t.Errorf("cap attempts = %q, want 2", a)
	}
	p.shot("number-history")
	p.do("open the other campaign", chromedp.Click(chromedp.CSS(`[data-testid="number-row"] [data-testid="number-campaign"]`)))
	p.until("the autumn campaign", `location.hash === '#/campaigns/`+autumn+`'`, waitTimeout)
}
