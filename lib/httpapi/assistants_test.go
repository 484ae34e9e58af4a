package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/lib/vapi"
)

type assistantJSON struct {
	ID                  string          `json:"id"`
	ProviderAssistantID string          `json:"providerAssistantId"`
	Name                string          `json:"name"`
	Source              string          `json:"source"`
	Active              bool            `json:"active"`
	Config              json.RawMessage `json:"config"`
}

func vapiClient(e *apitest.Env) *vapi.Client {
	return vapi.New(vapi.Config{BaseURL: e.Sim.URL(), APIKey: e.Sim.APIKey()})
}

func TestAssistantLifecycle(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	var a assistantJSON
	body := map[string]any{"name": "Closer", "config": map[string]any{"firstMessage": "Hi {{name}}", "systemPrompt": "Sell."}}
	if st := e.JSON("POST", "/api/assistants", e.Admin, body, &a); st != http.StatusCreated || a.Source != "local" || !a.Active {
		t.Fatalf("create: %d %+v", st, a)
	}
	// At Vapi it reports to us and carries the prompt as a system message.
	at, err := vapiClient(e).GetAssistant(context.Background(), a.ProviderAssistantID)
	if err != nil {
		t.Fatal(err)
	}
	if at.Server == nil || at.Server.URL != e.Server.URL+"/api/webhooks/vapi" || at.Server.Headers["X-Vapi-Secret"] != apitest.WebhookSecret {
		t.Errorf("assistant server at Vapi: %+v", at.Server)
	}
	if len(at.ServerMessages) == 0 || string(at.Model) == "" {
		t.Errorf("assistant at Vapi: serverMessages %v model %s", at.ServerMessages, at.Model)
	}
	var list struct{ Assistants []assistantJSON }
	if st := e.JSON("GET", "/api/assistants", e.Operator, nil, &list); st != 200 || len(list.Assistants) != 1 {
		t.Fatalf("list: %d %+v", st, list)
	}
	var edited assistantJSON
	if st := e.JSON("PATCH", "/api/assistants/"+a.ID, e.Admin, map[string]any{"name": "Closer 2", "config": map[string]any{"firstMessage": "Hello"}}, &edited); st != 200 || edited.Name != "Closer 2" {
		t.Fatalf("edit: %d %+v", st, edited)
	}
	if at, _ := vapiClient(e).GetAssistant(context.Background(), a.ProviderAssistantID); at.FirstMessage != "Hello" || at.Name != "Closer 2" {
		t.Errorf("edit not at Vapi: %+v", at)
	}
	if st := e.JSON("PATCH", "/api/assistants/"+a.ID, e.Admin, map[string]any{"active": false}, &edited); st != 200 || edited.Active {
		t.Fatalf("deactivate: %d %+v", st, edited)
	}
	// An inactive assistant cannot start a campaign.
	ct, b := apitest.Multipart(map[string]string{"name": "x", "assistantId": a.ID}, apitest.Contacts(1))
	if resp := e.Do("POST", "/api/campaigns", e.Operator, ct, b); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("campaign on inactive assistant: %d", resp.StatusCode)
	}
	e.JSON("PATCH", "/api/assistants/"+a.ID, e.Admin, map[string]any{"active": true}, nil)
	c := e.CreateCampaign(map[string]string{"name": "uses it", "assistantId": a.ID}, apitest.Contacts(1))
	var conflict struct{ Error struct{ Code string } }
	if st := e.JSON("DELETE", "/api/assistants/"+a.ID, e.Admin, nil, &conflict); st != http.StatusConflict || conflict.Error.Code != "CONFLICT" {
		t.Fatalf("delete in use: %d %+v", st, conflict)
	}
	e.Control(c.CampaignID, "stop")
	if st := e.JSON("DELETE", "/api/assistants/"+a.ID, e.Admin, nil, nil); st != http.StatusNoContent {
		t.Fatalf("delete: %d", st)
	}
	if st := e.JSON("GET", "/api/assistants/"+a.ID, e.Admin, nil, nil); st != http.StatusNotFound {
		t.Fatalf("deleted still readable: %d", st)
	}
	// Never deleted at Vapi implicitly; the stopped campaign still reads.
	if _, err := vapiClient(e).GetAssistant(context.Background(), a.ProviderAssistantID); err != nil {
		t.Errorf("assistant deleted at Vapi: %v", err)
	}
	if st := e.JSON("GET", "/api/campaigns/"+c.CampaignID, e.Operator, nil, nil); st != 200 {
		t.Errorf("campaign of a deleted assistant: %d", st)
	}
}

func TestAssistantImport(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	made, err := vapiClient(e).CreateAssistant(context.Background(), json.RawMessage(`{"name":"Made at Vapi","firstMessage":"Yo"}`))
	if err != nil {
		t.Fatal(err)
	}
	var a assistantJSON
	if st := e.JSON("POST", "/api/assistants/import", e.Admin, map[string]any{"providerAssistantId": made.ID}, &a); st != http.StatusCreated || a.Name != "Made at Vapi" || a.Source != "imported" {
		t.Fatalf("import: %d %+v", st, a)
	}
	if st := e.JSON("POST", "/api/assistants/import", e.Admin, map[string]any{"providerAssistantId": made.ID}, nil); st != http.StatusConflict {
		t.Errorf("import twice: %d, want 409", st)
	}
}

// Vapi failing means nothing is stored.
func TestAssistantCreateFailsCleanly(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	e.Deps.Vapi = vapi.New(vapi.Config{BaseURL: e.Sim.URL(), APIKey: "wrong"})
	if st := e.JSON("POST", "/api/assistants", e.Admin, map[string]any{"name": "x", "config": map[string]any{}}, nil); st != http.StatusBadGateway {
		t.Errorf("create with Vapi refusing the key: %d, want 502", st)
	}
	e.Deps.Vapi = vapiClient(e)
	if st := e.JSON("POST", "/api/assistants", e.Admin, map[string]any{"name": "x", "config": map[string]any{"bogusField": 1}}, nil); st != http.StatusBadRequest {
		t.Errorf("create with a property Vapi rejects: %d, want 400", st)
	}
	var n int
	_ = e.DB.QueryRow(context.Background(), `select count(*) from assistants`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d assistants stored after failures", n)
	}
}

// A number that maps to no time zone (an international freephone number)
// imports and uses the campaign's fallback zone.
func TestImportNumberWithoutZone(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	asst := e.CreateAssistant("Zone")
	c := e.CreateCampaign(map[string]string{"name": "zoneless", "assistantId": asst}, "name,business_name,phone\nFree,Phone,+80012345678\n")
	if c.ImportReport.Accepted != 1 {
		t.Fatalf("report %+v", c.ImportReport)
	}
}
