package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/export"
)

func newExportCmd(g *globals) *cobra.Command {
	var tenant, matter, address, out string
	cmd := &cobra.Command{
		Use:   "export --tenant T (--matter M | --address A) --out FILE.zip",
		Short: "Export a matter's messages, or a person's (subject access), as a signed archive",
		Long: `Write every message filed to matter M (or every stored message from, to or
copied to address A: a data subject's access request) into FILE.zip: each
message as .eml with the exact bytes ingested, its attachments decoded, an
index (index.csv, index.json: date, from, to, subject, Gmail ids, custodians,
SHA-256) and a MANIFEST of every file's SHA-256 signed with the firm's export
key. 'matterfile export verify FILE.zip' checks it. The export streams; the
file appears only once complete. Every export is in the audit log.`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	cmd.Flags().StringVar(&matter, "matter", "", "matter or contract ID")
	cmd.Flags().StringVar(&address, "address", "", "an e-mail address: every message from, to or copied to it")
	cmd.Flags().StringVarP(&out, "out", "o", "", "the zip file to write (required)")
	must(cmd.MarkFlagRequired("tenant"))
	must(cmd.MarkFlagRequired("out"))
	cmd.MarkFlagsMutuallyExclusive("matter", "address")
	cmd.MarkFlagsOneRequired("matter", "address")
	cmd.RunE = g.withApp(func(ctx context.Context, a *app) error {
		t, err := a.cat.Open(ctx, tenant)
		if err != nil {
			return err
		}
		if _, err := os.Stat(out); err == nil {
			return fmt.Errorf("--out: %s exists; an export never replaces a file", out)
		}
		// Written beside its destination and renamed when complete: a
		// crash or an integrity failure leaves no partial export.
		tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.part")
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		defer os.Remove(tmp.Name())
		p := g.newProgress("export", 0)
		progress := func(done, total int) {
			if p.total != total {
				p.total = total
				if p.bar != nil {
					p.bar.ChangeMax(total)
				}
			}
			p.set(done)
		}
		var sum catalog.ExportSummary
		if matter != "" {
			sum, err = t.ExportMatter(ctx, tmp, matter, actor(), progress)
		} else {
			sum, err = t.ExportAddress(ctx, tmp, address, actor(), progress)
		}
		p.finish()
		if err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		if err := os.Chmod(tmp.Name(), 0o600); err != nil {
			return err
		}
		if err := os.Link(tmp.Name(), out); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		fmt.Fprintf(g.stdout, "exported %d messages and %d attachments (%d bytes of messages) to %s\nverify with: matterfile export verify %s --key '%s'\n",
			sum.Messages, sum.Attachments, sum.Bytes, out, out, sum.VerifierKey)
		return nil
	})

	var vtenant, vkey string
	verify := &cobra.Command{
		Use:   "verify FILE.zip (--key VERIFIER-KEY | --tenant T)",
		Short: "Check an export's signature and every byte of it",
		Long: `Check that FILE.zip is an export signed by the firm's export key and that no
byte of it was changed, added or removed. The key is given with --key (the
firm hands it to the recipient; 'export' prints it) or read, with --tenant,
from where matterfile publishes it.`,
		Args: cobra.ExactArgs(1),
	}
	verify.Flags().StringVar(&vkey, "key", "", "the firm's export verifier key")
	verify.Flags().StringVar(&vtenant, "tenant", "", "read the verifier key published for this tenant")
	verify.MarkFlagsMutuallyExclusive("key", "tenant")
	verify.MarkFlagsOneRequired("key", "tenant")
	verify.RunE = func(cmd *cobra.Command, args []string) error {
		check := func(key string) error {
			v, err := note.NewVerifier(strings.TrimSpace(key))
			if err != nil {
				return fmt.Errorf("--key: not a verifier key: %w", err)
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				return err
			}
			res, err := export.Verify(f, fi.Size(), note.VerifierList(v))
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "%s: verified: %d files, signed by %s (%s)\n", args[0], res.Files, res.Signer, res.Title)
			return nil
		}
		if vkey != "" {
			return check(vkey)
		}
		return g.withApp(func(ctx context.Context, a *app) error {
			key, err := catalog.ExportVerifier(ctx, a.store, vtenant)
			if err != nil {
				return err
			}
			return check(key)
		})(cmd, args)
	}
	cmd.AddCommand(verify)
	return cmd
}
