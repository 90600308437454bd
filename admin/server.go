package admin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tink-crypto/tink-go/v2/tink"
	"golang.org/x/oauth2"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/internal/googlesignin"
	"github.com/matterfile/matterfile/worker"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config wires a Server.
type Config struct {
	// Catalog holds the tenants, their users and everything the pages
	// show. Required.
	Catalog *catalog.Catalog
	// Handlers performs the actions that file messages (review assign);
	// optional until a page needs it.
	Handlers *worker.Handlers
	// Logger receives IDs and error classes only. Default: discard.
	Logger *slog.Logger
	// Lockout is how long an account stays locked after MaxFailedSignIns
	// failed sign-ins (MATTERFILE_LOGIN_LOCKOUT). Default 15m.
	Lockout time.Duration
	// IdleTimeout ends a session unused for this long (default 30m);
	// MaxSessionAge ends any session this long after sign-in (default
	// 12h).
	IdleTimeout   time.Duration
	MaxSessionAge time.Duration
	// InsecureCookies drops the Secure attribute and the __Host- prefix
	// from the session cookie, for plain-http loopback (tests, the demo).
	// Never set it behind TLS: it is off unless asked for.
	InsecureCookies bool
	// Jobs is the queue monitor (asynqmon with RootPath "/jobs"), served
	// at /jobs/ to signed-in admins; nil: no /jobs/.
	Jobs http.Handler
	// OAuth is the Google client mailboxes are connected with (client ID
	// and secret, auth and token URLs, RedirectURL <origin>/mailboxes/callback);
	// nil: no connecting from the web. Its Scopes are set per consent.
	// The Gmail endpoint and the check of a new grant are Handlers'.
	OAuth *oauth2.Config
	// Google is "Sign in with Google" (RedirectURL
	// <origin>/signin/google/callback); nil: no Google button. A firm's
	// accounts may use it once the firm's Workspace domain is set
	// (catalog.Settings.WorkspaceDomain).
	Google *googlesignin.Signin
	// Enqueuer queues a mailbox's sync (an asynq client); nil: no "sync now".
	Enqueuer Enqueuer
	// DefaultTenant fills the sign-in form's firm field (the demo's).
	DefaultTenant string
	// Policy is the deployment's filing policy (labels from
	// MATTERFILE_MATTER_LABEL_PREFIX and MATTERFILE_FILING_LABEL) that a
	// firm's settings apply over; nil: classify.DefaultPolicy.
	Policy *classify.Policy
	// Now is the clock; default time.Now. Tests move it to expire
	// lockouts and sessions.
	Now func() time.Time
}

// Defaults of Config.
const (
	defaultLockout       = 15 * time.Minute
	defaultIdleTimeout   = 30 * time.Minute
	defaultMaxSessionAge = 12 * time.Hour
	// MaxFailedSignIns is how many failed sign-ins lock an account.
	MaxFailedSignIns = 3
)

// Server is the admin web: the pages of matterfile serve.
type Server struct {
	cfg     Config
	cat     *catalog.Catalog
	log     *slog.Logger
	now     func() time.Time
	mux     *http.ServeMux
	handler http.Handler

	pages    map[string]*template.Template
	nav      []navLink
	staticV  map[string]string // file name → content hash, for cache busting
	passwd   *passwords
	jobsCSP  string
	sessions sessionKeys
	users    userCache
}

// New checks cfg and builds the server with every page's routes.
func New(cfg Config) (*Server, error) {
	if cfg.Catalog == nil {
		return nil, errors.New("admin: a catalog is required")
	}
	if cfg.Lockout == 0 {
		cfg.Lockout = defaultLockout
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = defaultIdleTimeout
	}
	if cfg.MaxSessionAge == 0 {
		cfg.MaxSessionAge = defaultMaxSessionAge
	}
	if cfg.Lockout < 0 || cfg.IdleTimeout < 0 || cfg.MaxSessionAge < cfg.IdleTimeout {
		return nil, errors.New("admin: lockout and idle timeout must be positive, and the session age at least the idle timeout")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	pw, err := newPasswords(defaultHashParams, max(2, runtime.NumCPU()))
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, cat: cfg.Catalog, log: cfg.Logger, now: cfg.Now, mux: http.NewServeMux(),
		passwd: pw, users: userCache{entries: map[string]cachedUser{}},
		sessions: sessionKeys{keys: map[string]tink.AEAD{}},
	}
	if err := s.loadStatic(); err != nil {
		return nil, err
	}
	// Each page file adds its routes and navigation here (see doc.go).
	for _, add := range []func(*Server){
		(*Server).authRoutes,
		(*Server).homeRoutes,
		(*Server).usersRoutes,
		(*Server).accountRoutes,
		(*Server).jobsRoutes,
		(*Server).mailboxesRoutes,
		(*Server).mattersRoutes, (*Server).auditRoutes, (*Server).settingsRoutes,
		(*Server).reviewRoutes,
	} {
		add(s)
	}
	if s.pages, err = parsePages(s.templateFuncs()); err != nil {
		return nil, err
	}
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", s.staticHandler()))
	// Cross-origin state changes are refused before any handler runs:
	// the session cookie is SameSite=Lax, and this covers what Lax lets
	// through (top-level POSTs from another site) and login CSRF.
	s.handler = s.securityHeaders(http.NewCrossOriginProtection().Handler(s.mux))
	return s, nil
}

// ServeHTTP serves the admin web.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// contentSecurityPolicy keeps every page to its own origin: no inline
// script or style, no plugin, no framing by others, no form posting
// elsewhere. frame-src 'self' admits the sandboxed message view.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; frame-src 'self'"

