package worker_test

import (
	"bytes"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/worker"
)

// TestReplyBeforeItsConversation: workers file concurrently, so a reply can
// be decided before the message it answers. It goes to review, waits for
// the conversation, and is filed by a recheck once the conversation is.
// A message about a matter not yet imported is filed by `review recheck`
// once it is.
func TestReplyBeforeItsConversation(t *testing.T) {
	b := setup(t)
	ctx := b.ctx
	tn, err := b.cat.Open(ctx, "firm-a")
	require.NoError(t, err)

	got := b.fileAll(t, false,
		mail("File to matter", "reply@acme.example", "start@acme.example", "Re: the draft", "agreed, go ahead"),
		mail("Matters/2024-0001 Acme", "start@acme.example", "", "the draft", "please see the draft"),
		mail("File to matter", "new@acme.example", "", "2024-0009 first instructions", "a matter the firm has not imported yet"),
	)
	reply, start, fresh := got["Re: the draft"], got["the draft"], got["2024-0009 first instructions"]
	require.Equal(t, catalog.StateReview, reply.State, "decided before its conversation was filed")
	require.Equal(t, catalog.StateFiled, start.State)
	require.Equal(t, catalog.StateReview, fresh.State)

	// Filing the conversation queued a recheck of the reply.
	id := "recheck-firm-a-" + reply.Message + "-" + start.Message + "-1"
	info, err := b.q.Inspector.GetTaskInfo(worker.QueueDefault, id)
	require.NoError(t, err, "a recheck of the waiting reply is queued")
	require.NoError(t, b.h.HandleRecheckTask(ctx, asynq.NewTask(info.Type, info.Payload)))
	e, err := tn.Lookup(ctx, reply.Message)
	require.NoError(t, err)
	require.Equal(t, catalog.StateFiled, e.State)
	require.Equal(t, "m-1", e.Matter)
	require.Equal(t, 2, e.Generation, "the review copy stays as the first generation")
	m, err := tn.Manifest(ctx, e)
	require.NoError(t, err)
	require.Contains(t, rules(m.Decision.Reasons), worker.RuleRechecked)
	require.Contains(t, rules(m.Decision.Reasons), classify.RuleReply)
	require.Equal(t, rawOf(t, tn, reply), rawOf(t, tn, e), "the same bytes, refiled")
	// Running it again changes nothing.
	require.NoError(t, b.h.HandleRecheckTask(ctx, asynq.NewTask(info.Type, info.Payload)))
	again, err := tn.Lookup(ctx, reply.Message)
	require.NoError(t, err)
	require.Equal(t, e, again)

	// A new matter arrives; rechecking the queue files what it settles
	// and leaves the rest.
	_, err = tn.ImportTargets(ctx, []classify.Target{{ID: "m-9", Number: "2024-0009", Kind: "matter", Client: "acme"}}, "cli:admin")
	require.NoError(t, err)
	n, err := b.h.RecheckAll(ctx, tn)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	e, err = tn.Lookup(ctx, fresh.Message)
	require.NoError(t, err)
	require.Equal(t, "m-9", e.Matter)
	require.Empty(t, queued(t, tn, false))
}

// A worker killed after a filing's commit point, before its thread record
// was written: the retry finds the message filed and writes what the crash
// cut off, so a later reply still follows its conversation.
func TestRetryAfterCommitRecordsTheThread(t *testing.T) {
	b := setup(t)
	ctx := b.ctx
	tn, err := b.cat.Open(ctx, "firm-a")
	require.NoError(t, err)
	start := mail("Matters/2024-0001 Acme", "start@acme.example", "", "the draft", "please see the draft")
	got := b.fileAll(t, false, start)
	e := got["the draft"]
	require.Equal(t, catalog.StateFiled, e.State)

	// The crash: the thread records are gone, the staged copy is back.
	var threads []string
	require.NoError(t, b.bs.List(ctx, "tenants/firm-a/threads/", func(i storage.Info) error { threads = append(threads, i.Key); return nil }))
	require.NotEmpty(t, threads)
	for _, k := range threads {
		require.NoError(t, b.bs.Delete(ctx, k))
	}
	mb, err := tn.MailboxByAddress(ctx, "bob@firm.example")
	require.NoError(t, err)
	require.NoError(t, tn.Stage(ctx, mb.ID, e.Message, bytes.NewReader(rawOf(t, tn, e))))
	again, err := b.h.FileMessage(ctx, worker.FileMessagePayload{Tenant: "firm-a", Mailbox: mb.ID, Message: e.Message, Source: worker.SourceMbox})
	require.NoError(t, err)
	require.Equal(t, e, again, "filed once")

	reply := b.fileAll(t, false, mail("File to matter", "reply@acme.example", "start@acme.example", "Re: the draft", "agreed"))["Re: the draft"]
	require.Equal(t, catalog.StateFiled, reply.State)
	require.Equal(t, "m-1", reply.Matter)
}
