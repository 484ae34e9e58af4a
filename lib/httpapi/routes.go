package httpapi

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/ratelimit"
)

//go:generate go run ../../tools/genroutes -root ../..

// Every public route is declared once, in the table (Routes) of the
// package under lib/httpapi that serves its api/ function: health, config,
// me, assistants, campaigns, dnc, admin, tick and webhooks. Each api/ file
// hands its table to app.Serve, so a function links its own handlers and
// their imports only (phone-number metadata and supabase-go stay out of
// the functions that do not need them). From all the tables
// (devserver.Routes) come vercel.json's rewrites and the route list of
// docs/api.md (`go generate ./lib/httpapi`), the local runner's routing and
// the auth matrix test. Adding a route is one line in its table plus its
// handler, then go generate. Paths are http.ServeMux patterns; a handler
// reads r.PathValue("id").

// Route is one method and public path, the function that serves it and
// what it demands of a request.
type Route struct {
	Method string
	Path   string
	// Function names the api/ function that serves the route, deployed at
	// "/api/" + Function: "campaigns" is api/campaigns/index.go at
	// /api/campaigns, "scheduler/tick" api/scheduler/tick.go.
	Function string
	Access   Access
	// Bucket is the caller's rate limit a request counts against (signed-in
	// routes only).
	Bucket ratelimit.Bucket
	Body   BodyLimit
	Handle Handler
}

// Handler serves one route; an error it returns is answered in the error
// envelope by the route's adapter.
type Handler func(*Deps, http.ResponseWriter, *http.Request) error

// Pattern is the route as an http.ServeMux pattern.
func (rt Route) Pattern() string { return rt.Method + " " + rt.Path }

// Access is who may call a route.
type Access int

const (
	// Public routes answer anyone; what they show does not depend on it
	// (health shows more to an admin or the cron secret, by itself).
	Public Access = iota
	// CronSecret routes need CRON_SECRET or CRON_SHARED_SECRET as bearer.
	CronSecret
	// WebhookSignature routes are verified by the receiver against the raw
	// body (X-Vapi-Secret, Bearer credential or HMAC), before any parsing.
	WebhookSignature
	// Operator routes need any allowlisted user.
	Operator
	// Admin routes need an allowlisted admin.
	Admin
	// OperatorOrSignedLink routes take a user, or instead the expiring
	// signature of a link AutoLynx handed out (an export's recording link).
	OperatorOrSignedLink
	// FeedToken routes take no user: the handler checks the token of the
	// link an admin issued (a destination's outcomes CSV, read by a
	// spreadsheet), in constant time, before anything else.
	FeedToken
)

func (a Access) String() string {
	return [...]string{"public", "cron secret", "webhook signature", "signed-in user", "admin", "signed-in user or signed link", "link token"}[a]
}

// BodyLimit bounds a route's request body; the route's adapter enforces it
// for every handler.
type BodyLimit struct {
	Bytes int64
	// Message says what to do about a body over the limit.
	Message string
}

var (
	JSONBody    = BodyLimit{1 << 20, "request body too large"}
	UploadBody  = BodyLimit{MaxUpload, "upload too large: send the CSV in chunks under 4.5 MB"}
	MessageBody = BodyLimit{MaxUpload, "request body too large"}
)
