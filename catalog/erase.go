package catalog

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// Erasure is crypto-shredding: the keysets are destroyed first, which makes
// every object under them unreadable in every copy, backups included; the
// objects are then deleted at leisure. Legal holds refuse it.

// ErrHeld is wrapped when a legal hold forbids a deletion.
var ErrHeld = errors.New("under legal hold")

// Hold is a legal hold on a client, or on one matter of a client.
type Hold struct {
	ID     string    `json:"id"`
	Client string    `json:"client"`
	Matter string    `json:"matter,omitempty"`
	Reason string    `json:"reason,omitempty"`
	Placed time.Time `json:"placed"`
	By     string    `json:"by,omitempty"`
}

// PlaceHold places a legal hold on h.Client (and h.Matter, if set) and
// returns it with its ID. A matter hold names the matter's client, taken
// from the registry.
func (t *Tenant) PlaceHold(ctx context.Context, h Hold) (Hold, error) {
	if h.Matter != "" {
		reg, err := t.Matters(ctx)
		if err != nil {
			return Hold{}, err
		}
		m, ok := reg.Get(h.Matter)
		if !ok {
			return Hold{}, fmt.Errorf("tenant %s has no matter %s", t.ID, h.Matter)
		}
		if h.Client != "" && h.Client != m.Client {
			return Hold{}, fmt.Errorf("matter %s belongs to client %s, not %s", h.Matter, m.Client, h.Client)
		}
		h.Client = m.Client
	}
	if h.Client == "" {
		return Hold{}, errors.New("a hold names a client or a matter")
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Hold{}, err
	}
	h.ID = "hold-" + hex.EncodeToString(b[:])
	h.Placed = time.Now().UTC()
	key, err := storage.HoldKey(t.ID, h.ID)
	if err != nil {
		return Hold{}, err
	}
	if _, err := storage.ClientPrefix(t.ID, h.Client); err != nil {
		return Hold{}, err
	}
	if err := t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, h, storage.PutOptions{CreateOnly: true}); err != nil {
		return Hold{}, fmt.Errorf("tenant %s hold: %w", t.ID, err)
	}
	// The hold is in force from here: the catalog refuses deletions it
	// covers. The storage's own lock follows; where it fails, the
	// retention sweep applies it again.
	n, lerr := t.lockHeld(ctx, h, true, nil)
	if err := t.audit(ctx, h.By, audit.ActionHoldPlace, holdObjects(h), audit.OK, lockDetail(n, lerr)); err != nil {
		return h, err
	}
	if lerr != nil && !errors.Is(lerr, storage.ErrUnsupported) {
		return h, fmt.Errorf("hold %s placed, but the object lock failed (the retention sweep retries it): %w", h.ID, lerr)
	}
	return h, nil
}

// lockDetail says in an audit record what the storage's object lock did.
func lockDetail(n int, err error) string {
	switch {
	case errors.Is(err, storage.ErrUnsupported):
		return "object lock: not supported by the store"
	case err != nil:
		return fmt.Sprintf("object lock failed after %d objects", n)
	}
	return fmt.Sprintf("object lock: %d objects", n)
}

// holdPrefix is where everything h covers is stored.
func (t *Tenant) holdPrefix(h Hold) (string, error) {
	if h.Matter != "" {
		return storage.MatterPrefix(t.ID, h.Client, h.Matter)
	}
	return storage.ClientPrefix(t.ID, h.Client)
}

// lockHeld sets (on) or clears the storage's legal hold (S3 Object Lock)
// on every object h covers, except, when clearing, objects another hold
// in others still covers. It returns storage.ErrUnsupported from a store
// without object locking.
func (t *Tenant) lockHeld(ctx context.Context, h Hold, on bool, others []Hold) (int, error) {
	prefix, err := t.holdPrefix(h)
	if err != nil {
		return 0, err
	}
	var keep []string
	for _, o := range others {
		if o.ID == h.ID || o.Client != h.Client {
			continue
		}
		p, err := t.holdPrefix(o)
		if err != nil {
			return 0, err
		}
		keep = append(keep, p)
	}
	var keys []string
	if err := t.bs.List(ctx, prefix, func(i storage.Info) error {
		for _, p := range keep {
			if strings.HasPrefix(i.Key, p) {
				return nil
			}
		}
		keys = append(keys, i.Key)
		return nil
	}); err != nil {
		return 0, fmt.Errorf("hold %s: %w", h.ID, err)
	}
	n := 0
	for _, k := range keys {
		if err := storage.SetLegalHold(ctx, t.bs, k, on); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			return n, err
		}
		n++
	}
	return n, nil
}

