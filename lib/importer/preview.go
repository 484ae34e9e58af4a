package importer

import (
	"context"
	"errors"
	"fmt"
	"github.com/autolynx/autolynx/lib/campaign"
	"io"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/csvimport"
	"github.com/autolynx/autolynx/lib/db"
)

// previewRows is how many importable rows a preview shows.
const previewRows = 10

// maxPreviewSkips bounds the skipped rows listed (all are counted).
const maxPreviewSkips = 200

// Preview is what importing a file into a new campaign would do, read by
// the importer's own reader and stored nowhere.
type Preview struct {
	Columns   []string          `json:"columns"`   // the header as written
	Mapping   csvimport.Mapping `json:"mapping"`   // field → the columns it is read from
	Variables []string          `json:"variables"` // columns kept as per-contact variables
	Rows      []PreviewRow      `json:"rows"`      // the first importable rows, as stored
	DataRows  int               `json:"dataRows"`  // rows with any text below the header
	// Importable rows would become contacts: valid, first of their number,
	// not on the do-not-call list.
	Importable      int              `json:"importable"`
	Duplicates      int              `json:"duplicates"`
	DoNotCall       int              `json:"doNotCall"`
	SkippedByReason map[string]int   `json:"skippedByReason"`
	Skipped         []csvimport.Skip `json:"skipped"` // the first ones, by row
	// CallableNow counts importable contacts inside the calling window at
	// this moment, in their own time zone.
	CallableNow int       `json:"callableNow"`
	At          time.Time `json:"at"`
}

// PreviewRow is one contact as the import would store it.
type PreviewRow struct {
	Row          int               `json:"row"`
	Name         string            `json:"name"`
	BusinessName string            `json:"businessName"`
	Phone        string            `json:"phone"`
	TimeZones    []string          `json:"timeZones"`
	ZoneSource   string            `json:"timeZoneSource"` // "column", "number" or "campaign"
	Variables    map[string]string `json:"variables"`
}

// previewBatch is how many rows a preview checks against the do-not-call
// list per statement: memory stays flat, latency is amortized.
const previewBatch = 1000

// PreviewImport reads r (CSV or .xlsx) as Create would, with the calling
// window w and fallback zone of the campaign to be, and reports it.
func PreviewImport(ctx context.Context, q db.DBTX, r io.Reader, opts csvimport.Options, w campaign.Window, fallback string, now time.Time) (*Preview, error) {
	rd, err := csvimport.NewReader(r, opts)
	if err != nil {
		return nil, csvProblem(err)
	}
	p := &Preview{Columns: rd.Header(), Mapping: rd.Mapping(), Variables: variableColumns(rd),
		Rows: []PreviewRow{}, SkippedByReason: map[string]int{}, Skipped: []csvimport.Skip{}, At: now.UTC()}
	seen := map[string]bool{}
	var batch []PreviewRow
	zones := campaign.ZoneCache{}
	skip := func(s csvimport.Skip) {
		p.SkippedByReason[s.Kind]++
		if len(p.Skipped) < maxPreviewSkips {
			p.Skipped = append(p.Skipped, s)
		}
	}
	flush := func() error {
		dnc, err := onDNC(ctx, q, batch)
		if err != nil {
			return err
		}
		for _, c := range batch {
			if dnc[c.Phone] {
				p.DoNotCall++
				skip(csvimport.Skip{Row: c.Row, Reason: kindDNC, Kind: kindDNC})
				continue
			}
			p.Importable++
			if len(p.Rows) < previewRows {
				p.Rows = append(p.Rows, c)
			}
			if w.Open(now, zones.Locations(c.TimeZones)) {
				p.CallableNow++
			}
		}
		batch = batch[:0]
		return nil
	}
	for {
		row, s, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvProblem(err)
		}
		p.DataRows++
		if s != nil {
			skip(*s)
			continue
		}
		if seen[row.Phone] {
			p.Duplicates++
			continue
		}
		seen[row.Phone] = true
		batch = append(batch, previewRow(row, fallback))
		if len(batch) == previewBatch {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	slices.SortFunc(p.Skipped, func(a, b csvimport.Skip) int { return a.Row - b.Row })
	return p, nil
}

func previewRow(r csvimport.Row, fallback string) PreviewRow {
	c := PreviewRow{Row: r.Line, Name: r.Name, BusinessName: r.BusinessName, Phone: r.Phone,
		TimeZones: contactZones(r), ZoneSource: "number", Variables: r.Variables}
	switch {
	case r.TimeZone != "":
		c.ZoneSource = "column"
	case len(c.TimeZones) == 0:
		c.TimeZones, c.ZoneSource = []string{fallback}, "campaign"
	}
	if c.Variables == nil {
		c.Variables = map[string]string{}
	}
	return c
}

// variableColumns lists the columns a contact keeps as variables.
func variableColumns(rd *csvimport.Reader) []string {
	used := map[string]bool{}
	for _, cols := range rd.Mapping() {
		for _, c := range cols {
			used[c] = true
		}
	}
	out := []string{}
	for _, c := range rd.Header() {
		if !used[c] {
			out = append(out, c)
		}
	}
	return out
}

// onDNC returns which of the rows' numbers are on the do-not-call list.
func onDNC(ctx context.Context, q db.DBTX, rows []PreviewRow) (map[string]bool, error) {
	phones := make([]string, len(rows))
	for i, r := range rows {
		phones[i] = r.Phone
	}
	found, err := q.Query(ctx, `select phone from dnc where phone = any($1)`, phones)
	if err != nil {
		return nil, fmt.Errorf("check do-not-call list: %w", err)
	}
	list, err := pgx.CollectRows(found, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("check do-not-call list: %w", err)
	}
	set := make(map[string]bool, len(list))
	for _, p := range list {
		set[p] = true
	}
	return set, nil
}
