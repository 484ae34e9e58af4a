package importer_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/dev/campaigntest"
	"github.com/autolynx/autolynx/lib/importer"
)

// BenchmarkImport measures importer.Create on a 100,000-row CSV (about
// 5 MB, held in memory by the benchmark itself) into Postgres.
func BenchmarkImport(b *testing.B) {
	f := campaigntest.Setup(b)
	const n = 100_000
	benchCreate(b, f, campaigntest.Header+campaigntest.Rows(0, n), n)
}

// benchCreate creates a campaign from csv, which holds n distinct
// contacts, per iteration and reports rows/s and the peak heap.
func benchCreate(b *testing.B, f campaigntest.Fixture, csv string, n int) {
	runtime.GC()
	b.ReportAllocs()
	stop := campaigntest.HeapPeak()
	for b.Loop() {
		_, rep, err := importer.Create(f.Ctx, f.Pool, f.NewCampaign(), strings.NewReader(csv))
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
	f := campaigntest.Setup(b)
	const chunk = 4_500_000
	var sb strings.Builder
	sb.WriteString(campaigntest.Header)
	n := 0
	for line := campaigntest.Rows(n, 1); sb.Len()+len(line) <= chunk; line = campaigntest.Rows(n, 1) {
		sb.WriteString(line)
		n++
	}
	benchCreate(b, f, sb.String(), n)
	b.ReportMetric(float64(n), "rows")
	b.ReportMetric(float64(sb.Len())/(1<<20), "MB")
}
