package e2e_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
)

// TestOutcomeFieldsInTheDashboard: an operator defines outcome fields
// from a template on the new campaign form, runs the campaign on the
// simulator, and finds the values and results in the contacts table, the
// charts, the transcript view and the export's outcome columns; then
// corrects one contact's result by hand.
func TestOutcomeFieldsInTheDashboard(t *testing.T) {
	t.Parallel()
	answers := vapisim.Answers{
		apitest.Phone(0): {{"interested": true, "email": "ann@example.com", "notes": "Wants a demo"}},
		apitest.Phone(1): {{"interested": false}},
	}
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 18, Scale: 0.005, Mix: vapisim.Mix{Answered: 1}, Answers: answers}})
	assistantID := e.CreateAssistant("Olive")
	file := filepath.Join(t.TempDir(), "leads.csv")
	if err := os.WriteFile(file, []byte(apitest.CSVHeader+apitest.Rows(0, 2)), 0o600); err != nil {
		t.Fatal(err)
	}
	p := open(t, e)
	p.signIn(e.Operator, apitest.OperatorEmail)
	p.do("open the new campaign form", chromedp.Click(tid("nav-campaigns")), chromedp.Click(tid("new-campaign")))
	p.until("the assistant to be offered", `document.querySelector('[data-testid="campaign-assistant"] option[value=`+js(assistantID)+`]') !== null`, waitTimeout)
	p.until("the templates to load", `document.querySelector('[data-testid="outcome-template"] option[value="follow-up"]') !== null`, waitTimeout)
	p.do("define outcome fields from a template",
		chromedp.Click(`[data-testid="outcome-details"] summary`),
		p.setValue(tid("outcome-template"), "follow-up"))
	if n := p.count(tid("outcome-field")); n != 4 {
		t.Fatalf("%d outcome fields after choosing the template, want 4", n)
	}
	p.shot("outcomes-form")
	p.do("fill the form",
		chromedp.SendKeys(tid("campaign-name"), "Outcome list"),
		p.setValue(tid("campaign-assistant"), assistantID),
		chromedp.SetUploadFiles(tid("campaign-file"), []string{file}))
	p.do("wait for the preview", chromedp.WaitVisible(tid("preview")))
	p.do("submit", chromedp.Click(tid("campaign-submit")))
	p.until("the upload to finish or fail", `document.querySelector('[data-testid="upload-status"]')?.dataset.done === 'true' ||
		document.querySelector('[data-testid="upload-error"]') !== null`, time.Minute)
	if msg := eval[string](p, `document.querySelector('[data-testid="upload-error"]')?.textContent ?? ''`); msg != "" {
		p.fail("upload", fmt.Errorf("the page says: %s", msg))
	}
	p.do("start", chromedp.Click(tid("start-campaign")))
	p.waitText(tid("start-status"), "Started", false)
	p.do("open the campaign", chromedp.Click(tid("open-campaign")))
	id := eval[string](p, `location.hash.split('/').pop()`)
	stop := cron(t, e, id)
	p.waitText(tid("status-badge"), "COMPLETED", true)
	stop()

	row := func(phone string) string {
		return `[...document.querySelectorAll('[data-testid="contact-row"]')].find(r => r.cells[2].textContent === ` + js(phone) + `)`
	}
	p.until("the results in the table", row(apitest.Phone(0))+`?.querySelector('[data-testid="contact-result"] strong')?.textContent === 'won' &&
		`+row(apitest.Phone(1))+`?.querySelector('[data-testid="contact-result"] strong')?.textContent === 'lost'`, waitTimeout)
	if got := eval[string](p, row(apitest.Phone(0))+`.querySelector('[data-testid="contact-outcomes"]').textContent`); !strings.Contains(got, "interested: yes") || !strings.Contains(got, "email: ann@example.com") {
		t.Errorf("outcomes cell %q", got)
	}
	for _, chart := range []string{"chart-outcome-interested", "chart-results", "next-calls"} {
		if p.count(tid(chart)) != 1 {
			t.Errorf("no %s chart", chart)
		}
	}
	if !eval[bool](p, `document.querySelector('[data-testid="chart-results"] g[data-key="won"]') !== null`) {
		t.Error("the results chart has no won bar")
	}
	p.do("open the transcript", chromedp.Click(`[data-testid="contact-row"] [data-testid="transcript-btn"]`))
	p.until("the call's outcomes in the transcript view", `document.querySelector('[data-testid="transcript-body"]').textContent.includes('Outcome: interested')`, waitTimeout)
	p.do("close the transcript", chromedp.Click(tid("transcript-close")))

	p.do("filter on interested", p.setValue(tid("filter-outcome"), "outcome.interested=true"))
	p.until("one contact", `document.querySelectorAll('[data-testid="contact-row"]').length === 1`, waitTimeout)
	p.do("clear the filter", p.setValue(tid("filter-outcome"), ""))
	p.until("both contacts", `document.querySelectorAll('[data-testid="contact-row"]').length === 2`, waitTimeout)

	_, data := p.download(chromedp.Click(tid("btn-export")))
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("export: %d records, %v", len(recs), err)
	}
	if h := strings.Join(recs[0][8:], ","); h != "result,outcome.interested,outcome.callback_at,outcome.email,outcome.notes" {
		t.Errorf("export outcome columns %q", h)
	}
	for _, r := range recs[1:] {
		if r[2] == apitest.Phone(0) && strings.Join(r[8:], "|") != "won|true||ann@example.com|Wants a demo" {
			t.Errorf("exported outcomes %q", r[8:])
		}
	}

	p.do("correct the lost contact's result by hand",
		chromedp.Evaluate[chromedp.Void](row(apitest.Phone(1))+`.querySelector('[data-testid="result-edit"]').click()`),
		chromedp.Evaluate[chromedp.Void](`(i => { i.value = 'callback later'; })(`+row(apitest.Phone(1))+`.querySelector('[data-testid="result-input"]'))`),
		chromedp.Evaluate[chromedp.Void](row(apitest.Phone(1))+`.querySelector('[data-testid="result-save"]').click()`))
	p.until("the corrected result", row(apitest.Phone(1))+`?.querySelector('[data-testid="contact-result"]').dataset.source === 'manual' &&
		`+row(apitest.Phone(1))+`.querySelector('[data-testid="contact-result"] strong').textContent === 'callback later'`, waitTimeout)
	p.shot("outcomes-detail")
}
