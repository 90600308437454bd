package admin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/catalog/catalogtest"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest/gmail/gmailfake"
	"github.com/matterfile/matterfile/internal/googlesignin"
)

// googleBundle is an admin web with "Sign in with Google" through the
// fake Google (client "cid"). With tls, it is served over HTTPS with
// secure cookies, as Go's cookie jar sends the __Host- sign-in cookie
// over HTTPS only.
type googleBundle struct {
	*bundle
	fake *gmailfake.Server
}

func setupGoogle(t *testing.T, tls bool) *googleBundle {
	t.Helper()
	cat, _ := catalogtest.New(t)
	ctx := context.Background()
	require.NoError(t, cat.CreateTenant(ctx, testTenant))
	tn, err := cat.Open(ctx, testTenant)
	require.NoError(t, err)
	fake := gmailfake.New(gmailfake.Options{})
	t.Cleanup(fake.Close)
	fake.RegisterClient("cid", "secret")

	// The callback URL is needed before the server starts.
	var h http.Handler
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	scheme := "http://"
	if tls {
		scheme = "https://"
	}
	origin := scheme + ts.Listener.Addr().String()
	key, err := cat.SignInCookieKey(ctx)
	require.NoError(t, err)
	gs, err := googlesignin.New(ctx, googlesignin.Config{
		Issuer: fake.Issuer(), ClientID: "cid", ClientSecret: "secret",
		RedirectURL: origin + googleCallbackPath, CookieKey: key,
	})
	require.NoError(t, err)
	clock := &fakeClock{now: time.Now()}
	srv, err := New(Config{Catalog: cat, Lockout: lockout, InsecureCookies: !tls, Now: clock.Now, Google: gs})
	require.NoError(t, err)
	srv.passwd, err = newPasswords(testHashParams, 4)
	require.NoError(t, err)
	h = srv
	if tls {
		ts.StartTLS()
	} else {
		ts.Start()
	}
	t.Cleanup(ts.Close)
	require.Equal(t, origin, ts.URL)
	return &googleBundle{bundle: &bundle{t: t, srv: srv, ts: ts, cat: cat, tenant: tn, clock: clock}, fake: fake}
}

func (b *googleBundle) setDomain(domain string) {
	b.t.Helper()
	s, err := b.tenant.Settings(context.Background())
	require.NoError(b.t, err)
	s.WorkspaceDomain = domain
	_, err = b.tenant.UpdateSettings(context.Background(), s, classify.DefaultPolicy(), "cli:test")
	require.NoError(b.t, err)
}

// googleStart posts the Google button and returns where Google sends the
// browser back to, as email.
func (b *googleBundle) googleStart(br *browser, email, next string) string {
	b.t.Helper()
	res := br.post(googleStartPath, url.Values{"tenant": {testTenant}, "next": {next}})
	require.Equal(b.t, http.StatusFound, res.code, res.body)
	loc := res.hdr.Get("Location")
	require.True(b.t, strings.HasPrefix(loc, b.fake.AuthURL()), loc)
	b.fake.SetConsentUser(email)
	back, err := b.fake.Consent(loc)
	require.NoError(b.t, err)
	require.Equal(b.t, googleCallbackPath, back.Path)
	return back.RequestURI()
}

// googleLogins are the login records of Google sign-ins.
func (b *googleBundle) googleLogins() []audit.Record {
	var out []audit.Record
	for _, r := range b.records(audit.ActionLogin) {
		if strings.HasPrefix(r.Detail, "google") {
			out = append(out, r)
		}
	}
	return out
}

func TestGoogleSignIn(t *testing.T) {
	b := setupGoogle(t, true)
	b.setDomain("Firm.Example")
	u := b.addUser("alice@firm.example", catalog.RoleAttorney)

	br := b.browser()
	page := br.get(signinPath)
	require.Contains(t, page.body, `formaction="/signin/google"`)
	require.Contains(t, page.body, "Sign in with Google")
	require.Contains(t, page.hdr.Get("Content-Security-Policy"), "form-action 'self' "+b.fake.Issuer()+";",
		"the form may go on to Google's sign-in")

	res := br.get(b.googleStart(br, "alice@firm.example", "/review?page=2"))
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	require.Equal(t, "/review?page=2", res.hdr.Get("Location"))
	require.Equal(t, http.StatusOK, br.get("/").code, "signed in")

	recs := b.googleLogins()
	require.Len(t, recs, 1)
	require.Equal(t, audit.OK, recs[0].Outcome)
	require.Equal(t, "user:"+u.ID, recs[0].Actor)
	require.Equal(t, "127.0.0.1", recs[0].SourceIP)
	got, err := b.tenant.User(context.Background(), u.ID)
	require.NoError(t, err)
	require.False(t, got.LastSignIn.IsZero())

	// The session is the password sign-in's: signing out ends it.
	res = br.post(signoutPath, nil)
	require.Equal(t, http.StatusSeeOther, res.code)
	require.Equal(t, http.StatusSeeOther, br.get("/").code)
}

