package httpapi

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/recording"
)

// RecordingLinks signs the export's recording links with a key derived
// from the Vapi API key (see recording.NewLinks).
func (d *Deps) RecordingLinks() recording.Links {
	return recording.NewLinks(d.Config.PublicURL, d.Config.VapiAPIKey, d.Now)
}

// checkSignedLink admits a recording link from an export: its signature
// stands in for a sign-in, until it expires.
func (d *Deps) checkSignedLink(r *http.Request) error {
	q := r.URL.Query()
	_, err := uuid.Parse(r.PathValue("id"))
	callID, err2 := uuid.Parse(r.PathValue("callId"))
	if err != nil || err2 != nil || !d.RecordingLinks().Valid(callID, q.Get("expires"), q.Get("sig")) {
		return problem.New(problem.Unauthorized, "this recording link is invalid or has expired: export again, or sign in")
	}
	return nil
}
