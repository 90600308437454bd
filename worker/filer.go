package worker

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"golang.org/x/sync/errgroup"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest"
	"github.com/matterfile/matterfile/metrics"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// enqueuer is what the handlers need of an asynq client.
type enqueuer interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// HandlersConfig wires the task handlers.
type HandlersConfig struct {
	Catalog  *catalog.Catalog
	Enqueuer enqueuer
	Policy   classify.Policy
	Limits   ingest.Limits
	// Gmail configures the Gmail source; zero disables it.
	Gmail  GmailSettings
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// KeysSettle is how old the newest keyset must be before
	// keys:reencrypt destroys old keys; 0 means catalog.KeysSettle.
	KeysSettle time.Duration
	// Metrics counts outcomes, stage times, Gmail requests and sealed
	// bytes; nil counts nothing.
	Metrics *metrics.Metrics
}

// Handlers runs matterfile's tasks.
type Handlers struct {
	cat    *catalog.Catalog
	enq    enqueuer
	policy classify.Policy
	limits ingest.Limits
	gmail  GmailSettings
	labels *labelCache
	log    *slog.Logger
	now    func() time.Time
	settle time.Duration
	m      *metrics.Metrics
	// webhooks delivers notify:webhook requests.
	webhooks *http.Client
}

// NewHandlers validates cfg and returns the handlers.
func NewHandlers(cfg HandlersConfig) (*Handlers, error) {
	if cfg.Catalog == nil {
		return nil, errors.New("handlers: Catalog is required")
	}
	if cfg.Enqueuer == nil {
		return nil, errors.New("handlers: Enqueuer is required")
	}
	if err := cfg.Policy.Validate(); err != nil {
		return nil, fmt.Errorf("handlers: Policy: %w", err)
	}
	if cfg.Limits == (ingest.Limits{}) {
		cfg.Limits = ingest.DefaultLimits()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.KeysSettle == 0 {
		cfg.KeysSettle = catalog.KeysSettle
	}
	if cfg.Gmail.FiledLabelPrefix == "" {
		cfg.Gmail.FiledLabelPrefix = DefaultFiledLabelPrefix
	}
	if cfg.Gmail.ReviewLabel == "" {
		cfg.Gmail.ReviewLabel = DefaultReviewLabel
	}
	// Our own labels come back through history: they must never count
	// as a request to file, or filing would loop.
	for _, l := range []string{cfg.Gmail.FiledLabelPrefix, cfg.Gmail.ReviewLabel} {
		if cfg.Policy.IsFilingLabel(l) || strings.HasPrefix(l, cfg.Policy.MatterLabelPrefix) {
			return nil, fmt.Errorf("handlers: write-back label %q looks like a filing label", l)
		}
	}
	return &Handlers{cat: cfg.Catalog, enq: cfg.Enqueuer, policy: cfg.Policy, limits: cfg.Limits, gmail: cfg.Gmail,
		labels: &labelCache{ttl: time.Minute, now: cfg.Now}, log: cfg.Logger, now: cfg.Now, settle: cfg.KeysSettle, m: cfg.Metrics, webhooks: newWebhookClient()}, nil
}

// Mux routes every task type to its handler.
func (h *Handlers) Mux() *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.Use(h.logTask)
	mux.HandleFunc(TypeFileMessage, h.HandleFileMessageTask)
	mux.HandleFunc(TypeNotify, h.HandleNotifyTask)
	mux.HandleFunc(TypeSyncMailbox, h.HandleSyncMailboxTask)
	mux.HandleFunc(TypeFetchGmail, h.HandleFetchGmailTask)
	mux.HandleFunc(TypeLabelGmail, h.HandleLabelGmailTask)
	mux.HandleFunc(TypeWatchMailbox, h.HandleWatchMailboxTask)
	mux.HandleFunc(TypeReencrypt, h.HandleReencryptTask)
	mux.HandleFunc(TypeRecheck, h.HandleRecheckTask)
	mux.HandleFunc(TypeReconcile, h.HandleReconcileTask)
	mux.HandleFunc(TypeRetentionSweep, h.HandleRetentionSweepTask)
	return mux
}

