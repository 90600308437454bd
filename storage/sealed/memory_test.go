package sealed_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/matterfile/matterfile/storage"
)

// TestSealedMemoryFlat is issue 6's "memory flat for a 1 GB object": a
// sealed write and read of the object hold the heap to a few segments.
// The full size runs under the race detector too (about 6 s on two cores).
func TestSealedMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 1 GiB")
	}
	const size = 1 << 30
	bs := localStore(t)
	s := openTenant(t, bs, "mem")
	ctx := context.Background()
	p := rawPlace("mem", "c", "m", "big")

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	peak := base
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}

	start := time.Now()
	gen := newGenReader(size)
	gen.n, gen.every = 256, sample
	written := sha256.New()
	if err := s.Put(ctx, p, io.TeeReader(gen, written), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	wrote := time.Since(start)

	start = time.Now()
	rc, err := s.Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	read := sha256.New()
	n, err := io.Copy(&sampledWriter{w: read, n: 256, every: sample}, rc)
	if err != nil {
		t.Fatal(err)
	}
	if n != size || !bytes.Equal(read.Sum(nil), written.Sum(nil)) {
		t.Fatalf("read back %d bytes, want %d, SHA-256 equal: %v", n, size, bytes.Equal(read.Sum(nil), written.Sum(nil)))
	}
	grown := int64(peak) - int64(base)
	t.Logf("%d MiB sealed: wrote in %v, read in %v; heap in use grew by at most %.1f MiB",
		size>>20, wrote.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), float64(grown)/(1<<20))
	if grown > 64<<20 {
		t.Errorf("heap grew by %d MiB", grown>>20)
	}
}

// sampledWriter calls every on each n-th Write, from the writing goroutine.
type sampledWriter struct {
	w      io.Writer
	writes int
	n      int
	every  func()
}

func (s *sampledWriter) Write(b []byte) (int, error) {
	if s.writes++; s.writes%s.n == 0 {
		s.every()
	}
	return s.w.Write(b)
}
