// Package storage owns the opaque blob stores matterfile keeps its records
// in (a local directory, MinIO or S3) and the one place that lays out object
// keys.
//
// A BlobStore stores bytes under keys and nothing else: it never sees
// plaintext (package storage/sealed encrypts above it), never interprets
// what it stores, and never accepts a key that is not built from validated
// IDs. Every key segment is a canonical ID (see package ids), so a key cannot
// carry a path trick, a header value or a filename.
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/matterfile/matterfile/ids"
)

var (
	// ErrNotFound is returned (wrapped) by Get, Stat and Delete for a key
	// that holds no object.
	ErrNotFound = errors.New("object not found")
	// ErrExists is returned (wrapped) by a create-only Put whose key already
	// holds an object. The existing object is left untouched.
	ErrExists = errors.New("object already exists")
	// ErrInvalidKey is returned (wrapped) for a key or prefix that is not
	// made of canonical ID segments.
	ErrInvalidKey = errors.New("invalid object key")
)

// Info describes a stored object.
type Info struct {
	Key      string
	Size     int64
	Modified time.Time
}

// PutOptions tunes a Put.
type PutOptions struct {
	// CreateOnly makes the Put fail with ErrExists, atomically, when the key
	// already holds an object. It is how matterfile writes records that must
	// never be replaced (manifests, index entries, keysets).
	CreateOnly bool
}

// BlobStore is the whole contract between matterfile and a storage backend.
// Implementations are safe for concurrent use.
type BlobStore interface {
	// Put stores everything r yields under key, streaming: the size need not
	// be known and the whole object is never held in memory. The object
	// becomes visible only once complete.
	Put(ctx context.Context, key string, r io.Reader, opts PutOptions) error
	// Get opens the object for reading. A missing object is reported by Get
	// itself (ErrNotFound), never lazily by the first Read.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Stat describes the object, or returns ErrNotFound.
	Stat(ctx context.Context, key string) (Info, error)
	// List calls fn for every object whose key starts with prefix, in
	// lexical key order. The prefix is empty or ends with "/", so listing
	// tenant "a" never returns tenant "ab". An error from fn stops the
	// listing and is returned.
	List(ctx context.Context, prefix string, fn func(Info) error) error
	// Delete removes the object, or returns ErrNotFound.
	Delete(ctx context.Context, key string) error
}

// ValidateKey checks that key is a "/"-separated sequence of canonical ID
// segments. Backends call it before touching anything.
func ValidateKey(key string) error {
	if key == "" {
		return fmt.Errorf("empty key: %w", ErrInvalidKey)
	}
	for i, seg := range strings.Split(key, "/") {
		if !ids.Valid(seg) {
			return fmt.Errorf("key segment %d is not canonical: %w", i, ErrInvalidKey)
		}
	}
	return nil
}

// ValidatePrefix checks a List prefix: empty, or canonical segments each
// followed by "/".
func ValidatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if !strings.HasSuffix(prefix, "/") {
		return fmt.Errorf("prefix does not end with /: %w", ErrInvalidKey)
	}
	return ValidateKey(strings.TrimSuffix(prefix, "/"))
}
