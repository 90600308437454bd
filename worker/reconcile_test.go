package worker_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/catalog/catalogtest"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest/gmail/gmailfake"
	"github.com/matterfile/matterfile/internal/testenv"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/worker"
)

// reconcileRedisDB is the test Redis database of this file; no other test
// uses it.
const reconcileRedisDB = 9

var manifestKey = regexp.MustCompile(`/messages/([^/]+)/manifest-[0-9]+$`)

// filedOnce checks that tenant's store holds want messages, each with one
// index entry and one manifest.
func filedOnce(t *testing.T, ctx context.Context, bs storage.BlobStore, tn *catalog.Tenant, want int) {
	t.Helper()
	entries, err := tn.Messages(ctx)
	require.NoError(t, err)
	require.Len(t, entries, want)
	seen := map[string]bool{}
	for _, e := range entries {
		require.False(t, seen[e.Message], "message %s indexed twice", e.Message)
		seen[e.Message] = true
	}
	manifests := map[string]int{}
	require.NoError(t, bs.List(ctx, "tenants/"+tn.ID+"/", func(i storage.Info) error {
		if m := manifestKey.FindStringSubmatch(i.Key); m != nil {
			manifests[m[1]]++
		}
		return nil
	}))
	require.Len(t, manifests, want)
	for id, n := range manifests {
		require.Equal(t, 1, n, "message %s has %d manifests", id, n)
		require.True(t, seen[id], "manifest of %s is not indexed", id)
	}
}

func TestReconcileRequeuesStagedWorkLostWithRedis(t *testing.T) {
	ctx := context.Background()
	addr := testenv.RedisAddr(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr, DB: reconcileRedisDB})
	t.Cleanup(func() { rdb.Close() })
	require.NoError(t, rdb.FlushDB(ctx).Err())
	q, err := worker.OpenQueue(fmt.Sprintf("redis://%s/%d", addr, reconcileRedisDB))
	require.NoError(t, err)
	t.Cleanup(func() { q.Close() })

	cat, bs := catalogtest.New(t)
	require.NoError(t, cat.CreateTenant(ctx, "firm-a"))
	tn, err := cat.Open(ctx, "firm-a")
	require.NoError(t, err)
	reg := &classify.Registry{}
	_, _, err = reg.Merge([]classify.Target{{ID: "m-1", Number: "2024-0001", Kind: "matter", Client: "acme", Labels: []string{"Matters/2024-0001 Acme"}}})
	require.NoError(t, err)
	require.NoError(t, tn.SaveMatters(ctx, reg))
	h, err := worker.NewHandlers(worker.HandlersConfig{Catalog: cat, Enqueuer: q.Client, Policy: classify.DefaultPolicy()})
	require.NoError(t, err)
	im, err := worker.NewImporter(cat, q, classify.DefaultPolicy())
	require.NoError(t, err)

	const n = 40
	var msgs [][]byte
	for i := range n {
		labels := "Matters/2024-0001 Acme"
		if i%4 == 0 {
			labels = "File to matter"
		}
		msgs = append(msgs, message(labels, fmt.Sprintf("status-%d", i), fmt.Sprintf("body %d", i)))
	}
	res, err := im.ImportMbox(ctx, "firm-a", export(t, msgs...), worker.ImportOptions{Mailbox: "bob@firm.example"})
	require.NoError(t, err)
	require.Equal(t, n, res.Queued)

	// File part of it, then Redis loses everything: the file tasks of
	// the rest, and the record of the finished ones.
	srv := q.NewServer(h, worker.ServerConfig{Concurrency: 2})
	require.NoError(t, srv.Start(h.Mux()))
	require.Eventually(t, func() bool {
		left, err := worker.Outstanding(ctx, tn)
		require.NoError(t, err)
		return left < n-5
	}, 30*time.Second, 5*time.Millisecond)
	require.NoError(t, rdb.FlushDB(ctx).Err())
	srv.Shutdown()
	left, err := worker.Outstanding(ctx, tn)
	require.NoError(t, err)
	require.Positive(t, left, "the flush came in the middle of the run")
	_, err = q.Inspector.GetTaskInfo(res.Tasks[n-1].Queue, res.Tasks[n-1].ID)
	require.Error(t, err, "the task went with Redis")

	rep, err := h.Reconcile(ctx, "firm-a")
	require.NoError(t, err)
	require.Equal(t, left, rep.RequeuedStaged)
	require.Zero(t, rep.RequeuedPending+rep.NewFromGmail+rep.Mailboxes)
	again, err := h.Reconcile(ctx, "firm-a")
	require.NoError(t, err)
	require.Zero(t, again.RequeuedStaged, "queued work is not queued twice")

	srv = q.NewServer(h, worker.ServerConfig{Concurrency: 4})
	require.NoError(t, srv.Start(h.Mux()))
	t.Cleanup(srv.Shutdown)
	require.Eventually(t, func() bool {
		left, err := worker.Outstanding(ctx, tn)
		require.NoError(t, err)
		return left == 0
	}, 60*time.Second, 10*time.Millisecond)
	filedOnce(t, ctx, bs, tn, n)
	fs, err := tn.Failures(ctx)
	require.NoError(t, err)
	require.Empty(t, fs)

	// Flushed again once all is filed: nothing to do, nothing added.
	require.NoError(t, rdb.FlushDB(ctx).Err())
	rep, err = h.Reconcile(ctx, "firm-a")
	require.NoError(t, err)
	require.Equal(t, worker.ReconcileReport{}, rep)
	filedOnce(t, ctx, bs, tn, n)
}

