package worker_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/catalog/catalogtest"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest/mbox"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
	"github.com/matterfile/matterfile/worker"
)

type testBundle struct {
	ctx context.Context
	bs  storage.BlobStore
	cat *catalog.Catalog
	q   *worker.Queue
	h   *worker.Handlers
	im  *worker.Importer
}

func setup(t testing.TB) *testBundle {
	t.Helper()
	ctx := context.Background()
	cat, bs := catalogtest.New(t)
	q, err := worker.OpenQueue(os.Getenv("MATTERFILE_BENCH_REDIS_URL"))
	require.NoError(t, err)
	t.Cleanup(func() { q.Close() })
	h, err := worker.NewHandlers(worker.HandlersConfig{Catalog: cat, Enqueuer: q.Client, Policy: classify.DefaultPolicy()})
	require.NoError(t, err)
	im, err := worker.NewImporter(cat, q, classify.DefaultPolicy())
	require.NoError(t, err)
	for _, id := range []string{"firm-a", "firm-b"} {
		require.NoError(t, cat.CreateTenant(ctx, id))
		tn, err := cat.Open(ctx, id)
		require.NoError(t, err)
		reg := &classify.Registry{}
		_, _, err = reg.Merge([]classify.Target{{ID: "m-1", Number: "2024-0001", Kind: "matter", Client: "acme", Labels: []string{"Matters/2024-0001 Acme"}}})
		require.NoError(t, err)
		require.NoError(t, tn.SaveMatters(ctx, reg))
	}
	return &testBundle{ctx: ctx, bs: bs, cat: cat, q: q, h: h, im: im}
}

