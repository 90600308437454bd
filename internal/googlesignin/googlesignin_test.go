package googlesignin_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/ingest/gmail/gmailfake"
	"github.com/matterfile/matterfile/internal/googlesignin"
)

const (
	alice    = "alice@firm.example"
	callback = "https://admin.firm.example/signin/google/callback"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type testBundle struct {
	fake   *gmailfake.Server
	signin *googlesignin.Signin
	clock  *clock
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	fake := gmailfake.New(gmailfake.Options{})
	t.Cleanup(fake.Close)
	fake.RegisterClient("cid", "secret")
	c := &clock{now: time.Now()}
	s, err := googlesignin.New(t.Context(), config(fake, c))
	require.NoError(t, err)
	return &testBundle{fake: fake, signin: s, clock: c}
}

func config(fake *gmailfake.Server, c *clock) googlesignin.Config {
	return googlesignin.Config{
		Issuer: fake.Issuer(), ClientID: "cid", ClientSecret: "secret",
		RedirectURL: callback, CookieKey: bytes.Repeat([]byte{7}, 32), Now: c.Now,
	}
}

// started is a sign-in sent to the provider: the provider URL and the
// cookie the browser now holds.
type started struct {
	authURL *url.URL
	cookie  *http.Cookie
}

func (b *testBundle) start(t *testing.T, returnTo string) started {
	t.Helper()
	rec := httptest.NewRecorder()
	require.NoError(t, b.signin.Start(rec, httptest.NewRequest(http.MethodGet, "/signin/google", nil), returnTo))
	require.Equal(t, http.StatusFound, rec.Code)
	loc, err := url.Parse(rec.Header().Get("Location"))
	require.NoError(t, err)
	cookies := rec.Result().Cookies()
	require.Len(t, cookies, 1)
	return started{authURL: loc, cookie: cookies[0]}
}

// consent plays the user choosing email at the provider and returns the
// callback URL the browser is sent to.
func (b *testBundle) consent(t *testing.T, st started, email string) string {
	t.Helper()
	b.fake.SetConsentUser(email)
	back, err := b.fake.Consent(st.authURL.String())
	require.NoError(t, err)
	return back.String()
}

// finish delivers the callback with the given cookie (nil: none).
func (b *testBundle) finish(t *testing.T, callbackURL string, cookie *http.Cookie) (googlesignin.Identity, string, error, *http.Cookie) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, callbackURL, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	id, ret, err := b.signin.Finish(rec, req)
	cleared := rec.Result().Cookies()
	require.Len(t, cleared, 1, "Finish always clears the sign-in cookie")
	return id, ret, err, cleared[0]
}

func TestSignInSucceeds(t *testing.T) {
	b := setup(t)
	st := b.start(t, "/review?page=2")

	q := st.authURL.Query()
	require.True(t, strings.HasPrefix(st.authURL.String(), b.fake.AuthURL()+"?"))
	require.Equal(t, "openid email", q.Get("scope"))
	require.Equal(t, "S256", q.Get("code_challenge_method"))
	require.NotEmpty(t, q.Get("code_challenge"))
	require.NotEmpty(t, q.Get("nonce"))
	require.NotEmpty(t, q.Get("state"))
	require.Equal(t, callback, q.Get("redirect_uri"))
	require.NotContains(t, st.cookie.Value, q.Get("code_challenge"), "the cookie holds the verifier, not the challenge")

	c := st.cookie
	require.Equal(t, googlesignin.DefaultCookieName, c.Name)
	require.True(t, c.HttpOnly)
	require.True(t, c.Secure)
	require.Equal(t, http.SameSiteLaxMode, c.SameSite)
	require.Equal(t, "/", c.Path)
	require.Empty(t, c.Domain, "host-only")
	require.Equal(t, int(googlesignin.DefaultFlowTTL.Seconds()), c.MaxAge)

	id, returnTo, err, cleared := b.finish(t, b.consent(t, st, alice), st.cookie)
	require.NoError(t, err)
	require.Equal(t, googlesignin.Identity{Email: alice, Subject: gmailfake.Subject(alice), HostedDomain: "firm.example"}, id)
	require.Equal(t, "/review?page=2", returnTo)
	require.NoError(t, googlesignin.AllowedDomain(id, "firm.example"))
	require.NoError(t, googlesignin.AllowedDomain(id, "FIRM.example"))
	require.Negative(t, cleared.MaxAge)
}

func TestHostedDomainRequestedWhenConfigured(t *testing.T) {
	b := setup(t)
	cfg := config(b.fake, b.clock)
	cfg.HostedDomain = "firm.example"
	s, err := googlesignin.New(t.Context(), cfg)
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	require.NoError(t, s.Start(rec, httptest.NewRequest(http.MethodGet, "/", nil), "/"))
	loc, err := url.Parse(rec.Header().Get("Location"))
	require.NoError(t, err)
	require.Equal(t, "firm.example", loc.Query().Get("hd"))
}

