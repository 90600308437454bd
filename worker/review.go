package worker

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ids"
	"github.com/matterfile/matterfile/storage"
)

// RuleAssigned is the rule of the reason a reviewer's assignment adds to
// the classifier's.
const RuleAssigned = "review-assign"

var (
	// ErrTargetClosed is wrapped when a reviewer assigns a message to a
	// closed target without allowing it.
	ErrTargetClosed = errors.New("the target is closed")
	// ErrWalled is wrapped when a message's mailbox owner is walled off
	// from the target a reviewer chose.
	ErrWalled = errors.New("a mailbox owner of the message is walled off from the target")
)

// Assign files message msg of tenant, now in review, to target as the
// reviewer by decided: the message is refiled at the target as its next
// generation (the review copy stays as evidence), with the classifier's
// reasons and one saying who assigned it; later replies follow it by
// thread continuity. A closed target is refused unless allowClosed; a
// target from which a mailbox owner of the message is walled off is
// always refused, since walls are never crossed by filing.
func (h *Handlers) Assign(ctx context.Context, tenant, msg, target, by string, allowClosed bool) (catalog.IndexEntry, error) {
	if err := catalog.CheckActor(by); err != nil {
		return catalog.IndexEntry{}, err
	}
	if err := ids.Validate("target", target); err != nil {
		return catalog.IndexEntry{}, err
	}
	t, err := h.cat.Open(ctx, tenant)
	if err != nil {
		return catalog.IndexEntry{}, err
	}
	e, err := t.Lookup(ctx, msg)
	if err != nil {
		return catalog.IndexEntry{}, fmt.Errorf("tenant %s: %w", tenant, err)
	}
	if e.State != catalog.StateReview {
		return catalog.IndexEntry{}, fmt.Errorf("message %s is filed to %s: %w", msg, e.Matter, catalog.ErrNotInReview)
	}
	m, err := t.Manifest(ctx, e)
	if err != nil {
		return catalog.IndexEntry{}, err
	}
	reg, err := t.Matters(ctx)
	if err != nil {
		return catalog.IndexEntry{}, err
	}
	tg, ok := reg.Get(target)
	if !ok {
		return catalog.IndexEntry{}, fmt.Errorf("tenant %s target %s: %w", tenant, target, catalog.ErrNoTarget)
	}
	refuse := func(why string, cause error) (catalog.IndexEntry, error) {
		if err := t.AuditReview(ctx, by, msg, tg, audit.Refused, why); err != nil {
			return catalog.IndexEntry{}, err
		}
		return catalog.IndexEntry{}, fmt.Errorf("assign message %s to %s %s: %w", msg, tg.Kind, tg.ID, cause)
	}
	for _, c := range m.Custodians {
		if slices.Contains(tg.Walled, catalog.NormalizeAddress(c.Address)) {
			return refuse("mailbox "+c.Mailbox+" is walled off from the target", ErrWalled)
		}
	}
	if tg.Status == classify.StatusClosed && !allowClosed {
		return refuse("the target is closed", ErrTargetClosed)
	}
	dec := assignedDecision(m.Decision, tg, by)
	ne, err := h.refileFromReview(ctx, t, e, m, dec)
	if err != nil {
		return ne, err
	}
	if ne.State != catalog.StateFiled || ne.Matter != tg.ID {
		return ne, fmt.Errorf("message %s: %w", msg, catalog.ErrConcurrentRefile)
	}
	if err := t.AuditReview(ctx, by, msg, tg, audit.OK, fmt.Sprintf("assigned in review; filed as generation %d", ne.Generation)); err != nil {
		return ne, err
	}
	return ne, t.RecordEvent(ctx, catalog.Event{ID: fmt.Sprintf("assigned-%s-%d", msg, ne.Generation), Type: "review.assigned",
		Message: msg, State: ne.State, Target: ne.Matter, From: catalog.StateReview, Time: h.now().UTC()})
}

// refileFromReview files message e, in review with manifest m, where dec
// says. The pipeline refiles from the inbox: the raw bytes go back there
// under the message's own ID, so that a crash before the refiling commits
// leaves a staged copy that a worker's requeue recognizes as filed and
// drops.
func (h *Handlers) refileFromReview(ctx context.Context, t *catalog.Tenant, e catalog.IndexEntry, m *catalog.Manifest, dec classify.Decision) (catalog.IndexEntry, error) {
	if len(m.Custodians) == 0 {
		return catalog.IndexEntry{}, fmt.Errorf("message %s has no custodian mailbox", e.Message)
	}
	c := m.Custodians[0]
	mb, err := t.Mailbox(ctx, c.Mailbox)
	if err != nil {
		return catalog.IndexEntry{}, err
	}
	g, err := h.writeBackOf(ctx, t, c)
	if err != nil {
		return catalog.IndexEntry{}, err
	}
	rc, err := t.OpenPart(ctx, e, catalog.PartRaw)
	if err != nil {
		return catalog.IndexEntry{}, err
	}
	err = t.Stage(ctx, mb.ID, e.Message, rc)
	rc.Close()
	if err != nil {
		return catalog.IndexEntry{}, err
	}
	return h.file(ctx, t, staged{
		mailbox: mb, name: e.Message, namedByHash: true, source: m.Source,
		labels: m.Labels, custodian: c, gmail: g, override: &dec,
	})
}

// assignedDecision is the decision stored with a message a reviewer
// assigned: the classifier's evidence stays, for whoever wonders later why
// it needed a person, and the reviewer's reason comes first.
func assignedDecision(orig classify.Decision, tg classify.Target, by string) classify.Decision {
	dec := orig
	dec.Outcome, dec.Target, dec.Client, dec.Confidence = classify.OutcomeFile, tg.ID, tg.Client, 1
	// The alert was raised when the message went to review; filing it
	// where the reviewer chose raises none.
	dec.Alert = ""
	dec.Reasons = append([]classify.Reason{{Rule: RuleAssigned, Target: tg.ID,
		Text: fmt.Sprintf("assigned to %s %s in review by %s", tg.Kind, tg.Number, by)}}, orig.Reasons...)
	dec.Candidates = slices.Clone(orig.Candidates)
	return dec
}

// writeBackOf is the label write-back of a filing of the message a
// custodian holds, if it came from a connected Gmail mailbox.
func (h *Handlers) writeBackOf(ctx context.Context, t *catalog.Tenant, c catalog.Custodian) (*gmailRef, error) {
	if c.GmailID == "" {
		return nil, nil
	}
	st, err := t.GmailState(ctx, c.Mailbox)
	if errors.Is(err, catalog.ErrNoGmail) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &gmailRef{mailbox: c.Mailbox, gmailID: c.GmailID, writeBack: st.WriteBack}, nil
}

// Dismiss records that message msg of tenant, in review, belongs to no
// matter or contract, as decided by by. It stays stored, and readable, in
// review; it leaves the review queue.
func (h *Handlers) Dismiss(ctx context.Context, tenant, msg, reason, by string) (catalog.Dismissal, error) {
	t, err := h.cat.Open(ctx, tenant)
	if err != nil {
		return catalog.Dismissal{}, err
	}
	d, err := t.Dismiss(ctx, msg, reason, by)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return d, fmt.Errorf("tenant %s: %w", tenant, err)
		}
		return d, err
	}
	return d, t.RecordEvent(ctx, catalog.Event{ID: fmt.Sprintf("dismissed-%s-%d", msg, d.Generation), Type: "review.dismissed",
		Message: msg, State: catalog.StateReview, Time: h.now().UTC()})
}
