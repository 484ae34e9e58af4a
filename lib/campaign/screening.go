package campaign

import (
	"context"
	"fmt"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/db"
)

// screenedCall marks a final call whose transcript shows a call-screening
// service (callstate.IsScreened) as disposition "screened" instead of
// "answered" (neither is redialed). It runs in the end-of-call news's
// transaction and writes only for news carrying a screener's transcript.
func screenedCall(ctx context.Context, tx db.DBTX, res callstate.Result, o callstate.Observation) error {
	if !callstate.Terminal(res.Current) || !callstate.IsScreened(o.Transcript) {
		return nil
	}
	if _, err := tx.Exec(ctx, `update calls set disposition = 'screened' where id = $1 and disposition = 'answered'`, res.CallID); err != nil {
		return fmt.Errorf("mark screened call: %w", err)
	}
	return nil
}
