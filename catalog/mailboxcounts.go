package catalog

import "context"

// MailboxCounts is how many messages a mailbox contributed: filed, in
// review, and failed to file.
type MailboxCounts struct {
	Filed, Review, Failed int
}

// CountByMailbox counts, per mailbox ID, the messages each mailbox is a
// custodian of, from the filed messages and failures themselves: the store
// is the record, so there is no counter to drift. The custodians of each
// manifest are decrypted once and kept (IDs only; see listCache), so a
// count costs a listing of the index and the manifests new since the last
// one, and shows what another process filed or refiled at once.
func (t *Tenant) CountByMailbox(ctx context.Context) (map[string]MailboxCounts, error) {
	out := map[string]MailboxCounts{}
	entries, err := t.Messages(ctx)
	if err != nil {
		return nil, err
	}
	boxes, err := t.custodianMailboxes(ctx, entries)
	if err != nil {
		return nil, err
	}
	for i, e := range entries {
		for _, mb := range boxes[i] {
			n := out[mb]
			if e.State == StateFiled {
				n.Filed++
			} else {
				n.Review++
			}
			out[mb] = n
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
