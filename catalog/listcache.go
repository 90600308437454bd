package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// The list cache spares the pages and commands that read the whole index
// (and the review queue built from it) a decryption of every index entry,
// manifest and dismissal per request. It is correct across processes
// without a time to live: every read lists the prefix again, and a List
// returns each object's key and ETag without reading it, so only the
// objects that are new or changed since the last read are fetched and
// decrypted; those gone are dropped. A write through any process (or this
// one) changes the ETag it lists, so it is seen by the next read.
//
// What is kept, only in memory: decoded index entries (IDs, states and
// times), the generation a dismissal is for, of each manifest in review
// the IDs the queue filters by (custodian mailboxes, decision target and
// candidate targets, whether the message was found not matter-related),
// and of each indexed manifest the IDs of its custodian mailboxes (what
// CountByMailbox counts).
// No subject, address or text is cached here: a page reads the manifests
// of the items it shows.
type listCache struct {
	mu sync.Mutex
	// index: index key -> the entry read at an ETag.
	index map[string]etagged[IndexEntry]
	// dismissals: review record key -> the generation dismissed.
	dismissals map[string]etagged[int]
	// summaries: manifest key -> the IDs of a manifest in review.
	// Manifests are create-only, so a key names one content; the map is
	// pruned to the manifests of the current index.
	summaries map[string]reviewFacts
	// custodians: manifest key -> the IDs of the mailboxes the manifest
	// of an indexed message (filed or in review) names as custodians.
	// Create-only too, and pruned to the manifests of the current index.
	custodians map[string][]string

	// Matters: the decoded registry at an ETag (never handed out: callers
	// get a copy they may change).
	reg     *classify.Registry
	regETag string
}

// etagged is a value decoded from an object when the object had etag.
type etagged[V any] struct {
	etag string
	v    V
}

// reviewFacts are the IDs of a manifest in review that decide who sees it.
type reviewFacts struct {
	mailboxes  []string
	target     string
	candidates []string
	none       bool
}

// loadParallel is how many objects a cold read fetches at a time.
const loadParallel = 8

// fetchAll calls fetch for every i in [0,n) on up to loadParallel
// goroutines and returns the first error; after one, no further fetch
// starts.
func fetchAll(ctx context.Context, n int, fetch func(i int) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(loadParallel)
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error { return fetch(i) })
	}
	return g.Wait()
}

