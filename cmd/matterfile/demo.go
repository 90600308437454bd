package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"time"

	"github.com/spf13/cobra"

	"github.com/matterfile/matterfile"
	"github.com/matterfile/matterfile/admin"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
)

// demoTenant is the firm the demo creates.
const demoTenant = "demo"

func newDemoCmd(g *globals) *cobra.Command {
	var serve bool
	var listen string
	cmd := &cobra.Command{
		Use:   "demo [--serve [--listen ADDR]]",
		Short: "File the built-in demo mailboxes end to end, on this machine",
		Long: `Create the demo firm ("demo") with its matters and contracts, and file every
message of the three built-in demo mailboxes (Google Takeout exports) through
the whole pipeline: queue, parse, classify, encrypt, store. Then print what was
filed where, and where the encrypted data lies.

Nothing needs to be configured: the data goes to ./matterfile-data (or --data,
or MATTERFILE_DATA_DIR). Running it again files nothing twice.

The first run also creates the demo firm's admin account for the admin web,
` + demoAdmin + `, and prints its one-time password (or sets the password in
MATTERFILE_DEMO_ADMIN_PASSWORD). With --serve, the admin web is then served on
MATTERFILE_LISTEN (or --listen, a loopback address: the demo serves plain http)
until interrupted, with the worker still running.`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().BoolVar(&serve, "serve", false, "serve the admin web after filing, until interrupted")
	cmd.Flags().StringVar(&listen, "listen", "", "address of the admin web with --serve (default MATTERFILE_LISTEN); loopback only")
	cmd.RunE = g.withApp(func(ctx context.Context, a *app) error {
		start := time.Now()
		if listen == "" {
			listen = a.cfg.Listen
		}
		if serve && !loopbackAddr(listen) {
			return errors.New("--listen: the demo serves plain http, on a loopback address only (such as 127.0.0.1:8080)")
		}
		demo := matterfile.DemoData()
		if _, err := a.cat.EnsureTenant(ctx, demoTenant); err != nil {
			return err
		}
		adminPassword, err := a.ensureDemoAdmin(ctx)
		if err != nil {
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
		fmt.Fprintf(g.stdout, "\nAdmin web: firm %s, %s", demoTenant, demoAdmin)
		switch adminPassword {
		case "":
			fmt.Fprintf(g.stdout, " (made by an earlier run; matterfile users password --tenant %s %s sets a new password)\n", demoTenant, demoAdmin)
		case demoPasswordFromEnv:
			fmt.Fprintln(g.stdout, ", password from MATTERFILE_DEMO_ADMIN_PASSWORD")
		default:
			fmt.Fprintf(g.stdout, ", one-time password %s\n", adminPassword)
		}
		var failed error
		if sum.Failed > 0 {
			failed = &exitError{code: 2, err: errFailed}
		}
		if !serve {
			fmt.Fprintf(g.stdout, "\nNext: matterfile messages list --tenant %s --data %s\n", demoTenant, a.cfg.DataDir)
			fmt.Fprintln(g.stdout, "      matterfile demo --serve   (the admin web on http://"+listen+")")
			return failed
		}
		mux, ops, err := a.serveHandler(q, nil, webOptions{InsecureCookies: true, DefaultTenant: demoTenant})
		if err != nil {
			return err
		}
		poller, err := a.poller(q)
		if err != nil {
			return err
		}
		go poller.Run(ctx)
		fmt.Fprintf(g.stdout, "\nServing the admin web on http://%s until interrupted\n", listen)
		if err := a.listenAndServe(ctx, "matterfile demo", listen, mux, ops); err != nil {
			return err
		}
		return failed
	})
	return cmd
}

// demoAdmin is the address of the demo firm's admin account.
const demoAdmin = "admin@harperlegal.example"

// demoPasswordFromEnv is what ensureDemoAdmin returns when the password
// came from MATTERFILE_DEMO_ADMIN_PASSWORD, which is never printed.
const demoPasswordFromEnv = "\x00env"

// ensureDemoAdmin creates the demo firm's admin account unless it exists
// (a second demo adds nothing), with the password in
// MATTERFILE_DEMO_ADMIN_PASSWORD or a one-time password, which it returns;
// "" if the account existed.
func (a *app) ensureDemoAdmin(ctx context.Context) (string, error) {
	t, err := a.cat.Open(ctx, demoTenant)
	if err != nil {
		return "", err
	}
	if _, err := t.UserByEmail(ctx, demoAdmin); err == nil {
		return "", nil
	} else if !errors.Is(err, catalog.ErrNoUser) {
		return "", err
	}
	password, shown, oneTime := a.g.getenv("MATTERFILE_DEMO_ADMIN_PASSWORD"), demoPasswordFromEnv, false
	if password == "" {
		password = admin.NewOneTimePassword()
		shown, oneTime = password, true
	} else if err := admin.CheckNewPassword(password); err != nil {
		return "", fmt.Errorf("MATTERFILE_DEMO_ADMIN_PASSWORD: %w", err)
	}
	hash, err := admin.HashPassword(password)
	if err != nil {
		return "", err
	}
	_, err = t.CreateUser(ctx, catalog.User{Email: demoAdmin, Name: "Demo Admin", Role: catalog.RoleAdmin, PasswordHash: hash, MustChangePassword: oneTime}, "system:demo")
	if err != nil {
		return "", err
	}
	return shown, nil
}

// demoMailbox is the address of the lawyer whose export name is given.
func demoMailbox(name string) string {
	base := path.Base(name)
	return base[:len(base)-len(path.Ext(base))] + "@harperlegal.example"
}
