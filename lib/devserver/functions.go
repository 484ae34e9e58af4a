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
)

// Functions maps each file under api/ to its handler: the very functions
// Vercel deploys. A test checks it against the files on disk.
var Functions = map[string]http.HandlerFunc{
	"api/admin.go":          api.Admin,
	"api/assistants.go":     api.Assistants,
	"api/campaigns.go":      api.Campaigns,
	"api/config.go":         api.Config,
	"api/health.go":         api.Health,
	"api/me.go":             api.Me,
	"api/scheduler/tick.go": scheduler.Tick,
	"api/webhooks/vapi.go":  webhooks.Vapi,
}
