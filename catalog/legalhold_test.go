package catalog_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/internal/testenv"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// A legal hold puts the held matter's (or client's) objects under S3
// Object Lock on a bucket that has it; releasing clears exactly what no
// other hold covers, and the retention sweep locks objects filed since.
func TestHoldsLockObjectsMinIO(t *testing.T) {
	ctx := context.Background()
	cfg := testenv.S3(t)
	mc, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")})
	require.NoError(t, err)
	require.NoError(t, mc.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{ObjectLocking: true}))
	s3, err := storage.NewS3(ctx, cfg)
	require.NoError(t, err)
	ks, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { ks.Close() })
	root, err := sealed.OpenRootKey("file://"+filepath.Join(t.TempDir(), "root.key"), true)
	require.NoError(t, err)
	cat, err := catalog.New(storage.WithRetry(s3, storage.RetryPolicy{}), sealed.Keyring{Store: ks, Root: root})
	require.NoError(t, err)

	require.NoError(t, cat.CreateTenant(ctx, "firm"))
	tn, err := cat.Open(ctx, "firm")
	require.NoError(t, err)
	_, err = tn.ImportTargets(ctx, []classify.Target{
		{ID: "m-1", Number: "2024-0001", Kind: "matter", Client: "acme"},
		{ID: "m-2", Number: "2024-0002", Kind: "matter", Client: "acme"},
		{ID: "m-3", Number: "2024-0003", Kind: "matter", Client: "beta"},
	}, "cli:test")
	require.NoError(t, err)
	put := func(client, matter, name string) string {
		p, err := storage.MatterPrefix("firm", client, matter)
		require.NoError(t, err)
		key := p + "messages/" + name + "/raw"
		require.NoError(t, s3.Put(ctx, key, bytes.NewReader([]byte("ciphertext")), storage.PutOptions{CreateOnly: true}))
		return key
	}
	m1, m2, m3 := put("acme", "m-1", "a"), put("acme", "m-2", "b"), put("beta", "m-3", "c")
	locked := func(key string) bool {
		on, err := s3.LegalHold(ctx, key)
		require.NoError(t, err)
		return on
	}

	matterHold, err := tn.PlaceHold(ctx, catalog.Hold{Matter: "m-1", By: "cli:test"})
	require.NoError(t, err)
	require.True(t, locked(m1))
	require.False(t, locked(m2))
	require.False(t, locked(m3))

	clientHold, err := tn.PlaceHold(ctx, catalog.Hold{Client: "acme", By: "cli:test"})
	require.NoError(t, err)
	require.True(t, locked(m2))
	require.NoError(t, tn.ReleaseHold(ctx, clientHold.ID, "cli:test"))
	require.False(t, locked(m2), "released")
	require.True(t, locked(m1), "still under the matter hold")

	// Filed after the hold: the sweep locks it.
	late := put("acme", "m-1", "d")
	require.False(t, locked(late))
	_, err = cat.SweepRetention(ctx, time.Now(), "system:retention")
	require.NoError(t, err)
	require.True(t, locked(late))

	require.NoError(t, tn.ReleaseHold(ctx, matterHold.ID, "cli:test"))
	require.False(t, locked(m1))
	require.False(t, locked(late))

	var details []string
	require.NoError(t, tn.Audit().List(ctx, audit.Filter{}, func(r audit.Record) error {
		if r.Action == "hold.place" {
			details = append(details, r.Detail)
		}
		return nil
	}))
	require.Equal(t, []string{"object lock: 1 objects", "object lock: 2 objects"}, details)
}
