package e2e_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/teamsystem"
)

// An admin adds a destination on the Admin page, keeps its secret (the
// receiver verifies every delivery with it), sends a test event, sees a
// failed delivery in the log, redelivers it, edits its events, and makes
// the outcomes CSV link a spreadsheet reads.
func TestDestinationsPage(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	crm := teamsystem.Start(t, func(n int) int {
		if n == 2 { // the opt-out's first attempt
			return http.StatusBadGateway
		}
		return http.StatusOK
	}, 0)

	p := open(t, e)
	p.signIn(e.Admin, apitest.AdminEmail)
	p.goTo("#/admin")
	p.do("fill the destination", chromedp.WaitVisible(tid("destination-form")),
		p.setValue(tid("destination-name"), "CRM"), p.setValue(tid("destination-url"), crm.URL),
		chromedp.Click(tid("destination-submit")))
	p.waitText(tid("destination-secret"), "whsec_", false)
	crm.SetSecret(p.text(tid("destination-secret")))
	crm.SetClock(e.Clock.Now)
	p.do("send a test event", chromedp.WaitVisible(tid("destination-row")), chromedp.Click(tid("destination-test")))
	p.waitText(tid("destination-result"), "Test event delivered", false)

	e.Exec(t, `insert into dnc (phone, source, reason) values ('+14155550100', 'opt-out', 'asked')`)
	e.Tick("")
	p.do("open the log", chromedp.Click(tid("destination-log-open")))
	p.until("the failed attempt in the log", `[...document.querySelectorAll('[data-testid="attempt-row"]')].some((r) => r.dataset.statusCode === '502')`, waitTimeout)
	p.do("redeliver", chromedp.Click(`[data-testid="delivery-row"][data-event="contact.opted_out"] [data-testid="delivery-redeliver"]`))
	p.until("the redelivery", `document.querySelector('[data-testid="delivery-row"][data-event="contact.opted_out"]')?.dataset.status === 'delivered'`, waitTimeout)
	p.shot("destinations")

	p.do("edit its events", chromedp.Click(tid("destination-edit")),
		chromedp.Click(tid("destination-event-call.finished")), chromedp.Click(tid("destination-submit")))
	p.waitText(tid("destination-result"), "Saved CRM", false)
	p.waitText(`[data-testid="destination-row"] td:nth-child(3)`, "campaign.finished, contact.opted_out", true)

	p.do("make the CSV link", chromedp.Click(tid("destination-feed")))
	p.waitText(tid("destination-feed-url"), "/outcomes.csv?token=", false)
	resp, err := http.Get(p.text(tid("destination-feed-url")))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(b), "finished_at,") {
		t.Errorf("CSV link: %d %s", resp.StatusCode, b)
	}
	if n := crm.Requests(); n != 3 || len(crm.Taken()) != 2 {
		t.Errorf("%d requests taking %v; want the test event, and the opt-out after a refusal", n, crm.Taken())
	}
}
