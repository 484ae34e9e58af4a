package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/autolynx/autolynx/dev/apitest"
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
	tok := e.NewOperator(t)
	var b strings.Builder
	b.WriteString(apitest.CSVHeader + apitest.Rows(0, 3))
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
	r := e.Send(t, http.MethodPost, "/api/campaigns", tok, ct, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %.300s", r.Status, r.Body)
	}
	if len(r.Body) > 100_000 {
		t.Errorf("answer is %d bytes for a %d-byte upload", len(r.Body), b.Len())
	}
	var got struct{ ImportReport boundedReport }
	if err := json.Unmarshal(r.Body, &got); err != nil {
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
	tok := e.NewOperator(t)
	create := func(token, key string) apitest.Reply {
		ct, body := apitest.Multipart(e.form(nil), apitest.CSVHeader+apitest.Rows(0, 5))
		return e.Send(t, http.MethodPost, "/api/campaigns", token, ct, body, "Idempotency-Key", key)
	}
	var wg sync.WaitGroup
	answers := make([]apitest.Reply, 3)
	for i := range answers {
		wg.Go(func() { answers[i] = create(tok, "create-1") })
	}
	wg.Wait()
	for i, a := range answers {
		if a.Status != http.StatusCreated || string(a.Body) != string(answers[0].Body) {
			t.Fatalf("answer %d: %d %s, want the first answer %s", i, a.Status, a.Body, answers[0].Body)
		}
	}
	if n := e.Count(t, `select count(*) from campaigns`); n != 1 {
		t.Fatalf("%d campaigns after three sends of one create", n)
	}
	var c struct{ CampaignID string }
	_ = json.Unmarshal(answers[0].Body, &c)
	path := "/api/campaigns/" + c.CampaignID + "/contacts"
	chunk := func(key string, from int) apitest.Reply {
		return e.Send(t, http.MethodPost, path, tok, "text/csv", strings.NewReader(apitest.Rows(from, 4)), "Idempotency-Key", key)
	}
	first := chunk("chunk-2", 5)
	if again := chunk("chunk-2", 5); first.Status != http.StatusOK || again.Status != http.StatusOK || string(again.Body) != string(first.Body) {
		t.Fatalf("chunk sent twice: %d %s then %d %s", first.Status, first.Body, again.Status, again.Body)
	}
	if n := e.Count(t, `select total_contacts from campaigns where id = $1`, c.CampaignID); n != 9 {
		t.Errorf("campaign counts %d contacts, want 9", n)
	}
	// The same key on another request is a client bug, not a replay.
	apitest.WantError(t, chunk("create-1", 20), http.StatusConflict, "CONFLICT")
	// Keys are per user: another operator's key of the same text is theirs.
	if r := create(e.Admin, "create-1"); r.Status != http.StatusCreated || string(r.Body) == string(answers[0].Body) {
		t.Errorf("another user's key: %d %s", r.Status, r.Body)
	}
	// Without a key every create is a new campaign, as before.
	for range 2 {
		ct, body := apitest.Multipart(e.form(nil), apitest.CSVHeader+apitest.Rows(0, 1))
		if r := e.Send(t, http.MethodPost, "/api/campaigns", tok, ct, body); r.Status != http.StatusCreated {
			t.Fatalf("create without key: %d %s", r.Status, r.Body)
		}
	}
	if n := e.Count(t, `select count(*) from campaigns`); n != 4 {
		t.Errorf("%d campaigns, want 4", n)
	}
	apitest.WantError(t, create(tok, strings.Repeat("k", 300)), http.StatusBadRequest, "VALIDATION_ERROR")
}

// L12: a contact's size is bounded (names 200 characters, extra columns
// 2 KB): a row over it is skipped with its reason, and a page of 500
// contacts as large as may be stays far inside the 4.5 MB answer limit.
func TestLowL12ContactSizeBounded(t *testing.T) {
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	notes := strings.Repeat("é", 1000) // 2,000 bytes
	var b strings.Builder
	b.WriteString("name,business_name,phone,notes,more\n")
	long := strings.Repeat("n", 200)
	for i := range 500 {
		fmt.Fprintf(&b, "%s,%s,%s,%s,x\n", long, long, apitest.Phone(i), notes[:1990])
	}
	b.WriteString(long + "n,Acme," + apitest.Phone(600) + ",,\n")                                // row 502: name too long
	b.WriteString("Bob,Bolt," + apitest.Phone(601) + "," + notes + ",more" + notes[:100] + "\n") // row 503: 2 KB of extra columns
	c := e.create(t, tok, nil, b.String())
	rep := c.ImportReport
	if rep.Accepted != 500 || rep.SkippedTotal != 2 || rep.Skipped[0].Row != 502 || rep.Skipped[1].Row != 503 {
		t.Fatalf("report %+v", rep)
	}
	if !strings.Contains(rep.Skipped[0].Reason, "200 characters") || !strings.Contains(rep.Skipped[1].Reason, "2 KB") {
		t.Errorf("reasons %+v", rep.Skipped)
	}
	r := e.Send(t, http.MethodGet, "/api/campaigns/"+c.CampaignID+"/contacts?limit=500", tok, "", nil)
	if r.Status != http.StatusOK || len(r.Body) > 1_500_000 {
		t.Errorf("a page of 500 of the largest contacts: %d, %d bytes", r.Status, len(r.Body))
	}
}
