package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/matterfile/matterfile/config"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func newRootCmd(getenv func(string) string, stdout, stderr io.Writer) *cobra.Command {
	g := &globals{getenv: getenv, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "matterfile",
		Short: "File a law firm's email into its matters, encrypted with the firm's own keys",
		Long: `matterfile files a law firm's email into its matters and contracts.

Lawyers label messages in Gmail (a label under "Matters/", or "File to matter");
matterfile reads them, decides the matter with reasons, encrypts every byte with
the firm's keys and stores it in the firm's own space.

Start with:
  matterfile demo                      file the built-in demo mailboxes
  matterfile tenants create acme       create a firm
  matterfile matters import --tenant acme matters.csv
  matterfile import --tenant acme --mailbox ann@acme.example --mbox Takeout.mbox --wait
  matterfile mailboxes connect --tenant acme --email ann@acme.example
  matterfile sync --tenant acme --mailbox ann@acme.example --wait
  matterfile worker                    keep filing: queued work, and every mailbox polled
  matterfile messages list --tenant acme
  matterfile review list --tenant acme     decide what the classifier was unsure about

With nothing configured, everything runs on this machine: data and root key in
./matterfile-data, work queued in an in-process Redis-compatible server.
` + settingsHelp(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&g.dataDir, "data", "", "data directory (overrides MATTERFILE_DATA_DIR)")
	root.PersistentFlags().StringVar(&g.logFormat, "log-format", "", "log format: text or json (default MATTERFILE_LOG_FORMAT, else text)")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "log each task")
	root.AddCommand(
		newDemoCmd(g), newImportCmd(g), newTenantsCmd(g), newMattersCmd(g),
		newMessagesCmd(g), newWorkerCmd(g), newVersionCmd(g),
		newMailboxesCmd(g), newSyncCmd(g), newServeCmd(g), newKeysCmd(g), newDoctorCmd(g),
		newClientsCmd(g), newHoldsCmd(g), newAuditCmd(g), newReviewCmd(g), newWebhooksCmd(g), newExportCmd(g),
		newBenchCmd(g),
		newReconcileCmd(g), newRetentionCmd(g),
		newUsersCmd(g),
	)
	return root
}

func settingsHelp() string {
	var b strings.Builder
	b.WriteString("\nSettings (environment):\n")
	for _, s := range config.Settings() {
		fmt.Fprintf(&b, "  %-32s %s (default %s)\n", s.Env, s.Help, orNone(s.Default))
	}
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func newVersionCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			v := version
			if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			fmt.Fprintf(g.stdout, "matterfile %s\n", v)
			return nil
		},
	}
}
