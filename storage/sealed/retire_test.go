package sealed_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// Rotation, re-encryption, retirement: every object stays readable, the
// retired keys are gone (a copy of an old ciphertext no longer opens), and
// retirement is refused in effect until re-encryption is complete: the
// verifier cannot open what still needs an old key.
func TestReencryptThenRetire(t *testing.T) {
	b := setup(t)
	want := plaintext(t)
	type obj struct {
		p      sealed.Place
		stream bool
	}
	objs := []obj{
		{rawPlace("tenant-a", "acme", "m-1", "one"), true},
		{rawPlace("tenant-a", "beta", "m-1", "two"), true},
		{reviewPlace("tenant-a", "three"), true},
		{sealed.Place{Key: "tenants/tenant-a/index/one", Kind: sealed.KindIndex}, false},
		{sealed.Place{Client: "acme", Matter: "m-1", Generation: 1, Kind: sealed.KindManifest,
			Key: "tenants/tenant-a/clients/acme/matters/m-1/messages/one/manifest-1"}, false},
	}
	put := func(s *sealed.Store, o obj) {
		if o.stream {
			require.NoError(t, s.Put(b.ctx, o.p, bytes.NewReader(want), storage.PutOptions{}))
		} else {
			require.NoError(t, s.PutRecord(b.ctx, o.p, want[:1000], storage.PutOptions{}))
		}
	}
	read := func(s *sealed.Store, o obj) ([]byte, error) {
		if o.stream {
			return readAll(s, b.ctx, o.p)
		}
		return s.GetRecord(b.ctx, o.p)
	}
	for _, o := range objs {
		put(b.a, o)
	}
	old := readRaw(t, b, objs[0].p.Key)

	_, err := sealed.Rotate(b.ctx, b.kr, "tenant-a")
	require.NoError(t, err)
	s := reopen(t, b, "tenant-a")
	for _, c := range []string{"acme", "beta"} {
		_, err := s.RotateClient(b.ctx, c)
		require.NoError(t, err)
	}

	plan, err := sealed.PlanRetirement(b.ctx, b.kr, b.bs, "tenant-a")
	require.NoError(t, err)
	require.Equal(t, 6, plan.Keys(), "one aead and one streaming key each for the tenant and two clients")
	for _, o := range objs {
		_, err := read(plan.Verifier(), o)
		require.ErrorIs(t, err, sealed.ErrIntegrity, "%s still needs an old key", o.p.Key)
	}

	for _, o := range objs {
		_, err := s.Reseal(b.ctx, o.p, o.stream, storage.PutOptions{})
		require.NoError(t, err, o.p.Key)
	}
	plan, err = sealed.PlanRetirement(b.ctx, b.kr, b.bs, "tenant-a")
	require.NoError(t, err)
	for _, o := range objs {
		_, err := read(plan.Verifier(), o)
		require.NoError(t, err, o.p.Key)
	}
	require.NoError(t, plan.Commit(b.ctx))

	after := reopen(t, b, "tenant-a")
	for _, o := range objs {
		got, err := read(after, o)
		require.NoError(t, err, o.p.Key)
		if o.stream {
			require.Equal(t, want, got)
		} else {
			require.Equal(t, want[:1000], got)
		}
	}
	// The old ciphertext, restored from a backup, needs a destroyed key.
	require.NoError(t, b.bs.Put(b.ctx, objs[0].p.Key, bytes.NewReader(old), storage.PutOptions{}))
	_, err = readAll(after, b.ctx, objs[0].p)
	require.ErrorIs(t, err, sealed.ErrIntegrity)

	// One generation per owner is left, and nothing more to retire.
	var keys []string
	require.NoError(t, b.ks.List(b.ctx, "tenants/tenant-a/keys/", func(i storage.Info) error {
		keys = append(keys, i.Key)
		return nil
	}))
	require.Equal(t, []string{
		"tenants/tenant-a/keys/clients/acme/3",
		"tenants/tenant-a/keys/clients/beta/3",
		"tenants/tenant-a/keys/tenant-3",
	}, keys)
	plan, err = sealed.PlanRetirement(b.ctx, b.kr, b.bs, "tenant-a")
	require.NoError(t, err)
	require.Zero(t, plan.Keys())
	// New writes still work after retirement, for a new client too.
	put(after, obj{rawPlace("tenant-a", "gamma", "m-1", "new"), true})
}
