package campaign_test

import (
	"encoding/csv"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/dev/campaigntest"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/recording"
)

// testLinks signs the export's recording links in these tests.
var testLinks = recording.NewLinks("https://autolynx.example", "test-vapi-key", time.Now)

// A3: Vapi's recording URLs point at private storage nobody can play, so
// neither the contacts list nor the export shows one: they link to our
// recording endpoint, the export with a signature valid for a week.
func TestA3RecordingLinksAreOurs(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id, _ := f.Create(t, campaigntest.Header+campaigntest.Rows(0, 3))
	const vapiURL = "https://storage.vapi.ai/private-mono.wav"
	var withRec, without uuid.UUID
	for i, raw := range []*string{ptr(vapiURL), nil} {
		var call uuid.UUID
		err := f.Pool.QueryRow(f.Ctx, `
			with k as (select id from contacts where campaign_id = $1 and phone = $2),
			c as (insert into calls (campaign_id, contact_id, status, phone_number_id, provider_call_id, recording_url)
			      select $1, k.id, 'ENDED', 'p', $3, $4 from k returning id, contact_id)
			update contacts set last_call_id = c.id from c where contacts.id = c.contact_id returning c.id`,
			id, campaigntest.Phone(i), uuid.NewString(), raw).Scan(&call)
		if err != nil {
			t.Fatal(err)
		}
		if raw != nil {
			withRec = call
		} else {
			without = call
		}
	}
	page, err := campaign.Export(f.Ctx, f.Pool, id, 0, campaign.MaxExportPage, testLinks)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(string(page.CSV))).ReadAll()
	if err != nil || len(recs) != 4 {
		t.Fatalf("export: %d records, %v", len(recs), err)
	}
	cell := recs[1][6]
	u, err := url.Parse(cell)
	if err != nil || !strings.HasPrefix(cell, "https://autolynx.example"+recording.Path(id, withRec)+"?") ||
		!testLinks.Valid(withRec, u.Query().Get("expires"), u.Query().Get("sig")) {
		t.Fatalf("recording_url = %q, want our signed link", cell)
	}
	// A week, rounded up to the next hour.
	if at, _ := strconv.ParseInt(u.Query().Get("expires"), 10, 64); time.Until(time.Unix(at, 0)) < recording.LinkTTL-time.Minute ||
		time.Until(time.Unix(at, 0)) > recording.LinkTTL+time.Hour {
		t.Errorf("link expires at %d, want in 7 days", at)
	}
	if recs[2][6] != "" || recs[3][6] != "" {
		t.Errorf("recording_url of calls without a recording: %q %q", recs[2][6], recs[3][6])
	}
	contacts, _, err := campaign.Contacts(f.Ctx, f.Pool, id, campaign.ContactFilter{Page: 1, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if c := contacts[0].Call; c == nil || c.RecordingURL == nil || *c.RecordingURL != recording.Path(id, withRec) {
		t.Errorf("contact's recordingUrl = %v, want %s", c, recording.Path(id, withRec))
	}
	if c := contacts[1].Call; c == nil || c.ID != without || c.RecordingURL != nil {
		t.Errorf("call without a recording: %+v", c)
	}
	detail, err := campaign.Call(f.Ctx, f.Pool, id, withRec)
	if err != nil || detail.RecordingURL == nil || *detail.RecordingURL != recording.Path(id, withRec) {
		t.Errorf("call detail recordingUrl: %+v, %v", detail, err)
	}
	if strings.Contains(string(page.CSV), vapiURL) {
		t.Error("Vapi's storage URL exported")
	}
}

func ptr(s string) *string { return &s }
