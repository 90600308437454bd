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
	// Tenant rotation moves what the tenant's own keys seal (review,
	// records); client objects are under client keys (TestRotateClient).
	before := reviewPlace("tenant-a", "before")
	want := plaintext(t)
	require.NoError(t, b.a.Put(b.ctx, before, bytes.NewReader(want), storage.PutOptions{}))
	rec := sealed.Place{Key: "tenants/tenant-a/index/before", Kind: sealed.KindIndex}
	require.NoError(t, b.a.PutRecord(b.ctx, rec, []byte("record"), storage.PutOptions{}))
	idBefore, err := b.a.DeriveID("message", []byte("x"))
	require.NoError(t, err)

	gen, err := sealed.Rotate(b.ctx, b.kr, "tenant-a")
	require.NoError(t, err)
	require.Equal(t, 2, gen)
	rotated, err := sealed.Open(b.ctx, b.kr, b.bs, "tenant-a")
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

	after := reviewPlace("tenant-a", "after")
	require.NoError(t, rotated.Put(b.ctx, after, bytes.NewReader(want), storage.PutOptions{}))
	_, err = readAll(b.a, b.ctx, after)
	require.ErrorIs(t, err, sealed.ErrIntegrity, "the old keysets lack the new primary key")
	got, err = readAll(rotated, b.ctx, after)
	require.NoError(t, err)
	require.Equal(t, want, got)

	// Another rotation keeps all three keys.
	_, err = sealed.Rotate(b.ctx, b.kr, "tenant-a")
	require.NoError(t, err)
	third, err := sealed.Open(b.ctx, b.kr, b.bs, "tenant-a")
	require.NoError(t, err)
	require.Equal(t, 3, third.KeysetGeneration())
	clientObj := rawPlace("tenant-a", "acme", "m-0", "keys")
	for _, p := range []sealed.Place{before, after, clientObj} {
		_, err := readAll(third, b.ctx, p)
		require.NoError(t, err)
	}

	// Generation 1's bundle copied as generation 4: unwrapping fails,
	// because each bundle is bound to its own object.
	copyKey(t, b, "tenants/tenant-a/keys/tenant", "tenants/tenant-a/keys/tenant-4")
	_, err = sealed.Open(b.ctx, b.kr, b.bs, "tenant-a")
	require.ErrorIs(t, err, sealed.ErrKeyset)
	// Another tenant's rotation is refused outright by its own keysets.
	_, err = sealed.Rotate(b.ctx, b.kr, "tenant-nobody")
	require.ErrorIs(t, err, sealed.ErrKeyset)
}

func reviewPlace(t, msg string) sealed.Place {
	return sealed.Place{Kind: sealed.KindRaw, Generation: 1, Key: "tenants/" + t + "/review/messages/" + msg + "/raw"}
}

// A client's rotation gives it a new primary key and leaves the tenant's
// and other clients' keys alone; client keysets made before a tenant
// rotation still unwrap after it.
func TestRotateClient(t *testing.T) {
	b := setup(t)
	before := rawPlace("tenant-a", "acme", "m-1", "before")
	want := plaintext(t)
	require.NoError(t, b.a.Put(b.ctx, before, bytes.NewReader(want), storage.PutOptions{}))

	_, err := sealed.Rotate(b.ctx, b.kr, "tenant-a")
	require.NoError(t, err)
	other, err := sealed.Open(b.ctx, b.kr, b.bs, "tenant-a")
	require.NoError(t, err)
	gen, err := other.RotateClient(b.ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, 2, gen)
	_, err = other.RotateClient(b.ctx, "nobody")
	require.ErrorIs(t, err, sealed.ErrNoClientKeys)

	after := rawPlace("tenant-a", "acme", "m-1", "after")
	require.NoError(t, other.Put(b.ctx, after, bytes.NewReader(want), storage.PutOptions{}))
	_, err = readAll(b.a, b.ctx, after)
	require.ErrorIs(t, err, sealed.ErrIntegrity, "a store holding acme's old keysets lacks the new primary")
	for _, p := range []sealed.Place{before, after, rawPlace("tenant-a", "beta", "m-0", "keys")} {
		got, err := readAll(other, b.ctx, p)
		require.NoError(t, err, p.Key)
		if p != rawPlace("tenant-a", "beta", "m-0", "keys") {
			require.Equal(t, want, got)
		}
	}
}
