package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/matterfile/matterfile/audit"
)

func newAuditCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Read and verify a firm's audit log"}
	var tenant, actorFilter, since string
	var asJSON, operator bool
	list := &cobra.Command{Use: "list (--tenant T | --operator) [--since 2006-01-02] [--actor A] [--json]", Short: "List audit records", Args: cobra.NoArgs}
	list.Flags().StringVar(&tenant, "tenant", "", "tenant ID")
	list.Flags().BoolVar(&operator, "operator", false, "the operator's log: firms created, terminated, reinstated and erased, which outlives every erasure")
	list.Flags().StringVar(&since, "since", "", "only records at or after this date or RFC 3339 time")
	list.Flags().StringVar(&actorFilter, "actor", "", "only records of this actor")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	list.MarkFlagsOneRequired("tenant", "operator")
	list.MarkFlagsMutuallyExclusive("tenant", "operator")
	list.RunE = g.withApp(func(ctx context.Context, a *app) error {
		f := audit.Filter{Actor: actorFilter}
		if since != "" {
			var err error
			if f.Since, err = time.Parse(time.RFC3339, since); err != nil {
				if f.Since, err = time.Parse(time.DateOnly, since); err != nil {
					return fmt.Errorf("--since: want a date (2006-01-02) or an RFC 3339 time")
				}
			}
		}
		log, err := auditLogOf(ctx, a, tenant, operator)
		if err != nil {
			return err
		}
		var recs []audit.Record
		if err := log.List(ctx, f, func(r audit.Record) error {
			recs = append(recs, r)
			return nil
		}); err != nil {
			return err
		}
		if asJSON {
			return writeJSON(g, map[string]any{"tenant": log.Tenant(), "records": nonNil(recs)})
		}
		w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "SEQ\tTIME\tACTOR\tACTION\tOUTCOME\tOBJECTS\tDETAIL")
		for _, r := range recs {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%v\t%s\n", r.Seq, r.Time.Format(time.RFC3339), r.Actor, r.Action, r.Outcome, r.Objects, r.Detail)
		}
		return w.Flush()
	})
	verify := &cobra.Command{
		Use:   "verify (--tenant T | --operator)",
		Short: "Check the audit chain and its signed checkpoints",
		Long: `Walk the tenant's audit chain and its signed checkpoints. A deleted, altered,
inserted or reordered record, a cut-off tail or a forged checkpoint is named by
its sequence; the exit status is non-zero then. For a tenant that was erased,
the checkpoints published outside it are verified instead. --operator verifies
the operator's log, which records every firm's creation, termination and
erasure and outlives them.`,
		Args: cobra.NoArgs,
	}
	verify.Flags().StringVar(&tenant, "tenant", "", "tenant ID")
	verify.Flags().BoolVar(&operator, "operator", false, "verify the operator's log")
	verify.MarkFlagsOneRequired("tenant", "operator")
	verify.MarkFlagsMutuallyExclusive("tenant", "operator")
	verify.RunE = g.withApp(func(ctx context.Context, a *app) error {
		if _, err := a.cat.TenantErasure(ctx, tenant); err == nil && !operator {
			cp, err := audit.VerifyPublished(ctx, a.store, tenant)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "tenant %s was erased; its published checkpoint at sequence %d verifies (hash %s)\n", tenant, cp.Seq, cp.Hash)
			return nil
		}
		log, err := auditLogOf(ctx, a, tenant, operator)
		if err != nil {
			return err
		}
		rep, err := log.Verify(ctx)
		var ae *audit.Error
		if errors.As(err, &ae) {
			return fmt.Errorf("audit log of tenant %s is not intact: %w", log.Tenant(), err)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "audit log of tenant %s intact: %d records, %d checkpoints verified (latest at %d), head %s\n",
			log.Tenant(), rep.Verified, rep.Checkpoints, rep.LatestCheckpoint, rep.HeadHash)
		for _, k := range rep.Foreign {
			fmt.Fprintf(g.stdout, "  not written by matterfile: %s\n", k)
		}
		return nil
	})
	cmd.AddCommand(list, verify)
	return cmd
}

// auditLogOf is tenant's audit log, or with operator the operator's.
func auditLogOf(ctx context.Context, a *app, tenant string, operator bool) (*audit.Log, error) {
	if operator {
		return a.cat.OperatorLog(ctx)
	}
	t, err := a.cat.Open(ctx, tenant)
	if err != nil {
		return nil, err
	}
	return t.Audit(), nil
}
