package vapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
)

// MaxCustomerName is CreateCustomerDTO.name's maxLength. Vapi validates it in
// JavaScript, so it counts UTF-16 code units.
const MaxCustomerName = 40

// CreateCallRequest is the subset of Vapi's CreateCallDTO AutoLynx sends: one
// outbound call from a saved assistant and phone number to one customer.
type CreateCallRequest struct {
	AssistantID        string              `json:"assistantId,omitempty"`
	PhoneNumberID      string              `json:"phoneNumberId,omitempty"`
	Customer           Customer            `json:"customer"`
	AssistantOverrides *AssistantOverrides `json:"assistantOverrides,omitempty"`
}

// Customer is the person called (CreateCustomerDTO). Number is E.164.
type Customer struct {
	Number string `json:"number,omitempty"`
	Name   string `json:"name,omitempty"`
}

// AssistantOverrides personalises a saved assistant for one call.
// VariableValues fill {{var}} templates; Metadata (our own call id) comes
// back on every webhook and in ListCalls, which is how ambiguous creations
// are reconciled.
type AssistantOverrides struct {
	VariableValues map[string]any `json:"variableValues,omitempty"`
	Metadata       map[string]any `json:"metadata,omitempty"`
	Server         *Server        `json:"server,omitempty"`
	// ServerMessages: nil leaves the assistant's; an empty list asks for
	// no server message at all (a test call).
	ServerMessages []string `json:"serverMessages,omitzero"`
	// VoicemailDetection turns Vapi's voicemail detection on for the call
	// (off by default at Vapi); VoicemailMessage is what the assistant
	// says to a voicemail it detected; without one Vapi hangs up.
	VoicemailDetection *VoicemailDetection `json:"voicemailDetection,omitempty"`
	VoicemailMessage   string              `json:"voicemailMessage,omitempty"`
	// ArtifactPlan asks for the campaign's outcome fields.
	ArtifactPlan *ArtifactPlan `json:"artifactPlan,omitempty"`
}

// ArtifactPlan is the part of Vapi's ArtifactPlan AutoLynx sets: transient
// structured outputs, extracted after the call into
// call.artifact.structuredOutputs (the successor of the deprecated
// analysisPlan.structuredDataPlan).
type ArtifactPlan struct {
	StructuredOutputs []StructuredOutput `json:"structuredOutputs,omitempty"`
}

// StructuredOutput is CreateStructuredOutputDTO (name and schema are
// required; name at most 40 characters).
type StructuredOutput struct {
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Schema      JSONSchema `json:"schema"`
	// Conditions gate the extraction: all must pass for it to run.
	Conditions []OutputCondition `json:"conditions,omitempty"`
}

// OutputCondition is Vapi's EndedReasonCondition: the output runs only
// when the call's ended reason is (oneOf) or is not (notOneOf) one of
// Values.
type OutputCondition struct {
	Type     string   `json:"type"` // "endedReason"
	Operator string   `json:"operator"`
	Values   []string `json:"values"`
}

// JSONSchema is the subset of Vapi's JsonSchema AutoLynx writes.
type JSONSchema struct {
	Type        string                `json:"type"`
	Description string                `json:"description,omitempty"`
	Enum        []string              `json:"enum,omitempty"`
	Pattern     string                `json:"pattern,omitempty"`
	Properties  map[string]JSONSchema `json:"properties,omitempty"`
}

// MaxVoicemailMessage is AssistantOverrides.voicemailMessage's maxLength
// (UTF-16 code units).
const MaxVoicemailMessage = 1000

// VoicemailDetection is Vapi's VapiVoicemailDetectionPlan: Vapi's own
// detector, on the call's audio.
type VoicemailDetection struct {
	Provider string `json:"provider"`
	Type     string `json:"type,omitempty"`
}

// VapiVoicemailDetection is the plan every AutoLynx call names: provider
// "vapi" works on every number Vapi dials (the Twilio plan only on Twilio
// numbers), and "audio" detection hears the greeting and its beep rather
// than waiting for a transcript of it.
func VapiVoicemailDetection() *VoicemailDetection {
	return &VoicemailDetection{Provider: "vapi", Type: "audio"}
}

