package storage_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/internal/testenv"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/storagetest"
)

// testPartSize is S3's minimum, so the suite's large objects take the
// multipart path with several parts.
const testPartSize = 5 << 20

func newS3(t testing.TB, cfg storage.S3Config) *storage.S3 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := storage.NewS3(ctx, cfg)
	require.NoError(t, err)
	return s
}

// rawClient talks to the test MinIO behind the store's back, to see what
// actually reached the server.
func rawClient(t testing.TB, cfg storage.S3Config) *minio.Client {
	t.Helper()
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.TLS,
	})
	require.NoError(t, err)
	return c
}

func TestS3(t *testing.T) {
	testenv.S3(t) // skip or fail here once rather than in every subtest
	storagetest.Run(t, func(t *testing.T) storage.BlobStore {
		cfg := testenv.S3(t)
		cfg.PartSize = testPartSize
		return newS3(t, cfg)
	})
}

// TestS3Prefix runs the suite on stores that share a bucket with
// neighbours whose prefixes extend or resemble theirs (attack 15 at the
// bucket level).
func TestS3Prefix(t *testing.T) {
	testenv.S3(t)
	storagetest.Run(t, func(t *testing.T) storage.BlobStore {
		cfg := testenv.S3(t)
		cfg.PartSize = testPartSize
		for _, p := range []string{"tenants/ab/", "tenants/a-b/", "tenants/", "tenant/a/"} {
			n := cfg
			n.Prefix = p
			require.NoError(t, newS3(t, n).Put(context.Background(), "x/y", strings.NewReader("neighbour"), storage.PutOptions{}))
		}
		cfg.Prefix = "tenants/a/"
		return newS3(t, cfg)
	})
}

func TestS3String(t *testing.T) {
	cfg := testenv.S3(t)
	assert.Equal(t, "s3 bucket "+cfg.Bucket+" at "+cfg.Endpoint, newS3(t, cfg).String())
	cfg.Prefix = "p/"
	assert.Equal(t, "s3 bucket "+cfg.Bucket+" at "+cfg.Endpoint+" under p/", newS3(t, cfg).String())
}

// TestS3Metadata checks objects carry nothing but the format version:
// security.md allows nothing else in x-amz-meta-* or tags.
func TestS3Metadata(t *testing.T) {
	cfg := testenv.S3(t)
	cfg.PartSize = testPartSize
	s := newS3(t, cfg)
	ctx := context.Background()
	require.NoError(t, s.Put(ctx, "small", strings.NewReader("x"), storage.PutOptions{}))
	require.NoError(t, s.Put(ctx, "multi", storagetest.Stream(1, 2*testPartSize+1), storage.PutOptions{CreateOnly: true}))

	c := rawClient(t, cfg)
	for _, key := range []string{"small", "multi"} {
		oi, err := c.StatObject(ctx, cfg.Bucket, key, minio.StatObjectOptions{})
		require.NoError(t, err)
		assert.Equal(t, "application/octet-stream", oi.ContentType, "content type of %s", key)
		assert.Equal(t, minio.StringMap{"Mf-Format": "1"}, oi.UserMetadata, "user metadata of %s", key)
		for h := range oi.Metadata {
			if strings.HasPrefix(strings.ToLower(h), "x-amz-meta-") {
				assert.Equal(t, "x-amz-meta-mf-format", strings.ToLower(h), "metadata header on %s", key)
			}
		}
		assert.Zero(t, oi.UserTagCount, "tags on %s", key)
	}
}

func TestS3CreateOnlyLeavesNoUpload(t *testing.T) {
	cfg := testenv.S3(t)
	cfg.PartSize = testPartSize
	s := newS3(t, cfg)
	ctx := context.Background()
	require.NoError(t, s.Put(ctx, "k", strings.NewReader("x"), storage.PutOptions{}))
	err := s.Put(ctx, "k", storagetest.Stream(1, 3*testPartSize), storage.PutOptions{CreateOnly: true})
	require.ErrorIs(t, err, storage.ErrExists)
	err = s.Put(ctx, "m", &failAfter{r: storagetest.Stream(1, 3*testPartSize), n: 2 * testPartSize}, storage.PutOptions{})
	require.Error(t, err)

	for up := range rawClient(t, cfg).ListIncompleteUploads(ctx, cfg.Bucket, "", true) {
		require.NoError(t, up.Err)
		t.Errorf("multipart upload of %s left behind", up.Key)
	}
}

type failAfter struct {
	r    interface{ Read([]byte) (int, error) }
	n, i int
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.i >= f.n {
		return 0, errors.New("source failed")
	}
	p = p[:min(len(p), f.n-f.i)]
	n, err := f.r.Read(p)
	f.i += n
	return n, err
}

