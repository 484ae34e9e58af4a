package campaign_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/dev/campaigntest"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/problem"
)

var allStatuses = []campaign.Status{
	campaign.Created, campaign.Queued, campaign.Dialing, campaign.Running,
	campaign.Paused, campaign.Stopped, campaign.Completed, campaign.Failed,
}

// legal is the state machine of docs/api.md ("Campaign states"): the status an action leads to
// from each status it is allowed in (a PAUSED campaign here was RUNNING).
var legal = map[campaign.Action]map[campaign.Status]campaign.Status{
	campaign.Start:  {campaign.Created: campaign.Queued},
	campaign.Pause:  {campaign.Queued: campaign.Paused, campaign.Dialing: campaign.Paused, campaign.Running: campaign.Paused},
	campaign.Resume: {campaign.Paused: campaign.Running},
	campaign.Stop: {campaign.Created: campaign.Stopped, campaign.Queued: campaign.Stopped, campaign.Dialing: campaign.Stopped,
		campaign.Running: campaign.Stopped, campaign.Paused: campaign.Stopped},
}

func TestControlEveryTransition(t *testing.T) {
	t.Parallel()
	f := setup(t)
	by := uuid.New()
	for action, allowed := range legal {
		for _, from := range allStatuses {
			t.Run(fmt.Sprintf("%s from %s", action, from), func(t *testing.T) {
				t.Parallel()
				id, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 1))
				var pausedFrom *campaign.Status
				if from == campaign.Paused {
					r := campaign.Running
					pausedFrom = &r
				}
				f.SetStatus(t, id, from, pausedFrom)
				got, err := campaign.Control(f.Ctx, f.Pool, id, action, by)
				want, ok := allowed[from]
				events := f.Count(t, `select count(*) from call_events where campaign_id = $1 and type = $2
					and source = 'api' and payload->>'by' = $3`, id, "campaign."+string(action), by.String())
				if !ok {
					pe := campaigntest.WantProblem(t, err, problem.Conflict)
					if pe.Details["status"] != from {
						t.Errorf("details = %v, want status %s", pe.Details, from)
					}
					if cur, _ := campaign.CurrentStatus(f.Ctx, f.Pool, id); cur != from {
						t.Errorf("status changed to %s by a refused %s", cur, action)
					}
					if events != 0 {
						t.Errorf("%d events recorded for a refused %s", events, action)
					}
					return
				}
				if err != nil || got != want {
					t.Fatalf("%s from %s = %s, %v; want %s", action, from, got, err, want)
				}
				if cur, _ := campaign.CurrentStatus(f.Ctx, f.Pool, id); cur != want {
					t.Errorf("stored status %s, want %s", cur, want)
				}
				if events != 1 {
					t.Errorf("%d %s events recorded, want 1", events, action)
				}
			})
		}
	}
}

func TestResumeReturnsToPausedFrom(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for _, from := range []campaign.Status{campaign.Queued, campaign.Dialing, campaign.Running} {
		id, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 1))
		f.SetStatus(t, id, from, nil)
		if st, err := campaign.Control(f.Ctx, f.Pool, id, campaign.Pause, uuid.Nil); err != nil || st != campaign.Paused {
			t.Fatalf("pause from %s = %s, %v", from, st, err)
		}
		if st, err := campaign.Control(f.Ctx, f.Pool, id, campaign.Resume, uuid.Nil); err != nil || st != from {
			t.Errorf("resume after pause from %s = %s, %v", from, st, err)
		}
	}
	// A PAUSED campaign without a recorded origin resumes to QUEUED.
	id, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 1))
	f.SetStatus(t, id, campaign.Paused, nil)
	if st, err := campaign.Control(f.Ctx, f.Pool, id, campaign.Resume, uuid.Nil); err != nil || st != campaign.Queued {
		t.Errorf("resume without origin = %s, %v; want QUEUED", st, err)
	}
}

func TestControlUnknownCampaign(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for action := range legal {
		_, err := campaign.Control(f.Ctx, f.Pool, uuid.New(), action, uuid.Nil)
		campaigntest.WantProblem(t, err, problem.NotFound)
	}
}
