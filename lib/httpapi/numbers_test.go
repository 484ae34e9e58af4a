package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/dev/apitest"
)

// badNumbers are values a number field must refuse: not a number,
// infinities, beyond any column's range, and below a cent.
var badNumbers = []string{"NaN", "nan", "Inf", "+Inf", "-Inf", "Infinity", "1e20", "1e300", "-1", "0", "0.001", "9999999999.999"}

// badIntegers are values an integer field must refuse.
var badIntegers = []string{"NaN", "Inf", "1.5", "2.0e0", "1e3", "99999999999999999999", "-1", "0x10", ""}

// Every numeric field of every route answers 400 VALIDATION_ERROR for a
// value that is not a number in its range, and nothing is stored: the
// campaign detail page keeps working.
func TestM2NumbersAreNumbers(t *testing.T) {
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	t.Run("create form", func(t *testing.T) {
		for _, field := range []string{"spendLimit", "cap", "maxAttempts", "retryDelayMinutes"} {
			values := badNumbers
			if field != "spendLimit" {
				values = badIntegers[:len(badIntegers)-1]
			}
			for _, v := range values {
				ct, body := apitest.Multipart(e.form(map[string]string{field: v}), apitest.CSVHeader+apitest.Rows(0, 2))
				refused(t, e.Send(t, http.MethodPost, "/api/campaigns", tok, ct, body), field+"="+v, field)
			}
		}
		if n := e.Count(t, `select count(*) from campaigns`); n != 0 {
			t.Errorf("%d campaigns stored from refused forms", n)
		}
	})
	c := e.create(t, tok, map[string]string{"spendLimit": "25.50"}, apitest.CSVHeader+apitest.Rows(0, 2))
	path := "/api/campaigns/" + c.CampaignID
	jsonCases := []struct {
		path, field string
		token       string
		values      []string
	}{
		{path, "spendLimit", tok, []string{"1e20", "1e300", "-5", "0", "0.001", `"12"`, "true"}},
		{"/api/admin/operations", "spendAlertUsd", e.Admin, []string{"1e20", "1e300", "-5", "0", "0.001", `"12"`}},
		{"/api/admin/operations", "spendAlertDailyUsd", e.Admin, []string{"1e300", "0"}},
		{"/api/admin/operations", "retentionTranscriptDays", e.Admin, []string{"30.5", "1e300", "-1", "0", "36501", `"30"`}},
		{"/api/admin/operations", "retentionPiiDays", e.Admin, []string{"0.5", "1e20", "0"}},
		{"/api/admin/operations/" + c.CampaignID, "spendAlertUsd", e.Admin, []string{"1e300", "9999999999.999", "0"}},
		{"/api/admin/config", "defaultConcurrencyCap", e.Admin, []string{"1.5", "1e3", "0", "1001", "99999999999999999999"}},
		{"/api/admin/config", "accountConcurrencyCap", e.Admin, []string{"2.5", "-1", "10001"}},
		{"/api/admin/config", "defaultCronCadence", e.Admin, []string{"60.5", "9", "3601", "1e2"}},
		{"/api/admin/config", "defaultCallingDays", e.Admin, []string{"[1.5]", "[0]", "[8]", "[1e300]"}},
		{"/api/admin/config", "frequencyCapAttempts", e.Admin, []string{"1.5", "-1", "101"}},
		{"/api/admin/config", "frequencyCapDays", e.Admin, []string{"0", "91", "7.5"}},
	}
	for _, jc := range jsonCases {
		for _, v := range jc.values {
			body := `{"` + jc.field + `": ` + v + `}`
			r := e.Send(t, http.MethodPatch, jc.path, jc.token, "application/json", strings.NewReader(body))
			refused(t, r, "PATCH "+jc.path+" "+body, jc.field)
		}
	}
	for _, q := range []string{"page=1.5", "page=NaN", "limit=Inf", "limit=1e2", "page=0"} {
		field, _, _ := strings.Cut(q, "=")
		refused(t, e.Send(t, http.MethodGet, path+"/contacts?"+q, tok, "", nil), q, field)
	}
	for _, q := range []string{path + "/export.csv?cursor=NaN", path + "/export.csv?cursor=1.5", "/api/dnc?limit=1e2", "/api/dnc?limit=Inf"} {
		field := q[strings.LastIndex(q, "?")+1 : strings.LastIndex(q, "=")]
		refused(t, e.Send(t, http.MethodGet, q, tok, "", nil), q, field)
	}
	var detail map[string]any
	e.GetJSON(t, tok, path, &detail)
	var ops map[string]any
	e.GetJSON(t, e.Admin, "/api/admin/operations", &ops)
	if p := ops["policy"].(map[string]any); p["spendAlertUsd"] != nil || p["retentionTranscriptDays"] != nil {
		t.Errorf("refused values were stored: %v", p)
	}
}

// refused reports unless r is a 400 VALIDATION_ERROR naming field.
func refused(t *testing.T, r apitest.Reply, what, field string) {
	t.Helper()
	var e apitest.APIError
	if r.Status != http.StatusBadRequest || json.Unmarshal(r.Body, &e) != nil || e.Error.Code != "VALIDATION_ERROR" || e.Error.Details["field"] != field {
		t.Errorf("%s: answer %d %s, want 400 VALIDATION_ERROR naming %s", what, r.Status, r.Body, field)
	}
}

// L4: a horizon written as 30.0 is thirty days, stored as an integer so
// the operations page and the tick's retention can read it back.
func TestLowL4RetentionWholeDays(t *testing.T) {
	e := newCampEnv(t, apitest.Options{})
	r := e.Send(t, http.MethodPatch, "/api/admin/operations", e.Admin, "application/json",
		strings.NewReader(`{"retentionTranscriptDays": 30.0, "retentionPiiDays": 1.8e2}`))
	if r.Status != http.StatusOK {
		t.Fatalf("PATCH 30.0: %d %s", r.Status, r.Body)
	}
	var ops struct {
		Policy struct{ RetentionTranscriptDays, RetentionPiiDays *int }
	}
	e.GetJSON(t, e.Admin, "/api/admin/operations", &ops)
	if p := ops.Policy; p.RetentionTranscriptDays == nil || *p.RetentionTranscriptDays != 30 || p.RetentionPiiDays == nil || *p.RetentionPiiDays != 180 {
		t.Errorf("policy read back: %+v", p)
	}
	var stored string
	if err := e.DB.QueryRow(t.Context(), `select value::text from system_config where key = 'retention_transcript_days'`).Scan(&stored); err != nil || stored != "30" {
		t.Errorf("stored %q (%v), want 30", stored, err)
	}
}

// L3: a zone Go accepts but Postgres does not know ("Local") would make
// every claim of the campaign fail; it is refused at create.
func TestLowL3TimezonePostgresKnows(t *testing.T) {
	e := newCampEnv(t, apitest.Options{})
	tok := e.NewOperator(t)
	for _, zone := range []string{"Local", "Mars/Olympus"} {
		ct, body := apitest.Multipart(e.form(map[string]string{"timezone": zone}), apitest.CSVHeader+apitest.Rows(0, 1))
		refused(t, e.Send(t, http.MethodPost, "/api/campaigns", tok, ct, body), "timezone="+zone, "timezone")
	}
	e.create(t, tok, map[string]string{"timezone": "America/Chicago"}, apitest.CSVHeader+apitest.Rows(0, 1))
}
