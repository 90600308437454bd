package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// threadRecord says where a conversation was last filed, and which
// messages in review wait for it. Its object is named by a keyed hash of
// the thread key, so neither Message-IDs nor Gmail thread IDs appear in
// object names.
type threadRecord struct {
	Target  string    `json:"target,omitempty"`
	Message string    `json:"message,omitempty"`
	Time    time.Time `json:"time"`
	// Waiting are messages that went to review while this conversation
	// was not filed yet: a reply processed before the message it answers.
	// Filing the conversation hands them back for another decision.
	Waiting []string `json:"waiting,omitempty"`
}

// maxWaiting bounds a thread record: past it, the review queue's recheck
// command is the way to pick up the rest.
const maxWaiting = 64

func (t *Tenant) threadKey(key string) (string, error) {
	id, err := t.s.DeriveID("thread", []byte(key))
	if err != nil {
		return "", err
	}
	return storage.ThreadKey(t.ID, id)
}

func (t *Tenant) threadRecord(ctx context.Context, key string) (threadRecord, string, error) {
	obj, err := t.threadKey(key)
	if err != nil {
		return threadRecord{}, "", err
	}
	var rec threadRecord
	err = t.getJSON(ctx, sealed.Place{Key: obj, Kind: sealed.KindRecord}, &rec)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return threadRecord{}, "", fmt.Errorf("tenant %s thread: %w", t.ID, err)
	}
	return rec, obj, nil
}

// Threads looks up where the conversations under keys (classify.ThreadKeys
// of the messages a new message refers to) were filed. Records made by
// message self are left out: a message being filed again (a lawyer moved
// it) is decided on its labels, not on where it was before.
func (t *Tenant) Threads(ctx context.Context, keys []string, self string) (classify.ThreadMap, error) {
	keys = distinct(keys)
	recs := make([]threadRecord, len(keys))
	// Each record is its own object: read them at once.
	var g errgroup.Group
	for i, k := range keys {
		g.Go(func() (err error) {
			recs[i], _, err = t.threadRecord(ctx, k)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := classify.ThreadMap{}
	for i, rec := range recs {
		if rec.Target != "" && rec.Message != self {
			out[keys[i]] = rec.Target
		}
	}
	return out, nil
}

// RecordThreads remembers that message msg, known under keys, was filed to
// target, so that later replies follow it. The latest filing wins: a
// conversation moved to another matter by a reviewer moves its replies too.
// It returns the messages that waited in review for these conversations.
func (t *Tenant) RecordThreads(ctx context.Context, keys []string, target, msg string, at time.Time) ([]string, error) {
	keys = distinct(keys)
	waits := make([][]string, len(keys))
	// Each key is its own record, read and rewritten on its own: the
	// keys are handled at once.
	var g errgroup.Group
	for i, k := range keys {
		g.Go(func() error {
			rec, obj, err := t.threadRecord(ctx, k)
			if err != nil {
				return err
			}
			waits[i] = rec.Waiting
			rec = threadRecord{Target: target, Message: msg, Time: at.UTC()}
			if err := t.putJSON(ctx, sealed.Place{Key: obj, Kind: sealed.KindRecord}, rec, storage.PutOptions{}); err != nil {
				return fmt.Errorf("tenant %s thread of %s: %w", t.ID, msg, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var waiting []string
	for _, ws := range waits {
		for _, w := range ws {
			if w != msg && !slices.Contains(waiting, w) {
				waiting = append(waiting, w)
			}
		}
	}
	return waiting, nil
}

// AwaitThreads records that message msg, in review, refers to the
// conversations under keys, none of them filed yet. Two replies recorded at
// once may lose one of them; it then stays in review, where `review
// recheck` finds it.
func (t *Tenant) AwaitThreads(ctx context.Context, keys []string, msg string, at time.Time) error {
	for _, k := range distinct(keys) {
		rec, obj, err := t.threadRecord(ctx, k)
		if err != nil {
			return err
		}
		if rec.Target != "" || slices.Contains(rec.Waiting, msg) || len(rec.Waiting) >= maxWaiting {
			continue
		}
		rec.Waiting = append(rec.Waiting, msg)
		rec.Time = at.UTC()
		if err := t.putJSON(ctx, sealed.Place{Key: obj, Kind: sealed.KindRecord}, rec, storage.PutOptions{}); err != nil {
			return fmt.Errorf("tenant %s thread awaited by %s: %w", t.ID, msg, err)
		}
	}
	return nil
}

// distinct is keys without repeats, in order: a reply's In-Reply-To is
// usually among its References too, and each record is read (and
// written) once.
func distinct(keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}
