package vapisim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"time"
)

// The objects the simulator sends, named field by field after Vapi's
// OpenAPI schemas (Call, Artifact, Recording, Mono, Analysis,
// ServerMessageStatusUpdate, ServerMessageEndOfCallReport) rather than
// after the structs AutoLynx reads, so that a field AutoLynx fails to
// read shows up in its tests. TestMessagesValidateAgainstOpenAPI checks
// every message and call object against those schemas.

// apiCall is Vapi's Call. Customer and AssistantOverrides are echoed as
// they were sent.
type apiCall struct {
	ID                 string           `json:"id"`
	OrgID              string           `json:"orgId"`
	Type               string           `json:"type"`
	Status             string           `json:"status"`
	EndedReason        string           `json:"endedReason,omitempty"`
	EndedMessage       string           `json:"endedMessage,omitempty"`
	CreatedAt          time.Time        `json:"createdAt"`
	UpdatedAt          time.Time        `json:"updatedAt"`
	StartedAt          time.Time        `json:"startedAt,omitzero"`
	EndedAt            time.Time        `json:"endedAt,omitzero"`
	Cost               *float64         `json:"cost,omitempty"`
	Costs              []map[string]any `json:"costs,omitempty"`
	CostBreakdown      map[string]any   `json:"costBreakdown,omitempty"`
	PhoneNumberID      string           `json:"phoneNumberId,omitempty"`
	AssistantID        string           `json:"assistantId,omitempty"`
	Customer           map[string]any   `json:"customer,omitempty"`
	AssistantOverrides map[string]any   `json:"assistantOverrides,omitempty"`
	Artifact           *apiArtifact     `json:"artifact,omitempty"`
	Analysis           *apiAnalysis     `json:"analysis,omitempty"`
}

// createdCall is the POST /call answer: the Call plus subscriptionLimits
// (SubscriptionLimits, documented for the 201 but not a Call property).
type createdCall struct {
	apiCall
	SubscriptionLimits map[string]any `json:"subscriptionLimits"`
}

// apiArtifact is Vapi's Artifact. The deprecated recordingUrl and
// stereoRecordingUrl are never sent: real Vapi is phasing them out, and a
// reader must use recording.
type apiArtifact struct {
	Messages                []message        `json:"messages,omitempty"`
	MessagesOpenAIFormatted []map[string]any `json:"messagesOpenAIFormatted,omitempty"`
	Transcript              string           `json:"transcript,omitempty"`
	Recording               *apiRecording    `json:"recording,omitempty"`
	PresignedMonoURL        string           `json:"presignedMonoUrl,omitempty"`
	PresignedStereoURL      string           `json:"presignedStereoUrl,omitempty"`
	PresignedAssistantURL   string           `json:"presignedAssistantUrl,omitempty"`
	PresignedCustomerURL    string           `json:"presignedCustomerUrl,omitempty"`
	PresignedURLsExpiresAt  time.Time        `json:"presignedUrlsExpiresAt,omitzero"`
	StructuredOutputs       map[string]any   `json:"structuredOutputs,omitempty"`
}

// apiRecording is Vapi's Recording (with Mono).
type apiRecording struct {
	StereoURL string   `json:"stereoUrl,omitempty"`
	Mono      *apiMono `json:"mono,omitempty"`
}

type apiMono struct {
	CombinedURL  string `json:"combinedUrl,omitempty"`
	AssistantURL string `json:"assistantUrl,omitempty"`
	CustomerURL  string `json:"customerUrl,omitempty"`
}

// apiAnalysis is Vapi's Analysis (structuredData is deprecated with the
// analysisPlan, and still sent: assistants configured the old way get it).
type apiAnalysis struct {
	Summary           string         `json:"summary,omitempty"`
	StructuredData    map[string]any `json:"structuredData,omitempty"`
	SuccessEvaluation string         `json:"successEvaluation,omitempty"`
}

// Server message types the simulator sends.
const (
	typeStatusUpdate       = "status-update"
	typeReport             = "end-of-call-report"
	typeConversationUpdate = "conversation-update"
)

// serverMessage is the envelope (ServerMessage).
type serverMessage struct {
	Message any `json:"message"`
}

// statusUpdate is ServerMessageStatusUpdate.
type statusUpdate struct {
	Type        string         `json:"type"`
	Status      string         `json:"status"`
	EndedReason string         `json:"endedReason,omitempty"`
	Timestamp   float64        `json:"timestamp"`
	Call        apiCall        `json:"call"`
	Customer    map[string]any `json:"customer,omitempty"`
}

// endOfCallReport is ServerMessageEndOfCallReport. durationSeconds is not
// in the schema, but real reports carry it (an assumption the schema
// check allows explicitly).
type endOfCallReport struct {
	Type            string           `json:"type"`
	EndedReason     string           `json:"endedReason"`
	Timestamp       float64          `json:"timestamp"`
	Cost            float64          `json:"cost"`
	Costs           []map[string]any `json:"costs"`
	StartedAt       time.Time        `json:"startedAt,omitzero"`
	EndedAt         time.Time        `json:"endedAt,omitzero"`
	DurationSeconds float64          `json:"durationSeconds"`
	Artifact        apiArtifact      `json:"artifact"`
	Analysis        apiAnalysis      `json:"analysis"`
	Call            apiCall          `json:"call"`
	Customer        map[string]any   `json:"customer,omitempty"`
}

// conversationUpdate is ServerMessageConversationUpdate: sent only to a
// server that subscribes to it, as an assistant does by default (calls
// placed by AutoLynx ask for status updates and reports only).
type conversationUpdate struct {
	Type                    string          `json:"type"`
	Timestamp               float64         `json:"timestamp"`
	MessagesOpenAIFormatted []openAIMessage `json:"messagesOpenAIFormatted"`
	Call                    apiCall         `json:"call"`
}

// openAIMessage is OpenAIMessage.
type openAIMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// outbound is one server message on its way, with its type for the
// delivery faults.
type outbound struct {
	typ  string
	body any
}

// presignedTTL is how long the simulator's presigned storage URLs work.
// Assumption: Vapi documents that they expire (presignedUrlsExpiresAt),
// not after how long; an hour is the simulator's choice.
const presignedTTL = time.Hour

// storageURL is an unsigned artifact URL of the simulator's private
// storage (it answers 403 without a signature, like Vapi's bucket).
func storageURL(base, callID, file string) string {
	return base + "/storage/" + url.PathEscape(callID) + "/" + file
}

// presignedStorageURL signs a storage URL until expires: sig is the hex
// HMAC-SHA256, keyed with the simulator's API key, of
// "<callID>/<file>|<expires unix>". The storage handler checks the same
// rule.
func presignedStorageURL(base, callID, file string, expires time.Time, key []byte) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s/%s|%d", callID, file, expires.Unix())
	return fmt.Sprintf("%s?expires=%d&sig=%s", storageURL(base, callID, file), expires.Unix(), hex.EncodeToString(m.Sum(nil)))
}
