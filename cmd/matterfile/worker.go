package main

import (
	"context"
	"fmt"
	"net"

	"github.com/spf13/cobra"
)

func newWorkerCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "worker",
		Short: "Run a worker that files queued messages until stopped",
		Long: `Run the asynq worker: it files queued messages and runs follow-up jobs until
it gets SIGINT or SIGTERM, then stops taking work, finishes what it holds
within MATTERFILE_SHUTDOWN_TIMEOUT (tasks still running then go back to the
queue) and exits 0. Killed outright (kill -9), it loses nothing either: the
tasks it held run again once their lease expires, within one to two minutes.
At start it re-queues every message staged in the store, so nothing is lost
when Redis lost its data. Every MATTERFILE_GMAIL_POLL_INTERVAL it queues a sync
of every connected Gmail mailbox (several workers' polls collapse into one
sync per mailbox). Every MATTERFILE_RECONCILE_INTERVAL, and at once when it
sees Redis lose its data, it queues a reconcile of every tenant (see
'matterfile reconcile'). It takes live mail before follow-ups before backfill
(weights 6:3:1) and runs at most MATTERFILE_TENANT_MAX_INFLIGHT tasks of one
tenant at once, counted across every worker sharing the Redis, so that one
firm's backfill leaves slots for the others' new mail. Without MATTERFILE_REDIS_URL it uses an in-process
Redis-compatible server, which only this process can reach.

With MATTERFILE_METRICS_ADDR set it serves GET /metrics (Prometheus),
/healthz (the process answers) and /readyz (Redis and the object store
answer within 2 s) on that address.`,
		Args: cobra.NoArgs,
		// A worker is a service: it logs each task by default.
		PreRun: func(*cobra.Command, []string) { g.verbose = true },
		RunE: g.withApp(func(ctx context.Context, a *app) error {
			q, err := a.openQueue()
			if err != nil {
				return err
			}
			if a.cfg.MetricsAddr != "" {
				ln, err := net.Listen("tcp", a.cfg.MetricsAddr)
				if err != nil {
					return fmt.Errorf("MATTERFILE_METRICS_ADDR: %w", err)
				}
				h := a.opsHandler(q, nil)
				octx, cancel := context.WithCancel(ctx)
				served := make(chan struct{})
				defer func() { cancel(); <-served }()
				go func() { serveOps(octx, ln, h); close(served) }()
				fmt.Fprintf(g.stderr, "matterfile worker: metrics on http://%s/metrics\n", ln.Addr())
			}
			// Said before the worker starts: afterwards its goroutines
			// log to the same stream.
			fmt.Fprintf(g.stderr, "matterfile worker: serving (store: %s); Ctrl-C to stop\n", a.where)
			stop, err := a.startWorker(ctx, q)
			if err != nil {
				return err
			}
			poller, err := a.poller(q)
			if err != nil {
				stop()
				return err
			}
			rec, err := a.reconciler(q)
			if err != nil {
				stop()
				return err
			}
			polled := make(chan struct{})
			go func() { poller.Run(ctx); close(polled) }()
			reconciled := make(chan struct{})
			go func() { rec.Run(ctx); close(reconciled) }()
			<-ctx.Done()
			<-polled
			<-reconciled
			stop()
			return nil
		}),
	}
}
