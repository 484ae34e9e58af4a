package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/autolynx/autolynx/lib/campaign"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/csvimport"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/outcome"
	"github.com/autolynx/autolynx/lib/phone"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/settings"
)

// Report is the outcome of importing one CSV chunk. Its size is bounded
// whatever the chunk holds (a deployed function answers at most 4.5 MB):
// the skipped rows are listed up to MaxSkipped, and counted exactly.
type Report struct {
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
	// Suppressed counts rows whose number is on the do-not-call list (each
	// is also skipped, with its reason).
	Suppressed int `json:"suppressed"`
	// Skipped lists the first MaxSkipped skipped rows, by row number.
	Skipped      []csvimport.Skip `json:"skipped"`
	SkippedTotal int              `json:"skippedTotal"`
	// SkippedByReason counts every skipped row by the kind of its reason
	// ("invalid phone number", without the value quoted after it).
	SkippedByReason map[string]int `json:"skippedByReason"`
}

// MaxSkipped is how many skipped rows a report lists.
const MaxSkipped = 500

func newReport() *Report {
	return &Report{Skipped: []csvimport.Skip{}, SkippedByReason: map[string]int{}}
}

// skip counts s and keeps it if it may be among the first MaxSkipped rows.
// Rows arrive in order (the file's, then the do-not-call ones), so the list
// is cut back to the lowest rows whenever it doubles: memory stays bounded.
func (rep *Report) skip(s csvimport.Skip) {
	rep.SkippedTotal++
	reason := s.Kind
	if reason == "" {
		reason, _, _ = strings.Cut(s.Reason, ":")
	}
	rep.SkippedByReason[reason]++
	rep.Skipped = append(rep.Skipped, s)
	if len(rep.Skipped) >= 2*MaxSkipped {
		rep.trim()
	}
}

func (rep *Report) trim() {
	slices.SortFunc(rep.Skipped, func(a, b csvimport.Skip) int { return a.Row - b.Row })
	if len(rep.Skipped) > MaxSkipped {
		rep.Skipped = rep.Skipped[:MaxSkipped]
	}
}

// kindDNC is the skip reason (and kind) of a number on the do-not-call
// list.
const kindDNC = "on the do-not-call list"

// importRows is the temporary table a chunk is copied into before one
// statement moves it into contacts: COPY streams (memory stays flat
// whatever the chunk holds) and the file is parsed while Postgres stores
// what came before.
const importRows = `create temp table import_rows (line int not null, name text not null,
  business_name text not null, phone text not null, variables jsonb not null, timezones text[] not null)
  on commit drop`

var importColumns = []string{"line", "name", "business_name", "phone", "variables", "timezones"}

// suppressedLines finds the chunk's rows whose number is on the
// do-not-call list.
const suppressedLines = `select s.line from import_rows s join dnc d on d.phone = s.phone order by s.line`

// insertContacts moves the chunk into campaign $1, skipping phones the
// campaign already has or that repeat within the chunk (the first row
// wins) and those on the do-not-call list. Positions are dense from $2+1
// so strict batches can be cut from them. Callers hold the campaign's
// import lock (or created it), so the NOT EXISTS check is exact.
const insertContacts = `
with fresh as (
  select distinct on (s.phone) s.* from import_rows s
  where not exists (select 1 from contacts k where k.campaign_id = $1 and k.phone = s.phone)
    and not exists (select 1 from dnc d where d.phone = s.phone)
  order by s.phone, s.line
)
insert into contacts (campaign_id, position, name, business_name, phone, variables, timezones)
select $1, $2::int + row_number() over (order by line), name, business_name, phone, variables, timezones
from fresh
on conflict do nothing`

// rowSource feeds the reader's contacts to COPY, recording skipped rows
// in the report as it goes.
type rowSource struct {
	rd   *csvimport.Stream
	rep  *Report
	row  csvimport.Row
	err  error
	vars []byte
}

func (s *rowSource) Next() bool {
	for {
		row, skip, err := s.rd.Next()
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil {
			s.err = csvProblem(err)
			return false
		}
		if skip == nil {
			skip = oversized(row)
		}
		if skip == nil {
			s.row = row
			return true
		}
		s.rep.skip(*skip)
	}
}

