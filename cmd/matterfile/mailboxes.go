package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/ingest/gmail"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/worker"
)

func newMailboxesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mailboxes",
		Short: "Connect Gmail mailboxes and see how their filing goes",
	}
	cmd.AddCommand(newMailboxesAddCmd(g), newMailboxesConnectCmd(g), newMailboxesListCmd(g), newMailboxesDisconnectCmd(g))
	return cmd
}

func newMailboxesAddCmd(g *globals) *cobra.Command {
	var tenant, email, tokenFile, saFile string
	var writeBack, noCheck bool
	cmd := &cobra.Command{
		Use:   "add --tenant T --email ADDR (--token-file F | --service-account F)",
		Short: "Connect a Gmail mailbox with an existing token or a Workspace service account",
		Long: `Connect a Gmail mailbox. Either --token-file, an OAuth token JSON as
golang.org/x/oauth2 writes it (it must hold a refresh token; the client ID and
secret come from MATTERFILE_GOOGLE_CLIENT_ID/SECRET), or --service-account, a
Google Workspace service-account key with domain-wide delegation for the
mailbox's domain. The credentials are sealed with the firm's keys; the file can
be deleted afterwards. Unless --no-check, the credentials are tried once
(users.getProfile) and must belong to ADDR.

Adding a mailbox again replaces its credentials and clears "reconnect
required"; its sync cursor is kept.`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	cmd.Flags().StringVar(&email, "email", "", "mailbox address (required)")
	cmd.Flags().StringVar(&tokenFile, "token-file", "", "OAuth token JSON with a refresh token")
	cmd.Flags().StringVar(&saFile, "service-account", "", "service-account key JSON (domain-wide delegation)")
	cmd.Flags().BoolVar(&writeBack, "write-back", false, "add Filed/<matter> labels in Gmail after filing (needs the gmail.modify scope)")
	cmd.Flags().BoolVar(&noCheck, "no-check", false, "do not try the credentials now")
	must(cmd.MarkFlagRequired("tenant"))
	must(cmd.MarkFlagRequired("email"))
	cmd.MarkFlagsOneRequired("token-file", "service-account")
	cmd.MarkFlagsMutuallyExclusive("token-file", "service-account")
	cmd.RunE = g.withApp(func(ctx context.Context, a *app) error {
		var sec catalog.Secret
		if tokenFile != "" {
			data, err := os.ReadFile(tokenFile)
			if err != nil {
				return fmt.Errorf("--token-file: %w", err)
			}
			var tok oauth2.Token
			if err := json.Unmarshal(data, &tok); err != nil || tok.RefreshToken == "" {
				return errors.New("--token-file: not an OAuth token JSON with a refresh_token")
			}
			if a.cfg.Google.ClientID == "" {
				return errors.New("MATTERFILE_GOOGLE_CLIENT_ID: required to use an OAuth token (the token is refreshed with that client)")
			}
			sec = catalog.Secret{Kind: catalog.AuthUserToken, Data: data}
		} else {
			data, err := os.ReadFile(saFile)
			if err != nil {
				return fmt.Errorf("--service-account: %w", err)
			}
			if _, err := google.JWTConfigFromJSON(data, gmail.ScopeReadonly); err != nil {
				return errors.New("--service-account: not a service-account key JSON")
			}
			sec = catalog.Secret{Kind: catalog.AuthDelegation, Data: data}
		}
		mb, err := a.connectMailbox(ctx, tenant, email, sec, writeBack, !noCheck)
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "connected %s as mailbox %s of tenant %s; run 'matterfile sync --tenant %s --mailbox %s --wait' or a worker\n",
			mb.Address, mb.ID, tenant, tenant, mb.Address)
		return nil
	})
	return cmd
}

// connectMailbox seals the credentials, optionally tries them, and marks
// the mailbox active (catalog.Tenant.ConnectMailbox, shared with the admin
// web). A failed check leaves nothing behind but the mailbox record.
func (a *app) connectMailbox(ctx context.Context, tenant, email string, sec catalog.Secret, writeBack, check bool) (catalog.Mailbox, error) {
	t, err := a.cat.Open(ctx, tenant)
	if err != nil {
		return catalog.Mailbox{}, err
	}
	var checkFn func(context.Context, catalog.Mailbox) error
	if check {
		checkFn = func(ctx context.Context, mb catalog.Mailbox) error {
			q, err := a.openQueue()
			if err != nil {
				return err
			}
			h, err := a.handlers(q)
			if err != nil {
				return err
			}
			p, err := h.GmailProfile(ctx, tenant, mb.ID)
			if err == nil && !equalFoldASCII(p.Address, mb.Address) {
				err = fmt.Errorf("the credentials are for another account, not %s", mb.Address)
			}
			if err != nil {
				return fmt.Errorf("check credentials of %s: %w", mb.Address, err)
			}
			return nil
		}
	}
	return t.ConnectMailbox(ctx, actor(), email, sec, writeBack, checkFn)
}