// Server is where Vapi posts server messages (webhooks) for a call or an
// assistant. Headers carry the shared secret (X-Vapi-Secret).
type Server struct {
	URL     string            `json:"url,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	// CredentialID names a Vapi credential that authenticates the
	// messages instead of Headers (its secret is never echoed).
	CredentialID   string       `json:"credentialId,omitempty"`
	TimeoutSeconds float64      `json:"timeoutSeconds,omitempty"`
	BackoffPlan    *BackoffPlan `json:"backoffPlan,omitempty"`
}

// BackoffPlan is how Vapi retries a server message the server did not
// take (any non-2xx answer or a timeout, except ExcludedStatusCodes).
// Without one Vapi does not retry at all.
type BackoffPlan struct {
	Type                string  `json:"type"` // fixed or exponential
	MaxRetries          int     `json:"maxRetries"`
	BaseDelaySeconds    float64 `json:"baseDelaySeconds"`
	ExcludedStatusCodes []int   `json:"excludedStatusCodes,omitempty"`
}

// WebhookBackoff is the plan every call and assistant AutoLynx configures
// names: five retries 2, 4, 8, 16 and 32 s apart (about a minute in all),
// none for a 400 (a message we cannot read) or a 401 (a wrong secret),
// which a retry cannot fix. The receiver is idempotent, so a retry of a
// message that did land is harmless.
func WebhookBackoff() *BackoffPlan {
	return &BackoffPlan{Type: "exponential", MaxRetries: 5, BaseDelaySeconds: 2, ExcludedStatusCodes: []int{400, 401}}
}

// Call is the part of Vapi's Call object AutoLynx reads. Costs and
// Artifact.Messages stay raw JSON: they are stored, not interpreted.
type Call struct {
	ID                 string              `json:"id"`
	OrgID              string              `json:"orgId,omitempty"`
	Type               string              `json:"type,omitempty"`
	Status             string              `json:"status,omitempty"`
	EndedReason        string              `json:"endedReason,omitempty"`
	Cost               *float64            `json:"cost,omitempty"`
	Costs              json.RawMessage     `json:"costs,omitempty"`
	CreatedAt          time.Time           `json:"createdAt,omitzero"`
	UpdatedAt          time.Time           `json:"updatedAt,omitzero"`
	StartedAt          time.Time           `json:"startedAt,omitzero"`
	EndedAt            time.Time           `json:"endedAt,omitzero"`
	PhoneNumberID      string              `json:"phoneNumberId,omitempty"`
	AssistantID        string              `json:"assistantId,omitempty"`
	Customer           *Customer           `json:"customer,omitempty"`
	AssistantOverrides *AssistantOverrides `json:"assistantOverrides,omitempty"`
	Artifact           *Artifact           `json:"artifact,omitempty"`
	Analysis           *Analysis           `json:"analysis,omitempty"`
	SubscriptionLimits *SubscriptionLimits `json:"subscriptionLimits,omitempty"`
	// Dropped names the members dropped while decoding for their type
	// (see DecodeLenient), sorted; not part of the wire format.
	Dropped []string `json:"-"`
}

// Artifact is what a call leaves behind: the conversation, recordings and
// structured outputs. RecordingURL and StereoRecordingURL are deprecated
// in favour of Recording.
type Artifact struct {
	Transcript         string          `json:"transcript,omitempty"`
	Messages           json.RawMessage `json:"messages,omitempty"`
	RecordingURL       string          `json:"recordingUrl,omitempty"`
	StereoRecordingURL string          `json:"stereoRecordingUrl,omitempty"`
	Recording          *Recording      `json:"recording,omitempty"`
	// StructuredOutputs maps an output's id to {name, result}: the
	// successor of analysis.structuredData.
	StructuredOutputs json.RawMessage `json:"structuredOutputs,omitempty"`
}

// Recording is artifact.recording.
type Recording struct {
	StereoURL string `json:"stereoUrl,omitempty"`
	Mono      *struct {
		CombinedURL string `json:"combinedUrl,omitempty"`
	} `json:"mono,omitempty"`
}

// MonoURL is the call's combined mono recording: the current field, else
// the deprecated one.
func (a *Artifact) MonoURL() string {
	if a == nil {
		return ""
	}
	if a.Recording != nil && a.Recording.Mono != nil && a.Recording.Mono.CombinedURL != "" {
		return a.Recording.Mono.CombinedURL
	}
	return a.RecordingURL
}

// Analysis is Vapi's post-call analysis.
type Analysis struct {
	Summary           string          `json:"summary,omitempty"`
	StructuredData    json.RawMessage `json:"structuredData,omitempty"`
	SuccessEvaluation Evaluation      `json:"successEvaluation,omitempty"`
}

// Evaluation is analysis.successEvaluation. The schema says string ("true",
// a score), but rubrics can yield booleans, numbers or objects, so any
// other value is kept as its compact JSON text.
type Evaluation string

// UnmarshalJSON accepts any JSON value.
func (e *Evaluation) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*e = Evaluation(s)
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return fmt.Errorf("decode successEvaluation: %w", err)
	}
	if buf.String() == "null" {
		*e = ""
		return nil
	}
	*e = Evaluation(buf.String())
	return nil
}

// SubscriptionLimits comes back on POST /call and tells whether the account's
// concurrency slots were full.
type SubscriptionLimits struct {
	ConcurrencyBlocked       bool `json:"concurrencyBlocked"`
	ConcurrencyLimit         int  `json:"concurrencyLimit"`
	RemainingConcurrentCalls int  `json:"remainingConcurrentCalls"`
}

// CreateCall asks Vapi to place one call. It retries only when nothing can
// have been created (429, connection refused); any failure after the request
// may have reached Vapi is an *AmbiguousError and is not retried. When the
// account's concurrency slots are full it returns the Call together with
// ErrConcurrencyBlocked. The customer's name is cut to MaxCustomerName.
func (c *Client) CreateCall(ctx context.Context, in CreateCallRequest) (*Call, error) {
	in.Customer.Name = TruncateName(in.Customer.Name)
	var call Call
	err := c.do(ctx, request{method: http.MethodPost, path: "/call", body: in, write: true, timeout: c.createTimeout}, &call)
	if err != nil {
		return nil, fmt.Errorf("create call: %w", err)
	}
	if call.SubscriptionLimits != nil && call.SubscriptionLimits.ConcurrencyBlocked {
		return &call, fmt.Errorf("create call: %w", ErrConcurrencyBlocked)
	}
	return &call, nil
}

// GetCall reads one call.
func (c *Client) GetCall(ctx context.Context, id string) (*Call, error) {
	var call Call
	if err := c.do(ctx, request{method: http.MethodGet, path: "/call/" + url.PathEscape(id)}, &call); err != nil {
		return nil, fmt.Errorf("get call: %w", err)
	}
	return &call, nil
}

// ListCallsParams filters ListCalls; zero fields are not sent. Vapi has no
// cursor: page by moving the CreatedAt window. Times are sent with
// millisecond precision, which is what Vapi stores.
type ListCallsParams struct {
	AssistantID   string
	PhoneNumberID string
	CreatedAtGt   time.Time
	CreatedAtLt   time.Time
	// Limit is at most 1000; Vapi defaults to 100.
	Limit int
}

// isoMillis is the ISO-8601 form JavaScript's Date parses reliably.
const isoMillis = "2006-01-02T15:04:05.000Z"

func (p ListCallsParams) query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("assistantId", p.AssistantID)
	set("phoneNumberId", p.PhoneNumberID)
	if !p.CreatedAtGt.IsZero() {
		q.Set("createdAtGt", p.CreatedAtGt.UTC().Format(isoMillis))
	}
	if !p.CreatedAtLt.IsZero() {
		q.Set("createdAtLt", p.CreatedAtLt.UTC().Format(isoMillis))
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	return q
}

// ListCalls lists calls matching p (GET /call answers a plain array). An
// element that is not a call we can read (no string id…) is skipped
// rather than failing the page: the list also holds calls other tools
// placed on the same line.
func (c *Client) ListCalls(ctx context.Context, p ListCallsParams) ([]Call, error) {
	calls, _, err := c.listPage(ctx, p)
	return calls, err
}

// listPage is one GET /call: the calls it could read, and how many the
// answer held (a full page is one of Limit, readable or not).
func (c *Client) listPage(ctx context.Context, p ListCallsParams) ([]Call, int, error) {
	var raw []json.RawMessage
	if err := c.do(ctx, request{method: http.MethodGet, path: "/call", query: p.query()}, &raw); err != nil {
		return nil, 0, fmt.Errorf("list calls: %w", err)
	}
	calls := make([]Call, 0, len(raw))
	for _, r := range raw {
		var call Call
		if json.Unmarshal(r, &call) == nil && call.ID != "" {
			calls = append(calls, call)
		}
	}
	return calls, len(raw), nil
}

// MaxListLimit is the most calls one GET /call answers.
const MaxListLimit = 1000

// ListWindow lists every call p selects, paging back from p.CreatedAtLt
// in at most maxPages lists of p.Limit (MaxListLimit if unset). A page is
// cut at the earliest createdAt it holds, whatever order Vapi lists in
// (the order is not documented), and that millisecond is read again, as
// it may hold more calls. A window holding more than the pages can read
// is an error: nobody may conclude a call is absent from a list not read
// whole.
func (c *Client) ListWindow(ctx context.Context, p ListCallsParams, maxPages int) ([]Call, error) {
	if p.Limit <= 0 {
		p.Limit = MaxListLimit
	}
	seen := map[string]bool{}
	var out []Call
	for range maxPages {
		page, held, err := c.listPage(ctx, p)
		if err != nil {
			return nil, err
		}
		var earliest time.Time
		for _, call := range page {
			if !seen[call.ID] {
				seen[call.ID] = true
				out = append(out, call)
			}
			if earliest.IsZero() || call.CreatedAt.Before(earliest) {
				earliest = call.CreatedAt
			}
		}
		if held < p.Limit {
			return out, nil
		}
		next := earliest.Add(time.Millisecond)
		if earliest.IsZero() || !p.CreatedAtLt.IsZero() && !next.Before(p.CreatedAtLt) {
			return nil, fmt.Errorf("list calls: a full page of %d calls within one millisecond", p.Limit)
		}
		p.CreatedAtLt = next
	}
	return nil, fmt.Errorf("list calls: more than %d pages of %d calls in the window", maxPages, p.Limit)
}

// TruncateName cuts a customer name to MaxCustomerName UTF-16 code units
// without splitting a character, and trims the whitespace left at the end.
func TruncateName(name string) string { return Truncate(name, MaxCustomerName) }

// Truncate cuts s to max UTF-16 code units (Vapi validates lengths in
// JavaScript) without splitting a character, and trims the whitespace
// left at the end.
func Truncate(s string, max int) string {
	units := 0
	for i, r := range s {
		n := utf16.RuneLen(r)
		if n < 0 {
			n = 1
		}
		if units+n > max {
			return strings.TrimRightFunc(s[:i], unicode.IsSpace)
		}
		units += n
	}
	return s
}
