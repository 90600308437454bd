// Package storagetest is the conformance suite every storage.BlobStore
// passes: the local directory store and a real MinIO run the same tests, so
// the layers above can rely on the contract and not on one backend's
// behaviour. It covers the storage attacks of docs/security.md that belong
// to a backend: path tricks in keys (11–14) and prefix isolation (15).
package storagetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/storage"
)

// LargeSize is the size of the streamed objects the suite writes: several
// MiB and not a multiple of any usual part or buffer size, so backends with
// a part size of 5 MiB (S3's minimum) go through a three-part upload.
const LargeSize = 11<<20 + 4099

// Run runs the suite. newStore must return an empty store that no other
// call shares (a fresh directory, bucket or prefix); subtests run in
// parallel, each with its own store.
func Run(t *testing.T, newStore func(t *testing.T) storage.BlobStore) {
	open := func(t *testing.T) storage.BlobStore {
		t.Helper()
		t.Parallel()
		s := newStore(t)
		require.Empty(t, listKeys(t, s, ""), "a new store must be empty")
		return s
	}
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, open(t)) })
	t.Run("Large", func(t *testing.T) { testLarge(t, open(t)) })
	t.Run("Overwrite", func(t *testing.T) { testOverwrite(t, open(t)) })
	t.Run("CreateOnly", func(t *testing.T) { testCreateOnly(t, open(t)) })
	t.Run("CreateOnlyLarge", func(t *testing.T) { testCreateOnlyLarge(t, open(t)) })
	t.Run("CreateOnlyConcurrent", func(t *testing.T) { testCreateOnlyConcurrent(t, open(t), 100) })
	t.Run("CreateOnlyConcurrentLarge", func(t *testing.T) { testCreateOnlyConcurrent(t, open(t), LargeSize) })
	t.Run("Missing", func(t *testing.T) { testMissing(t, open(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, open(t)) })
	t.Run("ListOrder", func(t *testing.T) { testListOrder(t, open(t)) })
	t.Run("ListPrefixIsolation", func(t *testing.T) { testListPrefix(t, open(t)) })
	t.Run("ListStops", func(t *testing.T) { testListStops(t, open(t)) })
	t.Run("FailedPut", func(t *testing.T) { testFailedPut(t, open(t)) })
	t.Run("InvalidKeys", func(t *testing.T) { testInvalidKeys(t, open(t)) })
	t.Run("IfMatch", func(t *testing.T) { testIfMatch(t, open(t)) })
	t.Run("IfMatchStale", func(t *testing.T) { testIfMatchStale(t, open(t)) })
	t.Run("IfMatchMissing", func(t *testing.T) { testIfMatchMissing(t, open(t)) })
	t.Run("IfMatchLarge", func(t *testing.T) { testIfMatchLarge(t, open(t)) })
	t.Run("IfMatchInvalid", func(t *testing.T) { testIfMatchInvalid(t, open(t)) })
	t.Run("IfMatchConcurrent", func(t *testing.T) { testIfMatchConcurrent(t, open(t), 100) })
	t.Run("IfMatchConcurrentLarge", func(t *testing.T) { testIfMatchConcurrent(t, open(t), LargeSize) })
	t.Run("IfMatchReplacedMidway", func(t *testing.T) { testIfMatchReplacedMidway(t, open(t)) })
	t.Run("IfMatchNoLostUpdate", func(t *testing.T) { testIfMatchNoLostUpdate(t, open(t)) })
	t.Run("ETagChanges", func(t *testing.T) { testETagChanges(t, open(t)) })
}

// Stream yields size deterministic pseudo-random bytes derived from seed,
// generated as they are read: neither the store nor the test holds the
// object in memory.
func Stream(seed uint64, size int64) io.Reader {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	return io.LimitReader(rand.NewChaCha8(s), size)
}

// StreamSum is the SHA-256 of Stream(seed, size).
func StreamSum(t testing.TB, seed uint64, size int64) [32]byte {
	t.Helper()
	return sumReader(t, Stream(seed, size))
}

func sumReader(t testing.TB, r io.Reader) [32]byte {
	t.Helper()
	h := sha256.New()
	_, err := io.Copy(h, r)
	require.NoError(t, err)
	return [32]byte(h.Sum(nil))
}

// getSum reads the object, through the store, into a hash.
func getSum(t testing.TB, s storage.BlobStore, key string) ([32]byte, int64) {
	t.Helper()
	rc, err := s.Get(context.Background(), key)
	require.NoError(t, err, "get %s", key)
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	require.NoError(t, err, "read %s", key)
	require.NoError(t, rc.Close())
	return [32]byte(h.Sum(nil)), n
}

