package gmail

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// FilingLabels are the label ids that ask for filing, mapped by id so that
// a rename changes nothing (gmail.md "Labels").
type FilingLabels map[string]bool

// MatchFilingLabels picks the filing labels of a mailbox: user labels
// under the matter prefix, and the generic filing label. Our own
// write-back labels must not match, or filing would feed itself.
func MatchFilingLabels(labels []Label, matterPrefix, filingLabel string) FilingLabels {
	out := FilingLabels{}
	for _, l := range labels {
		if l.Type == "system" {
			continue
		}
		if (matterPrefix != "" && strings.HasPrefix(l.Name, matterPrefix) && len(l.Name) > len(matterPrefix)) ||
			(filingLabel != "" && strings.EqualFold(l.Name, filingLabel)) {
			out[l.ID] = true
		}
	}
	return out
}

func (f FilingLabels) any(ids []string) bool {
	return slices.ContainsFunc(ids, func(id string) bool { return f[id] })
}

// ids lists the filing label ids in a stable order.
func (f FilingLabels) ids() []string {
	out := make([]string, 0, len(f))
	for id := range f {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Candidate is a message a sync found that may need filing or re-filing.
type Candidate struct {
	Message string // Gmail message id
	Why     string // "listed" (full sync) or the Change kind
	// Label is the filing label a full sync listed the message under.
	Label string
}

// Recorder durably records candidates and queues their filing. When
// Record returns nil the candidates survive any crash: the cursor moves
// past them only after that.
type Recorder interface {
	Record(ctx context.Context, cs []Candidate) error
}

// SyncResult says what one sync did.
type SyncResult struct {
	Cursor     uint64 // the history id to store; never lower than the old one
	Full       bool   // a full sync of the filing labels ran
	Expired    bool   // the old cursor had fallen out of history
	Candidates int
}

// Sync brings the mailbox up to date from cursor (0: never synced): the
// history since the cursor, or a full listing of the filing labels when
// there is no cursor or it expired. Every candidate is recorded before the
// new cursor is returned; the caller stores it only after Sync returned.
func (c *Client) Sync(ctx context.Context, cursor uint64, filing FilingLabels, rec Recorder) (SyncResult, error) {
	if cursor != 0 {
		res, err := c.incremental(ctx, cursor, filing, rec)
		if !errors.Is(err, ErrHistoryExpired) {
			return res, err
		}
		full, err := c.full(ctx, filing, rec)
		full.Expired = true
		return full, err
	}
	return c.full(ctx, filing, rec)
}

// full lists every filing label. The profile's history id is taken first,
// so that whatever changes while listing is replayed by the next
// incremental sync.
func (c *Client) full(ctx context.Context, filing FilingLabels, rec Recorder) (SyncResult, error) {
	res := SyncResult{Full: true}
	p, err := c.Profile(ctx)
	if err != nil {
		return res, err
	}
	// labelIds repeated means AND: one listing per label.
	for _, label := range filing.ids() {
		err := c.ListLabel(ctx, label, func(ids []string) error {
			cs := make([]Candidate, len(ids))
			for i, id := range ids {
				cs[i] = Candidate{Message: id, Why: "listed", Label: label}
			}
			res.Candidates += len(cs)
			return rec.Record(ctx, cs)
		})
		if err != nil {
			return res, fmt.Errorf("full sync: %w", err)
		}
	}
	res.Cursor = p.HistoryID
	return res, nil
}

func (c *Client) incremental(ctx context.Context, cursor uint64, filing FilingLabels, rec Recorder) (SyncResult, error) {
	res := SyncResult{}
	latest, err := c.History(ctx, cursor, func(changes []Change) error {
		seen := map[string]bool{}
		var cs []Candidate
		for _, ch := range changes {
			// New mail without a filing label (a reply to a filed
			// thread, say) is not ours to file: replies do not inherit
			// labels, and filing by thread is a tenant option.
			if !filing.any(ch.LabelIDs) || seen[ch.Message+ch.Kind] {
				continue
			}
			seen[ch.Message+ch.Kind] = true
			cs = append(cs, Candidate{Message: ch.Message, Why: ch.Kind})
		}
		if len(cs) == 0 {
			return nil
		}
		res.Candidates += len(cs)
		return rec.Record(ctx, cs)
	})
	if err != nil {
		return res, err
	}
	// The response's history id is stored even without changes, or an
	// idle mailbox's cursor ages out of the window.
	res.Cursor = max(latest, cursor)
	return res, nil
}
