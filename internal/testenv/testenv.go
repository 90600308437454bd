// Package testenv gives tests the real servers they need (MinIO, Redis),
// as started by scripts/test and announced in MATTERFILE_TEST_* variables.
//
// A missing or silent server skips the test on a developer's machine, and
// fails it when CI=true: under CI a skipped security test is a test that did
// not run, so it must not look like a pass.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/matterfile/matterfile/storage"
)

// The variables scripts/test exports.
const (
	EnvS3Endpoint  = "MATTERFILE_TEST_S3_ENDPOINT"
	EnvS3AccessKey = "MATTERFILE_TEST_S3_ACCESS_KEY"
	EnvS3SecretKey = "MATTERFILE_TEST_S3_SECRET_KEY"
	EnvMinIOData   = "MATTERFILE_TEST_MINIO_DATA"
	EnvRedisAddr   = "MATTERFILE_TEST_REDIS_ADDR"
)

const dialTimeout = 2 * time.Second

// unavailable stops the test because a server it needs is not there.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

func requireEnv(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		unavailable(t, "%s is not set; it is required under CI; run scripts/test", name)
	}
	return v
}

func requireAnswer(t testing.TB, name, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		unavailable(t, "%s=%s does not answer (%v); it is required under CI; run scripts/test", name, addr, err)
		return
	}
	c.Close()
}

// S3 returns the config of a fresh bucket on the test MinIO. The bucket
// does not exist yet (storage.NewS3 creates it); whatever a test leaves in
// it is removed, with the bucket, when the test ends.
func S3(t testing.TB) storage.S3Config {
	t.Helper()
	endpoint := requireEnv(t, EnvS3Endpoint)
	access := requireEnv(t, EnvS3AccessKey)
	secret := requireEnv(t, EnvS3SecretKey)
	requireAnswer(t, EnvS3Endpoint, endpoint)

	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random bucket name: %v", err)
	}
	cfg := storage.S3Config{
		Endpoint:  endpoint,
		AccessKey: access,
		SecretKey: secret,
		Bucket:    "mf-test-" + hex.EncodeToString(b[:]),
	}
	t.Cleanup(func() { removeBucket(t, cfg) })
	return cfg
}

// AlsoRemove removes bucket, on cfg's endpoint, when the test ends: for
// buckets a test makes matterfile create beside cfg's (keys, per-tenant).
func AlsoRemove(t testing.TB, cfg storage.S3Config, bucket string) {
	other := cfg
	other.Bucket = bucket
	t.Cleanup(func() { removeBucket(t, other) })
}

// removeBucket empties and removes the bucket, best effort: a leftover only
// costs space in a throwaway MinIO.
func removeBucket(t testing.TB, cfg storage.S3Config) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.TLS,
	})
	if err != nil {
		t.Logf("cleanup of bucket %s: %v", cfg.Bucket, err)
		return
	}
	if ok, err := c.BucketExists(ctx, cfg.Bucket); err != nil || !ok {
		return
	}
	for up := range c.ListIncompleteUploads(ctx, cfg.Bucket, "", true) {
		if up.Err == nil {
			c.RemoveIncompleteUpload(ctx, cfg.Bucket, up.Key)
		}
	}
	objs := c.ListObjects(ctx, cfg.Bucket, minio.ListObjectsOptions{Recursive: true, WithVersions: true})
	for r := range c.RemoveObjects(ctx, cfg.Bucket, objs, minio.RemoveObjectsOptions{}) {
		t.Logf("cleanup of bucket %s: remove object: %v", cfg.Bucket, r.Err)
	}
	if err := c.RemoveBucket(ctx, cfg.Bucket); err != nil {
		t.Logf("cleanup of bucket %s: %v", cfg.Bucket, err)
	}
}

// MinIODataDir returns the directory the test MinIO stores its data in,
// for tests that scan what reached the disk.
func MinIODataDir(t testing.TB) string {
	t.Helper()
	dir := requireEnv(t, EnvMinIOData)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		unavailable(t, "%s=%s is not a directory; it is required under CI; run scripts/test", EnvMinIOData, dir)
	}
	return dir
}

// RedisAddr returns the host:port of the test Redis.
func RedisAddr(t testing.TB) string {
	t.Helper()
	addr := requireEnv(t, EnvRedisAddr)
	requireAnswer(t, EnvRedisAddr, addr)
	return addr
}

// MinIOBinary returns the MinIO binary scripts/test caches under
// <repo>/.cache/bin, for tests that run a MinIO of their own (to stop and
// restart it). repo is the repository root, relative to the test's package.
func MinIOBinary(t testing.TB, repo string) string {
	t.Helper()
	bin, err := filepath.Abs(filepath.Join(repo, ".cache", "bin", "minio"))
	if err != nil {
		t.Fatalf("minio binary: %v", err)
	}
	if fi, err := os.Stat(bin); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		unavailable(t, "%s is not an executable; it is required under CI; run scripts/test, which builds it", bin)
	}
	return bin
}
