// Package sealed encrypts above an opaque storage.BlobStore: everything a
// tenant stores passes through a Store that holds only that tenant's keys.
//
// Security model. A 32-byte root key (or, later, a KMS key) wraps each
// tenant's Tink keysets, which are stored in the tenant's own space at
// tenants/<t>/keys/tenant. Messages, bodies and attachments are sealed with
// Tink's streaming AEAD AES256_GCM_HKDF_1MB (constant memory, every 1 MiB
// segment authenticated, truncation and reordering detected); small records
// (manifests, index entries, registries) with AES256_GCM. Every ciphertext is
// bound by its associated data to the tenant, client, matter, exact object
// key, kind and generation it was written for, so moving it anywhere else
// fails authentication. The store below sees ciphertext and ID-only keys and
// nothing else.
//
// This package must never log, return in an error, or write outside
// ciphertext any plaintext, key material or associated-data value other
// than IDs; and a Store must never touch a key outside its tenant's prefix.
package sealed

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/tink-crypto/tink-go/v2/prf"
	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/matterfile/matterfile/storage"
)

var (
	// ErrIntegrity is wrapped by every decryption that failed to
	// authenticate: tampered, truncated, moved or replayed ciphertext.
	ErrIntegrity = errors.New("integrity failure")
	// ErrKeyset is wrapped when a tenant's keysets are missing or cannot be
	// unwrapped by the root key.
	ErrKeyset = errors.New("tenant keyset unavailable")
	// ErrOutsideTenant is wrapped when a key does not lie in the Store's
	// tenant space.
	ErrOutsideTenant = errors.New("object key outside the tenant")
)

// Keyring is where keysets live and what wraps them. The key store is kept
// apart from the data store so that a backup of the data holds ciphertext
// only, and destroying a keyset (crypto-shredding) reaches every copy of
// the data, backups included; the key store's own backups must be erasable.
type Keyring struct {
	Store storage.BlobStore
	Root  tink.AEAD
}

func (kr Keyring) valid() error {
	if kr.Store == nil || kr.Root == nil {
		return errors.New("keyring: key store and root key are required")
	}
	return nil
}

// Store seals and unseals one tenant's objects.
type Store struct {
	gen    int // keyset generation
	tenant string
	prefix string
	bs     storage.BlobStore
	keys   storage.BlobStore
	aead   tink.AEAD
	stream tink.StreamingAEAD
	prf    *prf.Set

	// clients caches each client's keysets, unwrapped on first use.
	mu      sync.Mutex
	clients map[string]sealers
}

// Open unwraps tenant t's newest keysets from kr and returns its Store over
// the data store bs. The newest generation holds every key of the older
// ones, so objects sealed before a rotation still open.
func Open(ctx context.Context, kr Keyring, bs storage.BlobStore, t string) (*Store, error) {
	if err := kr.valid(); err != nil {
		return nil, err
	}
	if bs == nil {
		return nil, errors.New("sealed: data store is required")
	}
	prefix, err := storage.TenantPrefix(t)
	if err != nil {
		return nil, err
	}
	o := owner{tenant: t}
	gen, err := o.latest(ctx, kr.Store)
	if err != nil {
		return nil, err
	}
	hs, err := o.read(ctx, kr.Store, kr.Root, gen)
	if err != nil {
		return nil, err
	}
	k, err := hs.sealers()
	if err != nil {
		return nil, fmt.Errorf("tenant %s: %w", t, err)
	}
	s := &Store{tenant: t, prefix: prefix, bs: bs, keys: kr.Store, gen: gen, aead: k.aead, stream: k.stream}
	if s.prf, err = prf.NewPRFSet(hs.prf); err != nil {
		return nil, fmt.Errorf("tenant %s prf: %w", t, err)
	}
	return s, nil
}

// KeysetGeneration is the keyset generation the Store seals with.
func (s *Store) KeysetGeneration() int { return s.gen }

