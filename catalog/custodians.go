package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// identityRecord names the message that holds a content first.
type identityRecord struct {
	Message string `json:"message"`
}

func (t *Tenant) identityKey(messageID string, content [32]byte) (string, error) {
	in := append([]byte(strings.TrimSpace(messageID)), 0)
	id, err := t.s.DeriveID("identity", append(in, content[:]...))
	if err != nil {
		return "", err
	}
	return storage.IdentityKey(t.ID, id)
}

// SameMessage returns the stored message with the given Message-ID and
// content hash (the body and attachments, not the per-mailbox headers), if
// one is filed or in review.
func (t *Tenant) SameMessage(ctx context.Context, messageID string, content [32]byte) (IndexEntry, bool, error) {
	key, err := t.identityKey(messageID, content)
	if err != nil {
		return IndexEntry{}, false, err
	}
	var rec identityRecord
	err = t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, &rec)
	if errors.Is(err, storage.ErrNotFound) {
		return IndexEntry{}, false, nil
	}
	if err != nil {
		return IndexEntry{}, false, fmt.Errorf("tenant %s identity: %w", t.ID, err)
	}
	e, err := t.Lookup(ctx, rec.Message)
	if errors.Is(err, storage.ErrNotFound) {
		// Erased since: the copy is filed as a message of its own.
		return IndexEntry{}, false, nil
	}
	return e, err == nil, err
}

// RecordIdentity records that message msg holds the content with the given
// Message-ID and content hash.
func (t *Tenant) RecordIdentity(ctx context.Context, messageID string, content [32]byte, msg string) error {
	key, err := t.identityKey(messageID, content)
	if err != nil {
		return err
	}
	if err := t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, identityRecord{Message: msg}, storage.PutOptions{}); err != nil {
		return fmt.Errorf("tenant %s identity of %s: %w", t.ID, msg, err)
	}
	return nil
}

// AddCustodian records that c's mailbox holds a copy of message msg, under
// the copy's own ID. It reports whether the record is new; adding the same
// copy twice is not an error.
func (t *Tenant) AddCustodian(ctx context.Context, msg, copyID string, c Custodian) (bool, error) {
	key, err := storage.CustodianKey(t.ID, msg, c.Mailbox)
	if err != nil {
		return false, err
	}
	err = t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, c, storage.PutOptions{CreateOnly: true})
	added := err == nil
	if err != nil && !errors.Is(err, storage.ErrExists) {
		return false, fmt.Errorf("tenant %s custodian of %s: %w", t.ID, msg, err)
	}
	ck, err := storage.CopyKey(t.ID, copyID)
	if err != nil {
		return false, err
	}
	err = t.putJSON(ctx, sealed.Place{Key: ck, Kind: sealed.KindRecord}, identityRecord{Message: msg}, storage.PutOptions{CreateOnly: true})
	if err != nil && !errors.Is(err, storage.ErrExists) {
		return false, fmt.Errorf("tenant %s copy of %s: %w", t.ID, msg, err)
	}
	return added, nil
}

// Resolve returns the index entry of message id, or of the message the
// copy id was merged into: either way, nothing is left to file.
func (t *Tenant) Resolve(ctx context.Context, id string) (IndexEntry, error) {
	e, err := t.Lookup(ctx, id)
	if !errors.Is(err, storage.ErrNotFound) {
		return e, err
	}
	ck, kerr := storage.CopyKey(t.ID, id)
	if kerr != nil {
		return IndexEntry{}, kerr
	}
	var rec identityRecord
	if gerr := t.getJSON(ctx, sealed.Place{Key: ck, Kind: sealed.KindRecord}, &rec); gerr != nil {
		if errors.Is(gerr, storage.ErrNotFound) {
			return IndexEntry{}, err
		}
		return IndexEntry{}, gerr
	}
	return t.Lookup(ctx, rec.Message)
}

// Custodians returns every mailbox that holds message e: the manifest's and
// those added by copies from other mailboxes.
func (t *Tenant) Custodians(ctx context.Context, e IndexEntry, m *Manifest) ([]Custodian, error) {
	out := append([]Custodian(nil), m.Custodians...)
	prefix, err := storage.CustodiansPrefix(t.ID, e.Message)
	if err != nil {
		return nil, err
	}
	var keys []string
	if err := t.s.List(ctx, prefix, func(i storage.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		return nil, fmt.Errorf("tenant %s custodians of %s: %w", t.ID, e.Message, err)
	}
	for _, k := range keys {
		var c Custodian
		if err := t.getJSON(ctx, sealed.Place{Key: k, Kind: sealed.KindRecord}, &c); err != nil {
			return nil, err
		}
		if !containsMailbox(out, c.Mailbox) {
			out = append(out, c)
		}
	}
	return out, nil
}

func containsMailbox(cs []Custodian, mb string) bool {
	for _, c := range cs {
		if c.Mailbox == mb {
			return true
		}
	}
	return false
}

// deleteCustodians removes the custodian records of message msg (an
// erasure: they name mailboxes and Gmail IDs).
func (t *Tenant) deleteCustodians(ctx context.Context, msg string) error {
	prefix, err := storage.CustodiansPrefix(t.ID, msg)
	if err != nil {
		return err
	}
	var keys []string
	if err := t.s.List(ctx, prefix, func(i storage.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		return err
	}
	for _, k := range keys {
		if err := t.s.Delete(ctx, k); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	return nil
}
