package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/assistant"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/user"
)

// Assistants serves /api/assistants, /api/assistants/import and
// /api/assistants/{id}. Reading is for every user; writing for admins.
func Assistants(d *Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		need := adminOnly
		if r.Method == http.MethodGet {
			need = anyUser
		}
		caller, err := d.authorize(r, need)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		dir := d.directory()
		admin := caller.Role == user.Admin
		q := r.URL.Query()
		if q.Get("action") == "import" {
			d.importAssistant(w, r, dir)
			return
		}
		if q.Get("id") == "" {
			d.assistantsRoot(w, r, dir, admin)
			return
		}
		id, err := uuid.Parse(q.Get("id"))
		if err != nil {
			WriteError(w, r, problem.New(problem.NotFound, "assistant not found"))
			return
		}
		d.assistantItem(w, r, dir, id, admin)
	})
}

func (d *Deps) directory() *assistant.Directory {
	return &assistant.Directory{
		DB: d.DB, Vapi: d.Vapi,
		WebhookURL: d.Config.PublicURL + "/api/webhooks/vapi", WebhookSecret: d.Config.WebhookSecret,
		CredentialID: d.Config.VapiServerCredentialID, Now: d.Now,
	}
}

// shown cuts an assistant to what the caller may read: admins read its
// (scrubbed) config, operators an explicit list of display fields.
func shown(a *assistant.Assistant, admin bool) {
	if !admin {
		a.Config = assistant.OperatorView(a.Config)
	}
}

func (d *Deps) assistantsRoot(w http.ResponseWriter, r *http.Request, dir *assistant.Directory, admin bool) {
	switch r.Method {
	case http.MethodGet:
		list, err := dir.List(r.Context())
		for i := range list {
			shown(&list[i], admin)
		}
		respond(w, r, map[string]any{"assistants": list}, err)
	case http.MethodPost:
		var body struct {
			Name   string          `json:"name"`
			Config json.RawMessage `json:"config"`
		}
		if err := DecodeJSON(w, r, &body); err != nil {
			WriteError(w, r, err)
			return
		}
		a, err := dir.Create(r.Context(), body.Name, body.Config)
		created(w, r, a, err)
	default:
		MethodNotAllowed(w, r, http.MethodGet, http.MethodPost)
	}
}

func (d *Deps) importAssistant(w http.ResponseWriter, r *http.Request, dir *assistant.Directory) {
	if r.Method != http.MethodPost {
		MethodNotAllowed(w, r, http.MethodPost)
		return
	}
	var body struct {
		ProviderAssistantID string `json:"providerAssistantId"`
		Name                string `json:"name"`
	}
	if err := DecodeJSON(w, r, &body); err != nil {
		WriteError(w, r, err)
		return
	}
	a, err := dir.Import(r.Context(), body.ProviderAssistantID, body.Name)
	created(w, r, a, err)
}

func (d *Deps) assistantItem(w http.ResponseWriter, r *http.Request, dir *assistant.Directory, id uuid.UUID, admin bool) {
	switch r.Method {
	case http.MethodGet:
		a, err := dir.Get(r.Context(), id)
		if err == nil {
			shown(a, admin)
		}
		respond(w, r, a, err)
	case http.MethodPatch:
		var body struct {
			Name   *string         `json:"name"`
			Config json.RawMessage `json:"config"`
			Active *bool           `json:"active"`
		}
		if err := DecodeJSON(w, r, &body); err != nil {
			WriteError(w, r, err)
			return
		}
		a, err := dir.Update(r.Context(), id, assistant.Change{Name: body.Name, Config: body.Config, Active: body.Active})
		respond(w, r, a, err)
	case http.MethodDelete:
		if err := dir.Delete(r.Context(), id); err != nil {
			WriteError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		MethodNotAllowed(w, r, http.MethodGet, http.MethodPatch, http.MethodDelete)
	}
}

// created writes v with 201, or err.
func created(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, v)
}
