// Package recording hands out AutoLynx's own links to call recordings.
// Vapi keeps recordings in private storage, reachable only through
// GET /call/{id}/mono-recording with the API key, which redirects to a
// short-lived presigned URL. So no Vapi URL is ever shown or exported:
// the dashboard and the export link to our endpoint, which asks Vapi each
// time. An exported link carries an expiring signature so it opens from a
// spreadsheet without signing in.
package recording

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/problem"
)

// LinkTTL is how long an exported link works at least. Expiry is rounded
// up to the next whole linkStep, so every export within the same hour
// carries the same links (a file downloaded twice is the same file).
const (
	LinkTTL  = 7 * 24 * time.Hour
	linkStep = time.Hour
)

// purpose labels the key derivation, so the link key is used for nothing
// else and a new label (v2) retires every link at once.
const purpose = "autolynx recording link v1"

// Links signs and checks recording links.
type Links struct {
	// Base is PUBLIC_URL: exported links are absolute.
	Base string
	key  []byte
	now  func() time.Time
}

// NewLinks derives the link key from secret (VAPI_API_KEY: whoever holds
// it can already download every recording from Vapi, so a link signed
// with a key derived from it grants nothing more) as
// HMAC-SHA256(secret, purpose).
func NewLinks(base, secret string, now func() time.Time) Links {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(purpose))
	return Links{Base: base, key: m.Sum(nil), now: now}
}

// Path is the endpoint serving the recording of a call of a campaign.
func Path(campaignID, callID uuid.UUID) string {
	return "/api/campaigns/" + campaignID.String() + "/calls/" + callID.String() + "/recording"
}

// Signed is the absolute link for the export: valid LinkTTL (up to an
// hour more) without signing in.
func (l Links) Signed(campaignID, callID uuid.UUID) string {
	expires := strconv.FormatInt(expiry(l.now()).Unix(), 10)
	q := url.Values{"expires": {expires}, "sig": {l.sig(callID, expires)}}
	return l.Base + Path(campaignID, callID) + "?" + q.Encode()
}

// Valid reports whether sig signs callID until expires, and that time is
// still to come. The comparison is constant-time.
func (l Links) Valid(callID uuid.UUID, expires, sig string) bool {
	at, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || at < l.now().Unix() || at > expiry(l.now()).Unix() {
		return false
	}
	return hmac.Equal([]byte(sig), []byte(l.sig(callID, expires)))
}

// expiry is when a link signed at now stops working.
func expiry(now time.Time) time.Time {
	return now.Add(LinkTTL).Truncate(linkStep).Add(linkStep)
}

func (l Links) sig(callID uuid.UUID, expires string) string {
	return hmacHex(l.key, callID.String()+"|"+expires)
}

func hmacHex(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// Exists is the SQL condition, on a calls row aliased l, that a call has a
// recording we may serve: Vapi reported one (calls.recording_url keeps
// Vapi's private storage URL only as that evidence; it is never shown) and
// retention has not purged it.
const Exists = `(l.recording_url is not null)`

// ProviderCallID returns Vapi's id of a call of the campaign that has a
// recording; NotFound otherwise.
func ProviderCallID(ctx context.Context, q db.DBTX, campaignID, callID uuid.UUID) (string, error) {
	var id string
	err := q.QueryRow(ctx, `select l.provider_call_id from calls l
		where l.id = $2 and l.campaign_id = $1 and l.provider_call_id is not null and `+Exists, campaignID, callID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", problem.New(problem.NotFound, "this call has no recording")
	}
	if err != nil {
		return "", fmt.Errorf("find recording: %w", err)
	}
	return id, nil
}
