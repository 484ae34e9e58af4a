package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/teamsystem"
	"github.com/autolynx/autolynx/lib/outbox"
	"github.com/autolynx/autolynx/lib/ratelimit"
)

type createdDestination struct {
	Destination outbox.Destination `json:"destination"`
	Secret      string             `json:"secret"`
}

func addDestination(t *testing.T, e *apitest.Env, url string, events ...string) createdDestination {
	t.Helper()
	var c createdDestination
	body := map[string]any{"name": "CRM", "url": url, "events": events}
	if st := e.JSON(http.MethodPost, "/api/admin/destinations", e.Admin, body, &c); st != http.StatusCreated {
		t.Fatalf("create destination: %d", st)
	}
	if !strings.HasPrefix(c.Secret, "whsec_") {
		t.Fatalf("secret %q", c.Secret)
	}
	return c
}

// The done-when: a simulator campaign's every call, its finish
// and an opt-out reach a receiver that answers 500s and times out, each
// exactly once after de-duplication by webhook-id, every signature
// verified.
func TestEveryEventReachesAnUnreliableReceiverOnce(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	crm := teamsystem.Start(t, func(n int) int {
		switch {
		case n == 2:
			return teamsystem.Hold // one answer comes after the sender gave up
		case n%3 == 0:
			return http.StatusInternalServerError
		}
		return http.StatusOK
	}, outbox.Timeout+time.Second)
	dst := addDestination(t, e, crm.URL, outbox.CallFinished, outbox.CampaignFinished, outbox.ContactOptedOut)
	crm.SetSecret(dst.Secret)
	crm.SetClock(e.Clock.Now)

	const contacts = 6
	c := e.CreateCampaign(map[string]string{"name": "Outbox", "assistantId": e.CreateAssistant("Caller"),
		"maxAttempts": "1", "autoDncOnOptOut": "true"}, apitest.Contacts(contacts))
	if st := e.Control(c.CampaignID, "start"); st != http.StatusOK {
		t.Fatalf("start: %d", st)
	}
	e.Eventually(60*time.Second, c.CampaignID, func() bool {
		var st string
		_ = e.DB.QueryRow(context.Background(), `select status from campaigns where id = $1`, c.CampaignID).Scan(&st)
		return st == "COMPLETED"
	})
	// One person asked not to be called again: Vapi's end-of-call
	// analysis says so, in a report the webhook takes.
	var callID uuid.UUID
	var providerID string
	if err := e.DB.QueryRow(context.Background(), `select id, provider_call_id from calls where campaign_id = $1 limit 1`,
		c.CampaignID).Scan(&callID, &providerID); err != nil {
		t.Fatal(err)
	}
	report, _ := json.Marshal(map[string]any{"message": map[string]any{
		"type": "end-of-call-report", "endedReason": "customer-ended-call",
		"call":     map[string]any{"id": providerID, "assistantOverrides": map[string]any{"metadata": map[string]any{"autolynxCallId": callID}}},
		"analysis": map[string]any{"structuredData": map[string]any{"optOut": true}},
	}})
	r := e.Send(t, http.MethodPost, "/api/webhooks/vapi", "", "application/json", bytes.NewReader(report),
		"X-Vapi-Secret", apitest.WebhookSecret)
	if r.Status != http.StatusOK || e.Count(t, `select count(*) from dnc where source = 'opt-out'`) != 1 {
		t.Fatalf("opt-out report: %d %s", r.Status, r.Body)
	}
	calls := e.Count(t, `select count(*) from calls where campaign_id = $1`, c.CampaignID)
	want := map[string]int{outbox.CallFinished: calls, outbox.CampaignFinished: 1, outbox.ContactOptedOut: 1}
	complete := func() bool {
		got := crm.Events()
		for typ, n := range want {
			if len(got[typ]) != n {
				return false
			}
		}
		return true
	}
	settled := func() bool {
		return complete() && e.Count(t, `select count(*) from outbox_deliveries where status <> 'delivered'`) == 0
	}
	for i := 0; i < 60 && !settled(); i++ {
		e.Tick("") // the full pass delivers
		e.Clock.Advance(30 * time.Minute)
	}
	got := crm.Events()
	for typ, n := range want {
		if len(got[typ]) != n {
			t.Errorf("%s: %d distinct events, want %d", typ, len(got[typ]), n)
		}
	}
	dups := 0
	for _, n := range crm.Taken() {
		dups += n - 1
	}
	if held, refused := crm.Faults(); held == 0 || refused == 0 || dups == 0 {
		t.Errorf("%d held, %d refused, %d duplicates: the receiver's faults were not exercised", held, refused, dups)
	}
	contactsSeen := map[string]bool{}
	for _, ev := range got[outbox.CallFinished] {
		var d struct {
			Contact struct{ Phone string } `json:"contact"`
			Status  string                 `json:"status"`
		}
		_ = json.Unmarshal(ev.Data, &d)
		contactsSeen[d.Contact.Phone] = true
	}
	if len(contactsSeen) != contacts {
		t.Errorf("call.finished for %d contacts, want %d", len(contactsSeen), contacts)
	}
	if e.Count(t, `select count(*) from outbox_deliveries where status <> 'delivered'`) != 0 {
		t.Error("deliveries left undelivered")
	}
}

