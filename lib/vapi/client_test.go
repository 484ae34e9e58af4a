package vapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autolynx/autolynx/lib/vapi"
)

// fake is an httptest Vapi that counts requests and records sleeps.
type fake struct {
	srv      *httptest.Server
	requests atomic.Int32
	mu       sync.Mutex
	sleeps   []time.Duration
}

func newFake(t *testing.T, h http.HandlerFunc) *fake {
	t.Helper()
	f := &fake{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		h(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// client builds a Client for baseURL whose sleeps are recorded, not slept,
// and whose jitter is jitter.
func (f *fake) client(baseURL string, jitter float64) *vapi.Client {
	return vapi.New(vapi.Config{
		BaseURL: baseURL, APIKey: "k3y", CreateCallTimeout: 200 * time.Millisecond,
		Sleep: func(_ context.Context, d time.Duration) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.sleeps = append(f.sleeps, d)
			return nil
		},
		Rand: func() float64 { return jitter },
	})
}

func (f *fake) slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sleeps)
}

func answer(status int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func sampleRequest() vapi.CreateCallRequest {
	return vapi.CreateCallRequest{
		AssistantID:   "asst-1",
		PhoneNumberID: "pn-1",
		Customer:      vapi.Customer{Number: "+14155550100", Name: "Ada Lovelace"},
		AssistantOverrides: &vapi.AssistantOverrides{
			VariableValues: map[string]any{"name": "Ada", "business_name": "Engines Ltd"},
			Metadata:       map[string]any{"autolynxCallId": "c-1"},
			Server:         &vapi.Server{URL: "https://example.test/api/webhooks/vapi", Headers: map[string]string{"X-Vapi-Secret": "s"}, TimeoutSeconds: 20},
			ServerMessages: []string{"status-update", "end-of-call-report"},
		},
	}
}

const callJSON = `{"id":"call-1","orgId":"o","status":"queued","cost":0,"createdAt":"2026-01-02T03:04:05.000Z","updatedAt":"2026-01-02T03:04:05.000Z",
 "subscriptionLimits":{"concurrencyBlocked":false,"concurrencyLimit":10,"remainingConcurrentCalls":9}}`

func TestCreateCallSendsExactBody(t *testing.T) {
	t.Parallel()
	var got map[string]any
	var header http.Header
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		header = r.Header.Clone()
		_ = json.NewDecoder(r.Body).Decode(&got)
		answer(http.StatusCreated, callJSON)(w, r)
	})
	req := sampleRequest()
	req.Customer.Name = strings.Repeat("x", 45)
	call, err := f.client(f.srv.URL, 0).CreateCall(context.Background(), req)
	if err != nil {
		t.Fatalf("create call: %v", err)
	}
	if call.ID != "call-1" || call.SubscriptionLimits.ConcurrencyLimit != 10 {
		t.Errorf("call = %+v", call)
	}
	if header.Get("Authorization") != "Bearer k3y" || header.Get("Content-Type") != "application/json" {
		t.Errorf("headers = %v", header)
	}
	want := map[string]any{
		"assistantId":   "asst-1",
		"phoneNumberId": "pn-1",
		"customer":      map[string]any{"number": "+14155550100", "name": strings.Repeat("x", 40)},
		"assistantOverrides": map[string]any{
			"variableValues": map[string]any{"name": "Ada", "business_name": "Engines Ltd"},
			"metadata":       map[string]any{"autolynxCallId": "c-1"},
			"server":         map[string]any{"url": "https://example.test/api/webhooks/vapi", "headers": map[string]any{"X-Vapi-Secret": "s"}, "timeoutSeconds": float64(20)},
			"serverMessages": []any{"status-update", "end-of-call-report"},
		},
	}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("body\n got %s\nwant %s", gotJSON, wantJSON)
	}
}