func TestS3Config(t *testing.T) {
	good := storage.S3Config{Endpoint: "127.0.0.1:9000", AccessKey: "a", SecretKey: "s", Bucket: "bucket"}
	cases := []struct {
		field  string
		mutate func(*storage.S3Config)
	}{
		{"Endpoint", func(c *storage.S3Config) { c.Endpoint = "" }},
		{"Endpoint", func(c *storage.S3Config) { c.Endpoint = "http://127.0.0.1:9000" }},
		{"Endpoint", func(c *storage.S3Config) { c.Endpoint = "127.0.0.1:9000/path" }},
		{"AccessKey", func(c *storage.S3Config) { c.AccessKey = "" }},
		{"SecretKey", func(c *storage.S3Config) { c.SecretKey = "" }},
		{"Bucket", func(c *storage.S3Config) { c.Bucket = "" }},
		{"Bucket", func(c *storage.S3Config) { c.Bucket = "Upper_Case" }},
		{"Bucket", func(c *storage.S3Config) { c.Bucket = "ab" }},
		{"Prefix", func(c *storage.S3Config) { c.Prefix = "tenants" }},
		{"Prefix", func(c *storage.S3Config) { c.Prefix = "../" }},
		{"Prefix", func(c *storage.S3Config) { c.Prefix = "/" }},
		{"PartSize", func(c *storage.S3Config) { c.PartSize = 1 << 20 }},
		{"PartSize", func(c *storage.S3Config) { c.PartSize = 6 << 30 }},
	}
	for _, c := range cases {
		cfg := good
		c.mutate(&cfg)
		_, err := storage.NewS3(context.Background(), cfg)
		require.Error(t, err, "bad %s accepted", c.field)
		assert.Contains(t, err.Error(), c.field)
		assert.NotContains(t, err.Error(), "s3 bucket", "%s: rejected by the server, not by validation", c.field)
	}
}

func TestS3Unreachable(t *testing.T) {
	// A port that was just free: nothing answers there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()

	start := time.Now()
	_, err = storage.NewS3(context.Background(), storage.S3Config{
		Endpoint: addr, AccessKey: "a", SecretKey: "secret-key", Bucket: "bucket",
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot reach")
	assert.Contains(t, err.Error(), addr)
	assert.NotContains(t, err.Error(), "secret-key")
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestS3BadCredentials(t *testing.T) {
	cfg := testenv.S3(t)
	cfg.SecretKey += "-wrong"
	_, err := storage.NewS3(context.Background(), cfg)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), cfg.SecretKey)
}

// TestS3PermanentErrorsNotRetried: a bucket removed under the store gives
// an error no retry can fix, so WithRetry must give up at once.
func TestS3PermanentErrorsNotRetried(t *testing.T) {
	cfg := testenv.S3(t)
	s := newS3(t, cfg)
	ctx := context.Background()
	require.NoError(t, rawClient(t, cfg).RemoveBucket(ctx, cfg.Bucket))

	r := storage.WithRetry(s, storage.RetryPolicy{Attempts: 5, Base: 5 * time.Second})
	start := time.Now()
	err := r.Put(ctx, "k", strings.NewReader("x"), storage.PutOptions{})
	require.Error(t, err)
	_, err = r.Stat(ctx, "k")
	require.Error(t, err)
	assert.NotErrorIs(t, err, storage.ErrNotFound, "a missing bucket is not a missing object")
	assert.Less(t, time.Since(start), 2*time.Second, "retried a permanent error")
}

// TestS3IfMatchLeavesNoUpload: conditional multipart puts refused at the
// start (stale ETag) or at completion (replaced midway) abort their upload.
func TestS3IfMatchLeavesNoUpload(t *testing.T) {
	cfg := testenv.S3(t)
	cfg.PartSize = testPartSize
	s := newS3(t, cfg)
	ctx := context.Background()
	require.NoError(t, s.Put(ctx, "k", strings.NewReader("one"), storage.PutOptions{}))
	stale, err := s.Stat(ctx, "k")
	require.NoError(t, err)
	require.NoError(t, s.Put(ctx, "k", strings.NewReader("two"), storage.PutOptions{}))

	err = s.Put(ctx, "k", storagetest.Stream(1, 3*testPartSize), storage.PutOptions{IfMatch: stale.ETag})
	require.ErrorIs(t, err, storage.ErrPrecondition)
	err = s.Put(ctx, "missing", storagetest.Stream(1, 3*testPartSize), storage.PutOptions{IfMatch: stale.ETag})
	require.ErrorIs(t, err, storage.ErrPrecondition)

	// Replaced once the upload has begun: refused by the completion.
	cur, err := s.Stat(ctx, "k")
	require.NoError(t, err)
	r := &hookReader{r: storagetest.Stream(2, 3*testPartSize), at: 2 * testPartSize, hook: func() {
		require.NoError(t, s.Put(ctx, "k", strings.NewReader("three"), storage.PutOptions{}))
	}}
	err = s.Put(ctx, "k", r, storage.PutOptions{IfMatch: cur.ETag})
	require.ErrorIs(t, err, storage.ErrPrecondition)

	c := rawClient(t, cfg)
	for up := range c.ListIncompleteUploads(ctx, cfg.Bucket, "", true) {
		require.NoError(t, up.Err)
		t.Errorf("multipart upload of %s left behind", up.Key)
	}
	oi, err := c.StatObject(ctx, cfg.Bucket, "k", minio.StatObjectOptions{})
	require.NoError(t, err)
	assert.EqualValues(t, len("three"), oi.Size)
}

// hookReader runs hook once, when at bytes have been read.
type hookReader struct {
	r    interface{ Read([]byte) (int, error) }
	n    int
	at   int
	hook func()
}

func (h *hookReader) Read(p []byte) (int, error) {
	if h.hook != nil && h.n >= h.at {
		h.hook()
		h.hook = nil
	}
	if rest := h.at - h.n; rest > 0 && len(p) > rest {
		p = p[:rest]
	}
	n, err := h.r.Read(p)
	h.n += n
	return n, err
}
