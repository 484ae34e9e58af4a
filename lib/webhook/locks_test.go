package webhook_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/lib/callstate"
)

// Many calls of one campaign ending at once must not queue on the
// campaign row: while another transaction holds the lock an update of the
// campaign takes (an operator's edit, another call's completion check),
// every call but the last still goes through its whole life — statuses,
// the end, the report with its cost under a spend limit not reached.
// Only the last call's end, which completes the campaign, waits for it.
func TestWebhooksDoNotWaitOnTheCampaignRow(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	ctx := context.Background()
	asst := e.CreateAssistant("Locks")
	c := e.CreateCampaign(map[string]string{"name": "locks", "assistantId": asst}, apitest.Contacts(5))
	rows, err := e.DB.Query(ctx, `
		with ins as (
		  insert into calls (campaign_id, contact_id, status, phone_number_id, provider_call_id)
		  select campaign_id, id, 'QUEUED', 'p', 'lock-' || position from contacts where campaign_id = $1
		  returning id, contact_id, provider_call_id),
		u as (update contacts k set last_call_id = ins.id, attempts = 1 from ins where k.id = ins.contact_id)
		select provider_call_id, id::text from ins order by provider_call_id`, c.CampaignID)
	if err != nil {
		t.Fatal(err)
	}
	var lives [][][]byte
	for rows.Next() {
		var p, id string
		if err := rows.Scan(&p, &id); err != nil {
			t.Fatal(err)
		}
		lives = append(lives, messages(p, id))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.Exec(ctx, `update campaigns set status = 'RUNNING', started_at = now(), spend_limit_usd = 100 where id = $1`,
		c.CampaignID); err != nil {
		t.Fatal(err)
	}

	holder, err := e.DB.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Rollback(ctx) }()
	if _, err := holder.Exec(ctx, `update campaigns set status_reason = status_reason where id = $1`, c.CampaignID); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for _, life := range lives[1:] {
		wg.Go(func() {
			for _, k := range []int{0, 1, 2, 4, 5} {
				if st := post(e, life[k], map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}); st != http.StatusOK {
					t.Errorf("message %d: %d", k, st)
				}
			}
		})
	}
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("webhooks still waiting on the campaign row after a minute")
	}
	var ended int
	if err := e.DB.QueryRow(ctx, `select count(*) from calls where campaign_id = $1 and status = 'ENDED' and cost is not null`,
		c.CampaignID).Scan(&ended); err != nil {
		t.Fatal(err)
	}
	if ended != 4 {
		t.Fatalf("%d calls ended with their cost while the campaign row was held, want 4", ended)
	}

	// The last call too, up to its end: that completes the campaign,
	// which waits for the row.
	for _, k := range []int{0, 1, 2} {
		if st := post(e, lives[0][k], map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}); st != http.StatusOK {
			t.Fatalf("last call, message %d: %d", k, st)
		}
	}
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{4, 5} {
		if st := post(e, lives[0][k], map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}); st != http.StatusOK {
			t.Fatalf("last call, message %d: %d", k, st)
		}
	}
	if s := e.Summary(c.CampaignID).Status; s != "COMPLETED" {
		t.Fatalf("campaign %s after its last call ended, want COMPLETED", s)
	}
}

// News of a call before its end (queued, ringing, in progress) costs one
// statement, so one round trip and no transaction: in particular no
// counter written per webhook on a row that every webhook of the minute
// would share (the event log already counts them).
func TestNewsBeforeTheEndIsOneStatement(t *testing.T) {
	t.Parallel()
	h, bodies, counter := ingestFixture(t, 3, 1, 0, 1, 2)
	counter.Reset()
	sendAll(t, h, bodies[0])
	if n := counter.Statements.Load(); n != int64(len(bodies[0])) {
		t.Fatalf("%d statements for %d webhooks, want one each", n, len(bodies[0]))
	}
}

// sendAll posts each body to h in order, each answered 200.
func sendAll(t *testing.T, h http.Handler, bodies [][]byte) {
	t.Helper()
	for _, body := range bodies {
		req := httptest.NewRequest(http.MethodPost, "/api/webhooks/vapi", bytes.NewReader(body))
		req.Header.Set("X-Vapi-Secret", apitest.WebhookSecret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("webhook: %d %s", rec.Code, rec.Body)
		}
	}
}

