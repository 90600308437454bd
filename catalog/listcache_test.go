package catalog

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/storage"
)

// fileToReview files a message into review through tn, with one custodian
// and the given candidates.
func fileToReview(t *testing.T, tn *Tenant, name, mailbox string, filed time.Time, candidates ...string) IndexEntry {
	t.Helper()
	ctx := context.Background()
	id, err := tn.MessageID(sha256.Sum256([]byte(name)))
	require.NoError(t, err)
	f, err := tn.NewFiling(ctx, storage.MessagePlace{Review: true, Message: id})
	require.NoError(t, err)
	dec := classify.Decision{Outcome: classify.OutcomeReview}
	for _, c := range candidates {
		dec.Candidates = append(dec.Candidates, classify.Candidate{Target: c, Confidence: .5})
	}
	e, err := f.Commit(&Manifest{Decision: dec, Custodians: []Custodian{{Mailbox: mailbox}}, Source: "test", Filed: filed})
	require.NoError(t, err)
	return e
}

func summaryIDs(sums []ReviewSummary) []string {
	var out []string
	for _, s := range sums {
		out = append(out, s.Entry.Message)
	}
	return out
}

// TestListCacheAcrossProcesses: the index, the review queue and the
// registry the admin process keeps are up to date at once with what a
// worker process (another Catalog over the same store) filed, dismissed,
// refiled and imported — no time to live to wait out.
func TestListCacheAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	worker, admin := twoCatalogs(t)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	_, err := worker.ImportTargets(ctx, []classify.Target{
		{ID: "m-1", Number: "2026-0001", Title: "Corvid", Kind: classify.KindMatter, Client: "c-1"},
	}, "cli:test")
	require.NoError(t, err)
	reg, err := admin.Matters(ctx)
	require.NoError(t, err)
	require.Len(t, reg.Targets, 1)
	// The caller's copy is its own: changing it changes no later read.
	reg.Targets[0].Title = "changed in memory"
	reg.Targets[0].Walled = append(reg.Targets[0].Walled, "someone@firm.example")
	reg, err = admin.Matters(ctx)
	require.NoError(t, err)
	require.Equal(t, "Corvid", reg.Targets[0].Title)
	require.Empty(t, reg.Targets[0].Walled)

	a := fileToReview(t, worker, "a", "mb-1", t0, "m-1")
	b := fileToReview(t, worker, "b", "mb-2", t0.Add(time.Minute))
	sums, err := admin.ReviewSummaries(ctx, false)
	require.NoError(t, err)
	require.Equal(t, []string{a.Message, b.Message}, summaryIDs(sums))
	require.Equal(t, []string{"mb-1"}, sums[0].Mailboxes)
	require.Equal(t, []string{"m-1"}, sums[0].Candidates)

	// A third message, filed by the worker, is seen by the next read.
	c := fileToReview(t, worker, "c", "mb-1", t0.Add(2*time.Minute))
	sums, err = admin.ReviewSummaries(ctx, false)
	require.NoError(t, err)
	require.Equal(t, []string{a.Message, b.Message, c.Message}, summaryIDs(sums))

	// A dismissal elsewhere takes b out of the queue (listed with all).
	_, err = worker.Dismiss(ctx, b.Message, "not ours", "cli:test")
	require.NoError(t, err)
	sums, err = admin.ReviewSummaries(ctx, false)
	require.NoError(t, err)
	require.Equal(t, []string{a.Message, c.Message}, summaryIDs(sums))
	sums, err = admin.ReviewSummaries(ctx, true)
	require.NoError(t, err)
	require.Equal(t, []string{a.Message, b.Message, c.Message}, summaryIDs(sums))
	require.True(t, sums[1].Dismissed)
	items, err := admin.ReviewQueue(ctx, true)
	require.NoError(t, err)
	require.Len(t, items, 3)
	require.NotNil(t, items[1].Dismissal)
	require.Equal(t, "not ours", items[1].Dismissal.Reason)

	// Refiled elsewhere (an assignment): the index entry is replaced, and
	// a leaves the queue here at once.
	f, err := worker.NewRefiling(ctx, storage.MessagePlace{Client: "c-1", Matter: "m-1", Message: a.Message}, a)
	require.NoError(t, err)
	_, err = f.Commit(&Manifest{Decision: classify.Decision{Outcome: classify.OutcomeFile, Target: "m-1"}, Custodians: []Custodian{{Mailbox: "mb-1"}}, Source: "test", Filed: t0.Add(time.Hour)})
	require.NoError(t, err)
	entries, err := admin.Messages(ctx)
	require.NoError(t, err)
	states := map[string]string{}
	for _, e := range entries {
		states[e.Message] = e.State
	}
	require.Equal(t, map[string]string{a.Message: StateFiled, b.Message: StateReview, c.Message: StateReview}, states)
	sums, err = admin.ReviewSummaries(ctx, false)
	require.NoError(t, err)
	require.Equal(t, []string{c.Message}, summaryIDs(sums))
	items, err = admin.ReviewQueue(ctx, false)
	require.NoError(t, err)
	require.Len(t, items, 1)
	require.Equal(t, c.Message, items[0].Manifest.ID)

	// A registry change elsewhere is seen at once, not the in-memory edit.
	require.NoError(t, worker.UpdateTarget(ctx, classify.Target{ID: "m-1", Number: "2026-0001", Title: "Corvid v. Raven", Kind: classify.KindMatter, Client: "c-1"}, "cli:test"))
	reg, err = admin.Matters(ctx)
	require.NoError(t, err)
	require.Equal(t, "Corvid v. Raven", reg.Targets[0].Title)
	require.Empty(t, reg.Targets[0].Walled)
	// And a change through this process by its next read.
	require.NoError(t, admin.SetTargetStatus(ctx, "m-1", classify.StatusClosed, "cli:test"))
	reg, err = admin.Matters(ctx)
	require.NoError(t, err)
	require.Equal(t, classify.StatusClosed, reg.Targets[0].Status)
}
