package campaign

import (
	"time"

	"github.com/google/uuid"
)

// Status is a campaign's state (see PRODUCT.md "State machines").
type Status string

// Campaign statuses.
const (
	Created   Status = "CREATED"
	Queued    Status = "QUEUED"
	Dialing   Status = "DIALING"
	Running   Status = "RUNNING"
	Paused    Status = "PAUSED"
	Stopped   Status = "STOPPED"
	Completed Status = "COMPLETED"
	Failed    Status = "FAILED"
)

// Final reports whether nothing more can happen to a campaign in s.
func (s Status) Final() bool { return s == Stopped || s == Completed || s == Failed }

// dials reports a status in which the tick dials the campaign's contacts.
func (s Status) dials() bool { return s == Queued || s == Dialing || s == Running }

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
	// Waiting is set for a live campaign with no call in flight.
	Waiting *Waiting `json:"waiting,omitempty"`
}
