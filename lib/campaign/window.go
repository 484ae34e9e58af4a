package campaign

import (
	"slices"
	"time"
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

// ZoneCache loads each zone once; unknown zones are left out.
type ZoneCache map[string]*time.Location

func (z ZoneCache) Locations(names []string) []*time.Location {
	locs := make([]*time.Location, 0, len(names))
	for _, n := range names {
		loc, ok := z[n]
		if !ok {
			var err error
			if loc, err = time.LoadLocation(n); err != nil {
				loc = nil
			}
			z[n] = loc
		}
		if loc != nil {
			locs = append(locs, loc)
		}
	}
	return locs
}
