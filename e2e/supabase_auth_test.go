package e2e_test

// The dashboard signing in for real: supabase-js (as vendored in
// public/vendor) against Supabase's own Auth server (dev/authserver),
// through the page's own forms and links.

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/dev/apitest"
)

// signedInWithCampaign starts a backend on Supabase's Auth server holding
// one campaign, and opens a browser on it.
func signedInWithCampaign(t *testing.T) (*apitest.Env, *page, string) {
	t.Helper()
	e := apitest.New(t, apitest.Options{SupabaseAuth: true})
	id := stoppedCampaign(t, e, "Real sign-in", "name,business_name,phone\nAda,Acme,+14155550101\n", 1)
	return e, open(t, e), id
}

// seeCampaigns waits until the campaigns list shows campaign id to email.
func (p *page) seeCampaigns(email, id string) {
	p.t.Helper()
	p.waitText(tid("nav", "user-email"), email, false)
	p.do("see the campaigns", chromedp.WaitVisible(chromedp.CSS(`a[href="#/campaigns/`+id+`"]`)))
}

// TestBrowserPasswordSignIn signs in with email and password through the
// sign-in form, sees the campaigns, signs out, and stays signed out after
// a reload.
func TestBrowserPasswordSignIn(t *testing.T) {
	t.Parallel()
	e, p, id := signedInWithCampaign(t)
	p.visit("#/campaigns")
	p.do("fill the password form",
		chromedp.WaitVisible(tid("signin-email")),
		p.setValue(tid("signin-email"), apitest.OperatorEmail),
		p.setValue(tid("signin-password"), apitest.Password),
		chromedp.Click(tid("signin-submit")))
	p.seeCampaigns(apitest.OperatorEmail, id)
	p.shot("supabase-signed-in")
	// supabase-js keeps the session under sb-<project ref>-auth-token.
	refresh := eval[string](p, `(() => {
		const k = Object.keys(localStorage).find((k) => /^sb-.*-auth-token$/.test(k));
		return k ? JSON.parse(localStorage.getItem(k)).refresh_token : '';
	})()`)
	if refresh == "" {
		t.Fatal("no Supabase session in localStorage")
	}

	p.do("sign out", chromedp.Click(tid("signout")), chromedp.WaitVisible(tid("state-signed-out")))
	// The page drops its token before Supabase answers the sign-out, so
	// the signed-out state can show while the session is being revoked.
	revoked := false
	for deadline := time.Now().Add(15 * time.Second); !revoked && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		_, err := e.Auth.Refresh(t.Context(), refresh)
		revoked = err != nil
	}
	if !revoked {
		t.Error("the session's refresh token still works 15 s after signing out")
	}
	p.do("still signed out after a reload", chromedp.Reload(), chromedp.WaitVisible(tid("signin-email")))
	if p.count(tid("user-email")) != 0 {
		t.Error("the nav names a user after signing out")
	}
}

// TestBrowserMagicLink asks for a link on the sign-in page and follows the
// link the email would carry.
func TestBrowserMagicLink(t *testing.T) {
	t.Parallel()
	e, p, id := signedInWithCampaign(t)
	p.visit("#/campaigns")
	p.do("ask for a link",
		chromedp.WaitVisible(tid("magic-email")),
		p.setValue(tid("magic-email"), apitest.OperatorEmail),
		chromedp.Click(tid("magic-submit")),
		chromedp.WaitVisible(tid("magic-sent")))
	link, err := e.Auth.GenerateLink(t.Context(), "magiclink", apitest.OperatorEmail, e.Server.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	p.do("follow the link", chromedp.Navigate(link))
	p.seeCampaigns(apitest.OperatorEmail, id)
	if u := eval[string](p, `location.href`); strings.Contains(u, "token") {
		t.Errorf("after the link the address is %q, want the session gone from it", u)
	}
}

// TestBrowserInvitedUserFirstVisit: an admin invites someone; following the
// invitation signs them in with the role chosen, and they choose their
// password, with which they can sign in later.
func TestBrowserInvitedUserFirstVisit(t *testing.T) {
	t.Parallel()
	e, p, id := signedInWithCampaign(t)
	const email = "invited@example.com"
	if st := e.JSON("POST", "/api/admin/users", e.Admin, map[string]string{"email": email, "role": "operator"}, nil); st != 201 {
		t.Fatalf("invite: %d", st)
	}
	link, err := e.Auth.GenerateLink(t.Context(), "invite", email, "")
	if err != nil {
		t.Fatal(err)
	}
	p.do("follow the invitation", chromedp.Navigate(link))
	p.do("choose a password",
		chromedp.WaitVisible(tid("new-password")),
		p.setValue(tid("new-password"), "my chosen password"),
		chromedp.Click(tid("new-password-submit")))
	p.seeCampaigns(email, id)
	if got := p.text(tid("nav", "user-role")); got != "operator" {
		t.Errorf("role = %q, want operator", got)
	}
	if _, err := e.Auth.SignIn(t.Context(), email, "my chosen password"); err != nil {
		t.Errorf("sign in with the chosen password: %v", err)
	}
}

// TestBrowserRefreshesARefusedToken: when the API refuses the stored
// access token (401), the dashboard refreshes the session at Supabase once
// and carries on, instead of showing the expired page.
func TestBrowserRefreshesARefusedToken(t *testing.T) {
	t.Parallel()
	_, p, id := signedInWithCampaign(t)
	p.visit("#/campaigns")
	p.do("sign in",
		chromedp.WaitVisible(tid("signin-email")),
		p.setValue(tid("signin-email"), apitest.OperatorEmail),
		p.setValue(tid("signin-password"), apitest.Password),
		chromedp.Click(tid("signin-submit")))
	p.seeCampaigns(apitest.OperatorEmail, id)
	// A stored token with a broken signature, not yet expired by its own
	// account: only the API can tell it is no good.
	eval[bool](p, `(() => {
		const k = Object.keys(localStorage).find((k) => /^sb-.*-auth-token$/.test(k));
		const s = JSON.parse(localStorage.getItem(k));
		s.access_token = s.access_token.slice(0, -4) + (s.access_token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
		localStorage.setItem(k, JSON.stringify(s));
		return true;
	})()`)
	p.do("reload", chromedp.Reload())
	p.seeCampaigns(apitest.OperatorEmail, id)
	if p.count(tid("state-expired")) != 0 {
		t.Error("the expired page is shown")
	}
}
