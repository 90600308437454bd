package sealed_test

import (
	"bytes"
	"context"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/matterfile/matterfile/internal/testenv"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// genBlock is what genReader repeats. Its length is not a multiple of the
// 1 MiB segment, so no two segments of an object carry the same plaintext
// and a segment served in the wrong place would change the hash.
var genBlock = func() []byte {
	b := make([]byte, 1<<20+4093)
	rand.NewChaCha8([32]byte{'m', 'f'}).Read(b)
	return b
}()

// genReader streams size deterministic bytes while holding only genBlock,
// and costs a copy, so that what is measured is the store and the sealing.
// every, if set, is called on every n-th Read, from the reading goroutine.
type genReader struct {
	left  int64
	off   int
	reads int
	n     int
	every func()
}

func newGenReader(size int64) *genReader { return &genReader{left: size} }

func (g *genReader) Read(p []byte) (int, error) {
	if g.left == 0 {
		return 0, io.EOF
	}
	if g.every != nil {
		if g.reads++; g.reads%g.n == 0 {
			g.every()
		}
	}
	p = p[:min(int64(len(p)), g.left)]
	n := copy(p, genBlock[g.off:])
	g.off = (g.off + n) % len(genBlock)
	g.left -= int64(n)
	return n, nil
}

// sum hashes what a fresh genReader of size yields.
func sum(h hash.Hash, size int64) []byte {
	if _, err := io.Copy(h, newGenReader(size)); err != nil {
		panic(err)
	}
	return h.Sum(nil)
}

// openTenant creates tenant id on bs and opens its Store.
func openTenant(tb testing.TB, bs storage.BlobStore, id string) *sealed.Store {
	tb.Helper()
	ctx := context.Background()
	root, err := sealed.OpenRootKey("file://"+filepath.Join(tb.TempDir(), "root.key"), true)
	if err != nil {
		tb.Fatal(err)
	}
	kr := sealed.Keyring{Store: bs, Root: root}
	if err := sealed.CreateTenant(ctx, kr, id); err != nil {
		tb.Fatal(err)
	}
	s, err := sealed.Open(ctx, kr, bs, id)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func localStore(tb testing.TB) storage.BlobStore {
	s, err := storage.NewLocal(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func s3Store(tb testing.TB) storage.BlobStore {
	s, err := storage.NewS3(context.Background(), testenv.S3(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// BenchmarkSealedVsPlain measures sealed Put and Open against plain Put and
// Get of the same bytes on the same store. Each sealed sub-benchmark also
// reports sealed/plain: its throughput over that of the plain one run just
// before it (issue 6 aims for at least 0.8). Reads are checked with CRC-32,
// which is cheap enough on both sides not to hide the cost of decryption the
// way a slower hash would.
//
// MinIO joins the local directory when MATTERFILE_TEST_S3_* is set.
func BenchmarkSealedVsPlain(b *testing.B) {
	type store struct {
		name string
		open func(testing.TB) storage.BlobStore
	}
	stores := []store{{"local", localStore}}
	if os.Getenv(testenv.EnvS3Endpoint) != "" {
		stores = append(stores, store{"s3", s3Store})
	}
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			for _, size := range []int64{1 << 20, 16 << 20, 256 << 20} {
				b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
					benchSealedVsPlain(b, st.open(b), size)
				})
			}
		})
	}
}

func benchSealedVsPlain(b *testing.B, bs storage.BlobStore, size int64) {
	ctx := context.Background()
	s := openTenant(b, bs, "bench")
	place := func(name string) sealed.Place {
		return rawPlace("bench", "c", "m", name)
	}
	want := sum(crc32.NewIEEE(), size)

	// plainPerOp carries each plain sub-benchmark's time per operation to
	// the sealed one of the same operation that follows it.
	plainPerOp := map[string]time.Duration{}
	run := func(op, variant string, prepare func() error, do func(i int) error) {
		b.Run(op+"/"+variant, func(b *testing.B) {
			if err := prepare(); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size)
			i := 0
			for b.Loop() {
				if err := do(i); err != nil {
					b.Fatal(err)
				}
				i++
			}
			perOp := b.Elapsed() / time.Duration(b.N)
			if variant == "plain" {
				plainPerOp[op] = perOp
				return
			}
			if plain, ok := plainPerOp[op]; ok {
				b.ReportMetric(float64(plain)/float64(perOp), "sealed/plain")
			}
		})
	}
	check := func(r io.Reader) error {
		h := crc32.NewIEEE()
		n, err := io.Copy(io.MultiWriter(io.Discard, h), r)
		if err != nil {
			return err
		}
		if got := h.Sum(nil); n != size || !bytes.Equal(got, want) {
			return fmt.Errorf("read back %d bytes with crc %x, want %d with %x", n, got, size, want)
		}
		return nil
	}

	nothing := func() error { return nil }
	// Puts alternate between two keys, replacing objects, so that the
	// store does not grow with the number of iterations.
	run("put", "plain", nothing, func(i int) error {
		return bs.Put(ctx, place(fmt.Sprintf("plain-%d", i%2)).Key, newGenReader(size), storage.PutOptions{})
	})
	run("put", "sealed", nothing, func(i int) error {
		return s.Put(ctx, place(fmt.Sprintf("sealed-%d", i%2)), newGenReader(size), storage.PutOptions{})
	})
	run("get", "plain", func() error {
		return bs.Put(ctx, place("plain-get").Key, newGenReader(size), storage.PutOptions{})
	}, func(int) error {
		rc, err := bs.Get(ctx, place("plain-get").Key)
		if err != nil {
			return err
		}
		defer rc.Close()
		return check(rc)
	})
	run("get", "sealed", func() error {
		return s.Put(ctx, place("sealed-get"), newGenReader(size), storage.PutOptions{})
	}, func(int) error {
		rc, err := s.Open(ctx, place("sealed-get"))
		if err != nil {
			return err
		}
		defer rc.Close()
		return check(rc)
	})
}
