package scheduler

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/importer"
)

// A number listed do-not-call after the claim's suppress ran (another
// transaction committing in between) is still no candidate: the list is
// checked where contacts are picked, not only one round trip earlier.
func TestCandidatesSkipANumberListedSinceSuppress(t *testing.T) {
	t.Parallel()
	ctx, pool := t.Context(), dbtest.Pool(t)
	var assistant uuid.UUID
	if err := pool.QueryRow(ctx, `insert into assistants (provider_assistant_id, name, active)
		values ('asst', 'Caller', true) returning id`).Scan(&assistant); err != nil {
		t.Fatal(err)
	}
	n := importer.NewCampaign{Name: "Campaign", AssistantID: assistant, PhoneNumberID: "line", Cap: 8, Mode: campaign.Continuous, Region: "US"}
	id, _, err := importer.Create(ctx, pool, n, strings.NewReader("name,business_name,phone\nTom,Ramen,+14155550000\nAda,Tea,+14155550001\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `insert into dnc (phone) values ('+14155550000')`); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC) // Wednesday 11:00 in Los Angeles
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	rows, err := tx.Query(ctx, candidates, id, anyPosition, now, "America/New_York", "09:00", "17:00", []int16{1, 2, 3, 4, 5}, 10)
	if err != nil {
		t.Fatal(err)
	}
	picked, err := pgx.CollectRows(rows, pgx.RowToMap)
	if err != nil || len(picked) != 1 {
		t.Errorf("%d candidates (%v), want only the number not listed", len(picked), err)
	}
}
