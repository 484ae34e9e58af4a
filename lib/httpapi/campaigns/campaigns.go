// Package campaigns serves /api/campaigns: create (with the contact
// import), read, control, export and recordings. It links the importer,
// and with it phone-number metadata, which only this function and dnc do.
package campaigns

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/csvimport"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/httpapi"
	"github.com/autolynx/autolynx/lib/httpapi/jsonbody"
	"github.com/autolynx/autolynx/lib/httpapi/tick"
	"github.com/autolynx/autolynx/lib/idempotency"
	"github.com/autolynx/autolynx/lib/importer"
	"github.com/autolynx/autolynx/lib/outcome"
	"github.com/autolynx/autolynx/lib/phone"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/ratelimit"
	"github.com/autolynx/autolynx/lib/recording"
	"github.com/autolynx/autolynx/lib/settings"
	"github.com/autolynx/autolynx/lib/testcall"
	"github.com/autolynx/autolynx/lib/user"
	"github.com/autolynx/autolynx/lib/vapi"
)

// Routes are the campaigns function's routes (api/campaigns/index.go).
var Routes = []httpapi.Route{
	route("GET", "/api/campaigns", httpapi.Operator, ratelimit.General, listCampaigns),
	route("GET", "/api/campaigns/outcome-templates", httpapi.Operator, ratelimit.General, outcomeTemplates),
	route("POST", "/api/campaigns", httpapi.Operator, ratelimit.Upload, createCampaign),
	route("GET", "/api/campaigns/{id}", httpapi.Operator, ratelimit.General, getCampaign),
	route("PATCH", "/api/campaigns/{id}", httpapi.Operator, ratelimit.General, patchCampaign),
	route("GET", "/api/campaigns/{id}/summary", httpapi.Operator, ratelimit.General, getCampaign),
	route("GET", "/api/campaigns/{id}/contacts", httpapi.Operator, ratelimit.General, listContacts),
	route("POST", "/api/campaigns/{id}/contacts", httpapi.Operator, ratelimit.Upload, appendContacts),
	route("PUT", "/api/campaigns/{id}/contacts/{contactId}/result", httpapi.Operator, ratelimit.General, setResult),
	route("GET", "/api/campaigns/{id}/calls/{callId}", httpapi.Operator, ratelimit.General, getCall),
	route("GET", "/api/campaigns/{id}/calls/{callId}/recording", httpapi.OperatorOrSignedLink, ratelimit.General, getRecording),
	route("GET", "/api/campaigns/{id}/export.csv", httpapi.Operator, ratelimit.Export, export),
	route("GET", "/api/campaigns/{id}/test-calls", httpapi.Operator, ratelimit.General, listTestCalls),
	route("POST", "/api/campaigns/{id}/test-calls", httpapi.Operator, ratelimit.General, placeTestCall),
	route("POST", "/api/campaigns/{id}/{action}", httpapi.Operator, ratelimit.General, control),
}

// route is a campaigns route; uploads (the upload bucket) may send up to
// Vercel's 4.5 MB, everything else a JSON body.
func route(method, path string, access httpapi.Access, bucket ratelimit.Bucket, h httpapi.Handler) httpapi.Route {
	body := httpapi.JSONBody
	if bucket == ratelimit.Upload {
		body = httpapi.UploadBody
	}
	return httpapi.Route{Method: method, Path: path, Function: "campaigns", Access: access, Bucket: bucket, Body: body, Handle: h}
}

func listCampaigns(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	list, err := campaign.List(r.Context(), d.DB, d.Now())
	if list == nil {
		list = []campaign.Campaign{}
	}
	return httpapi.Reply(w, r, map[string]any{"campaigns": list}, err)
}

func getCampaign(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	s, err := campaign.Get(r.Context(), d.DB, id, d.Now())
	return httpapi.Reply(w, r, s, err)
}

