package e2e_test

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
)

// final is a simulator mix with no outcome the default rules redial
// (no-answer, busy, voicemail are retried 4 hours later, on a clock the
// tests do not move), so a campaign completes once every contact is called.
var final = vapisim.Mix{Answered: 0.7, Failed: 0.3}

// TestCampaignFromCSVToCompleted is the operator's main path, all through
// the browser: create an assistant, create a campaign from a CSV with bad
// rows (uploaded in several chunks), read the import report, start, and
// watch the detail page follow the campaign to COMPLETED without a reload.
func TestCampaignFromCSVToCompleted(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 11, Scale: 0.005, Mix: final}})
	p := open(t, e)
	p.signIn(e.Admin, apitest.AdminEmail)

	assistantID := createAssistant(p, "Dana")
	p.shot("assistants")

	// Tiny chunks send testdata/contacts.csv in several requests, so the
	// report's row numbers prove the chunks are renumbered to the file's.
	p.do("shrink upload chunks", chromedp.Evaluate[chromedp.Void](`localStorage.setItem('autolynx.chunkBytes', '150')`))
	p.do("open the new campaign form", chromedp.Click(tid("nav-campaigns")), chromedp.Click(tid("new-campaign")))
	p.until("the assistant to be offered", `document.querySelector('[data-testid="campaign-assistant"] option[value=`+js(assistantID)+`]') !== null`, waitTimeout)
	csv, err := filepath.Abs("testdata/contacts.csv")
	if err != nil {
		t.Fatal(err)
	}
	p.do("fill the form",
		chromedp.SendKeys(tid("campaign-name"), "Launch list"),
		p.setValue(tid("campaign-assistant"), assistantID),
		p.setValue(tid("campaign-cap"), "2"),
		chromedp.SetUploadFiles(tid("campaign-file"), []string{csv}))
	p.waitText(tid("file-chosen"), "contacts.csv", false)
	// The preview renders above the button: a click sent before it lands
	// hits whatever moved under the pointer.
	p.do("wait for the preview", chromedp.WaitVisible(tid("preview")))
	p.do("submit", chromedp.Click(tid("campaign-submit")))
	// Many tiny chunks are many imports: under a loaded machine they may
	// take longer than one page wait, so the bound is a minute; a refused
	// chunk fails at once with the page's own words.
	p.until("the upload to finish or fail", `document.querySelector('[data-testid="upload-status"]')?.dataset.done === 'true' ||
		document.querySelector('[data-testid="upload-error"]') !== null`, time.Minute)
	if msg := eval[string](p, `document.querySelector('[data-testid="upload-error"]')?.textContent ?? ''`); msg != "" {
		p.fail("upload", fmt.Errorf("the page says: %s", msg))
	}
	p.do("wait for the report", chromedp.WaitVisible(tid("import-report")))
	if got := p.text(tid("upload-status")); !strings.HasSuffix(got, " parts.") {
		t.Errorf("upload status %q: want several parts", got)
	}
	if !eval[bool](p, `(b => b.value === b.max)(document.querySelector('[data-testid="upload-progress"]'))`) {
		t.Error("the upload progress bar is not full after the upload")
	}
	checkReport(t, p)
	p.shot("new-campaign-report")

	p.do("start", chromedp.Click(tid("start-campaign")))
	p.waitText(tid("start-status"), "Started", false)
	p.do("open the campaign", chromedp.Click(tid("open-campaign")))
	p.waitText(tid("metric-total"), "6", true)
	id := eval[string](p, `location.hash.split('/').pop()`)
	watchToCompletion(t, p, id, 6)
	p.shot("campaign-detail")

	p.do("back to the list", chromedp.Click(tid("nav-campaigns")))
	row := `[data-testid="campaign-row"][data-id="` + id + `"]`
	p.waitText(chromedp.CSS(row+` [data-testid="status-badge"]`), "COMPLETED", true)
	if got := p.text(chromedp.CSS(row + ` [data-testid="count-completed"]`)); got != "6" {
		t.Errorf("list: completed = %q, want 6", got)
	}
	if !eval[bool](p, `(b => b.value === 6 && b.max === 6)(document.querySelector(`+js(row+` [data-testid="campaign-progress"]`)+`))`) {
		t.Error("list: the progress bar is not 6 of 6")
	}
	p.shot("campaign-list")
}

