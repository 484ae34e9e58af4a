package e2e_test

import (
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/dev/apitest"
)

// TestVoicemailPolicyInForm: the new campaign form asks for a message
// when the policy leaves one, sends the policy with the campaign, and
// the campaign page shows it.
func TestVoicemailPolicyInForm(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	asst := e.CreateAssistant("Caller")
	p := open(t, e)
	p.signIn(e.Operator, apitest.OperatorEmail)
	p.goTo("#/campaigns/new")
	p.until("the assistant to be offered", `document.querySelector('[data-testid="campaign-assistant"] option[value=`+js(asst)+`]') !== null`, waitTimeout)
	csv, err := filepath.Abs("testdata/contacts.csv")
	if err != nil {
		t.Fatal(err)
	}
	p.do("fill the form", chromedp.SendKeys(tid("campaign-name"), "Message list"), p.setValue(tid("campaign-assistant"), asst),
		p.setValue(tid("voicemail-policy"), "message_last_attempt"), chromedp.SetUploadFiles(tid("campaign-file"), []string{csv}))
	p.do("wait for the preview", chromedp.WaitVisible(tid("preview")))
	p.do("submit without a message", chromedp.Click(tid("campaign-submit")))
	p.until("the message to be asked for", `document.querySelector('[data-testid="field-error"]')?.dataset.field === 'voicemailMessage'`, waitTimeout)
	const msg = "Hi {{name}}, this is Dana. Please call us back."
	p.do("write the message", p.setValue(tid("voicemail-message"), msg), chromedp.Click(tid("campaign-submit")))
	p.do("wait for the report", chromedp.WaitVisible(tid("import-report")))
	p.do("open the campaign", chromedp.Click(tid("open-campaign")))
	p.until("the policy", `document.querySelector('[data-testid="voicemail-view"]')?.dataset.policy === 'message_last_attempt'`, waitTimeout)
	if got := p.text(tid("voicemail-view-message")); got != msg {
		t.Errorf("message shown %q, want %q", got, msg)
	}
	p.shot("voicemail-policy")
}
