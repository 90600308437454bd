package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// The review queue is not a list of its own: it is every message whose
// index entry says review, read with the decision sealed in its manifest,
// less those a reviewer dismissed. A reviewer's assignment refiles the
// message (see worker.Handlers.Assign), which takes it out of review; a
// dismissal is recorded beside the message, whose objects are create-only.

// ErrNotInReview is wrapped when a review decision is asked for a message
// that is not in review.
var ErrNotInReview = errors.New("message is not in review")

// Dismissal is a reviewer's decision that a message in review belongs to
// no matter or contract. The message stays stored, in review.
type Dismissal struct {
	Message string `json:"message"`
	// Generation is the filing generation dismissed: if the message is
	// filed to review again later (a lawyer labelled it anew), the new
	// decision needs a reviewer again.
	Generation int `json:"generation"`
	// Reason is the reviewer's note. It is sealed here and never put
	// into the audit log, which holds IDs only.
	Reason string    `json:"reason,omitempty"`
	By     string    `json:"by"`
	Time   time.Time `json:"time"`
}

// ReviewItem is one message in review.
type ReviewItem struct {
	Entry    IndexEntry
	Manifest *Manifest
	// Dismissal is set for a dismissed message (listed with all only).
	Dismissal *Dismissal
}

// NotMatterRelated reports whether the classifier found the message not
// matter-related (nobody asked for it to be filed and nothing pointed at a
// target), rather than unsure.
func (it ReviewItem) NotMatterRelated() bool {
	return it.Manifest.Decision.Outcome == classify.OutcomeNone
}

// Dismissal returns the dismissal recorded for message msg, or an error
// wrapping storage.ErrNotFound.
func (t *Tenant) Dismissal(ctx context.Context, msg string) (Dismissal, error) {
	key, err := storage.ReviewKey(t.ID, msg)
	if err != nil {
		return Dismissal{}, err
	}
	var d Dismissal
	if err := t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, &d); err != nil {
		return Dismissal{}, fmt.Errorf("message %s review: %w", msg, err)
	}
	if d.Message != msg {
		return Dismissal{}, fmt.Errorf("message %s: review record names another message: %w", msg, sealed.ErrIntegrity)
	}
	return d, nil
}

// Dismiss records that message msg, in review, belongs to no matter or
// contract, as decided by by for reason (kept sealed). The message stays
// stored and readable where it is; it leaves the review queue. Dismissing
// again replaces the reason.
func (t *Tenant) Dismiss(ctx context.Context, msg, reason, by string) (Dismissal, error) {
	e, err := t.Lookup(ctx, msg)
	if err != nil {
		return Dismissal{}, err
	}
	if e.State != StateReview {
		return Dismissal{}, fmt.Errorf("message %s is filed to %s: %w", msg, e.Matter, ErrNotInReview)
	}
	objs := map[string]string{"message": msg}
	detail := fmt.Sprintf("dismissed: not matter-related; generation %d", e.Generation)
	if err := t.auditable(by, audit.ActionMessageReview, objs, detail); err != nil {
		return Dismissal{}, err
	}
	key, err := storage.ReviewKey(t.ID, msg)
	if err != nil {
		return Dismissal{}, err
	}
	d := Dismissal{Message: msg, Generation: e.Generation, Reason: strings.TrimSpace(reason), By: by, Time: time.Now().UTC()}
	if err := t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, d, storage.PutOptions{}); err != nil {
		return Dismissal{}, fmt.Errorf("message %s review: %w", msg, err)
	}
	return d, t.audit(ctx, by, audit.ActionMessageReview, objs, audit.OK, detail)
}

// AuditReview records a reviewer's decision to file message msg to
// target, or its refusal (outcome audit.Refused, with the reason as
// detail: IDs and fixed words only).
func (t *Tenant) AuditReview(ctx context.Context, by, msg string, target classify.Target, outcome audit.Outcome, detail string) error {
	objs := map[string]string{"message": msg, target.Kind: target.ID, "client": target.Client}
	return t.audit(ctx, by, audit.ActionMessageReview, objs, outcome, detail)
}
