package vapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autolynx/autolynx/lib/vapi"
)

// RecordingURL reads the redirect Vapi answers and never follows it: the
// storage URL is for the browser, and fetching it would download the file.
func TestRecordingURLReadsTheRedirect(t *testing.T) {
	t.Parallel()
	var followed, calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/storage/"):
			followed.Add(1)
		case r.Header.Get("Authorization") != "Bearer k":
			w.WriteHeader(http.StatusUnauthorized)
		case r.URL.Path == "/call/c1/mono-recording", r.URL.Path == "/call/c1/stereo-recording":
			if calls.Add(1) == 1 {
				w.WriteHeader(http.StatusBadGateway) // a GET is retried
				return
			}
			ch := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/call/c1/"), "-recording")
			http.Redirect(w, r, "https://storage.example/c1/"+ch+".wav?sig=x", http.StatusFound)
		case r.URL.Path == "/call/c2/mono-recording":
			w.WriteHeader(http.StatusOK) // not the documented answer
		default:
			http.Error(w, `{"message":"Artifact not found.","statusCode":404}`, http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	c := vapi.New(vapi.Config{BaseURL: srv.URL, APIKey: "k", Sleep: func(context.Context, time.Duration) error { return nil }})
	ctx := context.Background()
	for ch, want := range map[vapi.Channel]string{vapi.Mono: "https://storage.example/c1/mono.wav?sig=x", vapi.Stereo: "https://storage.example/c1/stereo.wav?sig=x"} {
		if got, err := c.RecordingURL(ctx, "c1", ch); err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", ch, got, err, want)
		}
	}
	if _, err := c.RecordingURL(ctx, "c3", vapi.Mono); !vapi.IsNotFound(err) {
		t.Errorf("no recording: %v, want not found", err)
	}
	if _, err := c.RecordingURL(ctx, "c2", vapi.Mono); err == nil {
		t.Error("a 200 without a redirect was taken for a URL")
	}
	if followed.Load() != 0 {
		t.Error("the redirect was followed")
	}
}
