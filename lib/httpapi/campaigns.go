package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/csvimport"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/idempotency"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/ratelimit"
	"github.com/autolynx/autolynx/lib/scheduler"
	"github.com/autolynx/autolynx/lib/settings"
	"github.com/autolynx/autolynx/lib/user"
)

// Campaigns serves /api/campaigns and every /api/campaigns/{id}/{action}
// (vercel.json rewrites them to ?id=&action=).
func Campaigns(d *Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		idText, action := q.Get("id"), q.Get("action")
		if action == "recording" && q.Has("sig") && r.Header.Get("Authorization") == "" {
			d.signedRecording(w, r, idText)
			return
		}
		need := anyUser
		switch {
		case r.Method == http.MethodPost && (idText == "" || action == "contacts"):
			need.bucket = ratelimit.Upload
		case action == "export.csv":
			need.bucket = ratelimit.Export
		}
		caller, err := d.authorize(r, need)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		if idText == "" {
			d.campaignsRoot(w, r, caller)
			return
		}
		id, err := uuid.Parse(idText)
		if err != nil {
			WriteError(w, r, problem.New(problem.NotFound, "campaign not found"))
			return
		}
		d.campaignAction(w, r, caller, id, action)
	})
}

func (d *Deps) campaignsRoot(w http.ResponseWriter, r *http.Request, caller *user.Profile) {
	switch r.Method {
	case http.MethodGet:
		list, err := campaign.List(r.Context(), d.DB, d.Now())
		if list == nil {
			list = []campaign.Campaign{}
		}
		respond(w, r, map[string]any{"campaigns": list}, err)
	case http.MethodPost:
		d.createCampaign(w, r, caller)
	default:
		MethodNotAllowed(w, r, http.MethodGet, http.MethodPost)
	}
}

func (d *Deps) campaignAction(w http.ResponseWriter, r *http.Request, caller *user.Profile, id uuid.UUID, action string) {
	ctx := r.Context()
	switch {
	case r.Method == http.MethodPatch && action == "":
		var body struct {
			SpendLimit *float64 `json:"spendLimit"`
		}
		if err := DecodeJSON(w, r, &body); err != nil {
			WriteError(w, r, err)
			return
		}
		if err := campaign.SetSpendLimit(ctx, d.DB, id, body.SpendLimit); err != nil {
			WriteError(w, r, err)
			return
		}
		s, err := campaign.Get(ctx, d.DB, id, d.Now())
		respond(w, r, s, err)
	case r.Method == http.MethodGet && (action == "" || action == "summary"):
		s, err := campaign.Get(ctx, d.DB, id, d.Now())
		respond(w, r, s, err)
	case r.Method == http.MethodGet && action == "contacts":
		d.listContacts(w, r, id)
	case r.Method == http.MethodPost && action == "contacts":
		d.appendContacts(w, r, caller, id)
	case r.Method == http.MethodGet && action == "calls":
		callID, err := uuid.Parse(r.URL.Query().Get("callId"))
		if err != nil {
			WriteError(w, r, problem.New(problem.NotFound, "call not found"))
			return
		}
		c, err := campaign.Call(ctx, d.DB, id, callID)
		respond(w, r, c, err)
	case r.Method == http.MethodGet && action == "export.csv":
		d.export(w, r, id)
	case r.Method == http.MethodGet && action == "recording":
		d.recording(w, r, id)
	case r.Method == http.MethodPost:
		act, ok := campaign.ParseAction(action)
		if !ok {
			WriteError(w, r, problem.New(problem.NotFound, "no such campaign action"))
			return
		}
		d.control(w, r, caller, id, act)
	case action == "":
		MethodNotAllowed(w, r, http.MethodGet, http.MethodPatch)
	case action == "summary" || action == "contacts" || action == "export.csv" || action == "recording":
		MethodNotAllowed(w, r, http.MethodGet)
	default:
		WriteError(w, r, problem.New(problem.NotFound, "no such campaign route"))
	}
}

func (d *Deps) control(w http.ResponseWriter, r *http.Request, caller *user.Profile, id uuid.UUID, act campaign.Action) {
	st, err := campaign.Control(r.Context(), d.DB, id, act, caller.ID)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	ans := map[string]any{"status": st}
	if act == campaign.Start {
		ans["estimatedStartTime"] = d.kickOff(r, id)
	}
	WriteJSON(w, http.StatusOK, ans)
}

// kickOff runs a tick for the campaign right away so the first calls leave
// within seconds; the cron would otherwise take up to a cadence. A failure
// here is harmless: the next tick does the same work.
func (d *Deps) kickOff(r *http.Request, id uuid.UUID) string {
	next := d.Now().Add(d.Config.CronCadence).UTC()
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	if _, err := d.Scheduler().Tick(ctx, id); err != nil {
		logFrom(r).Warn("tick after start failed; the cron will launch", "err", err.Error())
		return next.Format("2006-01-02T15:04:05Z")
	}
	return d.Now().UTC().Format("2006-01-02T15:04:05Z")
}

func (d *Deps) appendContacts(w http.ResponseWriter, r *http.Request, caller *user.Profile, id uuid.UUID) {
	ctx := r.Context()
	key, err := idempotency.FromRequest(r, caller.ID, "append:"+id.String())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	up, err := readUpload(r, true, true)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	defaults, err := settings.Get(ctx, d.DB, d.Config)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	answer, err := idempotency.Run(ctx, d.DB, key, func(b db.Beginner) (any, error) {
		rep, err := campaign.Append(ctx, b, id, up.csv, defaults.DefaultRegion)
		return map[string]any{"importReport": rep}, err
	})
	writeAnswer(w, r, http.StatusOK, answer, err)
}