// News of a call's end is one statement, one round trip: record_call_news
// records it and decides the retry and the campaign's completion
// (callstate.RecordEnd), where a transaction took five.
func TestNewsOfTheEndIsOneRoundTrip(t *testing.T) {
	t.Parallel()
	h, bodies, counter := ingestFixture(t, 3, 1, 4, 5)
	counter.Reset()
	sendAll(t, h, bodies[0])
	if n := counter.RoundTrips.Load(); n != int64(len(bodies[0])) {
		t.Fatalf("%d round trips for %d webhooks, want one each", n, len(bodies[0]))
	}
}

// When more follows an end than that statement does (here the campaign's
// spend limit), it changes nothing and the news is recorded in a
// transaction instead: the limit pauses the campaign, and each message is
// in the event log once.
func TestEndUnderASpendLimitIsRecordedOnce(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	campaignID, callID, _ := firstCall(t, e, "limit-1", "IN_PROGRESS", "", "", "spend_limit_usd = 0.05")
	life := messages("limit-1", callID)
	for _, k := range []int{4, 5} {
		if st := post(e, life[k], map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}); st != http.StatusOK {
			t.Fatalf("message %d: %d", k, st)
		}
	}
	if s := e.Summary(campaignID); s.Status != "PAUSED" {
		t.Errorf("campaign %s after a report over its spend limit, want PAUSED", s.Status)
	}
	if n := e.Count(t, `select count(*) from call_events where call_id = $1`, callID); n != 2 {
		t.Errorf("%d events logged for 2 messages, want 2", n)
	}
}

// News of a live call (ringing, in progress) rewrites no index of calls:
// no index names its status or last_event_at, so each is a HOT update.
// (Otherwise every one wrote into every index, and the calls of one
// campaign, ending together, queued on the same index pages.)
func TestLiveCallNewsIsAHotUpdate(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	ctx := context.Background()
	firstCall(t, e, "hot-1", "QUEUED", "", "", "")
	tx, err := e.DB.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	for _, s := range []string{callstate.Ringing, callstate.InProgress} {
		ev := callstate.Event{Source: "webhook", Type: "status-update"}
		if _, err := callstate.Record(ctx, tx, callstate.Observation{ProviderCallID: "hot-1", Status: s}, ev, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	var updated, hot int
	if err := tx.QueryRow(ctx, `select pg_stat_get_xact_tuples_updated('calls'::regclass),
		pg_stat_get_xact_tuples_hot_updated('calls'::regclass)`).Scan(&updated, &hot); err != nil {
		t.Fatal(err)
	}
	if updated != 2 || hot != 2 {
		t.Fatalf("%d of %d updates of the live call were HOT, want 2 of 2", hot, updated)
	}
}

// News that changes nothing (the status the call has, no data) is
// logged and leaves the call's row alone: no new row version, and
// last_event_at still says when the call last changed, so a call that
// keeps repeating "queued" still counts as stuck.
func TestNewsThatChangesNothingLeavesTheCallAlone(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	ctx := context.Background()
	_, callID, _ := firstCall(t, e, "same-1", "QUEUED", "", "", "")
	version := func() (v string) {
		t.Helper()
		if err := e.DB.QueryRow(ctx, `select ctid::text || xmin::text || last_event_at::text from calls where id = $1`,
			callID).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := version()
	for range 2 {
		if st := post(e, messages("same-1", callID)[0], map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}); st != http.StatusOK {
			t.Fatalf("queued: %d", st)
		}
	}
	if after := version(); after != before {
		t.Errorf("the call's row changed (%s, was %s) for news that changes nothing", after, before)
	}
	if n := e.Count(t, `select count(*) from call_events where call_id = $1`, callID); n != 2 {
		t.Errorf("%d events logged for 2 messages, want 2", n)
	}
}

// News that changes nothing but names Vapi's id for a call that has
// none yet (the dial's answer was lost; the news found the call by our
// id) is not nothing: the id is kept, for reconciliation to ask Vapi by.
func TestNewsNamingVapisIdIsKept(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	_, callID, _ := firstCall(t, e, "unnamed-1", "QUEUED", "", "", "")
	e.Exec(t, `update calls set provider_call_id = null where id = $1`, callID)
	if st := post(e, messages("vapi-id-1", callID)[0], map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}); st != http.StatusOK {
		t.Fatalf("queued: %d", st)
	}
	if n := e.Count(t, `select count(*) from calls where id = $1 and provider_call_id = 'vapi-id-1'`, callID); n != 1 {
		t.Fatal("Vapi's id named by news that changed nothing else was not kept")
	}
}

// The call is read without a lock and its update guarded by what was
// read: news racing other news of the same call (here an end committing
// while "in progress" is decided) is decided again on the call as it now
// is, and never moves it back.
func TestNewsRacingOtherNewsIsDecidedAgain(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	ctx := context.Background()
	_, callID, _ := firstCall(t, e, "racing-1", "RINGING", "", "", "")
	end, err := e.DB.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = end.Rollback(ctx) }()
	if _, err := end.Exec(ctx, `update calls set status = 'ENDED', ended_reason = 'customer-ended-call',
		disposition = 'answered' where id = $1`, callID); err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		done <- post(e, messages("racing-1", callID)[2], map[string]string{"X-Vapi-Secret": apitest.WebhookSecret})
	}()
	// "In progress" has read the call as RINGING and waits to update it.
	waitForALock(t, e, "the news never waited for the end's lock")
	if err := end.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if st := <-done; st != http.StatusOK {
		t.Fatalf("in progress: %d", st)
	}
	if f := final(t, e, callID); f.Status != "ENDED" || f.EndedReason != "customer-ended-call" {
		t.Fatalf("call %s, %s after in-progress news raced its end; want ENDED, customer-ended-call", f.Status, f.EndedReason)
	}
}

