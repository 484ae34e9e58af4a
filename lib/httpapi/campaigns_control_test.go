package httpapi_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"sync"
	"testing"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/campaign"
)

// controlLegal is the state machine of docs/api.md: the answer of each action from
// each status it is allowed in (a PAUSED campaign here was DIALING).
var controlLegal = map[string]map[string]string{
	"start":  {"CREATED": "QUEUED", "SCHEDULED": "QUEUED"},
	"pause":  {"SCHEDULED": "PAUSED", "QUEUED": "PAUSED", "DIALING": "PAUSED", "RUNNING": "PAUSED"},
	"resume": {"PAUSED": "DIALING"},
	"stop": {"CREATED": "STOPPED", "SCHEDULED": "STOPPED", "QUEUED": "STOPPED", "DIALING": "STOPPED", "RUNNING": "STOPPED",
		"PAUSED": "STOPPED"},
}

func TestCampaignControlTransitions(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{})
	statuses := []string{"CREATED", "SCHEDULED", "QUEUED", "DIALING", "RUNNING", "PAUSED", "STOPPED", "COMPLETED", "FAILED"}
	for action, allowed := range controlLegal {
		for _, from := range statuses {
			t.Run(action+" from "+from, func(t *testing.T) {
				t.Parallel()
				tok := e.NewOperator(t)
				id := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 1)).CampaignID
				e.Exec(t, `update campaigns set status = $2,
					paused_from = case when $2 = 'PAUSED' then 'DIALING' end where id = $1`, id, from)
				r := e.Send(t, http.MethodPost, "/api/campaigns/"+id+"/"+action, tok, "", nil)
				want, ok := allowed[from]
				if !ok {
					if got := apitest.WantError(t, r, http.StatusConflict, "CONFLICT"); got.Error.Details["status"] != from {
						t.Errorf("details = %v, want status %s", got.Error.Details, from)
					}
					return
				}
				var ans struct {
					Status             string
					EstimatedStartTime *string
				}
				if r.Status != http.StatusOK || json.Unmarshal(r.Body, &ans) != nil || ans.Status != want {
					t.Fatalf("%s from %s: %d %s, want status %s", action, from, r.Status, r.Body, want)
				}
				if (ans.EstimatedStartTime != nil) != (action == "start") {
					t.Errorf("estimatedStartTime = %v for %s", ans.EstimatedStartTime, action)
				}
				if n := e.Count(t, `select count(*) from call_events where campaign_id = $1 and type = $2`, id, "campaign."+action); n != 1 {
					t.Errorf("%d campaign.%s events, want 1", n, action)
				}
			})
		}
	}
}

// slowCalls makes a simulated second last ten real ones, so calls placed
// by a test stay ringing until it ends.
var slowCalls = vapisim.Config{Scale: 10}

// TestCampaignControlLifecycle drives one campaign through the API only:
// resume returns to the status the campaign was paused from.
func TestCampaignControlLifecycle(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{Sim: slowCalls}) // no call ends or is answered during the test
	tok := e.NewOperator(t)
	id := e.create(t, tok, map[string]string{"cap": "1"}, apitest.CSVHeader+apitest.Rows(0, 3)).CampaignID
	control := func(action string, wantCode int, wantStatus string) {
		t.Helper()
		r := e.Send(t, http.MethodPost, "/api/campaigns/"+id+"/"+action, tok, "", nil)
		if r.Status != wantCode {
			t.Fatalf("%s: %d %s, want %d", action, r.Status, r.Body, wantCode)
		}
		if wantCode == http.StatusConflict {
			if got := apitest.WantError(t, r, wantCode, "CONFLICT"); got.Error.Details["status"] != wantStatus {
				t.Errorf("%s: details = %v, want status %s", action, got.Error.Details, wantStatus)
			}
			return
		}
		var ans struct{ Status string }
		if json.Unmarshal(r.Body, &ans) != nil || ans.Status != wantStatus {
			t.Errorf("%s: answer %s, want status %s", action, r.Body, wantStatus)
		}
	}
	control("pause", http.StatusConflict, "CREATED")
	control("resume", http.StatusConflict, "CREATED")
	control("start", http.StatusOK, "QUEUED")
	before := e.Summary(id).Status // DIALING once the start's own tick placed the first call
	control("start", http.StatusConflict, string(before))
	control("pause", http.StatusOK, "PAUSED")
	control("pause", http.StatusConflict, "PAUSED")
	control("start", http.StatusConflict, "PAUSED")
	control("resume", http.StatusOK, string(before))
	control("resume", http.StatusConflict, string(before))
	control("stop", http.StatusOK, "STOPPED")
	for _, action := range []string{"start", "pause", "resume", "stop"} {
		control(action, http.StatusConflict, "STOPPED")
	}
}

// TestCampaignControlRace races starts against stops on one CREATED
// campaign: each 200 must be a real transition, logged once.
func TestCampaignControlRace(t *testing.T) {
	t.Parallel()
	e := newCampEnv(t, apitest.Options{Sim: slowCalls}) // no call ends during the race
	tok := e.NewOperator(t)
	id := e.create(t, tok, nil, apitest.CSVHeader+apitest.Rows(0, 2)).CampaignID
	const racers = 20
	type result struct {
		action string
		reply  apitest.Reply
		err    error
	}
	results := make(chan result, racers)
	ready := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		action := []string{"start", "stop"}[i%2]
		wg.Go(func() {
			<-ready
			r, err := e.Request(http.MethodPost, "/api/campaigns/"+id+"/"+action, tok, "", nil)
			results <- result{action, r, err}
		})
	}
	close(ready)
	wg.Wait()
	close(results)
	won := map[string]int{}
	for r := range results {
		if r.err != nil {
			t.Errorf("%s: %v", r.action, r.err)
			continue
		}
		switch r.reply.Status {
		case http.StatusOK:
			var ans struct{ Status string }
			_ = json.Unmarshal(r.reply.Body, &ans)
			if want := map[string]string{"start": "QUEUED", "stop": "STOPPED"}[r.action]; ans.Status != want {
				t.Errorf("%s answered %s", r.action, r.reply.Body)
			}
			won[r.action]++
		case http.StatusConflict:
			var ae apitest.APIError
			_ = json.Unmarshal(r.reply.Body, &ae)
			if st := ae.Error.Details["status"]; st == "CREATED" || st == nil || (r.action == "stop" && st != "STOPPED") {
				t.Errorf("%s refused with details.Status %v", r.action, st)
			}
		default:
			t.Errorf("%s: %d %s", r.action, r.reply.Status, r.reply.Body)
		}
	}
	t.Logf("successes: %v", won)
	if won["stop"] != 1 || won["start"] > 1 {
		t.Errorf("successes: %v, want one stop and at most one start", won)
	}
	if st := e.Summary(id).Status; st != campaign.Stopped {
		t.Errorf("final status %s, want STOPPED", st)
	}
	var events []string
	rows, err := e.DB.Query(t.Context(), `select type from call_events where campaign_id = $1 and source = 'api' order by id`, id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var typ string
		_ = rows.Scan(&typ)
		events = append(events, typ)
	}
	want := []string{"campaign.stop"}
	if won["start"] == 1 {
		want = []string{"campaign.start", "campaign.stop"}
	}
	if !reflect.DeepEqual(events, want) {
		t.Errorf("transition events %v, want %v", events, want)
	}
}
