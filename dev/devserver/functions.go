// Package devserver is the local stand-in for Vercel: it serves every api/
// function at the path Vercel would, applying vercel.json's rewrites and
// headers, serves public/, and runs the cron. Its routing is read from
// vercel.json itself so local and deployed routing cannot drift.
package devserver

import (
	"maps"
	"net/http"
	"slices"

	"github.com/autolynx/autolynx/api/admin"
	"github.com/autolynx/autolynx/api/assistants"
	"github.com/autolynx/autolynx/api/campaigns"
	"github.com/autolynx/autolynx/api/config"
	"github.com/autolynx/autolynx/api/dnc"
	"github.com/autolynx/autolynx/api/health"
	"github.com/autolynx/autolynx/api/me"
	"github.com/autolynx/autolynx/api/scheduler"
	"github.com/autolynx/autolynx/api/webhooks"
	"github.com/autolynx/autolynx/lib/httpapi"
	adminroutes "github.com/autolynx/autolynx/lib/httpapi/admin"
	assistantroutes "github.com/autolynx/autolynx/lib/httpapi/assistants"
	campaignroutes "github.com/autolynx/autolynx/lib/httpapi/campaigns"
	configroutes "github.com/autolynx/autolynx/lib/httpapi/config"
	dncroutes "github.com/autolynx/autolynx/lib/httpapi/dnc"
	healthroutes "github.com/autolynx/autolynx/lib/httpapi/health"
	meroutes "github.com/autolynx/autolynx/lib/httpapi/me"
	tickroutes "github.com/autolynx/autolynx/lib/httpapi/tick"
	webhookroutes "github.com/autolynx/autolynx/lib/httpapi/webhooks"
)

// Function is one file under api/: the handler Vercel deploys from it and
// the table of routes it serves.
type Function struct {
	Handler http.HandlerFunc
	Routes  []httpapi.Route
}

// Functions is every Vercel function of the project, by file. A test
// checks the table against the files on disk, and that each file serves
// its own table.
var Functions = map[string]Function{
	"api/admin/index.go":      {admin.Admin, adminroutes.Routes},
	"api/assistants/index.go": {assistants.Assistants, assistantroutes.Routes},
	"api/campaigns/index.go":  {campaigns.Campaigns, campaignroutes.Routes},
	"api/config/index.go":     {config.Config, configroutes.Routes},
	"api/dnc/index.go":        {dnc.DNC, dncroutes.Routes},
	"api/health/index.go":     {health.Health, healthroutes.Routes},
	"api/me/index.go":         {me.Me, meroutes.Routes},
	"api/scheduler/tick.go":   {scheduler.Tick, tickroutes.Routes},
	"api/webhooks/vapi.go":    {webhooks.Vapi, webhookroutes.Routes},
}

// Routes is every function's routes, in the order of their files.
func Routes() []httpapi.Route {
	var out []httpapi.Route
	for _, file := range slices.Sorted(maps.Keys(Functions)) {
		out = append(out, Functions[file].Routes...)
	}
	return out
}

// Built returns the same functions built around d, with the same
// per-request wrapping lib/app applies (request id, access log).
func Built(d *httpapi.Deps) map[string]http.Handler {
	out := make(map[string]http.Handler, len(Functions))
	for file, f := range Functions {
		out[file] = httpapi.Wrap(d.Log, f.Routes[0].Function, httpapi.Function(d, f.Routes))
	}
	return out
}
