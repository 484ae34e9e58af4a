package httpapi

import (
	"net/http"
	"regexp"

	"github.com/autolynx/autolynx/lib/ratelimit"
)

//go:generate go run ../../tools/genroutes -root ../..

// Routes is every public route of the API, declared once: from it come
// each function's dispatch (Function), vercel.json's rewrites and the
// route list of docs/api.md (both written by `go generate ./lib/httpapi`),
// the local runner's routing (which reads vercel.json) and the auth matrix
// test. Adding a route is one line here plus its handler (then run go
// generate).
//
// Paths are http.ServeMux patterns; a handler reads r.PathValue("id").
var Routes = []Route{
	{"GET", "/api/health", "health", Public, "", jsonBody, (*Deps).health},
	{"GET", "/api/config", "config", Public, "", jsonBody, (*Deps).publicConfig},
	{"GET", "/api/me", "me", Operator, ratelimit.General, jsonBody, (*Deps).me},

	{"GET", "/api/campaigns", "campaigns", Operator, ratelimit.General, jsonBody, (*Deps).listCampaigns},
	{"POST", "/api/campaigns", "campaigns", Operator, ratelimit.Upload, uploadBody, (*Deps).createCampaign},
	{"GET", "/api/campaigns/{id}", "campaigns", Operator, ratelimit.General, jsonBody, (*Deps).getCampaign},
	{"PATCH", "/api/campaigns/{id}", "campaigns", Operator, ratelimit.General, jsonBody, (*Deps).patchCampaign},
	{"GET", "/api/campaigns/{id}/summary", "campaigns", Operator, ratelimit.General, jsonBody, (*Deps).getCampaign},
	{"GET", "/api/campaigns/{id}/contacts", "campaigns", Operator, ratelimit.General, jsonBody, (*Deps).listContacts},
	{"POST", "/api/campaigns/{id}/contacts", "campaigns", Operator, ratelimit.Upload, uploadBody, (*Deps).appendContacts},
	{"GET", "/api/campaigns/{id}/calls/{callId}", "campaigns", Operator, ratelimit.General, jsonBody, (*Deps).getCall},
	{"GET", "/api/campaigns/{id}/calls/{callId}/recording", "campaigns", OperatorOrSignedLink, ratelimit.General, jsonBody, (*Deps).recording},
	{"GET", "/api/campaigns/{id}/export.csv", "campaigns", Operator, ratelimit.Export, jsonBody, (*Deps).export},
	{"POST", "/api/campaigns/{id}/{action}", "campaigns", Operator, ratelimit.General, jsonBody, (*Deps).control},

	{"GET", "/api/assistants", "assistants", Operator, ratelimit.General, jsonBody, (*Deps).listAssistants},
	{"POST", "/api/assistants", "assistants", Admin, ratelimit.General, jsonBody, (*Deps).createAssistant},
	{"POST", "/api/assistants/import", "assistants", Admin, ratelimit.General, jsonBody, (*Deps).importAssistant},
	{"GET", "/api/assistants/{id}", "assistants", Operator, ratelimit.General, jsonBody, (*Deps).getAssistant},
	{"PATCH", "/api/assistants/{id}", "assistants", Admin, ratelimit.General, jsonBody, (*Deps).patchAssistant},
	{"DELETE", "/api/assistants/{id}", "assistants", Admin, ratelimit.General, jsonBody, (*Deps).deleteAssistant},

	{"GET", "/api/dnc", "dnc", Operator, ratelimit.General, jsonBody, (*Deps).listDNC},
	{"POST", "/api/dnc", "dnc", Operator, ratelimit.Upload, uploadBody, (*Deps).addDNC},
	{"DELETE", "/api/dnc/{phone}", "dnc", Admin, ratelimit.General, jsonBody, (*Deps).removeDNC},

	{"GET", "/api/admin/users", "admin", Admin, ratelimit.General, jsonBody, (*Deps).listUsers},
	{"POST", "/api/admin/users", "admin", Admin, ratelimit.General, jsonBody, (*Deps).invite},
	{"PATCH", "/api/admin/users/{id}", "admin", Admin, ratelimit.General, jsonBody, (*Deps).patchUser},
	{"DELETE", "/api/admin/users/{id}", "admin", Admin, ratelimit.General, jsonBody, (*Deps).revokeUser},
	{"GET", "/api/admin/config", "admin", Admin, ratelimit.General, jsonBody, (*Deps).getSettings},
	{"PATCH", "/api/admin/config", "admin", Admin, ratelimit.General, jsonBody, (*Deps).patchSettings},
	{"GET", "/api/admin/operations", "admin", Admin, ratelimit.General, jsonBody, (*Deps).operationsPage},
	{"PATCH", "/api/admin/operations", "admin", Admin, ratelimit.General, jsonBody, (*Deps).patchPolicy},
	{"PATCH", "/api/admin/operations/{id}", "admin", Admin, ratelimit.General, jsonBody, (*Deps).campaignAlert},

	{"GET", "/api/scheduler/tick", "scheduler/tick", CronSecret, "", jsonBody, (*Deps).tick},
	{"POST", "/api/scheduler/tick", "scheduler/tick", CronSecret, "", jsonBody, (*Deps).tick},
	{"POST", "/api/webhooks/vapi", "webhooks/vapi", WebhookSignature, "", messageBody, (*Deps).vapiWebhook},
}

// Route is one method and public path, the function that serves it and
// what it demands of a request.
type Route struct {
	Method string
	Path   string
	// Function is the api/ file that serves the route, without ".go":
	// "campaigns" is api/campaigns.go, deployed at /api/campaigns.
	Function string
	Access   Access
	// Bucket is the caller's rate limit a request counts against (signed-in
	// routes only).
	Bucket ratelimit.Bucket
	Body   BodyLimit
	handle func(*Deps, http.ResponseWriter, *http.Request) error
}

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
)

func (a Access) String() string {
	return [...]string{"public", "cron secret", "webhook signature", "signed-in user", "admin", "signed-in user or signed link"}[a]
}

// BodyLimit bounds a route's request body; the route's adapter enforces it
// for every handler.
type BodyLimit struct {
	Bytes int64
	// Message says what to do about a body over the limit.
	Message string
}

var (
	jsonBody    = BodyLimit{1 << 20, "request body too large"}
	uploadBody  = BodyLimit{MaxUpload, "upload too large: send the CSV in chunks under 4.5 MB"}
	messageBody = BodyLimit{MaxUpload, "request body too large"}
)

// Rewrite is one of vercel.json's rewrites.
type Rewrite struct {
	Source      string `json:"source"`
	Destination string `json:"destination"`
}

// Rewrites are vercel.json's rewrites, made from Routes: every public path
// other than a function's own goes to that function, with the path kept
// in the query (?path=…) for Function to route by.
func Rewrites() []Rewrite {
	var out []Rewrite
	seen := map[string]bool{}
	for _, rt := range Routes {
		if seen[rt.Path] || rt.Path == FunctionPath(rt.Function) {
			continue
		}
		seen[rt.Path] = true
		source := vercelParams.ReplaceAllString(rt.Path, ":$1")
		out = append(out, Rewrite{Source: source, Destination: FunctionPath(rt.Function) + "?path=" + source})
	}
	return out
}

// vercelParams finds ServeMux wildcards ({id}), which Vercel writes :id.
var vercelParams = regexp.MustCompile(`\{(\w+)\}`)
