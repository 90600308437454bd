package admin

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/catalog/catalogtest"
)

// testHashParams keep the tests quick; TestPasswordDefaults covers the
// production parameters.
var testHashParams = hashParams{memory: 1024, time: 1, threads: 1, saltLen: 16, keyLen: 32}

const (
	testTenant   = "firm"
	testPassword = "correct horse battery staple"
	lockout      = 15 * time.Minute
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// bundle is one test's admin web over a fresh catalog with tenant "firm".
type bundle struct {
	t      *testing.T
	srv    *Server
	ts     *httptest.Server
	cat    *catalog.Catalog
	tenant *catalog.Tenant
	clock  *fakeClock
}

type setupOpts struct {
	secure bool
	jobs   http.Handler
}

func setup(t *testing.T) *bundle { return setupWith(t, setupOpts{}) }

func setupWith(t *testing.T, o setupOpts) *bundle {
	t.Helper()
	cat, _ := catalogtest.New(t)
	ctx := context.Background()
	require.NoError(t, cat.CreateTenant(ctx, testTenant))
	tn, err := cat.Open(ctx, testTenant)
	require.NoError(t, err)
	clock := &fakeClock{now: time.Now()}
	srv, err := New(Config{Catalog: cat, Lockout: lockout, InsecureCookies: !o.secure, Now: clock.Now, Jobs: o.jobs})
	require.NoError(t, err)
	srv.passwd, err = newPasswords(testHashParams, 4)
	require.NoError(t, err)
	var ts *httptest.Server
	if o.secure {
		ts = httptest.NewTLSServer(srv)
	} else {
		ts = httptest.NewServer(srv)
	}
	t.Cleanup(ts.Close)
	return &bundle{t: t, srv: srv, ts: ts, cat: cat, tenant: tn, clock: clock}
}

// addUser creates an account with testPassword.
func (b *bundle) addUser(email string, role catalog.Role) catalog.User {
	b.t.Helper()
	hash, err := b.srv.passwd.hash(context.Background(), testPassword)
	require.NoError(b.t, err)
	u, err := b.tenant.CreateUser(context.Background(), catalog.User{Email: email, Role: role, PasswordHash: hash}, "cli:test")
	require.NoError(b.t, err)
	return u
}

// browser is a client with its own cookie jar that does not follow
// redirects, so that tests see them.
type browser struct {
	b   *bundle
	c   *http.Client
	hdr http.Header
}

func (b *bundle) browser() *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(b.t, err)
	// ts.Client() is shared: each browser gets a client of its own.
	c := &http.Client{
		Transport:     b.ts.Client().Transport,
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &browser{b: b, c: c, hdr: http.Header{}}
}

type response struct {
	code int
	hdr  http.Header
	body string
}

func (br *browser) do(req *http.Request) response {
	br.b.t.Helper()
	for k, v := range br.hdr {
		req.Header[k] = v
	}
	res, err := br.c.Do(req)
	require.NoError(br.b.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(br.b.t, err)
	return response{code: res.StatusCode, hdr: res.Header, body: string(body)}
}

func (br *browser) get(path string) response {
	br.b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, br.b.ts.URL+path, nil)
	require.NoError(br.b.t, err)
	return br.do(req)
}

func (br *browser) post(path string, form url.Values) response {
	br.b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, br.b.ts.URL+path, strings.NewReader(form.Encode()))
	require.NoError(br.b.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return br.do(req)
}

func (br *browser) signin(email, password string) response {
	br.b.t.Helper()
	return br.post(signinPath, url.Values{"tenant": {testTenant}, "email": {email}, "password": {password}})
}

// signedIn signs in and requires it to work.
func (b *bundle) signedIn(email string) *browser {
	b.t.Helper()
	br := b.browser()
	res := br.signin(email, testPassword)
	require.Equal(b.t, http.StatusSeeOther, res.code, res.body)
	return br
}

// records lists the tenant's audit records of action.
func (b *bundle) records(action audit.Action) []audit.Record {
	b.t.Helper()
	var out []audit.Record
	require.NoError(b.t, b.tenant.Audit().List(context.Background(), audit.Filter{}, func(r audit.Record) error {
		if r.Action == action {
			out = append(out, r)
		}
		return nil
	}))
	return out
}
