package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/dev/apitest"
)

// A 100,000-row list sent the way the dashboard sends it — chunks under
// 4 MB, the header repeated — imports with an exact report.
func TestHundredThousandRowsInChunks(t *testing.T) {
	if testing.Short() {
		t.Skip("large import")
	}
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	asst := e.CreateAssistant("Big")
	const header = "name,business_name,phone,segment\n"
	var chunks []string
	var b strings.Builder
	skips, dups := 0, 0
	for i := range 100_000 {
		line := fmt.Sprintf("Person %d,Company %d,+12122%06d,s%d\n", i, i, i, i%7)
		switch {
		case i%10_000 == 9_999:
			line = fmt.Sprintf("Broken %d,Company,123,x\n", i) // invalid phone
			skips++
		case i%25_000 == 24_999:
			line = "Again,Company,+12122000000,x\n" // same number as row 0
			dups++
		}
		if b.Len()+len(line) > 4_000_000 {
			chunks = append(chunks, b.String())
			b.Reset()
		}
		if b.Len() == 0 {
			b.WriteString(header)
		}
		b.WriteString(line)
	}
	chunks = append(chunks, b.String())
	if len(chunks) < 2 {
		t.Fatalf("only %d chunk", len(chunks))
	}
	first := e.CreateCampaign(map[string]string{"name": "big", "assistantId": asst}, chunks[0])
	accepted, duplicates, skipped := first.ImportReport.Accepted, first.ImportReport.Duplicates, first.ImportReport.SkippedTotal
	for _, c := range chunks[1:] {
		var rep struct {
			ImportReport struct {
				Accepted, Duplicates, SkippedTotal int
			}
		}
		resp := e.Do("POST", "/api/campaigns/"+first.CampaignID+"/contacts", e.Operator, "text/csv", strings.NewReader(c))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("append: %d", resp.StatusCode)
		}
		decode(t, resp, &rep)
		accepted += rep.ImportReport.Accepted
		duplicates += rep.ImportReport.Duplicates
		skipped += rep.ImportReport.SkippedTotal
	}
	if accepted != 100_000-skips-dups || duplicates != dups || skipped != skips {
		t.Fatalf("accepted %d duplicates %d skipped %d; want %d, %d, %d", accepted, duplicates, skipped, 100_000-skips-dups, dups, skips)
	}
	if s := e.Summary(first.CampaignID); s.Metrics.TotalContacts != accepted {
		t.Fatalf("summary counts %d contacts, want %d", s.Metrics.TotalContacts, accepted)
	}
}

func decode(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
