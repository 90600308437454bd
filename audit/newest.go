package audit

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/matterfile/matterfile/storage"
)

// Newest calls fn with the records f selects, newest first, until fn
// returns false: a page of the trail costs the records read to fill it,
// not the whole log. It starts from the head this Log knows (listed once,
// then moved past what other writers appended), so it does not list the
// log either. A missing sequence is skipped: Verify reports gaps. Like
// List, it authenticates each record the first time it reads it and does
// not check the chain; records are written once, so a record read before
// is taken from memory (up to maxReadCache of them).
func (l *Log) Newest(ctx context.Context, f Filter, fn func(Record) bool) error {
	l.mu.Lock()
	err := l.loadHead(ctx)
	if err == nil {
		err = l.advance(ctx)
	}
	head := l.head
	l.mu.Unlock()
	if err != nil {
		return err
	}
	for seq := head; seq > 0; seq-- {
		r, ok := l.read.get(seq)
		if !ok {
			data, err := l.readRaw(ctx, seq)
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if r, err = decodeRecord(data); err != nil {
				return fmt.Errorf("audit %s seq %d: %w", l.tenant, seq, err)
			}
			l.read.put(r)
		}
		if r.Time.Before(f.Since) || f.Actor != "" && r.Actor != f.Actor {
			continue
		}
		r.Objects = maps.Clone(r.Objects)
		if !fn(r) {
			return nil
		}
	}
	return nil
}

// maxReadCache bounds the records a Log keeps decoded; past it, it starts
// over.
const maxReadCache = 100_000

// readCache holds decoded records by sequence.
type readCache struct {
	mu sync.Mutex
	m  map[uint64]Record
}

func (c *readCache) get(seq uint64) (Record, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[seq]
	return r, ok
}

func (c *readCache) put(r Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxReadCache {
		c.m = map[uint64]Record{}
	}
	c.m[r.Seq] = r
}
