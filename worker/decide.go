package worker

import (
	"context"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest"
)

// classifyInput is what the classifier sees of a parsed message held by
// custodian c. A message fetched through the Gmail API has no X-GM-THRID
// header: its thread is the one the API reported.
func classifyInput(m *ingest.Message, labels []string, c catalog.Custodian) classify.Message {
	addrs := func(as []ingest.Address) []string {
		out := make([]string, 0, len(as))
		for _, a := range as {
			if a.Addr != "" {
				out = append(out, a.Addr)
			}
		}
		return out
	}
	in := classify.Message{
		Subject: m.Subject, Labels: labels, Unparsed: m.Unparsed,
		MessageID: m.MessageID, InReplyTo: m.InReplyTo, References: m.References, ThreadID: m.GmailThreadID,
		From: addrs(m.From), To: addrs(m.To), Cc: addrs(m.Cc), Body: m.Text,
	}
	if c.ThreadID != "" {
		in.ThreadID = c.ThreadID
	}
	for _, p := range m.Parts {
		if p.Filename != "" {
			in.Attachments = append(in.Attachments, p.Filename)
		}
	}
	return in
}

// manifestInput is what the classifier saw of a filed message, rebuilt
// from its manifest as held by custodian c: the labels it was decided
// with (a manifest from before they were kept: the message's own
// X-Gmail-Labels).
func manifestInput(m *catalog.Manifest, c catalog.Custodian) classify.Message {
	labels := m.Labels
	if labels == nil {
		labels = m.Message.GmailLabels
	}
	return classifyInput(&m.Message, labels, c)
}

// decide classifies a parsed message id from mailbox mb of tenant t, with the
// tenant's registry, policy and the conversations filed so far.
func (h *Handlers) decide(ctx context.Context, t *catalog.Tenant, mb catalog.Mailbox, id string, in classify.Message) (classify.Decision, error) {
	policy, err := h.policyOf(ctx, t)
	if err != nil {
		return classify.Decision{}, err
	}
	ix, err := t.MatterIndex(ctx, policy)
	if err != nil {
		return classify.Decision{}, err
	}
	threads, err := t.Threads(ctx, referenceKeys(in, mb.Address), id)
	if err != nil {
		return classify.Decision{}, err
	}
	return classify.Decide(in, classify.Context{Index: ix, Mailbox: mb.Address, Threads: threads}), nil
}

// referenceKeys are the thread keys a message's decision may look up: its
// own Message-ID, those it replies to and refers to, its Gmail thread.
func referenceKeys(in classify.Message, mailbox string) []string {
	keys := classify.ThreadKeys(in, mailbox)
	for _, id := range append([]string{in.InReplyTo}, in.References...) {
		keys = append(keys, classify.ThreadKeys(classify.Message{MessageID: id}, "")...)
	}
	return keys
}
