package admin

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/ids"
	"github.com/matterfile/matterfile/internal/googlesignin"
)

// "Sign in with Google" (Config.Google), for a firm whose Google Workspace
// domain is set (catalog.Settings.WorkspaceDomain). The sign-in page posts
// the firm to googleStartPath; googlesignin sends the browser to Google
// with its state in a signed cookie; the callback checks that the account
// is of the firm's Workspace (the ID token's hd claim), finds the firm's
// account with that verified address, refuses it if disabled or locked as
// a password sign-in would, and opens the session as a password sign-in
// does. Every attempt is audited as login, with the source IP and the
// class of the outcome, never the address or a token.
//
// The firm travels inside the signed cookie, as the path given to Start
// (googleReturn), so a callback cannot be pointed at another firm. A
// second, unsigned cookie names the firm too, only so that a failure
// before the signed one could be read (replay, expiry, cancel at Google)
// is audited in that firm's log.

const (
	googleStartPath    = "/signin/google"
	googleCallbackPath = "/signin/google/callback"
	// googleReturnPrefix starts the returnTo given to Start: the firm,
	// then ?next=<page>. It is not a route.
	googleReturnPrefix = "/signin/google/firm/"
	googleHintCookie   = "matterfile-google-firm"
)

func (s *Server) googleRoutes() {
	if s.cfg.Google == nil {
		return
	}
	s.mux.HandleFunc("POST "+googleStartPath, s.googleStart)
	s.mux.HandleFunc("GET "+googleCallbackPath, s.googleCallback)
}

// What a refused Google sign-in tells the person. Unknown firm and no
// domain read the same, so the page tells nobody which firms exist.
const (
	googleNotSetUp = "Sign in with Google is not set up for this firm. An administrator sets the firm's Google Workspace domain first; until then, sign in with your password."
	googleRefused  = "That Google account may not sign in to this firm. Use your firm's Google Workspace account, or ask your administrator."
	googleExpired  = "The Google sign-in expired or was already used. Start again."
	googleCanceled = "The Google sign-in was cancelled."
	googleFailed   = "Google sign-in failed. Try again, or sign in with your password."
)

func (s *Server) googleStart(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	tenant := strings.ToLower(strings.TrimSpace(r.PostFormValue("tenant")))
	next := localPath(r.PostFormValue("next"))
	ip := clientIP(r)
	t, domain, err := s.googleFirm(r.Context(), tenant)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if t == nil {
		s.log.Warn("Google sign-in to an unknown firm", "ip", ip)
		s.googleRefuse(w, r, tenant, googleNotSetUp)
		return
	}
	if domain == "" {
		if err := t.RecordFrom(r.Context(), "user:unknown", ip, audit.ActionLogin, nil, audit.Refused, "google: no Workspace domain configured"); err != nil {
			s.fail(w, r, err)
			return
		}
		s.googleRefuse(w, r, tenant, googleNotSetUp)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: googleHintCookie, Value: t.ID, Path: googleCallbackPath,
		MaxAge: int(googlesignin.DefaultFlowTTL / time.Second), HttpOnly: true,
		Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteLaxMode,
	})
	if err := s.cfg.Google.Start(w, r, googleReturnPrefix+t.ID+"?next="+url.QueryEscape(next)); err != nil {
		s.fail(w, r, err)
	}
}

