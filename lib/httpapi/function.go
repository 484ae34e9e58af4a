package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/user"
)

// FunctionPath is the path Vercel deploys a function at: "/api/" + name.
func FunctionPath(name string) string { return "/api/" + name }

// Function is the handler of one api/ function, which serves routes (its
// table; all name the function): an http.ServeMux of them, each behind
// the adapter (serve) that enforces its access, rate limit and body limit
// and writes its error. A path the function does not serve is a 404, a
// method it does not take a 405 with Allow, both in the error envelope.
func Function(d *Deps, routes []Route) http.Handler {
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.Handle(rt.Pattern(), d.serve(rt))
	}
	own := FunctionPath(routes[0].Function)
	trees := routeTrees(routes)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = publicPath(r, own, trees)
		if _, pattern := mux.Handler(r); pattern == "" {
			notRouted(mux, w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// publicPath gives a rewritten request its public path back. vercel.json
// rewrites /api/campaigns/{id}/summary to /api/campaigns?path=/api/campaigns/
// {id}/summary; a function that is handed its own path then routes by the
// path the rewrite kept, when it lies under one of the function's route
// trees (routeTrees: the dnc function also serves /api/numbers/…). A
// request already carrying its public path (as the local runner and, by
// report, Vercel hand it over) is left alone; either way only this
// function's own routes can be reached.
func publicPath(r *http.Request, own string, trees []string) *http.Request {
	q := r.URL.Query()
	p := q.Get("path")
	if r.URL.Path != own || !slices.ContainsFunc(trees, func(t string) bool { return strings.HasPrefix(p, t) }) {
		return r
	}
	q.Del("path")
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath, r2.URL.RawQuery = p, "", q.Encode()
	return r2
}

// routeTrees are the "/api/<name>/" prefixes of a function's routes.
func routeTrees(routes []Route) []string {
	var out []string
	for _, rt := range routes {
		rest, _ := strings.CutPrefix(rt.Path, "/api/")
		name, _, _ := strings.Cut(rest, "/")
		if t := "/api/" + name + "/"; !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// notRouted answers a request no pattern took: 405 with Allow when the
// path is served for other methods, else 404.
func notRouted(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	h, _ := mux.Handler(r)
	rec := &headerRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		MethodNotAllowed(w, r, strings.Split(rec.header.Get("Allow"), ", ")...)
		return
	}
	WriteError(w, r, problem.New(problem.NotFound, "no such route"))
}

// headerRecorder keeps the status and headers ServeMux's own 404 and 405
// write, and drops their plain-text body.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header         { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (h *headerRecorder) WriteHeader(code int)        { h.status = code }

// serve adapts one route: access and rate limit first (before the body is
// read), the body bounded, then the handler, whose error is answered in
// the envelope.
func (d *Deps) serve(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, err := d.admit(r, rt)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		if r.ContentLength > rt.Body.Bytes {
			WriteError(w, r, tooLarge(rt.Body))
			return
		}
		r.Body = &limitedBody{r: r.Body, limit: rt.Body}
		if err := rt.Handle(d, w, r); err != nil {
			WriteError(w, r, err)
		}
	})
}

type callerKey struct{}

// admit checks the route's access; a signed-in caller travels in the
// returned request's context for the handler (caller).
func (d *Deps) admit(r *http.Request, rt Route) (*http.Request, error) {
	switch rt.Access {
	case Public, WebhookSignature, FeedToken:
		return r, nil
	case CronSecret:
		if !d.CronAuthorized(r) {
			return r, problem.New(problem.Unauthorized, "bad or missing cron secret")
		}
		return r, nil
	case OperatorOrSignedLink:
		if r.URL.Query().Has("sig") && r.Header.Get("Authorization") == "" {
			return r, d.checkSignedLink(r)
		}
	}
	role := user.Operator
	if rt.Access == Admin {
		role = user.Admin
	}
	p, err := d.Authorize(r, role, rt.Bucket)
	if err != nil {
		return r, err
	}
	return r.WithContext(context.WithValue(r.Context(), callerKey{}, p)), nil
}

// Caller is the signed-in user admit let through.
func Caller(r *http.Request) *user.Profile {
	p, _ := r.Context().Value(callerKey{}).(*user.Profile)
	return p
}
