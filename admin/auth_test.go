package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
)

// A visitor is sent to the sign-in page and back to where they were going;
// the right password opens the pages and is audited with the address.
func TestSignIn(t *testing.T) {
	b := setup(t)
	admin := b.addUser("Ann.Admin@firm.example", catalog.RoleAdmin)
	br := b.browser()

	res := br.get("/users")
	require.Equal(t, http.StatusSeeOther, res.code)
	require.Equal(t, "/signin?next=%2Fusers", res.hdr.Get("Location"))
	res = br.get("/signin?next=%2Fusers")
	require.Equal(t, http.StatusOK, res.code)
	require.Contains(t, res.body, `<label for="password">Password</label>`)

	res = br.post(signinPath, url.Values{"tenant": {testTenant}, "email": {"ann.admin@FIRM.example"}, "password": {testPassword}, "next": {"/users"}})
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	require.Equal(t, "/users", res.hdr.Get("Location"))
	res = br.get("/users")
	require.Equal(t, http.StatusOK, res.code)
	require.Contains(t, res.body, "ann.admin@firm.example")
	require.Contains(t, res.body, `aria-current="page">Users</a>`)

	logins := b.records(audit.ActionLogin)
	require.Len(t, logins, 1)
	require.Equal(t, audit.OK, logins[0].Outcome)
	require.Equal(t, "user:"+admin.ID, logins[0].Actor)
	require.Equal(t, "127.0.0.1", logins[0].SourceIP)
	require.False(t, logins[0].Time.IsZero())

	// A redirect after sign-in never leaves the site.
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "users"} {
		res := b.browser().post(signinPath, url.Values{"tenant": {testTenant}, "email": {admin.Email}, "password": {testPassword}, "next": {next}})
		require.Equal(t, http.StatusSeeOther, res.code)
		require.Equal(t, "/", res.hdr.Get("Location"), next)
	}
}

// Three wrong passwords lock the account: the fourth attempt, with the
// right password, is refused; every attempt is audited with the source IP;
// an admin unlocks it. The answer never tells an unknown account from a
// wrong password or a locked account.
func TestLockout(t *testing.T) {
	b := setup(t)
	admin := b.addUser("ann@firm.example", catalog.RoleAdmin)
	para := b.addUser("pat@firm.example", catalog.RoleParalegal)
	br := b.browser()

	var refusals []string
	for range MaxFailedSignIns {
		res := br.signin(para.Email, "wrong password, guessing")
		require.Equal(t, http.StatusUnauthorized, res.code)
		require.Contains(t, res.body, "Sign-in failed")
		require.Empty(t, res.hdr.Values("Set-Cookie"))
		refusals = append(refusals, res.body)
	}
	res := br.signin(para.Email, testPassword)
	require.Equal(t, http.StatusUnauthorized, res.code, "the right password must be refused while locked")
	require.Empty(t, res.hdr.Values("Set-Cookie"))
	refusals = append(refusals, res.body)
	unknown := br.signin("nobody@firm.example", testPassword)
	require.Equal(t, http.StatusUnauthorized, unknown.code)
	for _, body := range refusals {
		require.Equal(t, body, strings.ReplaceAll(unknown.body, "nobody@firm.example", para.Email))
	}
	require.NotContains(t, res.body, "locked until")

	logins := b.records(audit.ActionLogin)
	require.Len(t, logins, MaxFailedSignIns+2)
	for i, r := range logins {
		require.Equal(t, audit.Refused, r.Outcome, i)
		require.Equal(t, "127.0.0.1", r.SourceIP, i)
		require.False(t, r.Time.IsZero(), i)
	}
	for i := range MaxFailedSignIns {
		require.Equal(t, "user:"+para.ID, logins[i].Actor)
		require.Equal(t, para.ID, logins[i].Objects["user"])
		require.Contains(t, logins[i].Detail, "wrong password")
	}
	require.Contains(t, logins[MaxFailedSignIns-1].Detail, "account locked")
	require.Equal(t, "account locked", logins[MaxFailedSignIns].Detail)
	require.Equal(t, "user:unknown", logins[MaxFailedSignIns+1].Actor)
	require.Equal(t, "unknown account", logins[MaxFailedSignIns+1].Detail)
	for _, r := range logins {
		require.NotContains(t, r.Detail, "@", "no address in the audit log")
	}

	// The admin sees the lock and lifts it.
	ab := b.signedIn(admin.Email)
	page := ab.get("/users")
	require.Contains(t, page.body, "locked until")
	require.Contains(t, page.body, `action="/users/`+para.ID+`/unlock"`)
	res = ab.post("/users/"+para.ID+"/unlock", nil)
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	unlocks := b.records(audit.ActionUserUnlock)
	require.Len(t, unlocks, 1)
	require.Equal(t, "user:"+admin.ID, unlocks[0].Actor)
	require.Equal(t, "127.0.0.1", unlocks[0].SourceIP)

	res = br.signin(para.Email, testPassword)
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	u, err := b.tenant.User(context.Background(), para.ID)
	require.NoError(t, err)
	require.Zero(t, u.Failed)
	require.True(t, u.LockedUntil.IsZero())
}