func message(labels, subject, body string) []byte {
	return []byte("X-Gmail-Labels: " + labels + "\r\nFrom: Ann <ann@acme.example>\r\nTo: bob@firm.example\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + subject + "@acme.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
}

func export(t *testing.T, msgs ...[]byte) *bytes.Reader {
	t.Helper()
	var b bytes.Buffer
	for _, m := range msgs {
		require.NoError(t, mbox.WriteMessage(&b, m))
	}
	return bytes.NewReader(b.Bytes())
}

func count(t *testing.T, bs storage.BlobStore) int {
	n := 0
	require.NoError(t, bs.List(context.Background(), "", func(storage.Info) error { n++; return nil }))
	return n
}

// stageOnly imports without running a worker, and returns the payloads of
// the queued tasks.
func (b *testBundle) stageOnly(t *testing.T, tenant string, r *bytes.Reader) []worker.FileMessagePayload {
	t.Helper()
	res, err := b.im.ImportMbox(b.ctx, tenant, r, worker.ImportOptions{Mailbox: "bob@firm.example"})
	require.NoError(t, err)
	var out []worker.FileMessagePayload
	for _, ref := range res.Tasks {
		info, err := b.q.Inspector.GetTaskInfo(ref.Queue, ref.ID)
		require.NoError(t, err)
		parts := strings.Split(ref.ID, ":")
		require.Equal(t, info.Type, worker.TypeFileMessage)
		out = append(out, worker.FileMessagePayload{Tenant: tenant, Mailbox: parts[3], Message: parts[4], Source: worker.SourceMbox})
	}
	return out
}

func TestFileMessageIsIdempotent(t *testing.T) {
	b := setup(t)
	ps := b.stageOnly(t, "firm-a", export(t,
		message("Inbox,Matters/2024-0001 Acme", "hello", "first body line"),
		message("File to matter", "no number", "second body"),
		message("Inbox", "private", "not for filing"),
	))
	require.Len(t, ps, 2)
	e1, err := b.h.FileMessage(b.ctx, ps[0])
	require.NoError(t, err)
	e2, err := b.h.FileMessage(b.ctx, ps[1])
	require.NoError(t, err)
	require.ElementsMatch(t, []string{catalog.StateFiled, catalog.StateReview}, []string{e1.State, e2.State})
	n := count(t, b.bs)

	again, err := b.h.FileMessage(b.ctx, ps[0])
	require.NoError(t, err)
	require.Equal(t, e1, again)
	require.Equal(t, n, count(t, b.bs), "filing twice adds nothing")

	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	pending, err := tn.Pending(b.ctx)
	require.NoError(t, err)
	require.Empty(t, pending, "staged copies are removed once filed")
}

// TestPayloadAttacks: attack 35 and malformed payloads end without retry.
func TestPayloadAttacks(t *testing.T) {
	b := setup(t)
	ps := b.stageOnly(t, "firm-a", export(t, message("File to matter", "s", "b")))
	cross := ps[0]
	cross.Tenant = "firm-b" // firm-a's mailbox and message, claimed by firm-b

	for name, payload := range map[string]string{
		"not json":        `{`,
		"path in tenant":  `{"tenant":"../firm-a","mailbox":"mb-1","message":"abc","source":"mbox"}`,
		"upper case id":   `{"tenant":"firm-a","mailbox":"MB","message":"abc","source":"mbox"}`,
		"unknown source":  `{"tenant":"firm-a","mailbox":"mb-1","message":"abc","source":"ftp"}`,
		"unknown tenant":  `{"tenant":"firm-z","mailbox":"mb-1","message":"abc","source":"mbox"}`,
		"other's mailbox": `{"tenant":"firm-b","mailbox":"` + cross.Mailbox + `","message":"` + cross.Message + `","source":"mbox"}`,
	} {
		t.Run(name, func(t *testing.T) {
			err := b.h.HandleFileMessageTask(b.ctx, asynq.NewTask(worker.TypeFileMessage, []byte(payload)))
			require.ErrorIs(t, err, asynq.SkipRetry)
		})
	}
}

func TestTamperedStagedMessageIsNotFiled(t *testing.T) {
	b := setup(t)
	ps := b.stageOnly(t, "firm-a", export(t, message("File to matter", "s", strings.Repeat("body ", 1000))))
	key, err := storage.InboxKey("firm-a", ps[0].Mailbox, ps[0].Message)
	require.NoError(t, err)
	rc, err := b.bs.Get(b.ctx, key)
	require.NoError(t, err)
	var buf bytes.Buffer
	_, err = buf.ReadFrom(rc)
	rc.Close()
	require.NoError(t, err)
	data := buf.Bytes()
	data[len(data)/2] ^= 0x40
	require.NoError(t, b.bs.Put(b.ctx, key, bytes.NewReader(data), storage.PutOptions{}))

	_, err = b.h.FileMessage(b.ctx, ps[0])
	require.ErrorIs(t, err, asynq.SkipRetry)
	require.ErrorIs(t, err, sealed.ErrIntegrity)
	tn, _ := b.cat.Open(b.ctx, "firm-a")
	_, err = tn.Lookup(b.ctx, ps[0].Message)
	require.ErrorIs(t, err, storage.ErrNotFound)
}

// TestRedisLossOnlyDelays: a queue that lost its tasks gets them back from
// the store.
func TestRedisLossOnlyDelays(t *testing.T) {
	b := setup(t)
	b.stageOnly(t, "firm-a", export(t, message("File to matter", "one", "x"), message("File to matter", "two", "y")))
	other, err := worker.OpenQueue("") // a fresh, empty Redis
	require.NoError(t, err)
	defer other.Close()
	im, err := worker.NewImporter(b.cat, other, classify.DefaultPolicy())
	require.NoError(t, err)
	n, err := im.RequeuePending(b.ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)

	srv := other.NewServer(b.h, worker.ServerConfig{Concurrency: 2})
	require.NoError(t, srv.Start(b.h.Mux()))
	defer srv.Shutdown()
	tn, _ := b.cat.Open(b.ctx, "firm-a")
	require.Eventually(t, func() bool {
		msgs, err := tn.Messages(b.ctx)
		return err == nil && len(msgs) == 2
	}, 20*time.Second, 50*time.Millisecond)
}

func TestImportSkipsAlreadyFiled(t *testing.T) {
	b := setup(t)
	exp := export(t, message("File to matter", "one", "x"))
	ps := b.stageOnly(t, "firm-a", exp)
	_, err := b.h.FileMessage(b.ctx, ps[0])
	require.NoError(t, err)
	exp.Seek(0, 0)
	res, err := b.im.ImportMbox(b.ctx, "firm-a", exp, worker.ImportOptions{Mailbox: "bob@firm.example"})
	require.NoError(t, err)
	require.Equal(t, worker.ImportResult{Read: 1, AlreadyFiled: 1}, res)
}

func TestMessageIDIsKeyedPerTenant(t *testing.T) {
	b := setup(t)
	sum := sha256.Sum256([]byte("x"))
	ta, _ := b.cat.Open(b.ctx, "firm-a")
	tb, _ := b.cat.Open(b.ctx, "firm-b")
	a, err := ta.MessageID(sum)
	require.NoError(t, err)
	bID, err := tb.MessageID(sum)
	require.NoError(t, err)
	require.NotEqual(t, a, bID)
	require.False(t, errors.Is(err, storage.ErrNotFound))
}

// TestWaitCoversFollowUps: when Wait returns, every filed message's event is
// recorded, so a caller that counts objects or reads events right after an
// import with --wait sees the finished state.
func TestWaitCoversFollowUps(t *testing.T) {
	b := setup(t)
	res, err := b.im.ImportMbox(b.ctx, "firm-a", export(t,
		message("Matters/2024-0001 Acme", "one", "x"),
		message("File to matter", "two", "y"),
		message("File to matter", "three", "z"),
	), worker.ImportOptions{Mailbox: "bob@firm.example"})
	require.NoError(t, err)
	require.Len(t, res.Tasks, 3)
	srv := b.q.NewServer(b.h, worker.ServerConfig{Concurrency: 1})
	require.NoError(t, srv.Start(b.h.Mux()))
	defer srv.Shutdown()

	wr, err := worker.Wait(b.ctx, b.q.Inspector, res.Tasks, 10*time.Millisecond, nil)
	require.NoError(t, err)
	require.Equal(t, worker.WaitResult{Completed: 3}, wr)
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	for _, ref := range res.Tasks {
		_, err := tn.Event(b.ctx, "filed-"+ref.Message)
		require.NoError(t, err, "event of %s recorded before Wait returned", ref.Message)
	}
}