func TestReconcileFindsLabelledGmailMessagesLostWithRedis(t *testing.T) {
	b := setupGmail(t, gmailfake.Options{FailRate: 0.05, EmptyPageRate: 0.2, Seed: 5})
	fm, mb := b.connect(t, "bob@firm.example", false)
	matter := fm.CreateLabel("Matters/2024-0001 Acme")
	generic := fm.CreateLabel("File to matter")
	for i := range 6 {
		fm.AddMessage(gmailMessage(i, "status"), "INBOX", matter)
	}
	fm.AddMessage(gmailMessage(100, "private"), "INBOX")
	res := b.syncAndWait(t, mb)
	require.Equal(t, 6, res.Candidates)
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)

	// Labelled since; a sync found them, moved the cursor past them, and
	// its fetch tasks and pending records were lost. One more message
	// kept its pending record but lost its task.
	var lost []string
	for i := 10; i < 13; i++ {
		lost = append(lost, fm.AddMessage(gmailMessage(i, "late"), generic))
	}
	kept := fm.AddMessage(gmailMessage(20, "kept"), "INBOX", matter)
	st, err := tn.GmailState(b.ctx, mb.ID)
	require.NoError(t, err)
	st.Cursor = fm.HistoryID()
	require.NoError(t, tn.SaveGmailState(b.ctx, mb.ID, st))
	require.NoError(t, tn.RecordGmailPending(b.ctx, mb.ID, catalog.GmailPending{GmailID: kept, Why: "messageAdded", Seen: time.Now()}))
	rdb := b.q.RedisClient()
	t.Cleanup(func() { rdb.Close() })
	require.NoError(t, rdb.FlushAll(b.ctx).Err())
	res, err = b.h.SyncMailbox(b.ctx, worker.MailboxPayload{Tenant: "firm-a", Mailbox: mb.ID})
	require.NoError(t, err)
	require.Zero(t, res.Candidates, "a sync no longer sees them")

	rep, err := b.h.Reconcile(b.ctx, "firm-a")
	require.NoError(t, err)
	require.Equal(t, 1, rep.RequeuedPending)
	require.Equal(t, len(lost), rep.NewFromGmail)
	require.Equal(t, 1, rep.Mailboxes)
	// The requeued fetch may have filed its message before the listing.
	require.Contains(t, []int{6, 7}, rep.AlreadyFiled)
	require.Eventually(t, func() bool {
		idle, err := worker.MailboxIdle(b.ctx, b.q.Inspector, tn, mb.ID)
		require.NoError(t, err)
		return idle
	}, 60*time.Second, 20*time.Millisecond)
	filedOnce(t, b.ctx, b.bs, tn, 6+len(lost)+1)
	entries, err := tn.Messages(b.ctx)
	require.NoError(t, err)
	byGmail := map[string]bool{}
	for _, e := range entries {
		m, err := tn.Manifest(b.ctx, e)
		require.NoError(t, err)
		require.Len(t, m.Custodians, 1)
		byGmail[m.Custodians[0].GmailID] = true
	}
	for _, id := range append(lost, kept) {
		require.True(t, byGmail[id], "gmail message %s filed", id)
	}

	// Everything filed: a second reconcile finds nothing to do.
	rep, err = b.h.Reconcile(b.ctx, "firm-a")
	require.NoError(t, err)
	require.Equal(t, worker.ReconcileReport{AlreadyFiled: 6 + len(lost) + 1, Mailboxes: 1}, rep)
}

