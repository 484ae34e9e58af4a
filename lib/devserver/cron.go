package devserver

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"
)

// RunCron calls the tick every cadence (±10% jitter, like the deployed
// cron's imprecision) with the cron secret, until ctx ends.
func RunCron(ctx context.Context, url, secret string, cadence time.Duration, log *slog.Logger) {
	client := &http.Client{Timeout: 60 * time.Second}
	for {
		jitter := time.Duration((rand.Float64()*0.2 - 0.1) * float64(cadence))
		select {
		case <-ctx.Done():
			return
		case <-time.After(cadence + jitter):
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("User-Agent", "vercel-cron/1.0")
		resp, err := client.Do(req)
		if err != nil {
			log.Warn("cron tick failed", "err", err.Error())
			continue
		}
		_ = resp.Body.Close()
	}
}
