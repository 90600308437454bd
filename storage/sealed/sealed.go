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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/prf"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
	"github.com/tink-crypto/tink-go/v2/streamingaead"
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

// keysetBundle is the stored form of a tenant's keysets, each wrapped by the
// root key with associated data naming the tenant and the keyset's use.
type keysetBundle struct {
	Version   int    `json:"version"`
	AEAD      []byte `json:"aead"`
	Streaming []byte `json:"streaming"`
	PRF       []byte `json:"prf"`
}

// Store seals and unseals one tenant's objects.
type Store struct {
	gen    int // keyset generation
	tenant string
	prefix string
	bs     storage.BlobStore
	aead   tink.AEAD
	stream tink.StreamingAEAD
	prf    *prf.Set
}

func keysetAD(tenant, key, use string) []byte {
	return associatedData(tenant, Place{Key: key + "#" + use, Kind: KindKeyset})
}

// CreateTenant generates tenant t's keysets and stores them wrapped by root,
// create-only: an existing keyset is never replaced (storage.ErrExists).
func CreateTenant(ctx context.Context, bs storage.BlobStore, root tink.AEAD, t string) error {
	var hs handles
	var err error
	if hs.aead, err = keyset.NewHandle(aead.AES256GCMKeyTemplate()); err != nil {
		return fmt.Errorf("generate aead keyset for tenant %s: %w", t, err)
	}
	if hs.streaming, err = keyset.NewHandle(streamingaead.AES256GCMHKDF1MBKeyTemplate()); err != nil {
		return fmt.Errorf("generate streaming keyset for tenant %s: %w", t, err)
	}
	if hs.prf, err = keyset.NewHandle(prf.HMACSHA256PRFKeyTemplate()); err != nil {
		return fmt.Errorf("generate prf keyset for tenant %s: %w", t, err)
	}
	return writeKeysets(ctx, bs, root, t, 1, hs)
}

// Open unwraps tenant t's newest keysets with root and returns its Store.
// The newest generation holds every key of the older ones, so objects
// sealed before a rotation still open.
func Open(ctx context.Context, bs storage.BlobStore, root tink.AEAD, t string) (*Store, error) {
	prefix, err := storage.TenantPrefix(t)
	if err != nil {
		return nil, err
	}
	gen, err := latestKeyset(ctx, bs, t)
	if err != nil {
		return nil, err
	}
	hs, err := readKeysets(ctx, bs, root, t, gen)
	if err != nil {
		return nil, err
	}
	s := &Store{tenant: t, prefix: prefix, bs: bs, gen: gen}
	if s.aead, err = aead.New(hs.aead); err != nil {
		return nil, fmt.Errorf("tenant %s aead: %w", t, err)
	}
	if s.stream, err = streamingaead.New(hs.streaming); err != nil {
		return nil, fmt.Errorf("tenant %s streaming aead: %w", t, err)
	}
	if s.prf, err = prf.NewPRFSet(hs.prf); err != nil {
		return nil, fmt.Errorf("tenant %s prf: %w", t, err)
	}
	return s, nil
}

// handles are a tenant's unwrapped keysets.
type handles struct {
	aead, streaming, prf *keyset.Handle
}