func put(t testing.TB, s storage.BlobStore, key string, data []byte, opts storage.PutOptions) {
	t.Helper()
	require.NoError(t, s.Put(context.Background(), key, bytes.NewReader(data), opts), "put %s", key)
}

func get(t testing.TB, s storage.BlobStore, key string) []byte {
	t.Helper()
	rc, err := s.Get(context.Background(), key)
	require.NoError(t, err, "get %s", key)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err, "read %s", key)
	return b
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

// onlyReader hides every interface but io.Reader (io.Seeker, WriterTo), so
// stores are tested on the plain streaming path callers will use.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func testRoundTrip(t *testing.T, s storage.BlobStore) {
	ctx := context.Background()
	before := time.Now().Add(-time.Hour)
	cases := map[string][]byte{
		"t1/empty":       {},
		"t1/one":         {0},
		"t1/small":       []byte("hello, blob"),
		"t1/a/b/c/d/e/f": bytes.Repeat([]byte{0xff, 0x00}, 70000),
	}
	for key, data := range cases {
		require.NoError(t, s.Put(ctx, key, onlyReader{bytes.NewReader(data)}, storage.PutOptions{}), "put %s", key)
	}
	for key, data := range cases {
		got := get(t, s, key)
		assert.True(t, bytes.Equal(data, got), "content of %s: %d bytes stored, %d read back", key, len(data), len(got))
		info, err := s.Stat(ctx, key)
		require.NoError(t, err, "stat %s", key)
		assert.Equal(t, key, info.Key)
		assert.Equal(t, int64(len(data)), info.Size, "size of %s", key)
		assert.True(t, info.Modified.After(before) && info.Modified.Before(time.Now().Add(time.Hour)),
			"modification time of %s is %v", key, info.Modified)
	}
	var infos []storage.Info
	require.NoError(t, s.List(ctx, "", func(i storage.Info) error { infos = append(infos, i); return nil }))
	require.Len(t, infos, len(cases))
	for _, i := range infos {
		assert.Equal(t, int64(len(cases[i.Key])), i.Size, "listed size of %s", i.Key)
	}
}

func testLarge(t *testing.T, s storage.BlobStore) {
	ctx := context.Background()
	want := StreamSum(t, 1, LargeSize)
	require.NoError(t, s.Put(ctx, "big/obj", Stream(1, LargeSize), storage.PutOptions{}))
	got, n := getSum(t, s, "big/obj")
	assert.Equal(t, int64(LargeSize), n)
	assert.Equal(t, want, got, "SHA-256 of the large object")
	info, err := s.Stat(ctx, "big/obj")
	require.NoError(t, err)
	assert.Equal(t, int64(LargeSize), info.Size)
}

func testOverwrite(t *testing.T, s storage.BlobStore) {
	ctx := context.Background()
	put(t, s, "k", []byte("first version, longer"), storage.PutOptions{})
	put(t, s, "k", []byte("second"), storage.PutOptions{})
	assert.Equal(t, "second", string(get(t, s, "k")))
	info, err := s.Stat(ctx, "k")
	require.NoError(t, err)
	assert.Equal(t, int64(len("second")), info.Size)

	// Small to large and back crosses a backend's single/multipart switch.
	require.NoError(t, s.Put(ctx, "k", Stream(2, LargeSize), storage.PutOptions{}))
	got, _ := getSum(t, s, "k")
	assert.Equal(t, StreamSum(t, 2, LargeSize), got)
	put(t, s, "k", []byte("third"), storage.PutOptions{})
	assert.Equal(t, "third", string(get(t, s, "k")))
	assert.Equal(t, []string{"k"}, listKeys(t, s, ""))
}

func testCreateOnly(t *testing.T, s storage.BlobStore) {
	ctx := context.Background()
	co := storage.PutOptions{CreateOnly: true}
	put(t, s, "rec/one", []byte("original"), co)
	assert.Equal(t, "original", string(get(t, s, "rec/one")))

	err := s.Put(ctx, "rec/one", bytes.NewReader([]byte("replacement")), co)
	require.ErrorIs(t, err, storage.ErrExists)
	assert.Equal(t, "original", string(get(t, s, "rec/one")), "a refused create-only put must leave the original")

	// An object written without CreateOnly is protected the same way.
	put(t, s, "rec/two", []byte("plain"), storage.PutOptions{})
	require.ErrorIs(t, s.Put(ctx, "rec/two", bytes.NewReader(nil), co), storage.ErrExists)
	assert.Equal(t, "plain", string(get(t, s, "rec/two")))

	// Once deleted, the key is free again.
	require.NoError(t, s.Delete(ctx, "rec/one"))
	put(t, s, "rec/one", []byte("again"), co)
	assert.Equal(t, "again", string(get(t, s, "rec/one")))
}

