// Package catalog owns what matterfile records about each tenant in the
// object store — the system of record: tenants, their matters and
// contracts, mailboxes, messages awaiting filing, filed messages with their
// manifests, failures and follow-up events. Everything it writes goes
// through the tenant's sealed.Store, under keys from package storage's
// layout.
//
// It never decides anything (classify does), never talks to a queue (worker
// does), and never writes a header value, address or subject anywhere but
// inside a sealed object.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ids"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

var (
	// ErrNoTenant is wrapped when a tenant does not exist.
	ErrNoTenant = errors.New("no such tenant")
	// ErrTenantExists is wrapped when creating a tenant that exists.
	ErrTenantExists = errors.New("tenant already exists")
)

// Catalog opens tenants stored in one BlobStore, their keysets in a key
// store under one root key.
type Catalog struct {
	bs storage.BlobStore
	kr sealed.Keyring

	mu      sync.Mutex
	tenants map[string]*Tenant
	op      operatorLog
}

// New returns a Catalog over the data store bs whose keysets are in kr.
func New(bs storage.BlobStore, kr sealed.Keyring) (*Catalog, error) {
	if bs == nil || kr.Store == nil || kr.Root == nil {
		return nil, errors.New("catalog: data store, key store and root key are required")
	}
	return &Catalog{bs: bs, kr: kr, tenants: map[string]*Tenant{}}, nil
}

// CreateTenant creates tenant id with fresh keysets. It fails with
// ErrTenantExists if the tenant exists, and never replaces its keys.
func (c *Catalog) CreateTenant(ctx context.Context, id string) error {
	if id == OperatorLogID {
		return fmt.Errorf("tenant %s: %w (it holds the operator's audit log)", id, ErrReserved)
	}
	marker, err := storage.TenantMarkerKey(id)
	if err != nil {
		return err
	}
	if _, err := c.bs.Stat(ctx, marker); err == nil {
		return fmt.Errorf("tenant %s: %w", id, ErrTenantExists)
	} else if !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("tenant %s: %w", id, err)
	}
	// Keys first, marker last: a crash in between leaves keys that the next
	// attempt reuses instead of replacing.
	if err := sealed.CreateTenant(ctx, c.kr, id); err != nil && !errors.Is(err, storage.ErrExists) {
		return err
	}
	if _, err := c.Open(ctx, id); err != nil {
		return err
	}
	if err := c.bs.Put(ctx, marker, strings.NewReader("1"), storage.PutOptions{CreateOnly: true}); err != nil {
		if errors.Is(err, storage.ErrExists) {
			return fmt.Errorf("tenant %s: %w", id, ErrTenantExists)
		}
		return fmt.Errorf("tenant %s marker: %w", id, err)
	}
	return nil
}

// EnsureTenant creates tenant id unless it exists.
func (c *Catalog) EnsureTenant(ctx context.Context, id string) (created bool, err error) {
	err = c.CreateTenant(ctx, id)
	if errors.Is(err, ErrTenantExists) {
		return false, nil
	}
	return err == nil, err
}

