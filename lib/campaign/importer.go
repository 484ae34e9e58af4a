package campaign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/csvimport"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/phone"
	"github.com/autolynx/autolynx/lib/problem"
)

// Report is the outcome of importing one CSV chunk.
type Report struct {
	Accepted   int              `json:"accepted"`
	Duplicates int              `json:"duplicates"`
	Skipped    []csvimport.Skip `json:"skipped"`
}

// importBatch is how many rows go to Postgres per statement: one round
// trip per batch keeps memory flat while amortizing latency.
const importBatch = 1000

// insertContacts inserts one batch, skipping phones the campaign already
// has or that repeat within the batch (the first row wins). Positions are
// dense from base+1 so strict batches can be cut from them. Callers hold
// the campaign row lock, so the NOT EXISTS check is exact.
const insertContacts = `
with input as (
  select * from unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[])
    as u(line, name, business_name, phone, variables)
), fresh as (
  select distinct on (i.phone) i.* from input i
  where not exists (select 1 from contacts k where k.campaign_id = $1 and k.phone = i.phone)
  order by i.phone, i.line
), numbered as (
  select f.*, $7::int + row_number() over (order by f.line) as position from fresh f
)
insert into contacts (campaign_id, position, name, business_name, phone, variables)
select $1, position, name, business_name, phone, variables::jsonb from numbered
on conflict do nothing`

type batch struct {
	lines                     []int32
	names, businesses, phones []string
	variables                 []string
}

func (b *batch) add(r csvimport.Row) {
	vars := "{}"
	if len(r.Variables) > 0 {
		js, _ := json.Marshal(r.Variables)
		vars = string(js)
	}
	b.lines = append(b.lines, int32(r.Line))
	b.names = append(b.names, r.Name)
	b.businesses = append(b.businesses, r.BusinessName)
	b.phones = append(b.phones, r.Phone)
	b.variables = append(b.variables, vars)
}

func (b *batch) reset() {
	b.lines, b.names, b.businesses, b.phones, b.variables =
		b.lines[:0], b.names[:0], b.businesses[:0], b.phones[:0], b.variables[:0]
}