func TestCreateCallOmitsEmptyFields(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(vapi.CreateCallRequest{AssistantID: "a", PhoneNumberID: "p", Customer: vapi.Customer{Number: "+14155550100"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"assistantId":"a","phoneNumberId":"p","customer":{"number":"+14155550100"}}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

func TestRetryScheduleOnReads(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		jitter float64
		want   []time.Duration
	}{
		{0, []time.Duration{time.Second, 4 * time.Second, 10 * time.Second}},
		{0.5, []time.Duration{1125 * time.Millisecond, 4500 * time.Millisecond, 11250 * time.Millisecond}},
		{0.999, []time.Duration{1249 * time.Millisecond, 4999 * time.Millisecond, 12497 * time.Millisecond}},
	} {
		f := newFake(t, answer(http.StatusBadGateway, `{"message":"upstream","statusCode":502}`))
		_, err := f.client(f.srv.URL, tc.jitter).GetCall(context.Background(), "c")
		if se, ok := errors.AsType[*vapi.ServerError](err); !ok || se.Status != http.StatusBadGateway {
			t.Fatalf("err = %v, want *ServerError 502", err)
		}
		if n := f.requests.Load(); n != 4 {
			t.Errorf("requests = %d, want 4 (1 + 3 retries)", n)
		}
		got := f.slept()
		for i := range got {
			got[i] = got[i].Truncate(time.Millisecond)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("jitter %v: sleeps = %v, want %v", tc.jitter, got, tc.want)
		}
	}
}

func TestRetryStopsBeforeDeadline(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(http.StatusServiceUnavailable, `{}`))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := f.client(f.srv.URL, 0).ListCalls(ctx, vapi.ListCallsParams{})
	if _, ok := errors.AsType[*vapi.ServerError](err); !ok {
		t.Fatalf("err = %v, want *ServerError", err)
	}
	// 1s fits in 3s; the 4s step does not, so the last error comes back.
	if got := f.slept(); !slices.Equal(got, []time.Duration{time.Second}) || f.requests.Load() != 2 {
		t.Errorf("sleeps = %v, requests = %d; want [1s], 2", got, f.requests.Load())
	}
}

func TestRateLimitHonorsRetryAfter(t *testing.T) {
	t.Parallel()
	date := time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
	for _, tc := range []struct {
		header string
		min    time.Duration
	}{{"7", 7 * time.Second}, {date, 25 * time.Second}, {"", 0}} {
		f := newFake(t, answer(http.StatusTooManyRequests, `{"message":"Too Many Requests"}`, "Retry-After", tc.header))
		_, err := f.client(f.srv.URL, 0).CreateCall(context.Background(), sampleRequest())
		rl, ok := errors.AsType[*vapi.RateLimitedError](err)
		if !ok || rl.RetryAfter < tc.min || rl.RetryAfter > tc.min+6*time.Second {
			t.Fatalf("Retry-After %q: err = %v", tc.header, err)
		}
		if _, amb := errors.AsType[*vapi.AmbiguousError](err); amb {
			t.Errorf("a 429 created nothing; got ambiguous %v", err)
		}
		// A 429 surely created nothing, so CreateCall retries it 3 times.
		if n := f.requests.Load(); n != 4 {
			t.Errorf("requests = %d, want 4", n)
		}
		for i, d := range f.slept() {
			if d < tc.min {
				t.Errorf("sleep %d = %v, shorter than Retry-After %v", i, d, tc.min)
			}
		}
	}
}

// TestCreateCallNeverRetriedWhenAmbiguous proves a call that may exist is
// never requested twice.
func TestCreateCallNeverRetriedWhenAmbiguous(t *testing.T) {
	t.Parallel()
	for name, h := range map[string]http.HandlerFunc{
		"500": answer(http.StatusInternalServerError, `{"message":"Internal server error","statusCode":500}`),
		"503": answer(http.StatusServiceUnavailable, ``),
		// With the body read, the server sees the client give up.
		"timeout": func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		},
		"reset":           resetAfterRead,
		"unreadable 201":  answer(http.StatusCreated, `{"id":`),
		"truncated 201":   truncated,
		"reset mid-write": resetMidBody,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, h)
			_, err := f.client(f.srv.URL, 0).CreateCall(context.Background(), sampleRequest())
			if _, ok := errors.AsType[*vapi.AmbiguousError](err); !ok {
				t.Fatalf("err = %v, want *AmbiguousError", err)
			}
			if n := f.requests.Load(); n != 1 || len(f.slept()) != 0 {
				t.Errorf("requests = %d, sleeps = %v; want exactly one request", n, f.slept())
			}
		})
	}
}

// resetAfterRead reads the request and resets the connection unanswered.
func resetAfterRead(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	_ = conn.(*net.TCPConn).SetLinger(0)
	_ = conn.Close()
}

// truncated promises a longer body than it sends.
func truncated(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Length", "500")
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, `{"id":"call-1"`)
}

// resetMidBody answers 201 headers then resets the connection.
func resetMidBody(w http.ResponseWriter, r *http.Request) {
	truncated(w, r)
	http.NewResponseController(w).Flush()
	resetAfterRead(w, r)
}

func TestCreateCallRetriesConnectionRefused(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	f := &fake{}
	_, err = f.client("http://"+addr, 0).CreateCall(context.Background(), sampleRequest())
	if err == nil {
		t.Fatal("want an error from a closed port")
	}
	if _, ok := errors.AsType[*vapi.AmbiguousError](err); ok {
		t.Errorf("connection refused sent nothing; got ambiguous %v", err)
	}
	if got := f.slept(); len(got) != 3 {
		t.Errorf("sleeps = %v, want 3 retries", got)
	}
}

