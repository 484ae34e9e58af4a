package httpapi

import (
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/scheduler"
)

// PathID reads a UUID path value; anything else names no such thing.
func PathID(r *http.Request, name, thing string) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue(name))
	if err != nil {
		return uuid.Nil, problem.New(problem.NotFound, thing+" not found")
	}
	return id, nil
}
func PositiveInt(v, field string, max int, dst *int) error {
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