// A lockout runs out after the configured period; a failure after it
// starts a new count.
func TestLockoutExpires(t *testing.T) {
	b := setup(t)
	para := b.addUser("pat@firm.example", catalog.RoleParalegal)
	br := b.browser()
	for range MaxFailedSignIns {
		require.Equal(t, http.StatusUnauthorized, br.signin(para.Email, "not the password").code)
	}
	b.clock.Add(lockout - time.Minute)
	require.Equal(t, http.StatusUnauthorized, br.signin(para.Email, testPassword).code)
	b.clock.Add(2 * time.Minute)
	require.Equal(t, http.StatusUnauthorized, br.signin(para.Email, "not the password").code)
	u, err := b.tenant.User(context.Background(), para.ID)
	require.NoError(t, err)
	require.Equal(t, 1, u.Failed, "the count starts over once the lockout ran out")
	require.False(t, u.Locked(b.clock.Now()))
	require.Equal(t, http.StatusSeeOther, br.signin(para.Email, testPassword).code)
}

// A disabled account cannot sign in, and its open sessions end.
func TestDisabledAccount(t *testing.T) {
	b := setup(t)
	admin := b.addUser("ann@firm.example", catalog.RoleAdmin)
	para := b.addUser("pat@firm.example", catalog.RoleParalegal)
	pb := b.signedIn(para.Email)
	require.Equal(t, http.StatusOK, pb.get("/").code)

	ab := b.signedIn(admin.Email)
	res := ab.post("/users/"+para.ID+"/disable", nil)
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	require.Equal(t, http.StatusSeeOther, pb.get("/").code, "the open session must end")
	require.Equal(t, http.StatusUnauthorized, b.browser().signin(para.Email, testPassword).code)
	logins := b.records(audit.ActionLogin)
	require.Equal(t, "account disabled", logins[len(logins)-1].Detail)

	// An admin cannot disable themself.
	res = ab.post("/users/"+admin.ID+"/disable", nil)
	require.Equal(t, http.StatusUnprocessableEntity, res.code)
	require.Equal(t, http.StatusOK, ab.get("/").code)
}

// Session cookies are HttpOnly and SameSite=Lax; behind TLS also Secure
// with the __Host- prefix (no Domain, Path=/).
func TestCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		b := setupWith(t, setupOpts{secure: secure})
		b.addUser("ann@firm.example", catalog.RoleAdmin)
		res := b.browser().signin("ann@firm.example", testPassword)
		require.Equal(t, http.StatusSeeOther, res.code)
		cookies, err := http.ParseSetCookie(res.hdr.Get("Set-Cookie"))
		require.NoError(t, err)
		require.True(t, cookies.HttpOnly)
		require.Equal(t, http.SameSiteLaxMode, cookies.SameSite)
		require.Equal(t, "/", cookies.Path)
		require.Empty(t, cookies.Domain)
		require.Equal(t, secure, cookies.Secure)
		if secure {
			require.Equal(t, "__Host-matterfile-session", cookies.Name)
			require.Contains(t, res.hdr.Get("Strict-Transport-Security"), "max-age=")
		} else {
			require.Equal(t, "matterfile-session", cookies.Name)
		}
		require.NotContains(t, cookies.Value, "ann", "the cookie holds no address")
	}
}

