package audit_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

const tenant = "t1"

type testBundle struct {
	ctx     context.Context
	dataDir string
	keysDir string
	bs      storage.BlobStore
	kr      sealed.Keyring
	s       *sealed.Store
	log     *audit.Log
	cfg     audit.Config
}

func setup(t *testing.T, cfg audit.Config) *testBundle {
	t.Helper()
	ctx := context.Background()
	b := &testBundle{ctx: ctx, dataDir: t.TempDir(), keysDir: t.TempDir(), cfg: cfg}
	ks, err := storage.NewLocal(b.keysDir)
	require.NoError(t, err)
	bs, err := storage.NewLocal(b.dataDir)
	require.NoError(t, err)
	t.Cleanup(func() { ks.Close(); bs.Close() })
	root, err := sealed.OpenRootKey("file://"+filepath.Join(t.TempDir(), "root.key"), true)
	require.NoError(t, err)
	b.bs, b.kr = bs, sealed.Keyring{Store: ks, Root: root}
	require.NoError(t, sealed.CreateTenant(ctx, b.kr, tenant))
	b.s = b.open(t)
	b.log = b.newLog(t, b.s)
	return b
}

// open opens the tenant's sealed store afresh, as another process would.
func (b *testBundle) open(t *testing.T) *sealed.Store {
	t.Helper()
	s, err := sealed.Open(b.ctx, b.kr, b.bs, tenant)
	require.NoError(t, err)
	return s
}

func (b *testBundle) newLog(t *testing.T, s *sealed.Store) *audit.Log {
	t.Helper()
	l, err := audit.New(s, b.bs, b.cfg)
	require.NoError(t, err)
	return l
}

func filing(i int) audit.Record {
	return audit.Record{
		Actor:   "system:file-message",
		Action:  audit.ActionMessageFile,
		Objects: map[string]string{"tenant": tenant, "client": "acme", "matter": "m-1", "message": fmt.Sprintf("msg-%d", i)},
		Outcome: audit.OK,
		Detail:  "parts 3",
	}
}

func (b *testBundle) fill(t *testing.T, l *audit.Log, n int) {
	t.Helper()
	for i := range n {
		_, err := l.Record(b.ctx, filing(i))
		require.NoError(t, err)
	}
}

func (b *testBundle) records(t *testing.T) []audit.Record {
	t.Helper()
	var out []audit.Record
	require.NoError(t, b.log.List(b.ctx, audit.Filter{}, func(r audit.Record) error {
		out = append(out, r)
		return nil
	}))
	return out
}

func recordKey(t *testing.T, seq uint64) string {
	t.Helper()
	k, err := storage.AuditKey(tenant, seq)
	require.NoError(t, err)
	return k
}

func (b *testBundle) raw(t *testing.T, key string) []byte {
	t.Helper()
	rc, err := b.bs.Get(b.ctx, key)
	require.NoError(t, err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	return data
}

func (b *testBundle) putRaw(t *testing.T, key string, data []byte) {
	t.Helper()
	require.NoError(t, b.bs.Put(b.ctx, key, bytes.NewReader(data), storage.PutOptions{}))
}

func (b *testBundle) del(t *testing.T, key string) {
	t.Helper()
	require.NoError(t, b.bs.Delete(b.ctx, key))
}

// reseal writes r over its sequence with the tenant's key: what only an
// insider holding the keys could do.
func (b *testBundle) reseal(t *testing.T, r audit.Record) {
	t.Helper()
	data, err := r.Encode()
	require.NoError(t, err)
	p := sealed.Place{Key: recordKey(t, r.Seq), Kind: sealed.KindAudit}
	require.NoError(t, b.s.PutRecord(b.ctx, p, data, storage.PutOptions{}))
}

func mustHash(t *testing.T, r audit.Record) audit.Hash {
	t.Helper()
	h, err := r.Hash()
	require.NoError(t, err)
	return h
}

func checkpointText(seq uint64, h audit.Hash) string {
	return fmt.Sprintf("matterfile audit checkpoint v1\ntenant %s\nseq %d\nhash %s\n", tenant, seq, h)
}

func attackerSigner(t *testing.T) (note.Signer, string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "matterfile-audit/"+tenant)
	require.NoError(t, err)
	s, err := note.NewSigner(skey)
	require.NoError(t, err)
	return s, vkey
}

