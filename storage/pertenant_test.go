package storage_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/internal/testenv"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/storagetest"
)

// localRouter routes to local stores: base/shared, and base/tenants/<t>
// for tenant t. opens counts the tenant stores opened.
type localRouter struct {
	*storage.Router
	base  string
	opens atomic.Int32
}

func newLocalRouter(t *testing.T, base string, enumerate bool) *localRouter {
	t.Helper()
	shared, err := storage.NewLocal(filepath.Join(base, "shared"))
	require.NoError(t, err)
	lr := &localRouter{base: base}
	tenantsDir := filepath.Join(base, "tenants")
	open := func(ctx context.Context, tenant string) (storage.BlobStore, error) {
		lr.opens.Add(1)
		return storage.NewLocal(filepath.Join(tenantsDir, tenant))
	}
	var tenants func(context.Context) ([]string, error)
	if enumerate {
		tenants = func(context.Context) ([]string, error) {
			des, err := os.ReadDir(tenantsDir)
			if errors.Is(err, fs.ErrNotExist) {
				return nil, nil
			}
			var ts []string
			for _, de := range des {
				ts = append(ts, de.Name())
			}
			return ts, err
		}
	}
	lr.Router = storage.NewRouter(shared, open, tenants)
	t.Cleanup(func() { lr.Close() })
	return lr
}

func TestRouterLocal(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.BlobStore {
		return newLocalRouter(t, t.TempDir(), true)
	})
}

// TestRouterRoutes checks where each key physically lands: a tenant's keys
// in its own store under the same key, everything else in the shared one.
func TestRouterRoutes(t *testing.T) {
	base := t.TempDir()
	r := newLocalRouter(t, base, true)
	ctx := context.Background()
	keys := map[string]string{
		"tenants/a/x":        "tenants/a/tenants/a/x",
		"tenants/a/y/z":      "tenants/a/tenants/a/y/z",
		"tenants/a-b/x":      "tenants/a-b/tenants/a-b/x",
		"tenants/b/x":        "tenants/b/tenants/b/x",
		"registry/tenants/a": "shared/registry/tenants/a",
		"tenants/c":          "shared/tenants/c",
		"tenantsx/a/x":       "shared/tenantsx/a/x",
	}
	for k := range keys {
		require.NoError(t, r.Put(ctx, k, strings.NewReader(k), storage.PutOptions{}))
	}
	for k, file := range keys {
		b, err := os.ReadFile(filepath.Join(base, file))
		require.NoError(t, err, "%s is not in %s", k, file)
		assert.Equal(t, k, string(b))
	}
	for _, wrong := range []string{"shared/tenants/a", "tenants/b/tenants/a", "tenants/a/tenants/b", "tenants/c"} {
		_, err := os.Stat(filepath.Join(base, wrong))
		assert.ErrorIs(t, err, fs.ErrNotExist, "%s exists", wrong)
	}

	all := slices.Sorted(func(yield func(string) bool) {
		for k := range keys {
			if !yield(k) {
				return
			}
		}
	})
	assert.Equal(t, all, listKeys(t, r, ""))
	assert.Equal(t, []string{"tenants/a-b/x", "tenants/a/x", "tenants/a/y/z", "tenants/b/x", "tenants/c"}, listKeys(t, r, "tenants/"))
	assert.Equal(t, []string{"tenants/a/x", "tenants/a/y/z"}, listKeys(t, r, "tenants/a/"))
	assert.Equal(t, []string{"tenants/a/y/z"}, listKeys(t, r, "tenants/a/y/"))
	assert.Equal(t, []string{"registry/tenants/a"}, listKeys(t, r, "registry/"))
}

func listKeys(t testing.TB, s storage.BlobStore, prefix string) []string {
	t.Helper()
	keys := []string{}
	require.NoError(t, s.List(context.Background(), prefix, func(i storage.Info) error {
		keys = append(keys, i.Key)
		return nil
	}))
	return keys
}

// TestRouterOpensOnce: concurrent first uses of a tenant open its store
// once, and a failed open is tried again by the next use.
func TestRouterOpensOnce(t *testing.T) {
	r := newLocalRouter(t, t.TempDir(), true)
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			_, err := r.Stat(ctx, "tenants/a/x")
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, r.opens.Load())

	fail := errors.New("endpoint down")
	var calls atomic.Int32
	shared, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	flaky := storage.NewRouter(shared, func(ctx context.Context, tenant string) (storage.BlobStore, error) {
		if calls.Add(1) == 1 {
			return nil, fail
		}
		return storage.NewLocal(filepath.Join(t.TempDir(), tenant))
	}, nil)
	defer flaky.Close()
	err = flaky.Put(ctx, "tenants/a/x", strings.NewReader("v"), storage.PutOptions{})
	require.ErrorIs(t, err, fail)
	assert.Contains(t, err.Error(), "tenants/a/x")
	require.NoError(t, flaky.Put(ctx, "tenants/a/x", strings.NewReader("v"), storage.PutOptions{}))
	assert.EqualValues(t, 2, calls.Load())
}

