package invite

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/problem"
)

// fakeAuth answers Supabase Auth's invite (the email always exists) and
// its admin user list, which filters by a substring of the email and
// pages like the real one: users holds every account, newest first.
type fakeAuth struct {
	t     *testing.T
	key   string
	users []authUser

	mu    sync.Mutex
	pages []int // the pages asked for, in order
}

func (f *fakeAuth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("apikey") != f.key || r.Header.Get("Authorization") != "Bearer "+f.key {
		http.Error(w, `{"msg":"no service role key"}`, http.StatusUnauthorized)
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/auth/v1/invite":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, `{"code":422,"error_code":"email_exists","msg":"A user with this email address has already been registered"}`)
	case r.Method == http.MethodGet && r.URL.Path == "/auth/v1/admin/users":
		q := r.URL.Query()
		page, err1 := strconv.Atoi(q.Get("page"))
		per, err2 := strconv.Atoi(q.Get("per_page"))
		if err1 != nil || err2 != nil || page < 1 || per < 1 {
			f.t.Errorf("user list asked with page=%q per_page=%q", q.Get("page"), q.Get("per_page"))
			http.Error(w, "bad paging", http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.pages = append(f.pages, page)
		f.mu.Unlock()
		var match []authUser
		for _, u := range f.users {
			if strings.Contains(strings.ToLower(u.Email), strings.ToLower(q.Get("filter"))) {
				match = append(match, u)
			}
		}
		from, to := min((page-1)*per, len(match)), min(page*per, len(match))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"aud":"authenticated","users":%s}`, usersJSON(match[from:to]))
	default:
		f.t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	}
}

func usersJSON(users []authUser) string {
	var b strings.Builder
	b.WriteString("[")
	for i, u := range users {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id":%q,"email":%q,"role":"authenticated"}`, u.ID, u.Email)
	}
	b.WriteString("]")
	return b.String()
}

// similar makes n accounts whose email contains email without being it,
// as the Auth server's substring filter returns them.
func similar(n int, email string) []authUser {
	out := make([]authUser, n)
	for i := range out {
		out[i] = authUser{ID: uuid.New(), Email: fmt.Sprintf("team%03d.%s", i, email)}
	}
	return out
}

// TestSupabaseInviteFindsExistingUserPastFirstPage: the account of an
// email that already exists is found when the Auth server's filtered list
// puts it past the first page (more than a page of emails contain it),
// matching the email exactly and in any case.
func TestSupabaseInviteFindsExistingUserPastFirstPage(t *testing.T) {
	t.Parallel()
	const email = "ann@example.com"
	want := uuid.New()
	f := &fakeAuth{t: t, key: "service-role-key"}
	f.users = append(similar(usersPerPage+30, email), authUser{ID: want, Email: "Ann@Example.com"})
	f.users = append(f.users, similar(5, "bob@example.com")...)
	srv := httptest.NewServer(f)
	defer srv.Close()

	got, err := Supabase{URL: srv.URL, ServiceRoleKey: f.key}.Invite(context.Background(), email)
	if err != nil || got != want {
		t.Fatalf("Invite = %v, %v; want %v", got, err, want)
	}
	if fmt.Sprint(f.pages) != "[1 2]" {
		t.Errorf("pages asked = %v, want [1 2]", f.pages)
	}
}

// TestSupabaseInviteStopsPaging: a list that ends without the email, and
// one that never ends, give a conflict after a bounded number of pages.
func TestSupabaseInviteStopsPaging(t *testing.T) {
	t.Parallel()
	const email = "ann@example.com"
	for name, tc := range map[string]struct {
		users []authUser
		pages int
	}{
		"the list ends":        {similar(usersPerPage*2+1, email), 3},
		"full pages past cap":  {similar(usersPerPage*(maxUserPages+2), email), maxUserPages},
		"a full last page too": {similar(usersPerPage, email), 2},
	} {
		f := &fakeAuth{t: t, key: "service-role-key", users: tc.users}
		srv := httptest.NewServer(f)
		_, err := Supabase{URL: srv.URL, ServiceRoleKey: f.key}.Invite(context.Background(), email)
		srv.Close()
		var pe *problem.Error
		if !errors.As(err, &pe) || pe.Kind != problem.Conflict {
			t.Errorf("%s: err = %v, want a conflict", name, err)
		}
		if len(f.pages) != tc.pages {
			t.Errorf("%s: %d pages asked, want %d", name, len(f.pages), tc.pages)
		}
	}
}
