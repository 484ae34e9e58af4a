package scheduler_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/scheduler"
	"github.com/autolynx/autolynx/lib/vapi"
)

// TestParallelLaunchesUnderRefusals launches for 100 campaigns (cap 2, two
// contacts each) at once into a Vapi account with fewer slots (20) than
// our account cap lets through (200), most of them taken by calls placed
// outside AutoLynx, so Vapi answers concurrency-blocked in the middle of
// the tick's parallel dials. The back-off must stop every
// dial not yet begun: no more creates are refused than can be in flight
// (MaxParallelLaunches), and every refused claim is released. Then, with
// 429s injected and the account cap below Vapi's slots, ticks run every
// campaign to the end, and the simulator's own records show every contact
// placed exactly once, no campaign above its cap and the account never
// above its cap.
func TestParallelLaunchesUnderRefusals(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Seed: 40, ConcurrencyLimit: vapiSlots, Scale: 0.02,
		CreateLatency: 20 * time.Millisecond, Mix: vapisim.Mix{Answered: 1}}})
	const campaigns, contacts, campaignCap = 100, 2, 2
	ids := manyCampaigns(t, e, campaigns, contacts, campaignCap)
	setAccountCap(t, e, campaigns*campaignCap)
	outside := occupySlots(t, e, vapiSlots-2)

	sum := e.Tick("")
	st := e.Sim.Stats()
	if sum.ConcurrencyBlocked == 0 || st.ConcurrencyBlocked == 0 {
		t.Fatalf("no concurrency-blocked answer in the first tick (%+v): the test did not exercise the back-off", sum)
	}
	if st.ConcurrencyBlocked > scheduler.MaxParallelLaunches {
		t.Errorf("Vapi refused %d creates for concurrency in one tick; after the first refusal only the %d in flight may be",
			st.ConcurrencyBlocked, scheduler.MaxParallelLaunches)
	}
	var pending int
	if err := e.DB.QueryRow(context.Background(), `select count(*) from calls where status = 'PENDING'`).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if pending != 0 {
		t.Errorf("%d claims left PENDING after the tick; refused and undialed ones must be released", pending)
	}

	const accountCap = vapiSlots - 2
	setAccountCap(t, e, accountCap)
	second := e.Clock.Now()
	e.Sim.SetFaults(vapisim.Faults{RateLimited: 0.2, RetryAfter: time.Second})
	e.Eventually(90*time.Second, "", func() bool {
		for _, id := range ids {
			if !status(e, id)() {
				return false
			}
		}
		return true
	})
	st = e.Sim.Stats()
	if st.RateLimited == 0 {
		t.Errorf("no 429 was injected")
	}
	if len(st.ByCustomer) != campaigns*contacts+outside {
		t.Errorf("simulator placed calls to %d numbers, want %d", len(st.ByCustomer), campaigns*contacts+outside)
	}
	for num, n := range st.ByCustomer {
		if n != 1 {
			t.Errorf("simulator placed %d calls to %s…, want 1", n, num[:6])
		}
	}
	byCampaign := map[string][]vapi.Call{}
	var later []vapi.Call
	for _, c := range e.Sim.Calls() {
		var id string
		if c.AssistantOverrides != nil {
			id, _ = c.AssistantOverrides.Metadata["campaignId"].(string)
		}
		if id == "" {
			continue // placed outside AutoLynx
		}
		byCampaign[id] = append(byCampaign[id], c)
		if !c.CreatedAt.Before(second) {
			later = append(later, c)
		}
	}
	for id, calls := range byCampaign {
		if peak := peakLive(calls); peak > campaignCap {
			t.Errorf("campaign %s had %d calls live at Vapi at once, cap %d", id, peak, campaignCap)
		}
	}
	// Calls of the first tick still live only took room from the later
	// ones, so the later ones alone stay within the account cap.
	if peak := peakLive(later); peak > accountCap {
		t.Errorf("%d calls live at Vapi at once after the account cap became %d", peak, accountCap)
	}
}

// vapiSlots is the simulated account's concurrency limit.
const vapiSlots = 20

// occupySlots places n calls at Vapi the way another user of the account
// would, so the account's slots are nearly full whatever the machine's
// speed; it returns n.
func occupySlots(t *testing.T, e *apitest.Env, n int) int {
	t.Helper()
	ctx := context.Background()
	c := vapi.New(vapi.Config{BaseURL: e.Sim.URL(), APIKey: e.Sim.APIKey()})
	a, err := c.CreateAssistant(ctx, json.RawMessage(`{"name":"Elsewhere","firstMessage":"Hi"}`))
	if err != nil {
		t.Fatal(err)
	}
	// At once, so none ends before the tick begins.
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := c.CreateCall(ctx, vapi.CreateCallRequest{AssistantID: a.ID, PhoneNumberID: "pn-elsewhere",
				Customer: vapi.Customer{Number: fmt.Sprintf("+1312555%04d", i)}})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("outside call: %v", err)
		}
	}
	return n
}

// manyCampaigns makes n queued campaigns of the given size and cap, each
// contact with its own number.
func manyCampaigns(t *testing.T, e *apitest.Env, n, contacts, cap int) []string {
	t.Helper()
	asst := e.CreateAssistant("Many")
	var csv strings.Builder
	csv.WriteString("name,business_name,phone\n")
	for i := range contacts {
		fmt.Fprintf(&csv, "P%d,B%d,+1415556%04d\n", i, i, i)
	}
	first := e.CreateCampaign(map[string]string{"name": "m0", "assistantId": asst, "cap": fmt.Sprint(cap), "maxAttempts": "1"}, csv.String())
	rows, err := e.DB.Query(context.Background(), `
		with src as (select * from campaigns where id = $1),
		made as (
		  insert into campaigns (name, status, mode, cap, max_attempts, assistant_id, phone_number_id, phone_number_ids, total_contacts)
		  select 'm' || g, 'QUEUED', mode, cap, max_attempts, assistant_id, phone_number_id, phone_number_ids, $3 from src, generate_series(1, $2 - 1) g
		  returning id),
		people as (
		  insert into contacts (campaign_id, position, name, business_name, phone)
		  select m.id, p, 'n', 'b', '+1' || (2125550000 + (row_number() over ()))::text
		  from made m, generate_series(1, $3) p)
		select id::text from made`, first.CampaignID, n, contacts)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{first.CampaignID}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.Exec(context.Background(), `update campaigns set status = 'QUEUED' where id = $1`, first.CampaignID); err != nil {
		t.Fatal(err)
	}
	return ids
}

func setAccountCap(t *testing.T, e *apitest.Env, n int) {
	t.Helper()
	if _, err := e.DB.Exec(context.Background(), `insert into system_config (key, value) values ('account_concurrency_cap', to_jsonb($1::int))
		on conflict (key) do update set value = excluded.value`, n); err != nil {
		t.Fatal(err)
	}
}

// peakLive is the most calls live at once by Vapi's own timestamps.
func peakLive(calls []vapi.Call) int {
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, c := range calls {
		edges = append(edges, edge{c.CreatedAt, 1})
		if !c.EndedAt.IsZero() {
			edges = append(edges, edge{c.EndedAt, -1})
		}
	}
	// At the same instant an end frees its slot before a start takes one.
	slices.SortFunc(edges, func(a, b edge) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.delta - b.delta
	})
	live, peak := 0, 0
	for _, x := range edges {
		live += x.delta
		peak = max(peak, live)
	}
	return peak
}