// securityHeaders sets the headers every response of the admin web
// carries; /jobs/ gets the queue monitor's own policy (see jobs.go).
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		csp := contentSecurityPolicy
		if s.jobsCSP != "" && (r.URL.Path == jobsPath || strings.HasPrefix(r.URL.Path, jobsPath+"/")) {
			csp = s.jobsCSP
		}
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if !s.cfg.InsecureCookies {
			h.Set("Strict-Transport-Security", "max-age=63072000")
		}
		next.ServeHTTP(w, r)
	})
}

// navLink is one entry of the navigation, shown to the roles listed (all
// signed-in users when none).
type navLink struct {
	Path, Label string
	Roles       []catalog.Role
}

// addNav adds a link to the navigation, in the order pages register.
func (s *Server) addNav(label, path string, roles ...catalog.Role) {
	s.nav = append(s.nav, navLink{Path: path, Label: label, Roles: roles})
}

func allowed(roles []catalog.Role, r catalog.Role) bool {
	return len(roles) == 0 || slices.Contains(roles, r)
}

// pageData is what the layout renders around a page's own data.
type pageData struct {
	Viewer *viewer
	Nav    []navItem
	// Notice is a one-line confirmation of the last action.
	Notice string
	// Data is the page's own.
	Data any
}

type navItem struct {
	Path, Label string
	Current     bool
}

// page renders page name (templates/<name>.html inside the layout) with
// status 200.
func (s *Server) page(w http.ResponseWriter, r *http.Request, name string, data any) {
	s.render(w, r, http.StatusOK, name, "", data)
}

// render renders page name with status and an optional notice. The page
// is rendered to a buffer first, so a template error is a clean 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, notice string, data any) {
	t, ok := s.pages[name]
	if !ok {
		s.fail(w, r, fmt.Errorf("admin: no page %q", name))
		return
	}
	pd := pageData{Viewer: viewerFrom(r.Context()), Notice: notice, Data: data}
	if pd.Viewer != nil {
		for _, l := range s.nav {
			if allowed(l.Roles, pd.Viewer.User.Role) {
				cur := r.URL.Path == l.Path || l.Path != "/" && strings.HasPrefix(r.URL.Path, l.Path+"/")
				pd.Nav = append(pd.Nav, navItem{Path: l.Path, Label: l.Label, Current: cur})
			}
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", pd); err != nil {
		s.fail(w, r, fmt.Errorf("admin: render %s: %w", name, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show a firm's data: never kept by a browser or a proxy.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail answers 500 and logs err, which carries IDs only.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("admin page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	if _, ok := s.pages["error"]; !ok {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	t := s.pages["error"]
	var buf bytes.Buffer
	pd := pageData{Viewer: viewerFrom(r.Context()), Data: errorPage{Title: "Something went wrong", Text: "The page could not be shown. The error was logged; try again, or ask your administrator."}}
	if t.ExecuteTemplate(&buf, "layout", pd) != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	w.Write(buf.Bytes())
}

// errorPage is the data of templates/error.html.
type errorPage struct{ Title, Text string }

// parsePages parses every page template into its own copy of the layout,
// so that each page defines "title" and "content" without colliding.
func parsePages(funcs template.FuncMap) (map[string]*template.Template, error) {
	base, err := template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("admin: layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("admin: page %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

func (s *Server) templateFuncs() template.FuncMap {
	return template.FuncMap{
		"static": func(name string) string { return "/static/" + name + "?v=" + s.staticV[name] },
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "never"
			}
			return t.UTC().Format("2006-01-02 15:04 UTC")
		},
		"roles": catalog.Roles,
	}
}

// loadStatic hashes the embedded files, so that a new release's CSS is
// never served from a browser's cache.
func (s *Server) loadStatic() error {
	s.staticV = map[string]string{}
	return fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		s.staticV[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
}

func (s *Server) staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.staticV[r.URL.Path]; !ok {
			http.NotFound(w, r)
			return
		}
		// The URL carries the content hash: a year is safe.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(w, r)
	})
}

// userCache keeps the accounts read for recent requests for a moment:
// every request re-reads its user (so disabling, a role change or a
// sign-out take effect), but a page with ten requests reads it once.
// Changes made through this server drop the entry at once; changes made by
// another process are seen within userTTL.
type userCache struct {
	mu      sync.Mutex
	entries map[string]cachedUser
}

type cachedUser struct {
	u  catalog.User
	at time.Time
}

// userTTL is how long a cached account is used.
const userTTL = 2 * time.Second

// maxCachedUsers bounds the cache; past it, it starts over.
const maxCachedUsers = 4096

func (s *Server) user(ctx context.Context, t *catalog.Tenant, id string) (catalog.User, error) {
	k := t.ID + "/" + id
	now := time.Now()
	s.users.mu.Lock()
	e, ok := s.users.entries[k]
	s.users.mu.Unlock()
	if ok && now.Sub(e.at) < userTTL && now.Sub(e.at) >= 0 {
		return e.u, nil
	}
	u, err := t.User(ctx, id)
	if err != nil {
		return catalog.User{}, err
	}
	s.users.mu.Lock()
	if len(s.users.entries) >= maxCachedUsers {
		s.users.entries = map[string]cachedUser{}
	}
	s.users.entries[k] = cachedUser{u: u, at: now}
	s.users.mu.Unlock()
	return u, nil
}

// forgetUser drops a cached account after this server changed it.
func (s *Server) forgetUser(tenant, id string) {
	s.users.mu.Lock()
	delete(s.users.entries, tenant+"/"+id)
	s.users.mu.Unlock()
}
