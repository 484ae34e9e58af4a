package vercelbuild_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/dev/devserver"
	"github.com/autolynx/autolynx/tools/vercelbuild"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const root = "../.."

// The builder serves the first handler-shaped func of each file: it must
// be the one the local runner and the tests serve, or what is deployed is
// not what was tested.
func TestBuilderPicksTheHandlersWeServe(t *testing.T) {
	fns, err := vercelbuild.Find(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(fns) != len(devserver.Functions) {
		t.Errorf("builder sees %d functions, the runner serves %d", len(fns), len(devserver.Functions))
	}
	for _, f := range fns {
		served, ok := devserver.Functions[f.File]
		if !ok {
			t.Errorf("%s: deployed but not served locally", f.File)
			continue
		}
		name := runtime.FuncForPC(reflect.ValueOf(served.Handler).Pointer()).Name()
		if want := f.ImportPath + "." + f.Handler; name != want {
			t.Errorf("%s: the builder serves %s, the runner %s", f.File, want, name)
		}
	}
}

// A built function is a server of its own that answers at its route.
func TestBuiltFunctionAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	fns, err := vercelbuild.Find(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fns {
		if f.File != "api/health/index.go" {
			continue
		}
		bin, err := f.Build(context.Background(), root, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		// Without its environment the function says it is misconfigured,
		// and (security review L9) tells an anonymous caller no more: the
		// missing variables are named in its log only.
		_, code, body := coldStart(t, bin, f.Route(), nil)
		if code != http.StatusServiceUnavailable || !strings.Contains(body, "misconfigured") {
			t.Errorf("GET %s: %d %s, want 503 (no configuration)", f.Route(), code, body)
		}
		if strings.Contains(body, "DATABASE_URL") || strings.Contains(body, "environment") {
			t.Errorf("GET %s tells a stranger what is missing: %s", f.Route(), body)
		}
		return
	}
	t.Fatal("api/health/index.go not found")
}

// coldStart starts bin and times process start to its first answer at
// route, which it returns; the process is stopped before returning.
func coldStart(tb testing.TB, bin, route string, env []string) (time.Duration, int, string) {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(env, fmt.Sprintf("PORT=%d", port))
	client := &http.Client{Timeout: 5 * time.Second}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	url := fmt.Sprintf("http://127.0.0.1:%d%s", port, route)
	for deadline := t0.Add(10 * time.Second); time.Now().Before(deadline); {
		resp, err := client.Get(url)
		if err == nil {
			took := time.Since(t0)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return took, resp.StatusCode, string(body)
		}
		time.Sleep(200 * time.Microsecond)
	}
	tb.Fatalf("%s did not answer within 10 s", bin)
	return 0, 0, ""
}

// BenchmarkColdStart builds every function as Vercel does and times each
// fresh process from start to the first byte of its first answer, beside
// the ceiling: a bare net/http server built the same way.
//
//	go test -run XXX -bench ColdStart -benchtime 20x ./tools/vercelbuild
func BenchmarkColdStart(b *testing.B) {
	fns, err := vercelbuild.Find(root)
	if err != nil {
		b.Fatal(err)
	}
	ceiling := vercelbuild.Function{File: "api/ceiling.go", ImportPath: "net/http", Handler: "NotFound"}
	env := []string{
		"DATABASE_URL=" + dbtest.URL(b), "SUPABASE_URL=http://127.0.0.1:9", "SUPABASE_JWT_SECRET=cold-start-secret-0123456789abcdef",
		"VAPI_API_KEY=k", "VAPI_PHONE_NUMBER_ID=p", "WEBHOOK_SHARED_SECRET=w", "CRON_SHARED_SECRET=c",
		"PUBLIC_URL=http://127.0.0.1:9", "HOME=" + os.Getenv("HOME"),
	}
	dir := b.TempDir()
	floorBin, err := ceiling.Build(context.Background(), root, dir)
	if err != nil {
		b.Fatal(err)
	}
	var floor time.Duration
	for range 10 {
		d, _, _ := coldStart(b, floorBin, ceiling.Route(), env)
		floor += d / 10
	}
	for _, f := range append([]vercelbuild.Function{ceiling}, fns...) {
		bin, err := f.Build(context.Background(), root, dir)
		if err != nil {
			b.Fatal(err)
		}
		st, err := os.Stat(bin)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(strings.TrimPrefix(f.Route(), "/api/"), func(b *testing.B) {
			var total time.Duration
			for b.Loop() {
				d, _, _ := coldStart(b, bin, f.Route(), env)
				total += d
			}
			mean := total / time.Duration(b.N)
			b.ReportMetric(float64(mean.Microseconds())/1000, "ms-to-first-byte")
			b.ReportMetric(float64(mean)/float64(floor), "x-ceiling")
			b.ReportMetric(float64(st.Size())/(1<<20), "binary-MB")
		})
	}
}

// sizeBudget is the most each function's binary may weigh, as Vercel
// builds it (-s -w). The four that anyone or Vapi calls most (and whose
// cold starts matter most) link neither the contact import with its
// phone-number metadata, nor supabase-go, nor the JSON body validator:
// about 11 MB each. Assistants and the tick add the validator, admin also
// supabase-go, campaigns and dnc the phone-number metadata. A change that
// pulls a heavy package into a lighter function fails here.
var sizeBudget = map[string]int64{
	"api/health/index.go":     12 << 20,
	"api/me/index.go":         12 << 20,
	"api/config/index.go":     12 << 20,
	"api/webhooks/vapi.go":    12 << 20,
	"api/assistants/index.go": 14 << 20,
	"api/scheduler/tick.go":   14 << 20,
	"api/admin/index.go":      15 << 20,
	"api/campaigns/index.go":  20 << 20,
	"api/dnc/index.go":        20 << 20,
}

func TestFunctionSizeBudgets(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every function")
	}
	fns, err := vercelbuild.Find(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fns {
		budget, ok := sizeBudget[f.File]
		if !ok {
			t.Errorf("%s has no size budget", f.File)
			continue
		}
		bin, err := f.Build(context.Background(), root, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(bin)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %.1f MB (budget %.0f MB)", f.File, float64(fi.Size())/(1<<20), float64(budget)/(1<<20))
		if fi.Size() > budget {
			t.Errorf("%s is %.1f MB, over its budget of %.0f MB", f.File, float64(fi.Size())/(1<<20), float64(budget)/(1<<20))
		}
	}
}
