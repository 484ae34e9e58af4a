package devserver

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// csp parses a Content-Security-Policy into directive → sources.
func csp(v string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(v, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[f[0]] = f[1:]
		}
	}
	return out
}

// The local runner sends exactly the security headers vercel.json gives
// the deployment, on the dashboard, its scripts and the API alike: a CSP
// that runs only our own scripts and talks only to us and Supabase, no
// framing, no sniffing, no referrer.
func TestM9SecurityHeaders(t *testing.T) {
	v, err := LoadVercel(filepath.Join(root(t), "vercel.json"))
	if err != nil {
		t.Fatal(err)
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	rt := NewRouter(v, filepath.Join(root(t), "public"), map[string]http.Handler{"api/health.go": api})
	for _, path := range []string{"/", "/index.html", "/app/main.js", "/vendor/supabase-2.119.0.esm.js", "/api/health"} {
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		h := rec.Header()
		for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
			if h.Get(k) != want {
				t.Errorf("%s: %s = %q, want %q", path, k, h.Get(k), want)
			}
		}
		p := csp(h.Get("Content-Security-Policy"))
		for dir, want := range map[string][]string{
			"default-src":     {"'self'"},
			"script-src":      {"'self'"},
			"object-src":      {"'none'"},
			"base-uri":        {"'none'"},
			"frame-ancestors": {"'none'"},
			"connect-src":     {"'self'", "https://*.supabase.co", "wss://*.supabase.co"},
			// Recordings play from Vapi's storage through presigned URLs.
			"media-src": {"'self'", "https:"},
		} {
			if !slices.Equal(p[dir], want) {
				t.Errorf("%s: CSP %s = %v, want %v", path, dir, p[dir], want)
			}
		}
		for dir, sources := range p {
			for _, s := range sources {
				if strings.HasPrefix(s, "'unsafe-") || s == "*" || s == "data:" && dir != "img-src" {
					t.Errorf("%s: CSP %s allows %s", path, dir, s)
				}
			}
		}
	}
}

// The CSP allows no inline script: the static pages hold none, nor inline
// event handlers, style attributes or javascript: links.
func TestM9NoInlineScriptInPublic(t *testing.T) {
	script := regexp.MustCompile(`(?is)<script([^>]*)>(.*?)</script>`)
	handler := regexp.MustCompile(`(?i)\son[a-z]+\s*=|\sstyle\s*=|javascript:|<style`)
	err := filepath.WalkDir(filepath.Join(root(t), "public"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range script.FindAllSubmatch(b, -1) {
			if !strings.Contains(string(m[1]), "src=") || strings.TrimSpace(string(m[2])) != "" {
				t.Errorf("%s: inline script %q", p, m[0])
			}
		}
		if m := handler.Find(b); m != nil {
			t.Errorf("%s: inline code %q", p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// What only runs locally over plain http (the simulator's storage, a local
// Auth gateway) is added to the policy by the runner; nothing else moves.
func TestAllowLocalAddsOnlyTheOrigins(t *testing.T) {
	v, err := LoadVercel(filepath.Join(root(t), "vercel.json"))
	if err != nil {
		t.Fatal(err)
	}
	plain := NewRouter(v, filepath.Join(root(t), "public"), nil)
	local := NewRouter(v, filepath.Join(root(t), "public"), nil)
	local.AllowLocal("media-src", "http://127.0.0.1:4000")
	local.AllowLocal("connect-src", "http://127.0.0.1:5000")
	get := func(rt *Router) map[string][]string {
		rec := httptest.NewRecorder()
		rt.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		return csp(rec.Header().Get("Content-Security-Policy"))
	}
	want := get(plain)
	want["media-src"] = append(want["media-src"], "http://127.0.0.1:4000")
	want["connect-src"] = append(want["connect-src"], "http://127.0.0.1:5000")
	if got := get(local); !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("local CSP = %v, want %v", got, want)
	}
}
