package vapisim

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// orgID is the organisation every simulated resource belongs to.
const orgID = "00000000-0000-4000-8000-00000000a11e"

// call is one simulated call: the Vapi object plus what its lifecycle needs.
type call struct {
	v            apiCall
	number       string // the customer's
	plan         plan
	hook         hook
	firstMessage string
	vars         map[string]any
	// dial counts the calls placed to number before this one.
	dial uint64
}

// snapshot is a copy of a call safe to encode outside the lock: its pointer
// and map fields are never mutated after they are set.
func (c *call) snapshot() apiCall { return c.v }

// hook is where a call's server messages go, and how failed deliveries
// are retried.
type hook struct {
	url     string
	headers map[string]string
	timeout time.Duration
	backoff backoffPlan
	// messages are the server message types the call's server gets.
	messages []string
}

// defaultServerMessages is what a server gets when neither the call nor
// its assistant names serverMessages: the default the OpenAPI document
// gives for AssistantOverrides.serverMessages.
var defaultServerMessages = []string{"conversation-update", "end-of-call-report", "function-call", "hang",
	"speech-update", "status-update", "tool-calls", "transfer-destination-request", "handoff-destination-request",
	"user-interrupted", "assistant.started"}

// subscribes reports whether the call's server asked for messages of typ.
func (c *call) subscribes(typ string) bool { return slices.Contains(c.hook.messages, typ) }

// callInput is the part of a validated POST /call body the simulator
// uses; customer and assistantOverrides are kept as sent, to be echoed.
type callInput struct {
	AssistantID        string         `json:"assistantId"`
	PhoneNumberID      string         `json:"phoneNumberId"`
	Customer           map[string]any `json:"customer"`
	AssistantOverrides map[string]any `json:"assistantOverrides"`
}

// number is the customer's number ("" if none).
func (in callInput) number() string {
	n, _ := in.Customer["number"].(string)
	return n
}

var (
	errClosed      = errors.New("simulator closed")
	errNoAssistant = errors.New("assistant does not exist")
	errNoCredits   = errors.New("out of credits")
)

// noCreditsMessage words the 400 of an account without credits. Vapi's
// wording is undocumented; this one is an assumption that names the
// credits and the billing page, as its dashboard does.
const noCreditsMessage = "Your account has insufficient credits to make this call. Please add credits in the billing page of your dashboard."

func (s *Sim) createCall(w http.ResponseWriter, r *http.Request) {
	if d := s.cfg.CreateLatency; d > 0 && !s.pause(r.Context(), d) {
		return
	}
	s.mu.Lock()
	fault, retry := s.drawCreateFault(), s.faults.RetryAfter
	s.mu.Unlock()
	switch fault {
	case faultRateLimited:
		s.count(func(st *Stats) { st.RateLimited++ })
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(retry.Seconds())))))
		writeError(w, http.StatusTooManyRequests, "Too Many Requests")
		return
	case faultServerError:
		s.count(func(st *Stats) { st.ServerErrors++ })
		writeError(w, http.StatusInternalServerError, "Internal server error")
		return
	}
	in, ok := readCallInput(w, r)
	if !ok {
		return
	}
	created, err := s.place(in, fault.ambiguous())
	switch {
	case errors.Is(err, errNoCredits):
		writeError(w, http.StatusBadRequest, noCreditsMessage)
		return
	case errors.Is(err, errNoAssistant):
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Couldn't Get Assistant. `assistantId` %s Does Not Exist.", in.AssistantID))
		return
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	s.answerCreate(w, r, fault, created)
}

// readCallInput validates the body like Vapi and extracts what we use,
// answering 400 itself on failure.
func readCallInput(w http.ResponseWriter, r *http.Request) (callInput, bool) {
	var in callInput
	body, ok := decodeObject(w, r)
	if !ok {
		return in, false
	}
	if msgs := validateCall(body); len(msgs) > 0 {
		writeError(w, http.StatusBadRequest, msgs)
		return in, false
	}
	raw, _ := json.Marshal(body)
	if err := json.Unmarshal(raw, &in); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return in, false
	}
	switch {
	case in.AssistantID == "":
		writeError(w, http.StatusBadRequest, "Need Either `assistantId` (the simulator does not support transient assistants, squads or workflows).")
	case in.PhoneNumberID == "":
		writeError(w, http.StatusBadRequest, "Need Either `phoneNumberId` Or `phoneNumber`.")
	case in.number() == "":
		writeError(w, http.StatusBadRequest, "Need Either `customer`, `customerId`, Or `customers`.")
	default:
		return in, true
	}
	return in, false
}

