package sealed_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// Crypto-shredding one client: its objects become unreadable to everyone,
// even if written back from a backup, and nothing else changes.
func TestDestroyClientKeys(t *testing.T) {
	b := setup(t)
	want := plaintext(t)
	gone := rawPlace("tenant-a", "acme", "m-1", "gone")
	kept := rawPlace("tenant-a", "beta", "m-1", "kept")
	tenantObj := reviewPlace("tenant-a", "kept")
	otherTenant := rawPlace("tenant-b", "acme", "m-1", "kept")
	for _, w := range []struct {
		s *sealed.Store
		p sealed.Place
	}{{b.a, gone}, {b.a, kept}, {b.a, tenantObj}, {b.b, otherTenant}} {
		require.NoError(t, w.s.Put(b.ctx, w.p, bytes.NewReader(want), storage.PutOptions{}))
	}
	rec := sealed.Place{Client: "acme", Key: "tenants/tenant-a/clients/acme/matters/m-1/messages/gone/manifest-1", Kind: sealed.KindManifest, Generation: 1, Matter: "m-1"}
	require.NoError(t, b.a.PutRecord(b.ctx, rec, []byte("manifest"), storage.PutOptions{}))
	backup := readRaw(t, b, gone.Key)

	n, err := b.a.DestroyClientKeys(b.ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NoError(t, b.ks.List(b.ctx, "tenants/tenant-a/keys/clients/acme/", func(i storage.Info) error {
		require.Equal(t, "tenants/tenant-a/keys/clients/acme/erased", i.Key, "only the tombstone is left")
		return nil
	}))

	for _, s := range []*sealed.Store{b.a, reopen(t, b, "tenant-a")} {
		_, err = readAll(s, b.ctx, gone)
		require.ErrorIs(t, err, sealed.ErrNoClientKeys)
		_, err = s.GetRecord(b.ctx, rec)
		require.ErrorIs(t, err, sealed.ErrNoClientKeys)
		for _, p := range []sealed.Place{kept, tenantObj} {
			got, err := readAll(s, b.ctx, p)
			require.NoError(t, err, p.Key)
			require.Equal(t, want, got)
		}
	}
	got, err := readAll(b.b, b.ctx, otherTenant)
	require.NoError(t, err, "another tenant's client of the same id is untouched")
	require.Equal(t, want, got)

	// Restoring the object from a backup does not bring the keys back.
	require.NoError(t, b.bs.Put(b.ctx, gone.Key, bytes.NewReader(backup), storage.PutOptions{}))
	_, err = readAll(b.a, b.ctx, gone)
	require.ErrorIs(t, err, sealed.ErrNoClientKeys)
}

// Attack 10: a crypto-shredded tenant read from a backup copy of its data
// is undecryptable, and no keyset of it is left anywhere.
func TestDestroyTenantKeys(t *testing.T) {
	b := setup(t)
	p := rawPlace("tenant-a", "acme", "m-1", "msg")
	want := plaintext(t)
	require.NoError(t, b.a.Put(b.ctx, p, bytes.NewReader(want), storage.PutOptions{}))
	tp := reviewPlace("tenant-a", "msg")
	require.NoError(t, b.a.Put(b.ctx, tp, bytes.NewReader(want), storage.PutOptions{}))
	_, err := sealed.Rotate(b.ctx, b.kr, "tenant-a")
	require.NoError(t, err)

	// The backup: a full copy of the data store taken before the erasure.
	backup, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, b.bs.List(b.ctx, "", func(i storage.Info) error {
		copyBetween(t, b, b.bs, backup, i.Key)
		return nil
	}))

	n, err := sealed.DestroyTenantKeys(b.ctx, b.kr, "tenant-a")
	require.NoError(t, err)
	require.Equal(t, 4, n, "two tenant generations and two client keysets")
	requireNoKeys(t, b, "tenants/tenant-a/")
	for _, bs := range []storage.BlobStore{b.bs, backup} {
		require.NoError(t, bs.List(b.ctx, "", func(i storage.Info) error {
			require.NotRegexp(t, `^tenants/[^/]+/keys/`, i.Key, "the data store holds no keysets")
			return nil
		}))
		_, err := sealed.Open(b.ctx, b.kr, bs, "tenant-a")
		require.ErrorIs(t, err, sealed.ErrKeyset)
	}
	// The old Store still in memory is the only holder of the keys; a new
	// process has none. Tenant B is untouched.
	_, err = sealed.Open(b.ctx, b.kr, b.bs, "tenant-b")
	require.NoError(t, err)
}

func readRaw(t *testing.T, b *bundle, key string) []byte {
	t.Helper()
	rc, err := b.bs.Get(b.ctx, key)
	require.NoError(t, err)
	defer rc.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(rc)
	require.NoError(t, err)
	return buf.Bytes()
}

func copyBetween(t *testing.T, b *bundle, from, to storage.BlobStore, key string) {
	t.Helper()
	rc, err := from.Get(b.ctx, key)
	require.NoError(t, err)
	defer rc.Close()
	require.NoError(t, to.Put(b.ctx, key, rc, storage.PutOptions{}))
}

func requireNoKeys(t *testing.T, b *bundle, prefix string) {
	t.Helper()
	require.NoError(t, b.ks.List(b.ctx, prefix, func(i storage.Info) error {
		t.Errorf("key store still holds %s", i.Key)
		return nil
	}))
}

func reopen(t *testing.T, b *bundle, tenant string) *sealed.Store {
	t.Helper()
	s, err := sealed.Open(b.ctx, b.kr, b.bs, tenant)
	require.NoError(t, err)
	return s
}

// An erased client's ID is spent: a later write does not make new keys, so
// nothing is sealed that the erasure's object sweep could miss.
func TestErasedClientGetsNoNewKeys(t *testing.T) {
	b := setup(t)
	_, err := b.a.DestroyClientKeys(b.ctx, "acme")
	require.NoError(t, err)
	for _, s := range []*sealed.Store{b.a, reopen(t, b, "tenant-a")} {
		err = s.Put(b.ctx, rawPlace("tenant-a", "acme", "m-1", "new"), bytes.NewReader([]byte("new")), storage.PutOptions{})
		require.ErrorIs(t, err, sealed.ErrNoClientKeys)
	}
	clients, err := sealed.ClientsWithKeys(b.ctx, b.kr, "tenant-a")
	require.NoError(t, err)
	require.Equal(t, []string{"beta"}, clients)
}
