// Package e2e_test drives the dashboard in headless Chromium against the
// whole backend (dev/apitest: real handlers, real Postgres, the Vapi
// simulator), the way an operator uses it, so the static app and the API
// are proved together rather than each against assumptions about the other.
package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/dev/apitest"
)

func TestMain(m *testing.M) { apitest.Main(m) }

const (
	// chromium is Debian's build, which CI installs.
	chromium = "/usr/bin/chromium"
	// testTimeout bounds each test: browser, backend and every wait.
	testTimeout = 90 * time.Second
	// waitTimeout bounds one wait for the page; far above what a page
	// needs, so a miss means a bug, not a slow machine.
	waitTimeout = 20 * time.Second
)

// page is one browser tab on one backend.
type page struct {
	t    *testing.T
	ctx  context.Context
	env  *apitest.Env // nil for a page on a runner started by the test
	base string       // the dashboard's URL

	mu     sync.Mutex
	thrown []string // uncaught exceptions and unhandled rejections
}

// open starts a fresh headless Chromium (own profile) for t on e, bounded
// by testTimeout; the test fails if the page throws an uncaught exception.
func open(t *testing.T, e *apitest.Env) *page {
	t.Helper()
	p := openAt(t, e.Server.URL, testTimeout)
	p.env = e
	return p
}

// openAt is open on the dashboard at base, bounded by timeout.
func openAt(t *testing.T, base string, timeout time.Duration) *page {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("browser tests need Debian's Chromium at %s (apt-get install -y chromium; CI installs it): %v", chromium, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)...)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	p := &page{t: t, ctx: tab, base: base}
	messages := chromedp.Console(tab)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() {
				p.mu.Lock()
				p.thrown = append(p.thrown, m.Text)
				p.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, x := range p.thrown {
			t.Errorf("the page threw: %s", x)
		}
	})
	return p
}

// tid selects elements by data-testid; nested ids narrow the match
// ("import-report", "report-accepted").
func tid(ids ...string) chromedp.CSS {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = `[data-testid="` + id + `"]`
	}
	return chromedp.CSS(strings.Join(parts, " "))
}

// js quotes a Go value as a JavaScript literal.
func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// do runs steps, failing the test with what was being done.
func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.fail(what, err)
	}
}

// fail stops the test, keeping a screenshot of the page as it was.
func (p *page) fail(what string, err error) {
	p.t.Helper()
	p.shot("failed-" + strings.ReplaceAll(p.t.Name(), "/", "-"))
	p.t.Fatalf("%s: %v", what, err)
}

// eval evaluates expr in the page and decodes its value.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.fail("evaluate "+expr, err)
	}
	return v
}

// visit loads the dashboard at the hash (a full page load).
func (p *page) visit(hash string) {
	p.t.Helper()
	p.do("visit "+hash, chromedp.Navigate(p.base+"/"+hash))
}

// goTo moves the open dashboard to hash, as following a link does.
func (p *page) goTo(hash string) {
	p.t.Helper()
	p.do("go to "+hash, chromedp.Evaluate[chromedp.Void](`location.hash = `+js(hash)))
}

// signIn loads the dashboard with a local sign-in token and waits until
// the shell knows who is signed in.
func (p *page) signIn(token, email string) {
	p.t.Helper()
	p.visit("#token=" + token)
	p.waitText(tid("user-email"), email, false)
}

// poll waits for a JavaScript condition to hold.
func (p *page) poll(cond string, timeout time.Duration) error {
	_, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](cond,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	return err
}

// until waits for a JavaScript condition, reporting what it waited for.
func (p *page) until(what, cond string, timeout time.Duration) {
	p.t.Helper()
	if err := p.poll(cond, timeout); err != nil {
		p.fail("wait for "+what, err)
	}
}

// waitText waits until the element's text is want (exact) or contains it.
func (p *page) waitText(sel chromedp.CSS, want string, exact bool) {
	p.t.Helper()
	text := `(document.querySelector(` + js(string(sel)) + `)?.textContent ?? '').trim()`
	cond := text + ` === ` + js(want)
	if !exact {
		cond = text + `.includes(` + js(want) + `)`
	}
	err := p.poll(cond, waitTimeout)
	if errors.Is(err, chromedp.ErrPollingTimeout) {
		err = errors.New("found " + js(eval[string](p, text)))
	}
	if err != nil {
		p.fail("wait for "+string(sel)+" to read "+js(want), err)
	}
}

// setValue sets a form control's value and fires input and change, as
// typing or choosing does. (chromedp.SetValue cannot set "": cdproto's
// omitempty drops an empty string argument under encoding/json/v2.)
func (p *page) setValue(sel chromedp.CSS, v string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.WaitReady(sel), chromedp.Poll[chromedp.Void](`(() => {
		const el = document.querySelector(`+js(string(sel))+`);
		el.value = `+js(v)+`;
		el.dispatchEvent(new Event('input', {bubbles: true}));
		el.dispatchEvent(new Event('change', {bubbles: true}));
		return el.value === `+js(v)+`;
	})()`, chromedp.WithPollingTimeout(time.Second)))
}

// text is the trimmed text of the first element matching sel ("" if none).
func (p *page) text(sel chromedp.CSS) string {
	p.t.Helper()
	return eval[string](p, `(document.querySelector(`+js(string(sel))+`)?.textContent ?? '').trim()`)
}

// count is the number of elements matching sel.
func (p *page) count(sel chromedp.CSS) int {
	p.t.Helper()
	return eval[int](p, `document.querySelectorAll(`+js(string(sel))+`).length`)
}

// shot saves a PNG of the whole page into the artifacts directory:
// $AUTOLYNX_ARTIFACTS, else the test's temporary directory.
func (p *page) shot(name string) {
	p.t.Helper()
	dir := os.Getenv("AUTOLYNX_ARTIFACTS")
	if dir == "" {
		dir = p.t.TempDir()
	}
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
	if err != nil {
		p.t.Errorf("screenshot %s: %v", name, err)
	}
}

// cron plays Vercel's cron for one campaign: a tick every 200 ms until
// the returned stop is called (also at cleanup) or the test's time is up.
func cron(t *testing.T, e *apitest.Env, campaignID string) (stop func()) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if err := postTick(ctx, e, campaignID); err != nil && ctx.Err() == nil {
				t.Logf("cron: %v", err)
			}
		}
	})
	stop = func() {
		cancel()
		wg.Wait()
	}
	t.Cleanup(stop)
	return stop
}

// postTick runs one scheduler tick through its HTTP route. It does not use
// e.Tick, which fails the test from a goroutine other than the test's.
func postTick(ctx context.Context, e *apitest.Env, campaignID string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.Server.URL+"/api/scheduler/tick?campaignId="+campaignID, nil)
	if err != nil {
		return fmt.Errorf("build tick: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+apitest.CronSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("post tick: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("post tick: %s", resp.Status)
	}
	return nil
}
