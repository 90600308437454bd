package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/worker"
)

func newKeysCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Manage a firm's encryption keys"}
	var tenant, client string
	rotate := &cobra.Command{
		Use:   "rotate --tenant T [--client C]",
		Short: "Give a firm, or one of its clients, new primary keys",
		Long: `Add a new primary key to the firm's keysets and to every client's, or with
--client to that client's alone. New objects are sealed with it; objects
sealed before keep opening with the old keys until 'keys reencrypt' has moved
them and retired the old keys. Workers pick the new keys up within a minute.
The keys that derive message and mailbox IDs are not rotated, so IDs do not
change.`,
		Args: cobra.NoArgs,
	}
	rotate.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	rotate.Flags().StringVar(&client, "client", "", "rotate only this client's keys")
	must(rotate.MarkFlagRequired("tenant"))
	rotate.RunE = g.withApp(func(ctx context.Context, a *app) error {
		gen, err := a.cat.RotateKeys(ctx, tenant, client, actor())
		if err != nil {
			return err
		}
		if client != "" {
			fmt.Fprintf(g.stdout, "tenant %s client %s has a new primary key\n", tenant, client)
		} else {
			fmt.Fprintf(g.stdout, "tenant %s now seals with keyset generation %d\n", tenant, gen)
		}
		fmt.Fprintf(g.stdout, "next: matterfile keys reencrypt --tenant %s\n", tenant)
		return nil
	})

	var wait bool
	reencrypt := &cobra.Command{
		Use:   "reencrypt --tenant T [--wait]",
		Short: "Move every object onto the current keys and retire the old ones",
		Long: `Re-seal every object of the firm under its owner's current primary key, check
that every object opens with the primary keys alone, then destroy the older
keys. Progress is recorded in the store: an interrupted run continues where it
stopped. Old keys are destroyed only once every process has picked up the new
ones (two minutes after the last rotation); until then the task reschedules
itself.

With a shared Redis (MATTERFILE_REDIS_URL) the work is queued for the workers
unless --wait is given; on the embedded defaults it runs here.`,
		Args: cobra.NoArgs,
	}
	reencrypt.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	reencrypt.Flags().BoolVar(&wait, "wait", false, "run here and wait instead of queueing for the workers")
	must(reencrypt.MarkFlagRequired("tenant"))
	reencrypt.RunE = g.withApp(func(ctx context.Context, a *app) error {
		if _, err := a.cat.Open(ctx, tenant); err != nil {
			return err
		}
		if a.cfg.RedisURL != "" && !wait {
			q, err := a.openQueue()
			if err != nil {
				return err
			}
			task, err := worker.NewReencryptTask(worker.ReencryptPayload{Tenant: tenant})
			if err != nil {
				return err
			}
			if _, err := q.Client.EnqueueContext(ctx, task); err != nil {
				return fmt.Errorf("queue re-encryption: %w", err)
			}
			fmt.Fprintf(g.stdout, "queued re-encryption of tenant %s; see: matterfile keys status --tenant %s\n", tenant, tenant)
			return nil
		}
		p := g.newProgress("re-encrypting", -1)
		rep, err := a.cat.Reencrypt(ctx, tenant, catalog.KeysSettle, func(r catalog.ReencryptReport) {
			p.set(r.Resealed + r.Verified)
		})
		p.finish()
		printReencrypt(g, tenant, rep)
		if errors.Is(err, catalog.ErrRetireLater) {
			fmt.Fprintf(g.stdout, "old keys can be retired from %s: run this again then\n", rep.RetireAt.Local().Format("15:04:05"))
			return nil
		}
		return err
	})

	status := &cobra.Command{Use: "status --tenant T", Short: "Show key generations and re-encryption progress", Args: cobra.NoArgs}
	status.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	must(status.MarkFlagRequired("tenant"))
	status.RunE = g.withTenant(&tenant, func(ctx context.Context, a *app, t *catalog.Tenant, _ []string) error {
		rep, err := a.cat.ReencryptProgress(ctx, tenant)
		if err != nil {
			return err
		}
		return writeJSON(g, map[string]any{"tenant": tenant, "keyset_generation": t.KeysetGeneration(), "reencrypt": rep})
	})
	cmd.AddCommand(rotate, reencrypt, status)
	return cmd
}

func printReencrypt(g *globals, tenant string, r catalog.ReencryptReport) {
	fmt.Fprintf(g.stdout, "tenant %s: %s; resealed %d objects (%d bytes), verified %d, changed meanwhile %d, erased client %d, failed %d, not in layout %d, keys retired %d\n",
		tenant, r.Phase, r.Resealed, r.Bytes, r.Verified, r.Changed, r.Erased, r.Failed, r.Unknown, r.Retired)
	for _, p := range r.Problem {
		fmt.Fprintf(g.stdout, "  %s\n", p)
	}
}
