package worker_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
	"github.com/matterfile/matterfile/worker"
)

// filedSet files messages for two clients (acme, beta) and the review
// area of firm-a and returns each filed message's raw bytes by message.
func filedSet(t *testing.T, b *testBundle) (map[string]catalog.IndexEntry, map[string][]byte) {
	t.Helper()
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	reg, err := tn.Matters(b.ctx)
	require.NoError(t, err)
	_, _, err = reg.Merge([]classify.Target{{ID: "m-2", Number: "2024-0002", Kind: "matter", Client: "beta", Labels: []string{"Matters/2024-0002 Beta"}}})
	require.NoError(t, err)
	require.NoError(t, tn.SaveMatters(b.ctx, reg))
	ps := b.stageOnly(t, "firm-a", export(t,
		message("Matters/2024-0001 Acme", "acme-one", "first acme body"),
		message("Matters/2024-0001 Acme", "acme-two", "second acme body"),
		message("Matters/2024-0002 Beta", "beta-one", "beta body"),
		message("File to matter", "unsure", "to review"),
	))
	require.Len(t, ps, 4)
	entries := map[string]catalog.IndexEntry{}
	raws := map[string][]byte{}
	for _, p := range ps {
		e, err := b.h.FileMessage(b.ctx, p)
		require.NoError(t, err)
		entries[e.Message] = e
		raws[e.Message] = readPart(t, b, e)
	}
	return entries, raws
}

func readPart(t *testing.T, b *testBundle, e catalog.IndexEntry) []byte {
	t.Helper()
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	rc, err := tn.OpenPart(b.ctx, e, catalog.PartRaw)
	require.NoError(t, err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	return data
}

// backup copies every object of the data store, as a backup would.
func backup(t *testing.T, b *testBundle) storage.BlobStore {
	t.Helper()
	dst, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { dst.Close() })
	require.NoError(t, b.bs.List(b.ctx, "", func(i storage.Info) error {
		rc, err := b.bs.Get(b.ctx, i.Key)
		require.NoError(t, err)
		defer rc.Close()
		return dst.Put(b.ctx, i.Key, rc, storage.PutOptions{})
	}))
	return dst
}

func restore(t *testing.T, b *testBundle, from storage.BlobStore, prefix string) {
	t.Helper()
	require.NoError(t, from.List(b.ctx, prefix, func(i storage.Info) error {
		rc, err := from.Get(b.ctx, i.Key)
		require.NoError(t, err)
		defer rc.Close()
		return b.bs.Put(b.ctx, i.Key, rc, storage.PutOptions{})
	}))
}

// Rotation then re-encryption leaves every message readable, byte for
// byte, retires the old keys, and a ciphertext from before (a backup)
// no longer opens.
func TestRotateReencryptRetire(t *testing.T) {
	b := setup(t)
	entries, raws := filedSet(t, b)
	old := backup(t, b)

	_, err := b.cat.RotateKeys(b.ctx, "firm-a", "", "cli:test")
	require.NoError(t, err)
	h, err := worker.NewHandlers(worker.HandlersConfig{Catalog: b.cat, Enqueuer: b.q.Client, Policy: classify.DefaultPolicy(), KeysSettle: time.Nanosecond})
	require.NoError(t, err)
	rep, err := h.Reencrypt(b.ctx, "firm-a")
	require.NoError(t, err)
	require.Equal(t, catalog.PhaseDone, rep.Phase)
	require.Zero(t, rep.Failed)
	require.Zero(t, rep.Unknown, "%v", rep.Problem)
	require.Positive(t, rep.Resealed)
	require.Equal(t, rep.Resealed, rep.Verified)
	require.Equal(t, 6, rep.Retired, "aead and streaming keys of the tenant, acme and beta")
	for id, e := range entries {
		require.Equal(t, raws[id], readPart(t, b, e), "message %s after re-encryption", id)
	}
	// Progress is recorded; a second run finds nothing left to retire.
	got, err := b.cat.ReencryptProgress(b.ctx, "firm-a")
	require.NoError(t, err)
	require.Equal(t, rep.Resealed, got.Resealed)
	rep, err = h.Reencrypt(b.ctx, "firm-a")
	require.NoError(t, err)
	require.Zero(t, rep.Retired)

	// A pre-rotation copy restored from the backup needs destroyed keys.
	restore(t, b, old, "tenants/firm-a/clients/")
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	for _, e := range entries {
		if e.Client == "" {
			continue
		}
		rc, err := tn.OpenPart(b.ctx, e, catalog.PartRaw)
		if err == nil {
			_, err = io.ReadAll(rc)
			rc.Close()
		}
		require.ErrorIs(t, err, sealed.ErrIntegrity)
	}
	requireAudit(t, b, "firm-a", "keys.rotate", "keys.reencrypt", "keys.destroy", "keys.reencrypt")

	// Filing still works with the surviving keys.
	ps := b.stageOnly(t, "firm-a", export(t, message("Matters/2024-0001 Acme", "after", "after retirement")))
	e, err := b.h.FileMessage(b.ctx, ps[0])
	require.NoError(t, err)
	require.NotEmpty(t, readPart(t, b, e))
}

// Until the new keysets have settled, re-encryption reseals and verifies
// but keeps the old keys, and says when it can retire them.
func TestReencryptWaitsToRetire(t *testing.T) {
	b := setup(t)
	entries, raws := filedSet(t, b)
	_, err := b.cat.RotateKeys(b.ctx, "firm-a", "acme", "cli:test")
	require.NoError(t, err)
	rep, err := b.h.Reencrypt(b.ctx, "firm-a")
	require.ErrorIs(t, err, catalog.ErrRetireLater)
	require.Equal(t, catalog.PhaseWait, rep.Phase)
	require.WithinDuration(t, time.Now().Add(catalog.KeysSettle), rep.RetireAt, 30*time.Second)
	require.Zero(t, rep.Retired)
	for id, e := range entries {
		require.Equal(t, raws[id], readPart(t, b, e))
	}
}

