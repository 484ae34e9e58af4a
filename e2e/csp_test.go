package e2e_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/dev/apitest"
)

// recordViolations makes every page of the tab keep the Content-Security-
// Policy violations it meets in window.__csp (a DevTools script, which the
// policy itself does not govern).
func (p *page) recordViolations() {
	p.t.Helper()
	src := `window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));`
	p.do("record CSP violations", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: src})
		return err
	}))
}

// violations returns what the current page recorded.
func (p *page) violations() []string {
	p.t.Helper()
	return eval[[]string](p, `window.__csp || ['the recorder is missing']`)
}

// The dashboard runs under the deployed Content-Security-Policy (the test
// server sends vercel.json's headers, as the local runner does): signing
// in, every page, a chunked upload and its report, without one violation.
// A script injected inline is refused and seen, so a page that broke the
// policy would fail this test. The upload sends one Idempotency-Key per
// request (M3).
func TestM9DashboardUnderCSP(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	resp := e.Do(http.MethodGet, "/", "", "", nil)
	resp.Body.Close()
	if policy := resp.Header.Get("Content-Security-Policy"); !strings.Contains(policy, "script-src 'self'") {
		t.Fatalf("the dashboard is served without our CSP: %q", policy)
	}
	p := open(t, e)
	p.recordViolations()
	p.signIn(e.Admin, apitest.AdminEmail)
	assistantID := createAssistant(p, "Csp")

	p.do("shrink upload chunks", chromedp.Evaluate[chromedp.Void](`localStorage.setItem('autolynx.chunkBytes', '150')`))
	p.do("open the new campaign form", chromedp.Click(tid("nav-campaigns")), chromedp.Click(tid("new-campaign")))
	p.until("the assistant to be offered", `document.querySelector('[data-testid="campaign-assistant"] option[value=`+js(assistantID)+`]') !== null`, waitTimeout)
	csv, err := filepath.Abs("testdata/contacts.csv")
	if err != nil {
		t.Fatal(err)
	}
	p.do("fill the form",
		chromedp.SendKeys(tid("campaign-name"), "Under CSP"),
		p.setValue(tid("campaign-assistant"), assistantID),
		chromedp.SetUploadFiles(tid("campaign-file"), []string{csv}))
	p.waitText(tid("file-chosen"), "contacts.csv", false)
	// The preview renders above the button: a click sent before it lands
	// hits whatever moved under the pointer.
	p.do("wait for the preview", chromedp.WaitVisible(tid("preview")))
	p.do("submit", chromedp.Click(tid("campaign-submit")))
	p.until("the upload to finish", `document.querySelector('[data-testid="upload-status"]')?.dataset.done === 'true'`, waitTimeout)
	checkReport(t, p)
	var creates, appends int
	if err := e.DB.QueryRow(t.Context(), `select count(*) filter (where scope = 'create'), count(*) filter (where scope like 'append:%')
		from idempotency_keys where answer is not null`).Scan(&creates, &appends); err != nil {
		t.Fatal(err)
	}
	if parts := strings.Fields(p.text(tid("upload-status")))[1]; creates != 1 || appends < 1 || parts != strconv.Itoa(1+appends) {
		t.Errorf("keys: %d create, %d appends for %s parts", creates, appends, parts)
	}
	p.do("open the campaign", chromedp.Click(tid("open-campaign")), chromedp.WaitVisible(tid("metric-total")))
	// The navigation is drawn once per user: a link is never replaced
	// under a click (a replaced one made clicks here miss).
	p.do("mark the navigation", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="nav-campaigns"]').dataset.kept = 'yes'`))
	for _, nav := range []string{"nav-dnc", "nav-assistants", "nav-operations", "nav-admin", "nav-campaigns"} {
		p.do("open "+nav, chromedp.Click(tid(nav)))
		p.until(nav+" to be current", `document.querySelector('[data-testid="`+nav+`"]')?.getAttribute('aria-current') === 'page'`, waitTimeout)
		p.until(nav+" to render", `!document.querySelector('[data-testid="loading"]')`, waitTimeout)
	}
	if kept := eval[string](p, `document.querySelector('[data-testid="nav-campaigns"]')?.dataset.kept ?? ''`); kept != "yes" {
		t.Error("the navigation was drawn again for the same user")
	}
	if v := p.violations(); len(v) != 0 {
		t.Errorf("CSP violations: %v", v)
	}

	// The recorder sees a violation when there is one, and the policy
	// stops the script.
	p.do("inject an inline script", chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.createElement('script');
		s.textContent = 'window.__inlineRan = true';
		document.head.append(s);
	})()`))
	p.until("the violation to be recorded", `window.__csp.length > 0`, waitTimeout)
	if ran := eval[bool](p, `window.__inlineRan === true`); ran {
		t.Error("an inline script ran under the CSP")
	}
	if v := p.violations(); !strings.HasPrefix(v[0], "script-src") {
		t.Errorf("violation recorded as %v", v)
	}
}
