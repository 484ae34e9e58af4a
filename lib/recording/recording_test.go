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
	if exp != strconv.FormatInt(now.Add(LinkTTL).Unix(), 10) || !l.Valid(call, exp, sig) {
		t.Fatalf("fresh link refused: expires %s", exp)
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
	now = now.Add(LinkTTL + time.Second)
	if l.Valid(call, exp, sig) {
		t.Error("expired link accepted")
	}
}
