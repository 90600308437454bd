package sealed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tink-crypto/tink-go/v2/keyset"

	"github.com/matterfile/matterfile/storage"
)

// Reseal rewrites the object at p under its owner's current primary key:
// a streaming object (stream set) or a record. The new ciphertext replaces
// the old only after the old one verified whole, so a damaged object is
// reported and left as it is, never replaced by a partial copy. opts
// carries the condition (IfMatch) that keeps a concurrent writer's newer
// object. It returns the plaintext size.
func (s *Store) Reseal(ctx context.Context, p Place, stream bool, opts storage.PutOptions) (int64, error) {
	if !stream {
		pt, err := s.GetRecord(ctx, p)
		if err != nil {
			return 0, err
		}
		return int64(len(pt)), s.PutRecord(ctx, p, pt, opts)
	}
	src, err := s.Open(ctx, p)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	w, err := s.Create(ctx, p, opts)
	if err != nil {
		return 0, err
	}
	// The writer commits only at Close, which we reach only after the
	// source read to EOF, i.e. verified whole.
	if _, err := io.Copy(w, src); err != nil {
		w.Abort(err)
		return 0, fmt.Errorf("reseal %s: %w", p.Key, err)
	}
	if err := w.Close(); err != nil {
		return 0, fmt.Errorf("reseal %s: %w", p.Key, err)
	}
	return w.Written(), nil
}

// primaryOnly returns h without its non-primary keys and how many it
// dropped.
func primaryOnly(h *keyset.Handle) (*keyset.Handle, int, error) {
	info := h.KeysetInfo()
	m := keyset.NewManagerFromHandle(h)
	n := 0
	for _, k := range info.GetKeyInfo() {
		if k.GetKeyId() == info.GetPrimaryKeyId() {
			continue
		}
		if err := m.Delete(k.GetKeyId()); err != nil {
			return nil, 0, err
		}
		n++
	}
	out, err := m.Handle()
	return out, n, err
}

func (hs handles) primaryOnly() (handles, int, error) {
	out := hs
	a, n1, err := primaryOnly(hs.aead)
	if err != nil {
		return handles{}, 0, fmt.Errorf("retire aead keys: %w", err)
	}
	st, n2, err := primaryOnly(hs.streaming)
	if err != nil {
		return handles{}, 0, fmt.Errorf("retire streaming keys: %w", err)
	}
	out.aead, out.streaming = a, st
	return out, n1 + n2, nil
}

// Retirement destroys the keys that rotation left behind: every key of the
// tenant's and its clients' keysets but the primary. It is planned first:
// Verifier is a Store holding only the primary keys, with which the caller
// proves that every object still opens (the keys are, in effect,
// disabled); only then does Commit destroy them.
type Retirement struct {
	kr       Keyring
	tenant   string
	gen      int
	hs       handles
	clients  map[string]handles
	cgens    map[string]int
	verifier *Store
	dropped  int
	newest   time.Time
}

// PlanRetirement reads tenant t's keysets and its clients' and plans the
// retirement of every non-primary key.
func PlanRetirement(ctx context.Context, kr Keyring, bs storage.BlobStore, t string) (*Retirement, error) {
	s, err := Open(ctx, kr, bs, t)
	if err != nil {
		return nil, err
	}
	r := &Retirement{kr: kr, tenant: t, gen: s.gen, clients: map[string]handles{}, cgens: map[string]int{}}
	o := owner{tenant: t}
	full, err := o.read(ctx, kr.Store, kr.Root, s.gen)
	if err != nil {
		return nil, err
	}
	r.note(ctx, o, s.gen)
	var n int
	if r.hs, n, err = full.primaryOnly(); err != nil {
		return nil, fmt.Errorf("%s: %w", o, err)
	}
	r.dropped += n
	v := &Store{tenant: t, prefix: s.prefix, bs: bs, keys: kr.Store, gen: s.gen, prf: s.prf, clients: map[string]sealers{}}
	k, err := r.hs.sealers()
	if err != nil {
		return nil, err
	}
	v.aead, v.stream = k.aead, k.stream

	clients, err := ClientsWithKeys(ctx, kr, t)
	if err != nil {
		return nil, err
	}
	for _, c := range clients {
		co := owner{tenant: t, client: c}
		gen, err := co.latest(ctx, kr.Store)
		if err != nil {
			return nil, err
		}
		// Unwrapped with the full tenant AEAD: the client keyset may be
		// wrapped by a tenant key about to be retired; Commit rewraps it.
		chs, err := co.read(ctx, kr.Store, s.aead, gen)
		if err != nil {
			return nil, err
		}
		r.note(ctx, co, gen)
		if chs, n, err = chs.primaryOnly(); err != nil {
			return nil, fmt.Errorf("%s: %w", co, err)
		}
		r.dropped += n
		r.clients[c], r.cgens[c] = chs, gen
		if v.clients[c], err = chs.sealers(); err != nil {
			return nil, err
		}
	}
	r.verifier = v
	return r, nil
}