func TestRejections(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status       int
		body         string
		msg          string
		notFound     bool
		unauthorized bool
	}{
		{400, `{"message":["property foo should not exist","customer.number must be a valid phone number"],"error":"Bad Request","statusCode":400}`,
			"property foo should not exist; customer.number must be a valid phone number", false, false},
		{400, `{"message":"Couldn't Get Assistant.","error":"Bad Request","statusCode":400}`, "Couldn't Get Assistant.", false, false},
		{401, `{"message":"Invalid Key.","error":"Unauthorized","statusCode":401}`, "Invalid Key.", false, true},
		{403, `{"error":"Forbidden"}`, "Forbidden", false, true},
		{404, `{"message":"Not Found","statusCode":404}`, "Not Found", true, false},
		{409, `{"error":"assistant_pinned","message":"Assistant is pinned"}`, "Assistant is pinned", false, false},
		{422, `plain text`, "plain text", false, false},
	} {
		f := newFake(t, answer(tc.status, tc.body))
		_, err := f.client(f.srv.URL, 0).CreateCall(context.Background(), sampleRequest())
		rej, ok := errors.AsType[*vapi.RejectedError](err)
		if !ok || rej.Status != tc.status || rej.Message != tc.msg {
			t.Errorf("%d: err = %v, want RejectedError %q", tc.status, err, tc.msg)
		}
		if vapi.IsNotFound(err) != tc.notFound || vapi.IsUnauthorized(err) != tc.unauthorized {
			t.Errorf("%d: IsNotFound = %v, IsUnauthorized = %v", tc.status, vapi.IsNotFound(err), vapi.IsUnauthorized(err))
		}
		if n := f.requests.Load(); n != 1 {
			t.Errorf("%d: requests = %d, want 1", tc.status, n)
		}
	}
}

func TestCreateCallConcurrencyBlocked(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(http.StatusCreated, `{"id":"c-9","status":"queued","subscriptionLimits":{"concurrencyBlocked":true,"concurrencyLimit":10,"remainingConcurrentCalls":0}}`))
	call, err := f.client(f.srv.URL, 0).CreateCall(context.Background(), sampleRequest())
	if !errors.Is(err, vapi.ErrConcurrencyBlocked) || call == nil || call.ID != "c-9" {
		t.Fatalf("call = %v, err = %v; want the call and ErrConcurrencyBlocked", call, err)
	}
}

func TestWritesRetryOnlyRateLimits(t *testing.T) {
	t.Parallel()
	f := newFake(t, answer(http.StatusInternalServerError, `{}`))
	c := f.client(f.srv.URL, 0)
	_, err := c.UpdateAssistant(context.Background(), "a", json.RawMessage(`{"name":"x"}`))
	if _, ok := errors.AsType[*vapi.AmbiguousError](err); !ok || f.requests.Load() != 1 {
		t.Errorf("PATCH 500: err = %v after %d requests; want ambiguous after 1", err, f.requests.Load())
	}
	if _, err := c.CreateAssistant(context.Background(), json.RawMessage(`["not an object"]`)); err == nil || f.requests.Load() != 1 {
		t.Errorf("a non-object config must be refused before sending; err = %v", err)
	}
}

func TestListCallsQuery(t *testing.T) {
	t.Parallel()
	var query string
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		answer(http.StatusOK, `[{"id":"a","assistantOverrides":{"metadata":{"autolynxCallId":"x"}}},{"id":"b"}]`)(w, r)
	})
	gt := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.FixedZone("x", 3600))
	calls, err := f.client(f.srv.URL, 0).ListCalls(context.Background(), vapi.ListCallsParams{
		AssistantID: "as", PhoneNumberID: "pn", CreatedAtGt: gt, CreatedAtLt: gt.Add(time.Hour), Limit: 50,
	})
	if err != nil || len(calls) != 2 || calls[0].AssistantOverrides.Metadata["autolynxCallId"] != "x" {
		t.Fatalf("calls = %+v, err = %v", calls, err)
	}
	want := "assistantId=as&createdAtGt=2026-01-02T02%3A04%3A05.123Z&createdAtLt=2026-01-02T03%3A04%3A05.123Z&limit=50&phoneNumberId=pn"
	if query != want {
		t.Errorf("query = %s, want %s", query, want)
	}
}

