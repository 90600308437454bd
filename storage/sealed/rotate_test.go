package sealed_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// Rotation: objects sealed before still open, new ones are sealed with the
// new key (a store that has only the old keysets cannot open them), IDs do
// not change, and a keyset generation cannot be forged by copying another.
func TestRotate(t *testing.T) {
	b := setup(t)
	before := rawPlace("tenant-a", "acme", "m-1", "before")
	want := plaintext(t)
	require.NoError(t, b.a.Put(b.ctx, before, bytes.NewReader(want), storage.PutOptions{}))
	rec := sealed.Place{Key: "tenants/tenant-a/index/before", Kind: sealed.KindIndex}
	require.NoError(t, b.a.PutRecord(b.ctx, rec, []byte("record"), storage.PutOptions{}))
	idBefore, err := b.a.DeriveID("message", []byte("x"))
	require.NoError(t, err)

	gen, err := sealed.Rotate(b.ctx, b.bs, b.root, "tenant-a")
	require.NoError(t, err)
	require.Equal(t, 2, gen)
	rotated, err := sealed.Open(b.ctx, b.bs, b.root, "tenant-a")
	require.NoError(t, err)
	require.Equal(t, 2, rotated.KeysetGeneration())

	got, err := readAll(rotated, b.ctx, before)
	require.NoError(t, err, "sealed before the rotation, opened after")
	require.Equal(t, want, got)
	r, err := rotated.GetRecord(b.ctx, rec)
	require.NoError(t, err)
	require.Equal(t, "record", string(r))
	idAfter, err := rotated.DeriveID("message", []byte("x"))
	require.NoError(t, err)
	require.Equal(t, idBefore, idAfter, "the PRF is not rotated: IDs stay")

	after := rawPlace("tenant-a", "acme", "m-1", "after")
	require.NoError(t, rotated.Put(b.ctx, after, bytes.NewReader(want), storage.PutOptions{}))
	_, err = readAll(b.a, b.ctx, after)
	require.ErrorIs(t, err, sealed.ErrIntegrity, "the old keysets lack the new primary key")
	got, err = readAll(rotated, b.ctx, after)
	require.NoError(t, err)
	require.Equal(t, want, got)

	// Another rotation keeps all three keys.
	_, err = sealed.Rotate(b.ctx, b.bs, b.root, "tenant-a")
	require.NoError(t, err)
	third, err := sealed.Open(b.ctx, b.bs, b.root, "tenant-a")
	require.NoError(t, err)
	require.Equal(t, 3, third.KeysetGeneration())
	for _, p := range []sealed.Place{before, after} {
		_, err := readAll(third, b.ctx, p)
		require.NoError(t, err)
	}

	// Generation 1's bundle copied as generation 4: unwrapping fails,
	// because each bundle is bound to its own object.
	copyObject(t, b, "tenants/tenant-a/keys/tenant", "tenants/tenant-a/keys/tenant-4", nil)
	_, err = sealed.Open(b.ctx, b.bs, b.root, "tenant-a")
	require.ErrorIs(t, err, sealed.ErrKeyset)
	// Another tenant's rotation is refused outright by its own keysets.
	_, err = sealed.Rotate(b.ctx, b.bs, b.root, "tenant-nobody")
	require.ErrorIs(t, err, sealed.ErrKeyset)
}
