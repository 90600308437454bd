package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

func newKeysCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Manage a firm's encryption keys"}
	var tenant string
	rotate := &cobra.Command{
		Use:   "rotate --tenant T",
		Short: "Give a firm new primary keys",
		Long: `Add a new primary key to the firm's keysets. New objects are sealed with it;
objects sealed before keep opening with the old keys, which stay in the
keyset. Workers pick the new keys up within a minute. The keys that derive
message and mailbox IDs are not rotated, so IDs do not change.

Re-encrypting old objects and retiring old keys are not built yet.`,
		Args: cobra.NoArgs,
	}
	rotate.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	must(rotate.MarkFlagRequired("tenant"))
	rotate.RunE = g.withApp(func(ctx context.Context, a *app) error {
		gen, err := a.cat.RotateKeys(ctx, tenant)
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "tenant %s now seals with keyset generation %d\n", tenant, gen)
		return nil
	})
	cmd.AddCommand(rotate)
	return cmd
}
