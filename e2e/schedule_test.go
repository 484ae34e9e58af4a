package e2e_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/dev/apitest"
)

// TestScheduleLaunchInBrowser: on a new campaign's page the operator
// picks a start time and schedules it; the page shows SCHEDULED with the
// start time and dials nobody; when the server's (injected) clock passes
// that time, the cron's tick launches it and the page follows it to a
// running campaign.
func TestScheduleLaunchInBrowser(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	asst := e.CreateAssistant("Caller")
	id := e.CreateCampaign(map[string]string{"name": "Later list", "assistantId": asst}, "name,phone\nAnn,+12125550501\nBob,+12125550502\n").CampaignID
	p := open(t, e)
	p.signIn(e.Operator, apitest.OperatorEmail)
	p.goTo("#/campaigns/" + id)
	p.waitText(tid("status-badge"), "CREATED", true)
	// Ten minutes after the server's clock, written as the picker takes it
	// (the browser's own local time).
	at := e.Clock.Now().Add(10 * time.Minute).Truncate(time.Minute).UTC().Format(time.RFC3339)
	local := eval[string](p, `(() => { const d = new Date(`+js(at)+`); d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
		return d.toISOString().slice(0, 16); })()`)
	p.do("choose the start time", p.setValue(tid("schedule-at"), local))
	p.do("schedule", chromedp.Click(tid("schedule-submit")))
	p.waitText(tid("schedule-result"), "Campaign scheduled", false)
	p.waitText(tid("status-badge"), "SCHEDULED", true)
	if got := eval[string](p, `document.querySelector('[data-testid="scheduled"]')?.dataset.at ?? ''`); got != at {
		t.Errorf("scheduled note at %q, want %q", got, at)
	}
	stop := cron(t, e, id)
	time.Sleep(500 * time.Millisecond) // a few ticks before the time: nothing launches
	if n := len(e.Sim.Calls()); n != 0 || e.Summary(id).Status != "SCHEDULED" {
		t.Fatalf("before its time: %d calls, status %s", n, e.Summary(id).Status)
	}
	p.shot("scheduled")
	e.Clock.Advance(11 * time.Minute)
	p.until("the launch", `['DIALING', 'RUNNING', 'COMPLETED'].includes(document.querySelector('[data-testid="status-badge"]')?.textContent)`, waitTimeout)
	stop()
	if p.count(tid("scheduled")) != 0 {
		t.Error("the scheduled note stays after the launch")
	}
}