func TestTruncateName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Ada":                         "Ada",
		strings.Repeat("é", 41):       strings.Repeat("é", 40),
		strings.Repeat("😀", 21):       strings.Repeat("😀", 20), // 2 UTF-16 units each
		strings.Repeat("a", 39) + "😀": strings.Repeat("a", 39),
		strings.Repeat("ab ", 14):     strings.TrimSpace(strings.Repeat("ab ", 13) + "a"),
	} {
		if got := vapi.TruncateName(in); got != want {
			t.Errorf("TruncateName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEvaluationAcceptsScalars(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]vapi.Evaluation{`"true"`: "true", `true`: "true", `8`: "8", `null`: "", `"Pass"`: "Pass"} {
		var a vapi.Analysis
		if err := json.Unmarshal([]byte(`{"successEvaluation":`+in+`}`), &a); err != nil || a.SuccessEvaluation != want {
			t.Errorf("%s: got %q, %v; want %q", in, a.SuccessEvaluation, err, want)
		}
	}
}

// TestB7ListCallsSkipsCallsItCannotRead: GET /call also lists calls other
// tools placed on the line; one with odd values (or no id) must not fail
// the page, and odd echoed config must not cost a call its metadata.
func TestB7ListCallsSkipsCallsItCannotRead(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `[
		  {"id":"a","status":"ended","assistantOverrides":{"metadata":{"autolynxCallId":"x"},
		    "server":{"timeoutSeconds":7.5,"headers":{"n":1}}},"analysis":{"successEvaluation":[1]}},
		  {"id":7},
		  "not a call",
		  {"id":"b","cost":"free","createdAt":"yesterday"}]`)
	}))
	defer srv.Close()
	c := vapi.New(vapi.Config{BaseURL: srv.URL, APIKey: "k"})
	calls, err := c.ListCalls(context.Background(), vapi.ListCallsParams{})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 || calls[0].ID != "a" || calls[1].ID != "b" {
		t.Fatalf("calls %+v", calls)
	}
	if calls[0].AssistantOverrides == nil || calls[0].AssistantOverrides.Metadata["autolynxCallId"] != "x" ||
		calls[0].AssistantOverrides.Server.TimeoutSeconds != 7.5 || calls[0].Analysis.SuccessEvaluation != "[1]" {
		t.Fatalf("first call %+v", calls[0])
	}
}

// TestB2RefusalIsReadBeforeTheCut: a long NestJS message array can name
// the account's problem after the 300 characters kept for logs; the
// classification must still see it.
func TestB2RefusalIsReadBeforeTheCut(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("assistantOverrides.variableValues must be an object; ", 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"message": []string{long, "Wallet balance too low: insufficient credits"}, "error": "Bad Request", "statusCode": 400})
	}))
	defer srv.Close()
	c := vapi.New(vapi.Config{BaseURL: srv.URL, APIKey: "k"})
	_, err := c.CreateCall(context.Background(), vapi.CreateCallRequest{Customer: vapi.Customer{Number: "+14155550100"}})
	r, ok := errors.AsType[*vapi.RejectedError](err)
	if !ok || len(r.Message) > 300 || strings.Contains(r.Message, "credits") {
		t.Fatalf("err %v: want a 400 whose logged message is cut before the cause", err)
	}
	if !r.Mentions("credit") || r.Mentions("frozen") {
		t.Errorf("Mentions misread the whole message")
	}
}

// busyLine serves GET /call for n calls on one line, one per millisecond
// plus a few sharing one, honouring createdAtLt and limit and listing each
// page in an order of its own (Vapi documents none).
func busyLine(t *testing.T, n int) *httptest.Server {
	t.Helper()
	base := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	type call struct {
		ID        string    `json:"id"`
		CreatedAt time.Time `json:"createdAt"`
	}
	all := make([]call, n)
	for i := range all {
		all[i] = call{ID: fmt.Sprintf("c%05d", i), CreatedAt: base.Add(time.Duration(i/3) * time.Millisecond)}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lt, _ := time.Parse(time.RFC3339Nano, r.URL.Query().Get("createdAtLt"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		var page []call
		for i := len(all) - 1; i >= 0 && len(page) < limit; i-- { // newest first…
			if lt.IsZero() || all[i].CreatedAt.Before(lt) {
				page = append(page, all[i])
			}
		}
		rand.Shuffle(len(page), func(i, j int) { page[i], page[j] = page[j], page[i] }) // …then any order
		_ = json.NewEncoder(w).Encode(page)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Security review L13 (and audit C5): a line busier than one list must be
// read whole, in whatever order Vapi lists, before a call is called absent.
func TestLowL13ListWindowReadsABusyLineWhole(t *testing.T) {
	t.Parallel()
	srv := busyLine(t, 2500)
	c := vapi.New(vapi.Config{BaseURL: srv.URL, APIKey: "k"})
	ctx := context.Background()
	end := time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)
	calls, err := c.ListWindow(ctx, vapi.ListCallsParams{PhoneNumberID: "p", CreatedAtLt: end}, 10)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, call := range calls {
		ids[call.ID] = true
	}
	if len(calls) != 2500 || len(ids) != 2500 || !ids["c00000"] {
		t.Fatalf("listed %d calls (%d distinct), want all 2500", len(calls), len(ids))
	}
	if _, err := c.ListWindow(ctx, vapi.ListCallsParams{PhoneNumberID: "p", CreatedAtLt: end}, 2); err == nil {
		t.Error("a window larger than the pages allowed was reported whole")
	}
}
