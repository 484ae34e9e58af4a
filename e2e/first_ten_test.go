package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/freeport"
	"github.com/autolynx/autolynx/dev/xlsxtest"
)

// firstTenBound is the newcomer's promise: from starting the runner to a
// completed campaign through the dashboard in under two minutes.
const firstTenBound = 2 * time.Minute

// crmWorkbook is a CRM export as .xlsx: 20 contacts (phones typed as text
// in any format, or as numbers), a per-contact time zone, and bad rows —
// a short number, no phone, a zone that is not IANA, a repeated number —
// with an empty row Excel still counts. It returns the workbook and the
// 20 numbers in E.164.
func crmWorkbook() ([]byte, []string) {
	rows := [][]any{{"First Name", "Last Name", "Company", "Mobile Phone", "Time Zone", "Lead Source"}}
	var phones []string
	for i := range 20 {
		e164 := fmt.Sprintf("+1415555%04d", 300+i)
		phones = append(phones, e164)
		var cell any = fmt.Sprintf("(415) 555-%04d", 300+i)
		if i%3 == 1 {
			cell = 4155550000 + 300 + i // typed as a number
		}
		var zone any
		if i%4 == 0 {
			zone = "America/Chicago"
		}
		rows = append(rows, []any{fmt.Sprintf("Person%d", i), "Lee", fmt.Sprintf("Company %d", i), cell, zone, "Trade show"})
		if i == 9 {
			rows = append(rows, []any{}) // Excel row 12: empty
		}
	}
	rows = append(rows,
		[]any{"Short", "Number", "Bad Co", "12", nil, nil},                 // row 23
		[]any{"No", "Phone", "Bad Co", nil, nil, nil},                      // row 24
		[]any{"Wrong", "Zone", "Bad Co", "(303) 555-0100", "Eastern", nil}, // row 25
		[]any{"Again", "Lee", "Dup Co", "415 555 0300", nil, nil},          // row 26: row 2's number
	)
	return xlsxtest.Build(rows), phones
}

// TestFirstTenMinutes is a newcomer's first use: start the runner from a
// fresh data directory, sign in from the printed link, create an
// assistant, upload a CRM-style .xlsx, read the preview and the report,
// start, watch the campaign complete (redials included), and download an
// export whose phones are exact E.164 — all in under two minutes.
func TestFirstTenMinutes(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("browser tests need Debian's Chromium at %s: %v", chromium, err)
	}
	bin := buildRunner(t)
	book, phones := crmWorkbook()
	xlsx := filepath.Join(t.TempDir(), "crm-export.xlsx")
	if err := os.WriteFile(xlsx, book, 0o644); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	base, signIn := startRunner(t, bin)
	p := openAt(t, base, firstTenBound+30*time.Second)
	p.visit(signIn[strings.Index(signIn, "#"):])
	p.waitText(tid("user-email"), "admin@localhost", false)
	assistantID := createAssistant(p, "Receptionist")
	if p.count(tid("banner-cron")) > 0 {
		t.Errorf("a fresh runner greets the admin with %q", p.text(tid("banner-cron")))
	}

	p.do("open the new campaign form", chromedp.Click(tid("nav-campaigns")), chromedp.Click(tid("new-campaign")))
	p.until("the assistant to be offered", `document.querySelector('[data-testid="campaign-assistant"] option[value=`+js(assistantID)+`]') !== null`, waitTimeout)
	p.do("fill the form",
		chromedp.SendKeys(tid("campaign-name"), "Trade show leads"),
		p.setValue(tid("campaign-assistant"), assistantID),
		chromedp.SetUploadFiles(tid("campaign-file"), []string{xlsx}))
	p.do("wait for the preview", chromedp.WaitVisible(tid("preview")))
	checkPreview(t, p)
	p.shot("first-ten-preview")

	p.do("create", chromedp.Click(tid("campaign-submit")))
	p.until("the upload to finish", `document.querySelector('[data-testid="upload-status"]')?.dataset.done === 'true'`, waitTimeout)
	p.do("wait for the report", chromedp.WaitVisible(tid("import-report")))
	for id, want := range map[string]string{"report-accepted": "20", "report-duplicates": "1", "report-skipped-count": "3"} {
		if got := p.text(tid("import-report", id)); got != want {
			t.Errorf("report %s = %q, want %s", id, got, want)
		}
	}
	if rows := eval[[]string](p, `[...document.querySelectorAll('[data-testid="skipped-row"]')].map(r => r.dataset.row)`); !slices.Equal(rows, []string{"23", "24", "25"}) {
		t.Errorf("skipped rows %q, want Excel's rows 23, 24, 25", rows)
	}
	p.shot("first-ten-report")

	p.do("start", chromedp.Click(tid("start-campaign")))
	p.waitText(tid("start-status"), "Started", false)
	p.do("open the campaign", chromedp.Click(tid("open-campaign")))
	p.waitText(tid("metric-total"), "20", true)
	// Waiting is logged, not asserted: whether the campaign ever has
	// nothing live depends on the simulator's outcomes and call lengths,
	// redials are due seconds later (the runner's redial scale), and the
	// page polls every 10 s once nothing is live, so a short wait can come
	// and go between two reads. TestWaitingCampaignExplained and
	// TestWaitingOutsideCallingHours assert the explanation itself.
	sawWaiting := false
	for time.Since(start) < firstTenBound {
		if p.text(tid("status-badge")) == "COMPLETED" {
			break
		}
		if !sawWaiting && p.count(tid("waiting")) > 0 {
			sawWaiting = true
			t.Logf("waiting shown: %s", p.text(tid("waiting-text")))
			p.shot("first-ten-waiting")
		}
		time.Sleep(250 * time.Millisecond)
	}
	took := time.Since(start)
	if st := p.text(tid("status-badge")); st != "COMPLETED" {
		p.fail("complete the campaign", fmt.Errorf("status %s after %v (bound %v)", st, took.Round(time.Second), firstTenBound))
	}
	t.Logf("fresh runner to COMPLETED through the dashboard: %.1f s (retries pending 0, waiting seen: %v)", took.Seconds(), sawWaiting)
	p.shot("first-ten-completed")

	_, file := p.download(chromedp.Click(tid("btn-export")))
	recs, err := csv.NewReader(bytes.NewReader(file)).ReadAll()
	if err != nil || len(recs) != 21 {
		t.Fatalf("export: %d records, %v; want a header and 20 rows", len(recs), err)
	}
	e164 := regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	var got []string
	for _, r := range recs[1:] {
		if !e164.MatchString(r[2]) {
			t.Errorf("exported phone %q is not exact E.164", r[2])
		}
		got = append(got, r[2])
	}
	slices.Sort(got)
	if !slices.Equal(got, phones) {
		t.Errorf("exported phones %q\nwant %q", got, phones)
	}
}