func patchCampaign(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	var body struct {
		SpendLimit *float64 `json:"spendLimit"`
	}
	if err := jsonbody.Decode(r, &body); err != nil {
		return err
	}
	if err := campaign.SetSpendLimit(r.Context(), d.DB, id, body.SpendLimit); err != nil {
		return err
	}
	s, err := campaign.Get(r.Context(), d.DB, id, d.Now())
	return httpapi.Reply(w, r, s, err)
}

func getCall(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	callID, err := httpapi.PathID(r, "callId", "call")
	if err != nil {
		return err
	}
	c, err := campaign.Call(r.Context(), d.DB, id, callID)
	return httpapi.Reply(w, r, c, err)
}

// control answers POST /api/campaigns/{id}/{start|pause|resume|stop}.
func control(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	act, ok := campaign.ParseAction(r.PathValue("action"))
	if !ok {
		return problem.New(problem.NotFound, "no such campaign action")
	}
	at, err := startAt(r, act)
	if err != nil {
		return err
	}
	var st campaign.Status
	if at != nil {
		st, err = campaign.Schedule(r.Context(), d.DB, id, *at, d.Now(), httpapi.Caller(r).ID)
	} else {
		st, err = campaign.Control(r.Context(), d.DB, id, act, httpapi.Caller(r).ID)
	}
	if err != nil {
		return err
	}
	ans := map[string]any{"status": st}
	switch {
	case at != nil:
		ans["scheduledAt"] = at.UTC().Format(time.RFC3339)
	case act == campaign.Start:
		ans["estimatedStartTime"] = kickOff(d, r, id)
	}
	httpapi.WriteJSON(w, http.StatusOK, ans)
	return nil
}

// placer places and reads test calls (lib/testcall).
func placer(d *httpapi.Deps) *testcall.Placer {
	return &testcall.Placer{DB: d.DB, Vapi: d.Vapi, Now: d.Now}
}

// placeTestCall answers POST /api/campaigns/{id}/test-calls
// {"phone", "contactId"?}: one call of the campaign's assistant to phone,
// with the contact's variables.
func placeTestCall(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	var body struct {
		Phone     string  `json:"phone" validate:"required,max=40"`
		ContactID *string `json:"contactId"`
	}
	if err := jsonbody.Decode(r, &body); err != nil {
		return err
	}
	defaults, err := settings.Get(r.Context(), d.DB, d.Config)
	if err != nil {
		return err
	}
	req := testcall.Request{CampaignID: id, By: httpapi.Caller(r).ID}
	if req.Phone, err = phone.Normalize(body.Phone, defaults.DefaultRegion); err != nil {
		return problem.New(problem.Invalid, "phone must be a valid phone number, such as +14155550100", "field", "phone")
	}
	if body.ContactID != nil {
		c, err := uuid.Parse(*body.ContactID)
		if err != nil {
			return problem.New(problem.Invalid, "contactId must be a contact id", "field", "contactId")
		}
		req.ContactID = &c
	}
	t, err := placer(d).Place(r.Context(), req)
	return httpapi.Created(w, t, err)
}

// listTestCalls answers a campaign's latest test calls, live ones
// refreshed from Vapi.
func listTestCalls(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	list, err := placer(d).List(r.Context(), id)
	if list == nil {
		list = []testcall.TestCall{}
	}
	return httpapi.Reply(w, r, map[string]any{"testCalls": list}, err)
}

// startAt reads the time of a scheduled start, {"at": "<RFC3339>"}, from
// a start's body; nil for a start now (no body, or no "at") and for the
// other actions, which take no body.
func startAt(r *http.Request, act campaign.Action) (*time.Time, error) {
	if act != campaign.Start || r.ContentLength == 0 {
		return nil, nil
	}
	var body struct {
		At *string `json:"at"`
	}
	if err := jsonbody.Decode(r, &body); err != nil || body.At == nil {
		return nil, err
	}
	at, err := time.Parse(time.RFC3339, *body.At)
	if err != nil {
		return nil, problem.New(problem.Invalid, "at must be a date-time such as 2026-12-08T09:30:00Z (RFC 3339)", "field", "at")
	}
	return &at, nil
}

