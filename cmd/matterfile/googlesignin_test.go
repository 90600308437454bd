package main

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/ingest/gmail/gmailfake"
)

// TestServeGoogleSignIn: with a Google client configured, serve's sign-in
// page offers Google and the button goes to the configured issuer; two
// processes on one data dir share the sign-in cookie key.
func TestServeGoogleSignIn(t *testing.T) {
	fake := gmailfake.New(gmailfake.Options{})
	t.Cleanup(fake.Close)
	env := fakeGmailEnv(t, fake)
	env["MATTERFILE_PUBLIC_URL"] = "https://matterfile.firm.example"
	main, _, a, _ := adminServer(t, env)
	_, _, b, _ := adminServer(t, env)

	res, err := http.Get(main.URL + "/signin")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Contains(t, string(body), "Sign in with Google")
	require.Contains(t, res.Header.Get("Content-Security-Policy"), "form-action 'self' "+fake.Issuer())

	ka, err := a.cat.SignInCookieKey(context.Background())
	require.NoError(t, err)
	kb, err := b.cat.SignInCookieKey(context.Background())
	require.NoError(t, err)
	require.Equal(t, ka, kb)

	// No client: no button.
	plain, _, _, _ := adminServer(t, map[string]string{})
	res, err = http.Get(plain.URL + "/signin")
	require.NoError(t, err)
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	require.NotContains(t, string(body), "Sign in with Google")
}

func TestTenantsSettingsWorkspaceDomain(t *testing.T) {
	env := map[string]string{"MATTERFILE_DATA_DIR": t.TempDir()}
	mustRun(t, env, "tenants", "create", "firm")
	_, err := run(t, env, "tenants", "settings", "firm", "--workspace-domain", "not a domain")
	require.ErrorContains(t, err, "workspace domain")
	out := mustRun(t, env, "tenants", "settings", "firm", "--workspace-domain", " @Firm.Example ")
	require.Contains(t, out, `"workspace_domain": "firm.example"`)
	out = mustRun(t, env, "tenants", "settings", "firm")
	require.Contains(t, out, `"workspace_domain": "firm.example"`)
	require.Contains(t, mustRun(t, env, "audit", "list", "--tenant", "firm"), "changed: workspace_domain")
	out = mustRun(t, env, "tenants", "settings", "firm", "--workspace-domain", "")
	require.Contains(t, out, `"workspace_domain": ""`)
}