// answerCreate answers a created call, or loses the answer as the fault says.
func (s *Sim) answerCreate(w http.ResponseWriter, r *http.Request, fault createFault, created createdCall) {
	switch fault {
	case faultSilentCreate:
		s.count(func(st *Stats) { st.ServerErrors++ })
		writeError(w, http.StatusInternalServerError, "Internal server error")
	case faultDroppedAnswer:
		resetConnection(w)
	case faultHungAnswer:
		select {
		case <-r.Context().Done():
		case <-s.ctx.Done():
		}
		resetConnection(w)
	default:
		writeJSON(w, http.StatusCreated, created)
	}
}

// resetConnection closes the client's connection with a TCP reset and no
// answer.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// place creates the call, counts it and starts its lifecycle. It returns the
// POST /call answer: the call plus subscriptionLimits.
func (s *Sim) place(in callInput, ambiguous bool) (createdCall, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return createdCall{}, errClosed
	}
	a, ok := s.assistants[in.AssistantID]
	if !ok {
		return createdCall{}, errNoAssistant
	}
	if s.outOfCredits() && s.faults.OutOfCreditsAs400 {
		s.stats.CreditRefusals++
		return createdCall{}, errNoCredits
	}
	now := s.now()
	c := &call{
		v: apiCall{
			ID: uuid.Must(uuid.NewV7()).String(), OrgID: orgID, Type: "outboundPhoneCall", Status: "queued",
			CreatedAt: now, UpdatedAt: now, PhoneNumberID: in.PhoneNumberID, AssistantID: in.AssistantID,
			Customer: in.Customer, AssistantOverrides: in.AssistantOverrides,
		},
		number: in.number(),
		hook:   s.hookFor(in.AssistantOverrides, a),
	}
	c.firstMessage, _ = a["firstMessage"].(string)
	c.vars, _ = in.AssistantOverrides["variableValues"].(map[string]any)
	refused := s.admit(c, ambiguous)
	c.dial = s.dials[c.number]
	c.plan = newPlan(s.callRand(c.number), s.cfg.Mix, refused).withVoicemail(in.AssistantOverrides, a, c.vars)
	s.countVoicemail(c.plan)
	out := make(chan outbound, 8)
	s.wg.Go(func() { s.play(c, c.plan, out) })
	s.wg.Go(func() { s.deliver(c.hook, out) })
	return createdCall{apiCall: c.v, SubscriptionLimits: map[string]any{
		"concurrencyBlocked":       refused == reasonBlocked,
		"concurrencyLimit":         s.cfg.ConcurrencyLimit,
		"remainingConcurrentCalls": max(0, s.cfg.ConcurrencyLimit-s.stats.Live),
	}}, nil
}

// admit stores the call and takes a concurrency slot. It returns the
// ended reason of a call the account refuses (no credits, or every slot
// full), "" for a placed call; the caller holds s.mu. Assumption: Vapi
// checks the credits before the concurrency.
func (s *Sim) admit(c *call, ambiguous bool) (refused string) {
	st := &s.stats
	s.calls[c.v.ID] = c
	st.CallsCreated++
	st.Running++
	if ambiguous {
		st.AmbiguousCreates++
	}
	if s.outOfCredits() {
		st.CreditRefusals++
		return reasonNoCredits
	}
	if st.Live >= s.cfg.ConcurrencyLimit {
		st.ConcurrencyBlocked++
		return reasonBlocked
	}
	st.Live++
	st.PeakLive = max(st.PeakLive, st.Live)
	st.ByCustomer[c.number]++
	st.ByPhoneNumber[c.v.PhoneNumberID]++
	st.Placed++
	return ""
}

// outOfCredits reports whether the account has paid for all the calls the
// faults allow; the caller holds s.mu.
func (s *Sim) outOfCredits() bool {
	n := s.faults.OutOfCreditsAfter
	return n > 0 && s.stats.Placed >= n
}

// callRand seeds a call's randomness from the seed, the number and how often
// it was dialed, so outcomes do not depend on request order; the caller
// holds s.mu.
func (s *Sim) callRand(number string) *rand.Rand {
	n := s.dials[number]
	s.dials[number]++
	h := fnv.New64a()
	_, _ = fmt.Fprintf(h, "%s#%d", number, n)
	return rand.New(rand.NewPCG(s.cfg.Seed, h.Sum64()))
}

