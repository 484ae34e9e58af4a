package campaign

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/db"
)

// Window is a calling window in a contact's local time.
type Window struct {
	Start, End string // "HH:MM"
	Days       []int  // ISO weekdays
}

// Open reports whether at is inside the window in every zone (the rule for
// numbers that span several zones).
func (w Window) Open(at time.Time, zones []*time.Location) bool {
	for _, loc := range zones {
		local := at.In(loc)
		hm := local.Format("15:04")
		day := int(local.Weekday())
		if day == 0 {
			day = 7
		}
		if !slices.Contains(w.Days, day) || hm < w.Start || hm >= w.End {
			return false
		}
	}
	return true
}

// NextOpen is the first minute at or after from when the window is open in
// every zone, searching a fortnight ahead; zero if it never opens or a zone
// is unknown.
func (w Window) NextOpen(from time.Time, zones []string) time.Time {
	locs := make([]*time.Location, len(zones))
	for i, z := range zones {
		loc, err := time.LoadLocation(z)
		if err != nil {
			return time.Time{}
		}
		locs[i] = loc
	}
	t := from.Truncate(time.Minute)
	if t.Before(from) {
		t = t.Add(time.Minute)
	}
	for end := t.Add(14 * 24 * time.Hour); t.Before(end); t = t.Add(time.Minute) {
		if w.Open(t, locs) {
			return t
		}
	}
	return time.Time{}
}

// remainingZones groups the contacts still to be called by zone set, with
// the earliest moment each group may be dialed (a pending retry's time).
const remainingZones = `
select case when cardinality(k.timezones) = 0 then array[c.fallback_timezone] else k.timezones end as zones,
  bool_or(k.next_attempt_at is null), min(k.next_attempt_at)
from contacts k join campaigns c on c.id = k.campaign_id
where k.campaign_id = $1 and k.suppressed_at is null
  and (k.last_call_id is null or k.next_attempt_at is not null)
group by 1
limit 200`

// NextEligible is when the campaign may next dial someone, given each
// remaining contact's zones and pending retries; zero when nobody remains.
func NextEligible(ctx context.Context, q db.DBTX, id uuid.UUID, w Window, now time.Time) (time.Time, error) {
	rows, err := q.Query(ctx, remainingZones, id)
	if err != nil {
		return time.Time{}, fmt.Errorf("find remaining contacts: %w", err)
	}
	defer rows.Close()
	var best time.Time
	for rows.Next() {
		var zones []string
		var fresh bool
		var due *time.Time
		if err := rows.Scan(&zones, &fresh, &due); err != nil {
			return time.Time{}, fmt.Errorf("find remaining contacts: %w", err)
		}
		from := now
		if !fresh && due != nil && due.After(now) {
			from = *due
		}
		if next := w.NextOpen(from, zones); !next.IsZero() && (best.IsZero() || next.Before(best)) {
			best = next
		}
	}
	return best, rows.Err()
}
