package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/httpapi"
	healthroutes "github.com/autolynx/autolynx/lib/httpapi/health"
)

func TestHealthOK(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	var h map[string]any
	if st := e.JSON("GET", "/api/health", "", nil, &h); st != 200 || h["database"] != "ok" || h["migrations"] != "current" {
		t.Fatalf("health = %d %v", st, h)
	}
}

func TestHealthReportsPendingMigrations(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	if _, err := e.DB.Exec(context.Background(), `delete from supabase_migrations.schema_migrations where version = (select max(version) from supabase_migrations.schema_migrations)`); err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if st := e.JSON("GET", "/api/health", "", nil, &h); st != http.StatusServiceUnavailable || h["migrations"] != "pending" {
		t.Fatalf("health = %d %v, want 503 pending", st, h)
	}
}

func TestHealthWhenTheDatabaseIsDown(t *testing.T) {
	t.Parallel()
	pool, err := db.Open(context.Background(), "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	rec := httptest.NewRecorder()
	httpapi.Function(&httpapi.Deps{DB: pool, Now: time.Now}, healthroutes.Routes).ServeHTTP(rec, httptest.NewRequest("GET", "/api/health", nil))
	var h map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &h)
	if rec.Code != http.StatusServiceUnavailable || h["database"] != "unreachable" {
		t.Fatalf("health = %d %v, want 503 unreachable", rec.Code, h)
	}
}