func equalFoldASCII(a, b string) bool {
	return catalog.NormalizeAddress(a) == catalog.NormalizeAddress(b)
}

func newMailboxesConnectCmd(g *globals) *cobra.Command {
	var tenant, email, listen string
	var writeBack bool
	cmd := &cobra.Command{
		Use:   "connect --tenant T --email ADDR",
		Short: "Connect a Gmail mailbox by consent in the browser",
		Long: `Print a Google consent URL for ADDR and wait for the browser to come back to
a listener on this machine (like 'gcloud auth login'). The grant is checked:
the state must match, the PKCE verifier must fit, the refresh token and the
scopes must be there, and the account must be ADDR. Needs
MATTERFILE_GOOGLE_CLIENT_ID and MATTERFILE_GOOGLE_CLIENT_SECRET, with
http://127.0.0.1 allowed as a redirect URI of that client.`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	cmd.Flags().StringVar(&email, "email", "", "mailbox address (required)")
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:0", "loopback address for the redirect")
	cmd.Flags().BoolVar(&writeBack, "write-back", false, "also ask for gmail.modify and add Filed/<matter> labels after filing")
	must(cmd.MarkFlagRequired("tenant"))
	must(cmd.MarkFlagRequired("email"))
	cmd.RunE = g.withApp(func(ctx context.Context, a *app) error {
		if a.cfg.Google.ClientID == "" {
			return errors.New("MATTERFILE_GOOGLE_CLIENT_ID: required for consent")
		}
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			return fmt.Errorf("--listen: %w", err)
		}
		defer ln.Close()
		if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
			return errors.New("--listen: the redirect listener must be on a loopback address")
		}
		redirect := "http://" + ln.Addr().String() + "/callback"
		cfg := gmail.OAuthConfig(a.cfg.Google.ClientID, a.cfg.Google.ClientSecret, a.cfg.Google.AuthURL, a.cfg.Google.TokenURL, redirect, gmail.Scopes(writeBack))
		consent, err := gmail.NewConsent(cfg, email)
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stderr, "Open this URL in a browser signed in as %s:\n\n  %s\n\nWaiting for the consent to come back…\n", email, consent.URL())
		tok, err := awaitConsent(ctx, ln, consent)
		if err != nil {
			return err
		}
		data, err := json.Marshal(tok)
		if err != nil {
			return err
		}
		mb, err := a.connectMailbox(ctx, tenant, email, catalog.Secret{Kind: catalog.AuthUserToken, Data: data}, writeBack, true)
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "connected %s as mailbox %s of tenant %s\n", mb.Address, mb.ID, tenant)
		return nil
	})
	return cmd
}

func newMailboxesDisconnectCmd(g *globals) *cobra.Command {
	var tenant, email string
	cmd := &cobra.Command{
		Use:   "disconnect --tenant T --email ADDR",
		Short: "Disconnect a Gmail mailbox: delete its credentials, keep what it filed",
		Long: `Delete the stored credentials of a Gmail mailbox and mark it disconnected:
nothing is synced, fetched or labelled for it any more. Everything it filed
stays, and so do the messages it found but had not filed yet; 'mailboxes add'
or 'mailboxes connect' connects it again and carries on. Access granted in
Google (the consent or the delegation) is not revoked there: remove it in the
Google account or the Workspace admin console too.`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	cmd.Flags().StringVar(&email, "email", "", "mailbox address (required)")
	must(cmd.MarkFlagRequired("tenant"))
	must(cmd.MarkFlagRequired("email"))
	cmd.RunE = g.withApp(func(ctx context.Context, a *app) error {
		t, err := a.cat.Open(ctx, tenant)
		if err != nil {
			return err
		}
		mb, err := t.MailboxByAddress(ctx, email)
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("--email: no mailbox of tenant %s has that address", tenant)
		}
		if err != nil {
			return err
		}
		if err := t.DisconnectMailbox(ctx, mb.ID, actor()); err != nil {
			if errors.Is(err, catalog.ErrNoGmail) {
				return fmt.Errorf("mailbox %s is not connected to Gmail", mb.ID)
			}
			return err
		}
		fmt.Fprintf(g.stdout, "disconnected mailbox %s of tenant %s: credentials deleted, filed messages kept\n", mb.ID, tenant)
		return nil
	})
	return cmd
}