func outsideKey(t *testing.T, seq uint64) string {
	t.Helper()
	k, err := storage.CheckpointRegistryKey(tenant, seq)
	require.NoError(t, err)
	return k
}

// TestTamper holds the audit rows of security.md's attack list (43–46):
// each way of tampering with stored audit objects is named by its kind and
// the first sequence it affects. Every case starts from ten records with
// automatic checkpoints at 5 and 10.
func TestTamper(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, b *testBundle)
		seq    uint64
		kind   error
	}{
		{name: "intact", tamper: func(*testing.T, *testBundle) {}},
		{
			name:   "43 record deleted",
			tamper: func(t *testing.T, b *testBundle) { b.del(t, recordKey(t, 4)) },
			seq:    4, kind: audit.ErrGap,
		},
		{
			name:   "43 first record deleted",
			tamper: func(t *testing.T, b *testBundle) { b.del(t, recordKey(t, 1)) },
			seq:    1, kind: audit.ErrGap,
		},
		{
			name: "43 tail truncated below a checkpoint",
			tamper: func(t *testing.T, b *testBundle) {
				b.del(t, recordKey(t, 9))
				b.del(t, recordKey(t, 10))
			},
			seq: 9, kind: audit.ErrTruncated,
		},
		{
			name: "43 tail truncated and the inside checkpoint deleted too",
			tamper: func(t *testing.T, b *testBundle) {
				for seq := uint64(6); seq <= 10; seq++ {
					b.del(t, recordKey(t, seq))
				}
				k, err := storage.AuditCheckpointKey(tenant, 10)
				require.NoError(t, err)
				b.del(t, k)
			},
			seq: 6, kind: audit.ErrTruncated,
		},
		{
			name: "43 tail truncated, then appended to again",
			tamper: func(t *testing.T, b *testBundle) {
				b.del(t, recordKey(t, 9))
				b.del(t, recordKey(t, 10))
				l := b.newLog(t, b.open(t))
				_, err := l.Record(b.ctx, filing(9))
				require.NoError(t, err)
				_, err = l.Record(b.ctx, filing(10))
				require.ErrorIs(t, err, audit.ErrCheckpoint, "the log itself notices the signed head differs")
			},
			seq: 10, kind: audit.ErrCheckpointMismatch,
		},
		{
			name: "44 byte flipped in a record",
			tamper: func(t *testing.T, b *testBundle) {
				data := b.raw(t, recordKey(t, 4))
				data[len(data)/2] ^= 0x01
				b.putRaw(t, recordKey(t, 4), data)
			},
			seq: 4, kind: audit.ErrAltered,
		},
		{
			name: "44 record rewritten with the key, chained to its predecessor",
			tamper: func(t *testing.T, b *testBundle) {
				r := b.records(t)[3]
				r.Outcome = audit.Failed
				b.reseal(t, r)
			},
			seq: 5, kind: audit.ErrPrevMismatch,
		},
		{
			name: "44 records rewritten with the key up to the head",
			tamper: func(t *testing.T, b *testBundle) {
				rs := b.records(t)
				prev := mustHash(t, rs[5])
				for _, r := range rs[6:] {
					r.Detail, r.Prev = "parts 0", prev
					b.reseal(t, r)
					prev = mustHash(t, r)
				}
			},
			seq: 10, kind: audit.ErrCheckpointMismatch,
		},
		{
			name: "45 two records swapped",
			tamper: func(t *testing.T, b *testBundle) {
				four, five := b.raw(t, recordKey(t, 4)), b.raw(t, recordKey(t, 5))
				b.putRaw(t, recordKey(t, 4), five)
				b.putRaw(t, recordKey(t, 5), four)
			},
			// Neither opens at the other's key, so the first is altered.
			seq: 4, kind: audit.ErrAltered,
		},
		{
			name:   "45 record copied to a new sequence",
			tamper: func(t *testing.T, b *testBundle) { b.putRaw(t, recordKey(t, 11), b.raw(t, recordKey(t, 3))) },
			seq:    11, kind: audit.ErrPrevMismatch,
		},
		{
			name:   "45 record copied over another",
			tamper: func(t *testing.T, b *testBundle) { b.putRaw(t, recordKey(t, 4), b.raw(t, recordKey(t, 3))) },
			seq:    4, kind: audit.ErrPrevMismatch,
		},
		{
			name: "45 forged record appended with a wrong previous hash",
			tamper: func(t *testing.T, b *testBundle) {
				r := filing(99)
				r.Seq, r.Time, r.Prev = 11, time.Now(), sha256.Sum256([]byte("not the head"))
				b.reseal(t, r)
			},
			seq: 11, kind: audit.ErrPrevMismatch,
		},
		{
			name: "45 record re-sealed at another sequence",
			tamper: func(t *testing.T, b *testBundle) {
				r := b.records(t)[4]
				data, err := r.Encode()
				require.NoError(t, err)
				p := sealed.Place{Key: recordKey(t, 11), Kind: sealed.KindAudit}
				require.NoError(t, b.s.PutRecord(b.ctx, p, data, storage.PutOptions{}))
			},
			seq: 11, kind: audit.ErrPrevMismatch,
		},
		{
			name: "45 forged record inserted, later ones moved up",
			tamper: func(t *testing.T, b *testBundle) {
				rs := b.records(t)
				forged := filing(99)
				forged.Seq, forged.Time, forged.Prev = 4, rs[3].Time, rs[3].Prev
				b.reseal(t, forged)
				for _, r := range rs[3:] {
					r.Seq++ // keeps its Prev: only the first moved one can chain
					b.reseal(t, r)
				}
			},
			seq: 5, kind: audit.ErrPrevMismatch,
		},
		{
			name: "46 published checkpoint text altered",
			tamper: func(t *testing.T, b *testBundle) {
				msg := b.raw(t, outsideKey(t, 10))
				i := bytes.Index(msg, []byte("hash "))
				require.Positive(t, i)
				msg[i+5] ^= 0x01
				b.putRaw(t, outsideKey(t, 10), msg)
			},
			seq: 10, kind: audit.ErrBadSignature,
		},
		{
			name: "46 checkpoint signed by another key",
			tamper: func(t *testing.T, b *testBundle) {
				s, _ := attackerSigner(t)
				msg, err := note.Sign(&note.Note{Text: checkpointText(12, audit.Hash{})}, s)
				require.NoError(t, err)
				b.putRaw(t, outsideKey(t, 12), msg)
			},
			seq: 12, kind: audit.ErrBadSignature,
		},
		{
			name: "46 published verifier key replaced",
			tamper: func(t *testing.T, b *testBundle) {
				s, vkey := attackerSigner(t)
				k, err := storage.CheckpointVerifierKey(tenant)
				require.NoError(t, err)
				b.putRaw(t, k, []byte(vkey))
				msg, err := note.Sign(&note.Note{Text: checkpointText(12, audit.Hash{})}, s)
				require.NoError(t, err)
				b.putRaw(t, outsideKey(t, 12), msg)
			},
			seq: 0, kind: audit.ErrBadSignature,
		},
		{
			name: "46 inside checkpoint damaged",
			tamper: func(t *testing.T, b *testBundle) {
				k, err := storage.AuditCheckpointKey(tenant, 5)
				require.NoError(t, err)
				data := b.raw(t, k)
				data[len(data)-1] ^= 0x80
				b.putRaw(t, k, data)
			},
			seq: 5, kind: audit.ErrBadSignature,
		},
		{
			name:   "46 genuine checkpoint copied to another sequence",
			tamper: func(t *testing.T, b *testBundle) { b.putRaw(t, outsideKey(t, 10), b.raw(t, outsideKey(t, 5))) },
			seq:    10, kind: audit.ErrCheckpointMismatch,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, audit.Config{CheckpointEvery: 5})
			b.fill(t, b.log, 10)
			tc.tamper(t, b)

			rep, err := b.newLog(t, b.open(t)).Verify(b.ctx)
			if tc.kind == nil {
				require.NoError(t, err)
				require.EqualValues(t, 10, rep.Verified)
				require.Equal(t, 4, rep.Checkpoints, "two checkpoints, two copies each")
				require.EqualValues(t, 10, rep.LatestCheckpoint)
				require.Empty(t, rep.Foreign)
				return
			}
			t.Log(err)
			var ae *audit.Error
			require.ErrorAs(t, err, &ae, "got %v", err)
			require.ErrorIs(t, err, tc.kind, "got %v", err)
			require.Equal(t, tc.seq, ae.Seq, "got %v", err)
			require.EqualValues(t, tenant, ae.Tenant)
			if tc.seq > 0 {
				require.Equal(t, min(tc.seq-1, 10), rep.Verified, "records before the first bad one verify")
			}
			require.NotContains(t, err.Error(), "parts", "errors carry no record content")
		})
	}
}