// kickOff runs a tick for the campaign right away so the first calls leave
// within seconds; the cron would otherwise take up to a cadence. A failure
// here is harmless: the next tick does the same work.
func kickOff(d *httpapi.Deps, r *http.Request, id uuid.UUID) string {
	next := d.Now().Add(d.Config.CronCadence).UTC()
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	if _, err := tick.Scheduler(d).Tick(ctx, id); err != nil {
		httpapi.Log(r).Warn("tick after start failed; the cron will launch", "err", err.Error())
		return next.Format("2006-01-02T15:04:05Z")
	}
	return d.Now().UTC().Format("2006-01-02T15:04:05Z")
}

func appendContacts(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := httpapi.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	key, err := idempotency.FromRequest(r, httpapi.Caller(r).ID, "append:"+id.String())
	if err != nil {
		return err
	}
	up, err := httpapi.ReadUpload(r, true, true)
	if err != nil {
		return err
	}
	defaults, err := settings.Get(ctx, d.DB, d.Config)
	if err != nil {
		return err
	}
	answer, err := idempotency.Run(ctx, d.DB, key, func(b db.Beginner) (any, error) {
		rep, err := importer.Append(ctx, b, id, up.File, defaults.DefaultRegion)
		return map[string]any{"importReport": rep}, err
	})
	return httpapi.WriteAnswer(w, http.StatusOK, answer, err)
}

func createCampaign(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	key, err := idempotency.FromRequest(r, httpapi.Caller(r).ID, "create")
	if err != nil {
		return err
	}
	up, err := httpapi.ReadUpload(r, false, false)
	if err != nil {
		return err
	}
	defaults, err := settings.Get(r.Context(), d.DB, d.Config)
	if err != nil {
		return err
	}
	if dry, err := formBool(up.Fields, "dryRun"); err != nil || dry {
		return previewImport(d, w, r, up, defaults, err)
	}
	n, err := newCampaign(up.Fields, httpapi.Caller(r), defaults)
	if err != nil {
		return err
	}
	answer, err := idempotency.Run(r.Context(), d.DB, key, func(b db.Beginner) (any, error) {
		id, rep, err := importer.Create(r.Context(), b, n, up.File)
		return map[string]any{"campaignId": id, "importReport": rep}, err
	})
	return httpapi.WriteAnswer(w, http.StatusCreated, answer, err)
}

// previewImport answers a dry run of create: what the file would import,
// computed by the importer's reader, with nothing stored.
func previewImport(d *httpapi.Deps, w http.ResponseWriter, r *http.Request, up *httpapi.Upload, defaults settings.Settings, err error) error {
	var mapping csvimport.Mapping
	var rules campaign.Rules
	if err == nil {
		mapping, err = formMapping(up.Fields)
	}
	if err == nil {
		rules, err = formRules(up.Fields, defaults.VapiPhoneNumberID, defaults)
	}
	if err == nil {
		err = rules.Validate(campaign.LegalWindow{Start: defaults.LegalWindowStart, End: defaults.LegalWindowEnd})
	}
	if err != nil {
		return err
	}
	win := campaign.Window{Start: rules.WindowStart, End: rules.WindowEnd, Days: rules.Days}
	opts := csvimport.Options{DefaultRegion: defaults.DefaultRegion, Mapping: mapping}
	p, err := importer.PreviewImport(r.Context(), d.DB, up.File, opts, win, rules.FallbackTimezone, d.Now())
	return httpapi.Reply(w, r, map[string]any{"preview": p}, err)
}

