// Package dbtest gives each test its own freshly migrated Postgres database,
// cloned from a template, on a real server: AUTOLYNX_TEST_DATABASE_URL when
// set (CI starts one server for every package), else a throwaway cluster
// this test binary starts and stops. Databases are real, so tests may
// commit, run concurrent transactions and crash mid-way.
package dbtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/dev/pgcluster"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/supabase"
)

// EnvURL names the variable holding an admin URL of a running server.
const EnvURL = "AUTOLYNX_TEST_DATABASE_URL"

var (
	serverOnce sync.Once
	serverURL  string
	serverErr  error
	cluster    *pgcluster.Cluster
	tmplOnce   sync.Once
	tmplName   string
	tmplErr    error
)

// Main runs the package's tests and stops the cluster it may have started.
// Use it as TestMain in every package whose tests call Pool or URL.
func Main(m *testing.M) {
	code := m.Run()
	if cluster != nil {
		_ = cluster.Stop()
		_ = os.RemoveAll(cluster.Dir)
	}
	os.Exit(code)
}

func server() (string, error) {
	serverOnce.Do(func() {
		if u := os.Getenv(EnvURL); u != "" {
			serverURL = u
			return
		}
		dir, err := os.MkdirTemp("", "autolynx-pgtest-")
		if err != nil {
			serverErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cluster, serverErr = pgcluster.Start(ctx, dir+"/data", 0)
		if serverErr == nil {
			serverURL = cluster.URL()
		}
	})
	return serverURL, serverErr
}

// withDatabase swaps the database name in a connection URL.
func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(fmt.Sprintf("dbtest: bad server URL: %v", err))
	}
	u.Path = "/" + name
	q := u.Query()
	q.Set("default_query_exec_mode", "simple_protocol")
	u.RawQuery = q.Encode()
	return u.String()
}

// template creates (once per server and schema version) a migrated database
// that every test database is cloned from.
func template(ctx context.Context, admin string) (string, error) {
	tmplOnce.Do(func() {
		h := sha256.New()
		h.Write([]byte(db.LocalShim()))
		_ = fs.WalkDir(supabase.Files, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := fs.ReadFile(supabase.Files, p)
				h.Write([]byte(p))
				h.Write(b)
			}
			return nil
		})
		tmplName = "autolynx_tmpl_" + hex.EncodeToString(h.Sum(nil))[:16]
		tmplErr = createTemplate(ctx, admin, tmplName)
	})
	return tmplName, tmplErr
}

func createTemplate(ctx context.Context, admin, name string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("connect test server: %w", err)
	}
	defer conn.Close(ctx)
	// Several test binaries share one server: one of them builds it.
	if _, err := conn.Exec(ctx, `select pg_advisory_lock($1)`, db.TestTemplateLock); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), `select pg_advisory_unlock($1)`, db.TestTemplateLock)
	var exists bool
	if err := conn.QueryRow(ctx, `select exists (select 1 from pg_database where datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	building := name + "_building"
	_, _ = conn.Exec(ctx, `drop database if exists `+building)
	if _, err := conn.Exec(ctx, `create database `+building); err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	pool, err := pgxpool.New(ctx, withDatabase(admin, building))
	if err != nil {
		return err
	}
	_, err = db.MigrateLocal(ctx, pool)
	pool.Close()
	if err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	_, err = conn.Exec(ctx, `alter database `+building+` rename to `+name)
	return err
}

// URL returns the connection URL of a new, migrated database that is
// dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	admin, err := server()
	if err != nil {
		t.Fatalf("dbtest: start postgres: %v", err)
	}
	ctx := context.Background()
	tmpl, err := template(ctx, admin)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	name := "t_" + strings.ReplaceAll(uuid.NewString(), "-", "")
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("dbtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `create database `+name+` template `+tmpl); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), `drop database if exists `+name+` with (force)`)
	})
	return withDatabase(admin, name)
}

// Pool returns a pool on a new, migrated database, closed and dropped when
// the test ends.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	return Open(t, URL(t))
}

// Open returns a pool on the database at url (from URL), closed when the
// test ends; for tests that also hand the URL to another server.
func Open(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := db.Open(context.Background(), url+"&pool_max_conns=20")
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}