// awaitConsent serves the redirect until one consent arrives.
func awaitConsent(ctx context.Context, ln net.Listener, c *gmail.Consent) (*oauth2.Token, error) {
	type result struct {
		tok *oauth2.Token
		err error
	}
	done := make(chan result, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second}
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		var res result
		if e := q.Get("error"); e != "" {
			res.err = fmt.Errorf("consent refused (%s): %w", clip(e, 40), gmail.ErrConsent)
		} else {
			res.tok, res.err = c.Exchange(r.Context(), q.Get("state"), q.Get("code"))
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if res.err != nil {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintln(w, "matterfile: the consent was not accepted; see the terminal.")
		} else {
			fmt.Fprintln(w, "matterfile: consent received; you can close this tab.")
		}
		select {
		case done <- res:
		default:
		}
	})
	go srv.Serve(ln)
	defer srv.Close()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case res := <-done:
		return res.tok, res.err
	}
}

// mailboxView is one mailbox as `mailboxes list` shows it.
type mailboxView struct {
	ID        string    `json:"id"`
	Address   string    `json:"address"`
	Source    string    `json:"source"` // gmail, or mbox for imports only
	Status    string    `json:"status,omitempty"`
	Auth      string    `json:"auth,omitempty"`
	WriteBack bool      `json:"write_back,omitempty"`
	LastSync  time.Time `json:"last_sync,omitzero"`
	CursorAge string    `json:"cursor_age,omitempty"`
	Pending   int       `json:"pending"`
	Filed     int       `json:"filed"`
	Review    int       `json:"review"`
	Failed    int       `json:"failed"`
	LastError string    `json:"last_error,omitempty"`
}

func newMailboxesListCmd(g *globals) *cobra.Command {
	var tenant string
	var asJSON bool
	cmd := &cobra.Command{Use: "list --tenant T [--json]", Short: "List mailboxes with status, last sync and counts", Args: cobra.NoArgs}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	must(cmd.MarkFlagRequired("tenant"))
	cmd.RunE = g.withApp(func(ctx context.Context, a *app) error {
		views, err := listMailboxes(ctx, a, tenant)
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(g, map[string]any{"mailboxes": nonNil(views)})
		}
		w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ADDRESS\tSOURCE\tSTATUS\tLAST SYNC\tCURSOR AGE\tPENDING\tFILED\tREVIEW\tFAILED\tLAST ERROR")
		for _, v := range views {
			last := "-"
			if !v.LastSync.IsZero() {
				last = v.LastSync.Local().Format("2006-01-02 15:04")
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", clip(v.Address, 40), v.Source, orDash(v.Status), last,
				orDash(v.CursorAge), v.Pending, v.Filed, v.Review, v.Failed, clip(orDash(v.LastError), 60))
		}
		return w.Flush()
	})
	return cmd
}

func listMailboxes(ctx context.Context, a *app, tenant string) ([]mailboxView, error) {
	t, err := a.cat.Open(ctx, tenant)
	if err != nil {
		return nil, err
	}
	mbs, err := t.Mailboxes(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]*mailboxView{}
	var views []*mailboxView
	now := time.Now()
	for _, mb := range mbs {
		v := &mailboxView{ID: mb.ID, Address: mb.Address, Source: worker.SourceMbox}
		st, err := t.GmailState(ctx, mb.ID)
		switch {
		case err == nil:
			v.Source, v.Status, v.Auth, v.WriteBack, v.LastSync, v.LastError = worker.SourceGmail, st.Status, st.Auth, st.WriteBack, st.LastSync, st.LastError
			if !st.CursorAt.IsZero() {
				v.CursorAge = now.Sub(st.CursorAt).Round(time.Second).String()
			}
			ids, err := t.GmailPendingIDs(ctx, mb.ID)
			if err != nil {
				return nil, err
			}
			v.Pending = len(ids)
		case !errors.Is(err, catalog.ErrNoGmail):
			return nil, err
		}
		byID[mb.ID] = v
		views = append(views, v)
	}
	counts, err := t.CountByMailbox(ctx)
	if err != nil {
		return nil, err
	}
	for id, n := range counts {
		if v := byID[id]; v != nil {
			v.Filed, v.Review, v.Failed = n.Filed, n.Review, n.Failed
		}
	}
	sort.Slice(views, func(i, j int) bool { return views[i].Address < views[j].Address })
	out := make([]mailboxView, len(views))
	for i, v := range views {
		out[i] = *v
	}
	return out, nil
}
