package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/s3utils"

	"github.com/matterfile/matterfile/ids"
)

// tenantsRoot is the first segment of every key a tenant owns (see the
// layout in layout.go): tenants/<t>/... belongs to tenant t.
const tenantsRoot = "tenants/"

// maxBucketNameLen is S3's limit on bucket names.
const maxBucketNameLen = 63

// Router is a BlobStore that isolates tenants by store rather than by key
// prefix: every key tenants/<t>/... is kept, under the very same key, in
// tenant t's own store, and every other key (registry/..., tenants/<t>
// itself) in the shared store. The layout inside a tenant's store is thus
// the layout of a shared store restricted to that tenant, and moving a
// tenant between the two modes is a plain copy of its keys.
//
// A List whose prefix lies inside one tenant (tenants/<t>/...) goes to that
// tenant's store alone. A List of "" or "tenants/" spans tenants: it merges
// the shared store's listing with every tenant's, in lexical key order, and
// needs the router to be able to enumerate its tenants; without that it
// fails. Objects under tenants/<t>/ found in the shared store (left over
// from prefix isolation) are never reported, since Get would not find them
// there.
//
// Tenant stores are opened on first use, by any operation, and kept open
// for the router's lifetime: matterfile has a bounded number of tenants.
type Router struct {
	shared  BlobStore
	open    func(ctx context.Context, tenant string) (BlobStore, error)
	tenants func(ctx context.Context) ([]string, error)
	desc    string

	mu     sync.Mutex
	stores map[string]*tenantSlot
	closed bool
}

// tenantSlot lets one caller open a tenant's store while the others for
// the same tenant wait for it, without holding up other tenants.
type tenantSlot struct {
	mu    sync.Mutex
	store BlobStore
	// opened is set with store, and read without mu by spanning Lists,
	// which must not wait for a slow open of some tenant.
	opened atomic.Bool
}

// errRouterClosed is returned by a Router used after Close.
var errRouterClosed = permanentError{errors.New("tenant router is closed")}

// NewRouter returns a Router keeping non-tenant keys in shared and opening
// tenant t's store with open(ctx, t) when t is first used. A failed open is
// not remembered: the next use tries again. tenants, if not nil, lists the
// tenants that may hold objects (in any order) and makes Lists spanning
// tenants possible; tenants opened by this router are listed too, whether
// it reports them or not.
func NewRouter(shared BlobStore, open func(ctx context.Context, tenant string) (BlobStore, error),
	tenants func(ctx context.Context) ([]string, error)) *Router {
	return &Router{shared: shared, open: open, tenants: tenants, stores: map[string]*tenantSlot{}}
}

// NewPerTenantS3 is the bucket-per-tenant S3 store: tenant t's objects live
// in bucket "<bucketPrefix>-<t>", created on first use, and every other
// object in cfg.Bucket, the shared bucket, created if missing like NewS3
// does. All other settings of cfg, Prefix included, apply to every bucket.
//
// Bucket names are at most 63 characters, so with this isolation a tenant
// ID may be at most 62-len(bucketPrefix) characters long (tenant IDs
// otherwise go up to 64); a longer one, or one that would make an invalid
// bucket name (ending in "-", say), fails every operation on its keys with
// an error naming the tenant. Keep bucketPrefix short.
//
// Tenants are enumerated for spanning Lists by listing the buckets whose
// names start with "<bucketPrefix>-", which needs s3:ListAllMyBuckets. No
// other deployment on the endpoint may use bucket names of that form (such
// as one whose own prefix is "<bucketPrefix>-x"): its buckets would be
// taken for this deployment's tenants.
func NewPerTenantS3(ctx context.Context, cfg S3Config, bucketPrefix string) (*Router, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := validateBucketPrefix(bucketPrefix); err != nil {
		return nil, fmt.Errorf("s3 per-tenant buckets: %w", err)
	}
	if strings.HasPrefix(cfg.Bucket, bucketPrefix+"-") {
		// The shared bucket would double as the bucket of some tenant,
		// whose objects would then sit among everyone's.
		return nil, fmt.Errorf("s3 per-tenant buckets: shared bucket %s is named like a tenant bucket %s-<tenant>", cfg.Bucket, bucketPrefix)
	}
	transport, err := minio.DefaultTransport(cfg.TLS)
	if err != nil {
		return nil, fmt.Errorf("s3 per-tenant buckets: %w", err)
	}
	shared, err := newS3(ctx, cfg, transport)
	if err != nil {
		return nil, err
	}
	open := func(ctx context.Context, tenant string) (BlobStore, error) {
		name, err := TenantBucket(bucketPrefix, tenant)
		if err != nil {
			return nil, permanentError{err}
		}
		tc := cfg
		tc.Bucket = name
		return newS3(ctx, tc, transport)
	}
	tenants := func(ctx context.Context) ([]string, error) {
		buckets, err := shared.core.ListBuckets(ctx)
		if err != nil {
			return nil, fmt.Errorf("list buckets: %w", shared.mapErr(err))
		}
		var ts []string
		for _, b := range buckets {
			t, ok := strings.CutPrefix(b.Name, bucketPrefix+"-")
			if !ok {
				continue
			}
			// Only names this router could have made count: a bucket
			// that merely starts like one is no tenant.
			if name, err := TenantBucket(bucketPrefix, t); err == nil && name == b.Name {
				ts = append(ts, t)
			}
		}
		return ts, nil
	}
	r := NewRouter(shared, open, tenants)
	r.desc = fmt.Sprintf("s3 buckets %s-<tenant> (per tenant) and %s (shared) at %s", bucketPrefix, cfg.Bucket, cfg.Endpoint)
	if cfg.Prefix != "" {
		r.desc += " under " + cfg.Prefix
	}
	return r, nil
}

