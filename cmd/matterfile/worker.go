package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

func newWorkerCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "worker",
		Short: "Run a worker that files queued messages until stopped",
		Long: `Run the asynq worker: it files queued messages and runs follow-up jobs until
it gets SIGINT or SIGTERM, then stops taking work and finishes what it holds.
At start it re-queues every message staged in the store, so nothing is lost
when Redis lost its data. Without MATTERFILE_REDIS_URL it uses an in-process
Redis-compatible server, which only this process can reach.`,
		Args: cobra.NoArgs,
		// A worker is a service: it logs each task by default.
		PreRun: func(*cobra.Command, []string) { g.verbose = true },
		RunE: g.withApp(func(ctx context.Context, a *app) error {
			q, err := a.openQueue()
			if err != nil {
				return err
			}
			stop, err := a.startWorker(ctx, q)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stderr, "matterfile worker: serving (store: %s); Ctrl-C to stop\n", a.where)
			<-ctx.Done()
			stop()
			return nil
		}),
	}
}
