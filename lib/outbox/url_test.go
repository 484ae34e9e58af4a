package outbox

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestURLPolicy(t *testing.T) {
	t.Parallel()
	deployed, local := URLPolicy{}, URLPolicy{Local: true}
	for _, c := range []struct {
		url             string
		deployed, local bool
	}{
		{"https://hooks.example.com/autolynx?key=1", true, true},
		{"http://hooks.example.com/autolynx", false, false},
		{"http://127.0.0.1:8080/hook", false, true},
		{"http://localhost:8080/hook", false, true},
		{"https://127.0.0.1/hook", false, true},
		{"https://10.0.0.5/hook", false, true},
		{"https://169.254.169.254/latest/meta-data", false, true},
		{"https://[::1]/hook", false, true},
		{"https://[::ffff:192.168.1.1]/hook", false, true},
		{"https://100.64.0.1/hook", false, true},
		{"https://metadata.google.internal/", false, true},
		{"https://user:pw@hooks.example.com/", false, false},
		{"ftp://hooks.example.com/", false, false},
		{"hooks.example.com/x", false, false},
	} {
		if _, err := deployed.CheckURL(c.url); (err == nil) != c.deployed {
			t.Errorf("deployed %s: %v", c.url, err)
		}
		if _, err := local.CheckURL(c.url); (err == nil) != c.local {
			t.Errorf("local %s: %v", c.url, err)
		}
	}
}

// Deployed, a connection to a private address is refused after DNS, so a
// public name that resolves inside cannot reach it; locally loopback is
// allowed.
func TestDeployedClientRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	if err := (URLPolicy{}).dialCheck(context.Background(), addr); !errors.Is(err, errBlockedAddress) {
		t.Errorf("deployed dial to %s: %v", addr, err)
	}
	if err := (URLPolicy{Local: true}).dialCheck(context.Background(), addr); err != nil {
		t.Errorf("local dial: %v", err)
	}
	resp, err := URLPolicy{}.Client().Get(strings.Replace(srv.URL, "127.0.0.1", "localhost", 1))
	if err == nil {
		resp.Body.Close()
		t.Error("the deployed client reached loopback by name")
	}
}

// dialCheck dials address through the policy's dialer.
func (p URLPolicy) dialCheck(ctx context.Context, address string) error {
	conn, err := p.newClient().Transport.(*http.Transport).DialContext(ctx, "tcp", address)
	if err != nil {
		return err
	}
	return conn.Close()
}
