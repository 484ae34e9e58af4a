package auth

import (
	"net/http/httptest"
	"testing"
)

func TestBearerToken(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		header string
		token  string
		ok     bool
	}{
		"canonical":   {"Bearer abc.def.ghi", "abc.def.ghi", true},
		"lower case":  {"bearer abc", "abc", true},
		"upper case":  {"BEARER abc", "abc", true},
		"padded":      {"Bearer   abc  ", "abc", true},
		"missing":     {"", "", false},
		"empty token": {"Bearer    ", "", false},
		"basic":       {"Basic dXNlcjpwdw==", "", false},
		"no space":    {"Bearerabc", "", false},
	}
	for name, tc := range cases {
		r := httptest.NewRequest("GET", "/api/me", nil)
		if tc.header != "" {
			r.Header.Set("Authorization", tc.header)
		}
		if token, ok := BearerToken(r); token != tc.token || ok != tc.ok {
			t.Errorf("%s: got %q, %v; want %q, %v", name, token, ok, tc.token, tc.ok)
		}
	}
}
