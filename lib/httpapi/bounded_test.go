package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/autolynx/autolynx/lib/apitest"
)

// boundedReport is the import report's bounded form.
type boundedReport struct {
	Accepted        int
	Skipped         []struct{ Row int }
	SkippedTotal    int
	SkippedByReason map[string]int
}

// A chunk near the size limit made only of bad rows answers a report far
// inside Vercel's 4.5 MB answer limit: the first 500 skipped rows and exact
// counts by reason.
func TestM3ImportReportBounded(t *testing.T) {
	e := newCampEnv(t, apitest.Options{})
	tok := e.operator(t)
	var b strings.Builder
	b.WriteString(csvHeader + csvRows(0, 3))
	const empty, invalid = 400_000, 200_000
	for i := range empty + invalid {
		if i%3 == 2 {
			b.WriteString("x,y,12,\n") // invalid phone number: "12"
		} else {
			b.WriteString("x,y,,\n") // phone is empty
		}
	}
	if b.Len() > 4_400_000 {
		t.Fatalf("test file is %d bytes, over the upload limit", b.Len())
	}
	ct, body := apitest.Multipart(e.form(nil), b.String())
	r := e.send(t, http.MethodPost, "/api/campaigns", tok, ct, body)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %.300s", r.status, r.body)
	}
	if len(r.body) > 100_000 {
		t.Errorf("answer is %d bytes for a %d-byte upload", len(r.body), b.Len())
	}
	var got struct{ ImportReport boundedReport }
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	rep := got.ImportReport
	if rep.Accepted != 3 || rep.SkippedTotal != empty+invalid || len(rep.Skipped) != 500 {
		t.Fatalf("report: accepted %d, skippedTotal %d, %d listed", rep.Accepted, rep.SkippedTotal, len(rep.Skipped))
	}
	if rep.Skipped[0].Row != 5 || rep.Skipped[499].Row != 504 {
		t.Errorf("listed rows %d…%d, want the first 500 (5…504)", rep.Skipped[0].Row, rep.Skipped[499].Row)
	}
	if want := map[string]int{"phone is empty": empty, "invalid phone number": invalid}; fmt.Sprint(rep.SkippedByReason) != fmt.Sprint(want) {
		t.Errorf("by reason %v, want %v", rep.SkippedByReason, want)
	}
}

// A create or a chunk sent again with the same Idempotency-Key (its answer
// was lost) gets the first answer back and imports nothing twice, even when
// both arrive at once; a key is the caller's own and names one request.
func TestM3IdempotentCreateAndAppend(t *testing.T) {
	e := newCampEnv(t, apitest.Options{})
	tok := e.operator(t)
	create := func(token, key string) campReply {
		ct, body := apitest.Multipart(e.form(nil), csvHeader+csvRows(0, 5))
		return e.send(t, http.MethodPost, "/api/campaigns", token, ct, body, "Idempotency-Key", key)
	}
	var wg sync.WaitGroup
	answers := make([]campReply, 3)
	for i := range answers {
		wg.Go(func() { answers[i] = create(tok, "create-1") })
	}
	wg.Wait()
	for i, a := range answers {
		if a.status != http.StatusCreated || string(a.body) != string(answers[0].body) {
			t.Fatalf("answer %d: %d %s, want the first answer %s", i, a.status, a.body, answers[0].body)
		}
	}
	if n := e.count(t, `select count(*) from campaigns`); n != 1 {
		t.Fatalf("%d campaigns after three sends of one create", n)
	}
	var c struct{ CampaignID string }
	_ = json.Unmarshal(answers[0].body, &c)
	path := "/api/campaigns/" + c.CampaignID + "/contacts"
	chunk := func(key string, from int) campReply {
		return e.send(t, http.MethodPost, path, tok, "text/csv", strings.NewReader(csvRows(from, 4)), "Idempotency-Key", key)
	}
	first := chunk("chunk-2", 5)
	if again := chunk("chunk-2", 5); first.status != http.StatusOK || again.status != http.StatusOK || string(again.body) != string(first.body) {
		t.Fatalf("chunk sent twice: %d %s then %d %s", first.status, first.body, again.status, again.body)
	}
	if n := e.count(t, `select total_contacts from campaigns where id = $1`, c.CampaignID); n != 9 {
		t.Errorf("campaign counts %d contacts, want 9", n)
	}
	// The same key on another request is a client bug, not a replay.
	wantError(t, chunk("create-1", 20), http.StatusConflict, "CONFLICT")
	// Keys are per user: another operator's key of the same text is theirs.
	if r := create(e.Admin, "create-1"); r.status != http.StatusCreated || string(r.body) == string(answers[0].body) {
		t.Errorf("another user's key: %d %s", r.status, r.body)
	}
	// Without a key every create is a new campaign, as before.
	for range 2 {
		ct, body := apitest.Multipart(e.form(nil), csvHeader+csvRows(0, 1))
		if r := e.send(t, http.MethodPost, "/api/campaigns", tok, ct, body); r.status != http.StatusCreated {
			t.Fatalf("create without key: %d %s", r.status, r.body)
		}
	}
	if n := e.count(t, `select count(*) from campaigns`); n != 4 {
		t.Errorf("%d campaigns, want 4", n)
	}
	wantError(t, create(tok, strings.Repeat("k", 300)), http.StatusBadRequest, "VALIDATION_ERROR")
}

// L12: a contact's size is bounded (names 200 characters, extra columns
// 2 KB): a row over it is skipped with its reason, and a page of 500
// contacts as large as may be stays far inside the 4.5 MB answer limit.
func TestLowL12ContactSizeBounded(t *testing.T) {
	e := newCampEnv(t, apitest.Options{})
	tok := e.operator(t)
	notes := strings.Repeat("é", 1000) // 2,000 bytes
	var b strings.Builder
	b.WriteString("name,business_name,phone,notes,more\n")
	long := strings.Repeat("n", 200)
	for i := range 500 {
		fmt.Fprintf(&b, "%s,%s,%s,%s,x\n", long, long, phoneAt(i), notes[:1990])
	}
	b.WriteString(long + "n,Acme," + phoneAt(600) + ",,\n")                                // row 502: name too long
	b.WriteString("Bob,Bolt," + phoneAt(601) + "," + notes + ",more" + notes[:100] + "\n") // row 503: 2 KB of extra columns
	c := e.create(t, tok, nil, b.String())
	rep := c.ImportReport
	if rep.Accepted != 500 || rep.SkippedTotal != 2 || rep.Skipped[0].Row != 502 || rep.Skipped[1].Row != 503 {
		t.Fatalf("report %+v", rep)
	}
	if !strings.Contains(rep.Skipped[0].Reason, "200 characters") || !strings.Contains(rep.Skipped[1].Reason, "2 KB") {
		t.Errorf("reasons %+v", rep.Skipped)
	}
	r := e.send(t, http.MethodGet, "/api/campaigns/"+c.CampaignID+"/contacts?limit=500", tok, "", nil)
	if r.status != http.StatusOK || len(r.body) > 1_500_000 {
		t.Errorf("a page of 500 of the largest contacts: %d, %d bytes", r.status, len(r.body))
	}
}
