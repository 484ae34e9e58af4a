package e2e_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/dev/apitest"
)

// TestAmbiguousPhoneColumnAsked: a file with two phone columns gets a
// question instead of a preview; the operator's choice is previewed and
// then imported with it.
func TestAmbiguousPhoneColumnAsked(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	assistantID := e.CreateAssistant("Caller")
	file := filepath.Join(t.TempDir(), "two-phones.csv")
	csv := "Contact Name,Phone,Mobile,Organization\nAnn Lee,+12125550100,(415) 555-2671,Acme\nBob Ray,+12125550101,,Bobco\n"
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	p := open(t, e)
	p.signIn(e.Operator, apitest.OperatorEmail)
	p.goTo("#/campaigns/new")
	p.until("the assistant to be offered", `document.querySelector('[data-testid="campaign-assistant"] option[value=`+js(assistantID)+`]') !== null`, waitTimeout)
	p.do("fill the form",
		chromedp.SendKeys(tid("campaign-name"), "Two phones"),
		p.setValue(tid("campaign-assistant"), assistantID),
		chromedp.SetUploadFiles(tid("campaign-file"), []string{file}))
	p.waitText(tid("preview-error"), `several columns could be the phone ("Phone", "Mobile")`, false)
	p.do("choose Mobile", p.setValue(tid("mapping-phone"), "Mobile"), chromedp.Click(tid("mapping-apply")))
	p.do("wait for the preview", chromedp.WaitVisible(tid("preview")))
	p.waitText(chromedp.CSS(`[data-testid="preview-mapping-row"][data-field="phone"] td`), "Mobile", true)
	for id, want := range map[string]string{"preview-importable": "1", "preview-skipped-count": "1"} {
		if got := p.text(tid("preview", id)); got != want {
			t.Errorf("preview %s = %q, want %s", id, got, want)
		}
	}
	if got := p.text(tid("preview-variables")); got != "Phone" {
		t.Errorf("variables = %q, want the other phone column kept as a variable", got)
	}
	p.do("create", chromedp.Click(tid("campaign-submit")))
	p.do("wait for the report", chromedp.WaitVisible(tid("import-report")))
	if got := p.text(tid("import-report", "report-accepted")); got != "1" {
		t.Errorf("accepted %q, want 1", got)
	}
	if n := countRows(t, e, `select count(*) from contacts where phone = '+14155552671' and name = 'Ann Lee' and business_name = 'Acme'`); n != 1 {
		t.Errorf("the chosen column was not imported")
	}
}

func countRows(t *testing.T, e *apitest.Env, query string) int {
	t.Helper()
	var n int
	if err := e.DB.QueryRow(t.Context(), query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