// A live call's news (ringing, in progress) writes no tally: the
// contacts whose latest call is live share one bucket, and the reads
// count them by status from the live calls. The summary, the contacts
// page's count by status and the campaign list still say where each is.
func TestLiveCallNewsWritesNoTally(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	campaignID, callID, _ := firstCall(t, e, "live-1", "QUEUED", "", "", "")
	deltas := func() int {
		return e.Count(t, `select count(*) from campaign_tallies where campaign_id = $1`, campaignID)
	}
	before := deltas()
	for _, k := range []int{1, 2} {
		if st := post(e, messages("live-1", callID)[k], map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}); st != http.StatusOK {
			t.Fatalf("message %d: %d", k, st)
		}
	}
	if n := deltas() - before; n != 0 {
		t.Errorf("%d tally rows written for a live call's news, want none", n)
	}
	e.CheckTallies(campaignID)
	if m := e.Summary(campaignID).Metrics; m.ByStatus["IN_PROGRESS"] != 1 || m.ByStatus["NOT_CALLED"] != 1 || len(m.ByStatus) != 2 {
		t.Errorf("summary by status %v, want IN_PROGRESS 1 and NOT_CALLED 1", m.ByStatus)
	}
	var page struct {
		Pagination struct{ Total int } `json:"pagination"`
	}
	e.GetJSON(t, e.Operator, "/api/campaigns/"+campaignID+"/contacts?status=IN_PROGRESS", &page)
	if page.Pagination.Total != 1 {
		t.Errorf("contacts in progress: total %d, want 1", page.Pagination.Total)
	}
	var list struct {
		Campaigns []struct {
			ID          string `json:"id"`
			ActiveCalls int    `json:"activeCalls"`
		} `json:"campaigns"`
	}
	e.GetJSON(t, e.Operator, "/api/campaigns", &list)
	for _, c := range list.Campaigns {
		if c.ID == campaignID && c.ActiveCalls != 1 {
			t.Errorf("campaign list: %d active calls, want 1", c.ActiveCalls)
		}
	}
	// Its end moves the contact out of LIVE into its outcome.
	for _, k := range []int{4, 5} {
		if st := post(e, messages("live-1", callID)[k], map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}); st != http.StatusOK {
			t.Fatalf("message %d: %d", k, st)
		}
	}
	e.CheckTallies(campaignID)
	if m := e.Summary(campaignID).Metrics; m.ByStatus["ENDED"] != 1 || m.CompletedCalls != 1 || m.ActiveCalls != 0 {
		t.Errorf("after the end: by status %v, %d completed, %d active; want ENDED 1, 1, 0", m.ByStatus, m.CompletedCalls, m.ActiveCalls)
	}
}

