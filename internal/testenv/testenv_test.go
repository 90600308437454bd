package testenv

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/storage"
)

// recorder stands in for the test a helper is given, to see whether the
// helper failed or skipped it without ending the real test.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper()           {}
func (r *recorder) Cleanup(fn func()) {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Skipf(format string, args ...any) {
	r.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func call(t *testing.T, fn func(testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(r)
	}()
	<-done
	return r
}

// deadAddr is a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestMissingServer(t *testing.T) {
	helpers := map[string]func(testing.TB){
		"S3":           func(tb testing.TB) { S3(tb) },
		"MinIODataDir": func(tb testing.TB) { MinIODataDir(tb) },
		"RedisAddr":    func(tb testing.TB) { RedisAddr(tb) },
	}
	setups := map[string]func(t *testing.T) string{
		"unset": func(t *testing.T) string {
			for _, v := range []string{EnvS3Endpoint, EnvS3AccessKey, EnvS3SecretKey, EnvMinIOData, EnvRedisAddr} {
				t.Setenv(v, "")
			}
			return `MATTERFILE_TEST_\w+ is not set`
		},
		"silent": func(t *testing.T) string {
			addr := deadAddr(t)
			t.Setenv(EnvS3Endpoint, addr)
			t.Setenv(EnvS3AccessKey, "a")
			t.Setenv(EnvS3SecretKey, "b")
			t.Setenv(EnvRedisAddr, addr)
			t.Setenv(EnvMinIOData, t.TempDir()+"/missing")
			return `MATTERFILE_TEST_\w+=\S+ (does not answer|is not a directory)`
		},
	}
	for hname, helper := range helpers {
		for sname, setup := range setups {
			for _, ci := range []string{"true", ""} {
				t.Run(fmt.Sprintf("%s %s CI=%s", hname, sname, ci), func(t *testing.T) {
					want := setup(t)
					t.Setenv("CI", ci)
					r := call(t, helper)
					msg := r.skip
					if ci == "true" {
						assert.Empty(t, r.skip, "skipped under CI")
						msg = r.fatal
					} else {
						assert.Empty(t, r.fatal, "failed outside CI")
					}
					assert.Regexp(t, regexp.MustCompile(want), msg)
					assert.Contains(t, msg, "required under CI; run scripts/test")
				})
			}
		}
	}
}

func TestS3BucketNames(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	t.Setenv(EnvS3Endpoint, l.Addr().String())
	t.Setenv(EnvS3AccessKey, "a")
	t.Setenv(EnvS3SecretKey, "b")
	seen := map[string]bool{}
	for range 20 {
		r := &recorder{TB: t}
		cfg := S3(r)
		assert.Regexp(t, `^mf-test-[0-9a-f]{16}$`, cfg.Bucket)
		assert.False(t, seen[cfg.Bucket], "bucket name reused")
		seen[cfg.Bucket] = true
		assert.False(t, cfg.TLS)
		assert.Equal(t, l.Addr().String(), cfg.Endpoint)
	}
}

// TestS3CleanupRemovesBucket: what a test leaves in its bucket, unfinished
// uploads included, goes away with the bucket when the test ends.
func TestS3CleanupRemovesBucket(t *testing.T) {
	var cfg storage.S3Config
	ctx := context.Background()
	t.Run("user", func(t *testing.T) {
		cfg = S3(t)
		s, err := storage.NewS3(ctx, cfg)
		require.NoError(t, err)
		require.NoError(t, s.Put(ctx, "a/b", strings.NewReader("x"), storage.PutOptions{}))
		c, err := minio.NewCore(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")})
		require.NoError(t, err)
		_, err = c.NewMultipartUpload(ctx, cfg.Bucket, "unfinished", minio.PutObjectOptions{})
		require.NoError(t, err)
	})
	if cfg.Bucket == "" {
		t.SkipNow()
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")})
	require.NoError(t, err)
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	require.NoError(t, err)
	assert.False(t, ok, "bucket left behind")
}
