package catalog

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// Message states.
const (
	StateFiled  = "filed"
	StateReview = "review"
)

// MessageID is the tenant's ID for a message with the given raw bytes: a
// keyed hash of their SHA-256, so the same bytes always get the same ID
// (idempotent filing) and the ID reveals nothing about the content.
func (t *Tenant) MessageID(rawSHA256 [sha256.Size]byte) (string, error) {
	return t.s.DeriveID("message", rawSHA256[:])
}

// Stage stores a raw message from mailbox mb that awaits filing. Staging is
// the durable record that the message must be filed: the queue only carries
// the work. Staging a message twice keeps the first copy.
func (t *Tenant) Stage(ctx context.Context, mb, msg string, r io.Reader) error {
	key, err := storage.InboxKey(t.ID, mb, msg)
	if err != nil {
		return err
	}
	err = t.s.Put(ctx, sealed.Place{Key: key, Kind: sealed.KindInbox}, r, storage.PutOptions{CreateOnly: true})
	if err != nil && !errors.Is(err, storage.ErrExists) {
		return fmt.Errorf("stage message %s: %w", msg, err)
	}
	return nil
}

// OpenStaged opens a staged message's raw bytes. They are final only once
// read to EOF without error.
func (t *Tenant) OpenStaged(ctx context.Context, mb, msg string) (io.ReadCloser, error) {
	key, err := storage.InboxKey(t.ID, mb, msg)
	if err != nil {
		return nil, err
	}
	return t.s.Open(ctx, sealed.Place{Key: key, Kind: sealed.KindInbox})
}