// TestRouterWithoutEnumerator: a router that cannot enumerate its tenants
// refuses Lists spanning them, clearly, and serves every other.
func TestRouterWithoutEnumerator(t *testing.T) {
	r := newLocalRouter(t, t.TempDir(), false)
	ctx := context.Background()
	require.NoError(t, r.Put(ctx, "tenants/a/x", strings.NewReader("v"), storage.PutOptions{}))
	require.NoError(t, r.Put(ctx, "registry/tenants/a", strings.NewReader("v"), storage.PutOptions{}))
	for _, p := range []string{"", "tenants/"} {
		err := r.List(ctx, p, func(storage.Info) error {
			t.Errorf("list %q reported an object", p)
			return nil
		})
		require.Error(t, err, "list %q", p)
		assert.Contains(t, err.Error(), "spans tenants")
	}
	assert.Equal(t, []string{"tenants/a/x"}, listKeys(t, r, "tenants/a/"))
	assert.Equal(t, []string{"registry/tenants/a"}, listKeys(t, r, "registry/"))
}

// TestRouterIgnoresLeftovers: tenant objects in the shared store, left
// from prefix isolation, are neither listed nor read through the router.
func TestRouterIgnoresLeftovers(t *testing.T) {
	base := t.TempDir()
	r := newLocalRouter(t, base, true)
	ctx := context.Background()
	old := newLocal(t, filepath.Join(base, "shared"))
	require.NoError(t, old.Put(ctx, "tenants/a/old", strings.NewReader("v"), storage.PutOptions{}))
	require.NoError(t, r.Put(ctx, "tenants/a/new", strings.NewReader("v"), storage.PutOptions{}))
	assert.Equal(t, []string{"tenants/a/new"}, listKeys(t, r, ""))
	assert.Equal(t, []string{"tenants/a/new"}, listKeys(t, r, "tenants/"))
	_, err := r.Stat(ctx, "tenants/a/old")
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func TestRouterClosed(t *testing.T) {
	r := newLocalRouter(t, t.TempDir(), true)
	ctx := context.Background()
	require.NoError(t, r.Put(ctx, "tenants/a/x", strings.NewReader("v"), storage.PutOptions{}))
	require.NoError(t, r.Close())
	_, err := r.Stat(ctx, "tenants/a/x")
	require.Error(t, err)
	_, err = r.Stat(ctx, "tenants/b/x")
	require.Error(t, err)
}

func TestTenantBucket(t *testing.T) {
	name, err := storage.TenantBucket("mf", "acme")
	require.NoError(t, err)
	assert.Equal(t, "mf-acme", name)
	name, err = storage.TenantBucket("mf", strings.Repeat("a", 60))
	require.NoError(t, err)
	assert.Len(t, name, 63)

	long := strings.Repeat("b", 61)
	_, err = storage.TenantBucket("mf", long)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tenant "+long, "the error must name the tenant")
	assert.Contains(t, err.Error(), "63")
	assert.Contains(t, err.Error(), "at most 60")

	for _, tenant := range []string{"a-", "x-s3alias", "x--ol-s3", "x--x-s3"} {
		_, err := storage.TenantBucket("mf", tenant)
		require.Error(t, err, "tenant %s", tenant)
		assert.Contains(t, err.Error(), "tenant "+tenant)
	}
	for _, tenant := range []string{"", "A", "../x", strings.Repeat("c", 65)} {
		_, err := storage.TenantBucket("mf", tenant)
		require.Error(t, err, "tenant %q", tenant)
		if len(tenant) > 1 {
			assert.NotContains(t, err.Error(), tenant, "an invalid ID must not be quoted")
		}
	}
}

// TestPerTenantS3Config: bad prefixes and a shared bucket named like a
// tenant bucket are refused before any request.
func TestPerTenantS3Config(t *testing.T) {
	good := storage.S3Config{Endpoint: "127.0.0.1:9", AccessKey: "a", SecretKey: "s", Bucket: "mf-shared"}
	for _, prefix := range []string{"", "MF", "mf.x", "mf-", "-mf", "mf_x", "m f", strings.Repeat("m", 62), "sthree", "xn-"} {
		_, err := storage.NewPerTenantS3(context.Background(), good, prefix)
		require.Error(t, err, "prefix %q", prefix)
		assert.Contains(t, err.Error(), "prefix", "prefix %q", prefix)
		assert.NotContains(t, err.Error(), "cannot reach", "prefix %q rejected by the server, not by validation", prefix)
	}
	cfg := good
	cfg.Bucket = "mf-registry"
	_, err := storage.NewPerTenantS3(context.Background(), cfg, "mf")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "mf-registry")
	assert.NotContains(t, err.Error(), "cannot reach")

	cfg.Bucket = ""
	_, err = storage.NewPerTenantS3(context.Background(), cfg, "mf")
	require.ErrorContains(t, err, "Bucket")
}