// note keeps the newest creation time of the keysets the plan read.
func (r *Retirement) note(ctx context.Context, o owner, gen int) {
	key, err := o.genKey(gen)
	if err != nil {
		return
	}
	if i, err := r.kr.Store.Stat(ctx, key); err == nil && i.Modified.After(r.newest) {
		r.newest = i.Modified
	}
}

// Keys is how many keys Commit would destroy.
func (r *Retirement) Keys() int { return r.dropped }

// NewestKeyset is when the newest keyset generation the plan read was
// written. Processes re-read keysets periodically; until they all have,
// one may still seal with a key the plan retires, so callers wait.
func (r *Retirement) NewestKeyset() time.Time { return r.newest }

// Verifier opens objects with the primary keys only.
func (r *Retirement) Verifier() *Store { return r.verifier }

// Commit destroys the retired keys: each client's keyset is rewritten with
// its primary only and wrapped by the tenant's primary, then the tenant's,
// and last the older generations are deleted. A crash at any step leaves
// keysets that open everything the verified objects need.
func (r *Retirement) Commit(ctx context.Context) error {
	if r.dropped == 0 {
		return nil
	}
	tk, err := r.hs.sealers()
	if err != nil {
		return err
	}
	for c, hs := range r.clients {
		o := owner{tenant: r.tenant, client: c}
		if err := o.write(ctx, r.kr.Store, tk.aead, r.cgens[c]+1, hs); err != nil {
			return err
		}
	}
	o := owner{tenant: r.tenant}
	if err := o.write(ctx, r.kr.Store, r.kr.Root, r.gen+1, r.hs); err != nil {
		return err
	}
	for c, gen := range r.cgens {
		if err := deleteGenerations(ctx, r.kr.Store, owner{tenant: r.tenant, client: c}, gen); err != nil {
			return err
		}
	}
	return deleteGenerations(ctx, r.kr.Store, o, r.gen)
}

// deleteGenerations deletes the owner's generations up to and including
// upTo.
func deleteGenerations(ctx context.Context, ks storage.BlobStore, o owner, upTo int) error {
	gens, err := o.generations(ctx, ks)
	if err != nil {
		return err
	}
	for _, g := range gens {
		if g > upTo {
			continue
		}
		key, err := o.genKey(g)
		if err != nil {
			return err
		}
		if err := ks.Delete(ctx, key); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("destroy %s keyset generation %d: %w", o, g, err)
		}
	}
	return nil
}

// ClientsWithKeys lists the clients of tenant t that have keysets.
func ClientsWithKeys(ctx context.Context, kr Keyring, t string) ([]string, error) {
	prefix, err := storage.TenantKeysetsPrefix(t)
	if err != nil {
		return nil, err
	}
	prefix += "clients/"
	seen := map[string]bool{}
	var out []string
	err = kr.Store.List(ctx, prefix, func(i storage.Info) error {
		c, gen, ok := strings.Cut(strings.TrimPrefix(i.Key, prefix), "/")
		if _, err := strconv.Atoi(gen); ok && err == nil && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tenant %s client keysets: %w", t, err)
	}
	return out, nil
}
