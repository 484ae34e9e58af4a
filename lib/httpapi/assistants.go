package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/autolynx/autolynx/lib/assistant"
	"github.com/autolynx/autolynx/lib/user"
)

func (d *Deps) directory() *assistant.Directory {
	return &assistant.Directory{
		DB: d.DB, Vapi: d.Vapi,
		WebhookURL: d.Config.PublicURL + "/api/webhooks/vapi", WebhookSecret: d.Config.WebhookSecret,
		CredentialID: d.Config.VapiServerCredentialID, Now: d.Now,
	}
}

// shown cuts an assistant to what the caller may read: admins read its
// (scrubbed) config, operators an explicit list of display fields.
func shown(r *http.Request, a *assistant.Assistant) {
	if Caller(r).Role != user.Admin {
		a.Config = assistant.OperatorView(a.Config)
	}
}

func (d *Deps) listAssistants(w http.ResponseWriter, r *http.Request) error {
	list, err := d.directory().List(r.Context())
	for i := range list {
		shown(r, &list[i])
	}
	return Reply(w, r, map[string]any{"assistants": list}, err)
}

func (d *Deps) createAssistant(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Name   string          `json:"name"`
		Config json.RawMessage `json:"config"`
	}
	if err := DecodeJSON(r, &body); err != nil {
		return err
	}
	a, err := d.directory().Create(r.Context(), body.Name, body.Config)
	return Created(w, a, err)
}

func (d *Deps) importAssistant(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		ProviderAssistantID string `json:"providerAssistantId"`
		Name                string `json:"name"`
	}
	if err := DecodeJSON(r, &body); err != nil {
		return err
	}
	a, err := d.directory().Import(r.Context(), body.ProviderAssistantID, body.Name)
	return Created(w, a, err)
}

func (d *Deps) getAssistant(w http.ResponseWriter, r *http.Request) error {
	id, err := PathID(r, "id", "assistant")
	if err != nil {
		return err
	}
	a, err := d.directory().Get(r.Context(), id)
	if err == nil {
		shown(r, a)
	}
	return Reply(w, r, a, err)
}

func (d *Deps) patchAssistant(w http.ResponseWriter, r *http.Request) error {
	id, err := PathID(r, "id", "assistant")
	if err != nil {
		return err
	}
	var body struct {
		Name   *string         `json:"name"`
		Config json.RawMessage `json:"config"`
		Active *bool           `json:"active"`
	}
	if err := DecodeJSON(r, &body); err != nil {
		return err
	}
	a, err := d.directory().Update(r.Context(), id, assistant.Change{Name: body.Name, Config: body.Config, Active: body.Active})
	return Reply(w, r, a, err)
}

func (d *Deps) deleteAssistant(w http.ResponseWriter, r *http.Request) error {
	id, err := PathID(r, "id", "assistant")
	if err != nil {
		return err
	}
	return NoContent(w, d.directory().Delete(r.Context(), id))
}