// HandleFileMessageTask files one staged message.
func (h *Handlers) HandleFileMessageTask(ctx context.Context, t *asynq.Task) error {
	var p FileMessagePayload
	if err := decode(t, &p); err != nil {
		return err
	}
	start := h.now()
	e, err := h.FileMessage(ctx, p)
	if err != nil {
		h.log.Warn("file message failed", "tenant", p.Tenant, "mailbox", p.Mailbox, "message", p.Message, "err", err)
		return err
	}
	h.log.Info("message filed", "tenant", p.Tenant, "mailbox", p.Mailbox, "message", p.Message,
		"state", e.State, "matter", e.Matter, "ms", h.now().Sub(start).Milliseconds())
	return nil
}

// permanent marks errors that no retry can mend.
func permanent(err error) error { return fmt.Errorf("%w: %w", err, asynq.SkipRetry) }

// FileMessage runs the filing pipeline for one staged message and returns
// where it was filed. It is idempotent: a message already filed is not
// filed again, and a retry after a crash completes what the crash left.
func (h *Handlers) FileMessage(ctx context.Context, p FileMessagePayload) (catalog.IndexEntry, error) {
	t, err := h.cat.Open(ctx, p.Tenant)
	if err != nil {
		if errors.Is(err, catalog.ErrNoTenant) || errors.Is(err, sealed.ErrKeyset) {
			return catalog.IndexEntry{}, permanent(err)
		}
		return catalog.IndexEntry{}, err
	}
	// The mailbox record is sealed under the payload's tenant: a mailbox ID
	// of another tenant does not open here.
	mb, err := t.Mailbox(ctx, p.Mailbox)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) || errors.Is(err, sealed.ErrIntegrity) {
			return catalog.IndexEntry{}, permanent(fmt.Errorf("mailbox %s is not tenant %s's: %w", p.Mailbox, p.Tenant, err))
		}
		return catalog.IndexEntry{}, err
	}
	// Pass one reads the staged copy while the index is looked up: two
	// independent round trips. Its result is used only if the message is
	// not filed yet; otherwise it is cancelled and dropped.
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pre := make(chan passOne, 1)
	go func() { pre <- h.passOne(pctx, t, p.Mailbox, p.Message) }()
	drop := func() { cancel(); <-pre }
	// Lookup, not Resolve: a copy merged into another message (a copy
	// record) has no entry, and file() finds its original again through
	// the identity record (SameMessage) and redoes addCustodian, which is
	// idempotent. Checking the copy record here would cost every new
	// message a read to spare that rare retry one pass over its bytes.
	if e, err := t.Lookup(ctx, p.Message); err == nil {
		drop()
		// A crash after the commit point, before the staged copy went,
		// may have cut off what follows the commit: redo it. Without a
		// staged copy this is a repeated task; everything was done.
		if staged, err := t.Staged(ctx, p.Mailbox, p.Message); err != nil {
			return e, err
		} else if staged && e.Message == p.Message {
			if err := h.afterCommit(ctx, t, e, mb); err != nil {
				return e, err
			}
		}
		if err := t.DeleteStaged(ctx, p.Mailbox, p.Message); err != nil {
			return e, err
		}
		return e, h.followUp(ctx, t, e, nil)
	} else if !errors.Is(err, storage.ErrNotFound) {
		drop()
		return catalog.IndexEntry{}, err
	}
	one := <-pre
	return h.file(ctx, t, staged{
		mailbox: mb, name: p.Message, namedByHash: true, source: p.Source,
		custodian: catalog.Custodian{Mailbox: mb.ID, Address: mb.Address},
		first:     &one,
	})
}

// passOne is the first pass over a staged message: hashed and parsed,
// with its bytes and decoded parts kept if it is small (see keepStaged).
type passOne struct {
	scanned
	held *heldParts
	err  error
}

