package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/lib/auth"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/user"
)

// BenchmarkCampaignReads measures the dashboard's polled reads through the
// whole HTTP stack (auth, rate limit, query, JSON, ETag) on a campaign of
// 1,000,000 contacts with 300,000 calls.
func BenchmarkCampaignReads(b *testing.B) {
	e := apitest.New(b, apitest.Options{})
	id := e.CreateCampaign(map[string]string{"name": "Big", "assistantId": e.CreateAssistant("Sales")}, apitest.Contacts(1)).CampaignID
	seedBenchCampaign(b, e, id, 1_000_000)
	// Requests rotate over many users: each may make 100 a minute.
	tokens := make([]string, 100)
	for i := range tokens {
		email := fmt.Sprintf("bench%d@example.test", i)
		if _, err := user.Add(b.Context(), e.DB, auth.LocalUserID(email), email, user.Operator); err != nil {
			b.Fatal(err)
		}
		tokens[i] = e.Token(email)
	}
	base := "/api/campaigns/" + id
	for _, bc := range []struct{ name, path string }{
		{"ContactsFirstPage", base + "/contacts?page=1&limit=50"},
		{"ContactsPage1000", base + "/contacts?page=1000&limit=50"},
		{"ContactsEndedPage10", base + "/contacts?status=ENDED&page=10&limit=50"},
		{"ContactsSearch", base + "/contacts?search=Business%2099"},
		{"Summary", base + "/summary"},
		{"List", "/api/campaigns"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				benchGet(b, e, bc.path, tokens[i%len(tokens)])
				i++
			}
			b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/op")
		})
	}
}

// seedBenchCampaign adds n-1 contacts after the first with SQL and ends a
// call for three in ten, one of every hundred of them a voicemail that
// left the campaign's message.
func seedBenchCampaign(b *testing.B, e *apitest.Env, id string, n int) {
	b.Helper()
	seed := []struct {
		sql  string
		args []any
	}{
		{`insert into contacts (campaign_id, position, name, business_name, phone, variables)
		  select $1, g, 'Person ' || g, 'Business ' || g, '+1212' || lpad((2000000 + g)::text, 7, '0'),
		    jsonb_build_object('city', 'City ' || g)
		  from generate_series(2, $2) g`, []any{id, n}},
		{`with c as (insert into calls (campaign_id, contact_id, status, phone_number_id, ended_reason, disposition, cost)
		    select campaign_id, id, 'ENDED', 'test-phone-number', 'customer-ended-call', 'answered', 0.0712
		    from contacts where campaign_id = $1 and position % 10 < 3
		    returning id, contact_id)
		  update contacts k set last_call_id = c.id, attempts = 1 from c where k.id = c.contact_id`, []any{id}},
		{`update calls set disposition = 'voicemail', ended_reason = 'voicemail', voicemail_message_sent = true
		  where campaign_id = $1 and contact_id in (select id from contacts where campaign_id = $1 and position % 1000 = 1)`, []any{id}},
		{`update campaigns set total_contacts = $2 where id = $1`, []any{id, n}},
	}
	for _, s := range seed {
		if _, err := e.DB.Exec(b.Context(), s.sql, s.args...); err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
	// The seed moved 300,000 contacts in one statement, 600,000 tally
	// deltas; the tick folds them within a minute, as here, and autovacuum
	// then clears the rows folded.
	if err := campaign.CompactTallies(b.Context(), e.DB); err != nil {
		b.Fatal(err)
	}
	for _, sql := range []string{`analyze contacts`, `analyze calls`, `vacuum analyze campaign_tallies`} {
		if _, err := e.DB.Exec(b.Context(), sql); err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
	}
}

func benchGet(b *testing.B, e *apitest.Env, path, token string) {
	req, err := http.NewRequest(http.MethodGet, e.Server.URL+path, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
}