// Signing out ends the session for good: the same cookie, replayed,
// opens nothing.
func TestSignOutInvalidatesCookie(t *testing.T) {
	b := setup(t)
	u := b.addUser("ann@firm.example", catalog.RoleAdmin)
	br := b.signedIn(u.Email)
	cookies := br.c.Jar.Cookies(mustURL(t, b.ts.URL))
	require.Len(t, cookies, 1)
	stolen := cookies[0]

	res := br.post(signoutPath, nil)
	require.Equal(t, http.StatusSeeOther, res.code)
	cleared, err := http.ParseSetCookie(res.hdr.Get("Set-Cookie"))
	require.NoError(t, err)
	require.Equal(t, -1, cleared.MaxAge)
	require.Equal(t, http.StatusSeeOther, br.get("/").code)

	replay := b.browser()
	replay.c.Jar.SetCookies(mustURL(t, b.ts.URL), []*http.Cookie{{Name: stolen.Name, Value: stolen.Value, Path: "/"}})
	res = replay.get("/users")
	require.Equal(t, http.StatusSeeOther, res.code)
	require.True(t, strings.HasPrefix(res.hdr.Get("Location"), signinPath))
	logouts := b.records(audit.ActionLogout)
	require.Len(t, logouts, 1)
	require.Equal(t, "127.0.0.1", logouts[0].SourceIP)
}

// A session ends after the idle timeout, or the maximum age however much
// it is used; a cookie altered or moved to another firm opens nothing.
func TestSessionLimits(t *testing.T) {
	b := setup(t)
	u := b.addUser("ann@firm.example", catalog.RoleAdmin)
	br := b.signedIn(u.Email)
	b.clock.Add(defaultIdleTimeout - time.Minute)
	require.Equal(t, http.StatusOK, br.get("/").code)
	b.clock.Add(defaultIdleTimeout - time.Minute)
	require.Equal(t, http.StatusOK, br.get("/").code, "use keeps the session alive")
	b.clock.Add(defaultIdleTimeout + time.Second)
	require.Equal(t, http.StatusSeeOther, br.get("/").code, "idle too long")

	br = b.signedIn(u.Email)
	for elapsed := time.Duration(0); elapsed < defaultMaxSessionAge; elapsed += defaultIdleTimeout / 2 {
		require.Equal(t, http.StatusOK, br.get("/").code)
		b.clock.Add(defaultIdleTimeout / 2)
	}
	require.Equal(t, http.StatusSeeOther, br.get("/").code, "older than the maximum age")

	// Another firm's name on this firm's sealed session.
	ctx := context.Background()
	require.NoError(t, b.cat.CreateTenant(ctx, "other"))
	br = b.signedIn(u.Email)
	c := br.c.Jar.Cookies(mustURL(t, b.ts.URL))[0]
	for _, v := range []string{
		strings.Replace(c.Value, "."+testTenant+".", ".other.", 1),
		c.Value[:len(c.Value)-2] + "AA",
		"v1.firm.",
		"garbage",
	} {
		forged := b.browser()
		forged.c.Jar.SetCookies(mustURL(t, b.ts.URL), []*http.Cookie{{Name: c.Name, Value: v, Path: "/"}})
		require.Equal(t, http.StatusSeeOther, forged.get("/").code, v)
	}
}

// Cross-origin POSTs are refused, the sign-in form included (login CSRF);
// same-origin ones pass.
func TestCrossOriginRefused(t *testing.T) {
	b := setup(t)
	admin := b.addUser("ann@firm.example", catalog.RoleAdmin)
	br := b.signedIn(admin.Email)
	form := url.Values{"email": {"eve@firm.example"}, "role": {"admin"}, "password_mode": {"onetime"}}

	for _, h := range []http.Header{
		{"Origin": {"https://evil.example"}},
		{"Sec-Fetch-Site": {"cross-site"}},
	} {
		br.hdr = h
		res := br.post("/users", form)
		require.Equal(t, http.StatusForbidden, res.code, "%v", h)
		res = br.post(signinPath, url.Values{"tenant": {testTenant}, "email": {admin.Email}, "password": {testPassword}})
		require.Equal(t, http.StatusForbidden, res.code, "%v", h)
	}
	users, err := b.tenant.Users(context.Background())
	require.NoError(t, err)
	require.Len(t, users, 1, "no account made cross-origin")

	br.hdr = http.Header{"Origin": {b.ts.URL}, "Sec-Fetch-Site": {"same-origin"}}
	res := br.post("/users", form)
	require.Equal(t, http.StatusOK, res.code, res.body)
	require.Contains(t, res.body, "One-time password for eve@firm.example")
}

