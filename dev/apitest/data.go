package apitest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/dev/campaigntest"
)

// CSVHeader is the header of the contact lists made here.
const CSVHeader = "name,business_name,phone,city\n"

// Phone is the i-th distinct valid US number in E.164 (New York).
func Phone(i int) string { return fmt.Sprintf("+1212%03d%04d", 200+i/10000, i%10000) }

// Rows makes data rows (no header) for contacts from..from+n-1:
// "Person i", "Business i", Phone(i), "City i".
func Rows(from, n int) string {
	return rows(from, n, Phone, func(i int) string { return fmt.Sprintf("City %d", i) })
}

// Contacts makes a CSV of n contacts with distinct valid US numbers
// (+1415555…, San Francisco), all in Springfield; tests of the dialing
// path name these numbers.
func Contacts(n int) string {
	return CSVHeader + rows(0, n, func(i int) string { return fmt.Sprintf("+1415555%04d", i) },
		func(int) string { return "Springfield" })
}

func rows(from, n int, phone, city func(int) string) string {
	var b strings.Builder
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "Person %d,Business %d,%s,%s\n", i, i, phone(i), city(i))
	}
	return b.String()
}

// BigCSV is a valid CSV of about size bytes: rows of Phone(i) with an
// 1,800-byte notes cell (under the 2 KB of extra columns a contact may
// hold).
func BigCSV(size int) string {
	var b strings.Builder
	b.WriteString("name,business_name,phone,notes\n")
	notes := strings.Repeat("n", 1800)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "P%d,B%d,%s,%s\n", i, i, Phone(i), notes)
	}
	return b.String()
}

// Exec runs a statement on the backend's database.
func (e *Env) Exec(t testing.TB, stmt string, args ...any) {
	t.Helper()
	if _, err := e.DB.Exec(t.Context(), stmt, args...); err != nil {
		t.Fatalf("apitest: exec: %v", err)
	}
}

// Count runs a count query on the backend's database.
func (e *Env) Count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.DB.QueryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatalf("apitest: count: %v", err)
	}
	return n
}

// Call is a call row standing for what the tick and the webhook record
// (campaigntest.Call).
type Call = campaigntest.Call

// AddCall records c as the latest attempt of the campaign's contact with
// phone (a 42.5-second call that ended now).
func (e *Env) AddCall(t testing.TB, campaignID, phone string, c Call) {
	t.Helper()
	campaigntest.AddCall(t, e.DB, campaignID, phone, c)
}
