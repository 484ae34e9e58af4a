package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAPIRefusalsAndFailures(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/auth/v1/invite" || r.Header.Get("apikey") != "key" || r.Header.Get("Authorization") != "Bearer key" {
			http.Error(w, "unexpected request", http.StatusTeapot)
			return
		}
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = w.Write([]byte(`{"code":422,"error_code":"email_exists","msg":"A user with this email address has already been registered"}`))
	}))
	api := API{URL: srv.URL + "/"}
	err := api.Call(context.Background(), http.MethodPost, "/invite", "key", "key", map[string]string{"email": "a@b.c"}, nil)
	var refused *APIError
	if !errors.As(err, &refused) || refused.Status != 422 || refused.Code != "email_exists" {
		t.Fatalf("err = %v, want the refusal decoded", err)
	}
	srv.Close()
	err = api.Call(context.Background(), http.MethodGet, "/admin/users?filter=someone%40example.com", "key", "key", nil, nil)
	if err == nil || strings.Contains(err.Error(), "example.com") || strings.Contains(err.Error(), "someone") {
		t.Errorf("err = %v, want a failure that does not name the email", err)
	}
}
