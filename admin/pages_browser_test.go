package admin

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/internal/browsertest"
)

// TestBrowserParalegalRefused is issue 10's acceptance point: a Paralegal
// cannot open the admin pages or a walled matter. An admin first shows
// the matters, audit and settings pages (screenshots).
func TestBrowserParalegalRefused(t *testing.T) {
	b := setup(t)
	b.addUser(pagesAdmin, catalog.RoleAdmin)
	b.addUser(pagesParalegal, catalog.RoleParalegal)
	targets, err := classify.ParseCSV(strings.NewReader(pagesRegistryCSV))
	require.NoError(t, err)
	_, err = b.tenant.ImportTargets(context.Background(), targets, "cli:test")
	require.NoError(t, err)
	br := browsertest.New(t)
	signin := func(email string) {
		require.Equal(t, http.StatusOK, br.Go(b.ts.URL+signinPath))
		br.Fill("#tenant", testTenant)
		br.Fill("#email", email)
		br.Fill("#password", testPassword)
		br.Submit("form")
		require.Equal(t, b.ts.URL+"/", br.Location())
	}

	signin(pagesAdmin)
	require.Equal(t, http.StatusOK, br.Go(b.ts.URL+"/matters"))
	require.Contains(t, br.Text("main"), "Gamma merger")
	br.Screenshot("matters")
	require.Equal(t, http.StatusOK, br.Follow(`a[href="/matters/m-2024-0117"]`))
	br.Fill("#title", "Acme Widgets v. Beta Logistics")
	require.Equal(t, http.StatusOK, br.Submit(`form[action="/matters/m-2024-0117"]`))
	require.Contains(t, br.Text(".notice"), "Changes saved.")
	br.Screenshot("matter")
	require.Equal(t, http.StatusOK, br.Go(b.ts.URL+"/audit"))
	require.Equal(t, http.StatusOK, br.Submit(`form[action="/audit/verify"]`))
	require.Contains(t, br.Text("#verify-result"), "Intact.")
	require.Contains(t, br.Text("main"), "matter.update")
	br.Screenshot("audit")
	require.Equal(t, http.StatusOK, br.Go(b.ts.URL+"/settings"))
	br.Screenshot("settings")
	br.Submit(`form[action="/signout"]`)

	signin(pagesParalegal)
	nav := br.Text("nav")
	for _, hidden := range []string{"Settings", "Audit", "Users"} {
		require.NotContains(t, nav, hidden)
	}
	for _, path := range []string{"/settings", "/audit", "/users", "/matters/m-2024-0200"} {
		require.Equal(t, http.StatusForbidden, br.Go(b.ts.URL+path), path)
		require.NotContains(t, br.Text("main"), "Gamma merger")
	}
	require.Equal(t, http.StatusOK, br.Go(b.ts.URL+"/matters"))
	main := br.Text("main")
	require.Contains(t, main, "Acme Widgets v. Beta Logistics")
	require.NotContains(t, main, "Gamma merger")
	require.Equal(t, http.StatusOK, br.Follow(`a[href="/matters/m-2024-0117"]`))
	require.Contains(t, br.Text("main"), "counsel@beta.example")

	br.WaitIdle()
	require.Empty(t, br.Dialogs())
	// The only problems are the refusals themselves.
	for _, p := range br.Problems() {
		require.True(t, p.Kind == "log" && strings.Contains(p.Text, "403 (Forbidden)"), p)
	}
}
