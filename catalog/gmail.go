package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// Mailbox statuses.
const (
	StatusActive    = "active"
	StatusReconnect = "reconnect required"
	StatusPaused    = "paused"
	// StatusDisconnected is a mailbox an admin disconnected: its
	// credentials are deleted, what it filed stays, nothing syncs until
	// it is connected again.
	StatusDisconnected = "disconnected"
)

// Ways a Gmail mailbox is authorized.
const (
	AuthUserToken  = "oauth"
	AuthDelegation = "delegation"
)

// GmailState is what matterfile knows of a connected Gmail mailbox. It is
// sealed: it holds label names.
type GmailState struct {
	Auth      string    `json:"auth"`
	Status    string    `json:"status"`
	Cursor    uint64    `json:"cursor,string,omitempty"`
	CursorAt  time.Time `json:"cursor_at,omitzero"`
	LastSync  time.Time `json:"last_sync,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	// WriteBack adds Filed/… and review labels in Gmail after filing.
	WriteBack bool `json:"write_back,omitempty"`
	// Synced counts messages recorded by syncs, Gone those deleted in
	// Gmail before they could be fetched.
	Synced int `json:"synced,omitempty"`
	Gone   int `json:"gone,omitempty"`
	// PausedUntil is when a paused mailbox (Gmail's daily limit) may
	// sync again.
	PausedUntil time.Time `json:"paused_until,omitzero"`
	// WatchExpires is when the Gmail push watch runs out; zero if none.
	WatchExpires time.Time `json:"watch_expires,omitzero"`
}

// Connected reports whether the mailbox has credentials matterfile may use:
// it is neither disconnected nor waiting to be reconnected.
func (st GmailState) Connected() bool {
	return st.Status != StatusReconnect && st.Status != StatusDisconnected
}

// Syncable reports whether the mailbox may be synced at now: connected and
// not paused (an expired pause, Gmail's daily limit, is over).
func (st GmailState) Syncable(now time.Time) bool {
	return st.Connected() && !(st.Status == StatusPaused && now.Before(st.PausedUntil))
}

// ErrNoGmail is a mailbox that is not connected to Gmail.
var ErrNoGmail = errors.New("mailbox is not connected to Gmail")

// GmailState returns the Gmail state of mailbox mb.
func (t *Tenant) GmailState(ctx context.Context, mb string) (GmailState, error) {
	key, err := storage.GmailStateKey(t.ID, mb)
	if err != nil {
		return GmailState{}, err
	}
	var st GmailState
	err = t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, &st)
	if errors.Is(err, storage.ErrNotFound) {
		return GmailState{}, fmt.Errorf("tenant %s mailbox %s: %w", t.ID, mb, ErrNoGmail)
	}
	if err != nil {
		return GmailState{}, fmt.Errorf("tenant %s mailbox %s gmail state: %w", t.ID, mb, err)
	}
	return st, nil
}

// SaveGmailState replaces the Gmail state of mailbox mb. One sync runs per
// mailbox at a time (its task ID is per mailbox), so last writer wins is
// the right rule.
func (t *Tenant) SaveGmailState(ctx context.Context, mb string, st GmailState) error {
	key, err := storage.GmailStateKey(t.ID, mb)
	if err != nil {
		return err
	}
	if err := t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, st, storage.PutOptions{}); err != nil {
		return fmt.Errorf("tenant %s mailbox %s gmail state: %w", t.ID, mb, err)
	}
	return nil
}

// Secret is a mailbox's credentials: an OAuth token (x/oauth2 JSON) or a
// service-account key (Google's JSON). It never leaves the sealed store
// except into the process that calls Gmail.
type Secret struct {
	Kind string `json:"kind"` // AuthUserToken or AuthDelegation
	Data []byte `json:"data"`
}

// SaveSecret replaces mailbox mb's credentials.
func (t *Tenant) SaveSecret(ctx context.Context, mb string, s Secret) error {
	key, err := storage.SecretKey(t.ID, mb)
	if err != nil {
		return err
	}
	if err := t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindSecret}, s, storage.PutOptions{}); err != nil {
		return fmt.Errorf("tenant %s mailbox %s credentials: %w", t.ID, mb, err)
	}
	return nil
}

// DeleteSecret removes mailbox mb's credentials; removing none is not an
// error.
func (t *Tenant) DeleteSecret(ctx context.Context, mb string) error {
	key, err := storage.SecretKey(t.ID, mb)
	if err != nil {
		return err
	}
	if err := t.s.Delete(ctx, key); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("tenant %s mailbox %s credentials: %w", t.ID, mb, err)
	}
	return nil
}

// Secret returns mailbox mb's credentials.
func (t *Tenant) Secret(ctx context.Context, mb string) (Secret, error) {
	key, err := storage.SecretKey(t.ID, mb)
	if err != nil {
		return Secret{}, err
	}
	var s Secret
	if err := t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindSecret}, &s); err != nil {
		return Secret{}, fmt.Errorf("tenant %s mailbox %s credentials: %w", t.ID, mb, err)
	}
	return s, nil
}

// GmailPending is a Gmail message a sync found and recorded: the durable
// promise that it will be fetched and filed. Once fetched it also carries
// what Gmail said of it, for the filing decision.
type GmailPending struct {
	GmailID string    `json:"gmail_id"`
	Why     string    `json:"why"`
	Seen    time.Time `json:"seen"`
	// Set by the fetch.
	Fetched      bool      `json:"fetched,omitempty"`
	ThreadID     string    `json:"thread_id,omitempty"`
	Labels       []string  `json:"labels,omitempty"`    // label names at fetch time
	LabelIDs     []string  `json:"label_ids,omitempty"` // and their ids
	InternalDate time.Time `json:"internal_date,omitzero"`
	Staged       string    `json:"staged,omitempty"` // the inbox object holding the raw bytes
}

// RecordGmailPending records p, replacing an earlier record of the same
// message: a message seen again (relabelled) is filed on its current
// labels anyway.
func (t *Tenant) RecordGmailPending(ctx context.Context, mb string, p GmailPending) error {
	key, err := storage.GmailPendingKey(t.ID, mb, p.GmailID)
	if err != nil {
		return err
	}
	if err := t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, p, storage.PutOptions{}); err != nil {
		return fmt.Errorf("tenant %s mailbox %s pending %s: %w", t.ID, mb, p.GmailID, err)
	}
	return nil
}

// GmailPendingRecord returns the pending record of Gmail message gid.
func (t *Tenant) GmailPendingRecord(ctx context.Context, mb, gid string) (GmailPending, error) {
	key, err := storage.GmailPendingKey(t.ID, mb, gid)
	if err != nil {
		return GmailPending{}, err
	}
	var p GmailPending
	if err := t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, &p); err != nil {
		return GmailPending{}, fmt.Errorf("tenant %s mailbox %s pending %s: %w", t.ID, mb, gid, err)
	}
	return p, nil
}

// DeleteGmailPending removes the record once the message is filed.
func (t *Tenant) DeleteGmailPending(ctx context.Context, mb, gid string) error {
	key, err := storage.GmailPendingKey(t.ID, mb, gid)
	if err != nil {
		return err
	}
	if err := t.s.Delete(ctx, key); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("tenant %s mailbox %s pending %s: %w", t.ID, mb, gid, err)
	}
	return nil
}

// GmailPendingIDs lists the Gmail ids still pending for mailbox mb.
func (t *Tenant) GmailPendingIDs(ctx context.Context, mb string) ([]string, error) {
	prefix, err := storage.GmailPendingPrefix(t.ID, mb)
	if err != nil {
		return nil, err
	}
	out, err := t.names(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("tenant %s mailbox %s pending: %w", t.ID, mb, err)
	}
	return out, nil
}

// GmailFiled records that a Gmail message is filed, and the labels it
// carried then: a full resync skips it while it still carries them, instead
// of fetching it again at 20 quota units.
type GmailFiled struct {
	Message  string   `json:"message"`
	LabelIDs []string `json:"label_ids"`
}

// MarkGmailFiled records f for Gmail message gid of mailbox mb.
func (t *Tenant) MarkGmailFiled(ctx context.Context, mb, gid string, f GmailFiled) error {
	key, err := storage.GmailFiledKey(t.ID, mb, gid)
	if err != nil {
		return err
	}
	if err := t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, f, storage.PutOptions{}); err != nil {
		return fmt.Errorf("tenant %s mailbox %s filed %s: %w", t.ID, mb, gid, err)
	}
	return nil
}

// GmailFiledRecord returns what MarkGmailFiled recorded (storage.ErrNotFound
// if nothing).
func (t *Tenant) GmailFiledRecord(ctx context.Context, mb, gid string) (GmailFiled, error) {
	key, err := storage.GmailFiledKey(t.ID, mb, gid)
	if err != nil {
		return GmailFiled{}, err
	}
	var f GmailFiled
	if err := t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, &f); err != nil {
		return GmailFiled{}, fmt.Errorf("tenant %s mailbox %s filed %s: %w", t.ID, mb, gid, err)
	}
	return f, nil
}

// GmailFiledIDs lists the Gmail ids of mailbox mb that carry a filed
// marker: one listing instead of a read per message.
func (t *Tenant) GmailFiledIDs(ctx context.Context, mb string) ([]string, error) {
	prefix, err := storage.GmailFiledPrefix(t.ID, mb)
	if err != nil {
		return nil, err
	}
	out, err := t.names(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("tenant %s mailbox %s filed: %w", t.ID, mb, err)
	}
	return out, nil
}

// names lists the last part of every key under prefix.
func (t *Tenant) names(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	err := t.s.List(ctx, prefix, func(i storage.Info) error {
		out = append(out, strings.TrimPrefix(i.Key, prefix))
		return nil
	})
	return out, err
}