// TenantBucket names the bucket that holds tenant's objects under
// bucket-per-tenant isolation with bucketPrefix, or says why the tenant
// cannot have one. The error names the tenant: it is a validated ID.
func TenantBucket(bucketPrefix, tenant string) (string, error) {
	if err := ids.Validate("tenant", tenant); err != nil {
		return "", err
	}
	name := bucketPrefix + "-" + tenant
	if len(name) > maxBucketNameLen {
		return "", fmt.Errorf("tenant %s: its bucket name %s is %d characters, more than the S3 limit of %d; with bucket prefix %s tenant IDs may have at most %d",
			tenant, name, len(name), maxBucketNameLen, bucketPrefix, maxBucketNameLen-1-len(bucketPrefix))
	}
	if err := checkBucketName(name); err != nil {
		return "", fmt.Errorf("tenant %s: its bucket name %s is not valid: %w", tenant, name, err)
	}
	return name, nil
}

// checkBucketName applies S3's rules for general purpose buckets: minio-go
// checks characters and length, the rest are AWS's reserved forms. Dots
// are refused too: they break TLS with virtual-hosted addressing.
func checkBucketName(name string) error {
	if err := s3utils.CheckValidBucketNameStrict(name); err != nil {
		return err
	}
	if strings.Contains(name, ".") {
		return errors.New("bucket names with dots are not used")
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return fmt.Errorf("bucket names starting with %s are reserved", p)
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", "--x-s3", "--table-s3", ".mrap"} {
		if strings.HasSuffix(name, s) {
			return fmt.Errorf("bucket names ending with %s are reserved", s)
		}
	}
	return nil
}

// validateBucketPrefix accepts a prefix that makes a valid bucket name with
// at least a one-character tenant: lower-case letters, digits and inner
// hyphens, at most 61 characters.
func validateBucketPrefix(p string) error {
	if p == "" {
		return errors.New("bucket prefix is empty")
	}
	if !ids.Valid(p) || strings.HasSuffix(p, "-") {
		return errors.New("bucket prefix must be lower-case letters, digits and inner hyphens")
	}
	if _, err := TenantBucket(p, "0"); err != nil {
		return fmt.Errorf("bucket prefix %s makes no valid bucket name: %w", p, err)
	}
	return nil
}

// String describes the store for logs and startup messages.
func (r *Router) String() string {
	if r.desc != "" {
		return r.desc
	}
	return fmt.Sprintf("per-tenant stores and shared %v", r.shared)
}

// Close closes the shared store and every tenant store that has anything
// to close. The router cannot be used afterwards.
func (r *Router) Close() error {
	r.mu.Lock()
	r.closed = true
	slots := make([]*tenantSlot, 0, len(r.stores))
	for _, s := range r.stores {
		slots = append(slots, s)
	}
	r.mu.Unlock()
	var errs []error
	for _, s := range slots {
		s.mu.Lock()
		if c, ok := s.store.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
		s.store = nil
		s.opened.Store(false)
		s.mu.Unlock()
	}
	if c, ok := r.shared.(io.Closer); ok {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// tenantOf says which tenant owns key: tenants/<t>/... belongs to t.
// tenants/<t> alone is no tenant's, like any other key outside the layout.
func tenantOf(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, tenantsRoot)
	if !ok {
		return "", false
	}
	t, _, ok := strings.Cut(rest, "/")
	return t, ok
}

// storeFor returns tenant's store, opening it on first use.
func (r *Router) storeFor(ctx context.Context, tenant string) (BlobStore, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, errRouterClosed
	}
	slot := r.stores[tenant]
	if slot == nil {
		slot = &tenantSlot{}
		r.stores[tenant] = slot
	}
	r.mu.Unlock()

	slot.mu.Lock()
	defer slot.mu.Unlock()
	if slot.store != nil {
		return slot.store, nil
	}
	// Close may have emptied the slot while we waited for it.
	r.mu.Lock()
	closed := r.closed
	r.mu.Unlock()
	if closed {
		return nil, errRouterClosed
	}
	// The error does not name the tenant: every caller's context does
	// (the key, the prefix, or the tenant a spanning List was at).
	s, err := r.open(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("open tenant store: %w", err)
	}
	slot.store = s
	slot.opened.Store(true)
	return s, nil
}

