package recovery_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/recovery"
)

// callstate.End is the one way AutoLynx ends a call itself: it ends a live
// call once, refuses a status that is not final, leaves a call Vapi took
// alone when ending a refused dial (a refusal's answer racing the call's
// first news), and what it wrote (the tick's timeout here) replays to
// the same row.
func TestEndReplaysToTheSameCall(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, c := heldCampaign(t, "Ends", 2)
	var call uuid.UUID
	if err := e.DB.QueryRow(ctx, `select id from calls where campaign_id = $1 order by created_at limit 1`, c.CampaignID).Scan(&call); err != nil {
		t.Fatal(err)
	}
	tick := callstate.Event{Source: "tick", Type: callstate.EventTimeout}
	if _, _, err := callstate.End(ctx, e.DB, call, callstate.FromLive, callstate.Ringing, "x", tick, e.Clock.Now()); err == nil {
		t.Fatal("End accepted a live status")
	}
	if _, _, err := callstate.End(ctx, e.DB, call, callstate.FromLive, callstate.Timeout, "x", callstate.Event{Payload: []byte(`{}`)}, e.Clock.Now()); err == nil {
		t.Fatal("End accepted a payload of its own")
	}
	rejected := callstate.Event{Source: "tick", Type: callstate.EventRejected}
	if _, ok, err := callstate.End(ctx, e.DB, call, callstate.FromPending, callstate.Failed, "rejected: late", rejected, e.Clock.Now()); err != nil || ok {
		t.Fatalf("a refusal ended a call Vapi took: %v, %v", ok, err)
	}
	campaignID, ok, err := callstate.End(ctx, e.DB, call, callstate.FromLaunched, callstate.Timeout, "timeout: no news", tick, e.Clock.Now())
	if err != nil || !ok || campaignID.String() != c.CampaignID {
		t.Fatalf("End = %s, %v, %v", campaignID, ok, err)
	}
	if _, ok, err := callstate.End(ctx, e.DB, call, callstate.FromLive, callstate.Ended, "again", tick, e.Clock.Now()); err != nil || ok {
		t.Fatalf("ending a final call again = %v, %v", ok, err)
	}
	var status, disposition, reason, payload string
	err = e.DB.QueryRow(ctx, `select c.status, c.disposition, c.ended_reason, v.payload->>'reason' from calls c
		join call_events v on v.call_id = c.id and v.type = 'call.timeout' where c.id = $1`, call).Scan(&status, &disposition, &reason, &payload)
	if err != nil || status != "TIMEOUT" || disposition != "timeout" || reason != "timeout: no news" || payload != reason {
		t.Fatalf("ended call = %s %s %q, event reason %q (%v)", status, disposition, reason, payload, err)
	}
	res, err := recovery.Rebuild(ctx, e.DB, uuid.MustParse(c.CampaignID), recovery.Options{URLs: localURLs})
	if err != nil || len(res.Diffs) != 0 {
		t.Fatalf("rebuild after End: %+v, %v", res, err)
	}
}
