package e2e_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/lib/apitest"
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