// Every response carries the strict policy, nosniff and no-referrer.
func TestSecurityHeaders(t *testing.T) {
	b := setup(t)
	b.addUser("ann@firm.example", catalog.RoleAdmin)
	para := b.addUser("pat@firm.example", catalog.RoleParalegal)
	anon := b.browser()
	admin := b.signedIn("ann@firm.example")
	pb := b.signedIn(para.Email)
	checks := []struct {
		br   *browser
		path string
		code int
	}{
		{anon, "/signin", http.StatusOK},
		{anon, "/", http.StatusSeeOther},
		{anon, "/static/app.css", http.StatusOK},
		{anon, "/static/app.js", http.StatusOK},
		{anon, "/no/such/page", http.StatusNotFound},
		{admin, "/", http.StatusOK},
		{admin, "/users", http.StatusOK},
		{admin, accountPasswordPath, http.StatusOK},
		{pb, "/users", http.StatusForbidden},
	}
	for _, c := range checks {
		res := c.br.get(c.path)
		require.Equal(t, c.code, res.code, c.path)
		require.Equal(t, contentSecurityPolicy, res.hdr.Get("Content-Security-Policy"), c.path)
		require.Equal(t, "nosniff", res.hdr.Get("X-Content-Type-Options"), c.path)
		require.Equal(t, "no-referrer", res.hdr.Get("Referrer-Policy"), c.path)
		if strings.HasPrefix(res.hdr.Get("Content-Type"), "text/html") && res.code != http.StatusNotFound {
			require.NotContains(t, res.body, "<script>", "no inline script: "+c.path)
			require.NotContains(t, res.body, "style=", "no inline style: "+c.path)
			require.NotRegexp(t, `\son[a-z]+=`, res.body, "no event handler attribute: "+c.path)
		}
	}
	res := anon.post(signinPath, url.Values{"tenant": {testTenant}, "email": {"x@firm.example"}, "password": {"x"}})
	require.Equal(t, contentSecurityPolicy, res.hdr.Get("Content-Security-Policy"))
}

// A paralegal gets 403 on the admin pages (and the refusal is audited as
// access.denied with the address), and does not see them in the
// navigation.
func TestParalegalForbidden(t *testing.T) {
	jobs := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("queue monitor")) })
	b := setupWith(t, setupOpts{jobs: jobs})
	admin := b.addUser("ann@firm.example", catalog.RoleAdmin)
	para := b.addUser("pat@firm.example", catalog.RoleParalegal)
	pb := b.signedIn(para.Email)

	home := pb.get("/")
	require.Equal(t, http.StatusOK, home.code)
	require.NotContains(t, home.body, `href="/users"`)
	require.NotContains(t, home.body, `href="/jobs"`)
	for _, p := range []string{"/users", "/users/" + admin.ID, "/jobs/", "/jobs/api/queues"} {
		res := pb.get(p)
		require.Equal(t, http.StatusForbidden, res.code, p)
		require.NotContains(t, res.body, "queue monitor")
		require.NotContains(t, res.body, admin.Email)
	}
	res := pb.post("/users", url.Values{"email": {"eve@firm.example"}, "role": {"admin"}})
	require.Equal(t, http.StatusForbidden, res.code)
	res = pb.post("/users/"+admin.ID+"/disable", nil)
	require.Equal(t, http.StatusForbidden, res.code)
	got, err := b.tenant.User(context.Background(), admin.ID)
	require.NoError(t, err)
	require.False(t, got.Disabled)

	denied := b.records(audit.ActionAccessDenied)
	require.Len(t, denied, 6)
	for _, r := range denied {
		require.Equal(t, "user:"+para.ID, r.Actor)
		require.Equal(t, audit.Refused, r.Outcome)
		require.Equal(t, "127.0.0.1", r.SourceIP)
		require.Contains(t, r.Detail, "role paralegal may not open")
	}
	require.Contains(t, denied[0].Detail, "GET /users")

	// The admin opens the queue monitor under its own policy.
	ab := b.signedIn(admin.Email)
	res = ab.get("/jobs/")
	require.Equal(t, http.StatusOK, res.code)
	require.Equal(t, "queue monitor", res.body)
	require.Contains(t, res.hdr.Get("Content-Security-Policy"), "frame-ancestors 'none'")
	require.Contains(t, ab.get("/").body, `href="/jobs"`)

	// A role change applies to the very next request.
	_, err = b.tenant.UpdateUser(context.Background(), para.ID, "cli:test", func(u *catalog.User) error {
		u.Role = catalog.RoleAdmin
		return nil
	})
	require.NoError(t, err)
	b.srv.forgetUser(testTenant, para.ID)
	require.Equal(t, http.StatusOK, pb.get("/users").code)
}