// Tenant is the tenant whose keys the Store holds.
func (s *Store) Tenant() string { return s.tenant }

// check keeps a Store inside its tenant's space, whatever key a caller
// computed.
func (s *Store) check(key string) error {
	if !strings.HasPrefix(key, s.prefix) {
		return fmt.Errorf("tenant %s: %w", s.tenant, ErrOutsideTenant)
	}
	return storage.ValidateKey(key)
}

// DeriveID returns a stable 32-hex-character ID for input under purpose,
// keyed by the tenant's PRF so that IDs reveal nothing about their input
// and differ between tenants.
func (s *Store) DeriveID(purpose string, input []byte) (string, error) {
	msg := make([]byte, 0, len(purpose)+1+len(input))
	msg = append(append(append(msg, purpose...), 0), input...)
	out, err := s.prf.ComputePrimaryPRF(msg, 16)
	if err != nil {
		return "", fmt.Errorf("derive %s id: %w", purpose, err)
	}
	return hex.EncodeToString(out), nil
}

// Writer seals a stream into one object. Close commits it; Abort discards
// it. Nothing is visible in the store before a successful Close.
type Writer struct {
	enc  io.WriteCloser
	pipe *segmentPipe
	done chan error
	n    int64
}

// Write encrypts p into the object.
func (w *Writer) Write(p []byte) (int, error) {
	n, err := w.enc.Write(p)
	w.n += int64(n)
	return n, err
}

// Written is the number of plaintext bytes written so far.
func (w *Writer) Written() int64 { return w.n }

// Close seals the last segment and waits for the store to commit the object.
func (w *Writer) Close() error {
	if err := w.enc.Close(); err != nil {
		w.pipe.closeWrite(err)
		<-w.done
		return fmt.Errorf("seal: %w", err)
	}
	w.pipe.closeWrite(nil)
	return <-w.done
}

// Abort discards the object; cause is what the store's Put sees.
func (w *Writer) Abort(cause error) {
	if cause == nil {
		cause = errors.New("aborted")
	}
	w.pipe.closeWrite(cause)
	<-w.done
}

// Create starts a sealed streaming write of the object at p.Key.
func (s *Store) Create(ctx context.Context, p Place, opts storage.PutOptions) (*Writer, error) {
	if err := s.check(p.Key); err != nil {
		return nil, err
	}
	pipe := newSegmentPipe()
	done := make(chan error, 1)
	go func() {
		err := s.bs.Put(ctx, p.Key, pipe, opts)
		if err == nil && !pipe.drained() {
			// The queue accepts a chunk the store may never read, so a
			// store that returns early must not pass for a stored object.
			err = fmt.Errorf("store put of %s returned before the end of the object", p.Key)
		}
		pipe.closeRead(putEnded(err))
		done <- err
	}()
	keys, err := s.keysFor(ctx, p.Client, true)
	if err != nil {
		pipe.closeWrite(err)
		<-done
		return nil, err
	}
	enc, err := keys.stream.NewEncryptingWriter(pipe, associatedData(s.tenant, p))
	if err != nil {
		pipe.closeWrite(err)
		<-done
		return nil, fmt.Errorf("seal %s: %w", p.Key, err)
	}
	return &Writer{enc: enc, pipe: pipe, done: done}, nil
}

func putEnded(err error) error {
	if err != nil {
		return err
	}
	return errors.New("store put ended early")
}

// Put seals everything r yields into the object at p.Key.
func (s *Store) Put(ctx context.Context, p Place, r io.Reader, opts storage.PutOptions) error {
	w, err := s.Create(ctx, p, opts)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Abort(err)
		return fmt.Errorf("seal %s: %w", p.Key, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("seal %s: %w", p.Key, err)
	}
	return nil
}

