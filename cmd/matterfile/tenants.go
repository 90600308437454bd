package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
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
			t, err := a.cat.Open(ctx, args[0])
			if err != nil {
				return err
			}
			if err := t.Record(ctx, actor(), audit.ActionTenantCreate, nil, audit.OK, "created with fresh keysets"); err != nil {
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
	var prefix, filing, fileThreshold, reviewThreshold, workspaceDomain string
	var patterns, stopWords, publicDomains []string
	settings := &cobra.Command{
		Use:   "settings TENANT [flags]",
		Short: "Show or change a firm's own filing labels and filing policy",
		Long: `Show a firm's settings, or change them. The Gmail labels that ask for filing
default to MATTERFILE_MATTER_LABEL_PREFIX and MATTERFILE_FILING_LABEL; a firm
that names them otherwise sets them here. The thresholds split the classifier's
confidence: at or above --file-threshold a message is filed, below
--review-threshold a message nobody labelled is not matter-related, and in
between it goes to review. The lists replace the defaults, which the output
shows. --workspace-domain names the firm's Google Workspace domain: "Sign in
with Google" admits that Workspace's accounts only, and is refused for a firm
without one. An empty value goes back to the default. Every change is audited.`,
		Args: cobra.ExactArgs(1),
	}
	settings.Flags().StringVar(&prefix, "matter-label-prefix", "", "label prefix naming a matter, such as \"Clients/\"")
	settings.Flags().StringVar(&filing, "filing-label", "", "generic label asking for filing")
	settings.Flags().StringVar(&fileThreshold, "file-threshold", "", "confidence from which a message is filed without review, in (0,1]")
	settings.Flags().StringVar(&reviewThreshold, "review-threshold", "", "confidence below which an unlabelled message is not matter-related, in [0, file threshold)")
	settings.Flags().StringArrayVar(&patterns, "number-patterns", nil, "regular expression finding matter numbers written otherwise (repeat the flag for several)")
	settings.Flags().StringSliceVar(&stopWords, "number-stop-words", nil, "words after which a number is no matter number (comma-separated)")
	settings.Flags().StringSliceVar(&publicDomains, "public-domains", nil, "webmail domains that say nothing about a sender's client (comma-separated)")
	settings.Flags().StringVar(&workspaceDomain, "workspace-domain", "", "the firm's Google Workspace domain, such as firm.example, whose accounts may sign in with Google (empty: no Google sign-in)")
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
			f := cmd.Flags()
			if f.Changed("matter-label-prefix") {
				s.MatterLabelPrefix = strings.TrimSpace(prefix)
			}
			if f.Changed("filing-label") {
				s.FilingLabel = strings.TrimSpace(filing)
			}
			if f.Changed("file-threshold") {
				if s.FileThreshold, err = thresholdFlag("file-threshold", fileThreshold); err != nil {
					return err
				}
			}
			if f.Changed("review-threshold") {
				if s.ReviewThreshold, err = thresholdFlag("review-threshold", reviewThreshold); err != nil {
					return err
				}
			}
			if f.Changed("number-patterns") {
				s.NumberPatterns = listFlag(patterns)
			}
			if f.Changed("number-stop-words") {
				s.NumberStopWords = listFlag(stopWords)
			}
			if f.Changed("public-domains") {
				s.PublicDomains = listFlag(publicDomains)
			}
			if f.Changed("workspace-domain") {
				s.WorkspaceDomain = workspaceDomain
			}
			changed := false
			for _, name := range []string{"matter-label-prefix", "filing-label", "file-threshold", "review-threshold", "number-patterns", "number-stop-words", "public-domains", "workspace-domain"} {
				changed = changed || f.Changed(name)
			}
			if changed {
				if err := validSettings(s.Policy(a.policy)); err != nil {
					return fmt.Errorf("tenant %s settings: %w", t.ID, err)
				}
				if s, err = t.UpdateSettings(ctx, s, a.policy, actor()); err != nil {
					return err
				}
			}
			return writeJSON(g, struct {
				Tenant string `json:"tenant"`
				classify.Policy
				WorkspaceDomain string `json:"workspace_domain"`
			}{t.ID, s.Policy(a.policy), s.WorkspaceDomain})
		})(cmd, args)
	}
	cmd.AddCommand(create, list, settings, newTenantsDeleteCmd(g), newTenantsTerminateCmd(g), newTenantsReinstateCmd(g))
	return cmd
}