func (h *Handlers) passOne(ctx context.Context, t *catalog.Tenant, mb, name string) passOne {
	start := time.Now()
	held := &heldParts{}
	s, err := h.scan(ctx, t, mb, name, held, nil, nil)
	if err == nil {
		h.m.Stage(metrics.StageParse, time.Since(start))
	}
	return passOne{scanned: s, held: held, err: err}
}

// policyOf is the filing policy of tenant t: the deployment's, with the
// firm's own labels where it chose them.
func (h *Handlers) policyOf(ctx context.Context, t *catalog.Tenant) (classify.Policy, error) {
	s, err := t.Settings(ctx)
	if err != nil {
		return classify.Policy{}, err
	}
	return s.Policy(h.policy), nil
}

// staged is a raw message in the inbox, and what its source said of it.
type staged struct {
	mailbox catalog.Mailbox
	name    string // the inbox object
	// namedByHash: the name is the message ID (mbox imports), checked
	// against the content. Otherwise (Gmail) the ID is computed.
	namedByHash bool
	source      string
	// labels are the source's labels for the decision; nil means the
	// message's own X-Gmail-Labels header (Takeout).
	labels    []string
	custodian catalog.Custodian
	gmail     *gmailRef // set for Gmail messages: label write-back
	// override is a reviewer's decision, taken instead of the
	// classifier's; the message is filed already and is refiled.
	override *classify.Decision
	// first is pass one, if it was run already (FileMessage runs it
	// beside the index lookup).
	first *passOne
}

