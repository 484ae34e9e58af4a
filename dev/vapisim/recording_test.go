package vapisim

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
)

// get sends a GET without following redirects.
func get(t *testing.T, u, key string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// Recordings are private: the download endpoint needs the key and
// redirects to a presigned URL, which storage honours until it expires and
// refuses (403) in any other form.
func TestRecordingsArePrivateLikeVapi(t *testing.T) {
	t.Parallel()
	var skew atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	e := setup(t, Config{Scale: fast, Mix: Mix{Answered: 1}, Now: now})
	c := mustDial(t, e, "+14155550123")
	failed := mustDial(t, e, "+14155550124")
	e.settle(t)
	// A call nobody spoke on has no recording.
	e.sim.mu.Lock()
	e.sim.calls[failed.ID].v.Artifact.Transcript = ""
	e.sim.mu.Unlock()

	base := e.sim.URL() + "/call/" + c.ID
	if resp, _ := get(t, base+"/mono-recording", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("download without the key: %d", resp.StatusCode)
	}
	for path, want := range map[string]int{
		"/call/" + failed.ID + "/mono-recording":        http.StatusNotFound,
		"/call/" + uuid.NewString() + "/mono-recording": http.StatusNotFound,
		"/call/not-a-uuid/mono-recording":               http.StatusBadRequest,
	} {
		if resp, body := get(t, e.sim.URL()+path, e.sim.APIKey()); resp.StatusCode != want {
			t.Errorf("%s: %d %s, want %d", path, resp.StatusCode, body, want)
		}
	}
	for channel, n := range map[string]uint16{"mono": 1, "stereo": 2} {
		resp, _ := get(t, base+"/"+channel+"-recording", e.sim.APIKey())
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, e.sim.URL()+"/storage/"+c.ID+"/"+channel+".wav?expires=") {
			t.Fatalf("%s download: %d Location %q", channel, resp.StatusCode, loc)
		}
		file, body := get(t, loc, "")
		if file.StatusCode != http.StatusOK || file.Header.Get("Content-Type") != "audio/wav" || !bytes.HasPrefix(body, []byte("RIFF")) ||
			binary.LittleEndian.Uint16(body[22:]) != n {
			t.Errorf("%s presigned fetch: %d %s", channel, file.StatusCode, file.Header.Get("Content-Type"))
		}
		u, _ := url.Parse(loc)
		unsigned := e.sim.URL() + u.Path
		q := u.Query()
		q.Set("sig", strings.Repeat("0", 64))
		for _, bad := range []string{unsigned, unsigned + "?" + q.Encode(), strings.Replace(loc, c.ID, failed.ID, 1)} {
			if resp, _ := get(t, bad, ""); resp.StatusCode != http.StatusForbidden {
				t.Errorf("storage %s: %d, want 403", bad, resp.StatusCode)
			}
		}
		if channel == "mono" {
			skew.Store(int64(recordingTTL + time.Minute))
			if resp, _ := get(t, loc, ""); resp.StatusCode != http.StatusForbidden {
				t.Errorf("expired presigned URL: %d, want 403", resp.StatusCode)
			}
			skew.Store(0)
		}
	}
}

// Assistant routes refuse what Vapi refuses: ids that are not UUIDs,
// read-only properties, names over 40 UTF-16 units.
func TestAssistantRoutesValidateLikeVapi(t *testing.T) {
	t.Parallel()
	e := setup(t, Config{Scale: fast})
	if resp, body := get(t, e.sim.URL()+"/assistant/asst_123", e.sim.APIKey()); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "uuid is expected") {
		t.Errorf("GET /assistant/asst_123: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, e.sim.URL()+"/assistant/"+uuid.NewString(), e.sim.APIKey()); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET an unknown assistant: %d", resp.StatusCode)
	}
	a, err := e.client.GetAssistant(context.Background(), e.assistant)
	if err != nil {
		t.Fatal(err)
	}
	for body, want := range map[string]string{
		string(a.Raw): "property createdAt should not exist; property id should not exist; property orgId should not exist; property updatedAt should not exist",
		`{"name":"` + strings.Repeat("😀", 21) + `"}`: "name must be shorter than or equal to 40 characters",
	} {
		_, err := e.client.UpdateAssistant(context.Background(), e.assistant, []byte(body))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("PATCH %.60s: %v, want %q", body, err, want)
		}
	}
	if _, err := e.client.UpdateAssistant(context.Background(), e.assistant, []byte(`{"name":"`+strings.Repeat("😀", 20)+`"}`)); err != nil {
		t.Errorf("PATCH a 40-unit name: %v", err)
	}
	all, err := e.client.ListAssistants(context.Background(), time.Time{})
	if err != nil || len(all) != 1 {
		t.Errorf("list: %d, %v", len(all), err)
	}
	if later, err := e.client.ListAssistants(context.Background(), time.Now().Add(time.Hour)); err != nil || len(later) != 0 {
		t.Errorf("list createdAtGt an hour ahead: %d, %v", len(later), err)
	}
}
