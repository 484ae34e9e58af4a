package e2e_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/dev/apitest"
)

// TestAdminPagesAreForAdmins shows the Admin page to an admin, then signs
// an operator in on the same page: no admin links, and the admin routes
// answer with the admins-only page.
func TestAdminPagesAreForAdmins(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	p := open(t, e)
	p.signIn(e.Admin, apitest.AdminEmail)
	p.do("open Admin", chromedp.Click(tid("nav-admin")), chromedp.WaitVisible(tid("settings-form")))
	p.until("both users to be listed", `document.querySelectorAll('[data-testid="user-row"]').length === 2`, waitTimeout)
	for _, email := range []string{apitest.AdminEmail, apitest.OperatorEmail} {
		if p.count(chromedp.CSS(`[data-testid="user-row"][data-email="`+email+`"]`)) != 1 {
			t.Errorf("users table lacks %s", email)
		}
	}
	if p.count(tid("setting-defaultConcurrencyCap")) != 1 {
		t.Error("settings lack defaultConcurrencyCap")
	}
	p.shot("admin")

	p.goTo("#token=" + e.Operator)
	p.waitText(tid("nav", "user-email"), apitest.OperatorEmail, false)
	if got := p.text(tid("nav", "user-role")); got != "operator" {
		t.Errorf("nav role = %q, want operator", got)
	}
	if n := p.count(tid("nav-assistants")) + p.count(tid("nav-admin")); n != 0 {
		t.Errorf("an operator sees %d admin links", n)
	}
	for _, hash := range []string{"#/admin", "#/assistants"} {
		p.goTo(hash)
		p.do("wait for admins-only on "+hash, chromedp.WaitVisible(tid("state-admins-only")))
		if p.count(tid("users-table"))+p.count(tid("assistant-create")) != 0 {
			t.Errorf("%s shows admin controls to an operator", hash)
		}
	}
	p.shot("admins-only")
}

// TestSignInStates shows each way of not being signed in as its own page:
// signed out (and signing in from it), an expired token, an account not
// on the allowlist, and an unknown address.
func TestSignInStates(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	p := open(t, e)

	p.visit("#/campaigns")
	p.do("wait for the sign-in page", chromedp.WaitVisible(tid("state-signed-out")), chromedp.WaitVisible(tid("token-form")))
	stateHasText(p, "state-signed-out")
	p.shot("signed-out")
	p.do("sign in with a pasted token",
		p.setValue(tid("token-input"), e.Operator),
		chromedp.Click(tid("token-submit")))
	p.waitText(tid("user-email"), apitest.OperatorEmail, false)
	p.do("see the empty list", chromedp.WaitVisible(tid("campaigns-empty")))

	p.do("sign out", chromedp.Click(tid("signout")), chromedp.WaitVisible(tid("state-signed-out")))
	if p.count(tid("user-email")) != 0 {
		t.Error("the nav still names a user after signing out")
	}

	p.goTo("#token=" + e.ExpiredToken(apitest.OperatorEmail))
	p.do("wait for the expired page", chromedp.WaitVisible(tid("state-expired")), chromedp.WaitVisible(tid("signin-again")))
	stateHasText(p, "state-expired")
	p.shot("expired")
	p.do("sign in again", chromedp.Click(tid("signin-again")), chromedp.WaitVisible(tid("state-signed-out")))

	p.goTo("#token=" + e.Token("stranger@example.test"))
	p.do("wait for the forbidden page", chromedp.WaitVisible(tid("state-forbidden")))
	p.waitText(tid("state-forbidden"), "stranger@example.test", false)

	p.goTo("#token=" + e.Operator)
	p.waitText(tid("user-email"), apitest.OperatorEmail, false)
	p.goTo("#/no-such-page")
	p.do("wait for the not-found page", chromedp.WaitVisible(tid("state-not-found")))
	stateHasText(p, "state-not-found")
}

// stateHasText checks a full-page state says something: a heading and a
// sentence, not a blank page.
func stateHasText(p *page, id string) {
	p.t.Helper()
	if h := p.text(tid(id) + " h1"); h == "" {
		p.t.Errorf("%s has no heading", id)
	}
	if s := p.text(tid(id) + " p"); len(s) < 10 {
		p.t.Errorf("%s says only %q", id, s)
	}
}
