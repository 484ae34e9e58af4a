package vapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultBaseURL is Vapi's production API.
const DefaultBaseURL = "https://api.vapi.ai"

// Default per-attempt timeouts. Call creation gets the shorter one so a slow
// Vapi cannot eat a scheduler tick; its timeout is reported as ambiguous.
const (
	DefaultTimeout           = 10 * time.Second
	DefaultCreateCallTimeout = 6 * time.Second
)

// maxBody bounds a response body (a list of 1000 calls with transcripts).
const maxBody = 64 << 20

// backoff is the wait before each retry; jitter adds up to 25% to each.
var backoff = [...]time.Duration{1 * time.Second, 4 * time.Second, 10 * time.Second}

// Config holds what New needs; zero fields take the documented defaults.
type Config struct {
	// BaseURL defaults to DefaultBaseURL; the simulator's URL locally.
	BaseURL string
	// APIKey is Vapi's private key, sent as a bearer token.
	APIKey string
	// HTTPClient defaults to a client without its own timeout: the client
	// applies Timeout and CreateCallTimeout to each attempt.
	HTTPClient *http.Client
	// Timeout bounds one attempt of every request but CreateCall.
	Timeout time.Duration
	// CreateCallTimeout bounds one CreateCall attempt.
	CreateCallTimeout time.Duration
	// Sleep waits between retries; it must return early with an error when
	// ctx ends. Tests inject it to record the schedule.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a number in [0,1) for retry jitter.
	Rand func() float64
}

// Client talks to Vapi. It is safe for concurrent use.
type Client struct {
	base          string
	key           string
	hc            *http.Client
	timeout       time.Duration
	createTimeout time.Duration
	sleep         func(context.Context, time.Duration) error
	rand          func() float64
}

// New builds a Client from cfg, filling defaults.
func New(cfg Config) *Client {
	c := &Client{
		base:          strings.TrimRight(orDefault(cfg.BaseURL, DefaultBaseURL), "/"),
		key:           cfg.APIKey,
		hc:            cfg.HTTPClient,
		timeout:       orDefault(cfg.Timeout, DefaultTimeout),
		createTimeout: orDefault(cfg.CreateCallTimeout, DefaultCreateCallTimeout),
		sleep:         cfg.Sleep,
		rand:          cfg.Rand,
	}
	if c.hc == nil {
		c.hc = &http.Client{}
	}
	if c.sleep == nil {
		c.sleep = sleep
	}
	if c.rand == nil {
		c.rand = rand.Float64
	}
	return c
}

// orDefault returns v, or def when v is the zero value.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// request describes one API operation.
type request struct {
	method string
	path   string
	query  url.Values
	body   any
	// write marks a request that changes state at Vapi: it is retried only
	// when nothing can have happened, and its other failures are ambiguous.
	write   bool
	timeout time.Duration
	// location, when set, receives the Location of a 3xx answer, which is
	// then the request's success; the redirect is not followed.
	location *string
}

// do runs r with retries and decodes a 2xx body into out (when not nil).
func (c *Client) do(ctx context.Context, r request, out any) error {
	var payload []byte
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		payload = b
	}
	if r.timeout == 0 {
		r.timeout = c.timeout
	}
	for n := 0; ; n++ {
		retry, err := c.attempt(ctx, r, payload, out)
		if !retry || n == len(backoff) {
			return err
		}
		wait := c.delay(n, err)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= wait {
			return err
		}
		if c.sleep(ctx, wait) != nil {
			return err
		}
	}
}

// delay is the wait before retry n: the backoff step plus jitter, or longer
// when Vapi asked for it with Retry-After.
func (c *Client) delay(n int, err error) time.Duration {
	base := backoff[n]
	wait := base + time.Duration(float64(base)*0.25*c.rand())
	if rl, ok := errors.AsType[*RateLimitedError](err); ok && rl.RetryAfter > wait {
		wait = rl.RetryAfter
	}
	return wait
}

// attempt sends r once and reports whether a failure may be retried.
func (c *Client) attempt(ctx context.Context, r request, payload []byte, out any) (retry bool, err error) {
	actx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	var sent atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{WroteHeaders: func() { sent.Store(true) }})
	req, err := c.newRequest(actx, r, payload)
	if err != nil {
		return false, err
	}
	hc := c.hc
	if r.location != nil {
		stay := *c.hc
		stay.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		hc = &stay
	}
	resp, err := hc.Do(req)
	if err != nil {
		return c.transportFailure(ctx, r, sent.Load(), err)
	}
	defer resp.Body.Close()
	if r.location != nil && resp.StatusCode/100 == 3 {
		*r.location = resp.Header.Get("Location")
		return false, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err == nil && len(body) > maxBody {
		err = errors.New("response body too large")
	}
	if resp.StatusCode/100 == 2 {
		return c.success(r, body, err, out)
	}
	serr := statusError(resp, body, time.Now())
	switch serr.(type) {
	case *RateLimitedError:
		return true, serr
	case *ServerError:
		if r.write {
			return false, &AmbiguousError{Err: serr}
		}
		return true, serr
	}
	return false, serr
}

// newRequest builds the HTTP request for one attempt.
func (c *Client) newRequest(ctx context.Context, r request, payload []byte) (*http.Request, error) {
	u := c.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// transportFailure classifies an error that left no HTTP answer. Before any
// byte was written nothing can have happened; after, a write is ambiguous.
func (c *Client) transportFailure(ctx context.Context, r request, sent bool, err error) (bool, error) {
	switch {
	case r.write && sent:
		return false, &AmbiguousError{Err: err}
	case ctx.Err() != nil:
		return false, fmt.Errorf("send request: %w", ctx.Err())
	}
	return true, fmt.Errorf("send request: %w", err)
}

// success decodes a 2xx body. An unreadable answer to a write is ambiguous:
// Vapi applied it but we do not know the result.
func (c *Client) success(r request, body []byte, readErr error, out any) (bool, error) {
	err := readErr
	if err == nil && out != nil {
		err = json.Unmarshal(body, out)
	}
	switch {
	case err == nil:
		return false, nil
	case r.write:
		return false, &AmbiguousError{Err: fmt.Errorf("read response: %w", err)}
	}
	return readErr != nil, fmt.Errorf("read response: %w", err)
}
