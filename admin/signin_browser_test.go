package admin

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/internal/browsertest"
)

// signInWith fills and submits the sign-in form, returning the status.
func signInWith(br *browsertest.Browser, base, email, password string) int {
	br.Go(base + signinPath)
	br.Fill("#tenant", testTenant)
	br.Fill("#email", email)
	br.Fill("#password", password)
	return br.Submit("#password")
}

// TestBrowserSignInLockoutAudited is issue 10's acceptance point for
// sign-in: a password sign-in and sign-out; three wrong passwords lock the
// account, so that the right one is refused next; an admin then finds
// every attempt on the audit page with its source IP.
func TestBrowserSignInLockoutAudited(t *testing.T) {
	b := setup(t)
	b.addUser("admin@firm.example", catalog.RoleAdmin)
	lee := b.addUser("lee@firm.example", catalog.RoleAttorney)
	br := browsertest.New(t)

	require.Equal(t, http.StatusOK, signInWith(br, b.ts.URL, "lee@firm.example", testPassword))
	require.Equal(t, b.ts.URL+"/", br.Location())
	require.Equal(t, http.StatusOK, br.Submit(`form[action="/signout"]`))
	require.True(t, strings.HasPrefix(br.Location(), b.ts.URL+signinPath), br.Location())
	require.Equal(t, http.StatusSeeOther, b.browser().get("/").code)

	for i := 1; i <= MaxFailedSignIns; i++ {
		require.Equal(t, http.StatusUnauthorized, signInWith(br, b.ts.URL, "lee@firm.example", "wrong password"), "attempt %d", i)
		require.Contains(t, br.Text("#signin-error"), "Sign-in failed")
	}
	require.Equal(t, http.StatusUnauthorized, signInWith(br, b.ts.URL, "lee@firm.example", testPassword), "locked: the right password is refused")
	require.Contains(t, br.Text("#signin-error"), "Sign-in failed")
	require.Equal(t, b.ts.URL+signinPath, br.Location())

	require.Equal(t, http.StatusOK, signInWith(br, b.ts.URL, "admin@firm.example", testPassword))
	require.Equal(t, http.StatusOK, br.Go(b.ts.URL+"/audit?"+url.Values{"action": {"login"}, "actor": {"user:" + lee.ID}}.Encode()))
	rows := br.Text("table.list tbody")
	lines := strings.Split(strings.TrimSpace(rows), "\n")
	require.Len(t, lines, 5, rows)
	for _, l := range lines {
		require.Contains(t, l, "127.0.0.1")
		require.Contains(t, l, "login")
	}
	// Newest first.
	require.Contains(t, lines[0], "account locked")
	require.Contains(t, lines[1], "failed attempt 3 of 3, account locked")
	require.Contains(t, lines[2], "failed attempt 2 of 3")
	require.Contains(t, lines[3], "failed attempt 1 of 3")
	require.Contains(t, lines[4], "password")
	require.Contains(t, lines[4], "ok")

	// The same through the filter form, as an admin would.
	require.Equal(t, http.StatusOK, br.Go(b.ts.URL+"/audit"))
	br.Fill("#action", "login")
	require.Equal(t, http.StatusOK, br.Submit(`form[action="/audit"]`))
	require.Contains(t, br.Location(), "action=login")
	all := br.Text("table.list tbody")
	require.Contains(t, all, "127.0.0.1")
	require.NotContains(t, all, "logout")
	br.Screenshot("audit-logins")

	br.WaitIdle()
	require.Empty(t, br.Dialogs())
	for _, p := range br.Problems() {
		// The refused sign-ins are 401s, which Chromium logs.
		require.True(t, p.Kind == "log" && strings.Contains(p.Text, "401 (Unauthorized)"), "%+v", p)
	}
}

// TestBrowserGoogleSignIn signs in through "Sign in with Google" and the
// fake Google in Chromium; an account of another Workspace is refused in
// plain words.
func TestBrowserGoogleSignIn(t *testing.T) {
	b := setupGoogle(t, false)
	b.setDomain("firm.example")
	b.addUser("alice@firm.example", catalog.RoleAttorney)
	b.addUser("mallory@other.example", catalog.RoleAttorney)
	br := browsertest.New(t)

	b.fake.SetConsentUser("mallory@other.example")
	require.Equal(t, http.StatusOK, br.Go(b.ts.URL+signinPath))
	require.Equal(t, "Sign in with Google", br.Text("#google-signin"))
	br.Screenshot("signin")
	br.Fill("#tenant", testTenant)
	require.Equal(t, http.StatusForbidden, br.Submit("#google-signin"))
	require.Contains(t, br.Text("#google-error"), "That Google account may not sign in to this firm")

	b.fake.SetConsentUser("alice@firm.example")
	require.Equal(t, http.StatusOK, br.Go(b.ts.URL+signinPath+"?next=/matters"))
	br.Fill("#tenant", testTenant)
	require.Equal(t, http.StatusOK, br.Submit("#google-signin"))
	require.Equal(t, b.ts.URL+"/matters", br.Location())
	recs := b.googleLogins()
	require.Len(t, recs, 2)
	require.Equal(t, "google", recs[1].Detail)
	require.Equal(t, "127.0.0.1", recs[1].SourceIP)

	br.WaitIdle()
	require.Empty(t, br.Dialogs())
	for _, p := range br.Problems() {
		require.True(t, p.Kind == "log" && strings.HasPrefix(p.URL, b.ts.URL+googleCallbackPath), "%+v", p)
	}
}