// Every kind of write to a call keeps the tallies true: the tally
// trigger's condition (migration 20261207800300) only rules out a live
// call staying live with its cost unchanged, and fires only for updates
// naming a column a tally counts.
func TestEveryCallUpdateKeepsTheTallies(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	campaignID, callID, _ := firstCall(t, e, "tally-1", "QUEUED", "", "", "")
	for _, set := range []string{
		"cost = 0.05",                         // Vapi's running cost, on a live call
		"status = 'RINGING'",                  // live stays live
		"status = 'IN_PROGRESS', cost = 0.07", // live stays live, cost moves
		"status = 'ENDED', ended_reason = 'customer-busy', disposition = 'busy'",
		"ended_reason = 'customer-ended-call'",        // final stays final, reason moves
		"disposition = 'answered'",                    // and its disposition
		"status = 'TIMEOUT'",                          // and its status
		"cost = 0.12",                                 // the report's cost
		"cost = null",                                 // a cost withdrawn
		"transcript = '[]', recording_url = 'r'",      // nothing a tally counts
		"status = 'ENDED', cost = 0.2, summary = 's'", // several at once
	} {
		if _, err := e.DB.Exec(context.Background(), `update calls set `+set+` where id = $1`, callID); err != nil {
			t.Fatalf("%s: %v", set, err)
		}
		e.CheckTallies(campaignID)
		if t.Failed() {
			t.Fatalf("after %s", set)
		}
	}
}

// Code deployed before record_call_news still records news through
// observe_call until the new deployment replaces it: migrations are
// pushed first (README, Deploying), and its statement must not fail every
// webhook in between.
func TestTheDeploymentBeforeTheProcedureStillRecordsNews(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	_, callID, _ := firstCall(t, e, "before-1", "RINGING", "", "", "")
	const previousRelease = `
select * from public.observe_call($1, $2::uuid, $3, $4, $5::text[], $6, $7, $8::numeric, $9::jsonb, $10, $11::jsonb,
  $12, $13, $14::jsonb, $15::timestamptz, $16::timestamptz, $17::numeric, $18::timestamptz, $19, $20, $21::jsonb,
  $22, $23, $24)`
	e.Exec(t, previousRelease, "before-1", callID, true, "IN_PROGRESS", "{PENDING,QUEUED,RINGING}", "", "", nil, nil, "",
		nil, "", "", nil, nil, nil, nil, time.Now(), "webhook", "status-update", `{}`, false, false, false)
	if n := e.Count(t, `select count(*) from calls where id = $1 and status = 'IN_PROGRESS'`, callID); n != 1 {
		t.Fatal("the call is not IN_PROGRESS after news through the previous release's statement")
	}
}

// The webhook's statement works in each of pgx's modes a deployment may
// use: the simple protocol through Supabase's transaction pooler, the
// extended protocol with cached statements (the local runner and a
// direct connection) or without (exec).
func TestNewsIsRecordedInEveryProtocolMode(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	ctx := context.Background()
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement, pgx.QueryExecModeExec} {
		cfg := e.DB.Config()
		cfg.ConnConfig.DefaultQueryExecMode = mode
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		provider := "mode-" + mode.String()
		_, callID, _ := firstCall(t, e, provider, "QUEUED", "", "", "")
		ev := callstate.Event{Source: "webhook", Type: "status-update"}
		r, err := callstate.Record(ctx, pool, callstate.Observation{ProviderCallID: provider, Status: callstate.Ringing}, ev, time.Now())
		if err != nil || !r.Found || r.CallID.String() != callID || r.Current != callstate.Ringing {
			t.Errorf("%s: %+v, %v; want call %s found and RINGING", mode, r, err, callID)
		}
	}
}

// A bare "ended" after our own TIMEOUT keeps the reason the TIMEOUT
// stored, which is not the news's to classify: the statement declines
// and Go decides the redial from the stored reason, in a transaction.
func TestBareEndAfterOurTimeoutRedialsByTheStoredReason(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	ctx := context.Background()
	_, callID, _ := firstCall(t, e, "late-1", "TIMEOUT", "customer-busy", "timeout", "retry_dispositions = '{timeout,busy}'")
	bare := fmt.Sprintf(`{"message":{"type":"status-update","status":"ended","call":{"id":"late-1","assistantOverrides":{"metadata":{"autolynxCallId":%q}}}}}`, callID)
	if st := post(e, []byte(bare), map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}); st != http.StatusOK {
		t.Fatalf("bare end: %d", st)
	}
	var status, reason string
	var redial *time.Time
	var events int
	if err := e.DB.QueryRow(ctx, `
		select l.status, l.ended_reason, k.next_attempt_at, (select count(*) from call_events where call_id = l.id)
		from calls l join contacts k on k.id = l.contact_id where l.id = $1`, callID).Scan(&status, &reason, &redial, &events); err != nil {
		t.Fatal(err)
	}
	if status != "ENDED" || reason != "customer-busy" {
		t.Errorf("call %s, %s; want ENDED, customer-busy", status, reason)
	}
	if redial == nil {
		t.Error("no redial: the stored reason (busy) was not the one classified")
	}
	if events != 1 {
		t.Errorf("%d events logged for one message, want 1", events)
	}
}