// Open returns a reader of the object's plaintext. Each segment is verified
// before it is returned, but the object is whole only at io.EOF: a caller
// must treat what it read as final only after reading to EOF without error
// (truncation shows only at the end). Authentication failures wrap
// ErrIntegrity.
func (s *Store) Open(ctx context.Context, p Place) (io.ReadCloser, error) {
	if err := s.check(p.Key); err != nil {
		return nil, err
	}
	keys, err := s.keysFor(ctx, p.Client, false)
	if err != nil {
		return nil, err
	}
	rc, err := s.bs.Get(ctx, p.Key)
	if err != nil {
		return nil, err
	}
	src := &errTrackingReader{r: rc}
	dec, err := keys.stream.NewDecryptingReader(src, associatedData(s.tenant, p))
	if err != nil {
		rc.Close()
		if src.err != nil {
			return nil, fmt.Errorf("open %s: %w", p.Key, src.err)
		}
		return nil, fmt.Errorf("open %s: %w", p.Key, ErrIntegrity)
	}
	return &openReader{dec: dec, src: src, closer: rc, key: p.Key}, nil
}

type errTrackingReader struct {
	r   io.Reader
	err error
}

func (e *errTrackingReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

type openReader struct {
	dec    io.Reader
	src    *errTrackingReader
	closer io.Closer
	key    string
}

func (o *openReader) Read(p []byte) (int, error) {
	n, err := o.dec.Read(p)
	if err != nil && err != io.EOF {
		if o.src.err != nil {
			return n, fmt.Errorf("read %s: %w", o.key, o.src.err)
		}
		return n, fmt.Errorf("read %s: %w", o.key, ErrIntegrity)
	}
	return n, err
}

func (o *openReader) Close() error { return o.closer.Close() }

// maxRecord bounds sealed records (manifests, registries), which are read
// whole into memory.
const maxRecord = 64 << 20

// PutRecord seals a small record with AES256_GCM.
func (s *Store) PutRecord(ctx context.Context, p Place, plaintext []byte, opts storage.PutOptions) error {
	if err := s.check(p.Key); err != nil {
		return err
	}
	if len(plaintext) > maxRecord {
		return fmt.Errorf("record %s is %d bytes, more than %d", p.Key, len(plaintext), maxRecord)
	}
	keys, err := s.keysFor(ctx, p.Client, true)
	if err != nil {
		return err
	}
	ct, err := keys.aead.Encrypt(plaintext, associatedData(s.tenant, p))
	if err != nil {
		return fmt.Errorf("seal %s: %w", p.Key, err)
	}
	if err := s.bs.Put(ctx, p.Key, bytes.NewReader(ct), opts); err != nil {
		return fmt.Errorf("store %s: %w", p.Key, err)
	}
	return nil
}

// GetRecord returns the plaintext of a record sealed by PutRecord.
func (s *Store) GetRecord(ctx context.Context, p Place) ([]byte, error) {
	if err := s.check(p.Key); err != nil {
		return nil, err
	}
	keys, err := s.keysFor(ctx, p.Client, false)
	if err != nil {
		return nil, err
	}
	rc, err := s.bs.Get(ctx, p.Key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	ct, err := io.ReadAll(io.LimitReader(rc, maxRecord+1<<10))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p.Key, err)
	}
	pt, err := keys.aead.Decrypt(ct, associatedData(s.tenant, p))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p.Key, ErrIntegrity)
	}
	return pt, nil
}

// Stat describes an object of the tenant.
func (s *Store) Stat(ctx context.Context, key string) (storage.Info, error) {
	if err := s.check(key); err != nil {
		return storage.Info{}, err
	}
	return s.bs.Stat(ctx, key)
}

// Delete removes an object of the tenant.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.check(key); err != nil {
		return err
	}
	return s.bs.Delete(ctx, key)
}

// List lists objects of the tenant under prefix.
func (s *Store) List(ctx context.Context, prefix string, fn func(storage.Info) error) error {
	if !strings.HasPrefix(prefix, s.prefix) {
		return fmt.Errorf("tenant %s: %w", s.tenant, ErrOutsideTenant)
	}
	return s.bs.List(ctx, prefix, fn)
}
