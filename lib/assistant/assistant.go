// Package assistant is the team's directory of Vapi assistants. Vapi holds
// the assistant; the directory holds our record of it. Vapi is always
// asked first, so a failure there stores nothing, and nothing is ever
// deleted at Vapi implicitly. The record keeps no secret (Scrub): every
// operator may read the directory.
package assistant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/autolynx/autolynx/lib/campaign/status"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/vapi"
)

// Assistant is one directory entry (docs/api.md).
type Assistant struct {
	ID                  uuid.UUID       `json:"id"`
	ProviderAssistantID string          `json:"providerAssistantId"`
	Name                string          `json:"name"`
	Source              string          `json:"source"`
	Config              json.RawMessage `json:"config"`
	Active              bool            `json:"active"`
	CreatedAt           time.Time       `json:"createdAt"`
	UpdatedAt           time.Time       `json:"updatedAt"`
}

// Directory manages assistants at Vapi and locally.
type Directory struct {
	DB   db.DBTX
	Vapi *vapi.Client
	// WebhookURL and WebhookSecret are set on every assistant we create so
	// its calls report to us; with CredentialID (a Vapi credential holding
	// the secret) the assistant references it instead of carrying the
	// secret (see WebhookAuth).
	WebhookURL    string
	WebhookSecret string
	CredentialID  string
	// Now reads the clock (Vapi's createdAt is compared with it).
	Now func() time.Time
}

const columns = `id, provider_assistant_id, name, source, config, active, created_at, updated_at`

func scan(row pgx.Row) (*Assistant, error) {
	var a Assistant
	var cfg []byte
	err := row.Scan(&a.ID, &a.ProviderAssistantID, &a.Name, &a.Source, &cfg, &a.Active, &a.CreatedAt, &a.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.New(problem.NotFound, "assistant not found")
	}
	if err != nil {
		return nil, fmt.Errorf("read assistant: %w", err)
	}
	a.Config = cfg
	return &a, nil
}

// List returns the directory, newest first.
func (d *Directory) List(ctx context.Context) ([]Assistant, error) {
	rows, err := d.DB.Query(ctx, `select `+columns+` from assistants where deleted_at is null order by created_at desc`)
	if err != nil {
		return nil, fmt.Errorf("list assistants: %w", err)
	}
	out := []Assistant{}
	for rows.Next() {
		a, err := scan(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// Get returns one assistant.
func (d *Directory) Get(ctx context.Context, id uuid.UUID) (*Assistant, error) {
	return scan(d.DB.QueryRow(ctx, `select `+columns+` from assistants where id = $1 and deleted_at is null`, id))
}

// Create makes the assistant at Vapi, configured to report to us, then
// records it.
func (d *Directory) Create(ctx context.Context, name string, config json.RawMessage) (*Assistant, error) {
	name, err := validName(name)
	if err != nil {
		return nil, err
	}
	cfg, err := parseConfig(config)
	if err != nil {
		return nil, err
	}
	if err := checkOurServer(cfg); err != nil {
		return nil, err
	}
	body := d.createBody(name, cfg)
	marker := uuid.NewString()
	if meta, ok := withMarker(body["metadata"], marker); ok {
		body["metadata"] = meta
	}
	asked := d.Now()
	created, err := d.Vapi.CreateAssistant(ctx, mustJSON(body))
	if _, unsure := errors.AsType[*vapi.AmbiguousError](err); unsure {
		created, err = d.findCreated(ctx, marker, asked, err)
	}
	if err != nil {
		return nil, vapiProblem(err, "create the assistant")
	}
	return d.insert(ctx, created.ID, name, "local", d.scrub(cfg))
}

// createMarker is the metadata key that tags a POST /assistant, so an
// assistant whose creation went unanswered can be found at Vapi.
const createMarker = "autolynxCreateId"

// withMarker adds the marker to the config's metadata (an object, or none).
func withMarker(metadata any, marker string) (map[string]any, bool) {
	if metadata == nil {
		return map[string]any{createMarker: marker}, true
	}
	m, ok := metadata.(map[string]any)
	if !ok {
		return nil, false
	}
	m = maps.Clone(m)
	m[createMarker] = marker
	return m, true
}

// findCreated looks at Vapi for the assistant a POST /assistant tagged
// with marker when the answer was lost (timeout, 5xx): found, it is the
// created one; not found, nothing was made and cause stands. Assistants
// made since a minute before asked are searched (clock skew).
func (d *Directory) findCreated(ctx context.Context, marker string, asked time.Time, cause error) (*vapi.Assistant, error) {
	list, err := d.Vapi.ListAssistants(ctx, asked.Add(-time.Minute))
	if err != nil {
		return nil, cause
	}
	for _, a := range list {
		var tagged struct {
			Metadata map[string]any `json:"metadata"`
		}
		if json.Unmarshal(a.Raw, &tagged) == nil && tagged.Metadata[createMarker] == marker {
			return &a, nil
		}
	}
	return nil, cause
}

// Import adds an assistant that already exists at Vapi, keeping of its
// configuration only what Scrub allows.
func (d *Directory) Import(ctx context.Context, providerID, name string) (*Assistant, error) {
	providerID = strings.ToLower(strings.TrimSpace(providerID))
	if id, err := uuid.Parse(providerID); err != nil || id.String() != providerID {
		return nil, problem.New(problem.Invalid, "providerAssistantId must be a Vapi assistant id (a UUID like 0d4e1c6a-…)", "field", "providerAssistantId")
	}
	if name = strings.TrimSpace(name); name != "" {
		var err error
		if name, err = validName(name); err != nil {
			return nil, err
		}
	}
	found, err := d.Vapi.GetAssistant(ctx, providerID)
	if vapi.IsNotFound(err) {
		return nil, problem.New(problem.NotFound, "Vapi has no assistant with this id")
	}
	if err != nil {
		return nil, vapiProblem(err, "look the assistant up")
	}
	if name == "" {
		if name, err = validName(found.Name); err != nil {
			name = "Imported " + providerID[:8]
		}
	}
	cfg := map[string]any{}
	_ = json.Unmarshal(found.Raw, &cfg)
	return d.insert(ctx, providerID, name, "imported", d.scrub(cfg))
}

// scrub is Scrub with our webhook secret, encoded for storage.
func (d *Directory) scrub(cfg map[string]any) json.RawMessage {
	return mustJSON(Scrub(cfg, d.WebhookSecret))
}

// mustJSON encodes a value decoded from JSON, which cannot fail.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("assistant: encode config: %v", err))
	}
	return b
}

func (d *Directory) insert(ctx context.Context, providerID, name, source string, cfg json.RawMessage) (*Assistant, error) {
	a, err := scan(d.DB.QueryRow(ctx, `
		insert into assistants (provider_assistant_id, name, source, config) values ($1, $2, $3, $4::jsonb)
		returning `+columns, providerID, name, source, string(cfg)))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return nil, problem.New(problem.Conflict, "this Vapi assistant is already in the directory")
	}
	return a, err
}