// A late result for a contact's previous call that races the claim of
// its next one (the claim holds the contact's row, the result's redial
// decision waits for it) must not leave a redial due on a contact whose
// latest call is live: it would be dialed twice.
func TestLateResultRacingAClaimSchedulesNoRedial(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	ctx := context.Background()
	_, callID, contactID := firstCall(t, e, "race-1", "TIMEOUT", "", "timeout", "")
	// The claim of the contact's next attempt, holding its row.
	claim, err := e.DB.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = claim.Rollback(ctx) }()
	if _, err := claim.Exec(ctx, `
		with next as (
		  insert into calls (campaign_id, contact_id, attempt, status, phone_number_id)
		  select campaign_id, id, 2, 'PENDING', 'p' from contacts where id = $1 returning id)
		update contacts set last_call_id = (select id from next), attempts = 2, next_attempt_at = null where id = $1`,
		contactID); err != nil {
		t.Fatal(err)
	}
	late := fmt.Sprintf(`{"message":{"type":"status-update","status":"ended","endedReason":"customer-busy","call":{"id":"race-1","assistantOverrides":{"metadata":{"autolynxCallId":%q}}}}}`, callID)
	done := make(chan int, 1)
	go func() { done <- post(e, []byte(late), map[string]string{"X-Vapi-Secret": apitest.WebhookSecret}) }()
	// The result has decided to redial and waits for the contact's row.
	waitForALock(t, e, "the late result never waited for the claim's lock")
	if err := claim.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if st := <-done; st != http.StatusOK {
		t.Fatalf("late result: %d", st)
	}
	var due *time.Time
	var latest string
	if err := e.DB.QueryRow(ctx, `select next_attempt_at, last_call_id::text from contacts where id = $1`, contactID).Scan(&due, &latest); err != nil {
		t.Fatal(err)
	}
	if latest == callID || due != nil {
		t.Fatalf("contact's latest call %s, redial due %v: want the claimed call and no redial", latest, due)
	}
}

// waitForALock returns once a session of e's database waits for a lock,
// failing t with never after ten seconds.
func waitForALock(t *testing.T, e *apitest.Env, never string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if e.Count(t, `select count(*) from pg_stat_activity
			where datname = current_database() and wait_event_type = 'Lock'`) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(never)
		}
	}
}

// firstCall makes a running campaign (name: provider; settings, if any,
// an extra SET list for it) and gives its first contact one call, its
// latest, with Vapi id provider, status, ended reason and disposition
// (empty for none); it returns the campaign's, the call's and the
// contact's ids.
func firstCall(t *testing.T, e *apitest.Env, provider, status, reason, disposition, settings string) (campaignID, callID, contactID string) {
	t.Helper()
	ctx := context.Background()
	c := e.CreateCampaign(map[string]string{"name": provider, "assistantId": e.CreateAssistant(provider)}, apitest.Contacts(2))
	if err := e.DB.QueryRow(ctx, `
		with ins as (
		  insert into calls (campaign_id, contact_id, status, phone_number_id, provider_call_id, ended_reason, disposition)
		  select campaign_id, id, $2, 'p', $3, nullif($4, ''), nullif($5, '') from contacts where campaign_id = $1 and position = 1
		  returning id, contact_id),
		u as (update contacts k set last_call_id = ins.id, attempts = 1 from ins where k.id = ins.contact_id)
		select id::text, contact_id::text from ins`, c.CampaignID, status, provider, reason, disposition).Scan(&callID, &contactID); err != nil {
		t.Fatal(err)
	}
	set := "status = 'RUNNING', started_at = now()"
	if settings != "" {
		set += ", " + settings
	}
	if _, err := e.DB.Exec(ctx, `update campaigns set `+set+` where id = $1`, c.CampaignID); err != nil {
		t.Fatal(err)
	}
	return c.CampaignID, callID, contactID
}