// allowGoogleForm lets the sign-in page's form go on to Google: browsers
// apply form-action to the redirects after a form's POST too, so the
// page's policy admits the origin of Google's sign-in, which a throwaway
// Start names (it only builds a URL and a cookie, sent nowhere).
func (s *Server) allowGoogleForm(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Google == nil {
		return
	}
	probe := &headerOnly{h: http.Header{}}
	if s.cfg.Google.Start(probe, r, "/") != nil {
		return
	}
	u, err := url.Parse(probe.h.Get("Location"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return
	}
	w.Header().Set("Content-Security-Policy", strings.Replace(contentSecurityPolicy,
		"form-action 'self'", "form-action 'self' "+u.Scheme+"://"+u.Host, 1))
}

// headerOnly is a ResponseWriter that keeps the headers and drops the rest.
type headerOnly struct{ h http.Header }

func (w *headerOnly) Header() http.Header         { return w.h }
func (w *headerOnly) Write(b []byte) (int, error) { return len(b), nil }
func (w *headerOnly) WriteHeader(int)             {}

// googleFirm opens tenant and reads its Workspace domain; a nil tenant
// means there is no such firm.
func (s *Server) googleFirm(ctx context.Context, tenant string) (*catalog.Tenant, string, error) {
	if ids.Validate("tenant", tenant) != nil {
		return nil, "", nil
	}
	t, err := s.cat.Open(ctx, tenant)
	if errors.Is(err, catalog.ErrNoTenant) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	set, err := t.Settings(ctx)
	if err != nil {
		return nil, "", err
	}
	return t, set.WorkspaceDomain, nil
}

// googleRefuse shows the sign-in page again with why Google sign-in was
// refused.
func (s *Server) googleRefuse(w http.ResponseWriter, r *http.Request, tenant, why string) {
	s.allowGoogleForm(w, r)
	s.render(w, r, http.StatusForbidden, "signin", "", signinForm{
		Tenant: tenant, Next: "/", Lockout: s.lockoutText(), Google: true, GoogleError: why,
	})
}

// googleClass names what went wrong in Finish for the audit record, and
// what the person is told.
func googleClass(err error) (detail, why string) {
	switch {
	case errors.Is(err, googlesignin.ErrState):
		return "state missing, invalid, expired or replayed", googleExpired
	case errors.Is(err, googlesignin.ErrDenied):
		return "refused or cancelled at Google", googleCanceled
	case errors.Is(err, googlesignin.ErrExchange):
		return "code exchange failed", googleFailed
	case errors.Is(err, googlesignin.ErrNonce):
		return "ID token nonce mismatch", googleFailed
	case errors.Is(err, googlesignin.ErrIDToken):
		return "ID token invalid", googleFailed
	case errors.Is(err, googlesignin.ErrEmailUnverified):
		return "email missing or not verified", googleRefused
	}
	return "failed", googleFailed
}

func (s *Server) googleCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ip := clientIP(r)
	hint := ""
	if c, err := r.Cookie(googleHintCookie); err == nil {
		hint = c.Value
	}
	http.SetCookie(w, &http.Cookie{
		Name: googleHintCookie, Value: "", Path: googleCallbackPath, MaxAge: -1,
		HttpOnly: true, Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteLaxMode,
	})
	id, returnTo, err := s.cfg.Google.Finish(w, r)
	if err != nil {
		detail, why := googleClass(err)
		// No signed firm: the hint names the log, if it names a firm.
		t, _, ferr := s.googleFirm(ctx, hint)
		if ferr != nil {
			s.fail(w, r, ferr)
			return
		}
		if t == nil {
			s.log.Warn("Google sign-in refused", "ip", ip, "reason", detail)
			s.googleRefuse(w, r, "", why)
			return
		}
		if err := t.RecordFrom(ctx, "user:unknown", ip, audit.ActionLogin, nil, audit.Refused, "google: "+detail); err != nil {
			s.fail(w, r, err)
			return
		}
		s.googleRefuse(w, r, t.ID, why)
		return
	}
	tenant, next, ok := parseGoogleReturn(returnTo)
	if !ok {
		s.fail(w, r, errors.New("admin: Google sign-in returned to an unexpected path"))
		return
	}
	t, domain, err := s.googleFirm(ctx, tenant)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if t == nil {
		s.log.Warn("Google sign-in to a firm that no longer exists", "ip", ip)
		s.googleRefuse(w, r, "", googleNotSetUp)
		return
	}
	refuse := func(actor, user, detail, why string) {
		var objs map[string]string
		if user != "" {
			objs = map[string]string{"user": user}
		}
		if err := t.RecordFrom(ctx, actor, ip, audit.ActionLogin, objs, audit.Refused, "google: "+detail); err != nil {
			s.fail(w, r, err)
			return
		}
		s.googleRefuse(w, r, t.ID, why)
	}
	if domain == "" {
		refuse("user:unknown", "", "no Workspace domain configured", googleNotSetUp)
		return
	}
	if err := googlesignin.AllowedDomain(id, domain); err != nil {
		refuse("user:unknown", "", "account outside the firm's Workspace domain", googleRefused)
		return
	}
	u, err := t.UserByEmail(ctx, id.Email)
	if errors.Is(err, catalog.ErrNoUser) {
		refuse("user:unknown", "", "unknown account", googleRefused)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	done, err := t.UpdateSignIn(ctx, u.ID, func(x *catalog.User) error {
		if x.Disabled {
			return errRefused{"account disabled"}
		}
		if x.Locked(now) {
			return errRefused{"account locked"}
		}
		x.Failed, x.LockedUntil, x.LastSignIn = 0, time.Time{}, now.UTC()
		return nil
	})
	s.forgetUser(t.ID, u.ID)
	var refused errRefused
	if errors.As(err, &refused) {
		refuse("user:"+u.ID, u.ID, refused.why, googleRefused)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := t.RecordFrom(ctx, "user:"+u.ID, ip, audit.ActionLogin, map[string]string{"user": u.ID}, audit.OK, "google"); err != nil {
		s.fail(w, r, err)
		return
	}
	s.startSession(w, r, t, done, next)
}

// parseGoogleReturn reads the firm and the page to go to from the
// returnTo built by googleStart.
func parseGoogleReturn(returnTo string) (tenant, next string, ok bool) {
	u, err := url.Parse(returnTo)
	if err != nil || !strings.HasPrefix(u.Path, googleReturnPrefix) {
		return "", "", false
	}
	tenant = strings.TrimPrefix(u.Path, googleReturnPrefix)
	if ids.Validate("tenant", tenant) != nil {
		return "", "", false
	}
	return tenant, localPath(u.Query().Get("next")), true
}
