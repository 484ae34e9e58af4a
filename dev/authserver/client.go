package authserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/auth"
)

// These calls go through the gateway exactly as supabase-js and our
// invite code do: the Auth API at URL/auth/v1 with an API key.

// Session is what a sign-in returns.
type Session struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	User         struct {
		ID    uuid.UUID `json:"id"`
		Email string    `json:"email"`
	} `json:"user"`
}

// noRedirect opens links without following them: the redirect carries
// the session in its Location.
var noRedirect = &http.Client{
	Timeout:       15 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func (s *Server) call(ctx context.Context, method, path, key, bearer string, in, out any) error {
	return auth.API{URL: s.URL}.Call(ctx, method, path, key, bearer, in, out)
}

func (s *Server) admin(ctx context.Context, method, path string, in, out any) error {
	return s.call(ctx, method, path, s.ServiceRoleKey, s.ServiceRoleKey, in, out)
}

// CreateUser adds a confirmed email user with password, as an admin does
// in Supabase's dashboard, and returns its id.
func (s *Server) CreateUser(ctx context.Context, email, password string) (uuid.UUID, error) {
	var u struct {
		ID uuid.UUID `json:"id"`
	}
	err := s.admin(ctx, http.MethodPost, "/admin/users",
		map[string]any{"email": email, "password": password, "email_confirm": true}, &u)
	return u.ID, err
}

// GenerateLink returns the link an email of kind ("invite", "magiclink",
// "recovery"…) would carry, redirecting to redirectTo ("" = site URL).
func (s *Server) GenerateLink(ctx context.Context, kind, email, redirectTo string) (string, error) {
	var out struct {
		ActionLink string `json:"action_link"`
	}
	in := map[string]any{"type": kind, "email": email}
	if redirectTo != "" {
		in["redirect_to"] = redirectTo
	}
	if err := s.admin(ctx, http.MethodPost, "/admin/generate_link", in, &out); err != nil {
		return "", err
	}
	if out.ActionLink == "" {
		return "", errors.New("auth server: generate_link gave no action_link")
	}
	return out.ActionLink, nil
}

// FollowLink opens an email link the way a browser would and returns the
// session the redirect hands to the page (implicit flow: in the fragment).
func (s *Server) FollowLink(ctx context.Context, link string) (Session, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return Session{}, err
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		return Session{}, fmt.Errorf("follow link: %w", err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode/100 != 3 {
		return Session{}, fmt.Errorf("follow link: status %d, location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	frag, _ := url.ParseQuery(loc.Fragment)
	if e := frag.Get("error_description"); e != "" {
		return Session{}, fmt.Errorf("follow link: %s", e)
	}
	sess := Session{AccessToken: frag.Get("access_token"), RefreshToken: frag.Get("refresh_token")}
	if sess.AccessToken == "" {
		return Session{}, fmt.Errorf("follow link: no session in %q", loc.Redacted())
	}
	return sess, nil
}

// SignIn signs in with email and password, as supabase-js does.
func (s *Server) SignIn(ctx context.Context, email, password string) (Session, error) {
	var out Session
	err := s.call(ctx, http.MethodPost, "/token?grant_type=password", s.AnonKey, s.AnonKey,
		map[string]any{"email": email, "password": password}, &out)
	return out, err
}

// Refresh trades a refresh token for a new session.
func (s *Server) Refresh(ctx context.Context, refreshToken string) (Session, error) {
	var out Session
	err := s.call(ctx, http.MethodPost, "/token?grant_type=refresh_token", s.AnonKey, s.AnonKey,
		map[string]any{"refresh_token": refreshToken}, &out)
	return out, err
}

// SignOut ends sessions of the token's user: scope "global" (every
// device), "local" (this session) or "others".
func (s *Server) SignOut(ctx context.Context, accessToken, scope string) error {
	return s.call(ctx, http.MethodPost, "/logout?scope="+url.QueryEscape(scope), s.AnonKey, accessToken, nil, nil)
}

// SetPassword sets the signed-in user's password, as an invited user does
// after following the invitation.
func (s *Server) SetPassword(ctx context.Context, accessToken, password string) error {
	return s.call(ctx, http.MethodPut, "/user", s.AnonKey, accessToken, map[string]any{"password": password}, nil)
}

// GetUser asks the Auth server itself whether accessToken is good: it
// also checks that the token's session still exists.
func (s *Server) GetUser(ctx context.Context, accessToken string) error {
	return s.call(ctx, http.MethodGet, "/user", s.AnonKey, accessToken, nil, nil)
}

// SendMagicLink asks for a sign-in link by email for an existing user, as
// the dashboard's supabase-js signInWithOtp({shouldCreateUser: false}).
func (s *Server) SendMagicLink(ctx context.Context, email string) error {
	return s.call(ctx, http.MethodPost, "/otp", s.AnonKey, s.AnonKey, map[string]any{"email": email, "create_user": false}, nil)
}
