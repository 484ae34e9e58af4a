// Package authtest starts Supabase's real Auth server for a test (see
// dev/authserver). When it cannot be built (no vendored source, no Go
// toolchain or module proxy) the test is skipped with the reason, unless
// AUTOLYNX_REQUIRE_GOTRUE=1 (set by CI), which makes that a failure.
package authtest

import (
	"bytes"
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/authserver"
)

// EnvRequire turns "cannot build the Auth server" from a skip into a
// failure.
const EnvRequire = "AUTOLYNX_REQUIRE_GOTRUE"

var (
	buildOnce sync.Once
	build     authserver.Build
	buildErr  error
)

// Build returns the built Auth server, building it on first use in this
// process (minutes, once per machine: the binary is cached), or skips t.
func Build(t testing.TB) authserver.Build {
	t.Helper()
	buildOnce.Do(func() {
		wd, err := os.Getwd()
		if err != nil {
			buildErr = err
			return
		}
		tarball, err := authserver.FindTarball(wd)
		if err != nil {
			buildErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
		defer cancel()
		var log bytes.Buffer
		build, buildErr = authserver.BuildOnce(ctx, tarball, &log)
		if buildErr != nil && log.Len() > 0 {
			out := log.String()
			if len(out) > 2000 {
				out = out[len(out)-2000:]
			}
			t.Logf("auth server build output:\n%s", out)
		}
	})
	if buildErr != nil {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("the Supabase Auth server is required (%s=1) but could not be built: %v", EnvRequire, buildErr)
		}
		t.Skipf("skipped: needs the Supabase Auth server built from ../shared/vendor/%s (.ci/run builds it): %v", authserver.Tarball, buildErr)
	}
	return build
}

// Start runs an Auth server on the database at dbURL (migrated by lib/db
// first, e.g. from dbtest.URL) until t ends. opts.Build and a quiet log
// are filled in; AUTOLYNX_TEST_LOG=1 shows the server's log.
func Start(t testing.TB, dbURL string, opts authserver.Options) *authserver.Server {
	t.Helper()
	opts.Build = Build(t)
	opts.DatabaseURL = dbURL
	if os.Getenv("AUTOLYNX_TEST_LOG") != "" {
		opts.Log = logWriter{t}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := authserver.Start(ctx, opts)
	if err != nil {
		t.Fatalf("authtest: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimSpace(p)))
	return len(p), nil
}