// TestTamperKindsAreDistinct keeps the kinds apart so a report names one.
func TestTamperKindsAreDistinct(t *testing.T) {
	kinds := []error{audit.ErrGap, audit.ErrAltered, audit.ErrPrevMismatch, audit.ErrCheckpointMismatch, audit.ErrBadSignature}
	for i, a := range kinds {
		for j, b := range kinds {
			require.Equal(t, i == j, errors.Is(a, b), "%v / %v", a, b)
		}
	}
	require.ErrorIs(t, audit.ErrTruncated, audit.ErrGap)
}

// Several goroutines in two processes (two Logs over two sealed stores of
// the same tenant) append at once: the chain has no gap and verifies.
func TestConcurrentAppends(t *testing.T) {
	b := setup(t, audit.Config{CheckpointEvery: 10})
	logs := []*audit.Log{b.log, b.newLog(t, b.open(t))}
	const perWriter, writers = 15, 4
	var (
		mu   sync.Mutex
		seqs []uint64
		wg   sync.WaitGroup
	)
	for _, l := range logs {
		for w := range writers {
			wg.Go(func() {
				for i := range perWriter {
					r, err := l.Record(b.ctx, filing(w*perWriter+i))
					if !assert.NoError(t, err) {
						return
					}
					mu.Lock()
					seqs = append(seqs, r.Seq)
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	total := len(logs) * writers * perWriter
	slices.Sort(seqs)
	require.Len(t, seqs, total)
	for i, seq := range seqs {
		require.EqualValues(t, i+1, seq, "every sequence handed out once")
	}

	// Both processes checkpoint at once, racing to make the signing key.
	for _, l := range logs {
		wg.Go(func() {
			cp, err := l.Checkpoint(b.ctx)
			assert.NoError(t, err)
			assert.EqualValues(t, total, cp.Seq)
		})
	}
	wg.Wait()

	rep, err := b.log.Verify(b.ctx)
	require.NoError(t, err)
	require.EqualValues(t, total, rep.Verified)
	require.EqualValues(t, total, rep.LatestCheckpoint)
	require.GreaterOrEqual(t, rep.Checkpoints, 2*total/10)
}

// Records never leave their ciphertext: the data and key stores hold no
// actor, detail or action of any record (attack 47 for the audit log).
func TestRecordsAreSealed(t *testing.T) {
	b := setup(t, audit.Config{CheckpointEvery: 2})
	secrets := []string{"cli:leakmarker-actor", "leakmarker detail 7", string(audit.ActionMailboxReconnect), "mb-leakmarker", "203.0.113.77"}
	for range 4 {
		_, err := b.log.Record(b.ctx, audit.Record{
			Actor: secrets[0], Action: audit.ActionMailboxReconnect, Detail: secrets[1],
			Objects: map[string]string{"mailbox": secrets[3]}, Outcome: audit.Refused, SourceIP: secrets[4],
		})
		require.NoError(t, err)
	}
	_, err := b.log.Checkpoint(b.ctx)
	require.NoError(t, err)
	files := 0
	for _, dir := range []string{b.dataDir, b.keysDir} {
		require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			files++
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			for _, s := range secrets {
				require.NotContains(t, string(data), s, path)
			}
			return nil
		}))
	}
	require.Greater(t, files, 8, "records, checkpoints and keys were scanned")
}

// The log refuses what is not an index of an event, and its errors do not
// quote what it refused.
func TestRecordRefusesContent(t *testing.T) {
	b := setup(t, audit.Config{})
	cases := map[string]func(r *audit.Record) string{
		"subject as object":   func(r *audit.Record) string { r.Objects["subject"] = "Re: Merger"; return "Merger" },
		"upper-case id":       func(r *audit.Record) string { r.Objects["client"] = "ACME"; return "ACME" },
		"address as object":   func(r *audit.Record) string { r.Objects["from"] = "ceo@acme.example"; return "ceo@acme.example" },
		"newline in detail":   func(r *audit.Record) string { r.Detail = "ok\nforged line"; return "forged line" },
		"non-ascii detail":    func(r *audit.Record) string { r.Detail = "Übernahme"; return "bernahme" },
		"long detail":         func(r *audit.Record) string { r.Detail = strings.Repeat("x", 300); return "xxxxxxxx" },
		"free-text action":    func(r *audit.Record) string { r.Action = "filed Re: Merger"; return "Merger" },
		"no outcome":          func(r *audit.Record) string { r.Outcome = ""; return "" },
		"actor without kind":  func(r *audit.Record) string { r.Actor = "alice"; return "alice" },
		"actor with space":    func(r *audit.Record) string { r.Actor = "cli:alice smith"; return "smith" },
		"empty actor name":    func(r *audit.Record) string { r.Actor = "admin:"; return "" },
		"bad source ip":       func(r *audit.Record) string { r.SourceIP = "evil.example"; return "evil.example" },
		"ip with zone":        func(r *audit.Record) string { r.SourceIP = "fe80::1%leak"; return "leak" },
		"another tenant":      func(r *audit.Record) string { r.Objects["tenant"] = "t2"; return "" },
		"too many objects":    func(r *audit.Record) string { manyObjects(r); return "" },
		"object kind non-id":  func(r *audit.Record) string { r.Objects["Sub ject"] = "x"; return "Sub ject" },
		"object id too long":  func(r *audit.Record) string { r.Objects["message"] = strings.Repeat("a", 65); return "aaaaaaaa" },
		"detail with control": func(r *audit.Record) string { r.Detail = "a\x1b[2Jb"; return "\x1b" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			r := filing(1)
			leak := mutate(&r)
			_, err := b.log.Record(b.ctx, r)
			require.ErrorIs(t, err, audit.ErrInvalid)
			if leak != "" {
				require.NotContains(t, err.Error(), leak)
			}
		})
	}
	require.Empty(t, b.records(t), "nothing refused was stored")
}

func manyObjects(r *audit.Record) {
	for i := range 17 {
		r.Objects[fmt.Sprintf("o%d", i)] = "x"
	}
}

func TestRecordFillsSeqTimePrev(t *testing.T) {
	now := time.Date(2025, 3, 1, 9, 30, 0, 5, time.FixedZone("CET", 3600))
	b := setup(t, audit.Config{Now: func() time.Time { return now }})
	in := filing(1)
	in.Seq, in.Prev = 42, audit.Hash{1} // ignored: the log owns them
	first, err := b.log.Record(b.ctx, in)
	require.NoError(t, err)
	require.EqualValues(t, 1, first.Seq)
	require.Equal(t, audit.Hash{}, first.Prev)
	require.Equal(t, time.UTC, first.Time.Location())
	require.True(t, first.Time.Equal(now))

	in.Objects["message"] = "msg-2"
	second, err := b.log.Record(b.ctx, in)
	require.NoError(t, err)
	require.EqualValues(t, 2, second.Seq)
	require.Equal(t, mustHash(t, first), second.Prev)
	require.Equal(t, "msg-1", first.Objects["message"], "the log keeps its own copy of Objects")

	require.Equal(t, []audit.Record{first, second}, b.records(t), "what List reads back is what Record returned")
}

// The canonical encoding is part of the format: a verifier outside
// matterfile recomputes the chain from it.
func TestEncoding(t *testing.T) {
	r := audit.Record{
		Seq: 7, Time: time.Date(2025, 3, 1, 8, 30, 0, 120, time.UTC),
		Actor: "admin:a-1", Action: audit.ActionLogin, Outcome: audit.Refused,
		Objects: map[string]string{"tenant": "t1", "admin": "a-1"}, Detail: "locked after 3 failures",
		SourceIP: "2001:DB8::1", Prev: audit.Hash{0xab},
	}
	data, err := r.Encode()
	require.NoError(t, err)
	want := `{"v":1,"seq":7,"time":"2025-03-01T08:30:00.000000120Z","actor":"admin:a-1","action":"login",` +
		`"objects":{"admin":"a-1","tenant":"t1"},"outcome":"refused","detail":"locked after 3 failures",` +
		`"ip":"2001:db8::1","prev":"ab00000000000000000000000000000000000000000000000000000000000000"}`
	require.Equal(t, want, string(data))
	h, err := r.Hash()
	require.NoError(t, err)
	require.Equal(t, audit.Hash(sha256.Sum256([]byte(want))), h)
}

func TestList(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	tick := start
	b := setup(t, audit.Config{Now: func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		tick = tick.Add(time.Hour)
		return tick
	}})
	for i := range 6 {
		r := filing(i)
		if i%2 == 1 {
			r.Actor, r.Action, r.Objects = "admin:root", audit.ActionLogin, nil
		}
		_, err := b.log.Record(b.ctx, r)
		require.NoError(t, err)
	}
	list := func(f audit.Filter) []uint64 {
		var seqs []uint64
		require.NoError(t, b.log.List(b.ctx, f, func(r audit.Record) error {
			seqs = append(seqs, r.Seq)
			return nil
		}))
		return seqs
	}
	require.Equal(t, []uint64{1, 2, 3, 4, 5, 6}, list(audit.Filter{}))
	require.Equal(t, []uint64{2, 4, 6}, list(audit.Filter{Actor: "admin:root"}))
	require.Equal(t, []uint64{4, 5, 6}, list(audit.Filter{Since: start.Add(4 * time.Hour)}))
	require.Equal(t, []uint64{5}, list(audit.Filter{Since: start.Add(4 * time.Hour), Actor: "system:file-message"}))

	stop := errors.New("stop")
	require.ErrorIs(t, b.log.List(b.ctx, audit.Filter{}, func(audit.Record) error { return stop }), stop)
}

