// Package storage owns the opaque blob stores matterfile keeps its records
// in (a local directory, MinIO or S3) and the one place that lays out object
// keys.
//
// A BlobStore stores bytes under keys and nothing else: it never sees
// plaintext (package storage/sealed encrypts above it), never interprets
// what it stores, and never accepts a key that is not built from validated
// IDs. Every key segment is a canonical ID (see package ids), so a key cannot
// carry a path trick, a header value or a filename.
//
// Tenants are isolated in one of two ways, with the same keys either way.
// By prefix: one store (NewLocal, NewS3) holds everything and tenant t's
// objects are the keys under tenants/<t>/. By bucket: NewPerTenantS3 keeps
// each tenant's keys in a bucket of its own, "<bucket prefix>-<t>", and the
// rest (the registry) in a shared bucket; NewRouter does the same over any
// stores. Per-tenant buckets let a tenant's data be deleted, exported or
// given its own policies and quotas as a whole, at the cost of S3's
// 63-character bucket names (which shorten the longest tenant ID) and of
// Lists spanning tenants, which must visit every tenant's bucket.
//
// Conditional replace (PutOptions.IfMatch with an ETag from Stat or List)
// lets a rewrite fail, with ErrPrecondition, instead of overwriting a
// newer object another writer stored since it was read.
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
	// ErrPrecondition is returned (wrapped) by a Put with IfMatch whose key
	// holds no object, or an object whose ETag is no longer IfMatch: someone
	// else replaced or deleted it since it was read. The existing object, if
	// any, is left untouched; the caller re-reads and decides again.
	ErrPrecondition = errors.New("object precondition failed")
)

// Info describes a stored object.
type Info struct {
	Key      string
	Size     int64
	Modified time.Time
	// ETag is an opaque tag of the object's current version, to pass back as
	// PutOptions.IfMatch. A replace always changes it, unless the backend
	// derives it from the content and the content is the same (S3), in
	// which case the replace lost nothing. Only equality is meaningful; its
	// form differs between backends.
	ETag string
}

// PutOptions tunes a Put.
type PutOptions struct {
	// CreateOnly makes the Put fail with ErrExists, atomically, when the key
	// already holds an object. It is how matterfile writes records that must
	// never be replaced (manifests, index entries, keysets).
	CreateOnly bool
	// IfMatch, when set, makes the Put replace the object only if its ETag
	// (from Stat or List) is still IfMatch, and fail with ErrPrecondition
	// otherwise, including when the key holds no object. The check and the
	// replace are one atomic step, so of several writers racing to replace
	// the same version exactly one wins: this is how a rewrite (such as
	// re-encryption) avoids clobbering a concurrent writer's newer object.
	// It cannot be combined with CreateOnly.
	IfMatch string
}

// maxETagLen bounds IfMatch; real ETags are a few dozen bytes.
const maxETagLen = 256

// errConflictingOptions and errInvalidETag are caller bugs, so they are
// permanent: no retry can fix them.
var (
	errConflictingOptions = permanentError{errors.New("put options CreateOnly and IfMatch cannot be combined")}
	errInvalidETag        = permanentError{errors.New("put option IfMatch is not a valid ETag")}
)

// validate rejects option combinations no backend can honour, before any
// I/O. IfMatch is restricted to visible ASCII without quotes so it can be
// sent as an HTTP header as it is; the error never quotes it.
func (o PutOptions) validate() error {
	if o.IfMatch == "" {
		return nil
	}
	if o.CreateOnly {
		return errConflictingOptions
	}
	// "*" means "any version" in HTTP; accepting it would make IfMatch mean
	// something else on S3 than on the local store.
	if len(o.IfMatch) > maxETagLen || o.IfMatch == "*" {
		return errInvalidETag
	}
	for i := 0; i < len(o.IfMatch); i++ {
		if c := o.IfMatch[i]; c <= ' ' || c > '~' || c == '"' {
			return errInvalidETag
		}
	}
	return nil
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
