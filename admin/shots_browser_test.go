package admin

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/internal/browsertest"
)

// TestBrowserAdminOverviewPages: an admin of a firm with messages in
// review opens the home, users and account pages (screenshots; the other
// pages' are taken by the tests that drive them). The home page counts
// the queue, the users page lists the firm's accounts, and no page runs
// into a problem in the browser.
func TestBrowserAdminOverviewPages(t *testing.T) {
	w := setupReview(t)
	br := browsertest.New(t)
	w.browserSignIn(br, "admin@firm.example")
	require.Equal(t, w.ts.URL+"/", br.Location())

	require.Equal(t, http.StatusOK, br.Go(w.ts.URL+"/"))
	require.Contains(t, br.Text("main"), "4\nmessages awaiting review")
	br.Screenshot("home")

	require.Equal(t, http.StatusOK, br.Go(w.ts.URL+"/users"))
	main := br.Text("main")
	for _, email := range []string{"admin@firm.example", "bob@firm.example", "walt@firm.example"} {
		require.Contains(t, main, email)
	}
	br.Screenshot("users")

	require.Equal(t, http.StatusOK, br.Follow(`nav a[href="`+accountPasswordPath+`"]`))
	require.Contains(t, br.Text("h1"), "Your password")
	br.Screenshot("account")

	br.WaitIdle()
	require.Empty(t, br.Dialogs())
	require.Empty(t, br.Problems())
}
