package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/dev/apitest"
)

// numberTargets are the numeric fields the fuzzer aims at: multipart
// fields of the create form, then JSON fields by route ("" is the
// campaign made for the run).
var numberTargets = []struct{ form, path, field string }{
	{form: "spendLimit"}, {form: "cap"}, {form: "maxAttempts"}, {form: "retryDelayMinutes"},
	{path: "", field: "spendLimit"},
	{path: "/api/admin/operations", field: "spendAlertUsd"},
	{path: "/api/admin/operations", field: "retentionTranscriptDays"},
	{path: "/api/admin/operations", field: "retentionPiiDays"},
	{path: "/api/admin/config", field: "defaultConcurrencyCap"},
	{path: "/api/admin/config", field: "defaultCronCadence"},
	{path: "/api/admin/config", field: "defaultCallingDays"},
}

// FuzzNumberFields drives the multipart and JSON decoders with any text in
// a numeric field: never a 500, and whatever is accepted leaves every page
// that shows it readable. Seeds are in code and under testdata/fuzz.
func FuzzNumberFields(f *testing.F) {
	for _, v := range []string{"NaN", "-Inf", "1e20", "1e300", "30.0", "0.001", "7", "[1.5]", "1e-400", "-0", "9999999999.999"} {
		for i := range numberTargets {
			f.Add(uint8(i), v)
		}
	}
	e := apitest.New(f, apitest.Options{})
	assistant := e.CreateAssistant("Sales")
	c := e.CreateCampaign(map[string]string{"name": "Fuzz", "assistantId": assistant}, apitest.Contacts(2))
	campaignPath := "/api/campaigns/" + c.CampaignID
	f.Fuzz(func(t *testing.T, target uint8, v string) {
		nt := numberTargets[int(target)%len(numberTargets)]
		var status int
		var raw []byte
		if nt.form != "" {
			ct, body := apitest.Multipart(map[string]string{"name": "Fuzz", "assistantId": assistant, nt.form: v}, apitest.Contacts(1))
			status, raw = fuzzSend(t, e, http.MethodPost, "/api/campaigns", e.Operator, ct, body)
		} else {
			path := nt.path
			if path == "" {
				path = campaignPath
			}
			status, raw = fuzzSend(t, e, http.MethodPatch, path, e.Admin, "application/json", strings.NewReader(`{"`+nt.field+`": `+v+`}`))
		}
		if status >= 500 {
			t.Fatalf("%s%s = %q: %d %s", nt.form, nt.field, v, status, raw)
		}
		pages := []string{campaignPath}
		var made apitest.Created
		if status == http.StatusCreated && json.Unmarshal(raw, &made) == nil {
			pages = append(pages, "/api/campaigns/"+made.CampaignID)
		}
		for _, page := range append(pages, "/api/admin/operations", "/api/admin/config", "/api/campaigns") {
			if st, body := fuzzSend(t, e, http.MethodGet, page, e.Admin, "", nil); st != http.StatusOK {
				t.Fatalf("after %s%s = %q (%d): GET %s answers %d %s", nt.form, nt.field, v, status, page, st, body)
			}
		}
	})
}

// fuzzSend is Env.Do for a fuzz target (which may not call f's helpers).
func fuzzSend(t *testing.T, e *apitest.Env, method, path, token, contentType string, body io.Reader) (int, []byte) {
	req, err := http.NewRequest(method, e.Server.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", method, path, err)
	}
	return resp.StatusCode, raw
}
