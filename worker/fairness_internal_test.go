package worker

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/catalog/catalogtest"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest/mbox"
)

func miniLimiter(t *testing.T, max int) (*TenantLimiter, *miniredis.Miniredis) {
	t.Helper()
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	l, err := NewTenantLimiter(rdb, max, nil)
	require.NoError(t, err)
	return l, mr
}

// The semaphore's scripts on the embedded Redis-compatible server: a
// tenant's slots are counted apart from another's, a holder taking its slot
// again does not take a second, a release frees it, and a lease that is not
// renewed expires.
func TestTenantLimiterSlots(t *testing.T) {
	ctx := context.Background()
	l, _ := miniLimiter(t, 2)
	take := func(tenant, holder string) bool {
		ok, err := l.tryAcquire(ctx, tenant, holder)
		require.NoError(t, err)
		return ok
	}
	require.True(t, take("firm-a", "t1"))
	require.True(t, take("firm-a", "t2"))
	require.False(t, take("firm-a", "t3"), "firm-a is at its bound")
	require.True(t, take("firm-a", "t2"), "a holder takes its own slot again")
	require.True(t, take("firm-b", "t3"), "firm-b has slots of its own")
	n, err := l.InFlight(ctx, "firm-a")
	require.NoError(t, err)
	require.Equal(t, 2, n)

	l.release(ctx, "firm-a", "t1")
	require.True(t, take("firm-a", "t3"))

	_, err = NewTenantLimiter(l.rdb, 0, nil)
	require.Error(t, err)

	// A lease nobody renews (its worker was killed) lapses.
	short, _ := miniLimiter(t, 1)
	short.lease = 30 * time.Millisecond
	ok, err := short.tryAcquire(ctx, "firm-a", "dead")
	require.NoError(t, err)
	require.True(t, ok)
	require.Eventually(t, func() bool {
		ok, err := short.tryAcquire(ctx, "firm-a", "alive")
		return err == nil && ok
	}, 5*time.Second, 20*time.Millisecond)
}

func TestTenantBusyIsNoFailure(t *testing.T) {
	busy := &tenantBusyError{tenant: "firm-a"}
	wrapped := errors.Join(errors.New("other"), busy)
	require.False(t, isFailure(busy))
	require.False(t, isFailure(wrapped))
	require.True(t, isFailure(errors.New("store down")))
	for range 50 {
		d := retryDelay(7, busy, asynq.NewTask(TypeFileMessage, nil))
		require.GreaterOrEqual(t, d, time.Second)
		require.Less(t, d, 2*time.Second)
	}
}

// A task of a tenant at its bound goes back to the queue without using up
// a retry or leaving a failure record, and runs once a slot is free.
func TestBusyTenantTaskIsRequeuedNotFailed(t *testing.T) {
	ctx := context.Background()
	cat, _ := catalogtest.New(t)
	require.NoError(t, cat.CreateTenant(ctx, "firm-a"))
	tn, err := cat.Open(ctx, "firm-a")
	require.NoError(t, err)
	q, err := OpenQueue("") // the embedded server: the scripts must run there
	require.NoError(t, err)
	t.Cleanup(func() { q.Close() })
	h, err := NewHandlers(HandlersConfig{Catalog: cat, Enqueuer: q.Client, Policy: classify.DefaultPolicy()})
	require.NoError(t, err)
	im, err := NewImporter(cat, q, classify.DefaultPolicy())
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, mbox.WriteMessage(&b, []byte("X-Gmail-Labels: File to matter\r\nFrom: a@acme.example\r\n"+
		"Subject: busy\r\nMessage-ID: <busy@acme.example>\r\n\r\nbody\r\n")))
	res, err := im.ImportMbox(ctx, "firm-a", bytes.NewReader(b.Bytes()), ImportOptions{Mailbox: "bob@firm.example"})
	require.NoError(t, err)
	require.Len(t, res.Tasks, 1)
	ref := res.Tasks[0]

	rdb := q.RedisClient()
	t.Cleanup(func() { rdb.Close() })
	lim, err := NewTenantLimiter(rdb, 1, nil)
	require.NoError(t, err)
	lim.wait = 0
	// Another task of firm-a holds its one slot.
	ok, err := lim.tryAcquire(ctx, "firm-a", "other-task")
	require.NoError(t, err)
	require.True(t, ok)

	srv := q.NewServer(h, ServerConfig{Concurrency: 2})
	require.NoError(t, srv.Start(lim.Handler(h.Mux())))
	t.Cleanup(srv.Shutdown)

	// Put back at least once, without counting.
	require.Eventually(t, func() bool {
		info, err := q.Inspector.GetTaskInfo(ref.Queue, ref.ID)
		require.NoError(t, err)
		return info.LastErr != ""
	}, 30*time.Second, 20*time.Millisecond)
	info, err := q.Inspector.GetTaskInfo(ref.Queue, ref.ID)
	require.NoError(t, err)
	require.Contains(t, info.LastErr, "bound")
	require.Zero(t, info.Retried, "a busy tenant uses up no retry")
	require.NotEqual(t, asynq.TaskStateArchived, info.State)
	qi, err := q.Inspector.GetQueueInfo(ref.Queue)
	require.NoError(t, err)
	require.Zero(t, qi.Failed, "nor counts as failed")
	_, err = tn.Resolve(ctx, ref.Message)
	require.Error(t, err, "not filed while the tenant is at its bound")

	lim.release(ctx, "firm-a", "other-task")
	wr, err := Wait(ctx, q.Inspector, res.Tasks, 20*time.Millisecond, nil)
	require.NoError(t, err)
	require.Equal(t, 1, wr.Completed)
	info, err = q.Inspector.GetTaskInfo(ref.Queue, ref.ID)
	require.NoError(t, err)
	require.Zero(t, info.Retried)
	_, err = tn.Resolve(ctx, ref.Message)
	require.NoError(t, err, "filed once a slot was free")
	fails, err := tn.Failures(ctx)
	require.NoError(t, err)
	require.Empty(t, fails)
	n, err := lim.InFlight(ctx, "firm-a")
	require.NoError(t, err)
	require.Zero(t, n, "the slot is given back")
}