// After the tenant is crypto-shredded, its records are unreadable, but the
// checkpoint published outside its space still proves the log's length and
// head.
func TestCheckpointSurvivesShredding(t *testing.T) {
	b := setup(t, audit.Config{})
	b.fill(t, b.log, 3)
	_, err := b.log.Record(b.ctx, audit.Record{Actor: "system:retention", Action: audit.ActionTenantShred, Outcome: audit.OK, Objects: map[string]string{"tenant": tenant}})
	require.NoError(t, err)
	cp, err := b.log.Checkpoint(b.ctx)
	require.NoError(t, err)
	rep, err := b.log.Verify(b.ctx)
	require.NoError(t, err)
	require.Equal(t, rep.HeadHash, cp.Hash)

	_, err = sealed.DestroyTenantKeys(b.ctx, b.kr, tenant)
	require.NoError(t, err)
	_, err = sealed.Open(b.ctx, b.kr, b.bs, tenant)
	require.Error(t, err)

	got, err := audit.VerifyPublished(b.ctx, b.bs, tenant)
	require.NoError(t, err)
	require.EqualValues(t, 4, got.Seq)
	require.Equal(t, cp.Hash, got.Hash)

	// A forged checkpoint there is still caught without the tenant's keys.
	s, _ := attackerSigner(t)
	msg, err := note.Sign(&note.Note{Text: checkpointText(5, audit.Hash{})}, s)
	require.NoError(t, err)
	b.putRaw(t, outsideKey(t, 5), msg)
	_, err = audit.VerifyPublished(b.ctx, b.bs, tenant)
	require.ErrorIs(t, err, audit.ErrBadSignature)
}