// listFresh lists prefix and returns the name (the key after prefix) and
// value of every object, in key order: the value cached for an object
// whose ETag is unchanged, and what read decodes now for one that is new or
// changed. An object gone between the listing and the read is left out.
// The cache is replaced by what was listed, so objects gone are dropped
// from it too. The values read are at least as new as the ETags listed: a
// version replaced in between is seen by the next listing.
func listFresh[V any](ctx context.Context, t *Tenant, prefix string, cache *map[string]etagged[V], read func(ctx context.Context, name string) (V, error)) ([]string, []V, error) {
	var infos []storage.Info
	if err := t.s.List(ctx, prefix, func(i storage.Info) error {
		infos = append(infos, i)
		return nil
	}); err != nil {
		return nil, nil, fmt.Errorf("tenant %s list: %w", t.ID, err)
	}
	vals := make([]V, len(infos))
	gone := make([]bool, len(infos))
	var miss []int
	c := &t.lists
	c.mu.Lock()
	for i, info := range infos {
		if ce, ok := (*cache)[info.Key]; ok && info.ETag != "" && ce.etag == info.ETag {
			vals[i] = ce.v
		} else {
			miss = append(miss, i)
		}
	}
	c.mu.Unlock()
	err := fetchAll(ctx, len(miss), func(j int) error {
		i := miss[j]
		v, err := read(ctx, strings.TrimPrefix(infos[i].Key, prefix))
		switch {
		case errors.Is(err, storage.ErrNotFound):
			gone[i] = true
		case err != nil:
			return err
		default:
			vals[i] = v
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, 0, len(infos))
	out := make([]V, 0, len(infos))
	fresh := make(map[string]etagged[V], len(infos))
	for i, info := range infos {
		if gone[i] {
			continue
		}
		names = append(names, strings.TrimPrefix(info.Key, prefix))
		out = append(out, vals[i])
		if info.ETag != "" {
			fresh[info.Key] = etagged[V]{etag: info.ETag, v: vals[i]}
		}
	}
	c.mu.Lock()
	*cache = fresh
	c.mu.Unlock()
	return names, out, nil
}

// Messages lists the index entries of every filed message, in ID order.
// Only the entries new or changed since the tenant's last listing are read
// and decrypted (see listCache).
func (t *Tenant) Messages(ctx context.Context) ([]IndexEntry, error) {
	prefix, err := storage.IndexPrefix(t.ID)
	if err != nil {
		return nil, err
	}
	_, entries, err := listFresh(ctx, t, prefix, &t.lists.index, t.Lookup)
	if err != nil {
		return nil, fmt.Errorf("tenant %s messages: %w", t.ID, err)
	}
	return entries, nil
}

// ReviewSummary is a message in review as the queue filters it: its index
// entry and the IDs that decide who may see it, without its sealed
// content. ReviewItems reads the manifests of the summaries shown.
type ReviewSummary struct {
	Entry IndexEntry
	// Mailboxes are the IDs of the mailboxes its manifest names as
	// custodians.
	Mailboxes []string
	// Target and Candidates are the IDs of the targets its decision
	// points at.
	Target     string
	Candidates []string
	// NotMatterRelated: the classifier found it not matter-related.
	NotMatterRelated bool
	// Dismissed: a reviewer dismissed this generation (listed with all
	// only).
	Dismissed bool
}

// ReviewSummaries lists the messages awaiting a reviewer, oldest filing
// first, as ReviewQueue does, without their sealed content: the IDs of
// each manifest are read once and kept (see listCache).
func (t *Tenant) ReviewSummaries(ctx context.Context, all bool) ([]ReviewSummary, error) {
	entries, err := t.Messages(ctx)
	if err != nil {
		return nil, err
	}
	return t.ReviewSummariesOf(ctx, entries, all)
}

// ReviewSummariesOf is ReviewSummaries over entries, the index as
// Messages just returned it, for a caller that needs both.
func (t *Tenant) ReviewSummariesOf(ctx context.Context, entries []IndexEntry, all bool) ([]ReviewSummary, error) {
	dismissed, err := t.dismissedGenerations(ctx)
	if err != nil {
		return nil, err
	}
	type pending struct {
		e   IndexEntry
		key string
	}
	var review []pending
	for _, e := range entries {
		if e.State != StateReview {
			continue
		}
		key, err := e.place(t.ID).ManifestKey(e.Generation)
		if err != nil {
			return nil, err
		}
		review = append(review, pending{e, key})
	}
	facts := make([]reviewFacts, len(review))
	var miss []int
	c := &t.lists
	c.mu.Lock()
	for i, p := range review {
		if f, ok := c.summaries[p.key]; ok {
			facts[i] = f
		} else {
			miss = append(miss, i)
		}
	}
	c.mu.Unlock()
	err = fetchAll(ctx, len(miss), func(j int) error {
		i := miss[j]
		m, err := t.Manifest(ctx, review[i].e)
		if err != nil {
			return err
		}
		facts[i] = factsOf(m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	fresh := make(map[string]reviewFacts, len(review))
	for i, p := range review {
		fresh[p.key] = facts[i]
	}
	c.mu.Lock()
	c.summaries = fresh
	c.mu.Unlock()

	var out []ReviewSummary
	for i, p := range review {
		f := facts[i]
		s := ReviewSummary{
			Entry: p.e, Mailboxes: slices.Clone(f.mailboxes), Target: f.target,
			Candidates: slices.Clone(f.candidates), NotMatterRelated: f.none,
		}
		if g, ok := dismissed[p.e.Message]; ok && g == p.e.Generation {
			if !all {
				continue
			}
			s.Dismissed = true
		}
		if !all && s.NotMatterRelated {
			continue
		}
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b ReviewSummary) int {
		if c := a.Entry.Filed.Compare(b.Entry.Filed); c != 0 {
			return c
		}
		return strings.Compare(a.Entry.Message, b.Entry.Message)
	})
	return out, nil
}

func factsOf(m *Manifest) reviewFacts {
	f := reviewFacts{target: m.Decision.Target, none: m.Decision.Outcome == classify.OutcomeNone}
	for _, c := range m.Custodians {
		f.mailboxes = append(f.mailboxes, c.Mailbox)
	}
	for _, c := range m.Decision.Candidates {
		f.candidates = append(f.candidates, c.Target)
	}
	return f
}

// dismissedGenerations maps each message with a dismissal to the
// generation dismissed, reading only the records new or changed since the
// last listing.
func (t *Tenant) dismissedGenerations(ctx context.Context) (map[string]int, error) {
	prefix, err := storage.ReviewsPrefix(t.ID)
	if err != nil {
		return nil, err
	}
	msgs, gens, err := listFresh(ctx, t, prefix, &t.lists.dismissals, func(ctx context.Context, msg string) (int, error) {
		d, err := t.Dismissal(ctx, msg)
		return d.Generation, err
	})
	if err != nil {
		return nil, fmt.Errorf("tenant %s reviews: %w", t.ID, err)
	}
	out := make(map[string]int, len(msgs))
	for i, msg := range msgs {
		out[msg] = gens[i]
	}
	return out, nil
}

// ReviewItems reads the manifests (and, for a dismissed one, the
// dismissal) of the given messages in review: the page a reviewer is
// shown. Check walls and mailboxes on the summaries first.
func (t *Tenant) ReviewItems(ctx context.Context, sums []ReviewSummary) ([]ReviewItem, error) {
	out := make([]ReviewItem, len(sums))
	err := fetchAll(ctx, len(sums), func(i int) error {
		s := sums[i]
		it := ReviewItem{Entry: s.Entry}
		m, err := t.Manifest(ctx, s.Entry)
		if err != nil {
			return err
		}
		it.Manifest = m
		if s.Dismissed {
			d, err := t.Dismissal(ctx, s.Entry.Message)
			if err != nil {
				return err
			}
			it.Dismissal = &d
		}
		out[i] = it
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReviewQueue lists the messages awaiting a reviewer, oldest filing
// first, each with its stored decision: candidates, reasons and alert.
// With all, it also lists the messages found not matter-related and those
// dismissed. It reads every listed manifest; a page showing part of the
// queue uses ReviewSummaries and ReviewItems.
func (t *Tenant) ReviewQueue(ctx context.Context, all bool) ([]ReviewItem, error) {
	sums, err := t.ReviewSummaries(ctx, all)
	if err != nil {
		return nil, err
	}
	return t.ReviewItems(ctx, sums)
}

// cachedMatters returns a copy of the registry decoded at etag, if that is
// the one cached.
func (c *listCache) cachedMatters(etag string) (*classify.Registry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if etag == "" || c.reg == nil || c.regETag != etag {
		return nil, false
	}
	return cloneRegistry(c.reg), true
}

func (c *listCache) putMatters(etag string, reg *classify.Registry) {
	if etag == "" {
		return
	}
	cp := cloneRegistry(reg)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reg, c.regETag = cp, etag
}

// cloneRegistry copies reg down to its lists, so that a caller changing
// its copy (changeRegistry does) never changes the cached one.
func cloneRegistry(reg *classify.Registry) *classify.Registry {
	out := &classify.Registry{Targets: slices.Clone(reg.Targets)}
	for i := range out.Targets {
		tg := &out.Targets[i]
		tg.OpposingParties = slices.Clone(tg.OpposingParties)
		tg.Participants = slices.Clone(tg.Participants)
		tg.Domains = slices.Clone(tg.Domains)
		tg.Aliases = slices.Clone(tg.Aliases)
		tg.Keywords = slices.Clone(tg.Keywords)
		tg.Labels = slices.Clone(tg.Labels)
		tg.Walled = slices.Clone(tg.Walled)
	}
	return out
}

// readMatters reads and decodes the stored registry.
func (t *Tenant) readMatters(ctx context.Context, key string) (*classify.Registry, error) {
	var r classify.Registry
	if err := t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// custodianMailboxes returns, for each of entries (the index as Messages
// returned it), the IDs of the mailboxes its manifest names as
// custodians. Only the manifests not read before are fetched and
// decrypted (manifests are create-only, so a key names one content); the
// IDs of the others come from memory (see listCache). The slices returned
// are shared: callers must not change them.
func (t *Tenant) custodianMailboxes(ctx context.Context, entries []IndexEntry) ([][]string, error) {
	keys := make([]string, len(entries))
	for i, e := range entries {
		key, err := e.place(t.ID).ManifestKey(e.Generation)
		if err != nil {
			return nil, err
		}
		keys[i] = key
	}
	out := make([][]string, len(entries))
	var miss []int
	c := &t.lists
	c.mu.Lock()
	for i, key := range keys {
		if mbs, ok := c.custodians[key]; ok {
			out[i] = mbs
		} else if f, ok := c.summaries[key]; ok {
			out[i] = f.mailboxes
		} else {
			miss = append(miss, i)
		}
	}
	c.mu.Unlock()
	err := fetchAll(ctx, len(miss), func(j int) error {
		i := miss[j]
		m, err := t.Manifest(ctx, entries[i])
		if err != nil {
			return err
		}
		out[i] = factsOf(m).mailboxes
		return nil
	})
	if err != nil {
		return nil, err
	}
	fresh := make(map[string][]string, len(keys))
	for i, key := range keys {
		fresh[key] = out[i]
	}
	c.mu.Lock()
	c.custodians = fresh
	c.mu.Unlock()
	return out, nil
}
