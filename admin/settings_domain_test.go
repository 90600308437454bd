package admin

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
)

// TestSettingsWorkspaceDomain: an admin sets the firm's Google Workspace
// domain on the settings page (as `tenants settings --workspace-domain`
// does), its accounts may then sign in with Google; a domain that is not
// one is refused; a form without the field keeps it; emptied, Google
// sign-in is off again. Every change is audited by name, not value.
func TestSettingsWorkspaceDomain(t *testing.T) {
	b := setupGoogle(t, true)
	admin := b.addUser(pagesAdmin, catalog.RoleAdmin)
	b.addUser("alice@firm.example", catalog.RoleAttorney)
	ctx := context.Background()
	br := b.signedIn(pagesAdmin)
	domain := func() string {
		t.Helper()
		st, err := b.tenant.Settings(ctx)
		require.NoError(t, err)
		return st.WorkspaceDomain
	}
	form := func(d string) url.Values {
		return url.Values{"matter_label_prefix": {""}, "filing_label": {""}, "file_threshold": {""}, "review_threshold": {""}, "workspace_domain": {d}}
	}

	res := br.get("/settings")
	require.Equal(t, http.StatusOK, res.code, res.body)
	require.Contains(t, res.body, `id="workspace_domain" name="workspace_domain" value=""`)
	require.NotContains(t, res.body, "does not offer Google sign-in", "this server does")

	res = br.post("/settings", form(" @Firm.Example "))
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	require.Equal(t, "firm.example", domain())
	res = br.get("/settings?done=settings")
	require.Contains(t, res.body, "Settings saved.")
	require.Contains(t, res.body, `name="workspace_domain" value="firm.example"`)
	recs := b.records(audit.ActionSettingsUpdate)
	require.NotEmpty(t, recs)
	last := recs[len(recs)-1]
	require.Equal(t, "user:"+admin.ID, last.Actor)
	require.Equal(t, "changed: workspace_domain", last.Detail)
	require.Equal(t, "127.0.0.1", last.SourceIP)

	// The firm's accounts may now sign in with Google.
	alice := b.browser()
	res = alice.get(b.googleStart(alice, "alice@firm.example", "/"))
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	require.Equal(t, http.StatusOK, alice.get("/").code, "signed in with Google")

	// Not a domain: refused in plain words, the form kept, nothing changed.
	res = br.post("/settings", form("firm example/"))
	require.Equal(t, http.StatusUnprocessableEntity, res.code)
	require.Contains(t, res.body, "the Google Workspace domain must be a domain name")
	require.Contains(t, res.body, `value="firm example/"`)
	require.Equal(t, "firm.example", domain())

	// A post without the field (an older form) keeps the domain.
	res = br.post("/settings", url.Values{"filing_label": {"To file"}})
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	require.Equal(t, "firm.example", domain())

	// Emptied: no Google sign-in for the firm.
	res = br.post("/settings", form(""))
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	require.Empty(t, domain())
	res = b.browser().post(googleStartPath, url.Values{"tenant": {testTenant}})
	require.Equal(t, http.StatusForbidden, res.code)
	require.Contains(t, res.body, "Sign in with Google is not set up for this firm")
}

// TestSettingsWorkspaceDomainWithoutGoogle: a server without Google
// sign-in still keeps the domain and says the server does not offer it.
func TestSettingsWorkspaceDomainWithoutGoogle(t *testing.T) {
	b := setup(t)
	b.addUser(pagesAdmin, catalog.RoleAdmin)
	br := b.signedIn(pagesAdmin)
	res := br.get("/settings")
	require.Equal(t, http.StatusOK, res.code, res.body)
	require.Contains(t, res.body, "does not offer Google sign-in")
	res = br.post("/settings", url.Values{"workspace_domain": {"firm.example"}})
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	st, err := b.tenant.Settings(context.Background())
	require.NoError(t, err)
	require.Equal(t, "firm.example", st.WorkspaceDomain)
}
