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
// Timestamp and Call only. The webhook receiver decodes into it, and the
// simulator's messages are checked against it, so the two cannot
// disagree about the schema. Absent numbers and times stay nil: no cost
// is not a cost of 0.
type Message struct {
	Type string `json:"type"`
	// Timestamp is in epoch milliseconds.
	Timestamp float64   `json:"timestamp,omitempty"`
	Call      *Call     `json:"call,omitempty"`
	Customer  *Customer `json:"customer,omitempty"`
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
	// Dropped names the members that were dropped while decoding for
	// their type (see DecodeLenient), sorted; not part of the wire format.
	Dropped []string `json:"-"`
}

// Time converts Timestamp to a time.
func (m Message) Time() time.Time {
	return time.UnixMilli(int64(m.Timestamp))
}
