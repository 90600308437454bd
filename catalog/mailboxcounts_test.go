package catalog

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/storage"
)

// TestCountByMailboxAcrossProcesses: the counts the admin process gives
// follow at once what a worker process (another Catalog over the same
// store) filed, refiled and failed, while each manifest's custodians are
// decrypted once and kept as mailbox IDs only.
func TestCountByMailboxAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	worker, admin := twoCatalogs(t)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	counts, err := admin.CountByMailbox(ctx)
	require.NoError(t, err)
	require.Empty(t, counts)

	a := fileToReview(t, worker, "a", "mb-1", t0)
	fileToReview(t, worker, "b", "mb-1", t0.Add(time.Minute))
	fileToReview(t, worker, "c", "mb-2", t0.Add(2*time.Minute))
	counts, err = admin.CountByMailbox(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]MailboxCounts{"mb-1": {Review: 2}, "mb-2": {Review: 1}}, counts)
	// The review queue's summaries and the counts share what they read.
	_, err = admin.ReviewSummaries(ctx, false)
	require.NoError(t, err)
	counts, err = admin.CountByMailbox(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]MailboxCounts{"mb-1": {Review: 2}, "mb-2": {Review: 1}}, counts)

	// Refiled elsewhere to a matter, with a second custodian: counted as
	// filed for both at once, no longer in review.
	f, err := worker.NewRefiling(ctx, storage.MessagePlace{Client: "c-1", Matter: "m-1", Message: a.Message}, a)
	require.NoError(t, err)
	_, err = f.Commit(&Manifest{Decision: classify.Decision{Outcome: classify.OutcomeFile, Target: "m-1"},
		Custodians: []Custodian{{Mailbox: "mb-1"}, {Mailbox: "mb-3"}}, Source: "test", Filed: t0.Add(time.Hour)})
	require.NoError(t, err)
	require.NoError(t, worker.RecordFailure(ctx, Failure{Message: "x-1", Mailbox: "mb-2", Reason: "unreadable", Time: t0}))
	counts, err = admin.CountByMailbox(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]MailboxCounts{
		"mb-1": {Filed: 1, Review: 1},
		"mb-2": {Review: 1, Failed: 1},
		"mb-3": {Filed: 1},
	}, counts)

	// What is kept: the mailbox IDs of the manifests of the current index,
	// one per message (the review generation of a is dropped).
	entries, err := admin.Messages(ctx)
	require.NoError(t, err)
	want := map[string][]string{}
	for _, e := range entries {
		key, err := e.place(admin.ID).ManifestKey(e.Generation)
		require.NoError(t, err)
		switch e.Message {
		case a.Message:
			want[key] = []string{"mb-1", "mb-3"}
		default:
			m, err := admin.Manifest(ctx, e)
			require.NoError(t, err)
			want[key] = []string{m.Custodians[0].Mailbox}
		}
	}
	admin.lists.mu.Lock()
	got := admin.lists.custodians
	admin.lists.mu.Unlock()
	require.Equal(t, want, got)
}