// createAssistant creates an assistant on the Assistants page and returns
// its directory id.
func createAssistant(p *page, name string) string {
	p.t.Helper()
	p.do("open Assistants", chromedp.Click(tid("nav-assistants")), chromedp.WaitVisible(tid("assistant-create")))
	p.do("fill the create form",
		chromedp.SendKeys(tid("create-name"), name),
		chromedp.SendKeys(tid("create-first-message"), "Hi {{name}}, this is "+name+" from AutoLynx."),
		chromedp.SendKeys(tid("create-system-prompt"), "Be brief and friendly."),
		chromedp.Click(tid("create-submit")))
	p.waitText(tid("assistant-result"), "Created "+name+".", true)
	p.until("the new assistant's row", `[...document.querySelectorAll('[data-testid="assistant-row"]')].some(r => r.querySelector('th').textContent === `+js(name)+`)`, waitTimeout)
	if got := p.text(tid("assistant-active")); got != "active" {
		p.t.Errorf("new assistant state = %q, want active", got)
	}
	return eval[string](p, `[...document.querySelectorAll('[data-testid="assistant-row"]')].find(r => r.querySelector('th').textContent === `+js(name)+`).dataset.id`)
}

// checkReport reads the import report of testdata/contacts.csv: six rows
// in, one repeated number, and rows 4 (phone "12") and 8 (no phone) out.
func checkReport(t *testing.T, p *page) {
	t.Helper()
	for id, want := range map[string]string{"report-accepted": "6", "report-duplicates": "1", "report-skipped-count": "2"} {
		if got := p.text(tid("import-report", id)); got != want {
			t.Errorf("report %s = %q, want %s", id, got, want)
		}
	}
	type skipped struct {
		Row    string `json:"row"`
		Reason string `json:"reason"`
	}
	rows := eval[[]skipped](p, `[...document.querySelectorAll('[data-testid="skipped-row"]')].map(r => ({row: r.dataset.row, reason: r.cells[1].textContent}))`)
	if len(rows) != 2 || rows[0].Row != "4" || rows[1].Row != "8" {
		t.Fatalf("skipped rows = %+v, want rows 4 and 8", rows)
	}
	for _, r := range rows {
		if !strings.Contains(strings.ToLower(r.Reason), "phone") {
			t.Errorf("row %s: reason %q does not name the phone", r.Row, r.Reason)
		}
	}
	if !strings.Contains(rows[0].Reason, `"12"`) {
		t.Errorf("row 4: reason %q does not quote the bad value", rows[0].Reason)
	}
}

// watchToCompletion plays the cron while the detail page, untouched,
// follows the campaign to COMPLETED. Before the first cron tick only
// Start's own tick ran (at most cap=2 calls for 6 contacts), so seeing
// fewer than 6 done first and 6 at the end proves the counters moved live.
func watchToCompletion(t *testing.T, p *page, id string, total int) {
	t.Helper()
	before := p.text(tid("metric-completed"))
	if n, err := strconv.Atoi(before); err != nil || n >= total {
		t.Fatalf("completed before the cron ran = %q, want fewer than %d", before, total)
	}
	if st := p.text(tid("status-badge")); st == "COMPLETED" {
		t.Fatalf("campaign COMPLETED before the cron ran")
	}
	stop := cron(t, p.env, id)
	p.until("the status badge to read COMPLETED", `document.querySelector('[data-testid="status-badge"]')?.textContent === 'COMPLETED'`, 60*time.Second)
	stop()
	want := strconv.Itoa(total)
	p.waitText(tid("metric-completed"), want, true)
	for k, wantK := range map[string]string{"metric-live": "0", "metric-dialed": want} {
		if got := p.text(tid(k)); got != wantK {
			t.Errorf("%s = %q, want %s", k, got, wantK)
		}
	}
	if got := p.text(tid("page-info")); !strings.Contains(got, want+" contacts") {
		t.Errorf("page info = %q, want %s contacts", got, want)
	}
	for _, b := range []string{"btn-start", "btn-pause", "btn-resume", "btn-stop"} {
		if !eval[bool](p, `document.querySelector('[data-testid="`+b+`"]').disabled`) {
			t.Errorf("%s is enabled on a COMPLETED campaign", b)
		}
	}
	if p.count(tid("chart-status")+` g[data-key]`) == 0 {
		t.Error("the status chart has no bars")
	}
}