// An account made with a one-time password must choose its own password
// before anything else; the change keeps the session and ends others.
func TestOneTimePassword(t *testing.T) {
	b := setup(t)
	admin := b.addUser("ann@firm.example", catalog.RoleAdmin)
	ab := b.signedIn(admin.Email)
	res := ab.post("/users", url.Values{"email": {"Bo@Firm.example"}, "name": {"Bo <b>Bold</b>"}, "role": {"attorney"}, "password_mode": {"onetime"}})
	require.Equal(t, http.StatusOK, res.code, res.body)
	require.Contains(t, res.body, "Bo &lt;b&gt;Bold&lt;/b&gt;", "names are escaped")
	start := strings.Index(res.body, `<code class="secret" id="onetime">`)
	require.Positive(t, start)
	rest := res.body[start+len(`<code class="secret" id="onetime">`):]
	oneTime := rest[:strings.Index(rest, "<")]
	require.Len(t, oneTime, 26)
	creates := b.records(audit.ActionUserCreate)
	require.Len(t, creates, 2)
	require.Equal(t, "user:"+admin.ID, creates[1].Actor)
	require.Equal(t, "127.0.0.1", creates[1].SourceIP)
	require.Equal(t, "role attorney", creates[1].Detail)

	bo := b.browser()
	res = bo.signin("bo@firm.example", oneTime)
	require.Equal(t, http.StatusSeeOther, res.code)
	require.Equal(t, accountPasswordPath, res.hdr.Get("Location"))
	res = bo.get("/")
	require.Equal(t, http.StatusSeeOther, res.code)
	require.Equal(t, accountPasswordPath, res.hdr.Get("Location"))
	other := b.browser()
	require.Equal(t, http.StatusSeeOther, other.signin("bo@firm.example", oneTime).code)

	res = bo.post(accountPasswordPath, url.Values{"current": {oneTime}, "new": {"short"}, "confirm": {"short"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.code)
	require.Contains(t, res.body, "shorter than 12")
	res = bo.post(accountPasswordPath, url.Values{"current": {"wrong"}, "new": {testPassword}, "confirm": {testPassword}})
	require.Equal(t, http.StatusUnprocessableEntity, res.code)
	res = bo.post(accountPasswordPath, url.Values{"current": {oneTime}, "new": {testPassword}, "confirm": {testPassword}})
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	require.Equal(t, http.StatusOK, bo.get("/").code, "this session carries on")
	require.Equal(t, http.StatusSeeOther, other.get("/").code, "the other session ended")
	require.Equal(t, http.StatusUnauthorized, b.browser().signin("bo@firm.example", oneTime).code)
	require.Equal(t, http.StatusSeeOther, b.browser().signin("bo@firm.example", testPassword).code)
	updates := b.records(audit.ActionUserUpdate)
	require.NotEmpty(t, updates)
	require.Contains(t, updates[len(updates)-1].Detail, "password")
	require.NotContains(t, updates[len(updates)-1].Detail, testPassword)
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}