// Staged reports whether message msg from mailbox mb is still staged.
func (t *Tenant) Staged(ctx context.Context, mb, msg string) (bool, error) {
	key, err := storage.InboxKey(t.ID, mb, msg)
	if err != nil {
		return false, err
	}
	_, err = t.s.Stat(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// DeleteStaged removes a staged message once it is filed.
func (t *Tenant) DeleteStaged(ctx context.Context, mb, msg string) error {
	key, err := storage.InboxKey(t.ID, mb, msg)
	if err != nil {
		return err
	}
	if err := t.s.Delete(ctx, key); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("unstage message %s: %w", msg, err)
	}
	return nil
}

// Staged is a message awaiting filing.
type Staged struct{ Mailbox, Message string }

// Pending lists every staged message: the work the queue must carry.
func (t *Tenant) Pending(ctx context.Context) ([]Staged, error) {
	prefix, err := storage.InboxPrefix(t.ID)
	if err != nil {
		return nil, err
	}
	var out []Staged
	err = t.s.List(ctx, prefix, func(i storage.Info) error {
		mb, msg, ok := strings.Cut(strings.TrimPrefix(i.Key, prefix), "/")
		if ok {
			out = append(out, Staged{Mailbox: mb, Message: msg})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tenant %s pending: %w", t.ID, err)
	}
	return out, nil
}

// IndexEntry says where a filed message lies. It is written create-only,
// last, as the commit point of filing.
type IndexEntry struct {
	Message    string    `json:"message"`
	State      string    `json:"state"`
	Client     string    `json:"client,omitempty"`
	Matter     string    `json:"matter,omitempty"`
	Generation int       `json:"generation"`
	Filed      time.Time `json:"filed"`
}

func (e IndexEntry) place(tenant string) storage.MessagePlace {
	return storage.MessagePlace{Tenant: tenant, Client: e.Client, Matter: e.Matter, Review: e.State == StateReview, Message: e.Message}
}

// Lookup returns the index entry of a filed message, or an error wrapping
// storage.ErrNotFound.
func (t *Tenant) Lookup(ctx context.Context, msg string) (IndexEntry, error) {
	key, err := storage.IndexKey(t.ID, msg)
	if err != nil {
		return IndexEntry{}, err
	}
	var e IndexEntry
	if err := t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindIndex}, &e); err != nil {
		return IndexEntry{}, fmt.Errorf("message %s: %w", msg, err)
	}
	if e.Message != msg {
		return IndexEntry{}, fmt.Errorf("message %s: index entry names another message: %w", msg, sealed.ErrIntegrity)
	}
	return e, nil
}

// Custodian is a mailbox a message was found in.
type Custodian struct {
	Mailbox string `json:"mailbox"`
	Address string `json:"address,omitempty"`
	// For Gmail: the message's id and thread there, and when Gmail
	// received it (the Date header is the sender's word).
	GmailID      string    `json:"gmail_id,omitempty"`
	ThreadID     string    `json:"thread_id,omitempty"`
	InternalDate time.Time `json:"internal_date,omitzero"`
}

// Manifest is everything known about a filed message. It is sealed: it
// holds the headers, addresses and subject that must never appear outside
// ciphertext.
type Manifest struct {
	Version  int               `json:"version"`
	ID       string            `json:"id"`
	State    string            `json:"state"`
	Target   string            `json:"target,omitempty"`
	Client   string            `json:"client,omitempty"`
	Decision classify.Decision `json:"decision"`
	// Labels are the source's labels the decision was made with (Gmail's,
	// or Takeout's X-Gmail-Labels), so that it can be made again.
	Labels     []string       `json:"labels,omitempty"`
	Custodians []Custodian    `json:"custodians"`
	Source     string         `json:"source"`
	RawSHA256  string         `json:"raw_sha256"`
	RawSize    int64          `json:"raw_size"`
	Message    ingest.Message `json:"message"`
	Filed      time.Time      `json:"filed"`
	Generation int            `json:"generation"`
	// Previous is where the message was before a refiling: the chain of
	// generations is its filing history.
	Previous *IndexEntry `json:"previous,omitempty"`
}

// Manifest reads the manifest of a filed message.
func (t *Tenant) Manifest(ctx context.Context, e IndexEntry) (*Manifest, error) {
	p := e.place(t.ID)
	key, err := p.ManifestKey(e.Generation)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := t.getJSON(ctx, t.sealedPlace(p, key, sealed.KindManifest, e.Generation), &m); err != nil {
		return nil, fmt.Errorf("message %s manifest: %w", e.Message, err)
	}
	if m.ID != e.Message || m.Generation != e.Generation {
		return nil, fmt.Errorf("message %s: manifest does not match its index entry: %w", e.Message, sealed.ErrIntegrity)
	}
	return &m, nil
}

// PartRaw names the raw message in OpenPart.
const PartRaw = "raw"

// OpenPart opens the raw message (part "raw") or derived part n. The bytes
// are final only once read to EOF without error.
func (t *Tenant) OpenPart(ctx context.Context, e IndexEntry, part string) (io.ReadCloser, error) {
	p := e.place(t.ID)
	var (
		key  string
		kind sealed.Kind
		err  error
	)
	if part == PartRaw {
		key, err = p.RawKey()
		kind = sealed.KindRaw
	} else {
		n, perr := strconv.Atoi(part)
		if perr != nil || n < 0 {
			return nil, fmt.Errorf("part %q: want %q or a part number", part, PartRaw)
		}
		key, err = p.PartKey(n)
		kind = sealed.KindPart
	}
	if err != nil {
		return nil, err
	}
	return t.s.Open(ctx, t.sealedPlace(p, key, kind, e.Generation))
}

func (t *Tenant) sealedPlace(p storage.MessagePlace, key string, kind sealed.Kind, gen int) sealed.Place {
	return sealed.Place{Client: p.Client, Matter: p.Matter, Key: key, Kind: kind, Generation: gen}
}

// Filing writes one message's objects at its place. Raw and parts are
// written (and rewritten by a retry) first; Commit then writes the manifest
// and, last, the index entry, both create-only. Until Commit succeeds the
// message is not filed and its staged copy stays.
type Filing struct {
	t     *Tenant
	ctx   context.Context
	place storage.MessagePlace
	gen   int
	prev  *IndexEntry // set when refiling: the entry this filing replaces
}

// NewFiling starts filing message msg at place.
func (t *Tenant) NewFiling(ctx context.Context, place storage.MessagePlace) (*Filing, error) {
	place.Tenant = t.ID
	if err := place.Validate(); err != nil {
		return nil, err
	}
	return &Filing{t: t, ctx: ctx, place: place, gen: 1}, nil
}

// NewRefiling starts filing an already filed message again, at another
// place, as the next generation. The earlier generation's objects stay
// where they are: moving a message never deletes filed evidence.
func (t *Tenant) NewRefiling(ctx context.Context, place storage.MessagePlace, prev IndexEntry) (*Filing, error) {
	f, err := t.NewFiling(ctx, place)
	if err != nil {
		return nil, err
	}
	if prev.Message != place.Message {
		return nil, fmt.Errorf("refile %s: the index entry is another message's", place.Message)
	}
	f.gen, f.prev = prev.Generation+1, &prev
	return f, nil
}

// ErrConcurrentRefile reports that another refiling replaced the index
// entry first; the caller decides again from the current state.
var ErrConcurrentRefile = errors.New("message was refiled concurrently")

// Raw starts writing the raw message.
func (f *Filing) Raw() (*sealed.Writer, error) {
	key, err := f.place.RawKey()
	if err != nil {
		return nil, err
	}
	return f.t.s.Create(f.ctx, f.t.sealedPlace(f.place, key, sealed.KindRaw, f.gen), storage.PutOptions{})
}

// CreatePart implements ingest.PartSink: each part the parser emits is
// sealed into its own object.
func (f *Filing) CreatePart(p ingest.PartInfo) (io.WriteCloser, error) {
	key, err := f.place.PartKey(p.Index)
	if err != nil {
		return nil, err
	}
	return f.t.s.Create(f.ctx, f.t.sealedPlace(f.place, key, sealed.KindPart, f.gen), storage.PutOptions{})
}

// Commit writes the manifest and the index entry. A manifest left by an
// earlier attempt that crashed before its index entry is replaced by
// nothing: create-only means the first complete manifest stands, and the
// retry only adds the missing index entry.
func (f *Filing) Commit(m *Manifest) (IndexEntry, error) {
	m.Version = sealed.FormatVersion
	m.ID = f.place.Message
	m.Generation = f.gen
	m.Previous = f.prev
	m.Client, m.Target = f.place.Client, f.place.Matter
	m.State = StateFiled
	if f.place.Review {
		m.State = StateReview
	}
	mkey, err := f.place.ManifestKey(f.gen)
	if err != nil {
		return IndexEntry{}, err
	}
	err = f.t.putJSON(f.ctx, f.t.sealedPlace(f.place, mkey, sealed.KindManifest, f.gen), m, storage.PutOptions{CreateOnly: true})
	if err != nil && !errors.Is(err, storage.ErrExists) {
		return IndexEntry{}, fmt.Errorf("message %s manifest: %w", m.ID, err)
	}
	ikey, err := storage.IndexKey(f.t.ID, m.ID)
	if err != nil {
		return IndexEntry{}, err
	}
	e := IndexEntry{Message: m.ID, State: m.State, Client: f.place.Client, Matter: f.place.Matter, Generation: f.gen, Filed: m.Filed}
	if f.prev != nil {
		// The index entry is the commit point and is replaced, not
		// created: only if it is still the generation this refiling
		// started from. Two refilings racing is rare (one sync per
		// mailbox); the loser decides again.
		cur, err := f.t.Lookup(f.ctx, m.ID)
		if err != nil {
			return IndexEntry{}, err
		}
		if cur.Generation != f.prev.Generation {
			return IndexEntry{}, fmt.Errorf("message %s: %w", m.ID, ErrConcurrentRefile)
		}
		if err := f.t.putJSON(f.ctx, sealed.Place{Key: ikey, Kind: sealed.KindIndex}, e, storage.PutOptions{}); err != nil {
			return IndexEntry{}, fmt.Errorf("message %s index: %w", m.ID, err)
		}
		return e, nil
	}
	err = f.t.putJSON(f.ctx, sealed.Place{Key: ikey, Kind: sealed.KindIndex}, e, storage.PutOptions{CreateOnly: true})
	if errors.Is(err, storage.ErrExists) {
		// Filed meanwhile by a concurrent attempt: theirs stands.
		return f.t.Lookup(f.ctx, m.ID)
	}
	if err != nil {
		return IndexEntry{}, fmt.Errorf("message %s index: %w", m.ID, err)
	}
	return e, nil
}
