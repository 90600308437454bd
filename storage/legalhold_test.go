package storage_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/internal/testenv"
	"github.com/matterfile/matterfile/storage"
)

// On a bucket with object locking, a held object's data cannot be
// destroyed by anyone holding the bucket's credentials: deleting its
// version is refused until the hold is taken off.
func TestLegalHoldMinIO(t *testing.T) {
	ctx := context.Background()
	cfg := testenv.S3(t)
	mc, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")})
	require.NoError(t, err)
	require.NoError(t, mc.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{ObjectLocking: true}))

	s3, err := storage.NewS3(ctx, cfg)
	require.NoError(t, err)
	bs := storage.WithRetry(s3, storage.RetryPolicy{})
	const key = "tenants/firm/clients/acme/matters/m-1/messages/x/raw"
	require.NoError(t, bs.Put(ctx, key, bytes.NewReader([]byte("ciphertext")), storage.PutOptions{CreateOnly: true}))

	require.NoError(t, storage.SetLegalHold(ctx, bs, key, true))
	held, err := s3.LegalHold(ctx, key)
	require.NoError(t, err)
	require.True(t, held)
	st, err := mc.StatObject(ctx, cfg.Bucket, key, minio.StatObjectOptions{})
	require.NoError(t, err)
	err = mc.RemoveObject(ctx, cfg.Bucket, key, minio.RemoveObjectOptions{VersionID: st.VersionID})
	require.Error(t, err, "a held version cannot be deleted")
	rc, err := mc.GetObject(ctx, cfg.Bucket, key, minio.GetObjectOptions{VersionID: st.VersionID})
	require.NoError(t, err)
	var buf bytes.Buffer
	_, err = buf.ReadFrom(rc)
	require.NoError(t, err)
	require.Equal(t, "ciphertext", buf.String())

	require.NoError(t, storage.SetLegalHold(ctx, bs, key, false))
	held, err = s3.LegalHold(ctx, key)
	require.NoError(t, err)
	require.False(t, held)
	require.NoError(t, mc.RemoveObject(ctx, cfg.Bucket, key, minio.RemoveObjectOptions{VersionID: st.VersionID}), "released, it can")
}

// A bucket without object locking, and the local store, say so rather than
// pretend to hold.
func TestLegalHoldUnsupported(t *testing.T) {
	ctx := context.Background()
	local, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	defer local.Close()
	require.NoError(t, local.Put(ctx, "tenants/firm/x", bytes.NewReader([]byte("x")), storage.PutOptions{}))
	require.ErrorIs(t, storage.SetLegalHold(ctx, storage.WithRetry(local, storage.RetryPolicy{}), "tenants/firm/x", true), storage.ErrUnsupported)

	cfg := testenv.S3(t)
	s3, err := storage.NewS3(ctx, cfg)
	require.NoError(t, err)
	require.NoError(t, s3.Put(ctx, "tenants/firm/x", bytes.NewReader([]byte("x")), storage.PutOptions{}))
	require.ErrorIs(t, storage.SetLegalHold(ctx, s3, "tenants/firm/x", true), storage.ErrUnsupported)
}