// newPerTenantS3 returns a router on a fresh shared bucket whose name is
// also the tenant bucket prefix, and removes its tenant buckets at the end.
func newPerTenantS3(t testing.TB) (*storage.Router, storage.S3Config) {
	t.Helper()
	cfg := testenv.S3(t)
	cfg.PartSize = testPartSize
	t.Cleanup(func() { removeTenantBuckets(t, cfg, cfg.Bucket) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := storage.NewPerTenantS3(ctx, cfg, cfg.Bucket)
	require.NoError(t, err)
	return r, cfg
}

// removeTenantBuckets empties and removes the buckets named <prefix>-*,
// best effort: a leftover only costs space in a throwaway MinIO.
func removeTenantBuckets(t testing.TB, cfg storage.S3Config, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := rawClient(t, cfg)
	buckets, err := c.ListBuckets(ctx)
	if err != nil {
		t.Logf("cleanup of tenant buckets %s-*: %v", prefix, err)
		return
	}
	for _, b := range buckets {
		if !strings.HasPrefix(b.Name, prefix+"-") {
			continue
		}
		for up := range c.ListIncompleteUploads(ctx, b.Name, "", true) {
			if up.Err == nil {
				c.RemoveIncompleteUpload(ctx, b.Name, up.Key)
			}
		}
		objs := c.ListObjects(ctx, b.Name, minio.ListObjectsOptions{Recursive: true, WithVersions: true})
		for r := range c.RemoveObjects(ctx, b.Name, objs, minio.RemoveObjectsOptions{}) {
			t.Logf("cleanup of bucket %s: remove object: %v", b.Name, r.Err)
		}
		if err := c.RemoveBucket(ctx, b.Name); err != nil {
			t.Logf("cleanup of bucket %s: %v", b.Name, err)
		}
	}
}

func TestPerTenantS3(t *testing.T) {
	testenv.S3(t)
	storagetest.Run(t, func(t *testing.T) storage.BlobStore {
		r, _ := newPerTenantS3(t)
		return r
	})
}

// TestPerTenantS3Placement looks behind the router's back: tenant a's
// objects are in bucket <prefix>-a, under the same keys, and nowhere else.
func TestPerTenantS3Placement(t *testing.T) {
	r, cfg := newPerTenantS3(t)
	ctx := context.Background()
	keys := []string{"tenants/a/x", "tenants/a/y/z", "tenants/b/x", "registry/tenants/a", "registry/tenants/b"}
	for _, k := range keys {
		require.NoError(t, r.Put(ctx, k, strings.NewReader("opaque "+k), storage.PutOptions{}))
	}

	c := rawClient(t, cfg)
	bucketKeys := func(bucket string) []string {
		t.Helper()
		var got []string
		for oi := range c.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
			require.NoError(t, oi.Err, "list bucket %s", bucket)
			got = append(got, oi.Key)
		}
		return got
	}
	prefix := cfg.Bucket
	assert.Equal(t, []string{"tenants/a/x", "tenants/a/y/z"}, bucketKeys(prefix+"-a"))
	assert.Equal(t, []string{"tenants/b/x"}, bucketKeys(prefix+"-b"))
	assert.Equal(t, []string{"registry/tenants/a", "registry/tenants/b"}, bucketKeys(cfg.Bucket))

	for _, bucket := range []string{prefix + "-b", cfg.Bucket} {
		_, err := c.StatObject(ctx, bucket, "tenants/a/x", minio.StatObjectOptions{})
		assert.Equal(t, "NoSuchKey", minio.ToErrorResponse(err).Code, "tenant a's object is in %s", bucket)
	}
	rc, err := c.GetObject(ctx, prefix+"-a", "tenants/a/x", minio.GetObjectOptions{})
	require.NoError(t, err)
	b, err := io.ReadAll(rc)
	rc.Close()
	require.NoError(t, err)
	assert.Equal(t, "opaque tenants/a/x", string(b))

	// The router's own view agrees, across buckets and in order.
	assert.Equal(t, slices.Sorted(slices.Values(keys)), listKeys(t, r, ""))
	assert.Equal(t, []string{"tenants/a/x", "tenants/a/y/z"}, listKeys(t, r, "tenants/a/"))
}

// TestPerTenantS3LongTenant: a tenant whose bucket name would exceed 63
// characters fails at once, naming the tenant, without a retry or a bucket.
func TestPerTenantS3LongTenant(t *testing.T) {
	r, cfg := newPerTenantS3(t)
	ctx := context.Background()
	tenant := strings.Repeat("t", 64-len(cfg.Bucket))
	key := "tenants/" + tenant + "/x"

	rs := storage.WithRetry(r, storage.RetryPolicy{Attempts: 5, Base: 5 * time.Second})
	start := time.Now()
	err := rs.Put(ctx, key, strings.NewReader("v"), storage.PutOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tenant "+tenant)
	assert.Contains(t, err.Error(), "63")
	_, err = rs.Stat(ctx, key)
	require.Error(t, err)
	assert.NotErrorIs(t, err, storage.ErrNotFound)
	assert.Less(t, time.Since(start), 2*time.Second, "retried a bucket name that can never be valid")

	// Other tenants and the shared bucket are unaffected.
	require.NoError(t, r.Put(ctx, "tenants/ok/x", strings.NewReader("v"), storage.PutOptions{}))
	assert.Equal(t, []string{"tenants/ok/x"}, listKeys(t, r, ""))
}
