package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/spf13/cobra"

	"github.com/matterfile/matterfile/worker"
)

func newReconcileCmd(g *globals) *cobra.Command {
	var (
		tenant string
		wait   bool
	)
	cmd := &cobra.Command{
		Use:   "reconcile [--tenant T] [--wait]",
		Short: "Re-queue whatever must be filed but is neither filed nor queued",
		Long: `Compare, for every tenant (or --tenant), what the store and Gmail say must be
filed with what is filed or in review, and queue the difference: every message
staged by an import gets its file task, every Gmail message a sync recorded
gets its fetch, and every message under a filing label of a connected Gmail
mailbox that has neither been filed nor recorded is recorded and fetched.
Nothing is filed twice: a message queued again is filed once.

Workers run this every MATTERFILE_RECONCILE_INTERVAL and at once when they see
Redis lose its data; run it by hand after restoring Redis or to check.

With MATTERFILE_REDIS_URL set it only queues the work for "matterfile worker"
processes, unless --wait is given: then it also works on the queue itself and
returns when nothing is left to file but what failed for good. With no Redis
configured it always files everything before it returns.`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant ID (default: every tenant)")
	cmd.Flags().BoolVar(&wait, "wait", false, "return only when every message is filed, in review or failed")
	cmd.RunE = g.withApp(func(ctx context.Context, a *app) error {
		var tenants []string
		if tenant != "" {
			if _, err := a.cat.Open(ctx, tenant); err != nil {
				return err
			}
			tenants = []string{tenant}
		} else {
			var err error
			if tenants, err = a.cat.Tenants(ctx); err != nil {
				return err
			}
		}
		q, err := a.openQueue()
		if err != nil {
			return err
		}
		work := q.Embedded() || wait
		if work {
			stop, err := a.startWorker(ctx, q)
			if err != nil {
				return err
			}
			defer stop()
		}
		h, err := a.handlers(q)
		if err != nil {
			return err
		}
		var errs []error
		for _, id := range tenants {
			rep, err := h.Reconcile(ctx, id)
			if err != nil {
				errs = append(errs, fmt.Errorf("tenant %s: %w", id, err))
			}
			fmt.Fprintf(g.stdout, "tenant %s: requeued %d staged, %d pending Gmail, %d new from Gmail; %d already filed; %d mailboxes listed, %d skipped\n",
				id, rep.RequeuedStaged, rep.RequeuedPending, rep.NewFromGmail, rep.AlreadyFiled, rep.Mailboxes, rep.MailboxesSkipped)
		}
		if err := errors.Join(errs...); err != nil {
			return err
		}
		if !work {
			return nil
		}
		failed, err := a.waitSettled(ctx, q, tenants)
		if err != nil {
			return err
		}
		// Failures are listed, not retried here: each has its reason,
		// and may be older than this run.
		fmt.Fprintf(g.stdout, "nothing left to file; %d messages failed (see 'matterfile messages list --state failed')\n", failed)
		return nil
	})
	return cmd
}

// waitSettled polls the store until no tenant has work left but what
// failed for good, and returns how many messages failed. With an
// embedded queue it then lets the follow-ups drain, which would otherwise
// end with this process.
func (a *app) waitSettled(ctx context.Context, q *worker.Queue, tenants []string) (int, error) {
	p := a.g.newProgress("reconciling", -1)
	defer p.finish()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		left := 0
		for _, id := range tenants {
			t, err := a.cat.Open(ctx, id)
			if err != nil {
				return 0, err
			}
			n, err := worker.Outstanding(ctx, t)
			if err != nil {
				return 0, err
			}
			left += n
		}
		p.set(left)
		if left == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-tick.C:
		}
	}
	if q.Embedded() {
		for busy := true; busy; {
			busy = false
			for queue := range worker.Queues() {
				info, err := q.Inspector.GetQueueInfo(queue)
				if errors.Is(err, asynq.ErrQueueNotFound) {
					continue
				}
				if err != nil {
					return 0, err
				}
				busy = busy || info.Pending+info.Active > 0
			}
			if busy {
				select {
				case <-ctx.Done():
					return 0, ctx.Err()
				case <-tick.C:
				}
			}
		}
	}
	failed := 0
	for _, id := range tenants {
		t, err := a.cat.Open(ctx, id)
		if err != nil {
			return 0, err
		}
		fs, err := t.Failures(ctx)
		if err != nil {
			return 0, err
		}
		failed += len(fs)
	}
	return failed, nil
}

// reconciler queues every tenant's reconcile at the configured interval
// and when q's Redis loses its data.
func (a *app) reconciler(q *worker.Queue) (*worker.Reconciler, error) {
	rdb := q.RedisClient()
	a.closers = append(a.closers, rdb.Close)
	return worker.NewReconciler(a.cat, q.Client, rdb, a.cfg.ReconcileInterval, a.log)
}
