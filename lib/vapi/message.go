package vapi

import (
	"encoding/json"
	"time"
)

// Server message types AutoLynx reads.
const (
	MessageStatusUpdate    = "status-update"
	MessageEndOfCallReport = "end-of-call-report"
)

// ServerMessages is the serverMessages every call AutoLynx places asks
// for: the two types it reads, and no others.
func ServerMessages() []string { return []string{MessageStatusUpdate, MessageEndOfCallReport} }

// ServerMessage is the envelope Vapi POSTs to a server URL.
type ServerMessage struct {
	Message Message `json:"message"`
}

// Message is one server message: the fields of status-update and
// end-of-call-report that AutoLynx reads. Other types decode into Type,
// Timestamp and Call only. The webhook receiver reads it (through a
// lighter view of the same members, which skips the call's
// configuration), and the simulator's messages are checked against it,
// so the two cannot disagree about the schema.
type Message struct {
	Type string `json:"type"`
	// Timestamp is in epoch milliseconds.
	Timestamp float64   `json:"timestamp,omitempty"`
	Call      *Call     `json:"call,omitempty"`
	Customer  *Customer `json:"customer,omitempty"`
	News
	// Dropped names the members that were dropped while decoding for
	// their type (see DecodeLenient), sorted; not part of the wire format.
	Dropped []string `json:"-"`
}

// News is what a status-update or end-of-call-report says happened to
// its call, embedded in Message (and in the webhook receiver's view of
// one). Absent numbers and times stay nil: no cost is not a cost of 0.
// It has no UnmarshalJSON of its own: one would be promoted to the types
// embedding it and decode them whole.
type News struct {
	// Status is set on status-update.
	Status string `json:"status,omitempty"`
	// EndedReason is set on status-update "ended" and end-of-call-report.
	EndedReason string `json:"endedReason,omitempty"`
	// The rest is end-of-call-report only.
	Cost            *float64        `json:"cost,omitempty"`
	Costs           json.RawMessage `json:"costs,omitempty"`
	StartedAt       *time.Time      `json:"startedAt,omitempty"`
	EndedAt         *time.Time      `json:"endedAt,omitempty"`
	DurationSeconds *float64        `json:"durationSeconds,omitempty"`
	Artifact        *Artifact       `json:"artifact,omitempty"`
	Analysis        *Analysis       `json:"analysis,omitempty"`
	// RecordingURL is the report's deprecated top-level recording, used
	// when the artifact has none.
	RecordingURL string `json:"recordingUrl,omitempty"`
}

// Time converts Timestamp to a time.
func (m Message) Time() time.Time {
	return time.UnixMilli(int64(m.Timestamp))
}
