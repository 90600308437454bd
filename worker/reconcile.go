package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/ids"
	"github.com/matterfile/matterfile/ingest/gmail"
	"github.com/matterfile/matterfile/storage"
)

// TypeReconcile compares what the store and Gmail say must be filed with
// what is filed, and re-queues the difference.
const TypeReconcile = "reconcile"

// ReconcilePayload names the tenant to reconcile.
type ReconcilePayload struct {
	Tenant string `json:"tenant"`
}

func (p ReconcilePayload) validate() error { return ids.Validate("tenant", p.Tenant) }

// ReconcileTaskID is the task ID of tenant's reconcile for key (a time
// bucket, or a Redis epoch): a schedule that fires in several processes,
// or twice in one bucket, queues one task.
func ReconcileTaskID(tenant, key string) string { return TypeReconcile + ":" + tenant + ":" + key }

// NewReconcileTask builds the reconcile task of the time bucket starting at
// bucket (the caller truncates the time to its schedule's interval).
func NewReconcileTask(p ReconcilePayload, bucket time.Time) (*asynq.Task, error) {
	return newReconcileTask(p, bucket.UTC().Format("20060102t150405"))
}

func newReconcileTask(p ReconcilePayload, key string) (*asynq.Task, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("new %s task: %w", TypeReconcile, err)
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeReconcile, data, asynq.TaskID(ReconcileTaskID(p.Tenant, key)), asynq.Queue(QueueDefault),
		asynq.MaxRetry(5), asynq.Timeout(2*time.Hour), asynq.Retention(retention)), nil
}

// ReconcileReport counts what a reconcile did. It holds counts only.
type ReconcileReport struct {
	// RequeuedStaged: staged (imported) messages whose file task was
	// missing and is queued again.
	RequeuedStaged int `json:"requeued_staged"`
	// RequeuedPending: Gmail pending records whose fetch was queued again.
	RequeuedPending int `json:"requeued_pending"`
	// NewFromGmail: messages under a filing label that were neither filed
	// nor pending; each got a pending record and a fetch.
	NewFromGmail int `json:"new_from_gmail"`
	// AlreadyFiled: messages under a filing label with a filed marker.
	AlreadyFiled int `json:"already_filed"`
	// Mailboxes listed through the Gmail API; MailboxesSkipped were not
	// (reconnect required, paused, Gmail not configured, or a permanent
	// Gmail error, logged).
	Mailboxes        int `json:"mailboxes"`
	MailboxesSkipped int `json:"mailboxes_skipped"`
}

// Requeued is the number of messages queued again.
func (r ReconcileReport) Requeued() int { return r.RequeuedStaged + r.RequeuedPending + r.NewFromGmail }

// HandleReconcileTask reconciles one tenant.
func (h *Handlers) HandleReconcileTask(ctx context.Context, task *asynq.Task) error {
	var p ReconcilePayload
	if err := decode(task, &p); err != nil {
		return err
	}
	rep, err := h.Reconcile(ctx, p.Tenant)
	if err != nil {
		h.log.Warn("reconcile failed", "tenant", p.Tenant, "err", err)
		return err
	}
	h.log.Info("reconciled", "tenant", p.Tenant, "requeued_staged", rep.RequeuedStaged, "requeued_pending", rep.RequeuedPending,
		"new_from_gmail", rep.NewFromGmail, "already_filed", rep.AlreadyFiled, "mailboxes", rep.Mailboxes, "mailboxes_skipped", rep.MailboxesSkipped)
	return nil
}

