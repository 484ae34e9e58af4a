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

// signedRecording serves a recording link from an export: its signature
// stands in for a sign-in, until it expires.
func (d *Deps) signedRecording(w http.ResponseWriter, r *http.Request, idText string) {
	if r.Method != http.MethodGet {
		MethodNotAllowed(w, r, http.MethodGet)
		return
	}
	q := r.URL.Query()
	campaignID, err := uuid.Parse(idText)
	callID, err2 := uuid.Parse(q.Get("callId"))
	if err != nil || err2 != nil || !d.recordingLinks().Valid(callID, q.Get("expires"), q.Get("sig")) {
		WriteError(w, r, problem.New(problem.Unauthorized, "this recording link is invalid or has expired: export again, or sign in"))
		return
	}
	d.recording(w, r, campaignID)
}

// recording answers GET /api/campaigns/{id}/calls/{callId}/recording with
// the short-lived URL Vapi gives for the call's recording, asked afresh
// each time and never stored: a 302 to it, or {"url": …} to a request
// that accepts JSON (the dashboard's player, which must send its token
// and so cannot let an <audio> element follow the redirect itself).
func (d *Deps) recording(w http.ResponseWriter, r *http.Request, campaignID uuid.UUID) {
	q := r.URL.Query()
	callID, err := uuid.Parse(q.Get("callId"))
	if err != nil {
		WriteError(w, r, problem.New(problem.NotFound, "call not found"))
		return
	}
	ch := vapi.Mono
	switch q.Get("channel") {
	case "", "mono":
	case "stereo":
		ch = vapi.Stereo
	default:
		WriteError(w, r, problem.New(problem.Invalid, "channel must be mono or stereo", "field", "channel"))
		return
	}
	providerID, err := recording.ProviderCallID(r.Context(), d.DB, campaignID, callID)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	u, err := d.Vapi.RecordingURL(r.Context(), providerID, ch)
	switch {
	case vapi.IsNotFound(err):
		WriteError(w, r, problem.New(problem.NotFound, "Vapi has no "+string(ch)+" recording of this call"))
		return
	case err != nil:
		WriteError(w, r, problem.Wrap(problem.Upstream, err, "Vapi could not give the recording right now; try again"))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		WriteJSON(w, http.StatusOK, map[string]string{"url": u})
		return
	}
	http.Redirect(w, r, u, http.StatusFound)
}
