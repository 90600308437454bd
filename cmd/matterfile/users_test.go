package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// 'users add' prints a one-time password (no terminal in tests) or takes
// one from a file; 'users list' shows the accounts; 'users unlock' and
// 'users password' act on one; each change is audited as the CLI user.
func TestUsersCommands(t *testing.T) {
	env := map[string]string{"MATTERFILE_DATA_DIR": t.TempDir()}
	mustRun(t, env, "tenants", "create", "acme")
	out := mustRun(t, env, "users", "add", "--tenant", "acme", "--email", "Ann@Acme.example", "--role", "admin", "--name", "Ann Lee")
	require.Contains(t, out, "(ann@acme.example, admin) created in acme")
	oneTime := regexp.MustCompile(`one-time password: ([A-Z2-7]{26})`).FindStringSubmatch(out)
	require.NotNil(t, oneTime, out)

	pw := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(pw, []byte("a long enough passphrase\n"), 0o600))
	out = mustRun(t, env, "users", "add", "--tenant", "acme", "--email", "pat@acme.example", "--role", "Paralegal", "--password-file", pw)
	require.NotContains(t, out, "one-time")

	_, err := run(t, env, "users", "add", "--tenant", "acme", "--email", "ann@acme.example", "--role", "admin")
	require.ErrorContains(t, err, "exists")
	_, err = run(t, env, "users", "add", "--tenant", "acme", "--email", "x@acme.example", "--role", "owner")
	require.ErrorContains(t, err, "--role")
	short := filepath.Join(t.TempDir(), "short")
	require.NoError(t, os.WriteFile(short, []byte("tiny\n"), 0o600))
	_, err = run(t, env, "users", "add", "--tenant", "acme", "--email", "y@acme.example", "--role", "admin", "--password-file", short)
	require.ErrorContains(t, err, "shorter than")

	out = mustRun(t, env, "users", "list", "--tenant", "acme")
	require.Regexp(t, `ann@acme\.example\s+Ann Lee\s+admin\s+one-time password`, out)
	require.Regexp(t, `pat@acme\.example\s+paralegal\s+active`, out)
	require.Contains(t, mustRun(t, env, "users", "unlock", "--tenant", "acme", "pat@acme.example"), "was not locked")
	out = mustRun(t, env, "users", "password", "--tenant", "acme", "PAT@acme.example")
	require.Contains(t, out, "one-time password: ")

	audit := mustRun(t, env, "audit", "list", "--tenant", "acme")
	require.Contains(t, audit, "user.create")
	require.Contains(t, audit, "user.update")
	require.Contains(t, audit, "cli:")
	require.NotContains(t, audit, "ann@acme.example")
}

// serve has the admin web at /: an account made with the CLI signs in, an
// admin opens the queue monitor at /jobs/ under a policy admitting its
// inline scripts by hash, a paralegal is refused it.
func TestServeAdminWeb(t *testing.T) {
	env := map[string]string{}
	srv, _, a, _ := adminServer(t, env)
	ctx := context.Background()
	_, err := a.cat.EnsureTenant(ctx, "acme")
	require.NoError(t, err)
	pw := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(pw, []byte("a long enough passphrase\n"), 0o600))
	for _, u := range [][2]string{{"ann@acme.example", "admin"}, {"pat@acme.example", "paralegal"}} {
		mustRun(t, map[string]string{"MATTERFILE_DATA_DIR": env["MATTERFILE_DATA_DIR"]},
			"users", "add", "--tenant", "acme", "--email", u[0], "--role", u[1], "--password-file", pw)
	}
	code, hdr, _ := webDo(t, http.DefaultClient, "GET", srv.URL+"/", nil)
	require.Equal(t, http.StatusSeeOther, code)
	require.Equal(t, "/signin?next=%2F", hdr.Get("Location"))

	signin := func(email string) *http.Client {
		jar, err := cookiejar.New(nil)
		require.NoError(t, err)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		code, _, body := webDo(t, c, "POST", srv.URL+"/signin", url.Values{"tenant": {"acme"}, "email": {email}, "password": {"a long enough passphrase"}})
		require.Equal(t, http.StatusSeeOther, code, body)
		return c
	}
	admin := signin("ann@acme.example")
	code, hdr, body := webDo(t, admin, "GET", srv.URL+"/jobs/", nil)
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, "<title>Asynq - Monitoring</title>")
	require.Contains(t, body, `window.FLAG_ROOT_PATH="\/jobs"`)
	csp := hdr.Get("Content-Security-Policy")
	require.NotContains(t, csp, "'unsafe-inline';", "scripts are admitted by hash only")
	scripts := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(body, -1)
	require.Len(t, scripts, 2)
	for _, m := range scripts {
		sum := sha256.Sum256([]byte(m[1]))
		require.Contains(t, csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	code, _, body = webDo(t, admin, "GET", srv.URL+"/jobs/api/queues", nil)
	require.Equal(t, http.StatusOK, code, body)
	code, _, body = webDo(t, admin, "GET", srv.URL+"/", nil)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "Overview")

	para := signin("pat@acme.example")
	code, _, body = webDo(t, para, "GET", srv.URL+"/jobs/", nil)
	require.Equal(t, http.StatusForbidden, code)
	require.NotContains(t, body, "Asynq")

	// The other routes stay where they were.
	code, _ = get(t, srv.URL+"/healthz")
	require.Equal(t, http.StatusOK, code)
	code, _ = get(t, srv.URL+"/metrics")
	require.Equal(t, http.StatusOK, code)
}

func webDo(t *testing.T, c *http.Client, method, u string, form url.Values) (int, http.Header, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c == http.DefaultClient {
		c = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header, string(data)
}
