package campaign_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/importer"
	"github.com/autolynx/autolynx/lib/problem"
)

// fixture is a fresh database with one active assistant.
type fixture struct {
	ctx       context.Context
	pool      *pgxpool.Pool
	assistant uuid.UUID
}

func setup(t testing.TB) fixture {
	t.Helper()
	f := fixture{ctx: context.Background(), pool: dbtest.Pool(t)}
	f.assistant = f.addAssistant(t, true)
	return f
}

// addAssistant inserts a directory assistant straight into the table.
func (f fixture) addAssistant(t testing.TB, active bool) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	err := f.pool.QueryRow(f.ctx, `insert into assistants (provider_assistant_id, name, active)
		values ($1, 'Test assistant', $2) returning id`, uuid.NewString(), active).Scan(&id)
	if err != nil {
		t.Fatalf("insert assistant: %v", err)
	}
	return id
}

func (f fixture) newCampaign() importer.NewCampaign {
	return importer.NewCampaign{
		Name: "Spring list", AssistantID: f.assistant, PhoneNumberID: "test-phone-number",
		Cap: 8, Mode: campaign.Continuous, Region: "US",
	}
}

// create makes a campaign from csv and fails the test on error.
func (f fixture) create(t testing.TB, csv string) (uuid.UUID, *importer.Report) {
	t.Helper()
	id, rep, err := importer.Create(f.ctx, f.pool, f.newCampaign(), strings.NewReader(csv))
	if err != nil {
		t.Fatalf("create campaign: %v", err)
	}
	return id, rep
}

// setStatus forces a campaign into st (and paused_from for PAUSED).
func (f fixture) setStatus(t testing.TB, id uuid.UUID, st campaign.Status, pausedFrom *campaign.Status) {
	t.Helper()
	_, err := f.pool.Exec(f.ctx, `update campaigns set status = $2, paused_from = $3 where id = $1`, id, st, pausedFrom)
	if err != nil {
		t.Fatalf("set status: %v", err)
	}
}

// count runs a count(*) query.
func (f fixture) count(t testing.TB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(f.ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

// phoneOf is the i-th distinct valid US number in E.164.
func phoneOf(i int) string {
	return fmt.Sprintf("+1212%03d%04d", 200+i/10000, i%10000)
}

// rows makes CSV data rows (no header) for contacts from..from+n-1.
func rows(from, n int) string {
	var b strings.Builder
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "Person %d,Business %d,%s,City %d\n", i, i, phoneOf(i), i)
	}
	return b.String()
}

const header = "name,business_name,phone,city\n"

// wantProblem fails unless err is a *problem.Error of kind.
func wantProblem(t testing.TB, err error, kind problem.Kind) *problem.Error {
	t.Helper()
	var pe *problem.Error
	if !errors.As(err, &pe) || pe.Kind != kind {
		t.Fatalf("error = %v, want a problem of kind %d", err, kind)
	}
	return pe
}
