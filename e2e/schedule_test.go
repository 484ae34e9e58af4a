package e2e_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/dev/apitest"
)

// TestScheduleLaunchInBrowser: on a new campaign's page the operator
// places a test call to a number they type, as one of the contacts, and
// follows it to its end while the campaign's metrics stay at zero; then
// picks a start time and schedules the campaign; the page shows SCHEDULED
// with the start time and dials nobody; when the server's (injected)
// clock passes that time, the cron's tick launches it and the page
// follows it to a running campaign.
func TestScheduleLaunchInBrowser(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	asst := e.CreateAssistant("Caller")
	id := e.CreateCampaign(map[string]string{"name": "Later list", "assistantId": asst}, "name,phone\nAnn,+12125550501\nBob,+12125550502\n").CampaignID
	p := open(t, e)
	p.signIn(e.Operator, apitest.OperatorEmail)
	p.goTo("#/campaigns/" + id)
	p.waitText(tid("status-badge"), "CREATED", true)

	p.until("the contacts to choose from", `document.querySelectorAll('[data-testid="test-call-contact"] option').length === 3`, waitTimeout)
	p.do("type the number and choose Bob", p.setValue(tid("test-call-phone"), "+1 415 555 0999"),
		p.setValue(tid("test-call-contact"), eval[string](p, `[...document.querySelectorAll('[data-testid="test-call-contact"] option')].find((o) => o.textContent.startsWith('Bob')).value`)))
	p.do("place the test call", chromedp.Click(tid("test-call-submit")))
	p.waitText(tid("test-call-result"), "Test call to +14155550999 placed.", true)
	ended := `document.querySelector('[data-testid="test-call-row"]')?.dataset.status === 'ENDED'`
	for i := 0; i < 100 && !eval[bool](p, ended); i++ {
		e.Clock.Advance(3 * time.Second) // the page asks Vapi about a live test call at most every 2 s
		time.Sleep(200 * time.Millisecond)
	}
	p.until("the test call's end", ended, waitTimeout)
	if calls := e.Sim.Calls(); len(calls) != 1 || calls[0].AssistantOverrides.VariableValues["name"] != "Bob" {
		t.Fatalf("simulator calls = %+v", calls)
	}
	if got := p.text(tid("metric-dialed")); got != "0" {
		t.Errorf("the test call shows in the campaign's metrics: dialed %q", got)
	}
	p.shot("test-call")

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
	if n := len(e.Sim.Calls()); n != 1 || e.Summary(id).Status != "SCHEDULED" {
		t.Fatalf("before its time: %d calls, status %s", n, e.Summary(id).Status)
	}
	p.shot("scheduled")
	p.goTo("#/campaigns")
	p.until("the list's start time", `document.querySelector('[data-testid="campaign-row"][data-id=`+js(id)+`] [data-testid="scheduled-at"]')?.dataset.at === `+js(at), waitTimeout)
	p.goTo("#/campaigns/" + id)
	p.waitText(tid("status-badge"), "SCHEDULED", true)
	e.Clock.Advance(11 * time.Minute)
	p.until("the launch", `['DIALING', 'RUNNING', 'COMPLETED'].includes(document.querySelector('[data-testid="status-badge"]')?.textContent)`, waitTimeout)
	stop()
	if p.count(tid("scheduled")) != 0 {
		t.Error("the scheduled note stays after the launch")
	}
}
