package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"path"
	"time"

	"github.com/spf13/cobra"

	"github.com/matterfile/matterfile"
	"github.com/matterfile/matterfile/classify"
)

// demoTenant is the firm the demo creates.
const demoTenant = "demo"

func newDemoCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "File the built-in demo mailboxes end to end, on this machine",
		Long: `Create the demo firm ("demo") with its matters and contracts, and file every
message of the three built-in demo mailboxes (Google Takeout exports) through
the whole pipeline: queue, parse, classify, encrypt, store. Then print what was
filed where, and where the encrypted data lies.

Nothing needs to be configured: the data goes to ./matterfile-data (or --data,
or MATTERFILE_DATA_DIR). Running it again files nothing twice.`,
		Args: cobra.NoArgs,
		RunE: g.withApp(func(ctx context.Context, a *app) error {
			start := time.Now()
			demo := matterfile.DemoData()
			if _, err := a.cat.EnsureTenant(ctx, demoTenant); err != nil {
				return err
			}
			csv, err := demo.Open("testdata/matters.csv")
			if err != nil {
				return err
			}
			targets, err := classify.ParseCSV(csv)
			csv.Close()
			if err != nil {
				return fmt.Errorf("demo matters: %w", err)
			}
			if _, err := importTargets(ctx, a, demoTenant, targets); err != nil {
				return err
			}
			q, err := a.openQueue()
			if err != nil {
				return err
			}
			stop, err := a.startWorker(ctx, q)
			if err != nil {
				return err
			}
			defer stop()
			files, err := fs.Glob(demo, "testdata/mbox/*.mbox")
			if err != nil {
				return err
			}
			sum := &summary{Tenant: demoTenant, Filed: map[string]int{}, Where: a.where, RootKey: a.cfg.KeyFile()}
			for _, name := range files {
				data, err := fs.ReadFile(demo, name)
				if err != nil {
					return err
				}
				res, err := a.importMbox(ctx, q, demoTenant, path.Base(name), bytes.NewReader(data), demoMailbox(name), false)
				if err != nil {
					return err
				}
				if _, err := a.wait(ctx, q, res.Tasks); err != nil {
					return err
				}
				sum.Read += res.Read
				sum.Skipped += res.Skipped
				sum.AlreadyFiled += res.AlreadyFiled
				sum.Queued += res.Queued
			}
			if err := sum.totals(ctx, a, demoTenant); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "matterfile demo: %d mailboxes, %d matters and contracts, %.1fs\n\n", len(files), len(targets), time.Since(start).Seconds())
			sum.print(g.stdout)
			fmt.Fprintf(g.stdout, "\nNext: matterfile messages list --tenant %s --data %s\n", demoTenant, a.cfg.DataDir)
			if sum.Failed > 0 {
				return &exitError{code: 2, err: errFailed}
			}
			return nil
		}),
	}
}

// demoMailbox is the address of the lawyer whose export name is given.
func demoMailbox(name string) string {
	base := path.Base(name)
	return base[:len(base)-len(path.Ext(base))] + "@harperlegal.example"
}
