package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/matterfile/matterfile/catalog"
)

// Poller queues a sync of every connected, active Gmail mailbox at an
// interval. Push notifications get lost, duplicated and reordered; the poll
// is what bounds how late a labelled message can be filed. Every worker
// process may run one: the sync task's ID is per mailbox, so polls from
// several processes collapse into one sync.
type Poller struct {
	cat      *catalog.Catalog
	enq      enqueuer
	interval time.Duration
	log      *slog.Logger
	// Watch renews Gmail push watches that expire within six days.
	Watch bool
	now   func() time.Time
}

// NewPoller validates its arguments.
func NewPoller(cat *catalog.Catalog, enq enqueuer, interval time.Duration, log *slog.Logger) (*Poller, error) {
	if cat == nil || enq == nil {
		return nil, errors.New("poller: catalog and enqueuer are required")
	}
	if interval <= 0 {
		return nil, errors.New("poller: interval must be positive")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Poller{cat: cat, enq: enq, interval: interval, log: log, now: time.Now}, nil
}

// Run polls until ctx ends, starting with one poll at once.
func (p *Poller) Run(ctx context.Context) {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		n, err := p.Poll(ctx)
		if err != nil && ctx.Err() == nil {
			p.log.Warn("poll mailboxes", "err", err)
		} else if n > 0 {
			p.log.Info("queued mailbox syncs", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Poll queues one sync per active Gmail mailbox and returns how many were
// queued (a sync already queued or running is not queued again).
func (p *Poller) Poll(ctx context.Context) (int, error) {
	tenants, err := p.cat.Tenants(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, id := range tenants {
		t, err := p.cat.Open(ctx, id)
		if err != nil {
			errs = append(errs, err)
			continue // one tenant's trouble must not stop the others
		}
		mbs, err := t.Mailboxes(ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, mb := range mbs {
			st, err := t.GmailState(ctx, mb.ID)
			if errors.Is(err, catalog.ErrNoGmail) {
				continue
			}
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if !st.Syncable(p.now()) {
				continue
			}
			task, err := NewSyncMailboxTask(MailboxPayload{Tenant: id, Mailbox: mb.ID})
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if _, err := p.enq.EnqueueContext(ctx, task); err == nil {
				n++
			} else if !errors.Is(err, asynq.ErrTaskIDConflict) {
				errs = append(errs, fmt.Errorf("queue sync of %s: %w", mb.ID, err))
			}
			if p.Watch && st.WatchExpires.Before(p.now().Add(watchRenewal)) {
				task, err := NewWatchMailboxTask(MailboxPayload{Tenant: id, Mailbox: mb.ID}, p.now())
				if err != nil {
					errs = append(errs, err)
					continue
				}
				if _, err := p.enq.EnqueueContext(ctx, task); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
					errs = append(errs, fmt.Errorf("queue watch of %s: %w", mb.ID, err))
				}
			}
		}
	}
	return n, errors.Join(errs...)
}
