package admin

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestReviewQueuePages: a long queue is shown a page at a time, oldest
// first, with the count of what the viewer may review; the count and the
// pages hold to mailboxes and walls, and an item filed after the queue was
// first read shows up at once.
func TestReviewQueuePages(t *testing.T) {
	w := setupReview(t)
	ctx := context.Background()
	admin := w.signedIn("admin@firm.example")
	res := admin.get("/review")
	require.Equal(t, http.StatusOK, res.code)
	require.Contains(t, res.body, "4 messages awaiting review")
	require.NotContains(t, res.body, `rel="next"`)

	// 60 older messages in review, in a mailbox neither bob nor walt
	// sees (as the benchmark files them: manifest and index entry).
	filed := time.Now().Add(-24 * time.Hour)
	for i := range 60 {
		require.NoError(t, addReviewItem(ctx, w.tenant, i, filed.Add(time.Duration(i)*time.Second)))
	}
	res = admin.get("/review")
	require.Equal(t, http.StatusOK, res.code)
	require.Contains(t, res.body, "64 messages awaiting review")
	require.Contains(t, res.body, "Showing 1–50, page 1 of 2")
	require.Contains(t, res.body, `href="/review?page=2"`)
	require.Contains(t, res.body, escaped("Re: matter 2025-00000"), "oldest first")
	require.NotContains(t, res.body, escaped("Re: matter 2025-00050"))
	require.NotContains(t, res.body, escaped(corvidSubject), "the newest are on page 2")

	res = admin.get("/review?page=2")
	require.Equal(t, http.StatusOK, res.code)
	require.Contains(t, res.body, "Showing 51–64, page 2 of 2")
	require.Contains(t, res.body, escaped("Re: matter 2025-00050"))
	require.Contains(t, res.body, escaped(corvidSubject))
	require.Contains(t, res.body, escaped(carolSubject))
	require.Contains(t, res.body, `href="/review?page=1"`)
	require.NotContains(t, res.body, `rel="next"`)
	require.Contains(t, admin.get("/review?page=99").body, "page 2 of 2", "past the end: the last page")

	// Bob sees his own mailbox's three, on one page; walt is walled off
	// from the Heron matter.
	res = w.signedIn("bob@firm.example").get("/review")
	require.Contains(t, res.body, "3 messages awaiting review")
	require.NotContains(t, res.body, "page 1 of")
	require.NotContains(t, res.body, "2025-00000")
	res = w.signedIn("walt@firm.example").get("/review?page=2")
	require.Contains(t, res.body, "2 messages awaiting review")
	require.NotContains(t, res.body, w.heron)

	// The home page counts the same queue.
	res = admin.get("/")
	require.Equal(t, http.StatusOK, res.code)
	require.Contains(t, res.body, `<span class="figure">64</span> <span class="label">messages awaiting review`)
}
