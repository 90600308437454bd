package sealed_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/storage"
)

// The sizes around the 1 MiB ciphertext segment (the first segment is
// shorter by the 40-byte header) are where chunking would go wrong.
func TestWriterSizes(t *testing.T) {
	bs := localStore(t)
	s := openTenant(t, bs, "sizes")
	ctx := context.Background()
	const seg = 1 << 20
	for _, size := range []int64{0, 1, seg - 40 - 16, seg - 40 - 15, seg - 40, seg, 2*seg - 40 - 32, 3*seg + 5} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			p := rawPlace("sizes", "c", "m", fmt.Sprint(size))
			require.NoError(t, s.Put(ctx, p, newGenReader(size), storage.PutOptions{}))
			rc, err := s.Open(ctx, p)
			require.NoError(t, err)
			defer rc.Close()
			got := sha256.New()
			n, err := io.Copy(got, rc)
			require.NoError(t, err)
			require.Equal(t, size, n)
			require.Equal(t, sum(sha256.New(), size), got.Sum(nil))
		})
	}
}

// cutStore's Put of a message object reads at most after bytes and then
// returns err; every Put's result is recorded.
type cutStore struct {
	storage.BlobStore
	after int64
	err   error

	mu   sync.Mutex
	puts []error
}

func (c *cutStore) Put(ctx context.Context, key string, r io.Reader, opts storage.PutOptions) error {
	var err error
	if c.after >= 0 && strings.Contains(key, "/messages/") {
		if _, err = io.CopyN(io.Discard, r, c.after); err == nil {
			err = c.err
		}
	} else {
		err = c.BlobStore.Put(ctx, key, r, opts)
	}
	c.mu.Lock()
	c.puts = append(c.puts, err)
	c.mu.Unlock()
	return err
}

func (c *cutStore) lastPut() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.puts[len(c.puts)-1]
}

// writeAll writes size bytes and closes, and returns the first error.
func writeAll(t *testing.T, c *cutStore, size int64) error {
	s := openTenant(t, c, "cut")
	w, err := s.Create(context.Background(), rawPlace("cut", "c", "m", "x"), storage.PutOptions{})
	require.NoError(t, err)
	if _, err := io.Copy(w, newGenReader(size)); err != nil {
		w.Abort(err)
		return err
	}
	return w.Close()
}

func TestWriterStoreFails(t *testing.T) {
	boom := errors.New("boom")
	c := &cutStore{BlobStore: localStore(t), after: 3 << 19, err: boom}
	err := writeAll(t, c, 16<<20)
	require.ErrorIs(t, err, boom)
}

func TestWriterStoreEndsEarly(t *testing.T) {
	// A store that stops reading without an error has not stored the
	// object, whether the writer was still writing or had closed.
	for _, size := range []int64{16 << 20, 3 << 19} {
		c := &cutStore{BlobStore: localStore(t), after: 1 << 20}
		require.Error(t, writeAll(t, c, size), "size %d", size)
	}
}

func TestWriterAbort(t *testing.T) {
	c := &cutStore{BlobStore: localStore(t), after: -1}
	s := openTenant(t, c, "cut")
	ctx := context.Background()
	p := rawPlace("cut", "c", "m", "x")
	w, err := s.Create(ctx, p, storage.PutOptions{})
	require.NoError(t, err)
	_, err = io.Copy(w, newGenReader(5<<20))
	require.NoError(t, err)
	cause := errors.New("source failed")
	w.Abort(cause)
	require.ErrorIs(t, c.lastPut(), cause, "the store's Put sees the cause")
	_, err = s.Stat(ctx, p.Key)
	require.ErrorIs(t, err, storage.ErrNotFound)
	_, err = w.Write(bytes.Repeat([]byte{1}, 2<<20))
	require.Error(t, err, "a write after Abort fails")
}
