package e2e_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/lib/outbox"
)

// An admin adds a destination on the Admin page, keeps its secret, sends
// a test event the receiver verifies, sees a failed delivery in the log,
// redelivers it, and makes the outcomes CSV link a spreadsheet reads.
func TestDestinationsPage(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	var mu sync.Mutex
	secret, n, verified := "", 0, 0
	crm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		n++
		if outbox.Verify(secret, r.Header.Get(outbox.HeaderID), r.Header.Get(outbox.HeaderTimestamp), body, r.Header.Get(outbox.HeaderSignature)) {
			verified++
		}
		if n == 2 { // the opt-out's first attempt
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, "upstream down")
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(crm.Close)

	p := open(t, e)
	p.signIn(e.Admin, apitest.AdminEmail)
	p.goTo("#/admin")
	p.do("fill the destination", chromedp.WaitVisible(tid("destination-form")),
		p.setValue(tid("destination-name"), "CRM"), p.setValue(tid("destination-url"), crm.URL),
		chromedp.Click(tid("destination-submit")))
	p.waitText(tid("destination-secret"), "whsec_", false)
	mu.Lock()
	secret = p.text(tid("destination-secret"))
	mu.Unlock()
	p.do("send a test event", chromedp.WaitVisible(tid("destination-row")), chromedp.Click(tid("destination-test")))
	p.waitText(tid("destination-result"), "Test event delivered", false)

	e.Exec(t, `insert into dnc (phone, source, reason) values ('+14155550100', 'opt-out', 'asked')`)
	e.Tick("")
	p.do("open the log", chromedp.Click(tid("destination-log-open")))
	p.until("the failed attempt in the log", `[...document.querySelectorAll('[data-testid="attempt-row"]')].some((r) => r.dataset.statusCode === '502')`, waitTimeout)
	p.do("redeliver", chromedp.Click(`[data-testid="delivery-row"][data-event="contact.opted_out"] [data-testid="delivery-redeliver"]`))
	p.until("the redelivery", `document.querySelector('[data-testid="delivery-row"][data-event="contact.opted_out"]')?.dataset.status === 'delivered'`, waitTimeout)
	p.shot("destinations")

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
	mu.Lock()
	defer mu.Unlock()
	if n != 3 || verified != n {
		t.Errorf("%d deliveries, %d verified; want 3 signed ones", n, verified)
	}
}