// Reconcile makes sure that everything tenant must file is queued: every
// staged message gets its file task, every Gmail pending record its fetch,
// and every message under a filing label of a connected Gmail mailbox that
// is neither filed nor pending gets a pending record and a fetch. Task IDs
// make it idempotent; a message queued twice is filed once.
func (h *Handlers) Reconcile(ctx context.Context, tenant string) (ReconcileReport, error) {
	var rep ReconcileReport
	t, err := h.cat.Open(ctx, tenant)
	if err != nil {
		if errors.Is(err, catalog.ErrNoTenant) {
			err = permanent(err)
		}
		return rep, err
	}
	if rep.RequeuedStaged, err = requeueStaged(ctx, h.enq, t); err != nil {
		return rep, err
	}
	if rep.RequeuedPending, err = requeueGmailPending(ctx, h.enq, t); err != nil {
		return rep, err
	}
	mbs, err := t.Mailboxes(ctx)
	if err != nil {
		return rep, err
	}
	var errs []error
	for _, mb := range mbs {
		st, err := t.GmailState(ctx, mb.ID)
		if errors.Is(err, catalog.ErrNoGmail) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if h.gmail.Pacer == nil || !st.Syncable(h.now()) {
			rep.MailboxesSkipped++
			continue
		}
		err = h.reconcileGmail(ctx, t, mb, st, &rep)
		switch {
		case err == nil:
			rep.Mailboxes++
		case errors.Is(err, asynq.SkipRetry) || !gmail.Retryable(err) || errors.Is(err, gmail.ErrDailyLimit):
			// The mailbox's sync records and shows this; a retry of
			// the whole reconcile would not mend it.
			rep.MailboxesSkipped++
			h.log.Warn("reconcile: mailbox skipped", "tenant", t.ID, "mailbox", mb.ID, "err", err)
		default:
			errs = append(errs, fmt.Errorf("mailbox %s: %w", mb.ID, err))
		}
	}
	return rep, errors.Join(errs...)
}

