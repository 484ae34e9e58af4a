package campaign

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/settings"
)

// Waiting explains a live campaign with no call in flight that is not
// complete: why nothing is dialing, in words, and when the next call can
// happen. The counts let the dashboard say the same in the viewer's time.
type Waiting struct {
	Message    string     `json:"message"`
	NextCallAt *time.Time `json:"nextCallAt"`
	// DueNow contacts can be dialed at once (the next tick will).
	DueNow int `json:"dueNow"`
	// Redials wait for their delay (or a callback for the time the
	// person asked, Callbacks of them); the first is due at RedialsFrom.
	Redials     int        `json:"redials"`
	Callbacks   int        `json:"callbacks"`
	RedialsFrom *time.Time `json:"redialsFrom"`
	// OutsideHours contacts are due but outside their calling hours; the
	// first window opens at OpensAt, OpensLocal ("09:00") in OpensZone.
	OutsideHours int        `json:"outsideHours"`
	OpensAt      *time.Time `json:"opensAt"`
	OpensZone    string     `json:"opensZone"`
	OpensLocal   string     `json:"opensLocal"`
	// HeldBack contacts are due but their number reached the frequency
	// cap across campaigns; the first may be called from HeldUntil.
	HeldBack  int        `json:"heldBack"`
	HeldUntil *time.Time `json:"heldUntil"`
}

// dialWindow is the window the tick applies to a campaign: its own, inside
// the account's legal bound.
var dialWindow = `
select to_char(greatest(c.window_start, ` + settings.LegalStartSQL + `), 'HH24:MI'),
  to_char(least(c.window_end, ` + settings.LegalEndSQL + `), 'HH24:MI'),
  c.window_days::int[], c.total_contacts
from campaigns c where c.id = $1`

// remainingZones groups the contacts still to be called by zone set:
// never dialed, redials (or callbacks) already due, and those still
// waiting (with the first one's time, and how many are callbacks).
// Contacts due but held back by the frequency cap are counted apart, with
// the first time one of them may be called; a callback the person asked
// for is never held back. Two plans say the same: probing each due
// contact's number costs a campaign's size, listing the numbers at the
// cap costs the account's calls of the cap's window, so a small campaign
// probes and a large one lists (probeUpTo).
func remainingZones(held string) string {
	return `
select case when cardinality(k.timezones) = 0 then array[c.fallback_timezone] else k.timezones end as zones,
  count(*) filter (where d.due and (h.frees is null or d.callback)),
  count(*) filter (where k.due > $2),
  min(k.due) filter (where k.due > $2),
  count(*) filter (where k.due > $2 and k.due = k.callback_at),
  count(*) filter (where d.due and not d.callback and h.frees is not null),
  min(h.frees) filter (where d.due and not d.callback)
from (select k.*, least(k.next_attempt_at, k.callback_at) as due from contacts k) k
join campaigns c on c.id = k.campaign_id
cross join lateral (select k.due is null or k.due <= $2 as due, coalesce(k.callback_at <= $2, false) as callback) d
` + held + `
where k.campaign_id = $1 and k.suppressed_at is null
  and (k.last_call_id is null or k.due is not null)
group by 1
limit 200`
}

// probeUpTo is the largest campaign (contacts) whose held-back contacts
// are found by probing each one's number.
const probeUpTo = 5000

var (
	remainingByProbe = remainingZones(`left join lateral (select ` + FrequencyFreesSQL("k", "$2") + ` as frees
  where d.due and ` + FrequencyHeldSQL("k", "$2") + `) h on true`)
	remainingByCapped = remainingZones(`left join (` + cappedNumbersSQL("$2") + `) h on h.phone = k.phone`)
)

// waitFor reads who remains to be called and when each can be.
func waitFor(ctx context.Context, q db.DBTX, id uuid.UUID, now time.Time) (*Waiting, error) {
	return waitBy(ctx, q, id, now, nil)
}

