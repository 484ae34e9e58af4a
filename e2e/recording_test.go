package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/campaign"
)

// A3: Listen asks our endpoint for the recording's short-lived URL with
// the session's token, and the browser plays what private storage serves
// at that URL.
func TestA3ListenPlaysTheRecording(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Mix: vapisim.Mix{Answered: 1}}})
	c := e.CreateCampaign(map[string]string{"name": "Recorded", "assistantId": e.CreateAssistant("Rec"), "maxAttempts": "1"}, apitest.Contacts(1))
	e.Control(c.CampaignID, "start")
	e.Eventually(30*time.Second, c.CampaignID, func() bool {
		var n int
		_ = e.DB.QueryRow(context.Background(), `select count(*) from calls where campaign_id = $1 and recording_url is not null`, c.CampaignID).Scan(&n)
		return n == 1 && e.Summary(c.CampaignID).Status == campaign.Completed
	})
	p := open(t, e)
	p.signIn(e.Operator, apitest.OperatorEmail)
	p.goTo("#/campaigns/" + c.CampaignID)
	p.do("listen", chromedp.Click(tid("listen-btn")))
	audio := `document.querySelector('[data-testid=recording-audio]')`
	p.until("the recording to load", audio+`?.src.startsWith(`+js(e.Sim.URL()+"/storage/")+`) && `+audio+`.readyState >= 1 && !`+audio+`.error`, waitTimeout)
	p.shot("recording-playing")
}
