package catalog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// threadRecord says where a conversation was last filed. Its object is
// named by a keyed hash of the thread key, so neither Message-IDs nor
// Gmail thread IDs appear in object names.
type threadRecord struct {
	Target  string    `json:"target"`
	Message string    `json:"message"`
	Time    time.Time `json:"time"`
}

func (t *Tenant) threadKey(key string) (string, error) {
	id, err := t.s.DeriveID("thread", []byte(key))
	if err != nil {
		return "", err
	}
	return storage.ThreadKey(t.ID, id)
}

// Threads looks up where the conversations under keys (classify.ThreadKeys
// of the messages a new message refers to) were filed. Records made by
// message self are left out: a message being filed again (a lawyer moved
// it) is decided on its labels, not on where it was before.
func (t *Tenant) Threads(ctx context.Context, keys []string, self string) (classify.ThreadMap, error) {
	out := classify.ThreadMap{}
	for _, k := range keys {
		key, err := t.threadKey(k)
		if err != nil {
			return nil, err
		}
		var rec threadRecord
		err = t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, &rec)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("tenant %s thread: %w", t.ID, err)
		}
		if rec.Message != self {
			out[k] = rec.Target
		}
	}
	return out, nil
}

// RecordThreads remembers that message msg, known under keys, was filed to
// target, so that later replies follow it. The latest filing wins: a
// conversation moved to another matter by a reviewer moves its replies too.
func (t *Tenant) RecordThreads(ctx context.Context, keys []string, target, msg string, at time.Time) error {
	for _, k := range keys {
		key, err := t.threadKey(k)
		if err != nil {
			return err
		}
		rec := threadRecord{Target: target, Message: msg, Time: at.UTC()}
		if err := t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, rec, storage.PutOptions{}); err != nil {
			return fmt.Errorf("tenant %s thread of %s: %w", t.ID, msg, err)
		}
	}
	return nil
}
