package campaign

import (
	"context"
	"fmt"

	"github.com/autolynx/autolynx/lib/db"
)

// compactTallies folds the deltas of the campaigns that gathered the most
// since the last pass (every status change adds one or two rows) back to
// a row per bucket, so summing a campaign's tallies stays a few dozen rows.
const compactTallies = `
select public.compact_campaign_tallies(campaign_id) from (
  select campaign_id from campaign_tallies group by campaign_id
  having count(*) > 64 order by count(*) desc limit 100
) busiest`

// CompactTallies runs one compaction pass; the tick calls it each minute.
func CompactTallies(ctx context.Context, q db.DBTX) error {
	if _, err := q.Exec(ctx, compactTallies); err != nil {
		return fmt.Errorf("compact tallies: %w", err)
	}
	return nil
}