// formMapping reads the optional column mapping field.
func formMapping(f map[string]string) (csvimport.Mapping, error) {
	m, err := csvimport.ParseMapping(strings.TrimSpace(f["mapping"]))
	if err != nil {
		return nil, problem.New(problem.Invalid, err.Error(), "field", "mapping")
	}
	return m, nil
}

// newCampaign reads the create form; absent options take the defaults.
func newCampaign(f map[string]string, caller *user.Profile, defaults settings.Settings) (importer.NewCampaign, error) {
	n := importer.NewCampaign{
		Name:          f["name"],
		PhoneNumberID: strings.TrimSpace(f["phoneNumberId"]),
		Cap:           defaults.DefaultConcurrencyCap,
		Mode:          campaign.Mode(strings.ToLower(strings.TrimSpace(f["mode"]))),
		CreatedBy:     caller.ID,
		Region:        defaults.DefaultRegion,
	}
	if n.PhoneNumberID == "" {
		n.PhoneNumberID = defaults.VapiPhoneNumberID
	}
	if n.Mode == "" {
		n.Mode = campaign.Continuous
	}
	var err error
	if n.AssistantID, err = uuid.Parse(strings.TrimSpace(f["assistantId"])); err != nil {
		return n, problem.New(problem.Invalid, "assistantId is required (an assistant id of the directory)", "field", "assistantId")
	}
	if v := strings.TrimSpace(f["cap"]); v != "" {
		if n.Cap, err = strconv.Atoi(v); err != nil {
			return n, problem.New(problem.Invalid, "cap must be an integer from 1 to 1000", "field", "cap")
		}
	}
	if n.LineQuietGating, err = formBool(f, "lineQuietGating"); err != nil {
		return n, err
	}
	if n.Mapping, err = formMapping(f); err != nil {
		return n, err
	}
	if n.Outcomes, err = outcome.Parse(f["outcomeFields"], f["outcomeRules"]); err != nil {
		return n, err
	}
	n.Legal = campaign.LegalWindow{Start: defaults.LegalWindowStart, End: defaults.LegalWindowEnd}
	n.Voicemail = campaign.Voicemail{Policy: campaign.VoicemailPolicy(strings.TrimSpace(f["voicemailPolicy"])), Message: f["voicemailMessage"]}
	if n.Voicemail.Policy == "" {
		n.Voicemail.Policy = campaign.HangUp
	}
	n.Rules, err = formRules(f, n.PhoneNumberID, defaults)
	return n, err
}

// formRules reads the calling-discipline fields of the create form; each
// absent one keeps its default.
func formRules(f map[string]string, phoneNumberID string, defaults settings.Settings) (campaign.Rules, error) {
	r := campaign.DefaultRules()
	r.WindowStart, r.WindowEnd, r.Days = defaults.DefaultWindowStart, defaults.DefaultWindowEnd, defaults.DefaultCallingDays
	text := func(name string, dst *string) {
		if v := strings.TrimSpace(f[name]); v != "" {
			*dst = v
		}
	}
	text("callingWindowStart", &r.WindowStart)
	text("callingWindowEnd", &r.WindowEnd)
	text("timezone", &r.FallbackTimezone)
	var err error
	if v := strings.TrimSpace(f["callingDays"]); v != "" {
		if r.Days, err = campaign.ParseDays(v); err != nil {
			return r, err
		}
	}
	if err := formInt(f, "maxAttempts", &r.MaxAttempts); err != nil {
		return r, err
	}
	if err := formInt(f, "retryDelayMinutes", &r.RetryDelayMinutes); err != nil {
		return r, err
	}
	if v, ok := f["retryOn"]; ok {
		r.RetryOn = splitList(v)
	}
	if v := strings.TrimSpace(f["spendLimit"]); v != "" {
		limit, err := strconv.ParseFloat(v, 64)
		if err != nil {
			limit = math.NaN() // not a number: Validate refuses it as such
		}
		r.SpendLimitUSD = &limit
	}
	if r.AutoDNCOnOptOut, err = formBool(f, "autoDncOnOptOut"); err != nil {
		return r, err
	}
	r.PhoneNumberIDs = splitList(f["phoneNumberIds"])
	if len(r.PhoneNumberIDs) == 0 {
		r.PhoneNumberIDs = []string{phoneNumberID}
	}
	return r, nil
}