func TestGoogleSignInRefused(t *testing.T) {
	b := setupGoogle(t, true)
	b.setDomain("firm.example")
	b.addUser("alice@firm.example", catalog.RoleAttorney)
	b.addUser("other@other.example", catalog.RoleAttorney)
	locked := b.addUser("bob@firm.example", catalog.RoleAttorney)
	disabled := b.addUser("carol@firm.example", catalog.RoleAttorney)
	_, err := b.tenant.UpdateSignIn(context.Background(), locked.ID, func(u *catalog.User) error {
		u.Failed, u.LockedUntil = MaxFailedSignIns, b.clock.Now().Add(time.Hour)
		return nil
	})
	require.NoError(t, err)
	_, err = b.tenant.UpdateUser(context.Background(), disabled.ID, "cli:test", func(u *catalog.User) error {
		u.Disabled = true
		return nil
	})
	require.NoError(t, err)
	// A consumer account with the firm's address.
	b.fake.SetHostedDomain("dave@firm.example", "")

	for _, c := range []struct{ email, detail string }{
		{"other@other.example", "google: account outside the firm's Workspace domain"},
		{"dave@firm.example", "google: account outside the firm's Workspace domain"},
		{"nobody@firm.example", "google: unknown account"},
		{"bob@firm.example", "google: account locked"},
		{"carol@firm.example", "google: account disabled"},
	} {
		br := b.browser()
		res := br.get(b.googleStart(br, c.email, "/"))
		require.Equal(t, http.StatusForbidden, res.code, c.email)
		require.Contains(t, res.body, "That Google account may not sign in to this firm", c.email)
		require.NotContains(t, res.body, c.email)
		require.Equal(t, http.StatusSeeOther, br.get("/").code, "%s is not signed in", c.email)
		recs := b.googleLogins()
		last := recs[len(recs)-1]
		require.Equal(t, audit.Refused, last.Outcome, c.email)
		require.Equal(t, c.detail, last.Detail, c.email)
		require.Equal(t, "127.0.0.1", last.SourceIP)
	}
	for _, r := range b.records(audit.ActionLogin) {
		require.NotContains(t, r.Detail, "@")
	}
	require.Len(t, b.googleLogins(), 5)
}

func TestGoogleSignInNoDomain(t *testing.T) {
	b := setupGoogle(t, true)
	b.addUser("alice@firm.example", catalog.RoleAttorney)
	br := b.browser()
	res := br.post(googleStartPath, url.Values{"tenant": {testTenant}})
	require.Equal(t, http.StatusForbidden, res.code)
	require.Contains(t, res.body, "Sign in with Google is not set up for this firm")
	recs := b.googleLogins()
	require.Len(t, recs, 1)
	require.Equal(t, "google: no Workspace domain configured", recs[0].Detail)
	require.Equal(t, "127.0.0.1", recs[0].SourceIP)

	// An unknown firm reads the same.
	res = br.post(googleStartPath, url.Values{"tenant": {"nosuchfirm"}})
	require.Equal(t, http.StatusForbidden, res.code)
	require.Contains(t, res.body, "Sign in with Google is not set up for this firm")

	// The domain removed while a sign-in is at Google: refused on return.
	b.setDomain("firm.example")
	back := b.googleStart(br, "alice@firm.example", "/")
	b.setDomain("")
	res = br.get(back)
	require.Equal(t, http.StatusForbidden, res.code)
	require.Contains(t, res.body, "Sign in with Google is not set up for this firm")
	require.Equal(t, http.StatusSeeOther, br.get("/").code)
}

func TestGoogleSignInStateReplay(t *testing.T) {
	b := setupGoogle(t, true)
	b.setDomain("firm.example")
	b.addUser("alice@firm.example", catalog.RoleAttorney)

	br := b.browser()
	back := b.googleStart(br, "alice@firm.example", "/")
	// An attacker's browser, without the sign-in cookie, cannot use the
	// callback.
	other := b.browser()
	res := other.get(back)
	require.Equal(t, http.StatusForbidden, res.code)
	require.Contains(t, res.body, "expired or was already used")
	require.Equal(t, http.StatusSeeOther, other.get("/").code)

	require.Equal(t, http.StatusSeeOther, br.get(back).code)
	require.Equal(t, http.StatusOK, br.get("/").code)

	// The same callback again, with the cookie put back: refused, and
	// audited in the firm the browser named.
	cookie := &http.Cookie{Name: googleHintCookie, Value: testTenant}
	u, _ := url.Parse(b.ts.URL + googleCallbackPath)
	br.c.Jar.SetCookies(u, []*http.Cookie{cookie})
	res = br.get(back)
	require.Equal(t, http.StatusForbidden, res.code)
	require.Contains(t, res.body, "expired or was already used")
	recs := b.googleLogins()
	last := recs[len(recs)-1]
	require.Equal(t, audit.Refused, last.Outcome)
	require.Equal(t, "google: state missing, invalid, expired or replayed", last.Detail)
	require.Equal(t, "127.0.0.1", last.SourceIP)
}

func TestGoogleSignInButtonOnlyWhenConfigured(t *testing.T) {
	b := setup(t)
	res := b.browser().get(signinPath)
	require.NotContains(t, res.body, "Sign in with Google")
	require.Equal(t, http.StatusNotFound, b.browser().post(googleStartPath, url.Values{"tenant": {testTenant}}).code)
}

func TestParseGoogleReturn(t *testing.T) {
	tenant, next, ok := parseGoogleReturn(googleReturnPrefix + "firm?next=" + url.QueryEscape("/review?page=2"))
	require.True(t, ok)
	require.Equal(t, "firm", tenant)
	require.Equal(t, "/review?page=2", next)
	for _, bad := range []string{"/", "/signin/google/firm/", "/signin/google/firm/a/b", googleReturnPrefix + "firm?next=//evil.example"} {
		_, next, ok := parseGoogleReturn(bad)
		require.True(t, !ok || next == "/", bad)
	}
}
