package sealed_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/matterfile/matterfile/internal/testenv"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

type bundle struct {
	ctx  context.Context
	bs   storage.BlobStore // data
	ks   storage.BlobStore // keys, kept apart as in production
	root tink.AEAD
	kr   sealed.Keyring
	a, b *sealed.Store
}

func setup(t *testing.T) *bundle {
	t.Helper()
	bs, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	ks, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	return setupOn(t, bs, ks)
}

// backends are the stores the attack table runs against: the local store
// and a real MinIO (data and keys in two buckets, as in production).
func backends(t *testing.T) map[string]func(t *testing.T) *bundle {
	return map[string]func(t *testing.T) *bundle{
		"local": setup,
		"minio": func(t *testing.T) *bundle {
			ctx := context.Background()
			bs, err := storage.NewS3(ctx, testenv.S3(t))
			require.NoError(t, err)
			ks, err := storage.NewS3(ctx, testenv.S3(t))
			require.NoError(t, err)
			return setupOn(t, bs, ks)
		},
	}
}

func setupOn(t *testing.T, bs, ks storage.BlobStore) *bundle {
	t.Helper()
	ctx := context.Background()
	root, err := sealed.OpenRootKey("file://"+filepath.Join(t.TempDir(), "root.key"), true)
	require.NoError(t, err)
	kr := sealed.Keyring{Store: ks, Root: root}
	for _, id := range []string{"tenant-a", "tenant-b"} {
		require.NoError(t, sealed.CreateTenant(ctx, kr, id))
	}
	a, err := sealed.Open(ctx, kr, bs, "tenant-a")
	require.NoError(t, err)
	b, err := sealed.Open(ctx, kr, bs, "tenant-b")
	require.NoError(t, err)
	// Both tenants have clients acme and beta with keys, so that a moved
	// ciphertext meets real keys, not missing ones.
	for _, s := range []*sealed.Store{a, b} {
		for _, c := range []string{"acme", "beta"} {
			p := rawPlace(s.Tenant(), c, "m-0", "keys")
			require.NoError(t, s.Put(ctx, p, bytes.NewReader([]byte("x")), storage.PutOptions{}))
		}
	}
	return &bundle{ctx: ctx, bs: bs, ks: ks, root: root, kr: kr, a: a, b: b}
}

func rawPlace(t, client, matter, msg string) sealed.Place {
	return sealed.Place{Client: client, Matter: matter, Kind: sealed.KindRaw, Generation: 1,
		Key: "tenants/" + t + "/clients/" + client + "/matters/" + matter + "/messages/" + msg + "/raw"}
}

// plaintext spans several 1 MiB segments so that middle segments exist.
func plaintext(t *testing.T) []byte {
	p := make([]byte, 2<<20+12345)
	_, err := rand.Read(p)
	require.NoError(t, err)
	return p
}

