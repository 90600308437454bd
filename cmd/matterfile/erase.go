package main

import (
	"context"
	"errors"
	"fmt"
	"os/user"
	"sort"

	"github.com/spf13/cobra"

	"github.com/matterfile/matterfile/catalog"
)

// actor names who runs a command, for erasure and hold records.
func actor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli:unknown"
}

var errNotConfirmed = errors.New("not confirmed: add --yes to erase for good")

func newTenantsDeleteCmd(g *globals) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete TENANT --yes",
		Short: "Erase a firm for good (crypto-shredding)",
		Long: `Erase a firm: destroy its keysets and its clients', after which none of its
objects can be decrypted from any copy, backups included, then delete its
objects. Refused while any legal hold exists. The erasure record (IDs and
times only) stays in registry/erasures/TENANT. The key store's own backups keep
the keysets until they expire; erasure is complete for good then.`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "confirm: this cannot be undone")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if !yes {
			return errNotConfirmed
		}
		return g.withApp(func(ctx context.Context, a *app) error {
			p := g.newProgress("deleting objects", -1)
			e, err := a.cat.DeleteTenant(ctx, args[0], actor(), p.set)
			p.finish()
			if err != nil {
				return err
			}
			printErasure(g, e)
			return nil
		})(cmd, args)
	}
	return cmd
}

func newClientsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "clients", Short: "List and erase a firm's clients"}
	var tenant string
	var yes bool
	del := &cobra.Command{
		Use:   "delete --tenant T CLIENT --yes",
		Short: "Erase one client for good (crypto-shredding)",
		Long: `Erase one client of a firm: destroy the client's keysets, after which none of
its filed messages can be decrypted from any copy, backups included; remove
its matters from the registry; delete its objects. Refused while a legal hold
names the client or one of its matters. The client's ID cannot be used again.`,
		Args: cobra.ExactArgs(1),
	}
	del.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	del.Flags().BoolVar(&yes, "yes", false, "confirm: this cannot be undone")
	must(del.MarkFlagRequired("tenant"))
	del.RunE = func(cmd *cobra.Command, args []string) error {
		if !yes {
			return errNotConfirmed
		}
		return g.withApp(func(ctx context.Context, a *app) error {
			p := g.newProgress("deleting objects", -1)
			e, err := a.cat.DeleteClient(ctx, tenant, args[0], actor(), p.set)
			p.finish()
			if err != nil {
				return err
			}
			printErasure(g, e)
			return nil
		})(cmd, args)
	}
	var asJSON bool
	list := &cobra.Command{Use: "list --tenant T", Short: "List a firm's clients and their matters", Args: cobra.NoArgs}
	list.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	must(list.MarkFlagRequired("tenant"))
	list.RunE = g.withTenant(&tenant, func(ctx context.Context, _ *app, t *catalog.Tenant, _ []string) error {
		reg, err := t.Matters(ctx)
		if err != nil {
			return err
		}
		matters := map[string][]string{}
		for _, tg := range reg.Targets {
			matters[tg.Client] = append(matters[tg.Client], tg.ID)
		}
		clients := make([]string, 0, len(matters))
		for c := range matters {
			clients = append(clients, c)
		}
		sort.Strings(clients)
		if asJSON {
			return writeJSON(g, map[string]any{"tenant": tenant, "clients": matters})
		}
		for _, c := range clients {
			fmt.Fprintf(g.stdout, "%s\t%d matters\n", c, len(matters[c]))
		}
		return nil
	})
	cmd.AddCommand(list, del)
	return cmd
}

func newHoldsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "holds", Short: "Place, list and release legal holds"}
	var tenant, client, matter, reason string
	place := &cobra.Command{
		Use:   "place --tenant T (--client C | --matter M) [--reason R]",
		Short: "Place a legal hold: nothing of the client or matter can be erased",
		Args:  cobra.NoArgs,
	}
	place.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	place.Flags().StringVar(&client, "client", "", "client ID")
	place.Flags().StringVar(&matter, "matter", "", "matter ID")
	place.Flags().StringVar(&reason, "reason", "", "why (kept sealed)")
	must(place.MarkFlagRequired("tenant"))
	place.RunE = g.withTenant(&tenant, func(ctx context.Context, _ *app, t *catalog.Tenant, _ []string) error {
		h, err := t.PlaceHold(ctx, catalog.Hold{Client: client, Matter: matter, Reason: reason, By: actor()})
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "placed hold %s on client %s\n", h.ID, h.Client)
		return nil
	})
	list := &cobra.Command{Use: "list --tenant T", Short: "List legal holds", Args: cobra.NoArgs}
	list.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	must(list.MarkFlagRequired("tenant"))
	list.RunE = g.withTenant(&tenant, func(ctx context.Context, _ *app, t *catalog.Tenant, _ []string) error {
		hs, err := t.Holds(ctx)
		if err != nil {
			return err
		}
		return writeJSON(g, map[string]any{"tenant": tenant, "holds": nonNil(hs)})
	})
	release := &cobra.Command{Use: "release --tenant T HOLD", Short: "Release a legal hold", Args: cobra.ExactArgs(1)}
	release.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	must(release.MarkFlagRequired("tenant"))
	release.RunE = g.withTenant(&tenant, func(ctx context.Context, _ *app, t *catalog.Tenant, args []string) error {
		if err := t.ReleaseHold(ctx, args[0], actor()); err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "released hold %s\n", args[0])
		return nil
	})
	cmd.AddCommand(place, list, release)
	return cmd
}

func printErasure(g *globals, e catalog.Erasure) {
	who := "tenant " + e.Tenant
	if e.Client != "" {
		who += " client " + e.Client
	}
	fmt.Fprintf(g.stdout, "erased %s: %d keysets destroyed at %s (unreadable from then on), %d objects deleted\n",
		who, e.Keysets, e.Shredded.Format("2006-01-02 15:04:05Z"), e.Objects)
	if e.Note != "" {
		fmt.Fprintf(g.stdout, "note: %s\n", e.Note)
	}
}