func testCreateOnlyLarge(t *testing.T, s storage.BlobStore) {
	ctx := context.Background()
	co := storage.PutOptions{CreateOnly: true}
	require.NoError(t, s.Put(ctx, "big/rec", Stream(3, LargeSize), co))
	want := StreamSum(t, 3, LargeSize)
	got, _ := getSum(t, s, "big/rec")
	require.Equal(t, want, got)

	err := s.Put(ctx, "big/rec", Stream(4, LargeSize), co)
	require.ErrorIs(t, err, storage.ErrExists, "large create-only put over a large object")
	got, _ = getSum(t, s, "big/rec")
	assert.Equal(t, want, got, "the original must be intact")

	put(t, s, "small/rec", []byte("small original"), co)
	err = s.Put(ctx, "small/rec", Stream(5, LargeSize), co)
	require.ErrorIs(t, err, storage.ErrExists, "large create-only put over a small object")
	assert.Equal(t, "small original", string(get(t, s, "small/rec")))
}

// testCreateOnlyConcurrent races 8 create-only puts of different contents
// to one key: exactly one may win, and the stored object must be the
// winner's, whole.
func testCreateOnlyConcurrent(t *testing.T, s storage.BlobStore, size int64) {
	const writers = 8
	ctx := context.Background()
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  [writers]error
	)
	for i := range writers {
		wg.Go(func() {
			<-start
			errs[i] = s.Put(ctx, "race/key", Stream(uint64(100+i), size), storage.PutOptions{CreateOnly: true})
		})
	}
	close(start)
	wg.Wait()

	winner := oneWinner(t, errs[:], storage.ErrExists, "created the key")
	got, n := getSum(t, s, "race/key")
	assert.Equal(t, size, n)
	assert.Equal(t, StreamSum(t, uint64(100+winner), size), got, "stored object is not the winner's")
	assert.Equal(t, []string{"race/key"}, listKeys(t, s, ""))
}

func testMissing(t *testing.T, s storage.BlobStore) {
	ctx := context.Background()
	put(t, s, "p/q/r", []byte("x"), storage.PutOptions{})
	// "p/q" and "p" are directories or prefixes, not objects.
	for _, key := range []string{"nothing", "p/q/s", "p/q", "p", "p/q/r/s", "q/r"} {
		rc, err := s.Get(ctx, key)
		if !assert.ErrorIs(t, err, storage.ErrNotFound, "get %s", key) && rc != nil {
			rc.Close()
		}
		assert.Nil(t, rc, "get %s returned a reader with an error", key)
		_, err = s.Stat(ctx, key)
		assert.ErrorIs(t, err, storage.ErrNotFound, "stat %s", key)
		assert.ErrorIs(t, s.Delete(ctx, key), storage.ErrNotFound, "delete %s", key)
	}
	assert.Empty(t, listKeys(t, s, "nothing/"))
	assert.Empty(t, listKeys(t, s, "p/q/r/"), "an object is not a prefix")
	assert.Equal(t, []string{"p/q/r"}, listKeys(t, s, ""))
}

func testDelete(t *testing.T, s storage.BlobStore) {
	ctx := context.Background()
	put(t, s, "d/one", []byte("1"), storage.PutOptions{})
	put(t, s, "d/two", []byte("2"), storage.PutOptions{})
	require.NoError(t, s.Delete(ctx, "d/one"))
	_, err := s.Get(ctx, "d/one")
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = s.Stat(ctx, "d/one")
	assert.ErrorIs(t, err, storage.ErrNotFound)
	assert.ErrorIs(t, s.Delete(ctx, "d/one"), storage.ErrNotFound, "second delete")
	assert.Equal(t, []string{"d/two"}, listKeys(t, s, ""))
	assert.Equal(t, "2", string(get(t, s, "d/two")))
}

