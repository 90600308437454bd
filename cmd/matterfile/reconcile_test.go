package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/ingest/mbox"
	"github.com/matterfile/matterfile/internal/testenv"
	"github.com/matterfile/matterfile/storage"
)

// reconcileRedisDB is this file's Redis database; no other test uses it.
const reconcileRedisDB = 6

// TestReconcileAfterRedisFlushMinIO: a worker files a large import; Redis
// is flushed in the middle of the run; 'reconcile --wait' then ends with
// every message filed exactly once, while the worker goes on beside it.
func TestReconcileAfterRedisFlushMinIO(t *testing.T) {
	s3 := testenv.S3(t)
	redisURL := freshRedisDB(t, reconcileRedisDB)
	env := map[string]string{
		"MATTERFILE_DATA_DIR":      t.TempDir(),
		"MATTERFILE_REDIS_URL":     redisURL,
		"MATTERFILE_S3_ENDPOINT":   s3.Endpoint,
		"MATTERFILE_S3_ACCESS_KEY": s3.AccessKey,
		"MATTERFILE_S3_SECRET_KEY": s3.SecretKey,
		"MATTERFILE_S3_BUCKET":     s3.Bucket,
		"MATTERFILE_S3_TLS":        "false",
		"MATTERFILE_CONCURRENCY":   "2",
	}
	testenv.AlsoRemove(t, s3, s3.Bucket+"-keys")
	const tenant = "recon-firm"
	mustRun(t, env, "tenants", "create", tenant)
	mustRun(t, env, "matters", "import", "--tenant", tenant, filepath.Join(repoRoot, "testdata/matters.csv"))

	const total = 300
	var b bytes.Buffer
	for i := range total {
		label := "Matters/2024-0117 Acme v. Beta"
		if i%3 == 0 {
			label = "File to matter"
		}
		msg := fmt.Sprintf("X-Gmail-Labels: Inbox,%s\r\nFrom: Ann <ann@acme.example>\r\nTo: bob@harperlegal.example\r\n"+
			"Subject: status report %d\r\nMessage-ID: <recon-%d@acme.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBody of report %d.\r\n", label, i, i, i)
		require.NoError(t, mbox.WriteMessage(&b, []byte(msg)))
	}
	path := filepath.Join(t.TempDir(), "bob.mbox")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o600))
	out := mustRun(t, env, "import", "--tenant", tenant, "--mbox", path, "--mailbox", "bob@harperlegal.example")
	require.Contains(t, out, fmt.Sprintf("%d queued for the workers", total))

	bs, err := storage.NewS3(context.Background(), s3)
	require.NoError(t, err)
	count := func(prefix string, re *regexp.Regexp) (int, map[string]int) {
		n, per := 0, map[string]int{}
		require.NoError(t, bs.List(context.Background(), prefix, func(i storage.Info) error {
			if re == nil {
				n++
			} else if m := re.FindStringSubmatch(i.Key); m != nil {
				n++
				per[m[1]]++
			}
			return nil
		}))
		return n, per
	}
	indexPrefix := "tenants/" + tenant + "/index/"
	inboxPrefix := "tenants/" + tenant + "/inbox/"

	// A worker starts filing; Redis loses everything in the middle.
	wctx, stopWorker := context.WithCancel(context.Background())
	workerDone := make(chan error, 1)
	go func() {
		_, err := runCtx(wctx, t, env, "worker")
		workerDone <- err
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			stopWorker()
			require.NoError(t, <-workerDone)
		}
	}
	t.Cleanup(stop)
	require.Eventually(t, func() bool { n, _ := count(indexPrefix, nil); return n >= 20 }, 60*time.Second, 5*time.Millisecond)
	c := redis.NewClient(&redis.Options{Addr: testenv.RedisAddr(t), DB: reconcileRedisDB})
	defer c.Close()
	require.NoError(t, c.FlushDB(context.Background()).Err())
	filed, _ := count(indexPrefix, nil)
	staged, _ := count(inboxPrefix, nil)
	require.Less(t, filed, total, "the flush came in the middle of the run")
	require.Positive(t, staged)
	t.Logf("flushed Redis with %d filed and %d staged", filed, staged)

	out = mustRun(t, env, "reconcile", "--tenant", tenant, "--wait")
	require.Regexp(t, `tenant recon-firm: requeued \d+ staged`, out)
	require.Contains(t, out, "nothing left to file; 0 messages failed")
	stop()

	// Exactly once: one index entry, one manifest and one raw copy per
	// message, nothing left staged.
	indexed, _ := count(indexPrefix, nil)
	require.Equal(t, total, indexed)
	manifests, perMsg := count("tenants/"+tenant+"/", regexp.MustCompile(`/messages/([^/]+)/manifest-[0-9]+$`))
	require.Equal(t, total, manifests)
	require.Len(t, perMsg, total)
	raws, _ := count("tenants/"+tenant+"/", regexp.MustCompile(`/messages/([^/]+)/raw$`))
	require.Equal(t, total, raws)
	left, _ := count(inboxPrefix, nil)
	require.Zero(t, left)
	msgs := listAll(t, env, tenant)
	require.Len(t, msgs, total)
	ids := map[string]bool{}
	for _, m := range msgs {
		require.NotEqual(t, "failed", m.State)
		require.False(t, ids[m.ID], "message %s listed twice", m.ID)
		ids[m.ID] = true
	}

	// Nothing to do now: a second reconcile queues nothing.
	out = mustRun(t, env, "reconcile", "--tenant", tenant)
	require.Contains(t, out, "requeued 0 staged, 0 pending Gmail, 0 new from Gmail")
	require.False(t, strings.Contains(out, "nothing left"), "without --wait it only queues")
}
