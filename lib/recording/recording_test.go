package recording

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestLinksExpireAndResistTampering(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	l := NewLinks("https://app.example", "vapi-key", func() time.Time { return now })
	campaign, call := uuid.New(), uuid.New()
	link := l.Signed(campaign, call)
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(link, "https://app.example"+Path(campaign, call)+"?") {
		t.Fatalf("link %q", link)
	}
	exp, sig := u.Query().Get("expires"), u.Query().Get("sig")
	if exp != strconv.FormatInt(expiry(now).Unix(), 10) || !l.Valid(call, exp, sig) {
		t.Fatalf("fresh link refused: expires %s", exp)
	}
	if at, _ := strconv.ParseInt(exp, 10, 64); time.Unix(at, 0).Sub(now) < LinkTTL {
		t.Errorf("link valid for %s, want at least %s", time.Unix(at, 0).Sub(now), LinkTTL)
	}
	later := strconv.FormatInt(now.Add(30*24*time.Hour).Unix(), 10)
	other := NewLinks("https://app.example", "another-key", func() time.Time { return now })
	for name, ok := range map[string]bool{
		"other call":       l.Valid(uuid.New(), exp, sig),
		"later expiry":     l.Valid(call, later, sig),
		"other key":        other.Valid(call, exp, sig),
		"bad sig":          l.Valid(call, exp, strings.Repeat("0", len(sig))),
		"no expiry":        l.Valid(call, "", sig),
		"beyond a week":    l.Valid(call, later, l.sig(call, later)),
		"raw key not used": sig == hmacHex([]byte("vapi-key"), call.String()+"|"+exp),
	} {
		if ok {
			t.Errorf("%s: accepted", name)
		}
	}
	// An export a few seconds later in the same hour is the same file.
	now = now.Add(5 * time.Second)
	if again := l.Signed(campaign, call); again != link {
		t.Errorf("links of one hour differ: %s, then %s", link, again)
	}
	now = now.Add(LinkTTL + linkStep)
	if l.Valid(call, exp, sig) {
		t.Error("expired link accepted")
	}
}