func formBool(f map[string]string, name string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(f[name])) {
	case "", "false", "0", "off":
		return false, nil
	case "true", "1", "on":
		return true, nil
	}
	return false, problem.New(problem.Invalid, name+" must be true or false", "field", name)
}

func formInt(f map[string]string, name string, dst *int) error {
	v := strings.TrimSpace(f[name])
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return problem.New(problem.Invalid, name+" must be an integer", "field", name)
	}
	*dst = n
	return nil
}

// splitList reads "a, b,c" (empty items dropped).
func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func listContacts(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := campaign.ContactFilter{Page: 1, Limit: 50, Status: strings.ToUpper(q.Get("status")), Search: q.Get("search")}
	if err := httpapi.PositiveInt(q.Get("page"), "page", 1<<30, &f.Page); err != nil {
		return err
	}
	if err := httpapi.PositiveInt(q.Get("limit"), "limit", 500, &f.Limit); err != nil {
		return err
	}
	if f.Status != "" && !campaign.ValidCallStatus[f.Status] {
		return problem.New(problem.Invalid, "status must be a call status or NOT_CALLED", "field", "status")
	}
	f.Result = strings.TrimSpace(q.Get("result"))
	if f.Outcomes, err = outcomeFilter(d, r, id); err != nil {
		return err
	}
	contacts, page, err := campaign.Contacts(r.Context(), d.DB, id, f)
	return httpapi.Reply(w, r, map[string]any{"contacts": contacts, "pagination": page}, err)
}

func export(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	cursor, ok := campaign.ParseCursor(r.URL.Query().Get("cursor"))
	if !ok {
		return problem.New(problem.Invalid, "invalid cursor", "field", "cursor")
	}
	page, err := campaign.Export(r.Context(), d.DB, id, cursor, campaign.MaxExportPage, d.RecordingLinks())
	if err != nil {
		return err
	}
	if page.Next > 0 {
		next := "/api/campaigns/" + id.String() + "/export.csv?cursor=" + strconv.Itoa(page.Next)
		w.Header().Set("Link", "<"+next+`>; rel="next"`)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="campaign-`+id.String()+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(page.CSV)
	return nil
}

// getRecording answers GET /api/campaigns/{id}/calls/{callId}/recording with
// the short-lived URL Vapi gives for the call's recording, asked afresh
// each time and never stored: a 302 to it, or {"url": …} to a request
// that accepts JSON (the dashboard's player, which must send its token
// and so cannot let an <audio> element follow the redirect itself).
func getRecording(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	campaignID, err := httpapi.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	callID, err := httpapi.PathID(r, "callId", "call")
	if err != nil {
		return err
	}
	ch := vapi.Mono
	switch r.URL.Query().Get("channel") {
	case "", "mono":
	case "stereo":
		ch = vapi.Stereo
	default:
		return problem.New(problem.Invalid, "channel must be mono or stereo", "field", "channel")
	}
	providerID, err := recording.ProviderCallID(r.Context(), d.DB, campaignID, callID)
	if err != nil {
		return err
	}
	u, err := d.Vapi.RecordingURL(r.Context(), providerID, ch)
	switch {
	case vapi.IsNotFound(err):
		return problem.New(problem.NotFound, "Vapi has no "+string(ch)+" recording of this call")
	case err != nil:
		return problem.Wrap(problem.Upstream, err, "Vapi could not give the recording right now; try again")
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		httpapi.WriteJSON(w, http.StatusOK, map[string]string{"url": u})
		return nil
	}
	http.Redirect(w, r, u, http.StatusFound)
	return nil
}
