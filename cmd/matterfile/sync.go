package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/spf13/cobra"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/worker"
)

func newSyncCmd(g *globals) *cobra.Command {
	var tenant, mailbox string
	var wait bool
	cmd := &cobra.Command{
		Use:   "sync --tenant T --mailbox ADDR [--wait]",
		Short: "Sync one Gmail mailbox now (for cron and backfills)",
		Long: `Find every message of the mailbox that carries a filing label — the whole
mailbox on the first sync or when Gmail's history has expired, the changes
since the last sync otherwise — record it and queue its filing.

With --wait (or with no MATTERFILE_REDIS_URL) this process also does the work
and returns when every message found is filed, in review or failed; it exits
non-zero if any failed. Without it, the sync is queued for the workers.`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	cmd.Flags().StringVar(&mailbox, "mailbox", "", "mailbox address (required)")
	cmd.Flags().BoolVar(&wait, "wait", false, "run the sync here and wait for its filing")
	must(cmd.MarkFlagRequired("tenant"))
	must(cmd.MarkFlagRequired("mailbox"))
	cmd.RunE = g.withApp(func(ctx context.Context, a *app) error {
		t, err := a.cat.Open(ctx, tenant)
		if err != nil {
			return err
		}
		mb, err := t.MailboxByAddress(ctx, mailbox)
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("tenant %s has no mailbox %s; connect it with 'matterfile mailboxes add'", tenant, mailbox)
		}
		if err != nil {
			return err
		}
		q, err := a.openQueue()
		if err != nil {
			return err
		}
		p := worker.MailboxPayload{Tenant: tenant, Mailbox: mb.ID}
		if !wait && !q.Embedded() {
			task, err := worker.NewSyncMailboxTask(p)
			if err != nil {
				return err
			}
			if _, err := q.Client.EnqueueContext(ctx, task); errors.Is(err, asynq.ErrTaskIDConflict) {
				fmt.Fprintf(g.stdout, "a sync of %s is already queued or running\n", mb.Address)
				return nil
			} else if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "queued a sync of %s for the workers\n", mb.Address)
			return nil
		}
		return a.syncAndWait(ctx, q, t, mb)
	})
	return cmd
}

// syncAndWait runs one sync in this process and waits until its work is
// done, showing progress.
func (a *app) syncAndWait(ctx context.Context, q *worker.Queue, t *catalog.Tenant, mb catalog.Mailbox) error {
	start := time.Now()
	failedBefore, err := failedOf(ctx, t, mb.ID)
	if err != nil {
		return err
	}
	stop, err := a.startWorker(ctx, q)
	if err != nil {
		return err
	}
	defer stop()
	h, err := a.handlers(q)
	if err != nil {
		return err
	}
	res, err := h.SyncMailbox(ctx, worker.MailboxPayload{Tenant: t.ID, Mailbox: mb.ID})
	if err != nil {
		return fmt.Errorf("sync %s: %w", mb.Address, err)
	}
	p := a.g.newProgress("filing "+mb.Address, res.Candidates)
	for {
		idle, err := worker.MailboxIdle(ctx, q.Inspector, t, mb.ID)
		if err != nil {
			p.finish()
			return err
		}
		left, err := t.GmailPendingIDs(ctx, mb.ID)
		if err != nil {
			p.finish()
			return err
		}
		p.set(max(0, res.Candidates-len(left)))
		if idle {
			break
		}
		select {
		case <-ctx.Done():
			p.finish()
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	p.finish()
	failedAfter, err := failedOf(ctx, t, mb.ID)
	if err != nil {
		return err
	}
	failed := 0
	for id := range failedAfter {
		if !failedBefore[id] {
			failed++
		}
	}
	kind := "changes since the last sync"
	if res.Full {
		kind = "full sync of the filing labels"
		if res.Expired {
			kind += " (the history cursor had expired)"
		}
	}
	fmt.Fprintf(a.g.stdout, "synced %s in %s: %s, %d messages found, %d failed\n",
		mb.Address, time.Since(start).Round(100*time.Millisecond), kind, res.Candidates, failed)
	if failed > 0 {
		return &exitError{code: 2, err: fmt.Errorf("%d messages failed; see 'matterfile messages list --tenant %s --state failed': %w", failed, t.ID, errFailed)}
	}
	return nil
}

func failedOf(ctx context.Context, t *catalog.Tenant, mb string) (map[string]bool, error) {
	fs, err := t.Failures(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, f := range fs {
		if f.Mailbox == mb {
			out[f.Message] = true
		}
	}
	return out, nil
}
