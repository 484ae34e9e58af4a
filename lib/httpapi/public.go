package httpapi

import (
	"sync"
	"time"
)

// Unauthenticated requests (health, the dashboard's config, webhooks that
// fail their signature) must stay cheap: a flood of them must not take the
// pooler's connections from the webhook and the tick. What they read is
// kept per instance for a while (Cached), and what they count is written
// once a minute (ops.Batch), both held in the instance's memory (Memo).

// Cached holds one value for a while. Concurrent misses wait for one load,
// so a burst costs one round trip; a failed load is not kept.
type Cached[T any] struct {
	mu sync.Mutex
	at time.Time
	v  T
	ok bool
}

// Get returns the value loaded less than ttl before now, or loads it.
func (c *Cached[T]) Get(now time.Time, ttl time.Duration, load func() (T, error)) (T, error) {
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

// Forget drops the value, so the next Get loads it.
func (c *Cached[T]) Forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ok = false
}

// Memo is the instance's one T, made (zero) on first use: the memory a
// function's package keeps per warm instance (caches, counters), held by
// the deps so each backend a test builds has its own. Each package keys
// it by a type of its own.
func Memo[T any](d *Deps) *T {
	d.memoMu.Lock()
	defer d.memoMu.Unlock()
	if d.memo == nil {
		d.memo = map[any]any{}
	}
	key := (*T)(nil)
	v, ok := d.memo[key]
	if !ok {
		v = new(T)
		d.memo[key] = v
	}
	return v.(*T)
}