// waitBy is waitFor with the plan for held-back contacts chosen (probe)
// or, nil, chosen by the campaign's size.
func waitBy(ctx context.Context, q db.DBTX, id uuid.UUID, now time.Time, probe *bool) (*Waiting, error) {
	var w Window
	var size int
	err := q.QueryRow(ctx, dialWindow, id).Scan(&w.Start, &w.End, &w.Days, &size)
	if errors.Is(err, pgx.ErrNoRows) {
		return &Waiting{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read calling window: %w", err)
	}
	remaining := remainingByProbe
	if probe != nil && !*probe || probe == nil && size > probeUpTo {
		remaining = remainingByCapped
	}
	rows, err := q.Query(ctx, remaining, id, now)
	if err != nil {
		return nil, fmt.Errorf("find remaining contacts: %w", err)
	}
	defer rows.Close()
	wt := &Waiting{}
	zc := ZoneCache{}
	var next time.Time
	earlier := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for rows.Next() {
		var zones []string
		var ready, later, callbacks, held int
		var from, frees *time.Time
		if err := rows.Scan(&zones, &ready, &later, &from, &callbacks, &held, &frees); err != nil {
			return nil, fmt.Errorf("find remaining contacts: %w", err)
		}
		switch {
		case ready == 0:
		case w.Open(now, zc.Locations(zones)):
			wt.DueNow += ready
			earlier(now)
		default:
			open := w.NextOpen(now, zones)
			wt.OutsideHours += ready
			wt.opening(open, zones)
			earlier(open)
		}
		if later > 0 {
			wt.Redials += later
			wt.Callbacks += callbacks
			if wt.RedialsFrom == nil || from.Before(*wt.RedialsFrom) {
				wt.RedialsFrom = from
			}
			earlier(w.NextOpen(*from, zones))
		}
		if held > 0 {
			wt.held(held, frees)
			if frees != nil {
				earlier(w.NextOpen(*frees, zones))
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find remaining contacts: %w", err)
	}
	if !next.IsZero() {
		next = next.UTC()
		wt.NextCallAt = &next
	}
	wt.Message = wt.say(now)
	return wt, nil
}

// held counts contacts held back by the frequency cap, keeping the
// earliest time one of them may be called.
func (wt *Waiting) held(n int, frees *time.Time) {
	wt.HeldBack += n
	if frees != nil && (wt.HeldUntil == nil || frees.Before(*wt.HeldUntil)) {
		at := frees.UTC()
		wt.HeldUntil = &at
	}
}

// opening keeps the earliest window opening among contacts outside hours.
func (wt *Waiting) opening(at time.Time, zones []string) {
	if at.IsZero() || wt.OpensAt != nil && !at.Before(*wt.OpensAt) {
		return
	}
	loc, err := time.LoadLocation(zones[0])
	if err != nil {
		return
	}
	at = at.UTC()
	wt.OpensAt, wt.OpensZone, wt.OpensLocal = &at, zones[0], at.In(loc).Format("15:04")
}

// say puts the wait in words, times in UTC and in the contacts' own zone.
func (wt *Waiting) say(now time.Time) string {
	var parts []string
	if wt.DueNow > 0 {
		parts = append(parts, fmt.Sprintf("%s can be called now: the next tick dials them", plural(wt.DueNow, "contact")))
	}
	if wt.Redials > 0 {
		what := plural(wt.Redials, "redial")
		switch {
		case wt.Callbacks == wt.Redials:
			what = plural(wt.Callbacks, "callback")
		case wt.Callbacks > 0:
			what = fmt.Sprintf("%s and %s", plural(wt.Redials-wt.Callbacks, "redial"), plural(wt.Callbacks, "callback"))
		}
		parts = append(parts, fmt.Sprintf("%s due from %s", what, clock(*wt.RedialsFrom, now, time.UTC)+" UTC"))
	}
	if wt.OutsideHours > 0 {
		loc, _ := time.LoadLocation(wt.OpensZone)
		when := "their next calling day"
		if wt.OpensAt != nil && loc != nil {
			when = clock(*wt.OpensAt, now, loc) + " in " + City(wt.OpensZone)
		}
		parts = append(parts, fmt.Sprintf("%s outside their calling hours until %s", plural(wt.OutsideHours, "contact"), when))
	}
	if wt.HeldBack > 0 {
		until := ""
		if wt.HeldUntil != nil {
			until = " until " + clock(*wt.HeldUntil, now, time.UTC) + " UTC"
		}
		parts = append(parts, fmt.Sprintf("%s held back by the frequency cap (too many recent calls to the number across campaigns)%s",
			plural(wt.HeldBack, "contact"), until))
	}
	if len(parts) == 0 {
		return "Every contact has an outcome: the next tick completes the campaign."
	}
	return "Nothing is dialing: " + strings.Join(parts, "; ") + "."
}

// clock is t's time of day in loc, rounded up to the minute (the tick
// cannot dial before t), with the day when it is not today's.
func clock(t, now time.Time, loc *time.Location) string {
	if r := t.Truncate(time.Minute); r.Before(t) {
		t = r.Add(time.Minute)
	}
	lt := t.In(loc)
	if lt.Format("2006-01-02") == now.In(loc).Format("2006-01-02") {
		return lt.Format("15:04")
	}
	return lt.Format("Mon 2 Jan 15:04")
}

// City names a zone as people do: "America/New_York" → "New York".
func City(zone string) string {
	i := strings.LastIndexByte(zone, '/')
	return strings.ReplaceAll(zone[i+1:], "_", " ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
