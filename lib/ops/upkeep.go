package ops

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// UpkeepBudget bounds AfterTick, so tick plus upkeep stay inside the
// function's maxDuration (scheduler.Deadline is 40 s of 60).
const UpkeepBudget = 10 * time.Second

// AfterTick is the operations work of one cron tick, run after dialing:
// flush the Vapi counters, record the heartbeat with what the tick saw of
// Vapi, check spend thresholds (posting alerts to alertURL when set) and
// apply one batch of retention. Each step runs even when another failed;
// the errors come back joined for the tick's log. It returns how many
// rows retention changed.
func AfterTick(ctx context.Context, pool *pgxpool.Pool, now time.Time, tally *Tally, hc *http.Client, alertURL string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, UpkeepBudget)
	defer cancel()
	reach, flushErr := tally.Flush(ctx, pool, now)
	beatErr := Beat(ctx, pool, now, reach)
	spendErr := CheckSpend(ctx, pool, now, hc, alertURL)
	purged, retainErr := ApplyRetention(ctx, pool, now)
	return purged, errors.Join(flushErr, beatErr, spendErr, retainErr)
}