// reconcileGmail lists the messages under the mailbox's filing labels and
// records and queues those neither filed nor pending.
func (h *Handlers) reconcileGmail(ctx context.Context, t *catalog.Tenant, mb catalog.Mailbox, st catalog.GmailState, rep *ReconcileReport) error {
	c, err := h.gmailClient(ctx, t, mb)
	if err != nil {
		return err
	}
	labels, err := h.labels.get(ctx, t.ID+":"+mb.ID, c, true)
	if err != nil {
		return err
	}
	policy, err := h.policyOf(ctx, t)
	if err != nil {
		return err
	}
	filing := gmail.MatchFilingLabels(labels, policy.MatterLabelPrefix, policy.FilingLabel)
	labelIDs := make([]string, 0, len(filing))
	for id := range filing {
		labelIDs = append(labelIDs, id)
	}
	slices.Sort(labelIDs)
	listed := map[string]bool{}
	for _, label := range labelIDs {
		// Paced and retried like every Gmail call: messages.list costs
		// a few units per page of 500.
		err := c.ListLabel(ctx, label, func(gids []string) error {
			for _, gid := range gids {
				if err := ids.Validate("gmail message", gid); err != nil {
					return fmt.Errorf("reconcile: Gmail sent a message id outside the canonical form: %w", err)
				}
				listed[gid] = true
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("list filing label: %w", err)
		}
	}
	// Pending first, then filed: a fetch writes the filed marker before
	// it deletes the pending record, so a message filed meanwhile is in
	// one of the two.
	pend, err := t.GmailPendingIDs(ctx, mb.ID)
	if err != nil {
		return err
	}
	filed, err := t.GmailFiledIDs(ctx, mb.ID)
	if err != nil {
		return err
	}
	isPending, isFiled := setOf(pend), setOf(filed)
	missing := make([]string, 0)
	for gid := range listed {
		switch {
		case isFiled[gid]:
			rep.AlreadyFiled++
		case isPending[gid]:
			// Its fetch was queued again above.
		default:
			missing = append(missing, gid)
		}
	}
	slices.Sort(missing)
	now := h.now().UTC()
	for _, gid := range missing {
		// Checked once more, one by one: a sync or fetch may have got
		// there since the listings.
		if _, err := t.GmailFiledRecord(ctx, mb.ID, gid); err == nil {
			rep.AlreadyFiled++
			continue
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		if _, err := t.GmailPendingRecord(ctx, mb.ID, gid); err == nil {
			continue
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		if err := t.RecordGmailPending(ctx, mb.ID, catalog.GmailPending{GmailID: gid, Why: "reconcile", Seen: now}); err != nil {
			return err
		}
		// The ID of a fetch found at this cursor, as requeueGmailPending
		// uses: a sync's fetch of the same message runs once with it.
		p := GmailMessagePayload{Tenant: t.ID, Mailbox: mb.ID, GmailID: gid}
		task, err := newGmailTask(TypeFetchGmail, FetchTaskID(p, st.Cursor), QueueBackfill, p)
		if err != nil {
			return err
		}
		if _, err := h.enq.EnqueueContext(ctx, task); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			return fmt.Errorf("enqueue fetch: %w", err)
		}
		rep.NewFromGmail++
	}
	return nil
}

func setOf(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}

// requeueStaged enqueues a file task for every message staged by an
// import of tenant t and returns how many were not queued already.
func requeueStaged(ctx context.Context, enq enqueuer, t *catalog.Tenant) (int, error) {
	pending, err := t.Pending(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range pending {
		if strings.HasPrefix(s.Message, stagedName("")) {
			continue // a Gmail fetch; its pending record requeues it
		}
		p := FileMessagePayload{Tenant: t.ID, Mailbox: s.Mailbox, Message: s.Message, Source: SourceMbox}
		task, err := NewFileMessageTask(p, QueueBackfill)
		if err != nil {
			return n, err
		}
		if _, err := enq.EnqueueContext(ctx, task); err == nil {
			n++
		} else if !errors.Is(err, asynq.ErrTaskIDConflict) {
			return n, fmt.Errorf("requeue message %s: %w", s.Message, err)
		}
	}
	return n, nil
}

// requeueGmailPending queues the fetch of every Gmail message a sync (or a
// reconcile) recorded and no worker filed yet.
func requeueGmailPending(ctx context.Context, enq enqueuer, t *catalog.Tenant) (int, error) {
	mbs, err := t.Mailboxes(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, mb := range mbs {
		st, err := t.GmailState(ctx, mb.ID)
		if errors.Is(err, catalog.ErrNoGmail) {
			continue
		}
		if err != nil {
			return n, err
		}
		gids, err := t.GmailPendingIDs(ctx, mb.ID)
		if err != nil {
			return n, err
		}
		for _, gid := range gids {
			p := GmailMessagePayload{Tenant: t.ID, Mailbox: mb.ID, GmailID: gid}
			// A task of the sync that recorded it may still be queued
			// under its own ID; running both is harmless, the second
			// finds the pending record gone.
			task, err := newGmailTask(TypeFetchGmail, FetchTaskID(p, st.Cursor), QueueBackfill, p)
			if err != nil {
				return n, err
			}
			if _, err := enq.EnqueueContext(ctx, task); err == nil {
				n++
			} else if !errors.Is(err, asynq.ErrTaskIDConflict) {
				return n, fmt.Errorf("requeue gmail message of %s: %w", mb.ID, err)
			}
		}
	}
	return n, nil
}

// Outstanding counts tenant's work that is neither done nor failed for
// good: staged imports and Gmail pending records without a failure
// record. It reads the store only, so it holds however Redis fares.
func Outstanding(ctx context.Context, t *catalog.Tenant) (int, error) {
	fs, err := t.Failures(ctx)
	if err != nil {
		return 0, err
	}
	failed := map[string]bool{}
	for _, f := range fs {
		failed[f.Message] = true
	}
	staged, err := t.Pending(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range staged {
		if !strings.HasPrefix(s.Message, stagedName("")) && !failed[s.Message] {
			n++
		}
	}
	mbs, err := t.Mailboxes(ctx)
	if err != nil {
		return n, err
	}
	for _, mb := range mbs {
		gids, err := t.GmailPendingIDs(ctx, mb.ID)
		if err != nil {
			return n, err
		}
		for _, gid := range gids {
			if !failed[stagedName(gid)] {
				n++
			}
		}
	}
	return n, nil
}

// EpochKey is the Redis key whose disappearance tells a worker that Redis
// lost its data (FLUSHALL, a failover to an empty replica).
const EpochKey = "matterfile:epoch"

// asynqQueuesKey is the set in which asynq lists the queues
// (asynq/internal/base.AllQueues).
const asynqQueuesKey = "asynq:queues"

// Reconciler queues a reconcile of every tenant at an interval, and at
// once when Redis lost its data. Every worker process may run one: the
// task IDs are per tenant and time bucket (or Redis epoch), so several
// processes queue one reconcile.
type Reconciler struct {
	cat      *catalog.Catalog
	enq      enqueuer
	rdb      redis.UniversalClient
	interval time.Duration
	log      *slog.Logger
	// CheckEvery is how often the epoch key is checked (default 10s).
	CheckEvery time.Duration
	now        func() time.Time
}

// NewReconciler validates its arguments. rdb is the queue's Redis, for
// the epoch key; nil checks nothing.
func NewReconciler(cat *catalog.Catalog, enq enqueuer, rdb redis.UniversalClient, interval time.Duration, log *slog.Logger) (*Reconciler, error) {
	if cat == nil || enq == nil {
		return nil, errors.New("reconciler: catalog and enqueuer are required")
	}
	if interval <= 0 {
		return nil, errors.New("reconciler: interval must be positive")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Reconciler{cat: cat, enq: enq, rdb: rdb, interval: interval, log: log, CheckEvery: 10 * time.Second, now: time.Now}, nil
}

// MarkEpoch writes the epoch key unless it is there (another worker's
// epoch is as good as ours) and returns its value.
func (r *Reconciler) MarkEpoch(ctx context.Context) (string, error) {
	if r.rdb == nil {
		return "", nil
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	if err := r.rdb.SetNX(ctx, EpochKey, hex.EncodeToString(b), 0).Err(); err != nil {
		return "", fmt.Errorf("write redis epoch: %w", err)
	}
	v, err := r.rdb.Get(ctx, EpochKey).Result()
	if err != nil {
		return "", fmt.Errorf("read redis epoch: %w", err)
	}
	return v, nil
}

// CheckEpoch reports whether the epoch key vanished. If it did, Redis lost
// its data and the tasks it carried: the key is written anew and a
// reconcile of every tenant is queued at once, under the new epoch, so
// that the workers that all notice it queue one reconcile per tenant.
func (r *Reconciler) CheckEpoch(ctx context.Context) (bool, error) {
	if r.rdb == nil {
		return false, nil
	}
	err := r.rdb.Get(ctx, EpochKey).Err()
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, redis.Nil) {
		return false, fmt.Errorf("read redis epoch: %w", err)
	}
	r.log.Warn("redis lost its data (epoch key gone); reconciling every tenant now")
	epoch, err := r.MarkEpoch(ctx)
	if err != nil {
		return true, err
	}
	// asynq's client registers a queue's name once per process: after a
	// flush the inspector (waits, idle checks, queue metrics) would not
	// find the queues this process enqueues to.
	if err := r.rdb.SAdd(ctx, asynqQueuesKey, QueueLive, QueueDefault, QueueBackfill).Err(); err != nil {
		return true, fmt.Errorf("register queues: %w", err)
	}
	n, err := r.queue(ctx, func(p ReconcilePayload) (*asynq.Task, error) { return newReconcileTask(p, "epoch-"+epoch) })
	if n > 0 {
		r.log.Info("queued reconciles", "count", n, "why", "redis data loss")
	}
	return true, err
}

// Schedule queues a reconcile of every tenant and the retention sweep for
// the current interval and returns how many reconciles were queued (not
// queued already).
func (r *Reconciler) Schedule(ctx context.Context) (int, error) {
	bucket := r.now().UTC().Truncate(r.interval)
	var serr error
	if _, err := r.enq.EnqueueContext(ctx, NewRetentionSweepTask(bucket)); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		serr = fmt.Errorf("queue retention sweep: %w", err)
	}
	n, err := r.queue(ctx, func(p ReconcilePayload) (*asynq.Task, error) { return NewReconcileTask(p, bucket) })
	return n, errors.Join(err, serr)
}

func (r *Reconciler) queue(ctx context.Context, build func(ReconcilePayload) (*asynq.Task, error)) (int, error) {
	tenants, err := r.cat.Tenants(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, id := range tenants {
		task, err := build(ReconcilePayload{Tenant: id})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := r.enq.EnqueueContext(ctx, task); err == nil {
			n++
		} else if !errors.Is(err, asynq.ErrTaskIDConflict) {
			errs = append(errs, fmt.Errorf("queue reconcile of %s: %w", id, err))
		}
	}
	return n, errors.Join(errs...)
}

// Run marks the epoch, queues a reconcile of every tenant at once and then
// every interval, and checks the epoch every CheckEvery, until ctx ends.
func (r *Reconciler) Run(ctx context.Context) {
	if _, err := r.MarkEpoch(ctx); err != nil && ctx.Err() == nil {
		r.log.Warn("reconciler", "err", err)
	}
	sched := time.NewTicker(r.interval)
	defer sched.Stop()
	check := time.NewTicker(r.CheckEvery)
	defer check.Stop()
	schedule := func() {
		n, err := r.Schedule(ctx)
		if err != nil && ctx.Err() == nil {
			r.log.Warn("queue reconciles", "err", err)
		} else if n > 0 {
			r.log.Info("queued reconciles", "count", n)
		}
	}
	schedule()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sched.C:
			schedule()
		case <-check.C:
			if _, err := r.CheckEpoch(ctx); err != nil && ctx.Err() == nil {
				r.log.Warn("check redis epoch", "err", err)
			}
		}
	}
}
