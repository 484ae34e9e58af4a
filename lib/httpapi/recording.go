package httpapi

import (
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/recording"
	"github.com/autolynx/autolynx/lib/vapi"
)

// recordingLinks signs the export's recording links with a key derived
// from the Vapi API key (see recording.NewLinks).
func (d *Deps) recordingLinks() recording.Links {
	return recording.NewLinks(d.Config.PublicURL, d.Config.VapiAPIKey, d.Now)
}

// checkSignedLink admits a recording link from an export: its signature
// stands in for a sign-in, until it expires.
func (d *Deps) checkSignedLink(r *http.Request) error {
	q := r.URL.Query()
	_, err := uuid.Parse(r.PathValue("id"))
	callID, err2 := uuid.Parse(r.PathValue("callId"))
	if err != nil || err2 != nil || !d.recordingLinks().Valid(callID, q.Get("expires"), q.Get("sig")) {
		return problem.New(problem.Unauthorized, "this recording link is invalid or has expired: export again, or sign in")
	}
	return nil
}

// recording answers GET /api/campaigns/{id}/calls/{callId}/recording with
// the short-lived URL Vapi gives for the call's recording, asked afresh
// each time and never stored: a 302 to it, or {"url": …} to a request
// that accepts JSON (the dashboard's player, which must send its token
// and so cannot let an <audio> element follow the redirect itself).
func (d *Deps) recording(w http.ResponseWriter, r *http.Request) error {
	campaignID, err := pathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	callID, err := pathID(r, "callId", "call")
	if err != nil {
		return err
	}
	ch := vapi.Mono
	switch r.URL.Query().Get("channel") {
	case "", "mono":
	case "stereo":
		ch = vapi.Stereo
	default:
		return problem.New(problem.Invalid, "channel must be mono or stereo", "field", "channel")
	}
	providerID, err := recording.ProviderCallID(r.Context(), d.DB, campaignID, callID)
	if err != nil {
		return err
	}
	u, err := d.Vapi.RecordingURL(r.Context(), providerID, ch)
	switch {
	case vapi.IsNotFound(err):
		return problem.New(problem.NotFound, "Vapi has no "+string(ch)+" recording of this call")
	case err != nil:
		return problem.Wrap(problem.Upstream, err, "Vapi could not give the recording right now; try again")
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		WriteJSON(w, http.StatusOK, map[string]string{"url": u})
		return nil
	}
	http.Redirect(w, r, u, http.StatusFound)
	return nil
}