func TestCheckpoint(t *testing.T) {
	b := setup(t, audit.Config{CheckpointEvery: 3})
	cp, err := b.log.Checkpoint(b.ctx)
	require.NoError(t, err)
	require.Zero(t, cp.Seq, "an empty log has nothing to sign")

	b.fill(t, b.log, 4) // automatic checkpoint at 3
	cp, err = b.log.Checkpoint(b.ctx)
	require.NoError(t, err)
	require.EqualValues(t, 4, cp.Seq)
	again, err := b.log.Checkpoint(b.ctx)
	require.NoError(t, err, "checkpointing the same head again is idempotent")
	require.Equal(t, cp, again)

	vk, err := storage.CheckpointVerifierKey(tenant)
	require.NoError(t, err)
	v, err := note.NewVerifier(string(b.raw(t, vk)))
	require.NoError(t, err)
	parsed, err := audit.ParseCheckpoint(b.raw(t, outsideKey(t, 4)), tenant, v)
	require.NoError(t, err)
	require.Equal(t, cp.Hash, parsed.Hash)
	_, err = audit.ParseCheckpoint(b.raw(t, outsideKey(t, 4)), "t2", v)
	require.Error(t, err, "another tenant's name does not match")

	rep, err := b.log.Verify(b.ctx)
	require.NoError(t, err)
	require.EqualValues(t, 4, rep.LatestCheckpoint)
	require.Equal(t, 4, rep.Checkpoints)
}