// route returns the store that holds key, which must be valid.
func (r *Router) route(ctx context.Context, key string) (BlobStore, error) {
	if t, ok := tenantOf(key); ok {
		return r.storeFor(ctx, t)
	}
	return r.shared, nil
}

// Put stores the object in its tenant's store or the shared one. Keys are
// checked first, so an invalid key never opens a store.
func (r *Router) Put(ctx context.Context, key string, rd io.Reader, opts PutOptions) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("put: %w", err)
	}
	s, err := r.route(ctx, key)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return s.Put(ctx, key, rd, opts)
}

// Get opens the object from the store that holds it.
func (r *Router) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidateKey(key); err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	s, err := r.route(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	return s.Get(ctx, key)
}

// Stat describes the object from the store that holds it.
func (r *Router) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, fmt.Errorf("stat: %w", err)
	}
	s, err := r.route(ctx, key)
	if err != nil {
		return Info{}, fmt.Errorf("stat %s: %w", key, err)
	}
	return s.Stat(ctx, key)
}

// Delete removes the object from the store that holds it.
func (r *Router) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	s, err := r.route(ctx, key)
	if err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return s.Delete(ctx, key)
}

// List lists one tenant's store, the shared store, or, for a prefix
// spanning tenants, all of them merged (see Router).
func (r *Router) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if err := ValidatePrefix(prefix); err != nil {
		return fmt.Errorf("list: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("list %s: %w", prefix, err)
	}
	if t, ok := tenantOf(prefix); ok {
		s, err := r.storeFor(ctx, t)
		if err != nil {
			return fmt.Errorf("list %s: %w", prefix, err)
		}
		return s.List(ctx, prefix, fn)
	}
	if prefix != "" && prefix != tenantsRoot {
		return r.shared.List(ctx, prefix, fn)
	}
	return r.listSpanning(ctx, prefix, fn)
}

// listSpanning merges the shared listing with every tenant's. All keys of
// tenant t lie in one run starting at tenants/<t>/, and the shared store
// reports none in that run, so the merge is by whole tenants: before each
// shared key, every tenant whose run starts earlier is listed in full.
// Tenants are taken in the order of "<t>/", not of t: "a-b/" < "a/".
func (r *Router) listSpanning(ctx context.Context, prefix string, fn func(Info) error) error {
	if r.tenants == nil {
		return fmt.Errorf("list %s: %w", prefix, permanentError{errors.New(
			"the prefix spans tenants kept in separate stores, and this router cannot enumerate them; list one tenant's prefix")})
	}
	tenants, err := r.tenants(ctx)
	if err != nil {
		return fmt.Errorf("list %s: enumerate tenants: %w", prefix, err)
	}
	// Tenants whose open failed have a slot but no store, and nothing to
	// list.
	r.mu.Lock()
	for t, slot := range r.stores {
		if slot.opened.Load() {
			tenants = append(tenants, t)
		}
	}
	r.mu.Unlock()
	slices.SortFunc(tenants, func(a, b string) int { return strings.Compare(a+"/", b+"/") })
	tenants = slices.Compact(tenants)

	var fnErr error
	deliver := func(i Info) error {
		if err := fn(i); err != nil {
			fnErr = err
			return err
		}
		return nil
	}
	next := 0
	// listTenantsBefore lists the tenants whose run starts before key, or
	// all that are left if key is empty.
	listTenantsBefore := func(key string) error {
		for ; next < len(tenants); next++ {
			t := tenants[next]
			tp := tenantsRoot + t + "/"
			if key != "" && tp > key {
				return nil
			}
			s, err := r.storeFor(ctx, t)
			if err != nil {
				return fmt.Errorf("tenant %s: %w", t, err)
			}
			if err := s.List(ctx, tp, deliver); err != nil {
				if fnErr == nil {
					err = fmt.Errorf("tenant %s: %w", t, err)
				}
				return err
			}
		}
		return nil
	}
	err = r.shared.List(ctx, prefix, func(i Info) error {
		if _, ok := tenantOf(i.Key); ok {
			return nil
		}
		if err := listTenantsBefore(i.Key); err != nil {
			return err
		}
		return deliver(i)
	})
	if err == nil {
		err = listTenantsBefore("")
	}
	switch {
	case fnErr != nil:
		return fnErr
	case err != nil:
		return fmt.Errorf("list %s: %w", prefix, err)
	}
	return nil
}
