// Package devserver is the local stand-in for Vercel: it serves every api/
// function at the path Vercel would, applying vercel.json's rewrites and
// headers, serves public/, and runs the cron. Its routing is read from
// vercel.json itself so local and deployed routing cannot drift.
package devserver

import (
	"net/http"
	"path/filepath"
	"strings"

	"github.com/autolynx/autolynx/api"
	"github.com/autolynx/autolynx/api/scheduler"
	"github.com/autolynx/autolynx/api/webhooks"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// Functions is every Vercel function of the project: its file under api/
// and the handler Vercel deploys from it. A test checks the table against
// the files on disk, and that each file serves its own name's routes.
var Functions = map[string]http.HandlerFunc{
	"api/admin.go":          api.Admin,
	"api/assistants.go":     api.Assistants,
	"api/campaigns.go":      api.Campaigns,
	"api/config.go":         api.Config,
	"api/dnc.go":            api.DNC,
	"api/health.go":         api.Health,
	"api/me.go":             api.Me,
	"api/scheduler/tick.go": scheduler.Tick,
	"api/webhooks/vapi.go":  webhooks.Vapi,
}

// Name is a function file's name in httpapi.Routes: "api/scheduler/tick.go"
// is "scheduler/tick".
func Name(file string) string {
	return strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(file), "api/"), ".go")
}

// Deployed returns the handlers exactly as Vercel runs them (dependencies
// from lib/app).
func Deployed() map[string]http.Handler {
	out := make(map[string]http.Handler, len(Functions))
	for file, h := range Functions {
		out[file] = h
	}
	return out
}

// Built returns the same functions built around d, with the same
// per-request wrapping lib/app applies (request id, access log).
func Built(d *httpapi.Deps) map[string]http.Handler {
	out := make(map[string]http.Handler, len(Functions))
	for file := range Functions {
		out[file] = httpapi.Wrap(d.Log, Name(file), httpapi.Function(d, Name(file)))
	}
	return out
}
