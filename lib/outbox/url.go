package outbox

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/autolynx/autolynx/lib/problem"
)

// URLPolicy says where deliveries may go. Deployed: https only, and never
// to an address inside a private network (loopback, RFC 1918, link-local
// — cloud metadata —, carrier-grade NAT, unique-local…), checked when an
// admin saves the URL and again on every connection, after DNS, so a name
// that later resolves inside cannot reach it. Local (the local runner and
// the tests, config.Local): also http, to a loopback host only.
type URLPolicy struct {
	Local bool
}

// CheckURL validates a destination's URL as an admin saves it.
func (p URLPolicy) CheckURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", invalidURL("url must be an absolute https:// URL")
	}
	if u.User != nil {
		return "", invalidURL("url must not carry a user name or password")
	}
	if u.Fragment != "" {
		return "", invalidURL("url must not carry a #fragment")
	}
	host := u.Hostname()
	loopback := host == "localhost" || isLoopback(host)
	switch u.Scheme {
	case "https":
	case "http":
		if !(p.Local && loopback) {
			return "", invalidURL("url must use https (plain http only to a loopback address, in local development)")
		}
	default:
		return "", invalidURL("url must use https")
	}
	if !p.Local {
		if loopback || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".internal") {
			return "", invalidURL("url must not name a private or loopback host")
		}
		if ip, err := netip.ParseAddr(host); err == nil && blocked(ip) {
			return "", invalidURL("url must not name a private or loopback address")
		}
	}
	return u.String(), nil
}

func invalidURL(msg string) error { return problem.New(problem.Invalid, msg, "field", "url") }

func isLoopback(host string) bool {
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// privateRanges are the ranges the standard library's predicates miss.
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("64:ff9b::/96"),  // NAT64 may reach IPv4 inside
}

// blocked reports whether ip is no public unicast address.
func blocked(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsMulticast() || ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() || !ip.IsValid() {
		return true
	}
	for _, p := range privateRanges {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// errBlockedAddress is a connection refused by the policy.
var errBlockedAddress = errors.New("destination resolves to a private or loopback address")

// Client is the HTTP client deliveries go through: no redirects followed
// (a 3xx is a failed attempt, never a hop to elsewhere), no proxy from the
// environment, and, deployed, a dialer that refuses private addresses
// after resolution. Each request's own context bounds it. One client per
// policy serves a warm instance, so connections are reused.
func (p URLPolicy) Client() *http.Client {
	if c, ok := clients.Load(p); ok {
		return c.(*http.Client)
	}
	c, _ := clients.LoadOrStore(p, p.newClient())
	return c.(*http.Client)
}

var clients sync.Map // URLPolicy → *http.Client

func (p URLPolicy) newClient() *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if !p.Local {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil || blocked(ip) {
				return errBlockedAddress
			}
			return nil
		}
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       30 * time.Second,
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
