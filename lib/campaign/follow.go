package campaign

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/db"
)

// FollowCall moves a campaign on after news about one of its calls, in the
// news's transaction: PAUSED when Vapi refused the call for the account's
// sake; the opt-out and spend-limit rules once an outcome and a cost
// arrive; the outcome fields, the result and a callback once the analysis
// arrives; COMPLETED when that was the last call. Webhooks and reconciliation share it.
func FollowCall(ctx context.Context, tx db.DBTX, res callstate.Result, o callstate.Observation, now time.Time) error {
	if !res.Found {
		return nil
	}
	// Each check below runs only where it could change the campaign as
	// read with the call (res): most news about a call needs none. A call
	// in progress made its campaign RUNNING as it was recorded.
	if e := callstate.Classify(o.EndedReason); e.Refusal == callstate.AccountRefusal && res.Changed() {
		// Only the news that ended the call pauses: a duplicate report
		// must not pause a campaign resumed since.
		if err := PauseForVapi(ctx, tx, res.CampaignID, res.CallID, e.Why, now); err != nil {
			return err
		}
	}
	if optedOut(o) {
		if err := SuppressOptOut(ctx, tx, res.CallID, now); err != nil {
			return err
		}
	}
	if err := screenedCall(ctx, tx, res, o); err != nil {
		return err
	}
	if o.Cost != nil && res.SpendLimited {
		if _, err := EnforceSpendLimit(ctx, tx, res.CampaignID); err != nil {
			return err
		}
	}
	recorded := false
	if hasAnalysis(o) {
		var err error
		if recorded, err = RecordOutcomes(ctx, tx, res.CallID, o, now); err != nil {
			return err
		}
	}
	// An answered call's report may complete a campaign that waited for
	// it (completeIfDone).
	if (res.Changed() || recorded) && callstate.Terminal(res.Current) {
		return completeLater(ctx, tx, res.CampaignID, now)
	}
	return nil
}

// MayFollow reports whether news o can call for FollowCall's checks or
// a redial, which must commit in one transaction with it; other news (a
// call queued, ringing or in progress) is recorded in a single statement.
func MayFollow(o callstate.Observation) bool {
	return callstate.MayRedial(o) || o.Cost != nil || optedOut(o) || hasAnalysis(o)
}

// FollowsInSQL reports whether all that can follow news o, beyond what
// record_call_news does itself in callstate.RecordEnd (the retry decision,
// the completion check, or its refusal when a spend limit applies), is
// nothing: no analysis (outcomes to record, an opt-out, both read from
// it), no screener to mark, no refusal to pause the campaign for.
// FollowCall's other steps, each named here, otherwise need Go.
func FollowsInSQL(o callstate.Observation) bool {
	return !hasAnalysis(o) && !callstate.IsScreened(o.Transcript) &&
		callstate.Classify(o.EndedReason).Refusal != callstate.AccountRefusal
}

// hasAnalysis reports whether news carries an end-of-call analysis, where
// a campaign's outcome fields are read from.
func hasAnalysis(o callstate.Observation) bool {
	return len(o.StructuredData) > 0 || len(o.OtherStructuredData) > 0
}

// optOutKeys are the structured-data fields an assistant's analysis plan
// sets when the person asked not to be called again.
var optOutKeys = []string{"optOut", "opt_out", "doNotCall", "do_not_call", "dnc"}

// optedOut reports whether the end-of-call analysis flags an opt-out, in
// the structured data stored or in the other one Vapi sent.
func optedOut(o callstate.Observation) bool {
	return flagged(o.StructuredData) || flagged(o.OtherStructuredData)
}

// flagged reports whether structured data flags an opt-out: as
// analysis.structuredData ({"optOut": true}) or as one of the artifact's
// structuredOutputs ({id: {"name": "optOut", "result": true}}, or a
// result object carrying such a key).
func flagged(structured json.RawMessage) bool {
	if len(structured) == 0 {
		return false
	}
	var data map[string]any
	if json.Unmarshal(structured, &data) != nil {
		return false
	}
	if flagsOptOut(data) {
		return true
	}
	for _, v := range data {
		out, _ := v.(map[string]any)
		name, _ := out["name"].(string)
		if slices.Contains(optOutKeys, name) && truthy(out["result"]) {
			return true
		}
		if result, ok := out["result"].(map[string]any); ok && flagsOptOut(result) {
			return true
		}
	}
	return false
}

// flagsOptOut reports whether one of data's opt-out keys is true.
func flagsOptOut(data map[string]any) bool {
	return slices.ContainsFunc(optOutKeys, func(k string) bool { return truthy(data[k]) })
}

func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v == "true" || v == "yes"
	}
	return false
}
