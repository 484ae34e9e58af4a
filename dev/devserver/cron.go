package devserver

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"
)

// cronClient is the cron's HTTP client; a tick answers within a minute.
var cronClient = &http.Client{Timeout: 60 * time.Second}

// RunCron calls the tick every cadence (±10% jitter, like the deployed
// cron's imprecision) with the cron secret, until ctx ends.
func RunCron(ctx context.Context, url, secret string, cadence time.Duration, log *slog.Logger) {
	for {
		jitter := time.Duration((rand.Float64()*0.2 - 0.1) * float64(cadence))
		select {
		case <-ctx.Done():
			return
		case <-time.After(cadence + jitter):
		}
		if err := Tick(ctx, url, secret); err != nil && ctx.Err() == nil {
			log.Warn("cron tick failed", "err", err.Error())
		}
	}
}

// Tick calls the tick once, as the cron does.
func Tick(ctx context.Context, url, secret string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("build tick request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("User-Agent", "vercel-cron/1.0")
	resp, err := cronClient.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("tick answered %s", resp.Status)
	}
	return nil
}
