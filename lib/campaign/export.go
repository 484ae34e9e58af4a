package campaign

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"golang.org/x/text/unicode/norm"

	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/outcome"
	"github.com/autolynx/autolynx/lib/recording"
)

// ExportHeader is the export's header row (docs/api.md); a campaign with
// outcome fields adds result and outcome.<field> columns after it.
var ExportHeader = []string{"name", "business_name", "phone", "status", "ended_reason", "cost", "recording_url", "transcript_json"}

// MaxExportPage bounds one export page: a deployed function answers at most
// 4.5 MB, so pages stop at the first row boundary past this size, leaving
// room for one large row (a long transcript) over it.
const MaxExportPage = 3_500_000

const exportRows = `
select k.position, k.name, k.business_name, k.phone,
  coalesce(l.status, 'NOT_CALLED'), coalesce(l.ended_reason, ''),
  coalesce(l.cost::text, ''), l.id, ` + recording.Exists + `, coalesce(l.transcript::text, ''),
  coalesce(k.result, ''), ` + latestOutcomes + `
from contacts k left join calls l on l.id = k.last_call_id
where k.campaign_id = $1 and k.position > $2
order by k.position
limit $3`

// ExportPage is one page of the CSV export.
type ExportPage struct {
	CSV []byte
	// Next is the cursor of the following page; 0 when this is the last.
	Next int
	Rows int
}

// Export writes the contacts after cursor (0: from the start) as CSV,
// with the header row only on the first page, until maxBytes is passed.
// Memory is bounded by the page size: rows are fetched in small batches.
// A call's recording_url is links' signed link to our recording endpoint.
func Export(ctx context.Context, q db.DBTX, id uuid.UUID, cursor, maxBytes int, links recording.Links) (*ExportPage, error) {
	if _, err := CurrentStatus(ctx, q, id); err != nil {
		return nil, err
	}
	plan, err := outcome.Load(ctx, q, id)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if cursor == 0 {
		_ = w.Write(append(slices.Clone(ExportHeader), exportColumns(plan)...))
	}
	page := &ExportPage{}
	const batch = 1000
	for {
		n, last, err := exportBatch(ctx, q, w, id, plan, cursor, batch, &buf, maxBytes, links)
		if err != nil {
			return nil, err
		}
		page.Rows += n
		cursor = last
		w.Flush()
		if buf.Len() >= maxBytes && n > 0 {
			if more, err := hasMore(ctx, q, id, cursor); err != nil {
				return nil, err
			} else if more {
				page.Next = cursor
			}
			break
		}
		if n < batch {
			break
		}
	}
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("write export: %w", err)
	}
	page.CSV = buf.Bytes()
	return page, nil
}

// exportBatch writes up to limit rows, stopping early once buf passes
// maxBytes; it returns the rows written and the last position.
func exportBatch(ctx context.Context, q db.DBTX, w *csv.Writer, id uuid.UUID, plan outcome.Plan, after, limit int, buf *bytes.Buffer, maxBytes int, links recording.Links) (int, int, error) {
	rows, err := q.Query(ctx, exportRows, id, after, limit)
	if err != nil {
		return 0, after, fmt.Errorf("export contacts: %w", err)
	}
	defer rows.Close()
	n, last := 0, after
	extra := exportColumns(plan)
	rec := make([]string, len(ExportHeader)+len(extra))
	for rows.Next() {
		var callID *uuid.UUID
		var recorded bool
		var result string
		var values []byte
		if err := rows.Scan(&last, &rec[0], &rec[1], &rec[2], &rec[3], &rec[4], &rec[5], &callID, &recorded, &rec[7],
			&result, &values); err != nil {
			return n, last, fmt.Errorf("export contacts: %w", err)
		}
		if len(extra) > 0 {
			exportCells(plan, result, values, rec[len(ExportHeader):])
		}
		rec[6] = ""
		if recorded {
			rec[6] = links.Signed(id, *callID)
		}
		for i := range rec {
			rec[i] = Neutralize(rec[i])
		}
		if err := w.Write(rec); err != nil {
			return n, last, fmt.Errorf("write export: %w", err)
		}
		n++
		w.Flush()
		if buf.Len() >= maxBytes {
			break
		}
	}
	return n, last, rows.Err()
}

func hasMore(ctx context.Context, q db.DBTX, id uuid.UUID, after int) (bool, error) {
	var more bool
	err := q.QueryRow(ctx, `select exists (select 1 from contacts where campaign_id = $1 and position > $2)`, id, after).Scan(&more)
	if err != nil {
		return false, fmt.Errorf("export contacts: %w", err)
	}
	return more, nil
}

// Neutralize defuses a cell a spreadsheet would evaluate as a formula by
// prefixing it with an apostrophe (OWASP's CSV-injection advice). A cell
// that is entirely a number (an E.164 phone, a cost) cannot run as a
// formula and is kept exact, so files read by scripts and CRMs match the
// database.
func Neutralize(cell string) string {
	if cell == "" || plainNumber(cell) {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + cell
	}
	if hiddenFormula(cell) {
		return "'" + cell
	}
	return cell
}

// hiddenFormula reports a formula behind what a spreadsheet may skip or
// fold before it: leading spaces and invisible format characters (a
// zero-width space, a byte-order mark), and a full-width sign ("＝").
func hiddenFormula(cell string) bool {
	for _, r := range cell {
		if unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		switch norm.NFKC.String(string(r)) {
		case "=", "+", "-", "@":
			return true
		}
		return false
	}
	return false
}

// plainNumber reports whether s is an optional sign, digits, and an
// optional decimal part of digits ("+14155550100", "-12.5").
func plainNumber(s string) bool {
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	whole, frac, dotted := strings.Cut(s, ".")
	return allDigits(whole) && (!dotted || allDigits(frac))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseCursor validates an export cursor from a URL.
func ParseCursor(s string) (int, bool) {
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}
