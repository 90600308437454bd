package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/worker"
)

// reviewView is one message as `review list` shows it.
type reviewView struct {
	ID string `json:"id"`
	// Outcome is "review" (unsure) or "none" (not matter-related).
	Outcome    string               `json:"outcome"`
	Filed      time.Time            `json:"filed"`
	Date       time.Time            `json:"date,omitzero"`
	From       string               `json:"from,omitempty"`
	Subject    string               `json:"subject,omitempty"`
	Confidence float64              `json:"confidence"`
	Candidates []classify.Candidate `json:"candidates"`
	Reasons    []classify.Reason    `json:"reasons"`
	Alert      string               `json:"alert,omitempty"`
	Unparsed   bool                 `json:"unparsed"`
	Custodians []string             `json:"custodians"`
	Dismissed  *catalog.Dismissal   `json:"dismissed,omitempty"`
}

func newReviewCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "review",
		Short: "Work through the messages the classifier was not sure about",
		Long: `A message goes to review when the evidence is weak or conflicting, its matter
is closed, its mailbox owner is walled off from the matter (ALERT), or it could
not be parsed. 'review list' shows each with its candidates and reasons;
'review assign' files it where a person decided, and later replies in its
conversation follow; 'review dismiss' takes it out of the queue, stored as it
is. Every decision is audited with who made it.`,
	}
	var tenant string
	var asJSON, all bool
	list := &cobra.Command{
		Use:   "list --tenant T [--all] [--json]",
		Short: "List the messages awaiting review, with candidates and reasons",
		Args:  cobra.NoArgs,
	}
	list.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	list.Flags().BoolVar(&all, "all", false, "also list messages found not matter-related, and dismissed ones")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	must(list.MarkFlagRequired("tenant"))
	list.RunE = g.withTenant(&tenant, func(ctx context.Context, _ *app, t *catalog.Tenant, _ []string) error {
		items, err := t.ReviewQueue(ctx, all)
		if err != nil {
			return err
		}
		views := make([]reviewView, 0, len(items))
		for _, it := range items {
			views = append(views, reviewViewOf(it))
		}
		if asJSON {
			return writeJSON(g, map[string]any{"tenant": t.ID, "reviews": views})
		}
		w := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tDATE\tFROM\tSUBJECT\tCANDIDATES\tREASON\tALERT")
		for _, v := range views {
			date := ""
			if !v.Date.IsZero() {
				date = v.Date.UTC().Format(time.DateOnly)
			}
			var cands []string
			for i, c := range v.Candidates {
				if i == 3 {
					cands = append(cands, fmt.Sprintf("+%d", len(v.Candidates)-i))
					break
				}
				cands = append(cands, fmt.Sprintf("%s %.2f", c.Target, c.Confidence))
			}
			reason := ""
			if len(v.Reasons) > 0 {
				reason = v.Reasons[0].Text
			}
			var marks []string
			for _, m := range []struct {
				on   bool
				name string
			}{
				{v.Alert != "", v.Alert}, {v.Unparsed, "unparsed"},
				{v.Outcome == classify.OutcomeNone, "not-matter-related"}, {v.Dismissed != nil, "dismissed"},
			} {
				if m.on {
					marks = append(marks, m.name)
				}
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, orDash(date), clip(v.From, 32), clip(v.Subject, 40),
				orDash(strings.Join(cands, ", ")), clip(reason, 72), orDash(strings.ToUpper(strings.Join(marks, ","))))
		}
		return w.Flush()
	})

	var allowClosed bool
	assign := &cobra.Command{
		Use:   "assign --tenant T MESSAGE TARGET [--allow-closed]",
		Short: "File a message in review to a matter or contract",
		Long: `File MESSAGE, in review, to TARGET (a matter or contract ID): it is refiled
there as its next generation, the copy in review staying as evidence. Its
stored reasons keep the classifier's and name who assigned it. Later replies
in its conversation are filed to TARGET without review. A closed TARGET needs
--allow-closed; a TARGET from which a mailbox owner of the message is walled
off is refused.`,
		Args: cobra.ExactArgs(2),
	}
	assign.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	assign.Flags().BoolVar(&allowClosed, "allow-closed", false, "file to a closed matter or contract")
	must(assign.MarkFlagRequired("tenant"))
	assign.RunE = func(cmd *cobra.Command, args []string) error {
		return g.withApp(func(ctx context.Context, a *app) error {
			h, err := a.reviewHandlers()
			if err != nil {
				return err
			}
			e, err := h.Assign(ctx, tenant, args[0], args[1], actor(), allowClosed)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "filed message %s to %s (client %s), generation %d\n", e.Message, e.Matter, e.Client, e.Generation)
			return nil
		})(cmd, args)
	}

	var reason string
	dismiss := &cobra.Command{
		Use:   "dismiss --tenant T MESSAGE [--reason R]",
		Short: "Take a message out of review as belonging to no matter",
		Long: `Record that MESSAGE, in review, belongs to no matter or contract. It stays
stored, encrypted and readable, in review; 'review list --all' still shows it.
The reason is kept sealed with the decision, not in the audit log.`,
		Args: cobra.ExactArgs(1),
	}
	dismiss.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	dismiss.Flags().StringVar(&reason, "reason", "", "why (kept sealed)")
	must(dismiss.MarkFlagRequired("tenant"))
	dismiss.RunE = func(cmd *cobra.Command, args []string) error {
		return g.withApp(func(ctx context.Context, a *app) error {
			h, err := a.reviewHandlers()
			if err != nil {
				return err
			}
			d, err := h.Dismiss(ctx, tenant, args[0], reason, actor())
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "dismissed message %s from review\n", d.Message)
			return nil
		})(cmd, args)
	}
	recheck := &cobra.Command{
		Use:   "recheck --tenant T",
		Short: "Decide every message in review again with what is known now",
		Long: `Decide every message in review again, with the matters and contracts and the
filed conversations as they are now, and file those the classifier now would
file (after 'matters import' of a new matter, say). The rest stay in review;
dismissed messages are left alone. A reply that went to review because it
was decided before the message it answers is rechecked by the workers on
their own once that message is filed.`,
		Args: cobra.NoArgs,
	}
	recheck.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	must(recheck.MarkFlagRequired("tenant"))
	recheck.RunE = g.withApp(func(ctx context.Context, a *app) error {
		h, err := a.reviewHandlers()
		if err != nil {
			return err
		}
		t, err := a.cat.Open(ctx, tenant)
		if err != nil {
			return err
		}
		n, err := h.RecheckAll(ctx, t)
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "rechecked the review queue of %s: %d filed\n", tenant, n)
		return nil
	})
	cmd.AddCommand(list, assign, dismiss, recheck)
	return cmd
}

// reviewHandlers are the handlers a review decision runs through. Its
// follow-ups (the filing event, a Gmail label) go to the queue: with a
// shared Redis the workers run them.
func (a *app) reviewHandlers() (*worker.Handlers, error) {
	q, err := a.openQueue()
	if err != nil {
		return nil, err
	}
	return a.handlers(q)
}

func reviewViewOf(it catalog.ReviewItem) reviewView {
	m := it.Manifest
	d := m.Decision
	v := reviewView{
		ID: it.Entry.Message, Outcome: d.Outcome, Filed: it.Entry.Filed, Date: m.Message.Date, Subject: m.Message.Subject,
		Confidence: d.Confidence, Candidates: nonNil(d.Candidates), Reasons: nonNil(d.Reasons), Alert: d.Alert,
		Unparsed: m.Message.Unparsed, Custodians: []string{}, Dismissed: it.Dismissal,
	}
	if len(m.Message.From) > 0 {
		v.From = m.Message.From[0].Addr
	}
	for _, c := range m.Custodians {
		v.Custodians = append(v.Custodians, c.Address)
	}
	return v
}