func readAll(s *sealed.Store, ctx context.Context, p sealed.Place) ([]byte, error) {
	rc, err := s.Open(ctx, p)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func copyObject(t *testing.T, b *bundle, from, to string, mutate func([]byte) []byte) {
	t.Helper()
	copyIn(t, b.ctx, b.bs, from, to, mutate)
}

func copyKey(t *testing.T, b *bundle, from, to string) {
	t.Helper()
	copyIn(t, b.ctx, b.ks, from, to, nil)
}

func copyIn(t *testing.T, ctx context.Context, bs storage.BlobStore, from, to string, mutate func([]byte) []byte) {
	t.Helper()
	rc, err := bs.Get(ctx, from)
	require.NoError(t, err)
	data, err := io.ReadAll(rc)
	rc.Close()
	require.NoError(t, err)
	if mutate != nil {
		data = mutate(data)
	}
	require.NoError(t, bs.Put(ctx, to, bytes.NewReader(data), storage.PutOptions{}))
}

func TestRoundTrip(t *testing.T) {
	b := setup(t)
	p := rawPlace("tenant-a", "acme", "m-1", "msg1")
	want := plaintext(t)
	require.NoError(t, b.a.Put(b.ctx, p, bytes.NewReader(want), storage.PutOptions{}))
	got, err := readAll(b.a, b.ctx, p)
	require.NoError(t, err)
	require.Equal(t, want, got)

	rec := sealed.Place{Key: "tenants/tenant-a/index/msg1", Kind: sealed.KindIndex}
	require.NoError(t, b.a.PutRecord(b.ctx, rec, []byte(`{"x":1}`), storage.PutOptions{}))
	gotRec, err := b.a.GetRecord(b.ctx, rec)
	require.NoError(t, err)
	require.Equal(t, `{"x":1}`, string(gotRec))
}

// TestAttacks runs security.md's storage and crypto attacks 1–6 and 8–9
// on each backend: each must end in an authentication or key error, never
// in plaintext. (7 is in package worker, 10 in shred_test.go and worker,
// 11–15 in packages ids and storage.)
func TestAttacks(t *testing.T) {
	for name, setup := range backends(t) {
		t.Run(name, func(t *testing.T) { attacks(t, setup(t)) })
	}
}

func attacks(t *testing.T, b *bundle) {
	src := rawPlace("tenant-a", "acme", "m-1", "msg1")
	require.NoError(t, b.a.Put(b.ctx, src, bytes.NewReader(plaintext(t)), storage.PutOptions{}))

	flip := func(off func(n int) int) func([]byte) []byte {
		return func(d []byte) []byte { d[off(len(d))] ^= 1; return d }
	}
	tests := []struct {
		name   string
		reader *sealed.Store
		dst    sealed.Place
		mutate func([]byte) []byte
	}{
		{"1 copied to another tenant", b.b, rawPlace("tenant-b", "acme", "m-1", "msg1"), nil},
		{"2 moved to another client", b.a, rawPlace("tenant-a", "beta", "m-1", "msg1"), nil},
		{"2 moved to another matter", b.a, rawPlace("tenant-a", "acme", "m-2", "msg1"), nil},
		{"3 served as another kind", b.a, func() sealed.Place {
			p := rawPlace("tenant-a", "acme", "m-1", "msg1")
			p.Kind, p.Key = sealed.KindPart, p.Key[:len(p.Key)-3]+"parts/0"
			return p
		}(), nil},
		{"3 moved to another message", b.a, rawPlace("tenant-a", "acme", "m-1", "msg2"), nil},
		{"4 truncated inside a segment", b.a, rawPlace("tenant-a", "acme", "m-1", "trunc1"), func(d []byte) []byte { return d[:len(d)-100] }},
		{"4 truncated at a segment boundary", b.a, rawPlace("tenant-a", "acme", "m-1", "trunc2"), func(d []byte) []byte { return d[:1<<20] }},
		{"5 bytes appended", b.a, rawPlace("tenant-a", "acme", "m-1", "append"), func(d []byte) []byte { return append(d, 0, 1, 2) }},
		{"6 bit flipped in header", b.a, rawPlace("tenant-a", "acme", "m-1", "flip1"), flip(func(int) int { return 5 })},
		{"6 bit flipped in middle segment", b.a, rawPlace("tenant-a", "acme", "m-1", "flip2"), flip(func(n int) int { return n / 2 })},
		{"6 bit flipped in last tag", b.a, rawPlace("tenant-a", "acme", "m-1", "flip3"), flip(func(n int) int { return n - 1 })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			copyObject(t, b, src.Key, tc.dst.Key, tc.mutate)
			got, err := readAll(tc.reader, b.ctx, tc.dst)
			require.ErrorIs(t, err, sealed.ErrIntegrity)
			// Segments before the damage may verify; the caller must not
			// treat them as final, and never gets the whole plaintext.
			require.Less(t, len(got), 2<<20+12345)
		})
	}

	t.Run("record moved to another key", func(t *testing.T) {
		rec := sealed.Place{Key: "tenants/tenant-a/index/one", Kind: sealed.KindIndex}
		require.NoError(t, b.a.PutRecord(b.ctx, rec, []byte("secret"), storage.PutOptions{}))
		copyObject(t, b, rec.Key, "tenants/tenant-a/index/two", nil)
		_, err := b.a.GetRecord(b.ctx, sealed.Place{Key: "tenants/tenant-a/index/two", Kind: sealed.KindIndex})
		require.ErrorIs(t, err, sealed.ErrIntegrity)
	})

	t.Run("8 keyset copied to another tenant", func(t *testing.T) {
		require.NoError(t, sealed.CreateTenant(b.ctx, b.kr, "tenant-c"))
		copyKey(t, b, "tenants/tenant-a/keys/tenant", "tenants/tenant-c/keys/tenant")
		_, err := sealed.Open(b.ctx, b.kr, b.bs, "tenant-c")
		require.ErrorIs(t, err, sealed.ErrKeyset)
	})

	t.Run("8 client keyset copied to another client or tenant", func(t *testing.T) {
		for _, dst := range []string{
			"tenants/tenant-a/keys/clients/gamma/1", // same tenant, another client
			"tenants/tenant-b/keys/clients/gamma/1", // another tenant
			"tenants/tenant-a/keys/clients/acme/2",  // same client, replayed as a newer generation
		} {
			copyKey(t, b, "tenants/tenant-a/keys/clients/acme/1", dst)
		}
		for _, s := range []*sealed.Store{b.a, b.b} {
			_, err := readAll(s, b.ctx, rawPlace(s.Tenant(), "gamma", "m-0", "keys"))
			require.ErrorIs(t, err, sealed.ErrKeyset, s.Tenant())
		}
		fresh, err := sealed.Open(b.ctx, b.kr, b.bs, "tenant-a")
		require.NoError(t, err)
		_, err = readAll(fresh, b.ctx, rawPlace("tenant-a", "acme", "m-0", "keys"))
		require.ErrorIs(t, err, sealed.ErrKeyset, "a generation copied under another number does not unwrap")
	})

	t.Run("9 wrong root key", func(t *testing.T) {
		other, err := sealed.OpenRootKey("file://"+filepath.Join(t.TempDir(), "other.key"), true)
		require.NoError(t, err)
		_, err = sealed.Open(b.ctx, sealed.Keyring{Store: b.ks, Root: other}, b.bs, "tenant-a")
		require.ErrorIs(t, err, sealed.ErrKeyset)
	})

	t.Run("a store stays in its tenant", func(t *testing.T) {
		_, err := b.a.Open(b.ctx, rawPlace("tenant-b", "acme", "m-1", "msg1"))
		require.ErrorIs(t, err, sealed.ErrOutsideTenant)
		err = b.a.Put(b.ctx, rawPlace("tenant-ab", "acme", "m-1", "msg1"), bytes.NewReader(nil), storage.PutOptions{})
		require.ErrorIs(t, err, sealed.ErrOutsideTenant)
	})
}

