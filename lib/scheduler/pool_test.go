package scheduler_test

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/dev/campaigntest"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/campaign"
)

// The tick gives its claims a connection of their own, but not the only
// one: with a pool of one connection the dialers would wait for it until
// the tick's deadline and nothing would be launched.
func TestTickOnAOneConnectionPool(t *testing.T) {
	t.Parallel()
	f := setup(t, vapisim.Config{})
	cfg := f.pool.Config()
	cfg.MaxConns = 1
	one, err := pgxpool.NewWithConfig(f.ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(one.Close)
	f.sched.DB = one
	id := f.campaign(t, campaigntest.Header+campaigntest.Rows(0, 3))
	f.control(t, id, campaign.Start)
	if sum := f.tick(t, id); sum.Launched != 3 {
		t.Fatalf("launched %d of 3 on a one-connection pool", sum.Launched)
	}
}
