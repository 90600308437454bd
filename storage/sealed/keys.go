package sealed

import (
	"bytes"
	"context"
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

// The key hierarchy: the root key wraps each tenant's keysets; the tenant's
// AEAD wraps each client's. Both live in the key store as numbered
// generations, each written once (create-only); a rotation writes the next
// generation holding every older key plus a new primary, so the newest
// generation opens everything.

// ErrNoClientKeys is wrapped when a client's keysets are gone (the client
// was deleted) or were never made: its objects cannot be read by anyone.
var ErrNoClientKeys = errors.New("client keysets destroyed or never made")

// keysetBundle is the stored form of one generation of an owner's keysets,
// each wrapped with associated data naming the tenant, client, object and
// use. A client has no PRF: IDs are derived tenant-wide.
type keysetBundle struct {
	Version   int    `json:"version"`
	AEAD      []byte `json:"aead"`
	Streaming []byte `json:"streaming"`
	PRF       []byte `json:"prf,omitempty"`
}

// handles are an owner's unwrapped keysets.
type handles struct {
	aead, streaming, prf *keyset.Handle
}

// sealers are the primitives one owner's keysets give.
type sealers struct {
	aead   tink.AEAD
	stream tink.StreamingAEAD
}

func keysetAD(tenant, client, key, use string) []byte {
	return associatedData(tenant, Place{Client: client, Key: key + "#" + use, Kind: KindKeyset})
}

func newHandles(withPRF bool) (handles, error) {
	var hs handles
	var err error
	if hs.aead, err = keyset.NewHandle(aead.AES256GCMKeyTemplate()); err != nil {
		return handles{}, fmt.Errorf("generate aead keyset: %w", err)
	}
	if hs.streaming, err = keyset.NewHandle(streamingaead.AES256GCMHKDF1MBKeyTemplate()); err != nil {
		return handles{}, fmt.Errorf("generate streaming keyset: %w", err)
	}
	if withPRF {
		if hs.prf, err = keyset.NewHandle(prf.HMACSHA256PRFKeyTemplate()); err != nil {
			return handles{}, fmt.Errorf("generate prf keyset: %w", err)
		}
	}
	return hs, nil
}

func (hs handles) sealers() (sealers, error) {
	var k sealers
	var err error
	if k.aead, err = aead.New(hs.aead); err != nil {
		return sealers{}, fmt.Errorf("aead: %w", err)
	}
	if k.stream, err = streamingaead.New(hs.streaming); err != nil {
		return sealers{}, fmt.Errorf("streaming aead: %w", err)
	}
	return k, nil
}

// rotated adds a new primary key to the AEAD and streaming keysets. The PRF
// is never rotated: every ID the tenant has is derived with it.
func (hs handles) rotated() (handles, error) {
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
	out := hs
	var err error
	if out.aead, err = add(hs.aead, aead.AES256GCMKeyTemplate()); err != nil {
		return handles{}, fmt.Errorf("rotate aead keyset: %w", err)
	}
	if out.streaming, err = add(hs.streaming, streamingaead.AES256GCMHKDF1MBKeyTemplate()); err != nil {
		return handles{}, fmt.Errorf("rotate streaming keyset: %w", err)
	}
	return out, nil
}

// owner names whose keysets a bundle holds: the tenant's (client "") or one
// client's.
type owner struct{ tenant, client string }

func (o owner) String() string {
	if o.client == "" {
		return "tenant " + o.tenant
	}
	return "tenant " + o.tenant + " client " + o.client
}

func (o owner) genKey(gen int) (string, error) {
	if o.client == "" {
		return storage.TenantKeysetGenKey(o.tenant, gen)
	}
	return storage.ClientKeysetGenKey(o.tenant, o.client, gen)
}

// generations lists the owner's keyset generations in the key store.
func (o owner) generations(ctx context.Context, ks storage.BlobStore) ([]int, error) {
	var prefix string
	var err error
	if o.client == "" {
		prefix, err = storage.TenantKeysetsPrefix(o.tenant)
	} else {
		prefix, err = storage.ClientKeysetsPrefix(o.tenant, o.client)
	}
	if err != nil {
		return nil, err
	}
	var gens []int
	err = ks.List(ctx, prefix, func(i storage.Info) error {
		name := strings.TrimPrefix(i.Key, prefix)
		gen := 0
		switch {
		case o.client != "":
			if n, err := strconv.Atoi(name); err == nil && n >= 1 && strconv.Itoa(n) == name {
				gen = n
			}
		case name == "tenant":
			gen = 1
		case strings.HasPrefix(name, "tenant-"):
			// Anything else under keys/ (clients/…) is not a tenant keyset.
			if n, err := strconv.Atoi(strings.TrimPrefix(name, "tenant-")); err == nil && n >= 2 {
				gen = n
			}
		}
		if gen > 0 {
			gens = append(gens, gen)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s keysets: %w", o, err)
	}
	return gens, nil
}

// latest returns the owner's newest keyset generation, or an error wrapping
// storage.ErrNotFound when it has none.
func (o owner) latest(ctx context.Context, ks storage.BlobStore) (int, error) {
	gens, err := o.generations(ctx, ks)
	if err != nil {
		return 0, err
	}
	latest := 0
	for _, g := range gens {
		latest = max(latest, g)
	}
	if latest == 0 {
		return 0, fmt.Errorf("%s keysets: %w (%w)", o, ErrKeyset, storage.ErrNotFound)
	}
	return latest, nil
}

// read unwraps generation gen of the owner's keysets with wrap.
func (o owner) read(ctx context.Context, ks storage.BlobStore, wrap tink.AEAD, gen int) (handles, error) {
	key, err := o.genKey(gen)
	if err != nil {
		return handles{}, err
	}
	rc, err := ks.Get(ctx, key)
	if err != nil {
		return handles{}, fmt.Errorf("%s keysets: %w (%w)", o, ErrKeyset, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	if err != nil {
		return handles{}, fmt.Errorf("read %s keysets: %w", o, err)
	}
	var b keysetBundle
	if err := json.Unmarshal(data, &b); err != nil || b.Version != FormatVersion {
		return handles{}, fmt.Errorf("%s keysets are malformed: %w", o, ErrKeyset)
	}
	unwrap := func(data []byte, use string) (*keyset.Handle, error) {
		h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(data)), wrap, keysetAD(o.tenant, o.client, key, use))
		if err != nil {
			// Tink's error says nothing secret, but the class is what matters.
			return nil, fmt.Errorf("unwrap %s %s keyset (wrong wrapping key, or keyset not this owner's): %w", o, use, ErrKeyset)
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
	if o.client == "" {
		if hs.prf, err = unwrap(b.PRF, "prf"); err != nil {
			return handles{}, err
		}
	}
	return hs, nil
}

// write wraps hs with wrap and stores them as generation gen, create-only:
// a generation is written once, so two rotations racing leave one winner
// and the loser an error wrapping storage.ErrExists.
func (o owner) write(ctx context.Context, ks storage.BlobStore, wrap tink.AEAD, gen int, hs handles) error {
	key, err := o.genKey(gen)
	if err != nil {
		return err
	}
	b := keysetBundle{Version: FormatVersion}
	parts := []struct {
		dst *[]byte
		use string
		h   *keyset.Handle
	}{{&b.AEAD, "aead", hs.aead}, {&b.Streaming, "streaming", hs.streaming}}
	if o.client == "" {
		parts = append(parts, struct {
			dst *[]byte
			use string
			h   *keyset.Handle
		}{&b.PRF, "prf", hs.prf})
	}
	for _, ks := range parts {
		var buf bytes.Buffer
		if err := ks.h.WriteWithAssociatedData(keyset.NewBinaryWriter(&buf), wrap, keysetAD(o.tenant, o.client, key, ks.use)); err != nil {
			return fmt.Errorf("wrap %s keyset of %s: %w", ks.use, o, err)
		}
		*ks.dst = buf.Bytes()
	}
	data, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("encode keysets of %s: %w", o, err)
	}
	if err := ks.Put(ctx, key, bytes.NewReader(data), storage.PutOptions{CreateOnly: true}); err != nil {
		return fmt.Errorf("store keysets of %s: %w", o, err)
	}
	return nil
}

func (o owner) tombstoneKey() (string, error) {
	p, err := storage.ClientKeysetsPrefix(o.tenant, o.client)
	return p + "erased", err
}

// erased reports whether the client's keysets were destroyed on purpose.
func (o owner) erased(ctx context.Context, ks storage.BlobStore) (bool, error) {
	if o.client == "" {
		return false, nil
	}
	key, err := o.tombstoneKey()
	if err != nil {
		return false, err
	}
	_, err = ks.Stat(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s keysets: %w", o, err)
	}
	return true, nil
}

// destroy deletes every generation of the owner's keysets and reports how
// many it deleted. It checks afterwards that none is left, so a listing
// that raced a rotation cannot leave a generation behind unnoticed.
func (o owner) destroy(ctx context.Context, ks storage.BlobStore) (int, error) {
	n := 0
	for range 3 {
		gens, err := o.generations(ctx, ks)
		if err != nil {
			return n, err
		}
		if len(gens) == 0 {
			return n, nil
		}
		for _, g := range gens {
			key, err := o.genKey(g)
			if err != nil {
				return n, err
			}
			if err := ks.Delete(ctx, key); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return n, fmt.Errorf("destroy %s keyset generation %d: %w", o, g, err)
			}
			n++
		}
	}
	return n, fmt.Errorf("destroy %s keysets: generations keep appearing", o)
}

// CreateTenant generates tenant t's keysets and stores them wrapped by the
// root key, create-only: an existing keyset is never replaced
// (storage.ErrExists).
func CreateTenant(ctx context.Context, kr Keyring, t string) error {
	if err := kr.valid(); err != nil {
		return err
	}
	hs, err := newHandles(true)
	if err != nil {
		return fmt.Errorf("tenant %s: %w", t, err)
	}
	return owner{tenant: t}.write(ctx, kr.Store, kr.Root, 1, hs)
}

// Rotate adds a new primary key to tenant t's AEAD and streaming keysets
// and stores them as the next generation; new objects are sealed with the
// new keys, and objects sealed before still open with the old ones, which
// stay in the keyset until re-encryption has moved every object off them.
// It returns the new generation.
func Rotate(ctx context.Context, kr Keyring, t string) (int, error) {
	if err := kr.valid(); err != nil {
		return 0, err
	}
	o := owner{tenant: t}
	gen, err := o.latest(ctx, kr.Store)
	if err != nil {
		return 0, err
	}
	hs, err := o.read(ctx, kr.Store, kr.Root, gen)
	if err != nil {
		return 0, err
	}
	if hs, err = hs.rotated(); err != nil {
		return 0, fmt.Errorf("%s: %w", o, err)
	}
	if err := o.write(ctx, kr.Store, kr.Root, gen+1, hs); err != nil {
		return 0, err
	}
	return gen + 1, nil
}

// DestroyTenantKeys deletes every keyset of tenant t, its clients' too,
// from the key store and reports how many objects it deleted. Afterwards no
// object of the tenant can be decrypted by anyone, from any copy of the
// data store. It is the crypto-shredding step of deleting a tenant.
func DestroyTenantKeys(ctx context.Context, kr Keyring, t string) (int, error) {
	if err := kr.valid(); err != nil {
		return 0, err
	}
	prefix, err := storage.TenantKeysetsPrefix(t)
	if err != nil {
		return 0, err
	}
	n := 0
	for range 3 {
		var keys []string
		if err := kr.Store.List(ctx, prefix, func(i storage.Info) error {
			keys = append(keys, i.Key)
			return nil
		}); err != nil {
			return n, fmt.Errorf("tenant %s keysets: %w", t, err)
		}
		if len(keys) == 0 {
			return n, nil
		}
		for _, k := range keys {
			if err := kr.Store.Delete(ctx, k); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return n, fmt.Errorf("destroy tenant %s keysets: %w", t, err)
			}
			n++
		}
	}
	return n, fmt.Errorf("destroy tenant %s keysets: keysets keep appearing", t)
}

// keysFor returns the sealers of client (the tenant's own for ""). A
// client's keysets are made on its first write; a read never makes them,
// so a deleted client's objects stay unreadable instead of meeting new
// keys.
func (s *Store) keysFor(ctx context.Context, client string, create bool) (sealers, error) {
	if client == "" {
		return sealers{aead: s.aead, stream: s.stream}, nil
	}
	s.mu.Lock()
	k, ok := s.clients[client]
	s.mu.Unlock()
	if ok {
		return k, nil
	}
	o := owner{tenant: s.tenant, client: client}
	gen, err := o.latest(ctx, s.keys)
	if errors.Is(err, storage.ErrNotFound) {
		if erased, eerr := o.erased(ctx, s.keys); eerr != nil {
			return sealers{}, eerr
		} else if erased {
			// Never meet an erased client with new keys: its ID is spent.
			return sealers{}, fmt.Errorf("%s was erased: %w", o, ErrNoClientKeys)
		}
	}
	if errors.Is(err, storage.ErrNotFound) && create {
		hs, herr := newHandles(false)
		if herr != nil {
			return sealers{}, fmt.Errorf("%s: %w", o, herr)
		}
		err = o.write(ctx, s.keys, s.aead, 1, hs)
		if err == nil || errors.Is(err, storage.ErrExists) {
			// Ours, or another writer's made at the same moment.
			gen, err = o.latest(ctx, s.keys)
		}
	}
	if errors.Is(err, storage.ErrNotFound) {
		return sealers{}, fmt.Errorf("%s: %w", o, ErrNoClientKeys)
	}
	if err != nil {
		return sealers{}, err
	}
	hs, err := o.read(ctx, s.keys, s.aead, gen)
	if err != nil {
		return sealers{}, err
	}
	if k, err = hs.sealers(); err != nil {
		return sealers{}, fmt.Errorf("%s: %w", o, err)
	}
	s.mu.Lock()
	if s.clients == nil {
		s.clients = map[string]sealers{}
	}
	s.clients[client] = k
	s.mu.Unlock()
	return k, nil
}

// RotateClient adds a new primary key to client's keysets, as RotateTenant
// does for the tenant's, and returns the new generation. This Store seals
// with it at once.
func (s *Store) RotateClient(ctx context.Context, client string) (int, error) {
	o := owner{tenant: s.tenant, client: client}
	gen, err := o.latest(ctx, s.keys)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, fmt.Errorf("%s: %w", o, ErrNoClientKeys)
	}
	if err != nil {
		return 0, err
	}
	hs, err := o.read(ctx, s.keys, s.aead, gen)
	if err != nil {
		return 0, err
	}
	if hs, err = hs.rotated(); err != nil {
		return 0, fmt.Errorf("%s: %w", o, err)
	}
	if err := o.write(ctx, s.keys, s.aead, gen+1, hs); err != nil {
		return 0, err
	}
	s.forgetClient(client)
	return gen + 1, nil
}

// ClientKeysetGeneration is the newest generation of client's keysets.
func (s *Store) ClientKeysetGeneration(ctx context.Context, client string) (int, error) {
	gen, err := owner{tenant: s.tenant, client: client}.latest(ctx, s.keys)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, fmt.Errorf("tenant %s client %s: %w", s.tenant, client, ErrNoClientKeys)
	}
	return gen, err
}

func (s *Store) forgetClient(client string) {
	s.mu.Lock()
	delete(s.clients, client)
	s.mu.Unlock()
}

// DestroyClientKeys deletes every generation of client's keysets, after
// which none of its objects can be decrypted by anyone, from any copy. This
// is the crypto-shredding step of deleting a client; its objects can be
// deleted afterwards at leisure. It reports how many keyset objects it
// deleted.
func (s *Store) DestroyClientKeys(ctx context.Context, client string) (int, error) {
	o := owner{tenant: s.tenant, client: client}
	key, err := o.tombstoneKey()
	if err != nil {
		return 0, err
	}
	// The tombstone first: from now on no writer makes new keys for the
	// client, so nothing new is sealed that the erasure would miss.
	if err := s.keys.Put(ctx, key, strings.NewReader("erased"), storage.PutOptions{}); err != nil {
		return 0, fmt.Errorf("mark %s erased: %w", o, err)
	}
	n, err := o.destroy(ctx, s.keys)
	s.forgetClient(client)
	return n, err
}
