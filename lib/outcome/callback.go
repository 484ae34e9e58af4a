package outcome

import (
	"time"
)

// Window is a calling window in the contact's local time ("HH:MM",
// ISO weekdays), already inside the account's legal bound.
type Window interface {
	NextOpen(from time.Time, zones []string) time.Time
}

// MaxCallbackAhead bounds how far ahead a callback is scheduled: a
// campaign waits for its callbacks before it completes, and a date months
// away is more likely a misheard one than a plan.
const MaxCallbackAhead = 30 * 24 * time.Hour

// MaxCallbacks bounds the callbacks one contact gets: a person who asks
// again on every callback call would otherwise keep the campaign open,
// and the number dialed, with calls that count against no limit.
const MaxCallbacks = 2

// CallbackAt is when a callback the values of a call that started at
// started ask for is placed: the time asked, never before now, moved to
// the first minute the calling window is open in every zone of the
// contact at or after it (a person who asked for 20:00 is called when the
// window next opens, not earlier than they asked). ok is false when the
// values ask for none, for a time at or before the call started (the
// time agreed, restated on the callback call itself, is no new request),
// for one more than MaxCallbackAhead away, or the window never opens in
// the fortnight searched.
func (p Plan) CallbackAt(vals Values, started, now time.Time, w Window, zones []string) (time.Time, bool) {
	f, ok := p.CallbackField()
	if !ok {
		return time.Time{}, false
	}
	s, _ := vals[f.Name].(string)
	asked, ok := ParseTime(s, time.UTC)
	if !ok || !asked.After(started) || asked.After(now.Add(MaxCallbackAhead)) {
		return time.Time{}, false
	}
	if asked.Before(now) {
		asked = now
	}
	at := w.NextOpen(asked, zones)
	return at, !at.IsZero()
}
