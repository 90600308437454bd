package worker

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/ingest"
)

// contentHash identifies what a message says, apart from the headers each
// mailbox adds (Delivered-To, Gmail's labels and thread) and its line
// endings: the plain text and every part's decoded bytes.
func contentHash(m *ingest.Message) [32]byte {
	h := sha256.New()
	text := strings.ReplaceAll(m.Text, "\r\n", "\n")
	fmt.Fprintf(h, "subject\x00%s\x00text\x00%d\x00%s\x00", strings.TrimSpace(m.Subject), len(text), text)
	for _, p := range m.Parts {
		if p.Kind == ingest.KindAttachment {
			fmt.Fprintf(h, "part\x00%s\x00%s\x00", p.ContentType, p.SHA256)
		}
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// addCustodian records that the staged copy in (whose own ID is copyID)
// of message orig is held by its mailbox too, drops the copy, and runs the
// copy's follow-ups (its Gmail label). The first filing's decision stands:
// one message is filed once.
func (h *Handlers) addCustodian(ctx context.Context, t *catalog.Tenant, orig catalog.IndexEntry, in staged, copyID string) (catalog.IndexEntry, error) {
	added, err := t.AddCustodian(ctx, orig.Message, copyID, in.custodian)
	if err != nil {
		return catalog.IndexEntry{}, err
	}
	if added {
		if err := t.RecordEvent(ctx, catalog.Event{ID: fmt.Sprintf("custodian-%s-%s", orig.Message, in.mailbox.ID), Type: "message.custodian",
			Message: orig.Message, State: orig.State, Target: orig.Matter, Time: h.now().UTC()}); err != nil {
			return orig, err
		}
	}
	if err := t.DeleteStaged(ctx, in.mailbox.ID, in.name); err != nil {
		return orig, err
	}
	if err := t.ClearFailure(ctx, in.name); err != nil {
		return orig, err
	}
	return orig, h.followUp(ctx, t, orig, in.gmail)
}

// filerActor is who files in the audit log.
const filerActor = "system:filer"

// afterCommit redoes, idempotently, what file does after a filing's index
// entry is written: the content's identity and the conversation's record.
func (h *Handlers) afterCommit(ctx context.Context, t *catalog.Tenant, e catalog.IndexEntry, mb catalog.Mailbox) error {
	m, err := t.Manifest(ctx, e)
	if err != nil {
		return err
	}
	// The filing's audit record may be what the crash cut off. Recording
	// it again may record it twice; a missing record would be worse.
	if err := t.RecordFiling(ctx, filerActor+"-retry", e, m.Previous); err != nil {
		return err
	}
	if e.Generation == 1 && m.Message.MessageID != "" {
		if err := t.RecordIdentity(ctx, m.Message.MessageID, contentHash(&m.Message), e.Message); err != nil {
			return err
		}
	}
	c := catalog.Custodian{Mailbox: mb.ID, Address: mb.Address}
	if len(m.Custodians) > 0 {
		c = m.Custodians[0]
	}
	return h.followThreads(ctx, t, e, m.Decision, manifestInput(m, c), c.Address)
}
