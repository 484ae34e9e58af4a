package vapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Channel picks a recording: the mixed mono file or the stereo one
// (customer and assistant on separate channels).
type Channel string

// The recordings Vapi serves for a call.
const (
	Mono   Channel = "mono"
	Stereo Channel = "stereo"
)

// errNoLocation is an answer to a recording download that is not the
// documented redirect. (The OpenAPI document also lists a bare 200,
// NestJS's default for a GET; only the 302 carries a URL.)
var errNoLocation = errors.New("vapi answered a recording download without a redirect")

// RecordingURL asks Vapi where a call's recording is: GET
// /call/{id}/mono-recording (or stereo-recording) answers 302 to a
// short-lived presigned URL in private storage. The redirect is not
// followed, and the URL must not be stored or cached: it expires.
// IsNotFound(err) when the call has no such recording.
func (c *Client) RecordingURL(ctx context.Context, callID string, ch Channel) (string, error) {
	var loc string
	r := request{method: http.MethodGet, path: "/call/" + url.PathEscape(callID) + "/" + string(ch) + "-recording", location: &loc}
	if err := c.do(ctx, r, nil); err != nil {
		return "", fmt.Errorf("get %s recording: %w", ch, err)
	}
	if u, err := url.Parse(loc); loc == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("get %s recording: %w", ch, errNoLocation)
	}
	return loc, nil
}