func TestOtherDomainsRefused(t *testing.T) {
	b := setup(t)
	signIn := func(email string) googlesignin.Identity {
		t.Helper()
		st := b.start(t, "/")
		id, _, err, _ := b.finish(t, b.consent(t, st, email), st.cookie)
		require.NoError(t, err)
		return id
	}

	other := signIn("mallory@other.example")
	require.ErrorIs(t, googlesignin.AllowedDomain(other, "firm.example"), googlesignin.ErrDomain)

	consumer := signIn("mallory@gmail.com")
	require.Empty(t, consumer.HostedDomain)
	require.ErrorIs(t, googlesignin.AllowedDomain(consumer, "firm.example"), googlesignin.ErrDomain)

	// A consumer account registered with a firm address: the address's
	// domain matches, but no Workspace vouches for it.
	b.fake.SetHostedDomain("eve@firm.example", "")
	eve := signIn("eve@firm.example")
	require.Equal(t, "eve@firm.example", eve.Email)
	require.ErrorIs(t, googlesignin.AllowedDomain(eve, "firm.example"), googlesignin.ErrDomain)

	// Another organization's account at a firm address.
	b.fake.SetHostedDomain("trent@firm.example", "other.example")
	require.ErrorIs(t, googlesignin.AllowedDomain(signIn("trent@firm.example"), "firm.example"), googlesignin.ErrDomain)

	// The firm's own account under an alias domain is the firm's.
	b.fake.SetHostedDomain("carol@firm-alias.example", "firm.example")
	require.NoError(t, googlesignin.AllowedDomain(signIn("carol@firm-alias.example"), "firm.example"))

	require.ErrorIs(t, googlesignin.AllowedDomain(signIn(alice), ""), googlesignin.ErrDomain, "no domain configured allows no one")
}

func TestStateRefused(t *testing.T) {
	b := setup(t)

	t.Run("missing cookie", func(t *testing.T) {
		st := b.start(t, "/")
		_, _, err, _ := b.finish(t, b.consent(t, st, alice), nil)
		require.ErrorIs(t, err, googlesignin.ErrState)
	})
	t.Run("replayed", func(t *testing.T) {
		st := b.start(t, "/")
		back := b.consent(t, st, alice)
		_, _, err, _ := b.finish(t, back, st.cookie)
		require.NoError(t, err)
		_, _, err, _ = b.finish(t, back, st.cookie)
		require.ErrorIs(t, err, googlesignin.ErrState)
	})
	t.Run("another browser's callback", func(t *testing.T) {
		victim := b.start(t, "/")
		attacker := b.start(t, "/")
		// The attacker's code and state, delivered to the victim's browser
		// (login CSRF): the victim's cookie holds another state.
		_, _, err, _ := b.finish(t, b.consent(t, attacker, "mallory@firm.example"), victim.cookie)
		require.ErrorIs(t, err, googlesignin.ErrState)
	})
	t.Run("missing state", func(t *testing.T) {
		st := b.start(t, "/")
		back, err := url.Parse(b.consent(t, st, alice))
		require.NoError(t, err)
		q := back.Query()
		q.Del("state")
		back.RawQuery = q.Encode()
		_, _, err, _ = b.finish(t, back.String(), st.cookie)
		require.ErrorIs(t, err, googlesignin.ErrState)
	})
	t.Run("forged cookie", func(t *testing.T) {
		st := b.start(t, "/")
		forged := *st.cookie
		payload, sig, _ := strings.Cut(forged.Value, ".")
		forged.Value = payload + "." + strings.Repeat("A", len(sig))
		_, _, err, _ := b.finish(t, b.consent(t, st, alice), &forged)
		require.ErrorIs(t, err, googlesignin.ErrState)

		// Signed under another key.
		cfg := config(b.fake, b.clock)
		cfg.CookieKey = bytes.Repeat([]byte{8}, 32)
		other, err := googlesignin.New(t.Context(), cfg)
		require.NoError(t, err)
		rec := httptest.NewRecorder()
		require.NoError(t, other.Start(rec, httptest.NewRequest(http.MethodGet, "/", nil), "/"))
		loc, err := url.Parse(rec.Header().Get("Location"))
		require.NoError(t, err)
		foreign := started{authURL: loc, cookie: rec.Result().Cookies()[0]}
		_, _, err, _ = b.finish(t, b.consent(t, foreign, alice), foreign.cookie)
		require.ErrorIs(t, err, googlesignin.ErrState)
	})
	t.Run("expired", func(t *testing.T) {
		st := b.start(t, "/")
		back := b.consent(t, st, alice)
		b.clock.Advance(googlesignin.DefaultFlowTTL + time.Second)
		_, _, err, _ := b.finish(t, back, st.cookie)
		require.ErrorIs(t, err, googlesignin.ErrState)
	})
}

