// Package devserver is the local stand-in for Vercel: it serves every api/
// function at the path Vercel would, applying vercel.json's rewrites and
// headers, serves public/, and runs the cron. Its routing is read from
// vercel.json itself so local and deployed routing cannot drift.
package devserver

import (
	"net/http"

	"github.com/autolynx/autolynx/api"
	"github.com/autolynx/autolynx/api/scheduler"
	"github.com/autolynx/autolynx/api/webhooks"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// Function is one file under api/: the handler Vercel deploys, and the
// lib constructor that handler serves (so tests can build it around their
// own database). A test checks the table against the files on disk.
type Function struct {
	Handler http.HandlerFunc
	Build   func(*httpapi.Deps) http.Handler
}

// Functions is every Vercel function of the project, by file.
var Functions = map[string]Function{
	"api/admin.go":          {api.Admin, httpapi.Admin},
	"api/assistants.go":     {api.Assistants, httpapi.Assistants},
	"api/campaigns.go":      {api.Campaigns, httpapi.Campaigns},
	"api/config.go":         {api.Config, httpapi.PublicConfig},
	"api/dnc.go":            {api.DNC, httpapi.DNC},
	"api/health.go":         {api.Health, httpapi.Health},
	"api/me.go":             {api.Me, httpapi.Me},
	"api/scheduler/tick.go": {scheduler.Tick, httpapi.Tick},
	"api/webhooks/vapi.go":  {webhooks.Vapi, httpapi.VapiWebhook},
}

// Deployed returns the handlers exactly as Vercel runs them (dependencies
// from lib/app).
func Deployed() map[string]http.Handler {
	out := make(map[string]http.Handler, len(Functions))
	for file, f := range Functions {
		out[file] = f.Handler
	}
	return out
}

// Built returns the same functions built around d, with the same
// per-request wrapping lib/app applies (request id, access log).
func Built(d *httpapi.Deps) map[string]http.Handler {
	out := make(map[string]http.Handler, len(Functions))
	for file, f := range Functions {
		out[file] = httpapi.Wrap(d.Log, file, f.Build(d))
	}
	return out
}