// file runs the filing pipeline on one staged message: hash, parse,
// decide, seal at the decided place, commit, unstage, follow up.
func (h *Handlers) file(ctx context.Context, t *catalog.Tenant, in staged) (catalog.IndexEntry, error) {
	// Pass one decides where the message goes; the place is bound into
	// every ciphertext, so it must be known before anything is sealed.
	one := in.first
	if one == nil {
		p := h.passOne(ctx, t, in.mailbox.ID, in.name)
		one = &p
	}
	if one.err != nil {
		return catalog.IndexEntry{}, one.err
	}
	first, held := one.scanned, one.held
	id, err := t.MessageID(first.sum)
	if err != nil {
		return catalog.IndexEntry{}, err
	}
	if in.namedByHash && id != in.name {
		return catalog.IndexEntry{}, permanent(fmt.Errorf("staged message %s does not hash to its id: %w", in.name, sealed.ErrIntegrity))
	}
	content := contentHash(first.msg)
	labels := in.labels
	if labels == nil {
		labels = first.msg.GmailLabels
	}
	// The identity lookup and the decision's reads are independent round
	// trips, made at once; a copy of a filed message then spends one
	// wasted decision, a new message one round trip less.
	var (
		dec  classify.Decision
		orig catalog.IndexEntry
		same bool
		g    errgroup.Group
	)
	if in.override == nil && first.msg.MessageID != "" {
		// The same message from another mailbox (its own headers make
		// other bytes) is one message with one more custodian.
		g.Go(func() (err error) {
			orig, same, err = t.SameMessage(ctx, first.msg.MessageID, content)
			return err
		})
	}
	if in.override != nil {
		dec = *in.override
	} else {
		g.Go(func() (err error) {
			start := time.Now()
			if dec, err = h.decide(ctx, t, in.mailbox, id, classifyInput(first.msg, labels, in.custodian)); err != nil {
				return err
			}
			h.m.Stage(metrics.StageClassify, time.Since(start))
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return catalog.IndexEntry{}, err
	}
	if same && orig.Message != id {
		return h.addCustodian(ctx, t, orig, in, id)
	}
	place := storage.MessagePlace{Message: id, Review: true}
	if dec.Outcome == classify.OutcomeFile {
		place = storage.MessagePlace{Message: id, Client: dec.Client, Matter: dec.Target}
	}
	var prev *catalog.IndexEntry
	custodians := []catalog.Custodian{in.custodian}
	if !in.namedByHash || in.override != nil {
		e, err := t.Lookup(ctx, id)
		switch {
		case err == nil && e.Client == place.Client && e.Matter == place.Matter && (e.State == catalog.StateReview) == place.Review:
			// The same bytes were filed before, where they still
			// belong (an earlier sync, a repeated push).
			if err := t.DeleteStaged(ctx, in.mailbox.ID, in.name); err != nil {
				return e, err
			}
			return e, h.followUp(ctx, t, e, in.gmail)
		case err == nil:
			// Filed before, but its labels now say elsewhere: a
			// lawyer moved it. It is refiled as the next generation;
			// the earlier one stays as evidence.
			m, err := t.Manifest(ctx, e)
			if err != nil {
				return catalog.IndexEntry{}, err
			}
			custodians = mergeCustodians(m.Custodians, in.custodian)
			prev = &e
		case !errors.Is(err, storage.ErrNotFound):
			return catalog.IndexEntry{}, err
		}
	}

	// Pass two seals the raw bytes and every part at that place.
	start := time.Now()
	var f *catalog.Filing
	if prev != nil {
		f, err = t.NewRefiling(ctx, place, *prev)
	} else {
		f, err = t.NewFiling(ctx, place)
	}
	if err != nil {
		return catalog.IndexEntry{}, permanent(err)
	}
	raw, err := f.Raw()
	if err != nil {
		return catalog.IndexEntry{}, err
	}
	parts := &partCounter{sink: f}
	var second scanned
	if first.kept != nil && !held.over {
		// A small message's bytes and decoded parts are in memory from
		// pass one: they are sealed as they are, without parsing again.
		second, err = first, held.replay(raw, first.kept, parts)
	} else {
		second, err = h.scan(ctx, t, in.mailbox.ID, in.name, parts, raw, first.kept)
	}
	if err != nil {
		raw.Abort(err)
		return catalog.IndexEntry{}, errors.Join(err, parts.wait())
	}
	// The raw object's and the parts' puts run at once; every one of
	// them is stored before Commit, which alone makes them a filing.
	rawErr := raw.Close()
	if err := errors.Join(rawErr, parts.wait()); err != nil {
		return catalog.IndexEntry{}, fmt.Errorf("store message %s: %w", id, err)
	}
	h.m.Sealed(second.size + parts.n.Load())
	h.m.Stage(metrics.StageSeal, time.Since(start))
	if second.sum != first.sum || len(second.msg.Parts) != len(first.msg.Parts) {
		return catalog.IndexEntry{}, fmt.Errorf("message %s changed between passes: %w", id, sealed.ErrIntegrity)
	}
	// The manifest keeps m.Text (a bounded excerpt, sealed with the
	// manifest): for an HTML-only message it is the only plain-text
	// rendition, and reclassification needs it without re-parsing.
	m := second.msg
	start = time.Now()
	e, err := f.Commit(&catalog.Manifest{
		Decision:   dec,
		Labels:     labels,
		Custodians: custodians,
		Source:     in.source,
		RawSHA256:  hex.EncodeToString(second.sum[:]),
		RawSize:    second.size,
		Message:    *m,
		Filed:      h.now().UTC(),
	})
	if err != nil {
		return catalog.IndexEntry{}, err
	}
	h.m.Stage(metrics.StageCommit, time.Since(start))
	h.m.Message(t.ID, outcomeOf(e))
	// What follows the commit point is independent records, written at
	// once: each is a round trip (and on a local disk a sync) of its own.
	// The staged copy goes only after all of them are stored, since a
	// retry finds what a crash cut off here by that copy (afterCommit).
	var after errgroup.Group
	after.Go(func() error {
		return h.followThreads(ctx, t, e, dec, classifyInput(m, labels, in.custodian), in.mailbox.Address)
	})
	if dec.Alert != "" && len(dec.Candidates) > 0 {
		// The alert names the walled target, so that whoever guards
		// the wall sees which matter the message came near.
		after.Go(func() error {
			return t.RecordEvent(ctx, catalog.Event{ID: fmt.Sprintf("alert-%s-%s-%d", dec.Alert, id, e.Generation), Type: "alert." + dec.Alert,
				Message: id, State: e.State, Target: dec.Candidates[0].Target, Time: h.now().UTC()})
		})
	}
	after.Go(func() error { return t.RecordFiling(ctx, filerActor, e, prev) })
	if prev == nil && m.MessageID != "" {
		after.Go(func() error { return t.RecordIdentity(ctx, m.MessageID, content, id) })
	}
	if prev != nil {
		after.Go(func() error {
			return t.RecordEvent(ctx, catalog.Event{ID: fmt.Sprintf("refiled-%s-%d", id, e.Generation), Type: "message.refiled",
				Message: id, State: e.State, Target: e.Matter, From: placeName(*prev), Time: h.now().UTC()})
		})
	}
	after.Go(func() error { return t.ClearFailure(ctx, in.name) })
	if err := after.Wait(); err != nil {
		return e, err
	}
	if err := t.DeleteStaged(ctx, in.mailbox.ID, in.name); err != nil {
		return e, err
	}
	return e, h.followUp(ctx, t, e, in.gmail)
}

// placeName names where an entry is filed, for events: its target, or
// "review".
func placeName(e catalog.IndexEntry) string {
	if e.State == catalog.StateReview {
		return catalog.StateReview
	}
	return e.Matter
}

// mergeCustodians adds c to a message's custodians unless its mailbox is
// there already.
func mergeCustodians(cs []catalog.Custodian, c catalog.Custodian) []catalog.Custodian {
	for _, have := range cs {
		if have.Mailbox == c.Mailbox {
			return cs
		}
	}
	return append(cs, c)
}

type scanned struct {
	msg  *ingest.Message
	sum  [sha256.Size]byte
	size int64
	// kept is the staged message's bytes, read to EOF and checked, if
	// they are no more than keepStaged; nil otherwise.
	kept []byte
}

// keepStaged is the largest staged message pass one keeps in memory, with
// its decoded parts (at most as much again), for pass two, sparing it a
// second read of the staged copy (a round trip and a decryption) and a
// second parse. It covers mail with the usual attachments; larger
// messages are streamed twice, so memory stays bounded by twice this per
// task. The bytes are only ever in memory, as the parser's text is.
const keepStaged = 4 << 20

// scan streams the staged message once through the hash, the parser and,
// if raw is set, the raw-message writer. Nothing is held in memory but
// headers, bounded text and, if the message is small, its bytes (kept).
// With kept set (pass one's), it reads those instead of the store.
func (h *Handlers) scan(ctx context.Context, t *catalog.Tenant, mb, name string, sink ingest.PartSink, raw io.Writer, kept []byte) (scanned, error) {
	var rc io.ReadCloser
	if kept != nil {
		rc = io.NopCloser(bytes.NewReader(kept))
	} else {
		var err error
		if rc, err = t.OpenStaged(ctx, mb, name); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				return scanned{}, permanent(fmt.Errorf("message %s is neither staged nor filed: %w", name, err))
			}
			return scanned{}, err
		}
	}
	defer rc.Close()
	hs := sha256.New()
	cw := &countingWriter{h: hs}
	var w io.Writer = cw
	var keep *keepWriter
	if raw != nil {
		w = io.MultiWriter(cw, raw)
	} else if kept == nil {
		keep = &keepWriter{}
		w = io.MultiWriter(cw, keep)
	}
	r := io.TeeReader(rc, w)
	msg, err := ingest.Parse(r, sink, h.limits)
	if err == nil {
		_, err = io.Copy(io.Discard, r)
	}
	if err != nil {
		if errors.Is(err, sealed.ErrIntegrity) {
			return scanned{}, permanent(fmt.Errorf("staged message %s: %w", name, err))
		}
		return scanned{}, fmt.Errorf("read staged message %s: %w", name, err)
	}
	var s scanned
	s.msg, s.size = msg, cw.n
	copy(s.sum[:], hs.Sum(nil))
	if keep != nil && !keep.over {
		s.kept = keep.b
		if s.kept == nil {
			s.kept = []byte{}
		}
	}
	return s, nil
}