// latestKeyset returns the newest keyset generation of tenant t.
func latestKeyset(ctx context.Context, bs storage.BlobStore, t string) (int, error) {
	prefix, err := storage.TenantKeysetsPrefix(t)
	if err != nil {
		return 0, err
	}
	latest := 0
	err = bs.List(ctx, prefix, func(i storage.Info) error {
		name := strings.TrimPrefix(i.Key, prefix)
		gen := 0
		switch {
		case name == "tenant":
			gen = 1
		case strings.HasPrefix(name, "tenant-"):
			n, err := strconv.Atoi(strings.TrimPrefix(name, "tenant-"))
			if err != nil || n < 2 {
				return nil // not a keyset name; ignore rather than trust
			}
			gen = n
		}
		latest = max(latest, gen)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("tenant %s keysets: %w", t, err)
	}
	if latest == 0 {
		return 0, fmt.Errorf("tenant %s keysets: %w (%w)", t, ErrKeyset, storage.ErrNotFound)
	}
	return latest, nil
}

// readKeysets unwraps generation gen of tenant t's keysets. The wrapping
// binds each keyset to its tenant, generation object and use.
func readKeysets(ctx context.Context, bs storage.BlobStore, root tink.AEAD, t string, gen int) (handles, error) {
	key, err := storage.TenantKeysetGenKey(t, gen)
	if err != nil {
		return handles{}, err
	}
	rc, err := bs.Get(ctx, key)
	if err != nil {
		return handles{}, fmt.Errorf("tenant %s keysets: %w (%w)", t, ErrKeyset, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	if err != nil {
		return handles{}, fmt.Errorf("read tenant %s keysets: %w", t, err)
	}
	var b keysetBundle
	if err := json.Unmarshal(data, &b); err != nil || b.Version != FormatVersion {
		return handles{}, fmt.Errorf("tenant %s keysets are malformed: %w", t, ErrKeyset)
	}
	unwrap := func(data []byte, use string) (*keyset.Handle, error) {
		h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(data)), root, keysetAD(t, key, use))
		if err != nil {
			// Tink's error says nothing secret, but the class is what matters.
			return nil, fmt.Errorf("unwrap tenant %s %s keyset (wrong root key, or keyset not this tenant's): %w", t, use, ErrKeyset)
		}
		return h, nil
	}
	var hs handles
	if hs.aead, err = unwrap(b.AEAD, "aead"); err != nil {
		return handles{}, err
	}
	if hs.streaming, err = unwrap(b.Streaming, "streaming"); err != nil {
		return handles{}, err
	}
	if hs.prf, err = unwrap(b.PRF, "prf"); err != nil {
		return handles{}, err
	}
	return hs, nil
}

// writeKeysets wraps hs with root and stores them as generation gen,
// create-only: a generation is written once, so two rotations racing
// leave one winner and the loser an error.
func writeKeysets(ctx context.Context, bs storage.BlobStore, root tink.AEAD, t string, gen int, hs handles) error {
	key, err := storage.TenantKeysetGenKey(t, gen)
	if err != nil {
		return err
	}
	b := keysetBundle{Version: FormatVersion}
	for _, ks := range []struct {
		dst *[]byte
		use string
		h   *keyset.Handle
	}{{&b.AEAD, "aead", hs.aead}, {&b.Streaming, "streaming", hs.streaming}, {&b.PRF, "prf", hs.prf}} {
		var buf bytes.Buffer
		if err := ks.h.WriteWithAssociatedData(keyset.NewBinaryWriter(&buf), root, keysetAD(t, key, ks.use)); err != nil {
			return fmt.Errorf("wrap %s keyset for tenant %s: %w", ks.use, t, err)
		}
		*ks.dst = buf.Bytes()
	}
	data, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("encode keysets for tenant %s: %w", t, err)
	}
	if err := bs.Put(ctx, key, bytes.NewReader(data), storage.PutOptions{CreateOnly: true}); err != nil {
		return fmt.Errorf("store keysets for tenant %s: %w", t, err)
	}
	return nil
}

// Rotate adds a new primary key to tenant t's AEAD and streaming keysets
// and stores them as the next generation; new objects are sealed with the
// new keys, and objects sealed before still open with the old ones, which
// stay in the keyset until re-encryption has moved every object off them.
// The PRF is not rotated: every ID the tenant has is derived with it.
// It returns the new generation.
func Rotate(ctx context.Context, bs storage.BlobStore, root tink.AEAD, t string) (int, error) {
	gen, err := latestKeyset(ctx, bs, t)
	if err != nil {
		return 0, err
	}
	hs, err := readKeysets(ctx, bs, root, t, gen)
	if err != nil {
		return 0, err
	}
	add := func(h *keyset.Handle, tmpl *tinkpb.KeyTemplate) (*keyset.Handle, error) {
		m := keyset.NewManagerFromHandle(h)
		id, err := m.Add(tmpl)
		if err != nil {
			return nil, err
		}
		if err := m.SetPrimary(id); err != nil {
			return nil, err
		}
		return m.Handle()
	}
	if hs.aead, err = add(hs.aead, aead.AES256GCMKeyTemplate()); err != nil {
		return 0, fmt.Errorf("rotate tenant %s aead keyset: %w", t, err)
	}
	if hs.streaming, err = add(hs.streaming, streamingaead.AES256GCMHKDF1MBKeyTemplate()); err != nil {
		return 0, fmt.Errorf("rotate tenant %s streaming keyset: %w", t, err)
	}
	if err := writeKeysets(ctx, bs, root, t, gen+1, hs); err != nil {
		return 0, err
	}
	return gen + 1, nil
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
	enc, err := s.stream.NewEncryptingWriter(pipe, associatedData(s.tenant, p))
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
	rc, err := s.bs.Get(ctx, p.Key)
	if err != nil {
		return nil, err
	}
	src := &errTrackingReader{r: rc}
	dec, err := s.stream.NewDecryptingReader(src, associatedData(s.tenant, p))
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
	ct, err := s.aead.Encrypt(plaintext, associatedData(s.tenant, p))
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
	rc, err := s.bs.Get(ctx, p.Key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	ct, err := io.ReadAll(io.LimitReader(rc, maxRecord+1<<10))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p.Key, err)
	}
	pt, err := s.aead.Decrypt(ct, associatedData(s.tenant, p))
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
