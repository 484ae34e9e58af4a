package e2e_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
)

// A cron that never ran shows as a banner to admins (the classic silent
// failure); once the cron ticks, the banner goes. Operators never see it.
// The operations page shows the tick's counts.
func TestStaleSchedulerBanner(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	p := open(t, e)
	p.signIn(e.Admin, apitest.AdminEmail)
	p.do("see the cron banner", chromedp.WaitVisible(tid("banner-cron")))
	if got := p.text(tid("banner-cron")); len(got) < 20 {
		t.Errorf("banner says only %q", got)
	}
	p.shot("banner-stale-cron")
	e.Tick("")
	p.visit("#/operations")
	p.do("open Operations", chromedp.WaitVisible(tid("ops-health-cron")))
	p.until("the cron to be ok", `document.querySelector('[data-testid="ops-health-cron"]').dataset.status === 'ok'`, waitTimeout)
	p.until("the banner to go", `!document.querySelector('[data-testid="banner-cron"]') || document.querySelector('[data-testid="banner-cron"]').offsetParent === null`, waitTimeout)
	p.shot("operations")

	p.goTo("#token=" + e.Operator)
	p.waitText(tid("nav", "user-email"), apitest.OperatorEmail, false)
	if n := p.count(tid("nav-operations")) + p.count(tid("banner-cron")); n != 0 {
		t.Errorf("an operator sees %d operations elements", n)
	}
}

// A campaign paused by its spend limit says why on its page; raising the
// limit there and resuming lets it finish.
func TestSpendLimitPauseAndRaise(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 40, Scale: 0.005, Mix: vapisim.Mix{Answered: 1}}})
	asst := e.CreateAssistant("Budget")
	c := e.CreateCampaign(map[string]string{"name": "Budgeted", "assistantId": asst, "cap": "2", "spendLimit": "0.01", "maxAttempts": "1"}, apitest.Contacts(6))
	e.Control(c.CampaignID, "start")
	cron(t, e, c.CampaignID)
	p := open(t, e)
	p.signIn(e.Admin, apitest.AdminEmail)
	p.goTo("#/campaigns/" + c.CampaignID)
	p.waitText(tid("status-reason"), "spend limit reached", false)
	p.waitText(tid("status-badge"), "PAUSED", true)
	p.shot("spend-limit-paused")
	p.do("raise the limit", p.setValue(tid("spend-limit-input"), "100"), chromedp.Click(tid("spend-limit-save")))
	p.do("see it saved", chromedp.WaitVisible(tid("spend-limit-result")))
	p.do("resume", chromedp.Click(tid("btn-resume")))
	p.waitText(tid("status-badge"), "COMPLETED", true)
}