// keepWriter keeps what is written to it up to keepStaged bytes, and
// then nothing (over).
type keepWriter struct {
	b    []byte
	over bool
}

func (k *keepWriter) Write(p []byte) (int, error) {
	if !k.over {
		if len(k.b)+len(p) > keepStaged {
			k.b, k.over = nil, true
		} else {
			k.b = append(k.b, p...)
		}
	}
	return len(p), nil
}

type countingWriter struct {
	h hash.Hash
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.h.Write(p)
}

// partsInFlight bounds the parts of one message whose puts run while
// the parser goes on: each holds a sealed segment and a store request
// (with S3, a part-sized upload buffer).
const partsInFlight = 2

// partCounter counts the plaintext bytes of the parts written to sink,
// and lets each part's put finish in the background while the parser
// reads on (wait collects them): a part's Close waits for the store to
// commit it, and a message's parts are independent objects.
type partCounter struct {
	sink ingest.PartSink
	n    atomic.Int64

	closing errgroup.Group
	limited bool
}

func (c *partCounter) CreatePart(pi ingest.PartInfo) (io.WriteCloser, error) {
	if !c.limited {
		c.closing.SetLimit(partsInFlight)
		c.limited = true
	}
	w, err := c.sink.CreatePart(pi)
	if err != nil {
		return nil, err
	}
	return countedPart{WriteCloser: w, n: &c.n, closing: &c.closing}, nil
}