// Tenants lists the tenant IDs in order.
func (c *Catalog) Tenants(ctx context.Context) ([]string, error) {
	var out []string
	err := c.bs.List(ctx, storage.TenantsPrefix, func(i storage.Info) error {
		id := strings.TrimPrefix(i.Key, storage.TenantsPrefix)
		if ids.Valid(id) {
			out = append(out, id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	return out, nil
}

// Open returns tenant id, unwrapping its keysets on first use.
func (c *Catalog) Open(ctx context.Context, id string) (*Tenant, error) {
	if err := ids.Validate("tenant", id); err != nil {
		return nil, err
	}
	if id == OperatorLogID {
		return nil, fmt.Errorf("tenant %s: %w", id, ErrNoTenant)
	}
	c.mu.Lock()
	t, ok := c.tenants[id]
	c.mu.Unlock()
	// Re-read now and then: another process may have rotated the keys,
	// and new objects should be sealed with the new primary soon.
	if ok && time.Since(t.opened) < keysetRefresh {
		return t, nil
	}
	s, err := sealed.Open(ctx, c.kr, c.bs, id)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, fmt.Errorf("tenant %s: %w", id, ErrNoTenant)
		}
		return nil, err
	}
	log, err := audit.New(s, c.bs, audit.Config{})
	if err != nil {
		return nil, fmt.Errorf("tenant %s audit log: %w", id, err)
	}
	t = &Tenant{ID: id, s: s, bs: c.bs, log: log, opened: time.Now()}
	c.mu.Lock()
	c.tenants[id] = t
	c.mu.Unlock()
	return t, nil
}

// Tenant is one firm's records, sealed under its keys.
type Tenant struct {
	ID string
	s  *sealed.Store
	// bs is the data store itself, for the few plain objects published
	// outside the tenant's sealed space (verifier keys).
	bs     storage.BlobStore
	log    *audit.Log
	opened time.Time

	// ix caches the compiled registry: building it for 100,000 matters
	// costs far more than deciding a message.
	ixMu     sync.Mutex
	ix       *classify.Index
	ixETag   string
	ixPolicy string

	// cache spares the store a read of the same records for every
	// message (see recordTTL).
	cache recordCache
	// lists keeps the decoded index, review queue facts and registry by
	// ETag (see listCache).
	lists listCache
}

// Audit is the tenant's audit log.
func (t *Tenant) Audit() *audit.Log { return t.log }

// audit records one change by actor in the tenant's audit log. A change
// that cannot be recorded is not made (callers record before acting where
// they can) or is reported as failed.
func (t *Tenant) audit(ctx context.Context, actor string, action audit.Action, objects map[string]string, outcome audit.Outcome, detail string) error {
	if actor == "" {
		actor = "system:catalog"
	}
	if objects == nil {
		objects = map[string]string{}
	}
	objects["tenant"] = t.ID
	_, err := t.log.Record(ctx, audit.Record{Actor: actor, Action: action, Objects: objects, Outcome: outcome, Detail: detail, SourceIP: SourceIP(ctx)})
	if err != nil && !errors.Is(err, audit.ErrCheckpoint) {
		return fmt.Errorf("tenant %s audit %s: %w", t.ID, action, err)
	}
	return nil
}

// keysetRefresh is how long an opened tenant's keysets are used before
// they are read again.
const keysetRefresh = time.Minute

// RotateKeys gives tenant id new primary keys (see sealed.Rotate): with
// client "", the tenant's own keysets and every client's; otherwise that
// client's alone. It returns the tenant's keyset generation. This process
// uses the new keys at once; others within keysetRefresh. Objects move onto
// the new keys with Reencrypt.
func (c *Catalog) RotateKeys(ctx context.Context, id, client, by string) (int, error) {
	t, err := c.Open(ctx, id)
	if err != nil {
		return 0, err
	}
	gen := t.KeysetGeneration()
	if client == "" {
		if gen, err = sealed.Rotate(ctx, c.kr, id); err != nil {
			return 0, err
		}
	}
	c.forget(id)
	clients := []string{client}
	if client == "" {
		if clients, err = sealed.ClientsWithKeys(ctx, c.kr, id); err != nil {
			return 0, err
		}
	}
	if t, err = c.Open(ctx, id); err != nil {
		return 0, err
	}
	for _, cl := range clients {
		if _, err := t.s.RotateClient(ctx, cl); err != nil {
			return 0, err
		}
	}
	objs := map[string]string{}
	if client != "" {
		objs["client"] = client
	}
	detail := fmt.Sprintf("tenant keyset generation %d, %d client keysets rotated", gen, len(clients))
	if err := t.audit(ctx, by, audit.ActionKeysRotate, objs, audit.OK, detail); err != nil {
		return gen, err
	}
	return gen, nil
}

// KeysetGeneration is the generation of the keys the tenant seals with.
func (t *Tenant) KeysetGeneration() int { return t.s.KeysetGeneration() }

func (t *Tenant) putJSON(ctx context.Context, p sealed.Place, v any, opts storage.PutOptions) error {
	if t.cache.caches(t.ID, p.Key) {
		// Seen by this tenant's next read, also after a failed put:
		// it may have landed.
		defer t.cache.changed()
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", p.Key, err)
	}
	return t.s.PutRecord(ctx, p, data, opts)
}

func (t *Tenant) getJSON(ctx context.Context, p sealed.Place, v any) error {
	data, err := t.s.GetRecord(ctx, p)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s: %w", p.Key, err)
	}
	return nil
}
