package vapisim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Recordings, like Vapi's, sit in private storage: GET
// /call/{id}/mono-recording (and stereo-recording) with the API key answers
// 302 to a presigned storage URL, and storage answers 403 to anything else.
//
// URL format (shared with the messages' artifact URLs):
//
//	unsigned:  <base>/storage/<vapiCallId>/mono.wav   (or stereo.wav)
//	presigned: unsigned + ?expires=<unix seconds>&sig=<hex>
//	sig = hex(HMAC-SHA256(APIKey, callID + "/" + file + "|" + expires))
//
// Assumptions where Vapi documents nothing: a presigned URL lives
// recordingTTL; a call has a recording once it ended after someone spoke
// (no answer, busy and failed calls have none and get 404, "Artifact not
// found" as the OpenAPI document says); path ids that are not UUIDs get
// NestJS ParseUUIDPipe's 400.

// recordingTTL is how long a presigned recording URL stays valid.
const recordingTTL = 10 * time.Minute

// recordingFiles maps the download endpoint's channel to its storage file.
var recordingFiles = map[string]string{"mono-recording": "mono.wav", "stereo-recording": "stereo.wav"}

// recordingSig signs a storage path until expires.
func (s *Sim) recordingSig(callID, file string, expires int64) string {
	m := hmac.New(sha256.New, []byte(s.cfg.APIKey))
	m.Write([]byte(callID + "/" + file + "|" + strconv.FormatInt(expires, 10)))
	return hex.EncodeToString(m.Sum(nil))
}

// base is the simulator's own URL as the client reached it.
func (s *Sim) base(r *http.Request) string {
	if s.url != "" {
		return s.url
	}
	return "http://" + r.Host
}

// downloadRecording answers GET /call/{id}/{channel}: 302 to a presigned
// storage URL.
func (s *Sim) downloadRecording(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	file, ok := recordingFiles[r.PathValue("channel")]
	if !ok {
		writeError(w, http.StatusNotFound, "Cannot GET "+r.URL.Path)
		return
	}
	if !validUUID(w, id) {
		return
	}
	if !s.hasRecording(id) {
		writeError(w, http.StatusNotFound, "Artifact not found.")
		return
	}
	expires := s.now().Add(recordingTTL).Unix()
	u := s.base(r) + "/storage/" + id + "/" + file +
		"?expires=" + strconv.FormatInt(expires, 10) + "&sig=" + s.recordingSig(id, file, expires)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u, http.StatusFound)
}

// hasRecording reports whether call id ended after a conversation.
func (s *Sim) hasRecording(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.calls[id]
	return ok && c.v.Status == "ended" && c.v.Artifact != nil && c.v.Artifact.Transcript != ""
}

// serveStorage answers /storage/<callId>/<file>: the WAV for a valid,
// unexpired signature, 403 otherwise (like a private bucket). It needs no
// API key: a browser fetches it.
func (s *Sim) serveStorage(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/storage/"), "/")
	q := r.URL.Query()
	expires, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	if r.Method != http.MethodGet && r.Method != http.MethodHead || len(parts) != 2 || err != nil ||
		expires < s.now().Unix() || !hmac.Equal([]byte(q.Get("sig")), []byte(s.recordingSig(parts[0], parts[1], expires))) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`))
		return
	}
	channels := map[string]int{"mono.wav": 1, "stereo.wav": 2}[parts[1]]
	if channels == 0 || !s.hasRecording(parts[0]) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "private, max-age=600")
	_, _ = w.Write(silence(channels))
}

// silence is a tenth of a second of 8 kHz 16-bit PCM silence as a WAV.
func silence(channels int) []byte {
	const rate, bits = 8000, 16
	data := rate / 10 * channels * bits / 8
	b := make([]byte, 44+data)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+data))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], uint16(channels))
	binary.LittleEndian.PutUint32(b[24:], rate)
	binary.LittleEndian.PutUint32(b[28:], uint32(rate*channels*bits/8))
	binary.LittleEndian.PutUint16(b[32:], uint16(channels*bits/8))
	binary.LittleEndian.PutUint16(b[34:], bits)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(data))
	return b
}