func (d *Deps) createCampaign(w http.ResponseWriter, r *http.Request, caller *user.Profile) {
	key, err := idempotency.FromRequest(r, caller.ID, "create")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	up, err := readUpload(r, false, false)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	defaults, err := settings.Get(r.Context(), d.DB, d.Config)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if dry, err := formBool(up.fields, "dryRun"); err != nil || dry {
		d.previewImport(w, r, up, defaults, err)
		return
	}
	n, err := newCampaign(up.fields, caller, defaults)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	answer, err := idempotency.Run(r.Context(), d.DB, key, func(b db.Beginner) (any, error) {
		id, rep, err := campaign.Create(r.Context(), b, n, up.csv)
		return map[string]any{"campaignId": id, "importReport": rep}, err
	})
	writeAnswer(w, r, http.StatusCreated, answer, err)
}

// previewImport answers a dry run of create: what the file would import,
// computed by the importer's reader, with nothing stored.
func (d *Deps) previewImport(w http.ResponseWriter, r *http.Request, up *upload, defaults settings.Settings, err error) {
	var mapping csvimport.Mapping
	var rules campaign.Rules
	if err == nil {
		mapping, err = formMapping(up.fields)
	}
	if err == nil {
		rules, err = formRules(up.fields, defaults.VapiPhoneNumberID, defaults)
	}
	if err == nil {
		err = rules.Validate(campaign.LegalWindow{Start: defaults.LegalWindowStart, End: defaults.LegalWindowEnd})
	}
	if err != nil {
		WriteError(w, r, err)
		return
	}
	win := campaign.Window{Start: rules.WindowStart, End: rules.WindowEnd, Days: rules.Days}
	opts := csvimport.Options{DefaultRegion: defaults.DefaultRegion, Mapping: mapping}
	p, err := campaign.PreviewImport(r.Context(), d.DB, up.csv, opts, win, rules.FallbackTimezone, d.Now())
	respond(w, r, map[string]any{"preview": p}, err)
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
func newCampaign(f map[string]string, caller *user.Profile, defaults settings.Settings) (campaign.NewCampaign, error) {
	n := campaign.NewCampaign{
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
	n.Legal = campaign.LegalWindow{Start: defaults.LegalWindowStart, End: defaults.LegalWindowEnd}
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

func (d *Deps) listContacts(w http.ResponseWriter, r *http.Request, id uuid.UUID) {
	q := r.URL.Query()
	f := campaign.ContactFilter{Page: 1, Limit: 50, Status: strings.ToUpper(q.Get("status")), Search: q.Get("search")}
	if err := positiveInt(q.Get("page"), "page", 1<<30, &f.Page); err != nil {
		WriteError(w, r, err)
		return
	}
	if err := positiveInt(q.Get("limit"), "limit", 500, &f.Limit); err != nil {
		WriteError(w, r, err)
		return
	}
	if f.Status != "" && !campaign.ValidCallStatus[f.Status] {
		WriteError(w, r, problem.New(problem.Invalid, "status must be a call status or NOT_CALLED", "field", "status"))
		return
	}
	contacts, page, err := campaign.Contacts(r.Context(), d.DB, id, f)
	respond(w, r, map[string]any{"contacts": contacts, "pagination": page}, err)
}

func positiveInt(v, field string, max int, dst *int) error {
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return problem.New(problem.Invalid, field+" must be an integer from 1 to "+strconv.Itoa(max), "field", field)
	}
	*dst = n
	return nil
}

func (d *Deps) export(w http.ResponseWriter, r *http.Request, id uuid.UUID) {
	cursor, ok := campaign.ParseCursor(r.URL.Query().Get("cursor"))
	if !ok {
		WriteError(w, r, problem.New(problem.Invalid, "invalid cursor", "field", "cursor"))
		return
	}
	page, err := campaign.Export(r.Context(), d.DB, id, cursor, campaign.MaxExportPage, d.recordingLinks())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if page.Next > 0 {
		next := "/api/campaigns/" + id.String() + "/export.csv?cursor=" + strconv.Itoa(page.Next)
		w.Header().Set("Link", "<"+next+`>; rel="next"`)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="campaign-`+id.String()+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(page.CSV)
}

// respond writes v, or err in the error envelope. A GET answer carries an
// ETag and an unchanged one is answered 304, so the dashboard can poll
// every second for the price of a hash.
func respond(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if r.Method != http.MethodGet {
		WriteJSON(w, http.StatusOK, v)
		return
	}
	body, err := json.Marshal(v)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-store")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(append(body, '\n'))
}

// Scheduler builds the tick runner from the deps.
func (d *Deps) Scheduler() *scheduler.Scheduler {
	return &scheduler.Scheduler{
		DB: d.DB, Vapi: d.Vapi, Now: d.Now, Log: d.Log,
		WebhookURL:            d.Config.PublicURL + "/api/webhooks/vapi",
		WebhookSecret:         d.Config.WebhookSecret,
		WebhookSecretPrevious: d.Config.WebhookSecretPrevious,
		CredentialID:          d.Config.VapiServerCredentialID,
		URLs:                  d.urlPolicy(),
	}
}
