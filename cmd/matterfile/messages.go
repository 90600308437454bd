package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// messageView is one message as `messages list` shows it.
type messageView struct {
	ID         string            `json:"id"`
	State      string            `json:"state"`
	Matter     string            `json:"matter,omitempty"`
	Client     string            `json:"client,omitempty"`
	Confidence float64           `json:"confidence"`
	Reasons    []classify.Reason `json:"reasons"`
	Candidates []string          `json:"candidates,omitempty"`
	Alert      string            `json:"alert,omitempty"`
	Unparsed   bool              `json:"unparsed"`
	Flags      []string          `json:"flags,omitempty"`
	Date       time.Time         `json:"date,omitzero"`
	From       string            `json:"from,omitempty"`
	Subject    string            `json:"subject,omitempty"`
	Custodians []string          `json:"custodians"`
	RawSHA256  string            `json:"raw_sha256,omitempty"`
	RawSize    int64             `json:"raw_size"`
	Parts      []partView        `json:"parts"`
	Error      string            `json:"error,omitempty"`
}

type partView struct {
	Index       int    `json:"index"`
	Kind        string `json:"kind"`
	ContentType string `json:"content_type"`
	Filename    string `json:"filename,omitempty"`
	Size        int64  `json:"size"`
}

func newMessagesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "messages", Short: "List filed messages and read them back, decrypted"}
	var tenant, matter, state string
	var asJSON bool
	list := &cobra.Command{
		Use:   "list --tenant T [--matter M] [--state filed|review|unparsed|failed]",
		Short: "List every stored message of a firm with its state, matter and reasons",
		Args:  cobra.NoArgs,
	}
	list.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	list.Flags().StringVar(&matter, "matter", "", "only messages filed to this matter or contract ID")
	list.Flags().StringVar(&state, "state", "", "only messages in this state: filed, review, unparsed or failed")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	must(list.MarkFlagRequired("tenant"))
	list.RunE = g.withApp(func(ctx context.Context, a *app) error {
		switch state {
		case "", catalog.StateFiled, catalog.StateReview, "unparsed", "failed":
		default:
			return fmt.Errorf("--state: want filed, review, unparsed or failed")
		}
		views, err := listMessages(ctx, a, tenant, matter, state)
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(g, map[string]any{"messages": nonNil(views)})
		}
		w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tSTATE\tMATTER\tDATE\tFROM\tSUBJECT\tREASON")
		for _, v := range views {
			date := ""
			if !v.Date.IsZero() {
				date = v.Date.UTC().Format("2006-01-02")
			}
			st := v.State
			if v.Unparsed {
				st += ",unparsed"
			}
			reason := v.Error
			if len(v.Reasons) > 0 {
				reason = v.Reasons[0].Text
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, st, orDash(v.Matter), date, clip(v.From, 32), clip(v.Subject, 48), reason)
		}
		return w.Flush()
	})

	var gtenant, part, out string
	get := &cobra.Command{
		Use:   "get --tenant T ID [--part raw|text|html|N] [-o FILE]",
		Short: "Read a message back, decrypted and verified",
		Long: `Write a stored message to FILE (or standard output): --part raw gives the exact
bytes that were ingested, text the plain-text body, html the sanitized HTML
body, N the part numbered N in 'messages list --json'. Nothing is written
until the whole object decrypted and verified.`,
		Args: cobra.ExactArgs(1),
	}
	get.Flags().StringVar(&gtenant, "tenant", "", "tenant ID (required)")
	get.Flags().StringVar(&part, "part", "raw", "raw, text, html or a part number")
	get.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	must(get.MarkFlagRequired("tenant"))
	get.RunE = func(cmd *cobra.Command, args []string) error {
		return g.withApp(func(ctx context.Context, a *app) error {
			err := getMessage(ctx, a, gtenant, args[0], part, out)
			if errors.Is(err, sealed.ErrIntegrity) {
				if t, oerr := a.cat.Open(ctx, gtenant); oerr == nil {
					if aerr := t.RecordIntegrityFailure(ctx, actor(), args[0], part); aerr != nil {
						a.log.Warn("audit integrity failure", "tenant", gtenant, "message", args[0], "err", aerr)
					}
				}
			}
			return err
		})(cmd, args)
	}
	cmd.AddCommand(list, get)
	return cmd
}

