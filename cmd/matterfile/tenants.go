package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/worker"
)

func newTenantsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "tenants", Short: "Create and list firms (tenants)"}
	create := &cobra.Command{
		Use:   "create TENANT",
		Short: "Create a firm with fresh encryption keys",
		Long:  "Create a firm. TENANT is its ID: 1 to 64 characters of a-z, 0-9 and -.",
		Args:  cobra.ExactArgs(1),
	}
	create.RunE = func(cmd *cobra.Command, args []string) error {
		return g.withApp(func(ctx context.Context, a *app) error {
			if err := a.cat.CreateTenant(ctx, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "created tenant %s\n", args[0])
			return nil
		})(cmd, args)
	}
	var asJSON bool
	list := &cobra.Command{Use: "list", Short: "List firms", Args: cobra.NoArgs}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	list.RunE = g.withApp(func(ctx context.Context, a *app) error {
		ts, err := a.cat.Tenants(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(g, map[string]any{"tenants": nonNil(ts)})
		}
		for _, t := range ts {
			fmt.Fprintln(g.stdout, t)
		}
		return nil
	})
	var prefix, filing string
	settings := &cobra.Command{
		Use:   "settings TENANT [--matter-label-prefix P] [--filing-label L]",
		Short: "Show or change a firm's own filing labels",
		Long: `Show a firm's settings, or change them. The Gmail labels that ask for filing
default to MATTERFILE_MATTER_LABEL_PREFIX and MATTERFILE_FILING_LABEL; a firm
that names them otherwise sets them here. An empty value goes back to the
default.`,
		Args: cobra.ExactArgs(1),
	}
	settings.Flags().StringVar(&prefix, "matter-label-prefix", "", "label prefix naming a matter, such as \"Clients/\"")
	settings.Flags().StringVar(&filing, "filing-label", "", "generic label asking for filing")
	settings.RunE = func(cmd *cobra.Command, args []string) error {
		return g.withApp(func(ctx context.Context, a *app) error {
			t, err := a.cat.Open(ctx, args[0])
			if err != nil {
				return err
			}
			s, err := t.Settings(ctx)
			if err != nil {
				return err
			}
			changed := false
			if cmd.Flags().Changed("matter-label-prefix") {
				s.MatterLabelPrefix, changed = strings.TrimSpace(prefix), true
			}
			if cmd.Flags().Changed("filing-label") {
				s.FilingLabel, changed = strings.TrimSpace(filing), true
			}
			if changed {
				if err := validSettings(s.Policy(a.policy)); err != nil {
					return err
				}
				if err := t.SaveSettings(ctx, s); err != nil {
					return err
				}
			}
			p := s.Policy(a.policy)
			return writeJSON(g, map[string]string{"tenant": t.ID, "matter_label_prefix": p.MatterLabelPrefix, "filing_label": p.FilingLabel})
		})(cmd, args)
	}
	cmd.AddCommand(create, list, settings, newTenantsDeleteCmd(g))
	return cmd
}

// validSettings refuses filing labels that would match matterfile's own
// write-back labels: filing would then feed on itself.
func validSettings(p classify.Policy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	for _, own := range []string{worker.DefaultFiledLabelPrefix + "x", worker.DefaultReviewLabel} {
		if p.IsFilingLabel(own) {
			return fmt.Errorf("the filing labels would match matterfile's own label %q", own)
		}
	}
	return nil
}

func newMattersCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "matters", Short: "List and import a firm's matters and contracts"}
	var tenant string
	var asJSON bool
	list := &cobra.Command{Use: "list", Short: "List matters and contracts", Args: cobra.NoArgs}
	list.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	must(list.MarkFlagRequired("tenant"))
	list.RunE = g.withApp(func(ctx context.Context, a *app) error {
		t, err := a.cat.Open(ctx, tenant)
		if err != nil {
			return err
		}
		reg, err := t.Matters(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(g, map[string]any{"targets": nonNil(reg.Targets)})
		}
		w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNUMBER\tKIND\tCLIENT\tSTATUS\tTITLE")
		for _, m := range reg.Targets {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.Number, m.Kind, m.Client, m.Status, m.Title)
		}
		return w.Flush()
	})
	var itenant string
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Import matters and contracts from CSV or JSON",
		Long: `Import matters and contracts. A .json file holds an array of objects; any
other file is CSV with a header line. Columns / keys:
  id, number, title, kind (matter|contract), client, client_name, status (open|closed),
  participants, aliases, labels   (in CSV, lists are separated by ";")
Targets are added or replaced by id.`,
		Args: cobra.ExactArgs(1),
	}
	imp.Flags().StringVar(&itenant, "tenant", "", "tenant ID (required)")
	must(imp.MarkFlagRequired("tenant"))
	imp.RunE = func(cmd *cobra.Command, args []string) error {
		return g.withApp(func(ctx context.Context, a *app) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			targets, err := parseTargets(args[0], f)
			if err != nil {
				return fmt.Errorf("%s: %w", filepath.Base(args[0]), err)
			}
			added, updated, err := importTargets(ctx, a, itenant, targets)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "imported %d targets into %s: %d added, %d updated\n", len(targets), itenant, added, updated)
			return nil
		})(cmd, args)
	}
	cmd.AddCommand(list, imp)
	return cmd
}

func parseTargets(name string, f interface{ Read([]byte) (int, error) }) ([]classify.Target, error) {
	if strings.EqualFold(filepath.Ext(name), ".json") {
		return classify.ParseJSON(f)
	}
	return classify.ParseCSV(f)
}

func importTargets(ctx context.Context, a *app, tenant string, targets []classify.Target) (added, updated int, err error) {
	t, err := a.cat.Open(ctx, tenant)
	if err != nil {
		return 0, 0, err
	}
	reg, err := t.Matters(ctx)
	if err != nil {
		return 0, 0, err
	}
	if added, updated, err = reg.Merge(targets); err != nil {
		return 0, 0, err
	}
	return added, updated, t.SaveMatters(ctx, reg)
}

func writeJSON(g *globals, v any) error {
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