// Admins manage a destination: its URL is checked, its secret shown
// once and rotated, a test event and a redelivery go out at once with
// the event's own id, and the log shows each attempt's answer.
func TestDestinationAdminFlow(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	for _, bad := range []string{"http://example.com/hook", "ftp://127.0.0.1/x", "https://user:pw@example.com/", "not a url"} {
		r := e.Send(t, http.MethodPost, "/api/admin/destinations", e.Admin, "application/json",
			strings.NewReader(`{"name":"x","url":"`+bad+`","events":[]}`))
		apitest.WantError(t, r, http.StatusBadRequest, "VALIDATION_ERROR")
	}
	r := e.Send(t, http.MethodPost, "/api/admin/destinations", e.Admin, "application/json",
		strings.NewReader(`{"name":"x","url":"https://example.com","events":["call.started"]}`))
	apitest.WantError(t, r, http.StatusBadRequest, "VALIDATION_ERROR")

	crm := teamsystem.Start(t, func(n int) int {
		if n == 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}, 0)
	dst := addDestination(t, e, crm.URL, outbox.ContactOptedOut)
	crm.SetSecret(dst.Secret)
	crm.SetClock(e.Clock.Now)
	base := "/api/admin/destinations/" + dst.Destination.ID.String()

	var st outbox.DeliveryState
	if code := e.JSON(http.MethodPost, base+"/test", e.Admin, nil, &st); code != http.StatusOK || st.Status != "delivered" {
		t.Fatalf("test event: %d %+v", code, st)
	}
	// A test event that fails is failed at once, never retried.
	if code := e.JSON(http.MethodPost, base+"/test", e.Admin, nil, &st); code != http.StatusOK || st.Status != "failed" ||
		st.LastStatus == nil || *st.LastStatus != http.StatusServiceUnavailable {
		t.Fatalf("failing test event: %d %+v", code, st)
	}

	// The secret rotates: later deliveries verify with the new one only.
	var rotated struct{ Secret string }
	if code := e.JSON(http.MethodPost, base+"/secret", e.Admin, nil, &rotated); code != http.StatusOK || rotated.Secret == dst.Secret {
		t.Fatalf("rotate: %d", code)
	}
	crm.SetSecret(rotated.Secret)

	e.Exec(t, `insert into dnc (phone, source, reason) values ('+12125550111', 'opt-out', 'asked')`)
	e.Tick("")
	var log struct {
		Deliveries []outbox.DeliveryState `json:"deliveries"`
		Attempts   []outbox.Attempt       `json:"attempts"`
	}
	e.GetJSON(t, e.Admin, base+"/deliveries", &log)
	if len(log.Deliveries) != 3 || log.Deliveries[0].EventType != outbox.ContactOptedOut || log.Deliveries[0].Status != "delivered" {
		t.Fatalf("deliveries %+v", log.Deliveries)
	}
	if len(log.Attempts) != 3 || log.Attempts[1].StatusCode == nil || *log.Attempts[1].StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("attempts %+v", log.Attempts)
	}

	// Redelivery sends the same event again, with its id.
	ev := log.Deliveries[0].EventID
	before := crm.Taken()[ev.String()]
	if code := e.JSON(http.MethodPost, base+"/deliveries/"+log.Deliveries[0].ID.String()+"/redeliver", e.Admin, nil, &st); code != http.StatusOK || st.Status != "delivered" {
		t.Fatalf("redeliver: %d %+v", code, st)
	}
	if code := e.JSON(http.MethodPost, base+"/events/"+ev.String()+"/redeliver", e.Admin, nil, &st); code != http.StatusOK || st.EventID != ev {
		t.Fatalf("redeliver event: %d %+v", code, st)
	}
	if n := crm.Taken()[ev.String()]; n != before+2 {
		t.Errorf("redeliveries reached the receiver %d times with the event's id, want 2", n-before)
	}
	r = e.Send(t, http.MethodPost, base+"/events/"+uuid.NewString()+"/redeliver", e.Admin, "", nil)
	apitest.WantError(t, r, http.StatusNotFound, "NOT_FOUND")

	r = e.Send(t, http.MethodPatch, base, e.Admin, "application/json", strings.NewReader(`{"url":"http://10.0.0.1/x"}`))
	apitest.WantError(t, r, http.StatusBadRequest, "VALIDATION_ERROR")
	var patched outbox.Destination
	if code := e.JSON(http.MethodPatch, base, e.Admin, map[string]any{"events": []string{outbox.CallFinished, outbox.CallFinished}}, &patched); code != http.StatusOK ||
		len(patched.Events) != 1 || patched.URL != crm.URL {
		t.Fatalf("patch: %d %+v", code, patched)
	}

	var list struct{ Destinations []outbox.Destination }
	e.GetJSON(t, e.Admin, "/api/admin/destinations", &list)
	if len(list.Destinations) != 1 || list.Destinations[0].LastDelivery == nil {
		t.Fatalf("list %+v", list)
	}
	if raw := e.Send(t, http.MethodGet, "/api/admin/destinations", e.Admin, "", nil); strings.Contains(string(raw.Body), "whsec_") {
		t.Error("the list shows a secret")
	}
	if code := e.JSON(http.MethodDelete, base, e.Admin, nil, nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}
	r = e.Send(t, http.MethodPost, base+"/test", e.Admin, "", nil)
	apitest.WantError(t, r, http.StatusNotFound, "NOT_FOUND")
}

