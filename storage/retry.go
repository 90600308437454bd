package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// RetryPolicy bounds how WithRetry retries. Zero fields take the defaults.
type RetryPolicy struct {
	// Attempts is the total number of tries, the first included
	// (default 5; 1 disables retrying).
	Attempts int
	// Base is the backoff before the second try; it doubles for each
	// further try (default 200ms).
	Base time.Duration
	// Max caps a single backoff (default 10s).
	Max time.Duration
}

const (
	defaultRetryAttempts = 5
	defaultRetryBase     = 200 * time.Millisecond
	defaultRetryMax      = 10 * time.Second
)

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = defaultRetryAttempts
	}
	if p.Base <= 0 {
		p.Base = defaultRetryBase
	}
	if p.Max <= 0 {
		p.Max = defaultRetryMax
	}
	if p.Max < p.Base {
		p.Max = p.Base
	}
	return p
}

// backoff returns the wait before try number n+1 (n ≥ 1): half of the
// exponential delay fixed, half random, so many clients failing together do
// not come back in lockstep.
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.Base
	for i := 1; i < n && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	half := d / 2
	return half + rand.N(d-half+1)
}

// WithRetry wraps inner so that operations failing with a transient error
// are tried again with exponential backoff. Answers (ErrNotFound, ErrExists,
// ErrPrecondition, ErrInvalidKey), context errors and errors a backend
// marked permanent are returned at once.
//
// A Put is retried only when its reader is an io.Seeker, which is rewound
// to where it stood before each new try; any other reader may already be
// partly consumed, so it gets a single try. A create-only Put that failed
// transiently may have landed anyway: its retry then reports ErrExists.
// Likewise a conditional (IfMatch) Put that landed but whose answer was
// lost reports ErrPrecondition on retry, since the object's ETag is now its
// own: a caller seeing ErrPrecondition re-reads, and may find its own
// content there.
//
// Get retries only the opening; the returned stream is not resumed.
func WithRetry(inner BlobStore, p RetryPolicy) BlobStore {
	return &retryStore{inner: inner, policy: p.withDefaults()}
}

type retryStore struct {
	inner  BlobStore
	policy RetryPolicy
}

// String names the wrapped store, so logs describe the backend rather than
// the decorator.
func (s *retryStore) String() string {
	if st, ok := s.inner.(fmt.Stringer); ok {
		return st.String()
	}
	return fmt.Sprintf("%T", s.inner)
}

// Close closes the wrapped store if it has anything to close, so wrapping a
// store does not hide its lifecycle.
func (s *retryStore) Close() error {
	if c, ok := s.inner.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// retry runs op until it succeeds, fails for good, or the attempts or ctx
// run out. A nil again means another try is possible.
func (s *retryStore) retry(ctx context.Context, op func() error, again func() error) error {
	var err error
	for n := 1; ; n++ {
		err = op()
		if err == nil || !transient(err) || n >= s.policy.Attempts {
			return err
		}
		if again != nil {
			if aerr := again(); aerr != nil {
				return fmt.Errorf("%w (no retry: %w)", err, aerr)
			}
		}
		t := time.NewTimer(s.policy.backoff(n))
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (gave up after %d tries: %w)", err, n, ctx.Err())
		case <-t.C:
		}
	}
}

func (s *retryStore) Put(ctx context.Context, key string, r io.Reader, opts PutOptions) error {
	seeker, ok := r.(io.Seeker)
	if !ok {
		return s.inner.Put(ctx, key, r, opts)
	}
	start, err := seeker.Seek(0, io.SeekCurrent)
	if err != nil {
		// Claims to seek but cannot (a pipe behind an *os.File).
		return s.inner.Put(ctx, key, r, opts)
	}
	return s.retry(ctx,
		func() error { return s.inner.Put(ctx, key, r, opts) },
		func() error {
			_, err := seeker.Seek(start, io.SeekStart)
			return err
		})
}

func (s *retryStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	var rc io.ReadCloser
	err := s.retry(ctx, func() error {
		var err error
		rc, err = s.inner.Get(ctx, key)
		return err
	}, nil)
	if err != nil {
		return nil, err
	}
	return rc, nil
}

func (s *retryStore) Stat(ctx context.Context, key string) (Info, error) {
	var info Info
	err := s.retry(ctx, func() error {
		var err error
		info, err = s.inner.Stat(ctx, key)
		return err
	}, nil)
	return info, err
}

// List resumes a listing that failed midway after the last key already
// delivered, which lexical order makes possible, so fn never sees a key
// twice. Errors from fn are returned as they are and never retried.
func (s *retryStore) List(ctx context.Context, prefix string, fn func(Info) error) error {
	var (
		last    string
		started bool
		fnErr   error
	)
	err := s.retry(ctx, func() error {
		return s.inner.List(ctx, prefix, func(info Info) error {
			if started && info.Key <= last {
				return nil
			}
			if err := fn(info); err != nil {
				fnErr = err
				return err
			}
			last, started = info.Key, true
			return nil
		})
	}, func() error { return fnErr })
	if fnErr != nil {
		return fnErr
	}
	return err
}

func (s *retryStore) Delete(ctx context.Context, key string) error {
	return s.retry(ctx, func() error { return s.inner.Delete(ctx, key) }, nil)
}

// permanentError marks a backend failure that a retry cannot fix (denied
// access, missing bucket, rejected request), so WithRetry does not waste
// attempts on it.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

func transient(err error) bool {
	var pe permanentError
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrExists), errors.Is(err, ErrPrecondition),
		errors.Is(err, ErrInvalidKey), errors.Is(err, ErrUnsupported),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &pe):
		return false
	}
	return true
}
