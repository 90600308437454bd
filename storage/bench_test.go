package storage_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/matterfile/matterfile/internal/testenv"
	"github.com/matterfile/matterfile/storage"
)

const benchSize = 16 << 20

// cycleReader streams size bytes by repeating one random block, so the
// benchmark measures the store and not a generator, and holds 1 MiB rather
// than the object.
type cycleReader struct {
	block []byte
	left  int64
	off   int
}

var benchBlock = func() []byte {
	b := make([]byte, 1<<20)
	rand.NewChaCha8([32]byte{7}).Read(b)
	return b
}()

func newCycleReader(size int64) *cycleReader {
	return &cycleReader{block: benchBlock, left: size}
}

func (c *cycleReader) Read(p []byte) (int, error) {
	if c.left == 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), c.left)]
	n := copy(p, c.block[c.off:])
	c.off = (c.off + n) % len(c.block)
	c.left -= int64(n)
	return n, nil
}

func benchPut(b *testing.B, s storage.BlobStore) {
	ctx := context.Background()
	b.SetBytes(benchSize)
	i := 0
	for b.Loop() {
		if err := s.Put(ctx, fmt.Sprintf("bench/put-%d", i%4), newCycleReader(benchSize), storage.PutOptions{}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func benchGet(b *testing.B, s storage.BlobStore) {
	ctx := context.Background()
	if err := s.Put(ctx, "bench/get", newCycleReader(benchSize), storage.PutOptions{}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchSize)
	for b.Loop() {
		rc, err := s.Get(ctx, "bench/get")
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil || n != benchSize {
			b.Fatalf("read %d bytes: %v", n, err)
		}
	}
}

func benchLocal(b *testing.B) storage.BlobStore {
	s, err := storage.NewLocal(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func benchS3(b *testing.B) storage.BlobStore {
	s, err := storage.NewS3(context.Background(), testenv.S3(b))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkLocalPut(b *testing.B) { benchPut(b, benchLocal(b)) }
func BenchmarkLocalGet(b *testing.B) { benchGet(b, benchLocal(b)) }
func BenchmarkS3Put(b *testing.B)    { benchPut(b, benchS3(b)) }
func BenchmarkS3Get(b *testing.B)    { benchGet(b, benchS3(b)) }