// RelockHolds applies the storage's legal hold again to every object the
// tenant's holds cover, catching objects filed since a hold was placed
// and locks that failed. A store without object locking does nothing.
func (t *Tenant) RelockHolds(ctx context.Context) (int, error) {
	holds, err := t.Holds(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, h := range holds {
		n, err := t.lockHeld(ctx, h, true, nil)
		total += n
		if errors.Is(err, storage.ErrUnsupported) {
			return 0, nil
		}
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func holdObjects(h Hold) map[string]string {
	o := map[string]string{"hold": h.ID, "client": h.Client}
	if h.Matter != "" {
		o["matter"] = h.Matter
	}
	return o
}

// ReleaseHold releases hold id.
func (t *Tenant) ReleaseHold(ctx context.Context, id, by string) error {
	key, err := storage.HoldKey(t.ID, id)
	if err != nil {
		return err
	}
	var h Hold
	if err := t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, &h); err != nil {
		return fmt.Errorf("tenant %s hold %s: %w", t.ID, id, err)
	}
	holds, err := t.Holds(ctx)
	if err != nil {
		return err
	}
	// Recorded first: a release that cannot be audited does not happen.
	if err := t.audit(ctx, by, audit.ActionHoldRelease, holdObjects(h), audit.OK, ""); err != nil {
		return err
	}
	// The storage's lock before the record: if clearing it fails, the
	// hold is still there to release again.
	if _, err := t.lockHeld(ctx, h, false, holds); err != nil && !errors.Is(err, storage.ErrUnsupported) {
		return fmt.Errorf("hold %s: clearing the object lock failed, release it again: %w", id, err)
	}
	if err := t.s.Delete(ctx, key); err != nil {
		return fmt.Errorf("tenant %s hold %s: %w", t.ID, id, err)
	}
	return nil
}

// Holds lists the tenant's legal holds.
func (t *Tenant) Holds(ctx context.Context) ([]Hold, error) {
	prefix, err := storage.HoldsPrefix(t.ID)
	if err != nil {
		return nil, err
	}
	var keys []string
	if err := t.s.List(ctx, prefix, func(i storage.Info) error {
		keys = append(keys, i.Key)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("tenant %s holds: %w", t.ID, err)
	}
	out := make([]Hold, 0, len(keys))
	for _, k := range keys {
		var h Hold
		if err := t.getJSON(ctx, sealed.Place{Key: k, Kind: sealed.KindRecord}, &h); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			return nil, fmt.Errorf("tenant %s holds: %w", t.ID, err)
		}
		out = append(out, h)
	}
	return out, nil
}

// Erasure records one erasure. Its fields are IDs, times and counts only.
type Erasure struct {
	Tenant string `json:"tenant"`
	Client string `json:"client,omitempty"`
	By     string `json:"by,omitempty"`
	// Started is when the erasure began; Shredded when the keysets were
	// destroyed, from which moment nothing of it can be read; Finished
	// when the last object was deleted.
	Started  time.Time `json:"started"`
	Shredded time.Time `json:"shredded,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
	Keysets  int       `json:"keysets"`
	Objects  int       `json:"objects"`
	// Note says what the erasure does not reach at once: the key store's
	// own backups keep the keysets until their retention expires.
	Note string `json:"note,omitempty"`
}

// DeleteClient crypto-shreds client of tenant id: it refuses while a
// legal hold names the client or one of its matters, destroys the client's
// keysets, removes the client's matters from the registry and deletes its
// objects and index entries. The erasure record stays in the tenant.
func (c *Catalog) DeleteClient(ctx context.Context, id, client, by string, progress func(deleted int)) (Erasure, error) {
	t, err := c.Open(ctx, id)
	if err != nil {
		return Erasure{}, err
	}
	prefix, err := storage.ClientPrefix(id, client)
	if err != nil {
		return Erasure{}, err
	}
	holds, err := t.Holds(ctx)
	if err != nil {
		return Erasure{}, err
	}
	objs := map[string]string{"client": client}
	for _, h := range holds {
		if h.Client == client {
			if err := t.audit(ctx, by, audit.ActionClientDelete, objs, audit.Refused, "legal hold "+h.ID); err != nil {
				return Erasure{}, err
			}
			return Erasure{}, fmt.Errorf("client %s of tenant %s: hold %s: %w; release it first", client, id, h.ID, ErrHeld)
		}
	}
	if err := t.audit(ctx, by, audit.ActionClientDelete, objs, audit.OK, "erasure started: keysets first, then objects"); err != nil {
		return Erasure{}, err
	}
	recKey, err := storage.ClientErasureKey(id, client)
	if err != nil {
		return Erasure{}, err
	}
	e := Erasure{Tenant: id, Client: client, By: by, Started: time.Now().UTC()}
	var prev Erasure
	if err := t.getJSON(ctx, sealed.Place{Key: recKey, Kind: sealed.KindRecord}, &prev); err == nil {
		e.Started = prev.Started // an interrupted erasure continues
	}
	save := func() error {
		return t.putJSON(ctx, sealed.Place{Key: recKey, Kind: sealed.KindRecord}, e, storage.PutOptions{})
	}
	if err := save(); err != nil {
		return e, err
	}
	if e.Keysets, err = t.s.DestroyClientKeys(ctx, client); err != nil {
		return e, err
	}
	e.Shredded = time.Now().UTC()
	e.Note = "key store backups keep the client's keysets until they expire"
	if err := save(); err != nil {
		return e, err
	}

	reg, err := t.Matters(ctx)
	if err != nil {
		return e, err
	}
	kept := reg.Targets[:0]
	for _, tg := range reg.Targets {
		if tg.Client != client {
			kept = append(kept, tg)
		}
	}
	if len(kept) != len(reg.Targets) {
		reg.Targets = kept
		if err := t.SaveMatters(ctx, reg); err != nil {
			return e, err
		}
	}
	n, err := deleteAll(ctx, c.bs, prefix, func(n int) {
		if progress != nil {
			progress(n)
		}
	})
	e.Objects += n
	if err != nil {
		_ = save()
		return e, err
	}
	entries, err := t.Messages(ctx)
	if err != nil {
		return e, err
	}
	for _, ie := range entries {
		if ie.Client != client {
			continue
		}
		key, err := storage.IndexKey(id, ie.Message)
		if err != nil {
			return e, err
		}
		// Custodian records first: the index entry is what a resumed
		// erasure finds its way back by.
		if err := t.deleteCustodians(ctx, ie.Message); err != nil {
			return e, fmt.Errorf("delete custodians of message %s: %w", ie.Message, err)
		}
		if err := c.bs.Delete(ctx, key); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return e, fmt.Errorf("delete index entry of message %s: %w", ie.Message, err)
		}
		e.Objects++
	}
	e.Finished = time.Now().UTC()
	if err := save(); err != nil {
		return e, err
	}
	return e, t.audit(ctx, by, audit.ActionKeysDestroy, objs, audit.OK,
		fmt.Sprintf("client erased: %d keyset generations destroyed, %d objects deleted", e.Keysets, e.Objects))
}

// DeleteTenant crypto-shreds tenant id: it refuses while any legal hold
// exists, records the erasure outside the tenant, destroys every keyset
// of the tenant and its clients, and deletes its objects.
func (c *Catalog) DeleteTenant(ctx context.Context, id, by string, progress func(deleted int)) (Erasure, error) {
	recKey, err := storage.TenantErasureKey(id)
	if err != nil {
		return Erasure{}, err
	}
	e := Erasure{Tenant: id, By: by, Started: time.Now().UTC()}
	if prev, err := c.TenantErasure(ctx, id); err == nil {
		e = prev // an interrupted erasure continues
	} else {
		t, err := c.Open(ctx, id)
		if err != nil {
			return Erasure{}, err
		}
		holds, err := t.Holds(ctx)
		if err != nil {
			return Erasure{}, err
		}
		if len(holds) > 0 {
			if err := t.audit(ctx, by, audit.ActionTenantShred, nil, audit.Refused, fmt.Sprintf("%d legal holds", len(holds))); err != nil {
				return Erasure{}, err
			}
			if err := c.RecordOperator(ctx, id, by, audit.ActionTenantShred, audit.Refused, fmt.Sprintf("%d legal holds", len(holds))); err != nil {
				return Erasure{}, err
			}
			return Erasure{}, fmt.Errorf("tenant %s: %d legal holds, first %s on client %s: %w; release them first", id, len(holds), holds[0].ID, holds[0].Client, ErrHeld)
		}
		// The tenant's log dies with its keys; its last checkpoint,
		// published outside the tenant, keeps the hash of this record.
		if err := t.audit(ctx, by, audit.ActionTenantShred, nil, audit.OK, "erasure started: keysets first, then objects"); err != nil {
			return Erasure{}, err
		}
		if err := c.RecordOperator(ctx, id, by, audit.ActionTenantShred, audit.OK, "erasure started: keysets first, then objects"); err != nil {
			return Erasure{}, err
		}
		if _, err := t.log.Checkpoint(ctx); err != nil {
			return Erasure{}, fmt.Errorf("tenant %s: publish the audit checkpoint before erasure: %w", id, err)
		}
	}
	save := func() error {
		data, err := json.Marshal(e)
		if err != nil {
			return err
		}
		return c.bs.Put(ctx, recKey, bytes.NewReader(data), storage.PutOptions{})
	}
	if err := save(); err != nil {
		return e, fmt.Errorf("tenant %s erasure record: %w", id, err)
	}
	// The marker first: the tenant disappears from listings and no
	// worker starts new work for it.
	marker, err := storage.TenantMarkerKey(id)
	if err != nil {
		return e, err
	}
	if err := c.bs.Delete(ctx, marker); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return e, fmt.Errorf("tenant %s marker: %w", id, err)
	}
	n, err := sealed.DestroyTenantKeys(ctx, c.kr, id)
	e.Keysets += n
	if err != nil {
		_ = save()
		return e, err
	}
	c.forget(id)
	if e.Shredded.IsZero() {
		e.Shredded = time.Now().UTC()
	}
	e.Note = "key store backups keep the tenant's keysets until they expire"
	if err := save(); err != nil {
		return e, err
	}
	prefix, err := storage.TenantPrefix(id)
	if err != nil {
		return e, err
	}
	n, err = deleteAll(ctx, c.bs, prefix, progress)
	e.Objects += n
	if err != nil {
		_ = save()
		return e, err
	}
	e.Finished = time.Now().UTC()
	if err := save(); err != nil {
		return e, err
	}
	return e, c.RecordOperator(ctx, id, by, audit.ActionKeysDestroy, audit.OK,
		fmt.Sprintf("tenant erased: %d keyset generations destroyed, %d objects deleted", e.Keysets, e.Objects))
}

// TenantErasure returns the erasure record of tenant id, which outlives
// the tenant.
func (c *Catalog) TenantErasure(ctx context.Context, id string) (Erasure, error) {
	key, err := storage.TenantErasureKey(id)
	if err != nil {
		return Erasure{}, err
	}
	rc, err := c.bs.Get(ctx, key)
	if err != nil {
		return Erasure{}, err
	}
	defer rc.Close()
	var e Erasure
	data, err := io.ReadAll(io.LimitReader(rc, 1<<16))
	if err != nil {
		return Erasure{}, err
	}
	if err := json.Unmarshal(data, &e); err != nil {
		return Erasure{}, fmt.Errorf("tenant %s erasure record: %w", id, err)
	}
	return e, nil
}

// ClientErasure returns the erasure record of client of tenant id.
func (t *Tenant) ClientErasure(ctx context.Context, client string) (Erasure, error) {
	key, err := storage.ClientErasureKey(t.ID, client)
	if err != nil {
		return Erasure{}, err
	}
	var e Erasure
	err = t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, &e)
	return e, err
}

// deleteAll deletes every object under prefix, in batches so that the
// listing is never held whole, and reports the running count.
func deleteAll(ctx context.Context, bs storage.BlobStore, prefix string, progress func(int)) (int, error) {
	n := 0
	for {
		var keys []string
		errFull := errors.New("batch full")
		err := bs.List(ctx, prefix, func(i storage.Info) error {
			keys = append(keys, i.Key)
			if len(keys) == 1000 {
				return errFull
			}
			return nil
		})
		if err != nil && !errors.Is(err, errFull) {
			return n, fmt.Errorf("list %s: %w", strings.TrimSuffix(prefix, "/"), err)
		}
		if len(keys) == 0 {
			return n, nil
		}
		for _, k := range keys {
			if err := bs.Delete(ctx, k); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return n, fmt.Errorf("delete: %w", err)
			}
			n++
		}
		if progress != nil {
			progress(n)
		}
	}
}

// RecordIntegrityFailure audits a read of message msg (part) that failed
// authentication: tampering, truncation or a moved ciphertext.
func (t *Tenant) RecordIntegrityFailure(ctx context.Context, actor, msg, part string) error {
	return t.audit(ctx, actor, audit.ActionIntegrityFailure, map[string]string{"message": msg}, audit.Failed, "part "+part)
}