// wait returns once every part's put has ended, with the first error.
func (c *partCounter) wait() error { return c.closing.Wait() }

type countedPart struct {
	io.WriteCloser
	n       *atomic.Int64
	closing *errgroup.Group
}

// Close hands the part's final seal and put to the background (blocking
// while partsInFlight are pending); its error comes from wait.
func (p countedPart) Close() error {
	p.closing.Go(p.WriteCloser.Close)
	return nil
}

func (p countedPart) Write(b []byte) (int, error) {
	n, err := p.WriteCloser.Write(b)
	p.n.Add(int64(n))
	return n, err
}

// Abort keeps the sealed part's abort reachable through the counter: an
// incomplete part must never be committed.
func (p countedPart) Abort(err error) {
	if a, ok := p.WriteCloser.(interface{ Abort(error) }); ok {
		a.Abort(err)
		return
	}
	_ = p.WriteCloser.Close()
}

// outcomeOf is the metrics outcome of a committed entry.
func outcomeOf(e catalog.IndexEntry) string {
	if e.State == catalog.StateReview {
		return metrics.OutcomeReview
	}
	return metrics.OutcomeFiled
}

// heldParts is pass one's part sink: it keeps the decoded parts of a
// message up to keepStaged bytes in all, so that a small message (whose
// raw bytes pass one keeps too) is sealed without a second parse. Past
// the budget it keeps nothing (over) and pass two parses again.
type heldParts struct {
	parts []heldPart
	size  int
	over  bool
}

type heldPart struct {
	info ingest.PartInfo
	body []byte
}

func (hp *heldParts) CreatePart(pi ingest.PartInfo) (io.WriteCloser, error) {
	if hp.over {
		return nopCloser{io.Discard}, nil
	}
	hp.parts = append(hp.parts, heldPart{info: pi})
	return &heldWriter{hp: hp, i: len(hp.parts) - 1}, nil
}

type heldWriter struct {
	hp *heldParts
	i  int
}

func (w *heldWriter) Write(b []byte) (int, error) {
	hp := w.hp
	if !hp.over {
		if hp.size += len(b); hp.size > keepStaged {
			hp.parts, hp.over = nil, true
		} else {
			hp.parts[w.i].body = append(hp.parts[w.i].body, b...)
		}
	}
	return len(b), nil
}

func (w *heldWriter) Close() error { return nil }