func (s *rowSource) Values() ([]any, error) {
	r := s.row
	s.vars = append(s.vars[:0], "{}"...)
	if len(r.Variables) > 0 {
		js, err := json.Marshal(r.Variables)
		if err != nil {
			return nil, fmt.Errorf("encode variables: %w", err)
		}
		s.vars = js
	}
	zones := contactZones(r)
	if zones == nil {
		zones = []string{}
	}
	return []any{int32(r.Line), r.Name, r.BusinessName, r.Phone, s.vars, zones}, nil
}

func (s *rowSource) Err() error { return s.err }

// contactZones are the zones a contact's calling window is kept in: the
// file's time zone column, else the zones of the number.
func contactZones(r csvimport.Row) []string {
	if r.TimeZone != "" {
		return []string{r.TimeZone}
	}
	return r.Zones
}

// importCSV streams r (CSV or .xlsx) into campaign id inside tx. Any error
// leaves the caller's transaction to roll back: a chunk is imported whole
// or not at all.
func importCSV(ctx context.Context, tx pgx.Tx, id uuid.UUID, opts csvimport.Options, r io.Reader) (*Report, error) {
	rd, err := csvimport.NewReader(r, opts)
	if err != nil {
		return nil, csvProblem(err)
	}
	var base int
	if err := tx.QueryRow(ctx, `select coalesce(max(position), 0) from contacts where campaign_id = $1`, id).Scan(&base); err != nil {
		return nil, fmt.Errorf("read last position: %w", err)
	}
	if _, err := tx.Exec(ctx, importRows); err != nil {
		return nil, fmt.Errorf("stage contacts: %w", err)
	}
	rep := newReport()
	// Numbers are read on every core while COPY sends the rows before.
	stream := rd.Stream(runtime.GOMAXPROCS(0))
	defer stream.Close()
	src := &rowSource{rd: stream, rep: rep}
	staged, err := tx.CopyFrom(ctx, pgx.Identifier{"import_rows"}, importColumns, src)
	if src.err != nil {
		return nil, src.err
	}
	if err != nil {
		return nil, fmt.Errorf("stage contacts: %w", err)
	}
	if err := suppress(ctx, tx, rep); err != nil {
		return nil, err
	}
	tag, err := tx.Exec(ctx, insertContacts, id, base)
	if err != nil {
		return nil, fmt.Errorf("insert contacts: %w", err)
	}
	rep.Accepted = int(tag.RowsAffected())
	rep.Duplicates = int(staged) - rep.Accepted - rep.Suppressed
	rep.trim()
	mapping, err := json.Marshal(rd.Mapping())
	if err != nil {
		return nil, fmt.Errorf("encode column mapping: %w", err)
	}
	// The campaign row is locked by this last statement only (lock order:
	// control.go). A campaign stopped while the chunk was read takes none
	// of it.
	var st campaign.Status
	err = tx.QueryRow(ctx, `update campaigns set total_contacts = total_contacts + $2,
		csv_columns = coalesce(csv_columns, $3), csv_mapping = coalesce(csv_mapping, $4::jsonb) where id = $1
		returning status`, id, rep.Accepted, rd.Columns(), string(mapping)).Scan(&st)
	if err != nil {
		return nil, fmt.Errorf("count contacts: %w", err)
	}
	if st.Final() {
		return nil, finalConflict(st)
	}
	return rep, nil
}

// suppress reports the staged rows whose number is on the do-not-call
// list.
func suppress(ctx context.Context, tx pgx.Tx, rep *Report) error {
	rows, err := tx.Query(ctx, suppressedLines)
	if err != nil {
		return fmt.Errorf("check do-not-call list: %w", err)
	}
	var line int32
	_, err = pgx.ForEachRow(rows, []any{&line}, func() error {
		rep.skip(csvimport.Skip{Row: int(line), Reason: kindDNC, Kind: kindDNC})
		rep.Suppressed++
		return nil
	})
	if err != nil {
		return fmt.Errorf("check do-not-call list: %w", err)
	}
	return nil
}

// A contact's size is bounded, so a page of 500 contacts (about 1.3 MB at
// worst) or one call's variables stays far inside a deployed function's
// 4.5 MB answer and Vapi's request limits.
const (
	maxNameRunes = 200     // name and business name, each
	maxVariables = 2 << 10 // extra columns: names and values together
)

// oversized says why row is too large to import, or nil.
func oversized(row csvimport.Row) *csvimport.Skip {
	if utf8.RuneCountInString(row.Name) > maxNameRunes || utf8.RuneCountInString(row.BusinessName) > maxNameRunes {
		return &csvimport.Skip{Row: row.Line, Reason: "name or business name longer than 200 characters"}
	}
	n := 0
	for k, s := range row.Variables {
		n += len(k) + len(s)
	}
	if n > maxVariables {
		return &csvimport.Skip{Row: row.Line, Reason: "extra columns hold more than 2 KB"}
	}
	return nil
}

