package dbtest

import (
	"context"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/supabase"
)

// migrations is every migration's text, in the order they apply.
func migrations(t testing.TB) []string {
	t.Helper()
	names, err := fs.Glob(supabase.Files, "migrations/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("read migrations: %v (%d files)", err, len(names))
	}
	sort.Strings(names)
	out := make([]string, len(names))
	for i, n := range names {
		b, err := fs.ReadFile(supabase.Files, n)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(b)
	}
	return out
}

var space = regexp.MustCompile(`\s+`)

// IndexPredicate is the WHERE clause of the partial index name as the
// migrations last create it, whitespace collapsed, so a test can check
// that a query says it word for word (else the planner cannot use it).
func IndexPredicate(t testing.TB, name string) string {
	t.Helper()
	re := regexp.MustCompile(`(?is)create index ` + regexp.QuoteMeta(name) + `\s+on\s[^;]*?\swhere\s+([^;]*);`)
	return lastMatch(t, re, "partial index "+name)
}

// lastMatch is re's first group where the migrations last match it,
// whitespace collapsed; what names the thing sought, for the failure.
func lastMatch(t testing.TB, re *regexp.Regexp, what string) string {
	t.Helper()
	found := ""
	for _, m := range migrations(t) {
		for _, g := range re.FindAllStringSubmatch(m, -1) {
			found = g[1]
		}
	}
	if found == "" {
		t.Fatalf("no %s in the migrations", what)
	}
	return strings.TrimSpace(space.ReplaceAllString(found, " "))
}

// CheckList is the list a column of table is checked against where the
// migrations create the table (`column text … check (column in (…))`),
// whitespace collapsed: ('A', 'B').
func CheckList(t testing.TB, table, column string) string {
	t.Helper()
	create := regexp.MustCompile(`(?is)create table public\.` + regexp.QuoteMeta(table) + ` \((.*?)\n\);`)
	check := regexp.MustCompile(`(?is)\n\s*` + regexp.QuoteMeta(column) + `\s+text[^\n]*?check \(` + regexp.QuoteMeta(column) + ` in\s*(\([^)]*\))`)
	for _, m := range migrations(t) {
		if c := create.FindStringSubmatch(m); c != nil {
			if g := check.FindStringSubmatch(c[1]); g != nil {
				return space.ReplaceAllString(g[1], " ")
			}
		}
	}
	t.Fatalf("no check on %s.%s in the migrations", table, column)
	return ""
}

// StatusLists are the lists of statuses a function's (or procedure's)
// body, as the migrations last define it, checks against (`… in ('A',
// 'B')`, quoted upper-case words), in order and whitespace collapsed, so a
// test can hold them to the Go lists they copy.
func StatusLists(t testing.TB, function string) []string {
	t.Helper()
	def := regexp.MustCompile(`(?is)create (?:or replace )?(?:function|procedure) public\.` + regexp.QuoteMeta(function) + `\(.*?\$\$(.*?)\$\$`)
	body := lastMatch(t, def, "function "+function)
	var lists []string
	for _, g := range regexp.MustCompile(`(?s)\sin\s*(\('[A-Z_]+'(?:,\s*'[A-Z_]+')*\))`).FindAllStringSubmatch(body, -1) {
		lists = append(lists, space.ReplaceAllString(g[1], " "))
	}
	return lists
}

// GeneratedAs is the expression a generated column is computed from, as
// the migrations last add it (`add column c … generated always as (…)
// stored`), whitespace collapsed.
func GeneratedAs(t testing.TB, column string) string {
	t.Helper()
	re := regexp.MustCompile(`(?is)add column ` + regexp.QuoteMeta(column) + `\s+\w+\s+generated always as\s*\((.*?)\)\s*stored`)
	return lastMatch(t, re, "generated column "+column)
}

// Plan is Postgres's plan for sql with args on pool, sequential scans
// discouraged (a test's tables are too small for the planner to prefer
// an index otherwise), so a test can check which index a query can use.
func Plan(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `set local enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(ctx, `explain `+sql, args...)
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	return strings.Join(lines, "\n")
}
