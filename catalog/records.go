package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// Matters returns the tenant's registry of matters and contracts (empty if
// none was imported yet).
func (t *Tenant) Matters(ctx context.Context) (*classify.Registry, error) {
	key, err := storage.MattersKey(t.ID)
	if err != nil {
		return nil, err
	}
	var reg classify.Registry
	err = t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, &reg)
	if errors.Is(err, storage.ErrNotFound) {
		return &classify.Registry{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tenant %s matters: %w", t.ID, err)
	}
	return &reg, nil
}

// MatterIndex returns the tenant's registry compiled under pol, rebuilt
// only when the stored registry or the policy changed.
func (t *Tenant) MatterIndex(ctx context.Context, pol classify.Policy) (*classify.Index, error) {
	key, err := storage.MattersKey(t.ID)
	if err != nil {
		return nil, err
	}
	etag := ""
	if info, err := t.s.Stat(ctx, key); err == nil {
		etag = info.ETag
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("tenant %s matters: %w", t.ID, err)
	}
	pj, err := json.Marshal(pol)
	if err != nil {
		return nil, err
	}
	t.ixMu.Lock()
	defer t.ixMu.Unlock()
	if t.ix != nil && etag != "" && t.ixETag == etag && t.ixPolicy == string(pj) {
		return t.ix, nil
	}
	reg, err := t.Matters(ctx)
	if err != nil {
		return nil, err
	}
	ix, err := classify.NewIndex(reg, pol)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: %w", t.ID, err)
	}
	t.ix, t.ixETag, t.ixPolicy = ix, etag, string(pj)
	return ix, nil
}

// SaveMatters replaces the tenant's registry.
func (t *Tenant) SaveMatters(ctx context.Context, reg *classify.Registry) error {
	key, err := storage.MattersKey(t.ID)
	if err != nil {
		return err
	}
	if err := t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, reg, storage.PutOptions{}); err != nil {
		return fmt.Errorf("tenant %s matters: %w", t.ID, err)
	}
	return nil
}

// Settings are a firm's own choices; empty fields take the deployment's
// defaults.
type Settings struct {
	MatterLabelPrefix string `json:"matter_label_prefix,omitempty"`
	FilingLabel       string `json:"filing_label,omitempty"`
}

// Policy applies the settings over the deployment's policy.
func (s Settings) Policy(base classify.Policy) classify.Policy {
	if s.MatterLabelPrefix != "" {
		base.MatterLabelPrefix = s.MatterLabelPrefix
	}
	if s.FilingLabel != "" {
		base.FilingLabel = s.FilingLabel
	}
	return base
}

// Settings returns the tenant's settings (zero if it set none).
func (t *Tenant) Settings(ctx context.Context) (Settings, error) {
	key, err := storage.SettingsKey(t.ID)
	if err != nil {
		return Settings{}, err
	}
	var s Settings
	err = t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, &s)
	if errors.Is(err, storage.ErrNotFound) {
		return Settings{}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("tenant %s settings: %w", t.ID, err)
	}
	return s, nil
}

// SaveSettings replaces the tenant's settings.
func (t *Tenant) SaveSettings(ctx context.Context, s Settings) error {
	key, err := storage.SettingsKey(t.ID)
	if err != nil {
		return err
	}
	if err := t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, s, storage.PutOptions{}); err != nil {
		return fmt.Errorf("tenant %s settings: %w", t.ID, err)
	}
	return nil
}

// Mailbox is a mailbox of the tenant. Its ID is derived from the address
// with the tenant's PRF, so the same address always maps to the same ID and
// the ID reveals nothing.
type Mailbox struct {
	ID      string    `json:"id"`
	Address string    `json:"address"`
	Added   time.Time `json:"added"`
}

// NormalizeAddress is the form mailbox addresses are compared in.
func NormalizeAddress(addr string) string { return strings.ToLower(strings.TrimSpace(addr)) }

// EnsureMailbox returns the mailbox for addr, recording it on first use.
func (t *Tenant) EnsureMailbox(ctx context.Context, addr string) (Mailbox, error) {
	addr = NormalizeAddress(addr)
	id, err := t.mailboxID(addr)
	if err != nil {
		return Mailbox{}, err
	}
	key, err := storage.MailboxKey(t.ID, id)
	if err != nil {
		return Mailbox{}, err
	}
	mb := Mailbox{ID: id, Address: addr, Added: time.Now().UTC()}
	err = t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, mb, storage.PutOptions{CreateOnly: true})
	if errors.Is(err, storage.ErrExists) {
		return t.Mailbox(ctx, id)
	}
	if err != nil {
		return Mailbox{}, fmt.Errorf("tenant %s mailbox %s: %w", t.ID, id, err)
	}
	return mb, nil
}

