package catalog

import "context"

// MailboxCounts is how many messages a mailbox contributed: filed, in
// review, and failed to file.
type MailboxCounts struct {
	Filed, Review, Failed int
}

// CountByMailbox counts, per mailbox ID, the messages each mailbox is a
// custodian of, from the filed messages and failures themselves: the store
// is the record, so there is no counter to drift.
func (t *Tenant) CountByMailbox(ctx context.Context) (map[string]MailboxCounts, error) {
	out := map[string]MailboxCounts{}
	entries, err := t.Messages(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		m, err := t.Manifest(ctx, e)
		if err != nil {
			return nil, err
		}
		for _, c := range m.Custodians {
			n := out[c.Mailbox]
			if e.State == StateFiled {
				n.Filed++
			} else {
				n.Review++
			}
			out[c.Mailbox] = n
		}
	}
	fs, err := t.Failures(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		n := out[f.Mailbox]
		n.Failed++
		out[f.Mailbox] = n
	}
	return out, nil
}