func TestKeysetNeverReplaced(t *testing.T) {
	b := setup(t)
	err := sealed.CreateTenant(b.ctx, b.kr, "tenant-a")
	require.ErrorIs(t, err, storage.ErrExists)
}

func TestDeriveIDIsPerTenant(t *testing.T) {
	b := setup(t)
	x, err := b.a.DeriveID("message", []byte("same input"))
	require.NoError(t, err)
	y, err := b.a.DeriveID("message", []byte("same input"))
	require.NoError(t, err)
	z, err := b.b.DeriveID("message", []byte("same input"))
	require.NoError(t, err)
	require.Equal(t, x, y)
	require.NotEqual(t, x, z)
	require.Len(t, x, 32)
}

func TestRootKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "root.key")
	_, err := sealed.OpenRootKey("file://"+path, false)
	require.ErrorIs(t, err, sealed.ErrRootKey, "a missing key is never silently created")

	_, err = sealed.OpenRootKey("file://"+path, true)
	require.NoError(t, err)
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	require.NoError(t, os.Chmod(path, 0o644))
	_, err = sealed.OpenRootKey("file://"+path, true)
	require.ErrorIs(t, err, sealed.ErrRootKey, "a group-readable key is refused")

	short := filepath.Join(dir, "short.key")
	require.NoError(t, os.WriteFile(short, []byte("too short"), 0o600))
	_, err = sealed.OpenRootKey("file://"+short, true)
	require.ErrorIs(t, err, sealed.ErrRootKey)

	for _, uri := range []string{"aws-kms://arn", "file://relative/key", "http://x/y"} {
		_, err = sealed.OpenRootKey(uri, true)
		require.True(t, errors.Is(err, sealed.ErrRootKey), uri)
	}
}
