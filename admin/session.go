package admin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/ids"
)

// Sessions are stateless on the server: the cookie holds the tenant in
// clear (to find its key) and, sealed with the tenant's session key (a
// Tink AES256_GCM keyset kept sealed in the store, see
// catalog.Tenant.SessionAEAD, so that every serve process shares it), the
// user ID, the user's session epoch and the sign-in and last-use times.
// The associated data binds the ciphertext to the tenant, so a cookie
// cannot be moved to another firm. Every request re-reads the account:
// a disabled account or a raised epoch (sign-out, new password) ends
// every session at once, and a role change applies to the next request.

// Cookie names. The __Host- prefix makes the browser refuse the cookie
// unless it is Secure, has Path=/ and no Domain, so no subdomain can set
// or shadow it.
const (
	secureCookieName   = "__Host-matterfile-session"
	insecureCookieName = "matterfile-session"
	cookieVersion      = "v1"
)

// refreshEvery is how often a used session's cookie is re-sealed with a
// new last-use time, which the idle timeout is measured from.
const refreshEvery = time.Minute

type session struct {
	User   string `json:"u"`
	Epoch  int    `json:"e"`
	Issued int64  `json:"i"` // unix seconds: sign-in
	Seen   int64  `json:"s"` // unix seconds: last use, at refreshEvery's grain
}

// sessionKeys caches each tenant's session AEAD: the key never changes
// once made.
type sessionKeys struct {
	mu   sync.Mutex
	keys map[string]tink.AEAD
}

func (s *Server) sessionAEAD(ctx context.Context, t *catalog.Tenant) (tink.AEAD, error) {
	s.sessions.mu.Lock()
	a, ok := s.sessions.keys[t.ID]
	s.sessions.mu.Unlock()
	if ok {
		return a, nil
	}
	a, err := t.SessionAEAD(ctx)
	if err != nil {
		return nil, err
	}
	s.sessions.mu.Lock()
	s.sessions.keys[t.ID] = a
	s.sessions.mu.Unlock()
	return a, nil
}

func sessionAD(tenant string) []byte {
	return []byte("matterfile-session/" + cookieVersion + "\x00" + tenant)
}

func (s *Server) cookieName() string {
	if s.cfg.InsecureCookies {
		return insecureCookieName
	}
	return secureCookieName
}

