package campaign_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/dev/campaigntest"
	"github.com/autolynx/autolynx/lib/campaign"
)

// seedContacts adds n contacts to a new campaign with SQL, a third of
// them with an ended call, and returns the campaign.
func seedContacts(b *testing.B, f fixture, n int) uuid.UUID {
	b.Helper()
	ctx := context.Background()
	id, _ := f.Create(b, campaigntest.Header+campaigntest.Rows(0, 1))
	_, err := f.Pool.Exec(ctx, `
		insert into contacts (campaign_id, position, name, business_name, phone, variables)
		select $1, g, 'Person ' || g, 'Business ' || g, '+1212' || lpad((2000000 + g)::text, 7, '0'),
		  jsonb_build_object('city', 'City ' || g)
		from generate_series(2, $2) g`, id, n)
	if err != nil {
		b.Fatalf("seed contacts: %v", err)
	}
	_, err = f.Pool.Exec(ctx, `
		with c as (insert into calls (campaign_id, contact_id, status, phone_number_id, ended_reason, disposition, cost, transcript)
		  select campaign_id, id, 'ENDED', 'test-phone-number', 'customer-ended-call', 'answered', 0.0712,
		    '[{"role":"assistant","message":"Hello"},{"role":"user","message":"Hi"}]'::jsonb
		  from contacts where campaign_id = $1 and position % 3 = 0
		  returning id, contact_id)
		update contacts k set last_call_id = c.id, attempts = 1 from c where k.id = c.contact_id`, id)
	if err != nil {
		b.Fatalf("seed calls: %v", err)
	}
	if _, err := f.Pool.Exec(ctx, `update campaigns set total_contacts = $2 where id = $1; analyze contacts; analyze calls`, id, n); err != nil {
		b.Fatalf("seed: %v", err)
	}
	return id
}

// BenchmarkExport pages through a 1,000,000-contact export the way the
// dashboard follows the Link headers.
func BenchmarkExport(b *testing.B) {
	f := setup(b)
	const n = 1_000_000
	id := seedContacts(b, f, n)
	runtime.GC()
	b.ReportAllocs()
	stop := campaigntest.HeapPeak()
	var pages, bytes int
	for b.Loop() {
		cursor, rows := 0, 0
		for range 1000 { // bounded: about 20 pages are expected
			p, err := campaign.Export(f.Ctx, f.Pool, id, cursor, campaign.MaxExportPage, testLinks)
			if err != nil {
				b.Fatalf("export: %v", err)
			}
			pages, bytes, rows = pages+1, bytes+len(p.CSV), rows+p.Rows
			if cursor = p.Next; cursor == 0 {
				break
			}
		}
		if rows != n {
			b.Fatalf("exported %d rows, want %d", rows, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(bytes)/float64(pages), "bytes/page")
	b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
	b.ReportMetric(stop(), "peak-heap-MB")
}
