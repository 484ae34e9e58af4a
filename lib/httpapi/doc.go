// Package httpapi is what every API function shares: the route (Route,
// Access, BodyLimit) and the adapter that serves a function's table
// (Function: access, rate limit, body limit, the error envelope of
// docs/api.md), the deps built once per instance, and the helpers
// handlers answer with. Domain errors become status codes here and nowhere
// else. Each function's routes and handlers are a package below this one
// (health, config, me, assistants, campaigns, dnc, admin, tick, webhooks);
// the functions under api/ only hand requests to them.
package httpapi
