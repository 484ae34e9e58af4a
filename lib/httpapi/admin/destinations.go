package admin

import (
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/httpapi"
	"github.com/autolynx/autolynx/lib/httpapi/jsonbody"
	"github.com/autolynx/autolynx/lib/outbox"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/ratelimit"
)

// destinationRoutes serve the destinations the outbox delivers events to
// (lib/outbox): admins configure them, read their delivery log, send a
// test event and redeliver; the outcomes CSV is read by its token alone.
var destinationRoutes = []httpapi.Route{
	route("GET", "/api/admin/destinations", listDestinations),
	route("POST", "/api/admin/destinations", createDestination),
	route("PATCH", "/api/admin/destinations/{id}", patchDestination),
	route("DELETE", "/api/admin/destinations/{id}", deleteDestination),
	route("POST", "/api/admin/destinations/{id}/secret", rotateSecret),
	route("GET", "/api/admin/destinations/{id}/deliveries", destinationLog),
	route("POST", "/api/admin/destinations/{id}/test", sendTest),
	route("POST", "/api/admin/destinations/{id}/deliveries/{deliveryId}/redeliver", redeliverDelivery),
	route("POST", "/api/admin/destinations/{id}/events/{eventId}/redeliver", redeliverEvent),
	route("POST", "/api/admin/destinations/{id}/feed", issueFeed),
	route("DELETE", "/api/admin/destinations/{id}/feed", revokeFeed),
	{Method: "GET", Path: "/api/admin/destinations/{id}/outcomes.csv", Function: "admin", Access: httpapi.FeedToken,
		Bucket: ratelimit.Export, Body: httpapi.JSONBody, Handle: outcomesCSV},
}

// policy is where destinations may point: https to public addresses
// deployed; also http to loopback under the local runner and tests.
func policy(d *httpapi.Deps) outbox.URLPolicy { return outbox.URLPolicy{Local: d.Config.Local} }

func dispatcher(d *httpapi.Deps, r *http.Request) *outbox.Dispatcher {
	return outbox.NewDispatcher(d.DB, policy(d), d.Now, httpapi.Log(r))
}

func listDestinations(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	list, err := outbox.List(r.Context(), d.DB)
	return httpapi.Reply(w, r, map[string]any{"destinations": list, "events": outbox.EventTypes}, err)
}

// createDestination answers the destination and its signing secret,
// which is never shown again.
func createDestination(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	var in outbox.Input
	if err := jsonbody.Decode(r, &in); err != nil {
		return err
	}
	dst, secret, err := outbox.Create(r.Context(), d.DB, policy(d), in, httpapi.Caller(r).ID, d.Now())
	return httpapi.Created(w, map[string]any{"destination": dst, "secret": secret}, err)
}

func patchDestination(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "destination")
	if err != nil {
		return err
	}
	var in outbox.Input
	if err := jsonbody.Decode(r, &in); err != nil {
		return err
	}
	dst, err := outbox.Update(r.Context(), d.DB, policy(d), id, in, d.Now())
	return httpapi.Reply(w, r, dst, err)
}

func deleteDestination(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "destination")
	if err != nil {
		return err
	}
	return httpapi.NoContent(w, outbox.Delete(r.Context(), d.DB, id))
}

func rotateSecret(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "destination")
	if err != nil {
		return err
	}
	secret, err := outbox.RotateSecret(r.Context(), d.DB, id, d.Now())
	return httpapi.Reply(w, r, map[string]string{"secret": secret}, err)
}

// destinationLog answers the destination's latest deliveries and its
// last attempts, newest first.
func destinationLog(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "destination")
	if err != nil {
		return err
	}
	limit := 50
	if err := httpapi.PositiveInt(r.URL.Query().Get("limit"), "limit", outbox.MaxLog, &limit); err != nil {
		return err
	}
	if _, err := outbox.Get(r.Context(), d.DB, id); err != nil {
		return err
	}
	deliveries, err := outbox.Deliveries(r.Context(), d.DB, id, limit)
	if err != nil {
		return err
	}
	attempts, err := outbox.Attempts(r.Context(), d.DB, id, limit)
	return httpapi.Reply(w, r, map[string]any{"deliveries": deliveries, "attempts": attempts}, err)
}

func sendTest(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "destination")
	if err != nil {
		return err
	}
	st, err := dispatcher(d, r).SendTest(r.Context(), id)
	return httpapi.Reply(w, r, st, err)
}

func redeliverDelivery(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, other, err := twoIDs(r, "deliveryId", "delivery")
	if err != nil {
		return err
	}
	st, err := dispatcher(d, r).RedeliverDelivery(r.Context(), id, other)
	return httpapi.Reply(w, r, st, err)
}

func redeliverEvent(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, other, err := twoIDs(r, "eventId", "event")
	if err != nil {
		return err
	}
	st, err := dispatcher(d, r).Redeliver(r.Context(), id, other)
	return httpapi.Reply(w, r, st, err)
}

// twoIDs reads the destination's id and a second id from the path.
func twoIDs(r *http.Request, name, thing string) (uuid.UUID, uuid.UUID, error) {
	id, err := httpapi.PathID(r, "id", "destination")
	if err != nil {
		return id, uuid.Nil, err
	}
	other, err := httpapi.PathID(r, name, thing)
	return id, other, err
}

// issueFeed makes (or replaces) the outcomes CSV link's token and
// answers the link, which is shown this once.
func issueFeed(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "destination")
	if err != nil {
		return err
	}
	token, err := outbox.IssueFeedToken(r.Context(), d.DB, id, d.Now())
	if err != nil {
		return err
	}
	url := d.Config.PublicURL + "/api/admin/destinations/" + id.String() + "/outcomes.csv?token=" + token
	return httpapi.Reply(w, r, map[string]string{"url": url, "formula": `=IMPORTDATA("` + url + `")`}, nil)
}

func revokeFeed(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "destination")
	if err != nil {
		return err
	}
	return httpapi.NoContent(w, outbox.RevokeFeedToken(r.Context(), d.DB, id, d.Now()))
}

// outcomesCSV answers the latest finished calls as CSV to the holder of
// the destination's feed token (no sign-in: a spreadsheet's IMPORTDATA
// cannot send one), at most 5 times a minute per link like exports.
func outcomesCSV(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		id = uuid.Nil // refused below like any wrong token
	}
	if err := outbox.CheckFeedToken(r.Context(), d.DB, id, q.Get("token")); err != nil {
		return err
	}
	// The link counts as its destination against the export limit.
	if err := d.Limit(r.Context(), id, ratelimit.Export); err != nil {
		return err
	}
	var only *uuid.UUID
	if v := q.Get("campaignId"); v != "" {
		c, err := uuid.Parse(v)
		if err != nil {
			return problem.New(problem.Invalid, "campaignId must be a UUID", "field", "campaignId")
		}
		only = &c
	}
	limit, ok := outbox.FeedLimit(q.Get("limit"))
	if !ok {
		return problem.New(problem.Invalid, "limit must be an integer from 1 to "+strconv.Itoa(outbox.MaxFeedRows), "field", "limit")
	}
	b, err := outbox.OutcomesCSV(r.Context(), d.DB, only, limit)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
	return nil
}
