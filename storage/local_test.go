package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/storagetest"
)

func newLocal(t *testing.T, dir string) *storage.Local {
	t.Helper()
	s, err := storage.NewLocal(dir)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestLocal(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.BlobStore {
		return newLocal(t, t.TempDir())
	})
}

func TestLocalString(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	s := newLocal(t, "store")
	assert.Equal(t, "local directory "+filepath.Join(dir, "store"), s.String())
}

func TestLocalModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "store")
	s := newLocal(t, dir)
	ctx := context.Background()
	require.NoError(t, s.Put(ctx, "a/b/c", strings.NewReader("x"), storage.PutOptions{}))
	require.NoError(t, s.Put(ctx, "a/d", strings.NewReader("x"), storage.PutOptions{CreateOnly: true}))

	for _, d := range []string{"", "a", "a/b"} {
		fi, err := os.Stat(filepath.Join(dir, d))
		require.NoError(t, err)
		assert.Equal(t, fs.FileMode(0o700), fi.Mode().Perm(), "mode of directory %q", d)
	}
	for _, f := range []string{"a/b/c", "a/d"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err)
		assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm(), "mode of file %s", f)
	}
}

// tempFiles lists leftover temp files anywhere below dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".tmp-") {
			found = append(found, p)
		}
		return nil
	}))
	return found
}

// midwayReader yields some data, then fails.
type midwayReader struct{ n int }

func (r *midwayReader) Read(p []byte) (int, error) {
	if r.n >= 3<<20 {
		return 0, errors.New("source failed")
	}
	n := min(len(p), 64<<10)
	clear(p[:n])
	r.n += n
	return n, nil
}

func TestLocalNoTempFileAfterFailure(t *testing.T) {
	dir := t.TempDir()
	s := newLocal(t, dir)
	ctx := context.Background()
	require.NoError(t, s.Put(ctx, "x/exists", strings.NewReader("v"), storage.PutOptions{}))

	for _, co := range []bool{false, true} {
		for _, key := range []string{"x/new", "x/exists", "y/z/new"} {
			err := s.Put(ctx, key, &midwayReader{}, storage.PutOptions{CreateOnly: co})
			require.Error(t, err)
		}
	}
	err := s.Put(ctx, "x/exists", strings.NewReader("w"), storage.PutOptions{CreateOnly: true})
	require.ErrorIs(t, err, storage.ErrExists)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, s.Put(cctx, "x/cancelled", strings.NewReader("v"), storage.PutOptions{}), context.Canceled)

	assert.Empty(t, tempFiles(t, dir))
}

// TestLocalTempFilesInvisible plants what a crash mid-put leaves behind and
// checks no operation reports it.
func TestLocalTempFilesInvisible(t *testing.T) {
	dir := t.TempDir()
	s := newLocal(t, dir)
	ctx := context.Background()
	require.NoError(t, s.Put(ctx, "a/b", strings.NewReader("v"), storage.PutOptions{}))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a", ".tmp-deadbeef"), []byte("partial"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".hidden"), []byte("x"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Upper"), []byte("x"), 0o600))

	var keys []string
	require.NoError(t, s.List(ctx, "", func(i storage.Info) error { keys = append(keys, i.Key); return nil }))
	assert.Equal(t, []string{"a/b"}, keys)
}

// TestLocalSymlinks plants symlinks in the store pointing outside it: none
// may be followed for reading or writing.
func TestLocalSymlinks(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret")
	require.NoError(t, os.WriteFile(secret, []byte("outside the store"), 0o600))

	s := newLocal(t, dir)
	ctx := context.Background()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "a"), 0o700))
	links := map[string]string{
		"a/passwd": "/etc/passwd", // absolute, to a file
		"a/secret": secret,        // absolute, to a writable file
		"a/rel":    "../../" + filepath.Base(outside) + "/secret",
		"etc":      "/etc",     // a directory outside
		"out":      outside,    // a writable directory outside
		"b":        "a/passwd", // inside, but to a link
	}
	for name, target := range links {
		require.NoError(t, os.Symlink(target, filepath.Join(dir, name)))
	}

	for _, key := range []string{"a/passwd", "a/secret", "a/rel", "etc/passwd", "out/secret", "b"} {
		rc, err := s.Get(ctx, key)
		if !assert.Error(t, err, "get %s followed a symlink", key) {
			b, _ := io.ReadAll(rc)
			rc.Close()
			assert.NotContains(t, string(b), "root:")
			continue
		}
		_, err = s.Stat(ctx, key)
		assert.Error(t, err, "stat %s", key)
		assert.Error(t, s.Delete(ctx, key), "delete %s", key)
	}

	var keys []string
	require.NoError(t, s.List(ctx, "", func(i storage.Info) error { keys = append(keys, i.Key); return nil }))
	assert.Empty(t, keys, "list reported a symlink")
	for _, p := range []string{"etc/", "out/"} {
		require.NoError(t, s.List(ctx, p, func(i storage.Info) error { keys = append(keys, i.Key); return nil }))
		assert.Empty(t, keys, "list %s went through a symlink", p)
	}

	// Writes through a symlinked directory must fail; writes onto a
	// symlinked key replace the link, never the target.
	for _, co := range []bool{false, true} {
		err := s.Put(ctx, "out/secret", strings.NewReader("overwritten"), storage.PutOptions{CreateOnly: co})
		assert.Error(t, err, "put through a symlinked directory")
		err = s.Put(ctx, "out/new", strings.NewReader("planted"), storage.PutOptions{CreateOnly: co})
		assert.Error(t, err, "put of a new file through a symlinked directory")
	}
	err := s.Put(ctx, "a/secret", strings.NewReader("overwritten"), storage.PutOptions{CreateOnly: true})
	assert.Error(t, err, "create-only put onto a symlink")
	require.NoError(t, s.Put(ctx, "a/secret", strings.NewReader("overwritten"), storage.PutOptions{}))

	b, err := os.ReadFile(secret)
	require.NoError(t, err)
	assert.Equal(t, "outside the store", string(b), "a write went through a symlink")
	_, err = os.Stat(filepath.Join(outside, "new"))
	assert.ErrorIs(t, err, fs.ErrNotExist)
	fi, err := os.Lstat(filepath.Join(dir, "a", "secret"))
	require.NoError(t, err)
	assert.True(t, fi.Mode().IsRegular(), "the symlink was replaced by the object")
	assert.Empty(t, tempFiles(t, dir))
}

