package campaign

import (
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/campaign/status"
)

// Status is a campaign's state (docs/api.md, "Campaign states"); its
// sets (Final, Active) are written in lib/campaign/status.
type Status = status.Status

// Campaign statuses.
const (
	Created   = status.Created
	Scheduled = status.Scheduled
	Queued    = status.Queued
	Dialing   = status.Dialing
	Running   = status.Running
	Paused    = status.Paused
	Stopped   = status.Stopped
	Completed = status.Completed
	Failed    = status.Failed
)

// SQL lists of the campaign status sets, for `status in ` + ActiveSQL.
var (
	ActiveSQL = status.ActiveSQL
	FinalSQL  = status.FinalSQL
)

// Mode is how the cap is applied.
type Mode string

// Concurrency modes.
const (
	Continuous Mode = "continuous"
	Batch      Mode = "batch"
)

// Campaign is one row of the campaigns list.
type Campaign struct {
	ID              uuid.UUID  `json:"id"`
	Name            string     `json:"name"`
	Status          Status     `json:"status"`
	StatusReason    *string    `json:"statusReason"`
	Mode            Mode       `json:"mode"`
	Cap             int        `json:"cap"`
	TotalContacts   int        `json:"totalContacts"`
	CompletedCalls  int        `json:"completedCalls"`
	ActiveCalls     int        `json:"activeCalls"`
	SuccessfulCalls int        `json:"successfulCalls"`
	TotalCost       float64    `json:"totalCost"`
	CreatedAt       time.Time  `json:"createdAt"`
	StartedAt       *time.Time `json:"startedAt"`
	CompletedAt     *time.Time `json:"completedAt"`
	// ScheduledAt is when a scheduled launch is (or was) due.
	ScheduledAt *time.Time `json:"scheduledAt"`
	// Waiting is set for a live campaign with no call in flight.
	Waiting *Waiting `json:"waiting,omitempty"`
}
