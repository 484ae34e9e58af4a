// Package campaigntest is a database with an assistant, for tests of the
// campaign and its import: campaigns made through the importer, contact
// rows of distinct valid numbers, and checks of problems.
package campaigntest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/importer"
	"github.com/autolynx/autolynx/lib/problem"
)

// Fixture is a fresh database with one active assistant.
type Fixture struct {
	Ctx       context.Context
	Pool      *pgxpool.Pool
	Assistant uuid.UUID
}

// Setup makes a Fixture for t.
func Setup(t testing.TB) Fixture {
	t.Helper()
	f := Fixture{Ctx: context.Background(), Pool: dbtest.Pool(t)}
	f.Assistant = f.AddAssistant(t, true)
	return f
}

// AddAssistant inserts a directory assistant straight into the table.
func (f Fixture) AddAssistant(t testing.TB, active bool) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	err := f.Pool.QueryRow(f.Ctx, `insert into assistants (provider_assistant_id, name, active)
		values ($1, 'Test assistant', $2) returning id`, uuid.NewString(), active).Scan(&id)
	if err != nil {
		t.Fatalf("insert assistant: %v", err)
	}
	return id
}

// NewCampaign is a valid campaign of the fixture's assistant.
func (f Fixture) NewCampaign() importer.NewCampaign {
	return importer.NewCampaign{
		Name: "Spring list", AssistantID: f.Assistant, PhoneNumberID: "test-phone-number",
		Cap: 8, Mode: campaign.Continuous, Region: "US",
	}
}

// Create makes a campaign from csv and fails the test on error.
func (f Fixture) Create(t testing.TB, csv string) (uuid.UUID, *importer.Report) {
	t.Helper()
	id, rep, err := importer.Create(f.Ctx, f.Pool, f.NewCampaign(), strings.NewReader(csv))
	if err != nil {
		t.Fatalf("create campaign: %v", err)
	}
	return id, rep
}

// SetStatus forces a campaign into st (and paused_from for PAUSED).
func (f Fixture) SetStatus(t testing.TB, id uuid.UUID, st campaign.Status, pausedFrom *campaign.Status) {
	t.Helper()
	_, err := f.Pool.Exec(f.Ctx, `update campaigns set status = $2, paused_from = $3 where id = $1`, id, st, pausedFrom)
	if err != nil {
		t.Fatalf("set status: %v", err)
	}
}

// Count runs a count(*) query.
func (f Fixture) Count(t testing.TB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.Pool.QueryRow(f.Ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

// Phone is the i-th distinct valid US number in E.164.
func Phone(i int) string {
	return fmt.Sprintf("+1212%03d%04d", 200+i/10000, i%10000)
}

// Rows makes CSV data rows (no header) for contacts from..from+n-1.
func Rows(from, n int) string {
	var b strings.Builder
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "Person %d,Business %d,%s,City %d\n", i, i, Phone(i), i)
	}
	return b.String()
}

// Header is the header row of Rows.
const Header = "name,business_name,phone,city\n"

// WantProblem fails unless err is a *problem.Error of kind.
func WantProblem(t testing.TB, err error, kind problem.Kind) *problem.Error {
	t.Helper()
	var pe *problem.Error
	if !errors.As(err, &pe) || pe.Kind != kind {
		t.Fatalf("error = %v, want a problem of kind %d", err, kind)
	}
	return pe
}

// HeapPeak samples HeapInuse until stopped; stop returns the peak in MB.
// It shows what a 1 GB serverless function must hold during the work.
func HeapPeak() (stop func() float64) {
	var mu sync.Mutex
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		peak = max(peak, m.HeapInuse)
		mu.Unlock()
	}
	wg.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample()
			}
		}
	})
	return func() float64 {
		close(done)
		wg.Wait()
		sample()
		mu.Lock()
		defer mu.Unlock()
		return float64(peak) / (1 << 20)
	}
}

// ContactIndexes maps contacts made by Rows (or apitest.Rows, named alike:
// "Person i") back to their index i; -1 for another name.
func ContactIndexes(cs []campaign.Contact) []int {
	var out []int
	for _, c := range cs {
		var i int
		if _, err := fmt.Sscanf(c.Name, "Person %d", &i); err == nil {
			out = append(out, i)
		} else {
			out = append(out, -1)
		}
	}
	return out
}

// Call is a call row standing for what the tick and the webhook record;
// empty fields are null.
type Call struct {
	Status, EndedReason, Disposition, RecordingURL, Transcript string
	Cost                                                       float64
}

// AddCall records c as the latest attempt of the campaign's contact with
// phone (a 42.5-second call that ended now).
func AddCall(t testing.TB, q db.DBTX, campaignID any, phone string, c Call) {
	t.Helper()
	null := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	var cost *float64
	if c.Cost != 0 {
		cost = &c.Cost
	}
	_, err := q.Exec(context.Background(), `
		with k as (select id, campaign_id, attempts from contacts where campaign_id = $1 and phone = $2),
		c as (insert into calls (campaign_id, contact_id, attempt, status, phone_number_id, ended_reason,
		        disposition, cost, recording_url, transcript, duration_seconds, started_at, ended_at)
		      select k.campaign_id, k.id, k.attempts + 1, $3, 'test-phone-number', $4, $5, $6, $7, $8::jsonb,
		        42.5, now() - interval '1 minute', now()
		      from k returning id, contact_id)
		update contacts set last_call_id = c.id, attempts = attempts + 1 from c where contacts.id = c.contact_id`,
		campaignID, phone, c.Status, null(c.EndedReason), null(c.Disposition), cost, null(c.RecordingURL), null(c.Transcript))
	if err != nil {
		t.Fatalf("add call: %v", err)
	}
}
