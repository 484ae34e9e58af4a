package apitest

import (
	"context"
	"fmt"
	"maps"
	"slices"
)

// talliesAgainstRows reads a campaign's outcome buckets and cost twice:
// summed from campaign_tallies, and counted from its contacts and calls.
const talliesAgainstRows = `
with tallied as (
  select status || '|' || ended_reason || '|' || disposition as bucket, sum(n)::bigint as n
  from campaign_tallies where campaign_id = $1 and status <> '' group by 1 having sum(n) <> 0
), counted as (
  select case when l.live then 'LIVE||'
              else coalesce(l.status, 'NOT_CALLED') || '|' || coalesce(l.ended_reason, '') || '|' || coalesce(l.disposition, '') end as bucket,
    count(*) as n
  from contacts k left join calls l on l.id = k.last_call_id where k.campaign_id = $1 group by 1
)
select 'tallied', bucket, n::float8 from tallied
union all select 'counted', bucket, n::float8 from counted
union all select 'tallied', 'cost', coalesce(sum(cost), 0)::float8 from campaign_tallies where campaign_id = $1
union all select 'counted', 'cost', coalesce(sum(cost), 0)::float8 from calls where campaign_id = $1`

// CheckTallies fails the test unless the counters the reads use agree
// with the campaign's rows: the triggers keeping them must miss no writer.
func (e *Env) CheckTallies(campaignID string) {
	e.t.Helper()
	rows, err := e.DB.Query(context.Background(), talliesAgainstRows, campaignID)
	if err != nil {
		e.t.Fatalf("apitest: tallies: %v", err)
	}
	defer rows.Close()
	got := map[string]map[string]float64{"tallied": {}, "counted": {}}
	for rows.Next() {
		var side, bucket string
		var n float64
		if err := rows.Scan(&side, &bucket, &n); err != nil {
			e.t.Fatalf("apitest: tallies: %v", err)
		}
		got[side][bucket] = n
	}
	if err := rows.Err(); err != nil {
		e.t.Fatalf("apitest: tallies: %v", err)
	}
	if !maps.Equal(got["tallied"], got["counted"]) {
		e.t.Errorf("apitest: tallies disagree with the rows:\n%s", diff(got["tallied"], got["counted"]))
	}
}

func diff(tallied, counted map[string]float64) string {
	keys := slices.Sorted(maps.Keys(tallied))
	for k := range counted {
		if _, ok := tallied[k]; !ok {
			keys = append(keys, k)
		}
	}
	out := ""
	for _, k := range keys {
		if tallied[k] != counted[k] {
			out += fmt.Sprintf("  %s: tallied %v, counted %v\n", k, tallied[k], counted[k])
		}
	}
	return out
}