// Deleting a client: refused under a legal hold; then its messages are
// unreadable, even restored from a backup, and the other client's and the
// review area's are intact.
func TestDeleteClient(t *testing.T) {
	b := setup(t)
	entries, raws := filedSet(t, b)
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	hold, err := tn.PlaceHold(b.ctx, catalog.Hold{Matter: "m-1", Reason: "litigation"})
	require.NoError(t, err)
	require.Equal(t, "acme", hold.Client)
	_, err = b.cat.DeleteClient(b.ctx, "firm-a", "acme", "cli:test", nil)
	require.ErrorIs(t, err, catalog.ErrHeld)
	for id, e := range entries {
		require.Equal(t, raws[id], readPart(t, b, e), "a refused deletion changes nothing")
	}
	require.NoError(t, tn.ReleaseHold(b.ctx, hold.ID, "cli:test"))
	old := backup(t, b)

	er, err := b.cat.DeleteClient(b.ctx, "firm-a", "acme", "cli:test", nil)
	require.NoError(t, err)
	require.Equal(t, 1, er.Keysets)
	require.Positive(t, er.Objects)
	require.False(t, er.Finished.IsZero())

	restore(t, b, old, "tenants/firm-a/clients/acme/")
	tn, err = b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	for id, e := range entries {
		if e.Client == "acme" {
			_, err := tn.Lookup(b.ctx, id)
			require.ErrorIs(t, err, storage.ErrNotFound, "the index entry is gone")
			_, err = tn.OpenPart(b.ctx, e, catalog.PartRaw)
			require.ErrorIs(t, err, sealed.ErrNoClientKeys, "restored ciphertext has no key")
			continue
		}
		require.Equal(t, raws[id], readPart(t, b, e), "message %s of another client or in review", id)
	}
	reg, err := tn.Matters(b.ctx)
	require.NoError(t, err)
	_, ok := reg.Get("m-1")
	require.False(t, ok, "the client's matters are gone from the registry")
	rec, err := tn.ClientErasure(b.ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, er.Shredded.Unix(), rec.Shredded.Unix())
	requireAudit(t, b, "firm-a", "hold.place", "client.delete:refused", "hold.release", "client.delete", "keys.destroy")
}

// requireAudit checks that the tenant's audit log verifies and holds the
// given actions ("action" or "action:outcome") in that order.
func requireAudit(t *testing.T, b *testBundle, tenant string, want ...string) {
	t.Helper()
	tn, err := b.cat.Open(b.ctx, tenant)
	require.NoError(t, err)
	rep, err := tn.Audit().Verify(b.ctx)
	require.NoError(t, err)
	require.Positive(t, rep.Verified)
	var got []string
	require.NoError(t, tn.Audit().List(b.ctx, audit.Filter{}, func(r audit.Record) error {
		if r.Action == audit.ActionMessageFile || r.Action == audit.ActionMessageRefile {
			return nil // filings; these tests are about keys
		}
		s := string(r.Action)
		if r.Outcome != audit.OK {
			s += ":" + string(r.Outcome)
		}
		got = append(got, s)
		return nil
	}))
	require.Equal(t, want, got)
}

// Attack 10: a deleted tenant read from a backup copy of its data is
// undecryptable; its erasure record outlives it; other tenants are
// untouched; holds refuse it.
func TestDeleteTenant(t *testing.T) {
	b := setup(t)
	entries, _ := filedSet(t, b)
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	hold, err := tn.PlaceHold(b.ctx, catalog.Hold{Client: "beta"})
	require.NoError(t, err)
	_, err = b.cat.DeleteTenant(b.ctx, "firm-a", "cli:test", nil)
	require.ErrorIs(t, err, catalog.ErrHeld)
	require.NoError(t, tn.ReleaseHold(b.ctx, hold.ID, "cli:test"))
	old := backup(t, b)

	er, err := b.cat.DeleteTenant(b.ctx, "firm-a", "cli:test", nil)
	require.NoError(t, err)
	require.Equal(t, 3, er.Keysets, "tenant, acme and beta")
	tenants, err := b.cat.Tenants(b.ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"firm-b"}, tenants)
	require.NoError(t, b.bs.List(b.ctx, "tenants/firm-a/", func(i storage.Info) error {
		t.Errorf("object left: %s", i.Key)
		return nil
	}))

	restore(t, b, old, "")
	_, err = b.cat.Open(b.ctx, "firm-a")
	require.ErrorIs(t, err, catalog.ErrNoTenant, "a restored backup meets no keys")
	for _, e := range entries {
		require.NotEmpty(t, e.Message)
	}
	rec, err := b.cat.TenantErasure(b.ctx, "firm-a")
	require.NoError(t, err)
	require.False(t, rec.Finished.IsZero())
	// The tenant's audit log is shredded with it; its last checkpoint,
	// published outside, still verifies and covers the erasure record.
	cp, err := audit.VerifyPublished(b.ctx, b.bs, "firm-a")
	require.NoError(t, err)
	require.Equal(t, uint64(len(entries)+4), cp.Seq, "a filing per message, then hold.place, tenant.shred refused, hold.release, tenant.shred")
	_, err = b.cat.Open(context.Background(), "firm-b")
	require.NoError(t, err)
}
