package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/matterfile/matterfile/leakscan"
)

func newDoctorCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "doctor", Short: "Check an installation for problems"}
	var dir, needlesFile string
	var asJSON, lower bool
	var maxHits int
	scan := &cobra.Command{
		Use:   "leakscan --dir DIR --needles FILE [--json]",
		Short: "Search a storage directory for plaintext that must only be stored encrypted",
		Long: `Search every file under DIR, and every file and directory name, for the
needles in FILE: subjects, addresses, filenames or body excerpts of messages
that were filed. A store holds ciphertext and IDs only, so any hit is a leak.

DIR is a local store's directory or a MinIO server's data directory.
Symlinks under it are not followed. FILE holds one needle per line, UTF-8;
blank lines and lines starting with # are skipped; \xNN writes any byte and
\\ a backslash. Needles shorter than 8 bytes are refused: they would match
ciphertext by chance.

Hits name the needle by its line's index among the needles (0-based) and
its length, never its text, and paths containing a needle are masked.
Exits with status 2 when anything is found.

It reads no configuration and opens no store.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := os.Open(needlesFile)
			if err != nil {
				return err
			}
			needles, err := leakscan.LoadNeedles(f)
			f.Close()
			if err != nil {
				return err
			}
			rep, err := leakscan.Scan(cmd.Context(), dir, needles, leakscan.Options{LowerCase: lower, MaxHits: maxHits})
			if err != nil {
				return err
			}
			if asJSON {
				rep.Hits = nonNil(rep.Hits)
				err = writeJSON(g, rep)
			} else {
				_, err = fmt.Fprint(g.stdout, rep)
			}
			if err != nil {
				return err
			}
			if rep.HitCount > 0 {
				return &exitError{code: 2, err: fmt.Errorf("plaintext found: %d hits in %s", rep.HitCount, rep.Dir)}
			}
			return nil
		},
	}
	scan.Flags().StringVar(&dir, "dir", "", "directory to scan (required)")
	scan.Flags().StringVar(&needlesFile, "needles", "", "file of needles, one per line (required)")
	scan.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	scan.Flags().BoolVar(&lower, "lower", false, "also search for each needle's lower-case form")
	scan.Flags().IntVar(&maxHits, "max-hits", 1000, "list at most this many hits (all are counted); 0 lists all")
	must(scan.MarkFlagRequired("dir"))
	must(scan.MarkFlagRequired("needles"))
	cmd.AddCommand(scan)
	return cmd
}
