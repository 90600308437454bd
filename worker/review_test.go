package worker_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/worker"
)

// mail is a message with its own Message-ID and, for a reply, In-Reply-To.
func mail(labels, id, inReplyTo, subject, body string) []byte {
	h := "X-Gmail-Labels: " + labels + "\r\nFrom: Ann <ann@acme.example>\r\nTo: bob@firm.example\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + id + ">\r\n"
	if inReplyTo != "" {
		h += "In-Reply-To: <" + inReplyTo + ">\r\nReferences: <" + inReplyTo + ">\r\n"
	}
	return []byte(h + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
}

// fileAll imports msgs from bob's mailbox, files each, and returns the
// index entries by subject.
func (b *testBundle) fileAll(t *testing.T, all bool, msgs ...[]byte) map[string]catalog.IndexEntry {
	t.Helper()
	res, err := b.im.ImportMbox(b.ctx, "firm-a", export(t, msgs...), worker.ImportOptions{Mailbox: "bob@firm.example", All: all})
	require.NoError(t, err)
	require.Len(t, res.Tasks, len(msgs))
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	out := map[string]catalog.IndexEntry{}
	for _, ref := range res.Tasks {
		parts := strings.Split(ref.ID, ":")
		e, err := b.h.FileMessage(b.ctx, worker.FileMessagePayload{Tenant: "firm-a", Mailbox: parts[3], Message: parts[4], Source: worker.SourceMbox})
		require.NoError(t, err)
		m, err := tn.Manifest(b.ctx, e)
		require.NoError(t, err)
		out[m.Message.Subject] = e
	}
	return out
}

func rules(rs []classify.Reason) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Rule)
	}
	return out
}