func listMessages(ctx context.Context, a *app, tenant, matter, state string) ([]messageView, error) {
	t, err := a.cat.Open(ctx, tenant)
	if err != nil {
		return nil, err
	}
	var views []messageView
	if state == "" || state == "failed" {
		fs, err := t.Failures(ctx)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			if _, err := t.Lookup(ctx, f.Message); err == nil {
				continue // filed after all
			}
			if matter == "" {
				views = append(views, messageView{ID: f.Message, State: "failed", Custodians: []string{f.Mailbox}, Error: f.Reason})
			}
		}
		if state == "failed" {
			return views, nil
		}
	}
	entries, err := t.Messages(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if matter != "" && e.Matter != matter {
			continue
		}
		if state == catalog.StateFiled || state == catalog.StateReview {
			if e.State != state {
				continue
			}
		}
		m, err := t.Manifest(ctx, e)
		if err != nil {
			return nil, err
		}
		if state == "unparsed" && !m.Message.Unparsed {
			continue
		}
		v := viewOf(e, m)
		// Copies of the message in other mailboxes are custodians too.
		cs, err := t.Custodians(ctx, e, m)
		if err != nil {
			return nil, err
		}
		v.Custodians = v.Custodians[:0]
		for _, c := range cs {
			v.Custodians = append(v.Custodians, c.Address)
		}
		views = append(views, v)
	}
	return views, nil
}

func viewOf(e catalog.IndexEntry, m *catalog.Manifest) messageView {
	v := messageView{
		ID: e.Message, State: e.State, Matter: e.Matter, Client: e.Client,
		Confidence: m.Decision.Confidence, Reasons: m.Decision.Reasons, Alert: m.Decision.Alert,
		Unparsed: m.Message.Unparsed, Flags: m.Message.Flags, Date: m.Message.Date,
		Subject: m.Message.Subject, RawSHA256: m.RawSHA256, RawSize: m.RawSize, Custodians: []string{},
	}
	if len(m.Message.From) > 0 {
		v.From = m.Message.From[0].Addr
	}
	for _, c := range m.Decision.Candidates {
		v.Candidates = append(v.Candidates, c.Target)
	}
	for _, c := range m.Custodians {
		v.Custodians = append(v.Custodians, c.Address)
	}
	for _, p := range m.Message.Parts {
		v.Parts = append(v.Parts, partView{Index: p.Index, Kind: p.Kind, ContentType: p.ContentType, Filename: p.Filename, Size: p.Size})
	}
	return v
}

// getMessage decrypts into a temporary file next to the destination and
// renames (or copies, for standard output) only after the whole stream
// verified, so no caller ever sees unverified plaintext.
func getMessage(ctx context.Context, a *app, tenant, id, part, out string) error {
	t, err := a.cat.Open(ctx, tenant)
	if err != nil {
		return err
	}
	e, err := t.Lookup(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("message %s is not filed in tenant %s", id, tenant)
	}
	if err != nil {
		return err
	}
	var rc io.ReadCloser
	if part == catalog.PartRaw {
		if rc, err = t.OpenPart(ctx, e, part); err != nil {
			return err
		}
	} else {
		m, err := t.Manifest(ctx, e)
		if err != nil {
			return err
		}
		which := ""
		for _, p := range m.Message.Parts {
			if p.Kind == part || strconv.Itoa(p.Index) == part {
				which = strconv.Itoa(p.Index)
				break
			}
		}
		switch {
		case which != "":
			if rc, err = t.OpenPart(ctx, e, which); err != nil {
				return err
			}
		case part == ingest.KindText && m.Message.Text != "":
			// An HTML-only message has no text part; its plain-text
			// rendition lives in the (sealed) manifest.
			rc = io.NopCloser(strings.NewReader(m.Message.Text))
		default:
			return fmt.Errorf("message %s has no part %q (see 'messages list --json' for its parts)", id, part)
		}
	}
	defer rc.Close()
	dir := os.TempDir()
	if out != "" {
		dir = filepath.Dir(out)
	}
	tmp, err := os.CreateTemp(dir, ".matterfile-get-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, rc); err != nil {
		tmp.Close()
		return fmt.Errorf("message %s part %s: %w", id, part, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if out != "" {
		if err := tmp.Close(); err != nil {
			return err
		}
		return os.Rename(tmp.Name(), out)
	}
	defer tmp.Close()
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err = io.Copy(a.g.stdout, tmp)
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// clip shortens s for a table cell and removes control characters, so a
// hostile subject cannot move the cursor or forge lines in a terminal.
func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