// server is the part of Vapi's Server the simulator obeys.
type server struct {
	URL            string            `json:"url"`
	Headers        map[string]string `json:"headers"`
	CredentialID   string            `json:"credentialId"`
	TimeoutSeconds float64           `json:"timeoutSeconds"`
	BackoffPlan    backoffPlan       `json:"backoffPlan"`
}

// hookFor picks the server as Vapi does: the call's overrides, then the
// assistant, then the account default (which has no backoff plan).
func (s *Sim) hookFor(overrides, assistant map[string]any) hook {
	h := hook{url: s.cfg.WebhookURL, timeout: 20 * time.Second, messages: defaultServerMessages}
	// Assumption: like the server, serverMessages come from the call's
	// overrides, else the assistant, else the documented default.
	for _, src := range []map[string]any{assistant, overrides} {
		if list, ok := src["serverMessages"].([]any); ok {
			h.messages = nil
			for _, v := range list {
				if t, ok := v.(string); ok {
					h.messages = append(h.messages, t)
				}
			}
		}
	}
	var srv server
	raw, ok := overrides["server"].(map[string]any)
	if u, _ := raw["url"].(string); !ok || u == "" {
		raw, _ = assistant["server"].(map[string]any)
	}
	b, _ := json.Marshal(raw)
	if json.Unmarshal(b, &srv) == nil && srv.URL != "" {
		h.url, h.headers, h.backoff = srv.URL, srv.Headers, srv.BackoffPlan
		if token, ok := s.cfg.Credentials[srv.CredentialID]; ok {
			// A Bearer credential as Vapi's dashboard creates it by default
			// (header Authorization, "Bearer" prefix on). Assumption: a
			// credential named in the call's own server applies, as the
			// Server schema documents; an unknown one authenticates nothing.
			h.headers = map[string]string{"Authorization": "Bearer " + token}
		}
		if srv.TimeoutSeconds > 0 {
			h.timeout = time.Duration(srv.TimeoutSeconds * float64(time.Second))
		}
	}
	return h
}

func (s *Sim) getCall(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	c, ok := s.calls[r.PathValue("id")]
	var v apiCall
	if ok {
		v = c.snapshot()
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Call not found")
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// callFilter is GET /call's query.
type callFilter struct {
	id, assistantID, phoneNumberID string
	gt, lt, ge, le                 time.Time
	limit                          int
}

func parseCallFilter(q map[string][]string) (callFilter, []string) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	f := callFilter{id: get("id"), assistantID: get("assistantId"), phoneNumberID: get("phoneNumberId"), limit: 100}
	var msgs []string
	for k, dst := range map[string]*time.Time{"createdAtGt": &f.gt, "createdAtLt": &f.lt, "createdAtGe": &f.ge, "createdAtLe": &f.le} {
		if v := get(k); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				msgs = append(msgs, k+" must be a valid ISO 8601 date string")
			}
			*dst = t
		}
	}
	if v := get("limit"); v != "" {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n < 0 || n > 1000 {
			msgs = append(msgs, "limit must not be greater than 1000")
		}
		f.limit = int(n)
	}
	slices.Sort(msgs)
	return f, msgs
}

func (f callFilter) match(c apiCall) bool {
	t := c.CreatedAt
	return (f.id == "" || c.ID == f.id) &&
		(f.assistantID == "" || c.AssistantID == f.assistantID) &&
		(f.phoneNumberID == "" || c.PhoneNumberID == f.phoneNumberID) &&
		(f.gt.IsZero() || t.After(f.gt)) && (f.lt.IsZero() || t.Before(f.lt)) &&
		(f.ge.IsZero() || !t.Before(f.ge)) && (f.le.IsZero() || !t.After(f.le))
}

// listCalls answers GET /call: a plain array, newest first.
func (s *Sim) listCalls(w http.ResponseWriter, r *http.Request) {
	f, msgs := parseCallFilter(r.URL.Query())
	if len(msgs) > 0 {
		writeError(w, http.StatusBadRequest, msgs)
		return
	}
	list := []apiCall{}
	s.mu.Lock()
	for _, c := range s.calls {
		if v := c.snapshot(); f.match(v) {
			list = append(list, v)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(list, func(a, b apiCall) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	writeJSON(w, http.StatusOK, list[:min(len(list), f.limit)])
}