// csvProblem turns the importer's errors into messages for the operator.
func csvProblem(err error) error {
	var missing *csvimport.MissingHeadersError
	var ambiguous *csvimport.AmbiguousError
	var parse *csvimport.ParseError
	var pe *problem.Error
	switch {
	case errors.As(err, &pe):
		// The body reader's own verdict (too large).
		return pe
	case errors.As(err, &missing):
		return problem.New(problem.Invalid, err.Error(), "missing", missing.Missing, "columns", missing.Columns,
			"expected", map[string][]string{csvimport.FieldPhone: csvimport.Aliases[csvimport.FieldPhone]})
	case errors.As(err, &ambiguous):
		return problem.New(problem.Invalid, err.Error(), "field", "mapping", "ambiguous", ambiguous.Candidates, "columns", ambiguous.Columns)
	case errors.Is(err, csvimport.ErrBadMapping):
		return problem.New(problem.Invalid, err.Error(), "field", "mapping")
	case errors.As(err, &parse):
		return problem.New(problem.Invalid, "the file cannot be read: "+err.Error(), "row", parse.Row)
	case errors.Is(err, csvimport.ErrEmpty), errors.Is(err, csvimport.ErrNotCSV), errors.Is(err, csvimport.ErrNotXLSX),
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
	Mode            campaign.Mode
	LineQuietGating bool
	CreatedBy       uuid.UUID
	Region          string
	// Mapping chooses columns the aliases leave open (csvimport.Mapping).
	Mapping csvimport.Mapping
	// Rules default to campaign.DefaultRules; Legal to the settings'
	// default.
	Rules campaign.Rules
	Legal campaign.LegalWindow
	// Outcomes are the outcome fields and result rules (none by default).
	Outcomes outcome.Plan
	// Voicemail is the voicemail policy (zero: hang up).
	Voicemail campaign.Voicemail
}

// withDefaults fills what the caller left out.
func (n NewCampaign) withDefaults() NewCampaign {
	if n.Rules.WindowStart == "" && n.Rules.WindowEnd == "" && n.Rules.MaxAttempts == 0 {
		n.Rules = campaign.DefaultRules()
	}
	if len(n.Rules.PhoneNumberIDs) == 0 && n.PhoneNumberID != "" {
		n.Rules.PhoneNumberIDs = []string{n.PhoneNumberID}
	}
	if len(n.Rules.PhoneNumberIDs) > 0 {
		n.PhoneNumberID = n.Rules.PhoneNumberIDs[0]
	}
	if n.Legal.Start == "" {
		n.Legal = campaign.LegalWindow{Start: settings.DefaultLegalWindowStart, End: settings.DefaultLegalWindowEnd}
	}
	if n.Voicemail.Policy == "" {
		n.Voicemail.Policy = campaign.HangUp
	}
	return n
}

func (n NewCampaign) validate() error {
	switch {
	case strings.TrimSpace(n.Name) == "" || len(n.Name) > 200:
		return problem.New(problem.Invalid, "name is required (at most 200 characters)", "field", "name")
	case n.Cap < 1 || n.Cap > 1000:
		return problem.New(problem.Invalid, "cap must be an integer from 1 to 1000", "field", "cap")
	case n.Mode != campaign.Continuous && n.Mode != campaign.Batch:
		return problem.New(problem.Invalid, "mode must be continuous or batch", "field", "mode")
	case n.PhoneNumberID == "":
		return problem.New(problem.Invalid, "phoneNumberId is required", "field", "phoneNumberId")
	}
	if err := n.Outcomes.Validate(); err != nil {
		return err
	}
	if err := n.Voicemail.Validate(); err != nil {
		return err
	}
	return n.Rules.Validate(n.Legal)
}

const readAssistant = `
select active, coalesce(btrim(config->>'voicemailMessage'), '') <> '' from assistants where id = $1`

// checkAssistant refuses an assistant that is not active, or that has its
// own voicemailMessage: Vapi says that on every voicemail a call's
// overrides do not give another message for, so the campaign's
// voicemailPolicy (hangup, or a message on the last attempt only) would
// not hold.
func checkAssistant(ctx context.Context, q db.DBTX, id uuid.UUID) error {
	var active, speaks bool
	err := q.QueryRow(ctx, readAssistant, id).Scan(&active, &speaks)
	switch {
	case errors.Is(err, pgx.ErrNoRows) || err == nil && !active:
		return problem.New(problem.Invalid, "assistantId must name an active assistant of the directory", "field", "assistantId")
	case err != nil:
		return fmt.Errorf("check assistant: %w", err)
	case speaks:
		return problem.New(problem.Invalid, "the assistant has its own voicemailMessage, which Vapi would leave on every voicemail "+
			"whatever the campaign's voicemailPolicy: remove it from the assistant's config, and set the message on the campaign", "field", "assistantId")
	}
	return nil
}

// Create makes a campaign and imports its CSV in one transaction: a file
// that cannot be imported leaves no campaign behind.
func Create(ctx context.Context, pool db.Beginner, n NewCampaign, csv io.Reader) (uuid.UUID, *Report, error) {
	n = n.withDefaults()
	if err := n.validate(); err != nil {
		return uuid.Nil, nil, err
	}
	var id uuid.UUID
	var rep *Report
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		if err := checkAssistant(ctx, tx, n.AssistantID); err != nil {
			return err
		}
		r := n.Rules
		// Go's zone list is not Postgres's ("Local" is Go's alone): a zone
		// Postgres does not know would make every claim of the campaign fail.
		var known bool
		if err := tx.QueryRow(ctx, `select exists (select 1 from pg_timezone_names where name = $1)`, r.FallbackTimezone).Scan(&known); err != nil {
			return fmt.Errorf("check time zone: %w", err)
		}
		if !known {
			return problem.New(problem.Invalid, "timezone must be an IANA zone such as America/Chicago", "field", "timezone")
		}
		err := tx.QueryRow(ctx, `
			insert into campaigns (name, assistant_id, phone_number_id, cap, mode, line_quiet_gating, created_by,
			  window_start, window_end, window_days, fallback_timezone, max_attempts, retry_delay_minutes,
			  retry_dispositions, spend_limit_usd, auto_dnc_on_opt_out, phone_number_ids)
			values ($1, $2, $3, $4, $5, $6, $7, $8::time, $9::time, $10, $11, $12, $13, $14, $15, $16, $17) returning id`,
			strings.TrimSpace(n.Name), n.AssistantID, n.PhoneNumberID, n.Cap, n.Mode, n.LineQuietGating, n.CreatedBy,
			r.WindowStart, r.WindowEnd, r.Days, r.FallbackTimezone, r.MaxAttempts, r.RetryDelayMinutes,
			r.RetryOn, r.SpendLimitUSD, r.AutoDNCOnOptOut, r.PhoneNumberIDs).Scan(&id)
		if err != nil {
			return fmt.Errorf("create campaign: %w", err)
		}
		if err := outcome.Save(ctx, tx, id, n.Outcomes); err != nil {
			return err
		}
		if err := campaign.SetVoicemail(ctx, tx, id, n.Voicemail); err != nil {
			return err
		}
		rep, err = importCSV(ctx, tx, id, csvimport.Options{DefaultRegion: n.Region, Mapping: n.Mapping}, csv)
		return err
	})
	return id, rep, err
}