func testListOrder(t *testing.T, s storage.BlobStore) {
	// Chosen so that walking directories in name order would be wrong:
	// '-' sorts before '/', which sorts before digits and letters.
	keys := []string{
		"a/y", "a-b/x", "a0", "a/b/c", "a/b-c", "a/b0", "ab/c", "b", "a-/q",
		"z/9", "z/10", "0", "m/n/o/p",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	shuffled := slices.Clone(keys)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, k := range shuffled {
		put(t, s, k, []byte(k), storage.PutOptions{})
	}
	want := slices.Clone(keys)
	slices.Sort(want)
	assert.Equal(t, want, listKeys(t, s, ""))
	assert.Equal(t, []string{"a/b-c", "a/b/c", "a/b0", "a/y"}, listKeys(t, s, "a/"))
	assert.Equal(t, []string{"z/10", "z/9"}, listKeys(t, s, "z/"))
	assert.Equal(t, []string{"m/n/o/p"}, listKeys(t, s, "m/n/"))
}

// testListPrefix is attack 15: listing tenant a must not return tenant ab.
func testListPrefix(t *testing.T, s storage.BlobStore) {
	for _, k := range []string{
		"tenants/a/x", "tenants/a/y/z", "tenants/ab/x", "tenants/a-b/x", "tenants/a0/x",
		"tenants/b/x", "tenantsx/a/x",
	} {
		put(t, s, k, []byte("v"), storage.PutOptions{})
	}
	assert.Equal(t, []string{"tenants/a/x", "tenants/a/y/z"}, listKeys(t, s, "tenants/a/"))
	assert.Equal(t, []string{"tenants/ab/x"}, listKeys(t, s, "tenants/ab/"))
	assert.Equal(t, []string{"tenants/a-b/x"}, listKeys(t, s, "tenants/a-b/"))
	assert.Len(t, listKeys(t, s, "tenants/"), 6)
	assert.Empty(t, listKeys(t, s, "tenants/c/"))
	assert.Empty(t, listKeys(t, s, "tenants/a/x/"))
	for _, bad := range []string{"tenants/a", "tenants", "tenants/a/x"} {
		err := s.List(context.Background(), bad, func(storage.Info) error {
			t.Errorf("list %q without trailing slash reported an object", bad)
			return nil
		})
		assert.ErrorIs(t, err, storage.ErrInvalidKey, "list %q", bad)
	}
}

func testListStops(t *testing.T, s storage.BlobStore) {
	for i := range 5 {
		put(t, s, fmt.Sprintf("s/%d", i), nil, storage.PutOptions{})
	}
	stop := errors.New("enough")
	var seen []string
	err := s.List(context.Background(), "", func(i storage.Info) error {
		seen = append(seen, i.Key)
		if len(seen) == 2 {
			return stop
		}
		return nil
	})
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, []string{"s/0", "s/1"}, seen)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = s.List(ctx, "", func(storage.Info) error { return nil })
	assert.ErrorIs(t, err, context.Canceled, "list with a cancelled context")
}

