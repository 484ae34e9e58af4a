// Package status names a campaign's states and their sets once, for
// lib/campaign, which owns the transitions, and for the packages below it
// (ops, assistant) that must tell a finished campaign from an active one
// without importing it. lib/campaign re-exports every name.
package status

import (
	"slices"

	"github.com/autolynx/autolynx/lib/db"
)

// Status is a campaign's state (docs/api.md, "Campaign states").
type Status string

// Campaign statuses.
const (
	Created Status = "CREATED"
	// Scheduled waits for its start time; the tick makes it Queued then.
	Scheduled Status = "SCHEDULED"
	Queued    Status = "QUEUED"
	Dialing   Status = "DIALING"
	Running   Status = "RUNNING"
	Paused    Status = "PAUSED"
	Stopped   Status = "STOPPED"
	Completed Status = "COMPLETED"
	Failed    Status = "FAILED"
)

// The two sets, each written here only.
var (
	// active are the statuses in which the tick dials a campaign's
	// contacts.
	active = []Status{Queued, Dialing, Running}
	// final are the statuses nothing more can happen in.
	final = []Status{Stopped, Completed, Failed}
)

// SQL lists of the sets, for `status in ` + ActiveSQL. A query's text
// says what the partial index's predicate says (campaigns_active_idx is
// `status in ` + ActiveSQL), so keep building queries from these.
var (
	// ActiveSQL is ('QUEUED', 'DIALING', 'RUNNING').
	ActiveSQL = db.InList(active...)
	// FinalSQL is ('STOPPED', 'COMPLETED', 'FAILED').
	FinalSQL = db.InList(final...)
)

// Final reports whether nothing more can happen to a campaign in s.
func (s Status) Final() bool { return slices.Contains(final, s) }

// Active reports a status in which the tick dials the campaign's
// contacts.
func (s Status) Active() bool { return slices.Contains(active, s) }
