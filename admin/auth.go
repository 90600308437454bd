package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/ids"
)

// Paths of the sign-in pages.
const (
	signinPath  = "/signin"
	signoutPath = "/signout"
)

// maxFormBytes bounds every form the admin web reads.
const maxFormBytes = 64 << 10

func (s *Server) authRoutes() {
	s.mux.HandleFunc("GET "+signinPath, s.signinPage)
	s.mux.HandleFunc("POST "+signinPath, s.signin)
	s.mux.Handle("POST "+signoutPath, s.requireRole()(s.signout))
	s.googleRoutes()
}

// signinForm is the data of templates/signin.html.
type signinForm struct {
	Tenant, Email, Next string
	Failed              bool
	Lockout             string
	// Google shows the "Sign in with Google" button; GoogleError says why
	// a Google sign-in was refused.
	Google      bool
	GoogleError string
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) {
	if v, err := s.session(r); err == nil && v != nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	tenant := r.URL.Query().Get("tenant")
	if tenant == "" {
		tenant = s.cfg.DefaultTenant
	}
	s.allowGoogleForm(w, r)
	s.page(w, r, "signin", signinForm{Tenant: tenant, Next: localPath(r.URL.Query().Get("next")), Lockout: s.lockoutText(), Google: s.cfg.Google != nil})
}

func (s *Server) lockoutText() string {
	return fmt.Sprintf("%d failed attempts lock the account for %s", MaxFailedSignIns, humanDuration(s.cfg.Lockout))
}

// humanDuration writes d as people do: "15 minutes", "2 hours".
func humanDuration(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour")
	case d >= time.Minute && d%time.Minute == 0:
		return plural(int64(d/time.Minute), "minute")
	}
	return d.String()
}

// localPath keeps a redirect on this site: a path, never "//host" or
// "/\host" (which browsers read as another host) or a URL.
func localPath(p string) string {
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	return p
}

// signInResult is what one attempt came to.
type signInResult int

const (
	signInOK signInResult = iota
	signInRefused
)

// signin checks one attempt. Whatever went wrong (no such firm, no such
// account, wrong password, locked, disabled) the answer is the same page
// after the same work (one argon2id verification); only the audit record,
// with the source IP, says which.
func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	tenant := strings.ToLower(strings.TrimSpace(r.PostFormValue("tenant")))
	email := strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	next := localPath(r.PostFormValue("next"))
	ip := clientIP(r)

	t, u, res, err := s.authenticate(r.Context(), tenant, email, password, ip)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if res != signInOK {
		s.allowGoogleForm(w, r)
		s.render(w, r, http.StatusUnauthorized, "signin", "",
			signinForm{Tenant: tenant, Email: email, Next: next, Failed: true, Lockout: s.lockoutText(), Google: s.cfg.Google != nil})
		return
	}
	s.startSession(w, r, t, u, next)
}

// startSession signs u of firm t in on this browser, whichever way they
// proved who they are (password or Google): a new session cookie, then
// the page asked for, or the password change a one-time password needs.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, t *catalog.Tenant, u catalog.User, next string) {
	now := s.now().Unix()
	if err := s.setSession(r.Context(), w, t, session{User: u.ID, Epoch: u.SessionEpoch, Issued: now, Seen: now}); err != nil {
		s.fail(w, r, err)
		return
	}
	if u.MustChangePassword {
		next = accountPasswordPath
	}
	http.Redirect(w, r, localPath(next), http.StatusSeeOther)
}

// errRefused stops a sign-in inside an account update.
type errRefused struct{ why string }

func (e errRefused) Error() string { return e.why }

