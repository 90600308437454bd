package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/minio/minio-go/v7"
)

// ErrUnsupported is wrapped when a store cannot do what was asked of it,
// such as a legal hold on a bucket without object locking.
var ErrUnsupported = errors.New("not supported by this store")

// LegalHolder is a store that can put an object under legal hold (S3
// Object Lock): while on, no version of the object can be deleted or
// overwritten in place, by matterfile or anyone else with the bucket's
// credentials, until the hold is taken off. The catalog refuses deletions
// of held matters itself; this makes the storage refuse them as well.
type LegalHolder interface {
	SetLegalHold(ctx context.Context, key string, on bool) error
}

// SetLegalHold sets or clears the legal hold of key in bs, or returns
// ErrUnsupported if bs cannot hold objects.
func SetLegalHold(ctx context.Context, bs BlobStore, key string, on bool) error {
	lh, ok := bs.(LegalHolder)
	if !ok {
		return fmt.Errorf("legal hold on %s: %w", key, ErrUnsupported)
	}
	return lh.SetLegalHold(ctx, key, on)
}

// objectLocking remembers whether a bucket has object locking, which
// cannot change once the bucket exists.
type objectLocking struct {
	mu      sync.Mutex
	known   bool
	enabled bool
}

// hasObjectLocking asks the bucket once; a failure to ask is not
// remembered, since it says nothing about the bucket.
func (s *S3) hasObjectLocking(ctx context.Context) (bool, error) {
	s.locking.mu.Lock()
	defer s.locking.mu.Unlock()
	if s.locking.known {
		return s.locking.enabled, nil
	}
	enabled, _, _, _, err := s.core.GetObjectLockConfig(ctx, s.cfg.Bucket)
	switch {
	case err == nil:
		s.locking.enabled = enabled == "Enabled"
	case minio.ToErrorResponse(err).Code == "ObjectLockConfigurationNotFoundError":
	default:
		return false, s.mapErr(err)
	}
	s.locking.known = true
	return s.locking.enabled, nil
}

// SetLegalHold sets or clears the legal hold of the current version of
// key. A bucket created without object locking returns ErrUnsupported.
func (s *S3) SetLegalHold(ctx context.Context, key string, on bool) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("legal hold: %w", err)
	}
	enabled, err := s.hasObjectLocking(ctx)
	if err != nil {
		return fmt.Errorf("legal hold on %s: object lock configuration: %w", key, err)
	}
	if !enabled {
		return fmt.Errorf("legal hold on %s: bucket %s has no object locking: %w", key, s.cfg.Bucket, ErrUnsupported)
	}
	status := minio.LegalHoldDisabled
	if on {
		status = minio.LegalHoldEnabled
	}
	if err := s.core.PutObjectLegalHold(ctx, s.cfg.Bucket, s.prefix+key, minio.PutObjectLegalHoldOptions{Status: &status}); err != nil {
		return fmt.Errorf("legal hold on %s: %w", key, s.mapErr(err))
	}
	return nil
}

// LegalHold reports whether the current version of key is under legal
// hold.
func (s *S3) LegalHold(ctx context.Context, key string) (bool, error) {
	if err := ValidateKey(key); err != nil {
		return false, fmt.Errorf("legal hold: %w", err)
	}
	st, err := s.core.GetObjectLegalHold(ctx, s.cfg.Bucket, s.prefix+key, minio.GetObjectLegalHoldOptions{})
	if err != nil {
		if minio.ToErrorResponse(err).Code == "NoSuchObjectLockConfiguration" {
			return false, nil
		}
		return false, fmt.Errorf("legal hold of %s: %w", key, s.mapErr(err))
	}
	return st != nil && *st == minio.LegalHoldEnabled, nil
}

// SetLegalHold is retried like every other call.
func (s *retryStore) SetLegalHold(ctx context.Context, key string, on bool) error {
	lh, ok := s.inner.(LegalHolder)
	if !ok {
		return fmt.Errorf("legal hold on %s: %w", key, ErrUnsupported)
	}
	return s.retry(ctx, func() error { return lh.SetLegalHold(ctx, key, on) }, nil)
}

// SetLegalHold holds the object in the store that holds it.
func (r *Router) SetLegalHold(ctx context.Context, key string, on bool) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("legal hold: %w", err)
	}
	s, err := r.route(ctx, key)
	if err != nil {
		return fmt.Errorf("legal hold on %s: %w", key, err)
	}
	return SetLegalHold(ctx, s, key, on)
}
