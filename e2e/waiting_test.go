package e2e_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/lib/campaign"
)

// TestWaitingCampaignExplained: a running campaign whose contacts all wait
// for a redial shows Waiting and why on the list and the detail page,
// while a campaign with a call in flight reads as dialing.
func TestWaitingCampaignExplained(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	asst := e.CreateAssistant("Caller")
	waiting := e.CreateCampaign(map[string]string{"name": "Waiting list", "assistantId": asst}, "name,phone\nAnn,+14155550401\nBob,+14155550402\n").CampaignID
	dialing := e.CreateCampaign(map[string]string{"name": "Dialing list", "assistantId": asst}, "name,phone\nCy,+14155550403\n").CampaignID
	// Both contacts of the first were called and wait for a redial; the
	// second campaign has a call in flight.
	_, err := e.DB.Exec(t.Context(), `
		update campaigns set status = 'RUNNING', started_at = $3 where id in ($1, $2);
		with c as (insert into calls (campaign_id, contact_id, status, ended_reason, disposition, phone_number_id)
		  select k.campaign_id, k.id, case when k.campaign_id = $1 then 'ENDED' else 'IN_PROGRESS' end,
		    case when k.campaign_id = $1 then 'customer-did-not-answer' end, case when k.campaign_id = $1 then 'no-answer' end, 'p'
		  from contacts k where k.campaign_id in ($1, $2) returning id, contact_id, campaign_id)
		update contacts k set last_call_id = c.id, attempts = 1,
		  next_attempt_at = case when c.campaign_id = $1 then $3::timestamptz + interval '40 minutes' end
		from c where k.id = c.contact_id`, waiting, dialing, e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	p := open(t, e)
	p.signIn(e.Operator, apitest.OperatorEmail)
	row := func(id string) string { return `[data-testid="campaign-row"][data-id="` + id + `"]` }
	p.until("the list", `document.querySelector(`+js(row(waiting))+`)?.dataset.waiting === 'true'`, waitTimeout)
	if got := p.text(chromedp.CSS(row(waiting) + ` [data-testid="waiting-text"]`)); !strings.HasPrefix(got, "2 redials due from ") || !strings.HasSuffix(got, " your time") {
		t.Errorf("list: waiting text %q", got)
	}
	if p.count(chromedp.CSS(row(waiting)+` [data-testid="waiting-badge"]`)) != 1 || p.count(chromedp.CSS(row(dialing)+` [data-testid="waiting-badge"]`)) != 0 {
		t.Error("list: only the waiting campaign should carry the Waiting badge")
	}
	if eval[string](p, `document.querySelector(`+js(row(dialing))+`).dataset.waiting`) != "false" {
		t.Error("list: the dialing campaign is marked waiting")
	}
	p.shot("waiting-list")

	p.do("open the waiting campaign", chromedp.Click(chromedp.CSS(row(waiting)+` [data-testid="campaign-link"]`)))
	p.waitText(tid("waiting"), "Waiting — nothing is dialing.", false)
	if got := p.text(tid("waiting-text")); !strings.HasPrefix(got, "2 redials due from ") {
		t.Errorf("detail: waiting text %q", got)
	}
	if p.count(tid("waiting-badge")) != 1 {
		t.Error("detail: no Waiting badge")
	}
	p.shot("waiting-detail")
	p.goTo("#/campaigns/" + dialing)
	p.waitText(tid("metric-live"), "1", true)
	if p.count(tid("waiting")) != 0 || p.count(tid("waiting-badge")) != 0 {
		t.Error("detail: a campaign with a call in flight is shown waiting")
	}
}

// TestWaitingOutsideCallingHours: a running campaign whose contacts are
// due but outside their calling hours says so, with the earliest window's
// opening in its contacts' own time, in the API, on the list and on the
// detail page.
func TestWaitingOutsideCallingHours(t *testing.T) {
	t.Parallel()
	// 06:00 UTC on a Wednesday: 01:00 in New York, 22:00 (Tuesday) in
	// Los Angeles; the calling window (9:00–17:00) opens first in New York.
	e := apitest.New(t, apitest.Options{Now: time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)})
	asst := e.CreateAssistant("Caller")
	id := e.CreateCampaign(map[string]string{"name": "Night list", "assistantId": asst}, "name,phone\nAnn,+12125550401\nBob,+14155550402\n").CampaignID
	if _, err := e.DB.Exec(t.Context(), `update campaigns set status = 'RUNNING', started_at = $2 where id = $1`, id, e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	const why = "2 contacts outside their calling hours until 09:00 in New York"
	var got struct{ Waiting *campaign.Waiting }
	if st := e.JSON(http.MethodGet, "/api/campaigns/"+id, e.Operator, nil, &got); st != http.StatusOK || got.Waiting == nil {
		t.Fatalf("GET campaign: %d %+v", st, got)
	}
	if w := got.Waiting; w.Message != "Nothing is dialing: "+why+"." || w.OutsideHours != 2 || w.Redials != 0 || w.DueNow != 0 ||
		w.OpensZone != "America/New_York" || w.OpensLocal != "09:00" || w.OpensAt == nil || !w.OpensAt.Equal(time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("API waiting = %+v", w)
	}

	p := open(t, e)
	p.signIn(e.Operator, apitest.OperatorEmail)
	row := `[data-testid="campaign-row"][data-id="` + id + `"]`
	p.until("the list", `document.querySelector(`+js(row)+`)?.dataset.waiting === 'true'`, waitTimeout)
	if got := p.text(chromedp.CSS(row + ` [data-testid="waiting-text"]`)); got != why {
		t.Errorf("list: waiting text %q, want %q", got, why)
	}
	if p.count(chromedp.CSS(row+` [data-testid="waiting-badge"]`)) != 1 {
		t.Error("list: no Waiting badge")
	}
	p.shot("waiting-hours-list")

	p.do("open the campaign", chromedp.Click(chromedp.CSS(row+` [data-testid="campaign-link"]`)))
	p.waitText(tid("waiting"), "Waiting — nothing is dialing.", false)
	if got := p.text(tid("waiting-text")); got != why+"." {
		t.Errorf("detail: waiting text %q, want %q", got, why+".")
	}
	p.shot("waiting-hours-detail")
}