func TestReconcilerNoticesRedisDataLoss(t *testing.T) {
	b := setup(t)
	rdb := b.q.RedisClient()
	t.Cleanup(func() { rdb.Close() })
	r1, err := worker.NewReconciler(b.cat, b.q.Client, rdb, time.Hour, nil)
	require.NoError(t, err)
	r2, err := worker.NewReconciler(b.cat, b.q.Client, rdb, time.Hour, nil)
	require.NoError(t, err)

	e1, err := r1.MarkEpoch(b.ctx)
	require.NoError(t, err)
	require.NotEmpty(t, e1)
	e2, err := r2.MarkEpoch(b.ctx)
	require.NoError(t, err)
	require.Equal(t, e1, e2, "workers share the epoch")
	lost, err := r1.CheckEpoch(b.ctx)
	require.NoError(t, err)
	require.False(t, lost)

	// The schedule queues one reconcile per tenant and interval, however
	// many workers run it.
	n, err := r1.Schedule(b.ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	n, err = r2.Schedule(b.ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	// And one retention sweep per interval.
	sweeps, err := b.q.Inspector.ListPendingTasks(worker.QueueDefault)
	require.NoError(t, err)
	nSweeps := 0
	for _, ti := range sweeps {
		if ti.Type == worker.TypeRetentionSweep {
			nSweeps++
		}
	}
	require.Equal(t, 1, nSweeps)

	require.NoError(t, rdb.FlushAll(b.ctx).Err())
	lost, err = r1.CheckEpoch(b.ctx)
	require.NoError(t, err)
	require.True(t, lost)
	lost, err = r2.CheckEpoch(b.ctx)
	require.NoError(t, err)
	require.False(t, lost, "the first worker to notice wrote the epoch anew")
	epoch, err := rdb.Get(b.ctx, worker.EpochKey).Result()
	require.NoError(t, err)
	require.NotEqual(t, e1, epoch)
	for _, tenant := range []string{"firm-a", "firm-b"} {
		info, err := b.q.Inspector.GetTaskInfo(worker.QueueDefault, worker.ReconcileTaskID(tenant, "epoch-"+epoch))
		require.NoError(t, err)
		require.Equal(t, worker.TypeReconcile, info.Type)
		require.Equal(t, asynq.TaskStatePending, info.State)
	}
	// (The inspector's queue list went with the flush: count the tasks'
	// keys.)
	keys, err := rdb.Keys(b.ctx, "asynq:{"+worker.QueueDefault+"}:t:*").Result()
	require.NoError(t, err)
	require.Len(t, keys, 2, "one reconcile per tenant, not per worker")

	// Run notices on its own, within its check interval, and the queued
	// reconcile runs.
	srv := b.q.NewServer(b.h, worker.ServerConfig{Concurrency: 2})
	require.NoError(t, srv.Start(b.h.Mux()))
	t.Cleanup(srv.Shutdown)
	r1.CheckEvery = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(b.ctx)
	done := make(chan struct{})
	go func() { r1.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	// Run has marked the epoch once its first schedule is queued.
	bucket := time.Now().UTC().Truncate(time.Hour).Format("20060102t150405")
	require.Eventually(t, func() bool {
		_, err := b.q.Inspector.GetTaskInfo(worker.QueueDefault, worker.ReconcileTaskID("firm-b", bucket))
		return err == nil
	}, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, rdb.FlushAll(b.ctx).Err())
	require.Eventually(t, func() bool {
		epoch, err := rdb.Get(b.ctx, worker.EpochKey).Result()
		if err != nil {
			return false
		}
		info, err := b.q.Inspector.GetTaskInfo(worker.QueueDefault, worker.ReconcileTaskID("firm-a", "epoch-"+epoch))
		return err == nil && info.State == asynq.TaskStateCompleted
	}, 10*time.Second, 10*time.Millisecond)
}