// checkPreview reads the preview of crmWorkbook.
func checkPreview(t *testing.T, p *page) {
	t.Helper()
	for id, want := range map[string]string{"preview-importable": "20", "preview-duplicates": "1", "preview-skipped-count": "3", "preview-callable-now": "20"} {
		if got := p.text(tid("preview", id)); got != want {
			t.Errorf("preview %s = %q, want %s", id, got, want)
		}
	}
	mapping := eval[map[string]string](p, `Object.fromEntries([...document.querySelectorAll('[data-testid="preview-mapping-row"]')].map(r => [r.dataset.field, r.cells[1].textContent]))`)
	want := map[string]string{"name": "First Name + Last Name", "business_name": "Company", "phone": "Mobile Phone", "timezone": "Time Zone"}
	if fmt.Sprint(mapping) != fmt.Sprint(want) {
		t.Errorf("preview mapping %v, want %v", mapping, want)
	}
	reasons := eval[map[string]string](p, `Object.fromEntries([...document.querySelectorAll('[data-testid="preview-skip-reason"]')].map(r => [r.dataset.reason, r.dataset.count]))`)
	if fmt.Sprint(reasons) != fmt.Sprint(map[string]string{"invalid phone number": "1", "phone is empty": "1", "invalid time zone": "1"}) {
		t.Errorf("preview skip reasons %v", reasons)
	}
	first := p.text(chromedp.CSS(`[data-testid="preview-row"][data-row="2"] [data-testid="preview-phone"]`))
	zone := p.text(chromedp.CSS(`[data-testid="preview-row"][data-row="2"] [data-testid="preview-zone"]`))
	if first != "+14155550300" || !strings.HasPrefix(zone, "America/Chicago (from the file)") {
		t.Errorf("preview row 2: phone %q, zone %q", first, zone)
	}
}

// buildRunner compiles cmd/autolynx once for the test.
func buildRunner(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("initdb"); err != nil {
		if m, _ := os.ReadDir("/usr/lib/postgresql"); len(m) == 0 {
			t.Skip("the runner needs PostgreSQL installed")
		}
	}
	bin := filepath.Join(t.TempDir(), "autolynx")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/autolynx")
	cmd.Dir = apitest.Root(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/autolynx: %v\n%s", err, out)
	}
	return bin
}

// startRunner starts the runner as a newcomer does — no DATABASE_URL, no
// VAPI_BASE_URL, a fresh data directory, the cron on — and returns the
// dashboard URL and the sign-in link it prints. It is stopped with
// SIGINT (as Ctrl-C does) when the test ends.
func startRunner(t *testing.T, bin string) (string, string) {
	t.Helper()
	port, err := freeport.Find(1)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--root", apitest.Root(t))
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DATABASE_URL=") && !strings.HasPrefix(kv, "VAPI_") && !strings.HasPrefix(kv, "AUTOLYNX_") &&
			!strings.HasPrefix(kv, "PORT=") && !strings.HasPrefix(kv, "DEFAULT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, fmt.Sprintf("PORT=%d", port), "AUTOLYNX_DATA_DIR="+t.TempDir())
	var logs bytes.Buffer
	cmd.Stderr = &logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	link := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if _, url, ok := strings.Cut(sc.Text(), "(admin): "); ok {
				link <- url
			}
		}
		_, _ = io.Copy(io.Discard, out)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("runner log (last 4 KB):\n%s", tail(logs.Bytes(), 4<<10))
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	select {
	case url := <-link:
		return fmt.Sprintf("http://127.0.0.1:%d", port), url
	case err := <-exited:
		t.Fatalf("the runner exited: %v\n%s", err, tail(logs.Bytes(), 4<<10))
	case <-ctx.Done():
		t.Fatalf("the runner printed no sign-in link within a minute\n%s", tail(logs.Bytes(), 4<<10))
	}
	return "", ""
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