// MailboxByAddress returns the mailbox of addr without recording one.
func (t *Tenant) MailboxByAddress(ctx context.Context, addr string) (Mailbox, error) {
	id, err := t.mailboxID(addr)
	if err != nil {
		return Mailbox{}, err
	}
	return t.Mailbox(ctx, id)
}

func (t *Tenant) mailboxID(addr string) (string, error) {
	addr = NormalizeAddress(addr)
	if addr == "" {
		return "", errors.New("mailbox address is empty")
	}
	id, err := t.s.DeriveID("mailbox", []byte(addr))
	if err != nil {
		return "", err
	}
	return "mb-" + id[:24], nil
}

// Mailbox returns the mailbox with the given ID.
func (t *Tenant) Mailbox(ctx context.Context, id string) (Mailbox, error) {
	key, err := storage.MailboxKey(t.ID, id)
	if err != nil {
		return Mailbox{}, err
	}
	var mb Mailbox
	if err := t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, &mb); err != nil {
		return Mailbox{}, fmt.Errorf("tenant %s mailbox %s: %w", t.ID, id, err)
	}
	return mb, nil
}

// Mailboxes lists the tenant's mailboxes.
func (t *Tenant) Mailboxes(ctx context.Context) ([]Mailbox, error) {
	prefix, err := storage.MailboxesPrefix(t.ID)
	if err != nil {
		return nil, err
	}
	var keys []string
	if err := t.s.List(ctx, prefix, func(i storage.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		return nil, fmt.Errorf("tenant %s mailboxes: %w", t.ID, err)
	}
	out := make([]Mailbox, 0, len(keys))
	for _, k := range keys {
		mb, err := t.Mailbox(ctx, strings.TrimPrefix(k, prefix))
		if err != nil {
			return nil, err
		}
		out = append(out, mb)
	}
	return out, nil
}

// Event is a follow-up event, recorded once per event ID.
type Event struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Message string `json:"message"`
	State   string `json:"state"`
	Target  string `json:"target,omitempty"`
	// From is where a refiled message was before ("review" or a target).
	From string    `json:"from,omitempty"`
	Time time.Time `json:"time"`
}

// RecordEvent stores ev create-only; recording the same event twice is not
// an error.
func (t *Tenant) RecordEvent(ctx context.Context, ev Event) error {
	key, err := storage.EventKey(t.ID, ev.ID)
	if err != nil {
		return err
	}
	err = t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindEvent}, ev, storage.PutOptions{CreateOnly: true})
	if err != nil && !errors.Is(err, storage.ErrExists) {
		return fmt.Errorf("tenant %s event %s: %w", t.ID, ev.ID, err)
	}
	return nil
}

// Event returns a recorded event.
func (t *Tenant) Event(ctx context.Context, id string) (Event, error) {
	key, err := storage.EventKey(t.ID, id)
	if err != nil {
		return Event{}, err
	}
	var ev Event
	err = t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindEvent}, &ev)
	return ev, err
}

// Failure records why a message could not be filed.
type Failure struct {
	Message string    `json:"message"`
	Mailbox string    `json:"mailbox"`
	Reason  string    `json:"reason"`
	Time    time.Time `json:"time"`
}

// RecordFailure stores (or replaces) the failure record of a message.
func (t *Tenant) RecordFailure(ctx context.Context, f Failure) error {
	key, err := storage.FailureKey(t.ID, f.Message)
	if err != nil {
		return err
	}
	if err := t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindFailure}, f, storage.PutOptions{}); err != nil {
		return fmt.Errorf("tenant %s failure %s: %w", t.ID, f.Message, err)
	}
	return nil
}

// ClearFailure removes a message's failure record once it is filed.
func (t *Tenant) ClearFailure(ctx context.Context, msg string) error {
	key, err := storage.FailureKey(t.ID, msg)
	if err != nil {
		return err
	}
	if err := t.s.Delete(ctx, key); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	return nil
}

// Failures lists the tenant's failure records.
func (t *Tenant) Failures(ctx context.Context) ([]Failure, error) {
	prefix, err := storage.FailuresPrefix(t.ID)
	if err != nil {
		return nil, err
	}
	var keys []string
	if err := t.s.List(ctx, prefix, func(i storage.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		return nil, err
	}
	var out []Failure
	for _, k := range keys {
		var f Failure
		if err := t.getJSON(ctx, sealed.Place{Key: k, Kind: sealed.KindFailure}, &f); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}