func finalConflict(st campaign.Status) error {
	return problem.New(problem.Conflict, fmt.Sprintf("cannot add contacts to a campaign that is %s", st), "status", st)
}

// Append imports one more chunk into a campaign that is not finished.
func Append(ctx context.Context, pool db.Beginner, id uuid.UUID, csv io.Reader, region string) (*Report, error) {
	var rep *Report
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		// The chunks of one campaign take turns (so deduplication across
		// chunks is exact) without locking its row: pause, stop and the
		// tick never wait for a chunk being read.
		if _, err := tx.Exec(ctx, db.XactLockIn, db.ImportLock, id); err != nil {
			return fmt.Errorf("lock campaign import: %w", err)
		}
		var st campaign.Status
		opts := csvimport.Options{DefaultRegion: region}
		err := tx.QueryRow(ctx, `select status, csv_columns, csv_mapping from campaigns where id = $1`, id).
			Scan(&st, &opts.Columns, &opts.Mapping)
		if errors.Is(err, pgx.ErrNoRows) {
			return problem.New(problem.NotFound, "campaign not found")
		}
		if err != nil {
			return fmt.Errorf("read campaign: %w", err)
		}
		if st.Final() {
			return finalConflict(st)
		}
		rep, err = importCSV(ctx, tx, id, opts, csv)
		return err
	})
	return rep, err
}