func FuzzParseCheckpoint(f *testing.F) {
	skey, vkey, err := note.GenerateKey(rand.Reader, "matterfile-audit/"+tenant)
	require.NoError(f, err)
	signer, err := note.NewSigner(skey)
	require.NoError(f, err)
	v, err := note.NewVerifier(vkey)
	require.NoError(f, err)
	for _, text := range []string{
		checkpointText(1, audit.Hash{}),
		checkpointText(18446744073709551615, audit.Hash{0xff}),
		"matterfile audit checkpoint v1\ntenant t1\nseq 01\nhash 00\n",
		"matterfile audit checkpoint v1\ntenant T1\nseq 1\nhash " + strings.Repeat("0", 64) + "\n",
		"hello\n",
	} {
		msg, err := note.Sign(&note.Note{Text: text}, signer)
		require.NoError(f, err)
		f.Add(msg)
	}
	f.Add([]byte("— matterfile-audit/t1 AAAA\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, msg []byte) {
		cp, err := audit.ParseCheckpoint(msg, tenant, v)
		if err != nil {
			if !errors.Is(err, audit.ErrBadSignature) && !errors.Is(err, audit.ErrCheckpointMismatch) {
				t.Fatalf("error of no kind: %v", err)
			}
			return
		}
		n, err := note.Open(msg, note.VerifierList(v))
		if err != nil {
			t.Fatalf("accepted a note that does not open: %v", err)
		}
		if cp.Tenant != tenant || cp.Seq == 0 || n.Text != checkpointText(cp.Seq, cp.Hash) {
			t.Fatalf("accepted a non-canonical checkpoint %q", n.Text)
		}
	})
}

// A log never chains onto a record it cannot open: that would bury the
// break under records that look fine.
func TestRecordRefusesUnreadableHead(t *testing.T) {
	b := setup(t, audit.Config{})
	b.fill(t, b.log, 3)
	data := b.raw(t, recordKey(t, 3))
	data[0] ^= 0x01
	b.putRaw(t, recordKey(t, 3), data)
	_, err := b.newLog(t, b.open(t)).Record(b.ctx, filing(4))
	require.ErrorIs(t, err, sealed.ErrIntegrity)
	_, err = b.bs.Stat(b.ctx, recordKey(t, 4))
	require.ErrorIs(t, err, storage.ErrNotFound)
}
