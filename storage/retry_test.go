package storage_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/storagetest"
)

var errFlaky = errors.New("connection reset")

// flakyStore fails every call with the scripted errors, in order, then
// succeeds; it counts the attempts of each operation.
type flakyStore struct {
	errs  []error
	calls atomic.Int32
	// puts records what each Put attempt read.
	puts []string
	// list is what a successful List reports.
	list []string
	// listFailAt makes a failing List report this many keys first.
	listFailAt int
}

func (f *flakyStore) next() error {
	n := int(f.calls.Add(1))
	if n <= len(f.errs) {
		return f.errs[n-1]
	}
	return nil
}

func (f *flakyStore) Put(ctx context.Context, key string, r io.Reader, opts storage.PutOptions) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	f.puts = append(f.puts, string(b))
	return f.next()
}

func (f *flakyStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := f.next(); err != nil {
		return nil, err
	}
	return io.NopCloser(strings.NewReader("data")), nil
}

func (f *flakyStore) Stat(ctx context.Context, key string) (storage.Info, error) {
	if err := f.next(); err != nil {
		return storage.Info{}, err
	}
	return storage.Info{Key: key, Size: 4}, nil
}

func (f *flakyStore) List(ctx context.Context, prefix string, fn func(storage.Info) error) error {
	err := f.next()
	for i, k := range f.list {
		if err != nil && i == f.listFailAt {
			return err
		}
		if ferr := fn(storage.Info{Key: k}); ferr != nil {
			return ferr
		}
	}
	return err
}

func (f *flakyStore) Delete(ctx context.Context, key string) error { return f.next() }

var fast = storage.RetryPolicy{Attempts: 4, Base: time.Millisecond, Max: 4 * time.Millisecond}

func TestRetryTransient(t *testing.T) {
	ctx := context.Background()
	ops := map[string]func(storage.BlobStore) error{
		"put": func(s storage.BlobStore) error {
			return s.Put(ctx, "k", strings.NewReader("v"), storage.PutOptions{})
		},
		"get": func(s storage.BlobStore) error {
			rc, err := s.Get(ctx, "k")
			if err == nil {
				rc.Close()
			}
			return err
		},
		"stat":   func(s storage.BlobStore) error { _, err := s.Stat(ctx, "k"); return err },
		"list":   func(s storage.BlobStore) error { return s.List(ctx, "", func(storage.Info) error { return nil }) },
		"delete": func(s storage.BlobStore) error { return s.Delete(ctx, "k") },
	}
	for name, op := range ops {
		t.Run(name+" recovers", func(t *testing.T) {
			f := &flakyStore{errs: []error{errFlaky, errFlaky}}
			require.NoError(t, op(storage.WithRetry(f, fast)))
			assert.EqualValues(t, 3, f.calls.Load())
		})
		t.Run(name+" gives up", func(t *testing.T) {
			f := &flakyStore{errs: []error{errFlaky, errFlaky, errFlaky, errFlaky, errFlaky}}
			err := op(storage.WithRetry(f, fast))
			require.ErrorIs(t, err, errFlaky)
			assert.EqualValues(t, fast.Attempts, f.calls.Load())
		})
		for _, perm := range []error{
			storage.ErrNotFound, storage.ErrExists, storage.ErrPrecondition, storage.ErrInvalidKey,
			context.Canceled, context.DeadlineExceeded,
		} {
			t.Run(fmt.Sprintf("%s %v not retried", name, perm), func(t *testing.T) {
				f := &flakyStore{errs: []error{fmt.Errorf("op k: %w", perm), nil}}
				err := op(storage.WithRetry(f, fast))
				require.ErrorIs(t, err, perm)
				assert.EqualValues(t, 1, f.calls.Load())
			})
		}
	}
}

func TestRetryDefaults(t *testing.T) {
	f := &flakyStore{errs: []error{errFlaky}}
	start := time.Now()
	_, err := storage.WithRetry(f, storage.RetryPolicy{}).Stat(context.Background(), "k")
	require.NoError(t, err)
	assert.EqualValues(t, 2, f.calls.Load())
	// One default backoff: between half and all of 200ms.
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestRetryPutRewinds(t *testing.T) {
	f := &flakyStore{errs: []error{errFlaky, errFlaky}}
	r := strings.NewReader("header:payload")
	_, err := r.Seek(int64(len("header:")), io.SeekStart)
	require.NoError(t, err)
	require.NoError(t, storage.WithRetry(f, fast).Put(context.Background(), "k", r, storage.PutOptions{}))
	assert.Equal(t, []string{"payload", "payload", "payload"}, f.puts, "each try must read from where the caller's reader stood")
}

func TestRetryPutNotSeekable(t *testing.T) {
	f := &flakyStore{errs: []error{errFlaky}}
	r := io.MultiReader(strings.NewReader("stream"))
	err := storage.WithRetry(f, fast).Put(context.Background(), "k", r, storage.PutOptions{})
	require.ErrorIs(t, err, errFlaky)
	assert.EqualValues(t, 1, f.calls.Load(), "a reader that cannot rewind must get one try")
}

func TestRetryStopsOnContext(t *testing.T) {
	errs := make([]error, 100)
	for i := range errs {
		errs[i] = errFlaky
	}
	f := &flakyStore{errs: errs}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := storage.WithRetry(f, storage.RetryPolicy{Attempts: 100, Base: 20 * time.Millisecond, Max: time.Second}).
		Delete(ctx, "k")
	require.ErrorIs(t, err, errFlaky)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Less(t, f.calls.Load(), int32(10))
}

func TestRetryListResumes(t *testing.T) {
	f := &flakyStore{errs: []error{errFlaky}, list: []string{"a", "b", "c", "d"}, listFailAt: 2}
	var seen []string
	err := storage.WithRetry(f, fast).List(context.Background(), "", func(i storage.Info) error {
		seen = append(seen, i.Key)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c", "d"}, seen, "each key exactly once, in order")
	assert.EqualValues(t, 2, f.calls.Load())
}

func TestRetryListCallbackErrorNotRetried(t *testing.T) {
	f := &flakyStore{list: []string{"a", "b"}}
	stop := errFlaky // looks transient, but it is the caller's
	err := storage.WithRetry(f, fast).List(context.Background(), "", func(storage.Info) error { return stop })
	require.ErrorIs(t, err, stop)
	assert.EqualValues(t, 1, f.calls.Load())
}

func TestRetryString(t *testing.T) {
	s, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	r := storage.WithRetry(s, storage.RetryPolicy{})
	assert.Equal(t, s.String(), fmt.Sprint(r))
	require.NoError(t, r.(io.Closer).Close())
}

// TestRetryConformance: the decorator itself is a BlobStore and must keep
// the contract.
func TestRetryConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.BlobStore {
		s, err := storage.NewLocal(t.TempDir())
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return storage.WithRetry(s, fast)
	})
}