// Change is an edit; nil fields stay.
type Change struct {
	Name   *string
	Config json.RawMessage
	Active *bool
}

// Update edits an assistant. What changed is PATCHed at Vapi first, and
// only that: a rename sends the name alone.
func (d *Directory) Update(ctx context.Context, id uuid.UUID, c Change) (*Assistant, error) {
	cur, err := d.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	patch := map[string]any{}
	name := cur.Name
	if c.Name != nil {
		if name, err = validName(*c.Name); err != nil {
			return nil, err
		}
		if name != cur.Name {
			patch["name"] = name
		}
	}
	cfg := cur.Config
	if len(c.Config) > 0 {
		edit, err := parseConfig(c.Config)
		if err != nil {
			return nil, err
		}
		if cur.Source == "local" {
			if err := checkOurServer(edit); err != nil {
				return nil, err
			}
		}
		next, changed, err := d.configPatch(ctx, cur, edit)
		if err != nil {
			return nil, err
		}
		maps.Copy(patch, changed)
		cfg = d.scrub(next)
	}
	if len(patch) > 0 {
		if _, err := d.Vapi.UpdateAssistant(ctx, cur.ProviderAssistantID, mustJSON(patch)); err != nil {
			return nil, vapiProblem(err, "update the assistant")
		}
	}
	active := cur.Active
	if c.Active != nil {
		active = *c.Active
	}
	return scan(d.DB.QueryRow(ctx, `
		update assistants set name = $2, config = $3::jsonb, active = $4, updated_at = now()
		where id = $1 and deleted_at is null returning `+columns, id, name, string(cfg), active))
}

// Delete takes an assistant out of the directory, refusing while a
// campaign that is not finished uses it. Vapi's assistant is kept.
func (d *Directory) Delete(ctx context.Context, id uuid.UUID) error {
	tag, err := d.DB.Exec(ctx, `
		update assistants set deleted_at = now(), active = false
		where id = $1 and deleted_at is null
		  and not exists (select 1 from campaigns where assistant_id = $1
		                  and status not in `+status.FinalSQL+`)`, id)
	if err != nil {
		return fmt.Errorf("delete assistant: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	if _, err := d.Get(ctx, id); err != nil {
		return err
	}
	return problem.New(problem.Conflict, "the assistant is used by a campaign that is not finished; stop or finish it first")
}
