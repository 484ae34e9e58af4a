package campaign

import "github.com/autolynx/autolynx/lib/settings"

// The frequency cap across campaigns: at most N attempts to one number in
// D days (settings: frequencyCapAttempts, frequencyCapDays; 0 attempts is
// no cap). An attempt is a call row the tick claimed for the number in any
// campaign, except those Vapi refused for the account (they do not count
// against maxAttempts either). A test call is not a campaign's call and
// does not count.

// numberAttemptsSince lists the dial times of the attempts to contact
// alias k's number since the instant expression since.
func numberAttemptsSince(k, since string) string {
	return `select coalesce(l.dial_requested_at, l.created_at) as at
	  from contacts o join calls l on l.contact_id = o.id
	  where o.phone = ` + k + `.phone and not l.refused
	    and coalesce(l.dial_requested_at, l.created_at) > ` + since
}

// capWindowStart is the start of the cap's window ending at now.
func capWindowStart(now string) string {
	return `(` + now + `::timestamptz - make_interval(days => ` + settings.FrequencyCapDaysSQL + `))`
}

// FrequencyHeldSQL is a SQL condition, true when contact alias k's number
// has had as many attempts as the frequency cap allows in the window
// ending at now (a SQL expression of a timestamptz). The tick's claim
// excludes such contacts: they stay due and are claimed once the oldest
// attempt leaves the window. Claims are serialized by the account lock
// (db.AccountLock), and each claim's statement sees every attempt the
// claims before it committed, so two campaigns calling one number cannot
// both take its last attempt.
func FrequencyHeldSQL(k, now string) string {
	return `(` + settings.FrequencyCapAttemptsSQL + ` > 0 and (select count(*) from (` +
		numberAttemptsSince(k, capWindowStart(now)) + `) a) >= ` + settings.FrequencyCapAttemptsSQL + `)`
}

// cappedNumbersSQL lists the numbers at the cap at now, each with when it
// may be called again (phone, frees): from the side of the attempts in
// the window (calls_dialed_at_idx), so reading a large campaign's held
// contacts costs the account's recent calls, not a probe per contact.
// It says what FrequencyHeldSQL and FrequencyFreesSQL say per number.
func cappedNumbersSQL(now string) string {
	return `select o.phone,
	    (array_agg(a.at order by a.at desc))[` + settings.FrequencyCapAttemptsSQL + `]
	      + make_interval(days => ` + settings.FrequencyCapDaysSQL + `) as frees
	  from (select l.contact_id, coalesce(l.dial_requested_at, l.created_at) as at from calls l
	        where not l.refused and coalesce(l.dial_requested_at, l.created_at) > ` + capWindowStart(now) + `) a
	  join contacts o on o.id = a.contact_id
	  where ` + settings.FrequencyCapAttemptsSQL + ` > 0
	  group by o.phone having count(*) >= ` + settings.FrequencyCapAttemptsSQL
}

// FrequencyFreesSQL is when contact alias k's number may be called again
// under the cap: when the cap-th newest attempt in the window leaves it.
func FrequencyFreesSQL(k, now string) string {
	return `((select a.at from (` + numberAttemptsSince(k, capWindowStart(now)) + `) a
	  order by a.at desc offset ` + settings.FrequencyCapAttemptsSQL + ` - 1 limit 1)
	  + make_interval(days => ` + settings.FrequencyCapDaysSQL + `))`
}
