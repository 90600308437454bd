package worker_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/catalog/catalogtest"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/internal/testenv"
	"github.com/matterfile/matterfile/worker"
)

// fairnessRedisDB is this test's Redis database: no other test uses it.
const fairnessRedisDB = 15

// inFlight counts the tasks of each tenant that run at once, and the most
// that ever did.
type inFlight struct {
	mu        sync.Mutex
	now, peak map[string]int
}

func (f *inFlight) wrap(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		var p struct{ Tenant string }
		_ = json.Unmarshal(t.Payload(), &p)
		tenant := p.Tenant
		f.mu.Lock()
		f.now[tenant]++
		f.peak[tenant] = max(f.peak[tenant], f.now[tenant])
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			f.now[tenant]--
			f.mu.Unlock()
		}()
		return next.ProcessTask(ctx, t)
	})
}

func (f *inFlight) peakOf(tenant string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.peak[tenant]
}

// One firm's large backfill does not hold up another firm's new mail: with
// four slots and a bound of two per tenant, firm-b's ten live messages are
// all filed while most of firm-a's backfill still waits, and firm-a never
// runs more than two tasks at once.
func TestBackfillDoesNotDelayAnotherTenantsLiveMail(t *testing.T) {
	ctx := context.Background()
	addr := testenv.RedisAddr(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr, DB: fairnessRedisDB})
	t.Cleanup(func() { rdb.Close() })
	require.NoError(t, rdb.FlushDB(ctx).Err())
	q, err := worker.OpenQueue(fmt.Sprintf("redis://%s/%d", addr, fairnessRedisDB))
	require.NoError(t, err)
	t.Cleanup(func() { q.Close() })

	cat, _ := catalogtest.New(t)
	for _, id := range []string{"firm-a", "firm-b"} {
		require.NoError(t, cat.CreateTenant(ctx, id))
		tn, err := cat.Open(ctx, id)
		require.NoError(t, err)
		reg := &classify.Registry{}
		_, _, err = reg.Merge([]classify.Target{{ID: "m-1", Number: "2024-0001", Kind: "matter", Client: "acme", Labels: []string{"Matters/2024-0001 Acme"}}})
		require.NoError(t, err)
		require.NoError(t, tn.SaveMatters(ctx, reg))
	}
	h, err := worker.NewHandlers(worker.HandlersConfig{Catalog: cat, Enqueuer: q.Client, Policy: classify.DefaultPolicy()})
	require.NoError(t, err)
	im, err := worker.NewImporter(cat, q, classify.DefaultPolicy())
	require.NoError(t, err)

	// firm-a's backfill: a few hundred small messages.
	const backfill = 240
	var msgs [][]byte
	for i := range backfill {
		msgs = append(msgs, message("Matters/2024-0001 Acme", fmt.Sprintf("backfill-%03d", i), "old mail"))
	}
	resA, err := im.ImportMbox(ctx, "firm-a", export(t, msgs...), worker.ImportOptions{Mailbox: "ann@firm-a.example"})
	require.NoError(t, err)
	require.Len(t, resA.Tasks, backfill)
	require.Equal(t, worker.QueueBackfill, resA.Tasks[0].Queue)

	lrdb := q.RedisClient()
	t.Cleanup(func() { lrdb.Close() })
	lim, err := worker.NewTenantLimiter(lrdb, 2, nil)
	require.NoError(t, err)
	counts := &inFlight{now: map[string]int{}, peak: map[string]int{}}
	srv := q.NewServer(h, worker.ServerConfig{Concurrency: 4})
	require.NoError(t, srv.Start(lim.Handler(counts.wrap(h.Mux()))))
	t.Cleanup(srv.Shutdown)

	backfillInfo := func() *asynq.QueueInfo {
		qi, err := q.Inspector.GetQueueInfo(worker.QueueBackfill)
		require.NoError(t, err)
		return qi
	}
	// The backfill is under way when firm-b's new mail comes in.
	require.Eventually(t, func() bool { return backfillInfo().Completed > 0 }, time.Minute, 10*time.Millisecond)

	msgs = nil
	for i := range 10 {
		msgs = append(msgs, message("Matters/2024-0001 Acme", fmt.Sprintf("live-%02d", i), "new mail"))
	}
	resB, err := im.ImportMbox(ctx, "firm-b", export(t, msgs...), worker.ImportOptions{Mailbox: "bob@firm-b.example", Queue: worker.QueueLive})
	require.NoError(t, err)
	require.Len(t, resB.Tasks, 10)
	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	wr, err := worker.Wait(wctx, q.Inspector, resB.Tasks, 10*time.Millisecond, nil)
	require.NoError(t, err)
	require.Equal(t, 10, wr.Completed)

	qi := backfillInfo()
	done := qi.Completed + qi.Archived
	t.Logf("firm-b's 10 messages filed; firm-a's backfill: %d of %d done", done, backfill)
	require.Greater(t, backfill-done, backfill/2, "firm-b's mail waited for firm-a's backfill")

	tnB, err := cat.Open(ctx, "firm-b")
	require.NoError(t, err)
	filed, err := tnB.Messages(ctx)
	require.NoError(t, err)
	require.Len(t, filed, 10)

	srv.Shutdown()
	require.Equal(t, 2, counts.peakOf("firm-a"), "firm-a ran up to its bound, and never above it")
	require.LessOrEqual(t, counts.peakOf("firm-b"), 2)
}
