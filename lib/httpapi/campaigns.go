package httpapi

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
	"github.com/autolynx/autolynx/lib/idempotency"
	"github.com/autolynx/autolynx/lib/importer"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/scheduler"
	"github.com/autolynx/autolynx/lib/settings"
	"github.com/autolynx/autolynx/lib/user"
)

func (d *Deps) listCampaigns(w http.ResponseWriter, r *http.Request) error {
	list, err := campaign.List(r.Context(), d.DB, d.Now())
	if list == nil {
		list = []campaign.Campaign{}
	}
	return reply(w, r, map[string]any{"campaigns": list}, err)
}

// pathID reads a UUID path value; anything else names no such thing.
func pathID(r *http.Request, name, thing string) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue(name))
	if err != nil {
		return uuid.Nil, problem.New(problem.NotFound, thing+" not found")
	}
	return id, nil
}

func (d *Deps) getCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	s, err := campaign.Get(r.Context(), d.DB, id, d.Now())
	return reply(w, r, s, err)
}

func (d *Deps) patchCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	var body struct {
		SpendLimit *float64 `json:"spendLimit"`
	}
	if err := DecodeJSON(r, &body); err != nil {
		return err
	}
	if err := campaign.SetSpendLimit(r.Context(), d.DB, id, body.SpendLimit); err != nil {
		return err
	}
	s, err := campaign.Get(r.Context(), d.DB, id, d.Now())
	return reply(w, r, s, err)
}

func (d *Deps) getCall(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	callID, err := pathID(r, "callId", "call")
	if err != nil {
		return err
	}
	c, err := campaign.Call(r.Context(), d.DB, id, callID)
	return reply(w, r, c, err)
}

// control answers POST /api/campaigns/{id}/{start|pause|resume|stop}.
func (d *Deps) control(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	act, ok := campaign.ParseAction(r.PathValue("action"))
	if !ok {
		return problem.New(problem.NotFound, "no such campaign action")
	}
	st, err := campaign.Control(r.Context(), d.DB, id, act, caller(r).ID)
	if err != nil {
		return err
	}
	ans := map[string]any{"status": st}
	if act == campaign.Start {
		ans["estimatedStartTime"] = d.kickOff(r, id)
	}
	WriteJSON(w, http.StatusOK, ans)
	return nil
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

func (d *Deps) appendContacts(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	key, err := idempotency.FromRequest(r, caller(r).ID, "append:"+id.String())
	if err != nil {
		return err
	}
	up, err := readUpload(r, true, true)
	if err != nil {
		return err
	}
	defaults, err := settings.Get(ctx, d.DB, d.Config)
	if err != nil {
		return err
	}
	answer, err := idempotency.Run(ctx, d.DB, key, func(b db.Beginner) (any, error) {
		rep, err := importer.Append(ctx, b, id, up.csv, defaults.DefaultRegion)
		return map[string]any{"importReport": rep}, err
	})
	return writeAnswer(w, http.StatusOK, answer, err)
}

func (d *Deps) createCampaign(w http.ResponseWriter, r *http.Request) error {
	key, err := idempotency.FromRequest(r, caller(r).ID, "create")
	if err != nil {
		return err
	}
	up, err := readUpload(r, false, false)
	if err != nil {
		return err
	}
	defaults, err := settings.Get(r.Context(), d.DB, d.Config)
	if err != nil {
		return err
	}
	if dry, err := formBool(up.fields, "dryRun"); err != nil || dry {
		return d.previewImport(w, r, up, defaults, err)
	}
	n, err := newCampaign(up.fields, caller(r), defaults)
	if err != nil {
		return err
	}
	answer, err := idempotency.Run(r.Context(), d.DB, key, func(b db.Beginner) (any, error) {
		id, rep, err := importer.Create(r.Context(), b, n, up.csv)
		return map[string]any{"campaignId": id, "importReport": rep}, err
	})
	return writeAnswer(w, http.StatusCreated, answer, err)
}

// previewImport answers a dry run of create: what the file would import,
// computed by the importer's reader, with nothing stored.
func (d *Deps) previewImport(w http.ResponseWriter, r *http.Request, up *upload, defaults settings.Settings, err error) error {
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
		return err
	}
	win := campaign.Window{Start: rules.WindowStart, End: rules.WindowEnd, Days: rules.Days}
	opts := csvimport.Options{DefaultRegion: defaults.DefaultRegion, Mapping: mapping}
	p, err := importer.PreviewImport(r.Context(), d.DB, up.csv, opts, win, rules.FallbackTimezone, d.Now())
	return reply(w, r, map[string]any{"preview": p}, err)
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

func (d *Deps) listContacts(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := campaign.ContactFilter{Page: 1, Limit: 50, Status: strings.ToUpper(q.Get("status")), Search: q.Get("search")}
	if err := positiveInt(q.Get("page"), "page", 1<<30, &f.Page); err != nil {
		return err
	}
	if err := positiveInt(q.Get("limit"), "limit", 500, &f.Limit); err != nil {
		return err
	}
	if f.Status != "" && !campaign.ValidCallStatus[f.Status] {
		return problem.New(problem.Invalid, "status must be a call status or NOT_CALLED", "field", "status")
	}
	contacts, page, err := campaign.Contacts(r.Context(), d.DB, id, f)
	return reply(w, r, map[string]any{"contacts": contacts, "pagination": page}, err)
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

func (d *Deps) export(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	cursor, ok := campaign.ParseCursor(r.URL.Query().Get("cursor"))
	if !ok {
		return problem.New(problem.Invalid, "invalid cursor", "field", "cursor")
	}
	page, err := campaign.Export(r.Context(), d.DB, id, cursor, campaign.MaxExportPage, d.recordingLinks())
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