// failingReader yields n bytes of data, then fails.
type failingReader struct {
	r   io.Reader
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

func testFailedPut(t *testing.T, s storage.BlobStore) {
	ctx := context.Background()
	boom := errors.New("source failed")
	for _, size := range []int64{1000, LargeSize} {
		for _, co := range []bool{false, true} {
			err := s.Put(ctx, "f/new", &failingReader{Stream(6, size), boom}, storage.PutOptions{CreateOnly: co})
			require.Error(t, err, "put of %d bytes from a failing reader, create-only %v", size, co)
			_, err = s.Stat(ctx, "f/new")
			require.ErrorIs(t, err, storage.ErrNotFound, "a failed put must not create the object")
		}

		// A failed overwrite leaves the previous version.
		put(t, s, "f/old", []byte("previous"), storage.PutOptions{})
		err := s.Put(ctx, "f/old", &failingReader{Stream(7, size), boom}, storage.PutOptions{})
		require.Error(t, err)
		assert.Equal(t, "previous", string(get(t, s, "f/old")))
	}

	// Cancelled midway: nothing published.
	cctx, cancel := context.WithCancel(ctx)
	r := &cancellingReader{r: Stream(8, LargeSize), after: 2 << 20, cancel: cancel}
	err := s.Put(cctx, "f/cancelled", r, storage.PutOptions{})
	require.Error(t, err)
	_, err = s.Stat(ctx, "f/cancelled")
	require.ErrorIs(t, err, storage.ErrNotFound, "a cancelled put must not create the object")
	assert.Equal(t, []string{"f/old"}, listKeys(t, s, ""))
}

type cancellingReader struct {
	r      io.Reader
	n      int64
	after  int64
	cancel func()
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	if c.n >= c.after {
		c.cancel()
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// badKeys are keys every store must reject with ErrInvalidKey before any
// I/O: attacks 11 to 14 and the other ways a key can be non-canonical.
var badKeys = map[string]string{
	"parent":               "../b",
	"inner parent":         "a/../b",
	"dot":                  "a/./b",
	"percent-encoded":      "%2e%2e%2f",
	"percent-encoded seg":  "a/%2e%2e/b",
	"fullwidth":            "\uff0e\uff0e\uff0f",
	"fullwidth seg":        "a/\uff0e\uff0e\uff0fb",
	"backslash":            "..\\b",
	"backslash seg":        "a\\b",
	"nul":                  "a\x00b",
	"upper case":           "A",
	"upper case seg":       "a/B/c",
	"empty segment":        "a//b",
	"leading slash":        "/a",
	"trailing slash":       "a/",
	"long segment":         strings.Repeat("a", 10000),
	"long inner segment":   "a/" + strings.Repeat("b", 10000) + "/c",
	"empty":                "",
	"space":                "a b",
	"newline":              "a\nb",
	"crlf":                 "a\r\nx-amz-meta-x: y",
	"non-ascii":            "caf\u00e9",
	"leading dash":         "-a",
	"temp file name":       ".tmp-0123",
	"dot segment":          ".",
	"query":                "a?b",
	"url":                  "http://x/y",
	"utf-8 overlong slash": "a\xc0\xafb",
}

// badPrefixes are List prefixes every store must reject.
var badPrefixes = map[string]string{
	"no trailing slash":    "a",
	"nested no slash":      "a/b",
	"only slash":           "/",
	"double slash":         "a//",
	"leading slash":        "/a/",
	"parent":               "../",
	"inner parent":         "a/../",
	"percent-encoded":      "%2e%2e%2f/",
	"fullwidth":            "\uff0e\uff0e\uff0f/",
	"backslash":            "..\\b/",
	"nul":                  "a\x00b/",
	"upper case":           "A/",
	"long segment":         strings.Repeat("a", 10000) + "/",
	"non-canonical middle": "a/B/",
}

// trapReader fails the test if a store reads from it.
type trapReader struct{ reads int }

func (r *trapReader) Read(p []byte) (int, error) {
	r.reads++
	return 0, io.EOF
}

func testInvalidKeys(t *testing.T, s storage.BlobStore) {
	// A real object next to the probes, so a store that cleaned "a/../b"
	// into "b" would find something.
	put(t, s, "b", []byte("target"), storage.PutOptions{})
	put(t, s, "a/b", []byte("target"), storage.PutOptions{})
	ctx := context.Background()
	for name, key := range badKeys {
		t.Run("key "+name, func(t *testing.T) {
			var errs []error
			check := func(op string, err error) {
				t.Helper()
				assert.ErrorIs(t, err, storage.ErrInvalidKey, op)
				errs = append(errs, err)
			}
			r := &trapReader{}
			check("put", s.Put(ctx, key, r, storage.PutOptions{}))
			check("create-only put", s.Put(ctx, key, r, storage.PutOptions{CreateOnly: true}))
			assert.Zero(t, r.reads, "put read its input before rejecting the key")

			rc, err := s.Get(ctx, key)
			check("get", err)
			if rc != nil {
				rc.Close()
				t.Error("get returned a reader for an invalid key")
			}
			_, err = s.Stat(ctx, key)
			check("stat", err)
			check("delete", s.Delete(ctx, key))
			if !strings.HasSuffix(key, "/") {
				check("list", s.List(ctx, key+"/", func(storage.Info) error {
					t.Error("list reported an object under an invalid prefix")
					return nil
				}))
			}
			// Errors must not quote the rejected value, which may be
			// hostile (a forged log line) or personal.
			if len(key) > 1 {
				for _, err := range errs {
					if err != nil {
						assert.NotContains(t, err.Error(), key)
					}
				}
			}
		})
	}
	for name, prefix := range badPrefixes {
		t.Run("prefix "+name, func(t *testing.T) {
			err := s.List(ctx, prefix, func(storage.Info) error {
				t.Error("list reported an object under an invalid prefix")
				return nil
			})
			assert.ErrorIs(t, err, storage.ErrInvalidKey)
		})
	}
	assert.Equal(t, []string{"a/b", "b"}, listKeys(t, s, ""), "the store changed")
	assert.Equal(t, "target", string(get(t, s, "b")))
}

// etag stats key and returns its ETag, which must not be empty.
func etag(t testing.TB, s storage.BlobStore, key string) string {
	t.Helper()
	info, err := s.Stat(context.Background(), key)
	require.NoError(t, err, "stat %s", key)
	require.NotEmpty(t, info.ETag, "ETag of %s", key)
	return info.ETag
}

// listETags maps every key under prefix to the ETag List reports for it.
func listETags(t testing.TB, s storage.BlobStore, prefix string) map[string]string {
	t.Helper()
	m := map[string]string{}
	require.NoError(t, s.List(context.Background(), prefix, func(i storage.Info) error {
		m[i.Key] = i.ETag
		return nil
	}))
	return m
}

func ifMatch(e string) storage.PutOptions { return storage.PutOptions{IfMatch: e} }

// testIfMatch: the current ETag lets a conditional put replace the object,
// and the replace changes the ETag that Stat and List report.
func testIfMatch(t *testing.T, s storage.BlobStore) {
	ctx := context.Background()
	put(t, s, "cas/k", []byte("version one"), storage.PutOptions{})
	e1 := etag(t, s, "cas/k")
	assert.Equal(t, map[string]string{"cas/k": e1}, listETags(t, s, ""), "List and Stat disagree on the ETag")

	require.NoError(t, s.Put(ctx, "cas/k", onlyReader{strings.NewReader("version two")}, ifMatch(e1)))
	assert.Equal(t, "version two", string(get(t, s, "cas/k")))
	e2 := etag(t, s, "cas/k")
	assert.NotEqual(t, e1, e2, "a replace must change the ETag")
	assert.Equal(t, map[string]string{"cas/k": e2}, listETags(t, s, ""))

	// The new ETag works in turn; the old one no longer does.
	require.NoError(t, s.Put(ctx, "cas/k", strings.NewReader("version three"), ifMatch(e2)))
	assert.Equal(t, "version three", string(get(t, s, "cas/k")))
	require.ErrorIs(t, s.Put(ctx, "cas/k", strings.NewReader("late"), ifMatch(e1)), storage.ErrPrecondition)
	require.ErrorIs(t, s.Put(ctx, "cas/k", strings.NewReader("late"), ifMatch(e2)), storage.ErrPrecondition)
	assert.Equal(t, "version three", string(get(t, s, "cas/k")))

	// An empty object has an ETag like any other.
	put(t, s, "cas/empty", nil, storage.PutOptions{})
	require.NoError(t, s.Put(ctx, "cas/empty", bytes.NewReader(nil), ifMatch(etag(t, s, "cas/empty"))))
	assert.Equal(t, []string{"cas/empty", "cas/k"}, listKeys(t, s, ""))
}

// testIfMatchStale is the lost update IfMatch exists to prevent: a writer
// read version one, someone else wrote version two, and the first writer's
// conditional put must fail without touching version two.
func testIfMatchStale(t *testing.T, s storage.BlobStore) {
	ctx := context.Background()
	put(t, s, "cas/k", []byte("version one"), storage.PutOptions{})
	stale := etag(t, s, "cas/k")
	put(t, s, "cas/k", []byte("version two"), storage.PutOptions{})
	current := etag(t, s, "cas/k")
	require.NotEqual(t, stale, current)

	err := s.Put(ctx, "cas/k", strings.NewReader("rewrite of version one"), ifMatch(stale))
	require.ErrorIs(t, err, storage.ErrPrecondition)
	assert.NotErrorIs(t, err, storage.ErrExists)
	assert.NotErrorIs(t, err, storage.ErrNotFound)
	assert.Equal(t, "version two", string(get(t, s, "cas/k")), "a refused conditional put must leave the object")
	assert.Equal(t, current, etag(t, s, "cas/k"), "a refused conditional put must not change the ETag")
	assert.NotContains(t, err.Error(), "rewrite", "an error must not carry object contents")

	// Another key's current ETag is no better than a stale one.
	put(t, s, "cas/other", []byte("other"), storage.PutOptions{})
	err = s.Put(ctx, "cas/k", strings.NewReader("x"), ifMatch(etag(t, s, "cas/other")))
	require.ErrorIs(t, err, storage.ErrPrecondition)
	assert.Equal(t, "version two", string(get(t, s, "cas/k")))
	assert.Equal(t, []string{"cas/k", "cas/other"}, listKeys(t, s, ""))
}

// testIfMatchMissing: a conditional put never creates an object, whether
// the key never held one or its object was deleted since it was read.
func testIfMatchMissing(t *testing.T, s storage.BlobStore) {
	ctx := context.Background()
	put(t, s, "cas/gone", []byte("soon deleted"), storage.PutOptions{})
	e := etag(t, s, "cas/gone")
	require.NoError(t, s.Delete(ctx, "cas/gone"))
	for _, size := range []int64{10, LargeSize} {
		for key, tag := range map[string]string{"cas/gone": e, "cas/never": e, "cas/deep/never": "0123abc"} {
			err := s.Put(ctx, key, Stream(9, size), ifMatch(tag))
			require.ErrorIs(t, err, storage.ErrPrecondition, "conditional put of %d bytes to missing %s", size, key)
			_, err = s.Stat(ctx, key)
			require.ErrorIs(t, err, storage.ErrNotFound, "a refused conditional put created %s", key)
		}
	}
	assert.Empty(t, listKeys(t, s, ""))
}

// testIfMatchLarge runs the conditional put through a backend's streaming
// (multipart) path, both ways across the single/multipart switch.
func testIfMatchLarge(t *testing.T, s storage.BlobStore) {
	ctx := context.Background()
	put(t, s, "cas/k", []byte("small"), storage.PutOptions{})
	small := etag(t, s, "cas/k")

	require.NoError(t, s.Put(ctx, "cas/k", Stream(10, LargeSize), ifMatch(small)), "small to large")
	got, _ := getSum(t, s, "cas/k")
	require.Equal(t, StreamSum(t, 10, LargeSize), got)
	large := etag(t, s, "cas/k")
	require.NotEqual(t, small, large)

	err := s.Put(ctx, "cas/k", Stream(11, LargeSize), ifMatch(small))
	require.ErrorIs(t, err, storage.ErrPrecondition, "large put over a large object with a stale ETag")
	got, _ = getSum(t, s, "cas/k")
	assert.Equal(t, StreamSum(t, 10, LargeSize), got, "the large object must be intact")
	assert.Equal(t, large, etag(t, s, "cas/k"))

	require.NoError(t, s.Put(ctx, "cas/k", Stream(12, LargeSize), ifMatch(large)), "large to large")
	got, _ = getSum(t, s, "cas/k")
	require.Equal(t, StreamSum(t, 12, LargeSize), got)
	large2 := etag(t, s, "cas/k")
	require.NotEqual(t, large, large2)

	require.ErrorIs(t, s.Put(ctx, "cas/k", strings.NewReader("small again"), ifMatch(large)), storage.ErrPrecondition)
	require.NoError(t, s.Put(ctx, "cas/k", strings.NewReader("small again"), ifMatch(large2)), "large to small")
	assert.Equal(t, "small again", string(get(t, s, "cas/k")))
	assert.Equal(t, []string{"cas/k"}, listKeys(t, s, ""))
}

// testIfMatchInvalid: options no backend can honour are refused before the
// reader is touched, and leave the object alone.
func testIfMatchInvalid(t *testing.T, s storage.BlobStore) {
	ctx := context.Background()
	put(t, s, "cas/k", []byte("original"), storage.PutOptions{})
	e := etag(t, s, "cas/k")
	bad := map[string]storage.PutOptions{
		"CreateOnly with IfMatch": {CreateOnly: true, IfMatch: e},
		"quoted ETag":             {IfMatch: `"` + e + `"`},
		"ETag with a newline":     {IfMatch: e + "\r\nx-amz-meta-x: y"},
		"wildcard ETag":           {IfMatch: "*"},
		"overlong ETag":           {IfMatch: strings.Repeat("a", 10000)},
	}
	for name, opts := range bad {
		r := &trapReader{}
		err := s.Put(ctx, "cas/k", r, opts)
		require.Error(t, err, name)
		assert.NotErrorIs(t, err, storage.ErrPrecondition, "%s: a bad request is not a failed precondition", name)
		assert.Zero(t, r.reads, "%s: put read its input before rejecting its options", name)
		if name != "CreateOnly with IfMatch" {
			assert.NotContains(t, err.Error(), opts.IfMatch, "%s: the error quotes the rejected value", name)
		}
		require.Error(t, s.Put(ctx, "cas/new", &trapReader{}, opts), "%s, on a new key", name)
	}
	assert.Equal(t, "original", string(get(t, s, "cas/k")))
	assert.Equal(t, e, etag(t, s, "cas/k"))
	assert.Equal(t, []string{"cas/k"}, listKeys(t, s, ""))
}

// testIfMatchConcurrent races 8 conditional puts of different contents,
// all holding the same current ETag: exactly one may replace the object,
// the others must fail with ErrPrecondition, and the stored object must be
// the winner's, whole.
func testIfMatchConcurrent(t *testing.T, s storage.BlobStore, size int64) {
	const writers = 8
	ctx := context.Background()
	put(t, s, "race/key", []byte("the version everyone read"), storage.PutOptions{})
	read := etag(t, s, "race/key")
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  [writers]error
	)
	for i := range writers {
		wg.Go(func() {
			<-start
			errs[i] = s.Put(ctx, "race/key", Stream(uint64(200+i), size), ifMatch(read))
		})
	}
	close(start)
	wg.Wait()

	winner := oneWinner(t, errs[:], storage.ErrPrecondition, "replaced the version they read")
	got, n := getSum(t, s, "race/key")
	assert.Equal(t, size, n)
	assert.Equal(t, StreamSum(t, uint64(200+winner), size), got, "stored object is not the winner's")
	assert.NotEqual(t, read, etag(t, s, "race/key"))
	assert.Equal(t, []string{"race/key"}, listKeys(t, s, ""))
}

// testIfMatchNoLostUpdate has several writers increment a counter object by
// read-modify-write, retrying on ErrPrecondition: with a sound conditional
// put no increment is lost. The ETag is read before the content, so a put
// that succeeds proves the content read was still current.
func testIfMatchNoLostUpdate(t *testing.T, s storage.BlobStore) {
	const (
		writers    = 4
		increments = 10
	)
	ctx := context.Background()
	put(t, s, "counter", []byte("0"), storage.PutOptions{})
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for range writers {
		wg.Go(func() {
			<-start
			for range increments {
				for attempt := 0; ; attempt++ {
					if attempt > 1000 {
						t.Error("no progress after 1000 attempts")
						return
					}
					info, err := s.Stat(ctx, "counter")
					if !assert.NoError(t, err) {
						return
					}
					rc, err := s.Get(ctx, "counter")
					if !assert.NoError(t, err) {
						return
					}
					b, err := io.ReadAll(rc)
					rc.Close()
					if !assert.NoError(t, err) {
						return
					}
					var n int
					_, err = fmt.Sscan(string(b), &n)
					if !assert.NoError(t, err) {
						return
					}
					err = s.Put(ctx, "counter", strings.NewReader(fmt.Sprint(n+1)), ifMatch(info.ETag))
					if err == nil {
						break
					}
					if !assert.ErrorIs(t, err, storage.ErrPrecondition) {
						return
					}
				}
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, fmt.Sprint(writers*increments), string(get(t, s, "counter")), "increments were lost")
}

// testETagChanges replaces one key many times with different contents of
// the same size, as re-encryption does, deleting and recreating it now and
// then: no version may come back with an earlier version's ETag, or a
// writer holding that earlier ETag would overwrite a newer object.
func testETagChanges(t *testing.T, s storage.BlobStore) {
	ctx := context.Background()
	seen := map[string]int{}
	for i := range 100 {
		if i%10 == 9 {
			require.NoError(t, s.Delete(ctx, "cas/k"))
		}
		data := fmt.Appendf(nil, "version %04d", i)
		put(t, s, "cas/k", data, storage.PutOptions{})
		e := etag(t, s, "cas/k")
		if prev, ok := seen[e]; ok {
			t.Errorf("version %d has the ETag of version %d", i, prev)
		}
		seen[e] = i
	}
}

// gateReader yields r, but stops once `at` bytes are read: it closes
// reached and waits for release before going on.
type gateReader struct {
	r       io.Reader
	n, at   int64
	reached chan struct{}
	release chan struct{}
}

func (g *gateReader) Read(p []byte) (int, error) {
	if g.n >= g.at && g.reached != nil {
		close(g.reached)
		g.reached = nil
		<-g.release
	}
	if rest := g.at - g.n; rest > 0 && int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}

// testIfMatchReplacedMidway replaces the object while a conditional put is
// still streaming its (large) content: the condition must be checked when
// the put commits, not only when it starts. On S3 the pause falls after the
// multipart upload was initiated and its first parts sent, so only the
// check on completion can refuse it.
func testIfMatchReplacedMidway(t *testing.T, s storage.BlobStore) {
	ctx := context.Background()
	put(t, s, "cas/k", []byte("version read"), storage.PutOptions{})
	read := etag(t, s, "cas/k")

	g := &gateReader{r: Stream(13, LargeSize), at: LargeSize - 1000, reached: make(chan struct{}), release: make(chan struct{})}
	reached := g.reached
	done := make(chan error, 1)
	go func() { done <- s.Put(ctx, "cas/k", g, ifMatch(read)) }()
	select {
	case <-reached:
	case err := <-done:
		t.Fatalf("conditional put ended before reading its whole input: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("conditional put did not read its input")
	}
	put(t, s, "cas/k", []byte("interloper"), storage.PutOptions{})
	close(g.release)
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		t.Fatal("conditional put did not finish")
	}
	require.ErrorIs(t, err, storage.ErrPrecondition, "a put whose version was replaced midway must fail")
	assert.Equal(t, "interloper", string(get(t, s, "cas/k")), "the newer object was overwritten")
	assert.Equal(t, []string{"cas/k"}, listKeys(t, s, ""))
}

// oneWinner checks that exactly one of racing writers succeeded and every
// other failed with lost, and returns the winner.
func oneWinner(t *testing.T, errs []error, lost error, what string) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			assert.Equal(t, -1, winner, "writers %d and %d both %s", winner, i, what)
			winner = i
		case errors.Is(err, lost):
		default:
			t.Errorf("writer %d: %v, want nil or %v", i, err, lost)
		}
	}
	require.NotEqual(t, -1, winner, "no writer %s", what)
	return winner
}