// replay writes raw (the whole message, as pass one read and hashed it)
// to the raw object and every held part to sink, as pass two's parse
// would have: the same parts, in order, each closed when complete.
func (hp *heldParts) replay(raw io.Writer, kept []byte, sink ingest.PartSink) error {
	if _, err := raw.Write(kept); err != nil {
		return err
	}
	for _, p := range hp.parts {
		w, err := sink.CreatePart(p.info)
		if err != nil {
			return fmt.Errorf("create part %d: %w", p.info.Index, err)
		}
		if _, err := w.Write(p.body); err != nil {
			if a, ok := w.(interface{ Abort(error) }); ok {
				a.Abort(err)
			} else {
				_ = w.Close()
			}
			return fmt.Errorf("write part %d: %w", p.info.Index, err)
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("close part %d: %w", p.info.Index, err)
		}
	}
	return nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// followUp enqueues the follow-ups of a filing: the filing event, and for
// a Gmail message the label write-back. Task IDs make it idempotent: a
// retry that enqueues them again is a no-op.
func (h *Handlers) followUp(ctx context.Context, t *catalog.Tenant, e catalog.IndexEntry, g *gmailRef) error {
	if g != nil {
		if err := h.writeBackLater(ctx, t, e, g); err != nil {
			return err
		}
	}
	task, err := NewNotifyTask(NotifyPayload{Tenant: t.ID, Event: filedEvent(e.Message), Message: e.Message, State: e.State, Target: e.Matter})
	if err != nil {
		return permanent(err)
	}
	if _, err := h.enq.EnqueueContext(ctx, task); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueue follow-up of %s: %w", e.Message, err)
	}
	return nil
}

// HandleNotifyTask records the filing event and, if the firm has a
// webhook, delivers it (see deliverEvent): an error retries with backoff,
// and an event never accepted is dead-lettered by HandleError.
func (h *Handlers) HandleNotifyTask(ctx context.Context, task *asynq.Task) error {
	var p NotifyPayload
	if err := decode(task, &p); err != nil {
		return err
	}
	t, err := h.cat.Open(ctx, p.Tenant)
	if err != nil {
		if errors.Is(err, catalog.ErrNoTenant) {
			return permanent(err)
		}
		return err
	}
	// The filing said where it put the message: the event is about that
	// filing, so the index entry it just wrote need not be read back.
	e := catalog.IndexEntry{Message: p.Message, State: p.State, Matter: p.Target}
	if p.State == "" {
		if e, err = t.Lookup(ctx, p.Message); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				return permanent(err)
			}
			return err
		}
	}
	ev := catalog.Event{ID: p.Event, Type: "message." + e.State, Message: e.Message, State: e.State, Target: e.Matter, Time: h.now().UTC()}
	if err := t.RecordEvent(ctx, ev); err != nil {
		return err
	}
	h.log.Info("event recorded", "tenant", p.Tenant, "event", p.Event)
	retried, _ := asynq.GetRetryCount(ctx)
	return h.deliverEvent(ctx, t, p.Event, retried+1)
}

// HandleError records a message that will not be retried any more as
// failed, with its reason, so that nothing disappears silently.
func (h *Handlers) HandleError(ctx context.Context, task *asynq.Task, err error) {
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	if retried < maxRetry && !errors.Is(err, asynq.SkipRetry) {
		return
	}
	var tenant, mailbox, message string
	switch task.Type() {
	case TypeFileMessage:
		var p FileMessagePayload
		if decode(task, &p) != nil {
			return
		}
		tenant, mailbox, message = p.Tenant, p.Mailbox, p.Message
	case TypeFetchGmail:
		var p GmailMessagePayload
		if decode(task, &p) != nil {
			return
		}
		tenant, mailbox, message = p.Tenant, p.Mailbox, stagedName(p.GmailID)
	case TypeNotify:
		h.deadLetter(ctx, task, err, retried)
		return
	default:
		return
	}
	h.m.Message(tenant, metrics.OutcomeFailed)
	t, oerr := h.cat.Open(ctx, tenant)
	if oerr != nil {
		return
	}
	f := catalog.Failure{Message: message, Mailbox: mailbox, Reason: err.Error(), Time: h.now().UTC()}
	if rerr := t.RecordFailure(ctx, f); rerr != nil {
		h.log.Error("record failure", "tenant", tenant, "message", message, "err", rerr)
	}
}
