package worker_test

import (
	"testing"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
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
