package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/hibiken/asynq"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ids"
	"github.com/matterfile/matterfile/storage"
)

// TypeRecheck decides a message in review again, because a conversation it
// belongs to was filed after it arrived.
const TypeRecheck = "review:recheck"

// RuleRechecked is the reason a recheck adds to the classifier's.
const RuleRechecked = "rechecked"

// RecheckPayload names a message in review.
type RecheckPayload struct {
	Tenant  string `json:"tenant"`
	Message string `json:"message"`
}

func (p RecheckPayload) validate() error {
	if err := ids.Validate("tenant", p.Tenant); err != nil {
		return err
	}
	return ids.Validate("message", p.Message)
}

// NewRecheckTask builds a review:recheck task. The ID names the filing
// that woke it (cause), so the same filing enqueues it once.
func NewRecheckTask(p RecheckPayload, cause string) (*asynq.Task, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("new %s task: %w", TypeRecheck, err)
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeRecheck, data, asynq.TaskID("recheck-"+p.Tenant+"-"+p.Message+"-"+cause),
		asynq.Queue(QueueDefault), asynq.MaxRetry(8), asynq.Retention(retention)), nil
}

// HandleRecheckTask runs Recheck.
func (h *Handlers) HandleRecheckTask(ctx context.Context, task *asynq.Task) error {
	var p RecheckPayload
	if err := decode(task, &p); err != nil {
		return err
	}
	t, err := h.cat.Open(ctx, p.Tenant)
	if err != nil {
		if errors.Is(err, catalog.ErrNoTenant) {
			return permanent(err)
		}
		return err
	}
	_, err = h.Recheck(ctx, t, p.Message)
	if errors.Is(err, storage.ErrNotFound) {
		return permanent(err)
	}
	return err
}

// followThreads keeps thread continuity after a filing: a filed message
// becomes the conversation's filing and wakes the replies that waited for
// it in review; a message sent to review for want of evidence waits for
// the conversations it refers to.
func (h *Handlers) followThreads(ctx context.Context, t *catalog.Tenant, e catalog.IndexEntry, dec classify.Decision, in classify.Message, mailbox string) error {
	switch {
	case e.State == catalog.StateFiled:
		waiting, err := t.RecordThreads(ctx, classify.ThreadKeys(in, mailbox), e.Matter, e.Message, h.now())
		if err != nil {
			return err
		}
		for _, w := range waiting {
			task, err := NewRecheckTask(RecheckPayload{Tenant: t.ID, Message: w}, fmt.Sprintf("%s-%d", e.Message, e.Generation))
			if err != nil {
				return permanent(err)
			}
			if _, err := h.enq.EnqueueContext(ctx, task); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
				return fmt.Errorf("enqueue recheck of %s: %w", w, err)
			}
		}
		return nil
	case dec.Outcome == classify.OutcomeReview && !slices.ContainsFunc(dec.Reasons, func(r classify.Reason) bool { return r.Rule == classify.RuleConflict }):
		// A conflict is for a person whatever the thread says; anything
		// else may be settled by the conversation's filing.
		var parents []string
		for _, id := range append([]string{in.InReplyTo}, in.References...) {
			parents = append(parents, classify.ThreadKeys(classify.Message{MessageID: id}, "")...)
		}
		parents = append(parents, classify.ThreadKeys(classify.Message{ThreadID: in.ThreadID}, mailbox)...)
		return t.AwaitThreads(ctx, parents, e.Message, h.now())
	}
	return nil
}

// Recheck decides message msg, in review, again with what is known now
// (conversations filed since, the current registry) and files it if the
// classifier now would. A dismissed message stays where it is. It reports
// whether the message was filed.
func (h *Handlers) Recheck(ctx context.Context, t *catalog.Tenant, msg string) (bool, error) {
	e, err := t.Lookup(ctx, msg)
	if err != nil {
		return false, err
	}
	if e.State != catalog.StateReview {
		return false, nil
	}
	if d, err := t.Dismissal(ctx, msg); err == nil && d.Generation == e.Generation {
		return false, nil
	} else if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return false, err
	}
	m, err := t.Manifest(ctx, e)
	if err != nil {
		return false, err
	}
	if len(m.Custodians) == 0 {
		return false, nil
	}
	c := m.Custodians[0]
	mb, err := t.Mailbox(ctx, c.Mailbox)
	if err != nil {
		return false, err
	}
	dec, err := h.decide(ctx, t, mb, msg, manifestInput(m, c))
	if err != nil {
		return false, err
	}
	if dec.Outcome != classify.OutcomeFile {
		return false, nil
	}
	dec.Reasons = append([]classify.Reason{{Rule: RuleRechecked, Target: dec.Target,
		Text: "decided again after it waited in review; what was filed since settles it"}}, dec.Reasons...)
	ne, err := h.refileFromReview(ctx, t, e, m, dec)
	if err != nil {
		return false, err
	}
	return ne.State == catalog.StateFiled, t.RecordEvent(ctx, catalog.Event{ID: fmt.Sprintf("rechecked-%s-%d", msg, ne.Generation), Type: "review.rechecked",
		Message: msg, State: ne.State, Target: ne.Matter, From: catalog.StateReview, Time: h.now().UTC()})
}

// RecheckAll rechecks every message in review of tenant t, as after an
// import of new matters, and returns how many it filed.
func (h *Handlers) RecheckAll(ctx context.Context, t *catalog.Tenant) (int, error) {
	items, err := t.ReviewQueue(ctx, false)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, it := range items {
		filed, err := h.Recheck(ctx, t, it.Entry.Message)
		if err != nil {
			return n, fmt.Errorf("recheck %s: %w", it.Entry.Message, err)
		}
		if filed {
			n++
		}
	}
	return n, nil
}
