package httpapi

import (
	"sync"
	"time"
)

// Unauthenticated requests (health, the dashboard's config, webhooks that
// fail their signature) must stay cheap: a flood of them must not take the
// pooler's connections from the webhook and the tick. What they read is
// kept per instance for a while, and what they count is written once a
// minute (ops.Batch).
const (
	// healthTTL is how long a health probe's verdict is reused.
	healthTTL = 5 * time.Second
	// publicSettingsTTL is how long the config the sign-in page reads is
	// reused; an admin's change on this instance forgets it at once, other
	// instances see it within this time.
	publicSettingsTTL = 30 * time.Second
)

// cached holds one value for a while. Concurrent misses wait for one load,
// so a burst costs one round trip; a failed load is not kept.
type cached[T any] struct {
	mu sync.Mutex
	at time.Time
	v  T
	ok bool
}

func (c *cached[T]) get(now time.Time, ttl time.Duration, load func() (T, error)) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ok && !now.Before(c.at) && now.Sub(c.at) < ttl {
		return c.v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.v, c.at, c.ok = v, now, true
	return v, nil
}

func (c *cached[T]) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ok = false
}

// ForgetPublicSettings drops this instance's copy of the settings that
// GET /api/config serves, after an admin changed them here.
func (d *Deps) ForgetPublicSettings() { d.publicSetting.forget() }
