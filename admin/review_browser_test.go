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

// browserSignIn signs email in through the sign-in page.
func (w *reviewWorld) browserSignIn(b *browsertest.Browser, email string) {
	w.t.Helper()
	require.Equal(w.t, http.StatusOK, b.Go(w.ts.URL+signinPath))
	b.Fill("#tenant", testTenant)
	b.Fill("#email", email)
	b.Fill("#password", testPassword)
	require.Equal(w.t, http.StatusOK, b.Submit("#password"))
}

// TestBrowserMessageAttackList opens a message whose HTML carries the
// attack list's payloads: nothing runs (no dialog) and nothing is fetched
// from anywhere but the app.
func TestBrowserMessageAttackList(t *testing.T) {
	w := setupReview(t)
	b := browsertest.New(t)
	w.browserSignIn(b, "bob@firm.example")
	appHost := strings.TrimPrefix(w.ts.URL, "http://")

	require.Equal(t, http.StatusOK, b.Go(w.ts.URL+"/messages/"+w.attack))
	b.WaitVisible("iframe.message-html")
	b.WaitIdle()
	require.Equal(t, attackSubject, b.Text("#hdr-subject"))
	require.Contains(t, b.Text("#hdr-cc"), "<script>", "shown as text")
	require.Empty(t, b.Dialogs(), "no payload ran")
	require.Empty(t, b.RequestsOutside(appHost), "nothing left the app's host")
	var framed bool
	for _, r := range b.Requests() {
		if strings.HasSuffix(r.URL, "/messages/"+w.attack+"/html") && r.Blocked == "" && r.Failed == "" {
			framed = true
		}
	}
	require.True(t, framed, "the sanitized body was loaded into the frame")
	b.Screenshot("message")
}

// TestBrowserReviewKeyboard files a review item with its keyboard
// shortcut, as a paralegal working through the queue would.
func TestBrowserReviewKeyboard(t *testing.T) {
	w := setupReview(t)
	b := browsertest.New(t)
	w.browserSignIn(b, "bob@firm.example")

	require.Equal(t, http.StatusOK, b.Go(w.ts.URL+"/review"))
	b.WaitVisible("#review-keys")
	require.Contains(t, b.Text("#review-keys"), "dismiss")
	b.Screenshot("review")
	// The queue is oldest first: corvid, heron, attack. j moves to
	// heron, k back to corvid; 1 files it to its first candidate.
	require.Contains(t, b.Text(".review-item.current"), "Corvid Parts")
	b.Press("j")
	require.Contains(t, b.Text(".review-item.current"), heronSubject)
	b.Press("k")
	require.Contains(t, b.Text(".review-item.current"), "Corvid Parts")
	b.Press("1")
	b.WaitVisible("p.notice")
	require.Equal(t, reviewNotices["assigned"], b.Text("p.notice"))
	u, err := url.Parse(b.Location())
	require.NoError(t, err)
	require.Equal(t, "/review", u.Path)

	e := w.entry(w.corvid)
	require.Equal(t, catalog.StateFiled, e.State)
	require.Equal(t, "m-1", e.Matter)
	require.NotContains(t, b.Text("main"), "Corvid Parts <b>bold</b>", "it left the queue")

	// d dismisses the current one, now heron.
	require.Equal(t, http.StatusOK, b.Go(w.ts.URL+"/review"))
	require.Contains(t, b.Text(".review-item.current"), heronSubject)
	b.Press("d")
	b.WaitVisible("p.notice")
	require.Equal(t, reviewNotices["dismissed"], b.Text("p.notice"))
	require.NotContains(t, b.Text("main"), heronSubject)
}