// thresholdFlag reads a threshold flag; empty means the default.
func thresholdFlag(name, v string) (*float64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return nil, fmt.Errorf("--%s: want a number between 0 and 1", name)
	}
	return &f, nil
}

// listFlag reads a list flag; only empty values mean the default.
func listFlag(vs []string) []string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return vs
		}
	}
	return nil
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
	cmd := &cobra.Command{Use: "matters", Short: "List, import and export a firm's matters and contracts"}
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
		Use:   "import --tenant T FILE",
		Short: "Import matters and contracts from CSV or JSON",
		Long: `Import matters and contracts. A .json file holds an array of objects (or an
object with "targets", as 'matters export --format json' writes); any other
file is CSV with a header line. Columns / keys:
  id, number, kind (matter|contract), client      required
  title, client_name, status (open|closed)
  opposing_parties   names of the other side, matched in subject and body
  participants       addresses of people outside the firm on the matter
  domains            mail domains of the matter (the client's, opposing counsel's)
  aliases, keywords  other names of the matter, words that point at it
  labels             Gmail labels mapped to it
  walled             addresses of the firm's people walled off from it
In CSV, lists are separated by ";". Targets are added or replaced by id;
nothing is changed unless every target is valid. Each change is audited.`,
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
			rc, err := importTargets(ctx, a, itenant, targets)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "imported %d targets into %s: %d added, %d updated, %d unchanged\n", len(targets), itenant, rc.Added, rc.Updated, rc.Unchanged)
			return nil
		})(cmd, args)
	}
	var etenant, format, out string
	export := &cobra.Command{
		Use:   "export --tenant T [--format csv|json] [-o FILE]",
		Short: "Export matters and contracts, in the form 'matters import' reads",
		Long: `Write every matter and contract of a firm as CSV (every column, lists joined
by ";") or JSON to FILE or standard output. The format defaults to the file's
extension (.json) or CSV. The export holds client names and participants'
addresses: it is audited, and FILE is created readable by its owner only.`,
		Args: cobra.NoArgs,
	}
	export.Flags().StringVar(&etenant, "tenant", "", "tenant ID (required)")
	export.Flags().StringVar(&format, "format", "", "csv or json (default: by FILE's extension, else csv)")
	export.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	must(export.MarkFlagRequired("tenant"))
	export.RunE = g.withTenant(&etenant, func(ctx context.Context, _ *app, t *catalog.Tenant, _ []string) error {
		isJSON := strings.EqualFold(filepath.Ext(out), ".json")
		switch {
		case format == "" && isJSON:
			format = catalog.FormatJSON
		case format == "":
			format = catalog.FormatCSV
		case format != catalog.FormatCSV && format != catalog.FormatJSON:
			return fmt.Errorf("--format: want csv or json")
		case out != "" && isJSON != (format == catalog.FormatJSON):
			// 'matters import' picks the format by the extension.
			return fmt.Errorf("--format %s into %s: 'matters import' would not read it back; name the file accordingly", format, filepath.Base(out))
		}
		// Whole or nothing: a failed export leaves no partial file.
		var buf bytes.Buffer
		n, err := t.ExportTargets(ctx, &buf, format, actor())
		if err != nil {
			return err
		}
		if out == "" {
			_, err := g.stdout.Write(buf.Bytes())
			return err
		}
		if err := writeFileAtomic(out, buf.Bytes()); err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "exported %d targets of %s to %s\n", n, t.ID, out)
		return nil
	})
	cmd.AddCommand(list, imp, export, newMattersRetentionCmd(g))
	return cmd
}

// writeFileAtomic writes data to a new file beside path, readable by its
// owner only, and renames it into place.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".matterfile-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func parseTargets(name string, f io.Reader) ([]classify.Target, error) {
	if strings.EqualFold(filepath.Ext(name), ".json") {
		return classify.ParseJSON(f)
	}
	return classify.ParseCSV(f)
}

// importTargets merges targets into tenant's registry as the person
// running the command.
func importTargets(ctx context.Context, a *app, tenant string, targets []classify.Target) (catalog.RegistryChange, error) {
	t, err := a.cat.Open(ctx, tenant)
	if err != nil {
		return catalog.RegistryChange{}, err
	}
	return t.ImportTargets(ctx, targets, actor())
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
