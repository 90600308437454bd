package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/matterfile/matterfile/catalog"
)

func newWebhooksCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "webhooks",
		Short: "Send a firm a signed event for every filing",
		Long: `With a webhook set, every filing event is POSTed as JSON (IDs only: event,
type, tenant, message, state, target, time; never a subject or address) to the
firm's URL, signed with its secret:

  Matterfile-Event-Id:  the event ID (delivery is at least once: dedupe on it)
  Matterfile-Timestamp: unix seconds
  Matterfile-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>

Receivers verify with package github.com/matterfile/matterfile/webhook (Verify),
rejecting requests older than five minutes. A 2xx answer delivers the event;
408, 429, 5xx and no answer are retried with exponential backoff (30 s to an
hour, 12 retries, about five hours); any other answer, and the last failed
retry, dead-letter the event: 'webhooks failed' lists them, 'webhooks
redeliver' sends one again. Redirects are not followed.

The URL must be https; plain http is accepted only to this machine's loopback
(127.0.0.1, ::1, localhost), for tests and local development. The secret is
read from a file (at least 32 bytes; a trailing newline is dropped), sealed
with the firm's keys like a mailbox token, and never printed or logged.
Changes are audited as settings.update.`,
	}
	var setTenant, url, secretFile string
	set := &cobra.Command{Use: "set --tenant T --url URL --secret-file F", Short: "Set the firm's webhook URL and signing secret", Args: cobra.NoArgs}
	set.Flags().StringVar(&setTenant, "tenant", "", "tenant ID (required)")
	set.Flags().StringVar(&url, "url", "", "https URL receiving the events (required)")
	set.Flags().StringVar(&secretFile, "secret-file", "", "file holding the signing secret (required)")
	for _, f := range []string{"tenant", "url", "secret-file"} {
		must(set.MarkFlagRequired(f))
	}
	set.RunE = g.withTenant(&setTenant, func(ctx context.Context, _ *app, t *catalog.Tenant, _ []string) error {
		// Checked before the secret is read, so a wrong URL costs nothing.
		if err := catalog.ValidateWebhookURL(url); err != nil {
			return fmt.Errorf("--url: %w", err)
		}
		secret, err := os.ReadFile(secretFile)
		if err != nil {
			return fmt.Errorf("--secret-file: %w", err)
		}
		secret = []byte(strings.TrimRight(string(secret), "\r\n"))
		if err := t.SetWebhook(ctx, catalog.Webhook{URL: url, Secret: secret}, actor()); err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "webhook of %s set\n", t.ID)
		return nil
	})

	var showTenant string
	var showJSON bool
	show := &cobra.Command{Use: "show --tenant T [--json]", Short: "Show the firm's webhook URL and whether a secret is set", Args: cobra.NoArgs}
	show.Flags().StringVar(&showTenant, "tenant", "", "tenant ID (required)")
	show.Flags().BoolVar(&showJSON, "json", false, "print JSON")
	must(show.MarkFlagRequired("tenant"))
	show.RunE = g.withTenant(&showTenant, func(ctx context.Context, _ *app, t *catalog.Tenant, _ []string) error {
		w, err := t.Webhook(ctx)
		if err != nil && !errors.Is(err, catalog.ErrNoWebhook) {
			return err
		}
		v := struct {
			Tenant    string `json:"tenant"`
			URL       string `json:"url"`
			SecretSet bool   `json:"secret_set"`
		}{t.ID, w.URL, len(w.Secret) > 0}
		if showJSON {
			return writeJSON(g, v)
		}
		if v.URL == "" {
			fmt.Fprintf(g.stdout, "tenant %s has no webhook\n", t.ID)
			return nil
		}
		fmt.Fprintf(g.stdout, "url:    %s\nsecret: %s\n", v.URL, map[bool]string{true: "set", false: "not set"}[v.SecretSet])
		return nil
	})

	var clearTenant string
	clearCmd := &cobra.Command{Use: "clear --tenant T", Short: "Remove the firm's webhook; events are still recorded", Args: cobra.NoArgs}
	clearCmd.Flags().StringVar(&clearTenant, "tenant", "", "tenant ID (required)")
	must(clearCmd.MarkFlagRequired("tenant"))
	clearCmd.RunE = g.withTenant(&clearTenant, func(ctx context.Context, _ *app, t *catalog.Tenant, _ []string) error {
		if err := t.ClearWebhook(ctx, actor()); err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "webhook of %s cleared\n", t.ID)
		return nil
	})

	var failedTenant string
	var failedJSON bool
	failed := &cobra.Command{Use: "failed --tenant T [--json]", Short: "List events the webhook never accepted (dead letters)", Args: cobra.NoArgs}
	failed.Flags().StringVar(&failedTenant, "tenant", "", "tenant ID (required)")
	failed.Flags().BoolVar(&failedJSON, "json", false, "print JSON")
	must(failed.MarkFlagRequired("tenant"))
	failed.RunE = g.withTenant(&failedTenant, func(ctx context.Context, _ *app, t *catalog.Tenant, _ []string) error {
		fs, err := t.WebhookFailures(ctx)
		if err != nil {
			return err
		}
		if failedJSON {
			return writeJSON(g, map[string]any{"failed": fs})
		}
		w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "EVENT\tMESSAGE\tSTATUS\tATTEMPTS\tTIME\tREASON")
		for _, f := range fs {
			fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s\t%s\n", f.Event, f.Message, f.Status, f.Attempts, f.Time.Format("2006-01-02 15:04:05Z"), f.Reason)
		}
		return w.Flush()
	})

	var redTenant string
	redeliver := &cobra.Command{
		Use:   "redeliver --tenant T EVENT",
		Short: "Send a dead-lettered event again",
		Long: `Send a dead-lettered event again. With a shared Redis (MATTERFILE_REDIS_URL) it
is queued for the workers with a fresh set of retries; without one it is sent
once, now, from this process, and the outcome printed.`,
		Args: cobra.ExactArgs(1),
	}
	redeliver.Flags().StringVar(&redTenant, "tenant", "", "tenant ID (required)")
	must(redeliver.MarkFlagRequired("tenant"))
	redeliver.RunE = g.withTenant(&redTenant, func(ctx context.Context, a *app, t *catalog.Tenant, args []string) error {
		if _, err := t.WebhookFailure(ctx, args[0]); err != nil {
			return err
		}
		q, err := a.openQueue()
		if err != nil {
			return err
		}
		if !q.Embedded() {
			if err := q.RedeliverLater(ctx, a.cat, t.ID, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "event %s queued for redelivery\n", args[0])
			return nil
		}
		h, err := a.handlers(q)
		if err != nil {
			return err
		}
		if err := h.Redeliver(ctx, t.ID, args[0]); err != nil {
			return fmt.Errorf("event %s: %w", args[0], err)
		}
		fmt.Fprintf(g.stdout, "event %s delivered\n", args[0])
		return nil
	})
	cmd.AddCommand(set, show, clearCmd, failed, redeliver)
	return cmd
}
