package gmail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	gmailapi "google.golang.org/api/gmail/v1"
	"google.golang.org/api/googleapi"
)

// Profile is what users.getProfile tells.
type Profile struct {
	Address   string
	HistoryID uint64
	Messages  int64
}

// Profile returns the mailbox's address and current history id.
func (c *Client) Profile(ctx context.Context) (Profile, error) {
	var p *gmailapi.Profile
	err := c.call(ctx, "getProfile", func(ctx context.Context) (err error) {
		p, err = c.svc.Users.GetProfile(c.cfg.User).Context(ctx).Do()
		return err
	})
	if err != nil {
		return Profile{}, err
	}
	return Profile{Address: p.EmailAddress, HistoryID: p.HistoryId, Messages: p.MessagesTotal}, nil
}

// Label is a Gmail label. IDs are stable; names are for display and
// matching and change when a user renames a label.
type Label struct {
	ID, Name, Type string
}

// Labels lists every label of the mailbox (labels.list is not paged).
func (c *Client) Labels(ctx context.Context) ([]Label, error) {
	var res *gmailapi.ListLabelsResponse
	err := c.call(ctx, "labels.list", func(ctx context.Context) (err error) {
		res, err = c.svc.Users.Labels.List(c.cfg.User).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]Label, 0, len(res.Labels))
	for _, l := range res.Labels {
		out = append(out, Label{ID: l.Id, Name: l.Name, Type: l.Type})
	}
	return out, nil
}

// EnsureLabel returns the id of the user label name, creating it if
// missing. A clash (409, Gmail compares names case-insensitively) is
// resolved by looking the label up, so concurrent writers agree on one id.
func (c *Client) EnsureLabel(ctx context.Context, name string) (string, error) {
	find := func() (string, error) {
		ls, err := c.Labels(ctx)
		if err != nil {
			return "", err
		}
		for _, l := range ls {
			if strings.EqualFold(l.Name, name) {
				return l.ID, nil
			}
		}
		return "", nil
	}
	if id, err := find(); err != nil || id != "" {
		return id, err
	}
	var l *gmailapi.Label
	err := c.call(ctx, "labels.create", func(ctx context.Context) (err error) {
		l, err = c.svc.Users.Labels.Create(c.cfg.User, &gmailapi.Label{
			Name: name, LabelListVisibility: "labelShow", MessageListVisibility: "show",
		}).Context(ctx).Do()
		if conflict(err) {
			return nil // handled below
		}
		return err
	})
	if err != nil {
		return "", err
	}
	if l != nil && l.Id != "" {
		return l.Id, nil
	}
	id, err := find()
	if err == nil && id == "" {
		err = fmt.Errorf("gmail labels.create: conflict, but no label matches: %w", ErrInvalid)
	}
	return id, err
}

func conflict(err error) bool {
	var gerr *googleapi.Error
	return errors.As(err, &gerr) && gerr.Code == 409
}

// ListLabel calls page with the ids of every message carrying labelID,
// page by page. Pages may be empty and still lead on: only the absence of
// a next page token ends the listing.
func (c *Client) ListLabel(ctx context.Context, labelID string, page func(ids []string) error) error {
	token := ""
	for {
		var res *gmailapi.ListMessagesResponse
		err := c.call(ctx, "messages.list", func(ctx context.Context) (err error) {
			call := c.svc.Users.Messages.List(c.cfg.User).LabelIds(labelID).MaxResults(500).Context(ctx)
			if token != "" {
				call = call.PageToken(token)
			}
			res, err = call.Do()
			return err
		})
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(res.Messages))
		for _, m := range res.Messages {
			ids = append(ids, m.Id)
		}
		if len(ids) > 0 {
			if err := page(ids); err != nil {
				return err
			}
		}
		if res.NextPageToken == "" {
			return nil
		}
		token = res.NextPageToken
	}
}

// Change is one history event about one message.
type Change struct {
	Message  string
	Kind     string   // ChangeAdded, ChangeLabelAdded or ChangeLabelRemoved
	LabelIDs []string // the message's labels (added) or the labels added or removed
}

// Kinds of Change.
const (
	ChangeAdded        = "messageAdded"
	ChangeLabelAdded   = "labelAdded"
	ChangeLabelRemoved = "labelRemoved"
)

// History calls page with the changes since start, page by page, and
// returns the history id to store as the new cursor. A cursor outside the
// retained history is ErrHistoryExpired.
func (c *Client) History(ctx context.Context, start uint64, page func([]Change) error) (uint64, error) {
	token := ""
	var latest uint64
	for {
		var res *gmailapi.ListHistoryResponse
		err := c.call(ctx, "history.list", func(ctx context.Context) (err error) {
			call := c.svc.Users.History.List(c.cfg.User).StartHistoryId(start).
				HistoryTypes(ChangeAdded, ChangeLabelAdded, ChangeLabelRemoved).MaxResults(500).Context(ctx)
			if token != "" {
				call = call.PageToken(token)
			}
			res, err = call.Do()
			return err
		})
		if errors.Is(err, ErrNotFound) {
			return 0, fmt.Errorf("gmail history.list: %w", ErrHistoryExpired)
		}
		if err != nil {
			return 0, err
		}
		if res.HistoryId > latest {
			latest = res.HistoryId
		}
		var changes []Change
		for _, h := range res.History {
			for _, m := range h.MessagesAdded {
				if m.Message != nil {
					changes = append(changes, Change{Message: m.Message.Id, Kind: ChangeAdded, LabelIDs: m.Message.LabelIds})
				}
			}
			for _, m := range h.LabelsAdded {
				if m.Message != nil {
					changes = append(changes, Change{Message: m.Message.Id, Kind: ChangeLabelAdded, LabelIDs: m.LabelIds})
				}
			}
			for _, m := range h.LabelsRemoved {
				if m.Message != nil {
					changes = append(changes, Change{Message: m.Message.Id, Kind: ChangeLabelRemoved, LabelIDs: m.LabelIds})
				}
			}
		}
		if len(changes) > 0 {
			if err := page(changes); err != nil {
				return 0, err
			}
		}
		if res.NextPageToken == "" {
			return latest, nil
		}
		token = res.NextPageToken
	}
}

// AddLabels adds labels to a message. It never removes or replaces the
// user's labels.
func (c *Client) AddLabels(ctx context.Context, message string, labelIDs ...string) error {
	return c.call(ctx, "messages.modify", func(ctx context.Context) error {
		_, err := c.svc.Users.Messages.Modify(c.cfg.User, message, &gmailapi.ModifyMessageRequest{AddLabelIds: labelIDs}).Context(ctx).Do()
		return err
	})
}

// Watch asks Gmail to publish changes of the labels to a Pub/Sub topic
// and returns when the watch expires (renew well before: at most 7 days).
func (c *Client) Watch(ctx context.Context, topic string, labelIDs []string) (time.Time, error) {
	var res *gmailapi.WatchResponse
	err := c.call(ctx, "watch", func(ctx context.Context) (err error) {
		res, err = c.svc.Users.Watch(c.cfg.User, &gmailapi.WatchRequest{
			TopicName: topic, LabelIds: labelIDs, LabelFilterBehavior: "include",
		}).Context(ctx).Do()
		return err
	})
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(res.Expiration).UTC(), nil
}

// StopWatch ends the mailbox's watch (on disconnect).
func (c *Client) StopWatch(ctx context.Context) error {
	return c.call(ctx, "stop", func(ctx context.Context) error {
		return c.svc.Users.Stop(c.cfg.User).Context(ctx).Do()
	})
}
