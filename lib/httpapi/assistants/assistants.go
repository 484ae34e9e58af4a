// Package assistants serves /api/assistants, the assistant directory:
// every user reads it, admins change it.
package assistants

import (
	"encoding/json"
	"net/http"

	"github.com/autolynx/autolynx/lib/assistant"
	"github.com/autolynx/autolynx/lib/httpapi"
	"github.com/autolynx/autolynx/lib/httpapi/jsonbody"
	"github.com/autolynx/autolynx/lib/ratelimit"
	"github.com/autolynx/autolynx/lib/user"
)

// Routes are the assistants function's routes (api/assistants/index.go).
var Routes = []httpapi.Route{
	route("GET", "/api/assistants", httpapi.Operator, listAssistants),
	route("POST", "/api/assistants", httpapi.Admin, createAssistant),
	route("POST", "/api/assistants/import", httpapi.Admin, importAssistant),
	route("GET", "/api/assistants/{id}", httpapi.Operator, getAssistant),
	route("PATCH", "/api/assistants/{id}", httpapi.Admin, patchAssistant),
	route("DELETE", "/api/assistants/{id}", httpapi.Admin, deleteAssistant),
}

func route(method, path string, access httpapi.Access, h httpapi.Handler) httpapi.Route {
	return httpapi.Route{Method: method, Path: path, Function: "assistants", Access: access,
		Bucket: ratelimit.General, Body: httpapi.JSONBody, Handle: h}
}

func directory(d *httpapi.Deps) *assistant.Directory {
	return &assistant.Directory{
		DB: d.DB, Vapi: d.Vapi,
		WebhookURL: d.Config.PublicURL + "/api/webhooks/vapi", WebhookSecret: d.Config.WebhookSecret,
		CredentialID: d.Config.VapiServerCredentialID, Now: d.Now,
	}
}

// shown cuts an assistant to what the caller may read: admins read its
// (scrubbed) config, operators an explicit list of display fields.
func shown(r *http.Request, a *assistant.Assistant) {
	if httpapi.Caller(r).Role != user.Admin {
		a.Config = assistant.OperatorView(a.Config)
	}
}

func listAssistants(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	list, err := directory(d).List(r.Context())
	for i := range list {
		shown(r, &list[i])
	}
	return httpapi.Reply(w, r, map[string]any{"assistants": list}, err)
}

func createAssistant(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Name   string          `json:"name"`
		Config json.RawMessage `json:"config"`
	}
	if err := jsonbody.Decode(r, &body); err != nil {
		return err
	}
	a, err := directory(d).Create(r.Context(), body.Name, body.Config)
	return httpapi.Created(w, a, err)
}

func importAssistant(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	var body struct {
		ProviderAssistantID string `json:"providerAssistantId"`
		Name                string `json:"name"`
	}
	if err := jsonbody.Decode(r, &body); err != nil {
		return err
	}
	a, err := directory(d).Import(r.Context(), body.ProviderAssistantID, body.Name)
	return httpapi.Created(w, a, err)
}

func getAssistant(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "assistant")
	if err != nil {
		return err
	}
	a, err := directory(d).Get(r.Context(), id)
	if err == nil {
		shown(r, a)
	}
	return httpapi.Reply(w, r, a, err)
}

func patchAssistant(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "assistant")
	if err != nil {
		return err
	}
	var body struct {
		Name   *string         `json:"name"`
		Config json.RawMessage `json:"config"`
		Active *bool           `json:"active"`
	}
	if err := jsonbody.Decode(r, &body); err != nil {
		return err
	}
	a, err := directory(d).Update(r.Context(), id, assistant.Change{Name: body.Name, Config: body.Config, Active: body.Active})
	return httpapi.Reply(w, r, a, err)
}

func deleteAssistant(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "assistant")
	if err != nil {
		return err
	}
	return httpapi.NoContent(w, directory(d).Delete(r.Context(), id))
}
