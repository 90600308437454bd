package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/config"
	"github.com/matterfile/matterfile/worker"
)

// newTenantsTerminateCmd marks a firm terminated; the retention sweep
// shreds it when its period has passed.
func newTenantsTerminateCmd(g *globals) *cobra.Command {
	var after string
	cmd := &cobra.Command{
		Use:   "terminate TENANT [--after PERIOD]",
		Short: "Mark a firm's engagement ended: its data is crypto-shredded after the retention period",
		Long: `Mark a firm terminated. Once the period has passed (--after, default
MATTERFILE_TERMINATION_PERIOD, 90 days), the retention sweep, which every worker
queues on the reconcile schedule, crypto-shreds the firm as 'tenants delete'
does, unless a legal hold stands; a refusal is audited once a day. Until then
'tenants reinstate' withdraws it. Every step is recorded in the firm's audit
log and in the operator's ('audit list --operator'), which outlives the firm.`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&after, "after", "", "retention period, such as 90d, 12w, 1y or 36h (default MATTERFILE_TERMINATION_PERIOD)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return g.withApp(func(ctx context.Context, a *app) error {
			period := a.cfg.TerminationPeriod
			if after != "" {
				var err error
				if period, err = config.ParsePeriod(after); err != nil || period < 0 {
					return fmt.Errorf("--after: want a period such as 90d, 12w, 1y or 36h")
				}
			}
			tm, err := a.cat.TerminateTenant(ctx, args[0], actor(), period, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "tenant %s terminated; the retention sweep crypto-shreds it after %s unless a legal hold stands; 'matterfile tenants reinstate %s' withdraws this\n",
				tm.Tenant, tm.ShredAt.Format(time.RFC3339), tm.Tenant)
			return nil
		})(cmd, args)
	}
	return cmd
}

func newTenantsReinstateCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "reinstate TENANT", Short: "Withdraw a firm's termination before it is shredded", Args: cobra.ExactArgs(1)}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return g.withApp(func(ctx context.Context, a *app) error {
			if err := a.cat.ReinstateTenant(ctx, args[0], actor()); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "tenant %s reinstated; nothing will be shredded\n", args[0])
			return nil
		})(cmd, args)
	}
	return cmd
}

// newMattersRetentionCmd gives a closed matter its retention period.
func newMattersRetentionCmd(g *globals) *cobra.Command {
	var tenant, period, from string
	var clear bool
	cmd := &cobra.Command{
		Use:   "retention --tenant T MATTER (--period PERIOD [--from DATE] | --clear)",
		Short: "Set how long a closed matter's messages are kept",
		Long: `Give a closed matter a retention period. When it has passed (counted from
now, or from --from, the date the matter was closed), the retention sweep deletes
the matter's filed messages, unless a legal hold covers the matter or its client.
The matter itself stays in the registry, closed, and its audit history stays.
--clear removes the period. Audited.`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	cmd.Flags().StringVar(&period, "period", "", "retention period, such as 7y, 90d or 12w")
	cmd.Flags().StringVar(&from, "from", "", "date the period runs from (2006-01-02); default now")
	cmd.Flags().BoolVar(&clear, "clear", false, "remove the matter's retention period")
	must(cmd.MarkFlagRequired("tenant"))
	cmd.MarkFlagsOneRequired("period", "clear")
	cmd.MarkFlagsMutuallyExclusive("period", "clear")
	cmd.RunE = g.withTenant(&tenant, func(ctx context.Context, _ *app, t *catalog.Tenant, args []string) error {
		var d time.Duration
		if !clear {
			var err error
			if d, err = config.ParsePeriod(period); err != nil || d <= 0 {
				return fmt.Errorf("--period: want a positive period such as 7y, 90d or 12w")
			}
		}
		var start time.Time
		if from != "" {
			var err error
			if start, err = time.Parse(time.DateOnly, from); err != nil {
				return fmt.Errorf("--from: want a date such as 2006-01-02")
			}
		}
		r, err := t.SetMatterRetention(ctx, args[0], d, start, actor())
		if err != nil {
			return err
		}
		if clear {
			fmt.Fprintf(g.stdout, "matter %s: retention removed\n", args[0])
			return nil
		}
		fmt.Fprintf(g.stdout, "matter %s: messages kept until %s, then deleted unless held\n", args[0], r.Due().Format(time.RFC3339))
		return nil
	})
	return cmd
}

// newRetentionCmd shows what retention will do and runs the sweep now.
func newRetentionCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "retention", Short: "Show and run the retention of terminated firms and closed matters"}
	var asJSON bool
	list := &cobra.Command{Use: "list [--json]", Short: "List terminated firms and matters with a retention period", Args: cobra.NoArgs}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	list.RunE = g.withApp(func(ctx context.Context, a *app) error {
		tms, err := a.cat.Terminations(ctx)
		if err != nil {
			return err
		}
		tenants, err := a.cat.Tenants(ctx)
		if err != nil {
			return err
		}
		type matterRow struct {
			Tenant string `json:"tenant"`
			catalog.MatterRetention
			Due time.Time `json:"due"`
		}
		var matters []matterRow
		for _, id := range tenants {
			t, err := a.cat.Open(ctx, id)
			if err != nil {
				return err
			}
			rs, err := t.MatterRetentions(ctx)
			if err != nil {
				return err
			}
			for _, r := range rs {
				matters = append(matters, matterRow{Tenant: id, MatterRetention: r, Due: r.Due()})
			}
		}
		if asJSON {
			return writeJSON(g, map[string]any{"terminations": nonNil(tms), "matters": nonNil(matters)})
		}
		w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "TENANT\tMATTER\tSINCE\tDUE\tSTATE")
		for _, tm := range tms {
			fmt.Fprintf(w, "%s\t-\t%s\t%s\tterminated\n", tm.Tenant, tm.Terminated.Format(time.DateOnly), tm.ShredAt.Format(time.RFC3339))
		}
		for _, m := range matters {
			state := "waiting"
			if !m.Purged.IsZero() {
				state = fmt.Sprintf("deleted %s (%d messages)", m.Purged.Format(time.DateOnly), m.Deleted)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", m.Tenant, m.Matter, m.Start.Format(time.DateOnly), m.Due.Format(time.RFC3339), state)
		}
		return w.Flush()
	})
	sweep := &cobra.Command{
		Use:   "sweep [--json]",
		Short: "Run the retention sweep now (workers also run it on the reconcile schedule)",
		Args:  cobra.NoArgs,
	}
	sweep.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	sweep.RunE = g.withApp(func(ctx context.Context, a *app) error {
		rep, err := a.cat.SweepRetention(ctx, time.Now(), worker.RetentionActor)
		if asJSON {
			if jerr := writeJSON(g, rep); jerr != nil {
				return jerr
			}
		} else {
			fmt.Fprintf(g.stdout, "retention sweep: %d firms shredded %v, %d held %v, %d not due; %d matters purged %v (%d messages), %d held %v\n",
				len(rep.TenantsShredded), rep.TenantsShredded, len(rep.TenantsHeld), rep.TenantsHeld, rep.TenantsPending,
				len(rep.MattersPurged), rep.MattersPurged, rep.MessagesDeleted, len(rep.MattersHeld), rep.MattersHeld)
		}
		return err
	})
	cmd.AddCommand(list, sweep)
	return cmd
}