// setSession seals sess for tenant t into the session cookie.
func (s *Server) setSession(ctx context.Context, w http.ResponseWriter, t *catalog.Tenant, sess session) error {
	a, err := s.sessionAEAD(ctx, t)
	if err != nil {
		return err
	}
	pt, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	ct, err := a.Encrypt(pt, sessionAD(t.ID))
	if err != nil {
		return fmt.Errorf("tenant %s: seal session: %w", t.ID, err)
	}
	http.SetCookie(w, &http.Cookie{
		Name:     s.cookieName(),
		Value:    cookieVersion + "." + t.ID + "." + base64.RawURLEncoding.EncodeToString(ct),
		Path:     "/",
		HttpOnly: true,
		Secure:   !s.cfg.InsecureCookies,
		SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// clearSession tells the browser to drop the session cookie.
func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

// viewer is the signed-in user of a request.
type viewer struct {
	Tenant *catalog.Tenant
	User   catalog.User
	// IP is the client's address, for audit records.
	IP   string
	sess session
}

// Actor is how the viewer is named in audit records.
func (v *viewer) Actor() string { return "user:" + v.User.ID }

type viewerKey struct{}

func viewerFrom(ctx context.Context) *viewer {
	v, _ := ctx.Value(viewerKey{}).(*viewer)
	return v
}

// errNoSession is any reason a request has no valid session; which one is
// never told to the client.
var errNoSession = errors.New("no valid session")

// session returns the viewer of r's session cookie, re-reading the
// account. A cookie that does not open, is expired or belongs to an
// ended session gives errNoSession; a store failure another error.
func (s *Server) session(r *http.Request) (*viewer, error) {
	c, err := r.Cookie(s.cookieName())
	if err != nil {
		return nil, errNoSession
	}
	version, rest, ok1 := strings.Cut(c.Value, ".")
	tenant, sealedB64, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || version != cookieVersion || ids.Validate("tenant", tenant) != nil {
		return nil, errNoSession
	}
	ct, err := base64.RawURLEncoding.DecodeString(sealedB64)
	if err != nil {
		return nil, errNoSession
	}
	ctx := r.Context()
	t, err := s.cat.Open(ctx, tenant)
	if errors.Is(err, catalog.ErrNoTenant) {
		return nil, errNoSession
	} else if err != nil {
		return nil, err
	}
	a, err := s.sessionAEAD(ctx, t)
	if err != nil {
		return nil, err
	}
	pt, err := a.Decrypt(ct, sessionAD(tenant))
	if err != nil {
		return nil, errNoSession
	}
	var sess session
	if err := json.Unmarshal(pt, &sess); err != nil || ids.Validate("user", sess.User) != nil {
		return nil, errNoSession
	}
	now := s.now()
	issued, seen := time.Unix(sess.Issued, 0), time.Unix(sess.Seen, 0)
	if now.Sub(issued) >= s.cfg.MaxSessionAge || now.Sub(seen) >= s.cfg.IdleTimeout || seen.Before(issued) {
		return nil, errNoSession
	}
	u, err := s.user(ctx, t, sess.User)
	if errors.Is(err, catalog.ErrNoUser) {
		return nil, errNoSession
	} else if err != nil {
		return nil, err
	}
	// A lockout (failed sign-ins by whoever typed the address) does not
	// end the sessions already open, or anyone could sign anyone out.
	if u.Disabled || u.SessionEpoch != sess.Epoch {
		return nil, errNoSession
	}
	return &viewer{Tenant: t, User: u, IP: clientIP(r), sess: sess}, nil
}

// passwordChangePaths are what a user with a one-time password may open
// before choosing their own.
var passwordChangePaths = []string{accountPasswordPath, signoutPath}

// requireRole lets through signed-in users of the given roles (any role
// when none is given) and puts the viewer in the request's context. A
// request without a session is sent to the sign-in page; a user of another
// role gets 403, and the refusal is audited as access.denied.
func (s *Server) requireRole(roles ...catalog.Role) func(http.HandlerFunc) http.Handler {
	return func(next http.HandlerFunc) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v, err := s.session(r)
			if errors.Is(err, errNoSession) {
				s.clearSessionIfSent(w, r)
				target := signinPath
				if r.Method == http.MethodGet || r.Method == http.MethodHead {
					target += "?next=" + url.QueryEscape(r.URL.RequestURI())
				}
				http.Redirect(w, r, target, http.StatusSeeOther)
				return
			}
			if err != nil {
				s.fail(w, r, err)
				return
			}
			now := s.now()
			if now.Sub(time.Unix(v.sess.Seen, 0)) >= refreshEvery {
				v.sess.Seen = now.Unix()
				if err := s.setSession(r.Context(), w, v.Tenant, v.sess); err != nil {
					s.fail(w, r, err)
					return
				}
			}
			// Every change a page makes is audited with the client's
			// address (catalog.WithSourceIP).
			ctx := catalog.WithSourceIP(context.WithValue(r.Context(), viewerKey{}, v), v.IP)
			r = r.WithContext(ctx)
			if v.User.MustChangePassword && !containsPath(passwordChangePaths, r.URL.Path) {
				http.Redirect(w, r, accountPasswordPath, http.StatusSeeOther)
				return
			}
			if !allowed(roles, v.User.Role) {
				s.deny(w, r, v)
				return
			}
			next(w, r)
		})
	}
}

func containsPath(paths []string, p string) bool {
	for _, q := range paths {
		if p == q {
			return true
		}
	}
	return false
}

func (s *Server) clearSessionIfSent(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(s.cookieName()); err == nil {
		s.clearSession(w)
	}
}

// deny answers 403 to a signed-in user who may not open the page, and
// audits the refusal with the route (a fixed pattern, never the URL the
// user typed).
func (s *Server) deny(w http.ResponseWriter, r *http.Request, v *viewer) {
	route := r.Pattern
	if route == "" {
		route = r.Method + " (unrouted)"
	}
	err := v.Tenant.RecordFrom(r.Context(), v.Actor(), v.IP, audit.ActionAccessDenied,
		map[string]string{"user": v.User.ID}, audit.Refused, "role "+string(v.User.Role)+" may not open "+route)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusForbidden, "error", "", errorPage{
		Title: "Not allowed",
		Text:  "Your role (" + v.User.Role.Title() + ") may not open this page. Ask an administrator if you need it.",
	})
}

// clientIP is the address the request came from. Behind a proxy it is the
// proxy's; forwarded headers are not trusted, since any client can send
// them.
func clientIP(r *http.Request) string {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return ""
	}
	return ap.Addr().Unmap().WithZone("").String()
}