// The outcomes CSV is read by its token alone (a spreadsheet's
// IMPORTDATA), refused with a wrong, revoked or replaced one, and its
// cells are formula-safe.
func TestOutcomesFeedByToken(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	dst := addDestination(t, e, "https://example.com/hook")
	base := "/api/admin/destinations/" + dst.Destination.ID.String()
	c := e.CreateCampaign(map[string]string{"name": "=cmd|' /C calc'!A0", "assistantId": e.CreateAssistant("Caller")},
		apitest.Contacts(2))
	e.AddCall(t, c.CampaignID, "+14155550000", apitest.Call{Status: "ENDED", EndedReason: "customer-ended-call"})
	e.Exec(t, `update calls set structured_data = '{"o1":{"name":"interested","result":true},"o2":{"name":"notes","result":"@SUM(1)"}}'`)

	var feed struct{ URL, Formula string }
	if code := e.JSON(http.MethodPost, base+"/feed", e.Admin, nil, &feed); code != http.StatusOK || !strings.Contains(feed.Formula, "IMPORTDATA") {
		t.Fatalf("feed: %d %+v", code, feed)
	}
	path := strings.TrimPrefix(feed.URL, e.Server.URL)
	r := e.Send(t, http.MethodGet, path, "", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("feed read: %d %s", r.Status, r.Body)
	}
	lines := strings.Split(strings.TrimSpace(string(r.Body)), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], ",outcome.interested,outcome.notes") {
		t.Fatalf("csv:\n%s", r.Body)
	}
	if !strings.Contains(lines[1], `,'=cmd|' /C calc'!A0,`) || !strings.HasSuffix(lines[1], ",true,'@SUM(1)") ||
		!strings.Contains(lines[1], ",+14155550000,") {
		t.Errorf("row not formula-safe or phone not exact: %s", lines[1])
	}
	token := path[strings.Index(path, "token=")+len("token="):]
	for name, p := range map[string]string{
		"no token":    base + "/outcomes.csv",
		"wrong token": base + "/outcomes.csv?token=" + strings.Repeat("A", len(token)),
		"other id":    "/api/admin/destinations/" + uuid.NewString() + "/outcomes.csv?token=" + token,
		"not an id":   "/api/admin/destinations/x/outcomes.csv?token=" + token,
	} {
		apitest.WantError(t, e.Send(t, http.MethodGet, p, "", "", nil), http.StatusUnauthorized, "UNAUTHORIZED")
		_ = name
	}
	// A new link replaces the old; revoking turns it off.
	var again struct{ URL string }
	e.JSON(http.MethodPost, base+"/feed", e.Admin, nil, &again)
	apitest.WantError(t, e.Send(t, http.MethodGet, path, "", "", nil), http.StatusUnauthorized, "UNAUTHORIZED")
	newPath := strings.TrimPrefix(again.URL, e.Server.URL)
	if r := e.Send(t, http.MethodGet, newPath+"&campaignId="+c.CampaignID+"&limit=1", "", "", nil); r.Status != http.StatusOK {
		t.Fatalf("new link: %d", r.Status)
	}
	apitest.WantError(t, e.Send(t, http.MethodGet, newPath+"&limit=0", "", "", nil), http.StatusBadRequest, "VALIDATION_ERROR")
	e.Deps.Limiter = e.Deps.Limiter.WithLimits(ratelimit.Limits{General: 1 << 20, Upload: 1 << 20, Export: 1})
	r = e.Send(t, http.MethodGet, newPath, "", "", nil)
	apitest.WantError(t, r, http.StatusTooManyRequests, "RATE_LIMITED")
	if r.Header.Get("Retry-After") == "" {
		t.Error("a limited link read has no Retry-After")
	}
	if code := e.JSON(http.MethodDelete, base+"/feed", e.Admin, nil, nil); code != http.StatusNoContent {
		t.Fatalf("revoke: %d", code)
	}
	apitest.WantError(t, e.Send(t, http.MethodGet, newPath, "", "", nil), http.StatusUnauthorized, "UNAUTHORIZED")
}