// TestLocalKeyIsDirectory: a key naming a directory holds no object, and a
// key cannot become both an object and a directory.
func TestLocalKeyIsDirectory(t *testing.T) {
	s := newLocal(t, t.TempDir())
	ctx := context.Background()
	require.NoError(t, s.Put(ctx, "a/b", strings.NewReader("v"), storage.PutOptions{}))
	for _, co := range []bool{false, true} {
		err := s.Put(ctx, "a", bytes.NewReader(nil), storage.PutOptions{CreateOnly: co})
		require.Error(t, err)
		assert.NotErrorIs(t, err, storage.ErrExists, "a directory is not an object")
		err = s.Put(ctx, "a/b/c", bytes.NewReader(nil), storage.PutOptions{CreateOnly: co})
		require.Error(t, err)
	}
}

// envCASChild makes the test binary a child of TestLocalIfMatchAcrossProcesses,
// incrementing the counter in the store named by it.
const envCASChild = "MATTERFILE_TEST_LOCAL_CAS_DIR"

// incrementCounter adds n to the decimal counter at key by read-modify-write
// with IfMatch, trying again on ErrPrecondition.
func incrementCounter(ctx context.Context, s storage.BlobStore, key string, n int) error {
	for range n {
		for attempt := 0; ; attempt++ {
			if attempt > 10000 {
				return errors.New("no progress after 10000 attempts")
			}
			info, err := s.Stat(ctx, key)
			if err != nil {
				return err
			}
			rc, err := s.Get(ctx, key)
			if err != nil {
				return err
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return err
			}
			v, err := strconv.Atoi(string(b))
			if err != nil {
				return err
			}
			err = s.Put(ctx, key, strings.NewReader(strconv.Itoa(v+1)), storage.PutOptions{IfMatch: info.ETag})
			if err == nil {
				break
			}
			if !errors.Is(err, storage.ErrPrecondition) {
				return err
			}
		}
	}
	return nil
}

// TestLocalIfMatchAcrossProcesses has several processes, each with several
// goroutines, increment one counter through their own Local on the same
// directory: the store lock must make IfMatch atomic between processes as
// well as within one, so no increment is lost.
func TestLocalIfMatchAcrossProcesses(t *testing.T) {
	const (
		procs      = 3
		goroutines = 3
		increments = 15
	)
	ctx := context.Background()
	if dir := os.Getenv(envCASChild); dir != "" {
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				// Each goroutine has its own Local, hence its own lock file
				// descriptor, as separate processes do.
				s := newLocal(t, dir)
				if err := incrementCounter(ctx, s, "counter", increments); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		return
	}

	dir := t.TempDir()
	s := newLocal(t, dir)
	require.NoError(t, s.Put(ctx, "counter", strings.NewReader("0"), storage.PutOptions{}))
	var cmds []*exec.Cmd
	for range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLocalIfMatchAcrossProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), envCASChild+"="+dir)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		require.NoError(t, cmd.Start())
		cmds = append(cmds, cmd)
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("child output:\n%s", out.String())
			}
		})
	}
	for i, cmd := range cmds {
		assert.NoError(t, cmd.Wait(), "child %d", i)
	}
	rc, err := s.Get(ctx, "counter")
	require.NoError(t, err)
	b, err := io.ReadAll(rc)
	rc.Close()
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(procs*goroutines*increments), string(b), "increments were lost")
	assert.Empty(t, tempFiles(t, dir))
}

// TestLocalETagFormat: the ETag is inode, size and stamp, and the stamp
// keeps the digits below the microsecond that make it unique (see Local).
func TestLocalETagFormat(t *testing.T) {
	s := newLocal(t, t.TempDir())
	ctx := context.Background()
	require.NoError(t, s.Put(ctx, "k", strings.NewReader("v"), storage.PutOptions{}))
	info, err := s.Stat(ctx, "k")
	require.NoError(t, err)
	assert.NotZero(t, info.Modified.Nanosecond()%1000, "the stamp keeps sub-microsecond digits")
	assert.Regexp(t, `^[0-9a-f]+-[0-9a-f]+-[0-9a-f]+$`, info.ETag)
}