func TestNonceMismatchRefused(t *testing.T) {
	b := setup(t)
	st := b.start(t, "/")
	// A code obtained for another nonce (an injected code): state and
	// cookie are right, the ID token is not this sign-in's.
	q := st.authURL.Query()
	q.Set("nonce", "someone-elses")
	st.authURL.RawQuery = q.Encode()
	_, _, err, _ := b.finish(t, b.consent(t, st, alice), st.cookie)
	require.ErrorIs(t, err, googlesignin.ErrNonce)

	st = b.start(t, "/")
	q = st.authURL.Query()
	q.Del("nonce")
	st.authURL.RawQuery = q.Encode()
	_, _, err, _ = b.finish(t, b.consent(t, st, alice), st.cookie)
	require.ErrorIs(t, err, googlesignin.ErrNonce)
}

func TestUnverifiedEmailRefused(t *testing.T) {
	b := setup(t)
	b.fake.SetEmailVerified(alice, false)
	st := b.start(t, "/")
	_, _, err, _ := b.finish(t, b.consent(t, st, alice), st.cookie)
	require.ErrorIs(t, err, googlesignin.ErrEmailUnverified)
}

func TestEmailScopeUntickedRefused(t *testing.T) {
	b := setup(t)
	b.fake.UntickScopes("email")
	st := b.start(t, "/")
	_, _, err, _ := b.finish(t, b.consent(t, st, alice), st.cookie)
	require.ErrorIs(t, err, googlesignin.ErrEmailUnverified)
}

func TestDeniedAtProvider(t *testing.T) {
	b := setup(t)
	st := b.start(t, "/")
	back, err := url.Parse(callback)
	require.NoError(t, err)
	back.RawQuery = url.Values{"error": {"access_denied"}, "state": {st.authURL.Query().Get("state")}}.Encode()
	_, _, err, _ = b.finish(t, back.String(), st.cookie)
	require.ErrorIs(t, err, googlesignin.ErrDenied)
	require.Contains(t, err.Error(), "access_denied")

	st = b.start(t, "/")
	back.RawQuery = url.Values{"error": {"<script>\r\nforged log line"}, "state": {st.authURL.Query().Get("state")}}.Encode()
	_, _, err, _ = b.finish(t, back.String(), st.cookie)
	require.ErrorIs(t, err, googlesignin.ErrDenied)
	require.NotContains(t, err.Error(), "forged", "provider text stays out of errors and so of logs")
}

func TestCodeSpentElsewhereRefused(t *testing.T) {
	b := setup(t)
	st := b.start(t, "/")
	back := b.consent(t, st, alice)
	// The code is exchanged by someone who intercepted it, without the
	// PKCE verifier: refused by the provider, and the code stays usable.
	u, err := url.Parse(back)
	require.NoError(t, err)
	res, err := http.PostForm(b.fake.TokenURL(), url.Values{
		"grant_type": {"authorization_code"}, "code": {u.Query().Get("code")}, "redirect_uri": {callback},
		"client_id": {"cid"}, "client_secret": {"secret"},
	})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	id, _, err, _ := b.finish(t, back, st.cookie)
	require.NoError(t, err)
	require.Equal(t, alice, id.Email)
}

func TestStartRefusesForeignReturnTo(t *testing.T) {
	b := setup(t)
	for _, bad := range []string{"", "review", "//evil.example/", "/\\evil.example", "https://evil.example/", "/a\r\nSet-Cookie: x=y", "/a\\b", "javascript:alert(1)"} {
		rec := httptest.NewRecorder()
		err := b.signin.Start(rec, httptest.NewRequest(http.MethodGet, "/", nil), bad)
		require.ErrorIs(t, err, googlesignin.ErrReturnTo, "%q", bad)
		require.Empty(t, rec.Result().Cookies(), "%q", bad)
	}
}

func TestNewValidates(t *testing.T) {
	fake := gmailfake.New(gmailfake.Options{})
	t.Cleanup(fake.Close)
	c := &clock{now: time.Now()}
	for name, mutate := range map[string]func(*googlesignin.Config){
		"ClientID":     func(cfg *googlesignin.Config) { cfg.ClientID = "" },
		"ClientSecret": func(cfg *googlesignin.Config) { cfg.ClientSecret = "" },
		"CookieKey":    func(cfg *googlesignin.Config) { cfg.CookieKey = make([]byte, 16) },
		"CookieName":   func(cfg *googlesignin.Config) { cfg.CookieName = "signin" },
		"FlowTTL":      func(cfg *googlesignin.Config) { cfg.FlowTTL = -time.Second },
		"RedirectURL":  func(cfg *googlesignin.Config) { cfg.RedirectURL = "/callback" },
		"Issuer":       func(cfg *googlesignin.Config) { cfg.Issuer = fake.URL() + "/nowhere" },
	} {
		cfg := config(fake, c)
		mutate(&cfg)
		_, err := googlesignin.New(t.Context(), cfg)
		require.ErrorContains(t, err, name)
	}
}