// authenticate checks tenant, email and password and audits the attempt.
// The attempt is counted before the password is checked (and the count
// dropped again on success), so that attempts racing each other cannot
// try more than MaxFailedSignIns passwords per lockout.
func (s *Server) authenticate(ctx context.Context, tenant, email, password, ip string) (*catalog.Tenant, catalog.User, signInResult, error) {
	var t *catalog.Tenant
	err := ids.Validate("tenant", tenant)
	if err == nil {
		t, err = s.cat.Open(ctx, tenant)
	}
	if err != nil {
		if errors.Is(err, ids.ErrInvalid) || errors.Is(err, catalog.ErrNoTenant) {
			// No log to audit into: the server log gets the address.
			s.log.Warn("sign-in to an unknown firm", "ip", ip)
			return nil, catalog.User{}, signInRefused, s.passwd.burn(ctx, password)
		}
		return nil, catalog.User{}, signInRefused, err
	}
	refuse := func(actor, user, detail string) (*catalog.Tenant, catalog.User, signInResult, error) {
		var objs map[string]string
		if user != "" {
			objs = map[string]string{"user": user}
		}
		return nil, catalog.User{}, signInRefused, t.RecordFrom(ctx, actor, ip, audit.ActionLogin, objs, audit.Refused, detail)
	}
	u, err := t.UserByEmail(ctx, email)
	if errors.Is(err, catalog.ErrNoUser) {
		if err := s.passwd.burn(ctx, password); err != nil {
			return nil, catalog.User{}, signInRefused, err
		}
		return refuse("user:unknown", "", "unknown account")
	}
	if err != nil {
		return nil, catalog.User{}, signInRefused, err
	}
	actor := "user:" + u.ID
	now := s.now()
	lockout := s.cfg.Lockout
	// Count the attempt; refuse at once if the account is disabled or
	// locked (also by an attempt that raced this one).
	counted, err := t.UpdateSignIn(ctx, u.ID, func(x *catalog.User) error {
		if x.Disabled {
			return errRefused{"account disabled"}
		}
		if x.Locked(now) {
			return errRefused{"account locked"}
		}
		if !x.LockedUntil.IsZero() {
			x.Failed, x.LockedUntil = 0, time.Time{} // the lockout ran out
		}
		x.Failed++
		if x.Failed >= MaxFailedSignIns {
			x.LockedUntil = now.Add(lockout)
		}
		return nil
	})
	s.forgetUser(t.ID, u.ID)
	var refused errRefused
	if errors.As(err, &refused) {
		if err := s.passwd.burn(ctx, password); err != nil {
			return nil, catalog.User{}, signInRefused, err
		}
		return refuse(actor, u.ID, refused.why)
	}
	if err != nil {
		return nil, catalog.User{}, signInRefused, err
	}
	ok, err := s.passwd.verify(ctx, counted.PasswordHash, password)
	if err != nil {
		return nil, catalog.User{}, signInRefused, err
	}
	if !ok {
		detail := fmt.Sprintf("wrong password, failed attempt %d of %d", counted.Failed, MaxFailedSignIns)
		if counted.Locked(now) {
			detail += fmt.Sprintf(", account locked for %s", lockout)
		}
		return refuse(actor, u.ID, detail)
	}
	done, err := t.UpdateSignIn(ctx, u.ID, func(x *catalog.User) error {
		if x.Disabled || x.PasswordHash != counted.PasswordHash {
			return errRefused{"account changed during sign-in"}
		}
		x.Failed, x.LockedUntil, x.LastSignIn = 0, time.Time{}, now.UTC()
		return nil
	})
	s.forgetUser(t.ID, u.ID)
	if errors.As(err, &refused) {
		return refuse(actor, u.ID, refused.why)
	}
	if err != nil {
		return nil, catalog.User{}, signInRefused, err
	}
	if err := t.RecordFrom(ctx, actor, ip, audit.ActionLogin, map[string]string{"user": u.ID}, audit.OK, "password"); err != nil {
		return nil, catalog.User{}, signInRefused, err
	}
	return t, done, signInOK, nil
}

// signout ends every session of the user (the epoch rises, so a copy of
// the cookie replayed later opens nothing) and audits it.
func (s *Server) signout(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	_, err := v.Tenant.UpdateSignIn(r.Context(), v.User.ID, func(x *catalog.User) error {
		x.SessionEpoch++
		return nil
	})
	s.forgetUser(v.Tenant.ID, v.User.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := v.Tenant.RecordFrom(r.Context(), v.Actor(), v.IP, audit.ActionLogout, map[string]string{"user": v.User.ID}, audit.OK, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	s.clearSession(w)
	http.Redirect(w, r, signinPath+"?tenant="+v.Tenant.ID, http.StatusSeeOther)
}