func rawOf(t *testing.T, tn *catalog.Tenant, e catalog.IndexEntry) []byte {
	t.Helper()
	rc, err := tn.OpenPart(t.Context(), e, catalog.PartRaw)
	require.NoError(t, err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	return data
}

func queued(t *testing.T, tn *catalog.Tenant, all bool) map[string]catalog.ReviewItem {
	t.Helper()
	items, err := tn.ReviewQueue(t.Context(), all)
	require.NoError(t, err)
	out := map[string]catalog.ReviewItem{}
	for _, it := range items {
		out[it.Entry.Message] = it
	}
	return out
}

// TestReviewQueue: a reviewer's assignment files a message in review,
// keeps the classifier's reasons, and teaches the conversation, so a later
// reply is filed without review; a dismissal takes a message out of the
// queue and keeps it; closed targets need an explicit allowance and walls
// are never crossed; messages not matter-related are listed on request.
func TestReviewQueue(t *testing.T) {
	b := setup(t)
	ctx := b.ctx
	tn, err := b.cat.Open(ctx, "firm-a")
	require.NoError(t, err)
	rc, err := tn.ImportTargets(ctx, []classify.Target{
		{ID: "m-2", Number: "2024-0002", Kind: "matter", Client: "beta", Status: "closed"},
		{ID: "m-3", Number: "2024-0003", Kind: "matter", Client: "gamma", Walled: []string{"Bob@Firm.example"}},
	}, "cli:admin")
	require.NoError(t, err)
	require.Equal(t, catalog.RegistryChange{Added: 2}, rc)

	got := b.fileAll(t, false,
		mail("File to matter", "q1@acme.example", "", "a question about the lease", "nothing identifies a matter here"),
		mail("File to matter", "q2@acme.example", "", "lunch on friday", "nor here"),
		mail("File to matter", "w1@acme.example", "", "settlement 2024-0003", "a matter bob is walled off from"),
	)
	q1, q2, w1 := got["a question about the lease"], got["lunch on friday"], got["settlement 2024-0003"]
	for _, e := range []catalog.IndexEntry{q1, q2, w1} {
		require.Equal(t, catalog.StateReview, e.State)
	}

	// The wall: the message went to review with an alert naming the
	// walled matter, recorded as an event.
	queue := queued(t, tn, false)
	require.Len(t, queue, 3)
	wd := queue[w1.Message].Manifest.Decision
	require.Equal(t, classify.AlertEthicalWall, wd.Alert)
	require.Contains(t, rules(wd.Reasons), classify.RuleWalled)
	require.Equal(t, "m-3", wd.Candidates[0].Target)
	require.NotEmpty(t, wd.Candidates[0].Reasons)
	ev, err := tn.Event(ctx, "alert-ethical-wall-"+w1.Message+"-1")
	require.NoError(t, err)
	require.Equal(t, "alert.ethical-wall", ev.Type)
	require.Equal(t, "m-3", ev.Target)
	require.Contains(t, rules(queue[q1.Message].Manifest.Decision.Reasons), classify.RuleNoMatch)

	// Refusals change nothing.
	_, err = b.h.Assign(ctx, "firm-a", q1.Message, "m-9", "cli:reviewer", false)
	require.ErrorIs(t, err, catalog.ErrNoTarget)
	_, err = b.h.Assign(ctx, "firm-a", q1.Message, "m-2", "cli:reviewer", false)
	require.ErrorIs(t, err, worker.ErrTargetClosed)
	_, err = b.h.Assign(ctx, "firm-a", w1.Message, "m-3", "cli:reviewer", true)
	require.ErrorIs(t, err, worker.ErrWalled)
	_, err = b.h.Assign(ctx, "firm-a", q1.Message, "m-1", "someone", false)
	require.ErrorContains(t, err, "actor")
	require.Len(t, queued(t, tn, false), 3)

	// The assignment.
	e, err := b.h.Assign(ctx, "firm-a", q1.Message, "m-1", "cli:reviewer", false)
	require.NoError(t, err)
	require.Equal(t, catalog.IndexEntry{Message: q1.Message, State: catalog.StateFiled, Client: "acme", Matter: "m-1", Generation: 2, Filed: e.Filed}, e)
	m, err := tn.Manifest(ctx, e)
	require.NoError(t, err)
	require.Equal(t, classify.OutcomeFile, m.Decision.Outcome)
	require.Equal(t, worker.RuleAssigned, m.Decision.Reasons[0].Rule)
	require.Contains(t, m.Decision.Reasons[0].Text, "cli:reviewer")
	require.Contains(t, rules(m.Decision.Reasons), classify.RuleNoMatch, "the classifier's reasons stay")
	require.Equal(t, &q1, m.Previous)
	require.Equal(t, rawOf(t, tn, q1), rawOf(t, tn, e), "the review copy stays, byte for byte")
	pending, err := tn.Pending(ctx)
	require.NoError(t, err)
	require.Empty(t, pending, "the staged copy is gone")
	_, err = tn.Event(ctx, "assigned-"+q1.Message+"-2")
	require.NoError(t, err)
	_, err = b.h.Assign(ctx, "firm-a", q1.Message, "m-1", "cli:reviewer", false)
	require.ErrorIs(t, err, catalog.ErrNotInReview)

	// A reply, with nothing but the conversation to go by, follows.
	reply := b.fileAll(t, false, mail("File to matter", "r1@firm.example", "q1@acme.example", "Re: a question about the lease", "see below"))
	re := reply["Re: a question about the lease"]
	require.Equal(t, catalog.StateFiled, re.State)
	require.Equal(t, "m-1", re.Matter)
	rm, err := tn.Manifest(ctx, re)
	require.NoError(t, err)
	require.Contains(t, rules(rm.Decision.Reasons), classify.RuleReply)

	// A dismissal: out of the queue, still readable, listed with all.
	before := rawOf(t, tn, q2)
	_, err = b.h.Dismiss(ctx, "firm-a", q2.Message, "a lunch invitation", "cli:reviewer")
	require.NoError(t, err)
	queue = queued(t, tn, false)
	require.NotContains(t, queue, q2.Message)
	require.NotContains(t, queue, q1.Message)
	require.Contains(t, queue, w1.Message)
	all := queued(t, tn, true)
	require.Equal(t, "a lunch invitation", all[q2.Message].Dismissal.Reason)
	require.Equal(t, before, rawOf(t, tn, q2))
	_, err = b.h.Dismiss(ctx, "firm-a", q1.Message, "", "cli:reviewer")
	require.ErrorIs(t, err, catalog.ErrNotInReview)

	// A closed target, allowed explicitly; the wall was only m-3's.
	e, err = b.h.Assign(ctx, "firm-a", w1.Message, "m-2", "cli:reviewer", true)
	require.NoError(t, err)
	require.Equal(t, "m-2", e.Matter)

	// Not matter-related: only on request.
	none := b.fileAll(t, true, mail("Inbox", "n1@shop.example", "", "your order has shipped", "tracking"))["your order has shipped"]
	require.Equal(t, catalog.StateReview, none.State)
	require.NotContains(t, queued(t, tn, false), none.Message)
	require.True(t, queued(t, tn, true)[none.Message].NotMatterRelated())

	// Who decided what, by IDs only.
	type rec struct{ actor, outcome, target string }
	var reviews []rec
	require.NoError(t, tn.Audit().List(ctx, audit.Filter{}, func(r audit.Record) error {
		if r.Action == audit.ActionMessageReview {
			reviews = append(reviews, rec{r.Actor, string(r.Outcome), r.Objects["matter"]})
			require.NotContains(t, r.Detail, "lunch")
		}
		return nil
	}))
	require.Equal(t, []rec{
		{"cli:reviewer", "refused", "m-2"},
		{"cli:reviewer", "refused", "m-3"},
		{"cli:reviewer", "ok", "m-1"},
		{"cli:reviewer", "ok", ""},
		{"cli:reviewer", "ok", "m-2"},
	}, reviews)
}

// A crash between re-staging and the refiling's commit leaves a staged
// copy under the message's ID; the requeue at a worker's start sees the
// message filed and drops it.
func TestReviewLeftoverStagedCopyIsDropped(t *testing.T) {
	b := setup(t)
	q := b.fileAll(t, false, mail("File to matter", "x1@acme.example", "", "unsure", "body"))["unsure"]
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	m, err := tn.Manifest(b.ctx, q)
	require.NoError(t, err)
	require.NoError(t, tn.Stage(b.ctx, m.Custodians[0].Mailbox, q.Message, bytes.NewReader(rawOf(t, tn, q))))
	e, err := b.h.FileMessage(b.ctx, worker.FileMessagePayload{Tenant: "firm-a", Mailbox: m.Custodians[0].Mailbox, Message: q.Message, Source: worker.SourceMbox})
	require.NoError(t, err)
	require.Equal(t, q, e)
	pending, err := tn.Pending(b.ctx)
	require.NoError(t, err)
	require.Empty(t, pending)
	_, err = tn.Lookup(b.ctx, q.Message)
	require.NoError(t, err)
	_, err = tn.Dismissal(b.ctx, q.Message)
	require.ErrorIs(t, err, storage.ErrNotFound)
}
