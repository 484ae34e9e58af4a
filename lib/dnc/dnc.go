// Package dnc is the account-wide do-not-call list. Numbers are kept in
// E.164, checked at import and again by the tick before every dial.
package dnc

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/phone"
	"github.com/autolynx/autolynx/lib/problem"
)

// Entry is one suppressed number.
type Entry struct {
	Phone     string    `json:"phone"`
	Source    string    `json:"source"`
	Reason    *string   `json:"reason"`
	CreatedAt time.Time `json:"createdAt"`
}

// Report says what an addition did.
type Report struct {
	Added   int       `json:"added"`
	Already int       `json:"already"`
	Invalid []Invalid `json:"invalid"`
}

// Invalid is a number that could not be read.
type Invalid struct {
	Row    int    `json:"row"`
	Reason string `json:"reason"`
}

// maxNumbers bounds one addition (a 4.5 MB upload holds fewer).
const maxNumbers = 200_000

// List returns entries matching search (digits of the number), newest
// first, at most limit.
func List(ctx context.Context, q db.DBTX, search string, limit int) ([]Entry, int, error) {
	like := "%" + strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, search) + "%"
	rows, err := q.Query(ctx, `
		select phone, source, reason, created_at, count(*) over () from dnc
		where phone like $1 order by created_at desc, phone limit $2`, like, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("list do-not-call: %w", err)
	}
	total := 0
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) {
		var e Entry
		return e, r.Scan(&e.Phone, &e.Source, &e.Reason, &e.CreatedAt, &total)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list do-not-call: %w", err)
	}
	if out == nil {
		out = []Entry{}
	}
	return out, total, nil
}

// Add normalizes numbers (row i+1 is numbers[i]) and lists the valid ones.
func Add(ctx context.Context, q db.DBTX, numbers []string, reason string, by uuid.UUID, region string) (*Report, error) {
	if len(numbers) > maxNumbers {
		return nil, problem.Newf(problem.Invalid, "at most %d numbers at once", maxNumbers)
	}
	rep := &Report{Invalid: []Invalid{}}
	var valid []string
	for i, raw := range numbers {
		e164, err := phone.Normalize(raw, region)
		if err != nil {
			rep.Invalid = append(rep.Invalid, Invalid{Row: i + 1, Reason: err.Error()})
			continue
		}
		valid = append(valid, e164)
	}
	if len(valid) == 0 {
		return rep, nil
	}
	tag, err := q.Exec(ctx, `
		insert into dnc (phone, source, reason, created_by)
		select distinct p, 'manual', nullif($2, ''), $3::uuid from unnest($1::text[]) as p
		on conflict (phone) do nothing`, valid, reason, by)
	if err != nil {
		return nil, fmt.Errorf("add do-not-call: %w", err)
	}
	rep.Added = int(tag.RowsAffected())
	rep.Already = len(valid) - rep.Added
	return rep, nil
}

// ReadNumbers reads a CSV of numbers: the column named phone (or number)
// when there is a header, else the first column.
func ReadNumbers(r io.Reader) ([]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	col, first := 0, true
	var out []string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			var pe *problem.Error
			if errors.As(err, &pe) {
				return nil, pe
			}
			return nil, problem.Wrap(problem.Invalid, err, "the CSV cannot be read: "+err.Error())
		}
		if first {
			first = false
			if i := headerColumn(rec); i >= 0 {
				col = i
				continue
			}
		}
		if len(out) >= maxNumbers {
			return nil, problem.Newf(problem.Invalid, "at most %d numbers at once", maxNumbers)
		}
		if col < len(rec) {
			out = append(out, rec[col])
		} else {
			out = append(out, "")
		}
	}
}

func headerColumn(rec []string) int {
	for i, h := range rec {
		switch strings.ToLower(strings.Trim(strings.TrimSpace(h), "\ufeff")) {
		case "phone", "number", "phone_number", "phone number":
			return i
		}
	}
	return -1
}

// Remove takes a number off the list.
func Remove(ctx context.Context, q db.DBTX, raw, region string) error {
	e164, err := phone.Normalize(raw, region)
	if err != nil {
		return problem.New(problem.NotFound, "number not on the do-not-call list")
	}
	tag, err := q.Exec(ctx, `delete from dnc where phone = $1`, e164)
	if err != nil {
		return fmt.Errorf("remove do-not-call: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return problem.New(problem.NotFound, "number not on the do-not-call list")
	}
	return nil
}
