package campaign_test

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/importer"
)

// heapPeak samples HeapInuse until stopped; stop returns the peak in MB.
// It shows what a 1 GB serverless function must hold during the work.
func heapPeak() (stop func() float64) {
	var mu sync.Mutex
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		peak = max(peak, m.HeapInuse)
		mu.Unlock()
	}
	wg.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample()
			}
		}
	})
	return func() float64 {
		close(done)
		wg.Wait()
		sample()
		mu.Lock()
		defer mu.Unlock()
		return float64(peak) / (1 << 20)
	}
}

// BenchmarkImport measures importer.Create on a 100,000-row CSV (about
// 5 MB, held in memory by the benchmark itself) into Postgres.
func BenchmarkImport(b *testing.B) {
	f := setup(b)
	const n = 100_000
	benchCreate(b, f, header+rows(0, n), n)
}

// benchCreate creates a campaign from csv, which holds n distinct
// contacts, per iteration and reports rows/s and the peak heap.
func benchCreate(b *testing.B, f fixture, csv string, n int) {
	runtime.GC()
	b.ReportAllocs()
	stop := heapPeak()
	for b.Loop() {
		_, rep, err := importer.Create(f.ctx, f.pool, f.newCampaign(), strings.NewReader(csv))
		if err != nil || rep.Accepted != n {
			b.Fatalf("import: %v (%+v)", err, rep)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(stop(), "peak-heap-MB")
}

// BenchmarkImportChunk measures importer.Create on the largest chunk a
// deployed function receives: a 4.5 MB CSV (Vercel's request limit).
func BenchmarkImportChunk(b *testing.B) {
	f := setup(b)
	const chunk = 4_500_000
	var sb strings.Builder
	sb.WriteString(header)
	n := 0
	for line := rows(n, 1); sb.Len()+len(line) <= chunk; line = rows(n, 1) {
		sb.WriteString(line)
		n++
	}
	benchCreate(b, f, sb.String(), n)
	b.ReportMetric(float64(n), "rows")
	b.ReportMetric(float64(sb.Len())/(1<<20), "MB")
}

// seedContacts adds n contacts to a new campaign with SQL, a third of
// them with an ended call, and returns the campaign.
func seedContacts(b *testing.B, f fixture, n int) uuid.UUID {
	b.Helper()
	ctx := context.Background()
	id, _ := f.create(b, header+rows(0, 1))
	_, err := f.pool.Exec(ctx, `
		insert into contacts (campaign_id, position, name, business_name, phone, variables)
		select $1, g, 'Person ' || g, 'Business ' || g, '+1212' || lpad((2000000 + g)::text, 7, '0'),
		  jsonb_build_object('city', 'City ' || g)
		from generate_series(2, $2) g`, id, n)
	if err != nil {
		b.Fatalf("seed contacts: %v", err)
	}
	_, err = f.pool.Exec(ctx, `
		with c as (insert into calls (campaign_id, contact_id, status, phone_number_id, ended_reason, disposition, cost, transcript)
		  select campaign_id, id, 'ENDED', 'test-phone-number', 'customer-ended-call', 'answered', 0.0712,
		    '[{"role":"assistant","message":"Hello"},{"role":"user","message":"Hi"}]'::jsonb
		  from contacts where campaign_id = $1 and position % 3 = 0
		  returning id, contact_id)
		update contacts k set last_call_id = c.id, attempts = 1 from c where k.id = c.contact_id`, id)
	if err != nil {
		b.Fatalf("seed calls: %v", err)
	}
	if _, err := f.pool.Exec(ctx, `update campaigns set total_contacts = $2 where id = $1; analyze contacts; analyze calls`, id, n); err != nil {
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
	stop := heapPeak()
	var pages, bytes int
	for b.Loop() {
		cursor, rows := 0, 0
		for range 1000 { // bounded: about 20 pages are expected
			p, err := campaign.Export(f.ctx, f.pool, id, cursor, campaign.MaxExportPage, testLinks)
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