// importCSV streams r into campaign id inside tx. Any error leaves the
// caller's transaction to roll back: a chunk is imported whole or not at
// all.
func importCSV(ctx context.Context, tx pgx.Tx, id uuid.UUID, columns []string, r io.Reader, region string) (*Report, error) {
	rd, err := csvimport.NewReader(r, csvimport.Options{DefaultRegion: region, Columns: columns})
	if err != nil {
		return nil, csvProblem(err)
	}
	var base int
	if err := tx.QueryRow(ctx, `select coalesce(max(position), 0) from contacts where campaign_id = $1`, id).Scan(&base); err != nil {
		return nil, fmt.Errorf("read last position: %w", err)
	}
	rep := &Report{Skipped: []csvimport.Skip{}}
	var b batch
	flush := func() error {
		if len(b.phones) == 0 {
			return nil
		}
		tag, err := tx.Exec(ctx, insertContacts, id, b.lines, b.names, b.businesses, b.phones, b.variables, base)
		if err != nil {
			return fmt.Errorf("insert contacts: %w", err)
		}
		n := int(tag.RowsAffected())
		rep.Accepted += n
		rep.Duplicates += len(b.phones) - n
		base += n
		b.reset()
		return nil
	}
	for {
		row, skip, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvProblem(err)
		}
		if skip != nil {
			rep.Skipped = append(rep.Skipped, *skip)
			continue
		}
		b.add(row)
		if len(b.phones) == importBatch {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	_, err = tx.Exec(ctx, `update campaigns set total_contacts = total_contacts + $2,
		csv_columns = coalesce(csv_columns, $3) where id = $1`, id, rep.Accepted, rd.Columns())
	if err != nil {
		return nil, fmt.Errorf("count contacts: %w", err)
	}
	return rep, nil
}

// csvProblem turns the importer's errors into messages for the operator.
func csvProblem(err error) error {
	var missing *csvimport.MissingHeadersError
	var parse *csvimport.ParseError
	var pe *problem.Error
	switch {
	case errors.As(err, &pe):
		// The body reader's own verdict (too large).
		return pe
	case errors.As(err, &missing):
		return problem.New(problem.Invalid, err.Error(), "missing", missing.Missing)
	case errors.As(err, &parse):
		return problem.New(problem.Invalid, "the CSV cannot be read: "+err.Error(), "row", parse.Row)
	case errors.Is(err, csvimport.ErrEmpty), errors.Is(err, csvimport.ErrNotCSV),
		errors.Is(err, csvimport.ErrBadHeader), errors.Is(err, phone.ErrUnknownRegion):
		return problem.New(problem.Invalid, err.Error())
	}
	return fmt.Errorf("read CSV: %w", err)
}

// NewCampaign is what creating a campaign takes besides the CSV.
type NewCampaign struct {
	Name            string
	AssistantID     uuid.UUID
	PhoneNumberID   string
	Cap             int
	Mode            Mode
	LineQuietGating bool
	CreatedBy       uuid.UUID
	Region          string
}

func (n NewCampaign) validate() error {
	switch {
	case strings.TrimSpace(n.Name) == "" || len(n.Name) > 200:
		return problem.New(problem.Invalid, "name is required (at most 200 characters)", "field", "name")
	case n.Cap < 1 || n.Cap > 1000:
		return problem.New(problem.Invalid, "cap must be an integer from 1 to 1000", "field", "cap")
	case n.Mode != Continuous && n.Mode != Batch:
		return problem.New(problem.Invalid, "mode must be continuous or batch", "field", "mode")
	case n.PhoneNumberID == "":
		return problem.New(problem.Invalid, "phoneNumberId is required", "field", "phoneNumberId")
	}
	return nil
}

// Create makes a campaign and imports its CSV in one transaction: a file
// that cannot be imported leaves no campaign behind.
func Create(ctx context.Context, pool db.Beginner, n NewCampaign, csv io.Reader) (uuid.UUID, *Report, error) {
	if err := n.validate(); err != nil {
		return uuid.Nil, nil, err
	}
	var id uuid.UUID
	var rep *Report
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		var active bool
		err := tx.QueryRow(ctx, `select active from assistants where id = $1`, n.AssistantID).Scan(&active)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !active) {
			return problem.New(problem.Invalid, "assistantId must name an active assistant of the directory", "field", "assistantId")
		}
		if err != nil {
			return fmt.Errorf("check assistant: %w", err)
		}
		err = tx.QueryRow(ctx, `
			insert into campaigns (name, assistant_id, phone_number_id, cap, mode, line_quiet_gating, created_by)
			values ($1, $2, $3, $4, $5, $6, $7) returning id`,
			strings.TrimSpace(n.Name), n.AssistantID, n.PhoneNumberID, n.Cap, n.Mode, n.LineQuietGating, n.CreatedBy).Scan(&id)
		if err != nil {
			return fmt.Errorf("create campaign: %w", err)
		}
		rep, err = importCSV(ctx, tx, id, nil, csv, n.Region)
		return err
	})
	return id, rep, err
}

// Append imports one more chunk into a campaign that is not finished.
// Chunks of one campaign are serialized by the campaign row lock.
func Append(ctx context.Context, pool db.Beginner, id uuid.UUID, csv io.Reader, region string) (*Report, error) {
	var rep *Report
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		var st Status
		var columns []string
		err := tx.QueryRow(ctx, `select status, csv_columns from campaigns where id = $1 for update`, id).Scan(&st, &columns)
		if errors.Is(err, pgx.ErrNoRows) {
			return problem.New(problem.NotFound, "campaign not found")
		}
		if err != nil {
			return fmt.Errorf("lock campaign: %w", err)
		}
		if st.Final() {
			return problem.New(problem.Conflict, fmt.Sprintf("cannot add contacts to a campaign that is %s", st), "status", st)
		}
		rep, err = importCSV(ctx, tx, id, columns, csv, region)
		return err
	})
	return rep, err
}
