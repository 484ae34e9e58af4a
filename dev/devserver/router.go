package devserver

import (
	"maps"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/autolynx/autolynx/lib/httpapi"
	"github.com/autolynx/autolynx/lib/problem"
)

// Router routes like Vercel does for this project: a function's own path
// first, then a static file of public/, then the rewrites of vercel.json in
// order (their destination query merged into the request's), else 404.
// A rewritten request reaches its function at the destination's path, the
// public path kept only in the query the rewrite adds (tools/genroutes):
// the stricter of the two ways Vercel may hand it over.
type Router struct {
	vercel    *Vercel
	functions map[string]http.Handler
	public    string
	// local adds sources to CSP directives (see AllowLocal).
	local map[string][]string
}

// NewRouter routes to handlers (by api/ file, as Built gives them),
// vercel.json's rewrites and the static files under publicDir.
func NewRouter(v *Vercel, publicDir string, handlers map[string]http.Handler) *Router {
	fns := make(map[string]http.Handler, len(handlers))
	for file, h := range handlers {
		fns[FunctionPath(file)] = h
	}
	return &Router{vercel: v, functions: fns, public: publicDir}
}

// FunctionPath is the URL path Vercel serves a function file at.
func FunctionPath(file string) string {
	p := "/" + strings.TrimSuffix(filepath.ToSlash(file), ".go")
	return strings.TrimSuffix(p, "/index")
}

// Resolve says which function path a request path reaches (after
// rewrites) and with which added query; ok is false when none does.
func (rt *Router) Resolve(p string) (fn string, query map[string][]string, ok bool) {
	if _, exists := rt.functions[p]; exists {
		return p, nil, true
	}
	for _, rw := range rt.vercel.Rewrites {
		if dest, q, matched := rw.Apply(p); matched {
			if _, exists := rt.functions[dest]; exists {
				return dest, q, true
			}
		}
	}
	return "", nil, false
}

func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt.setHeaders(w, r.URL.Path)
	if h, ok := rt.functions[r.URL.Path]; ok {
		h.ServeHTTP(w, r)
		return
	}
	if file := rt.staticFile(r.URL.Path); file != "" {
		http.ServeFile(w, r, file)
		return
	}
	if fn, q, ok := rt.Resolve(r.URL.Path); ok {
		merged := r.URL.Query()
		for k, vs := range q {
			merged[k] = vs
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path, r2.URL.RawPath, r2.URL.RawQuery = fn, "", merged.Encode()
		rt.functions[fn].ServeHTTP(w, r2)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		httpapi.WriteError(w, r, problem.New(problem.NotFound, "no such route"))
		return
	}
	http.NotFound(w, r)
}

// staticFile maps a path to a file under public/ (cleanUrls: /x → x.html).
func (rt *Router) staticFile(p string) string {
	clean := path.Clean("/" + p)
	candidates := []string{clean, clean + ".html", path.Join(clean, "index.html")}
	for _, c := range candidates {
		f := filepath.Join(rt.public, filepath.FromSlash(c))
		if fi, err := os.Stat(f); err == nil && !fi.IsDir() {
			return f
		}
	}
	return ""
}

// AllowLocal adds origins to a directive of vercel.json's Content-Security-
// Policy, for what only runs here over plain http on loopback: the Vapi
// simulator's recording storage (media-src) and a local Supabase Auth
// gateway (connect-src). Every other header, and the deployment's policy,
// stay vercel.json's.
func (rt *Router) AllowLocal(directive string, origins ...string) {
	if rt.local == nil {
		rt.local = map[string][]string{}
	}
	rt.local[directive] = append(rt.local[directive], origins...)
}

func (rt *Router) setHeaders(w http.ResponseWriter, p string) {
	for _, h := range rt.vercel.Headers {
		if sourceRegexp(h.Source).MatchString(p) {
			for _, kv := range h.Headers {
				v := kv.Value
				if http.CanonicalHeaderKey(kv.Key) == "Content-Security-Policy" {
					v = withSources(v, rt.local)
				}
				w.Header().Set(kv.Key, v)
			}
		}
	}
}

// withSources adds extra's sources to the directives of policy (a
// directive it lacks is added).
func withSources(policy string, extra map[string][]string) string {
	if len(extra) == 0 {
		return policy
	}
	var out []string
	seen := map[string]bool{}
	for _, d := range strings.Split(policy, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			continue
		}
		seen[f[0]] = true
		out = append(out, strings.Join(append(f, extra[f[0]]...), " "))
	}
	for _, dir := range slices.Sorted(maps.Keys(extra)) {
		if !seen[dir] {
			out = append(out, strings.Join(append([]string{dir}, extra[dir]...), " "))
		}
	}
	return strings.Join(out, "; ")
}
