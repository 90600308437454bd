// Package audit owns each tenant's audit log: an append-only, hash-chained
// sequence of records of who did what to which object, and when. Every
// other package records through the small Recorder interface and never
// touches the log's objects itself.
//
// Each record is sealed (AES256_GCM, associated data binding the tenant and
// the record's key, which holds its sequence number) and written
// create-only at tenants/<t>/audit/<seq>; it holds the SHA-256 of the
// previous record's canonical encoding, so deleting, altering, inserting or
// reordering records breaks the chain. Every CheckpointEvery records, and
// on demand, the head (tenant, sequence, hash) is signed with the tenant's
// ed25519 key as a signed note (golang.org/x/mod/sumdb/note) and written
// inside the tenant's space and outside it, in registry/checkpoints/<t>/,
// so that cutting off the tail shows, and the last state of a
// crypto-shredded tenant's log stays provable. Verify walks the chain and
// names the first bad sequence and why.
//
// The package must never record content: a record holds IDs, a fixed
// action, an outcome, a short detail of IDs, counts and error classes, and
// it refuses anything else (no subjects, addresses, filenames, header
// values or tokens). It must never rewrite or delete a record, nor a
// checkpoint: everything it writes is create-only. Errors name tenants and
// sequences, never what a record says.
//
// A consumer holds a Recorder and records after acting, success or not:
//
//	_, err := rec.Record(ctx, audit.Record{
//		Actor:   "cli:" + osUser,
//		Action:  audit.ActionClientDelete,
//		Objects: map[string]string{"tenant": t, "client": c},
//		Outcome: audit.OK,
//		Detail:  "keysets destroyed: 3",
//	})
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// Recorder is what every other package records through.
type Recorder interface {
	// Record appends r to the log and returns it with Seq, Time and Prev
	// filled in.
	Record(ctx context.Context, r Record) (Record, error)
}

// Store is what a Log needs of the tenant's sealed store; *sealed.Store
// has it.
type Store interface {
	Tenant() string
	PutRecord(ctx context.Context, p sealed.Place, plaintext []byte, opts storage.PutOptions) error
	GetRecord(ctx context.Context, p sealed.Place) ([]byte, error)
	List(ctx context.Context, prefix string, fn func(storage.Info) error) error
}

// Config tunes a Log. The zero value is usable.
type Config struct {
	// CheckpointEvery is how many records apart automatic checkpoints are;
	// 0 means 100.
	CheckpointEvery uint64
	// Now is the clock records are stamped with; nil means time.Now.
	Now func() time.Time
}

const defaultCheckpointEvery = 100

func (c Config) withDefaults() Config {
	if c.CheckpointEvery == 0 {
		c.CheckpointEvery = defaultCheckpointEvery
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// maxAppendAttempts bounds how often an append loses the race for the next
// sequence to another process before it gives up; each lost race moves the
// head forward, so only sustained contention exhausts it.
const maxAppendAttempts = 64

// Log is one tenant's audit log. It is safe for concurrent use, and several
// Logs (in several processes) may append to the same tenant's log: each
// sequence is written create-only, so exactly one writer gets it.
type Log struct {
	s      Store
	data   storage.BlobStore
	tenant string
	cfg    Config

	// mu serializes this Log's appends and checkpoints; other processes
	// are kept apart by the create-only writes.
	mu       sync.Mutex
	known    bool // head and headHash have been read from the store
	head     uint64
	headHash Hash
	// checkpointDue is set when an automatic checkpoint failed, so the next
	// append tries again instead of waiting for the next multiple.
	checkpointDue bool
	signer        note.Signer
	vkey          string

	// read keeps decoded records for Newest (newest.go).
	read readCache
}

// New returns the audit log of the tenant whose sealed store is s. data is
// the plain data store underneath it: checkpoints are copied there outside
// the tenant's space, and Verify reads raw ciphertext there to tell a
// copied record from an altered one.
func New(s Store, data storage.BlobStore, cfg Config) (*Log, error) {
	if s == nil || data == nil {
		return nil, errors.New("audit: sealed store and data store are required")
	}
	return &Log{s: s, data: data, tenant: s.Tenant(), cfg: cfg.withDefaults()}, nil
}

// Tenant is the tenant whose log this is.
func (l *Log) Tenant() string { return l.tenant }

func (l *Log) recordPlace(seq uint64) (sealed.Place, error) {
	key, err := storage.AuditKey(l.tenant, seq)
	if err != nil {
		return sealed.Place{}, err
	}
	return sealed.Place{Key: key, Kind: sealed.KindAudit}, nil
}

// Record appends r as the next record. The record is stored once Record
// returns it with a nil error. If it returns the record with an error
// wrapping ErrCheckpoint, the record is stored and only the checkpoint due
// after it failed; the next append tries that again. While the newest
// stored record does not open, Record refuses (wrapping
// sealed.ErrIntegrity) rather than chain onto it: Verify names it.
func (l *Log) Record(ctx context.Context, r Record) (Record, error) {
	if err := r.validate(); err != nil {
		return Record{}, fmt.Errorf("audit %s: %w", l.tenant, err)
	}
	if t, ok := r.Objects["tenant"]; ok && t != l.tenant {
		return Record{}, fmt.Errorf("audit %s: record names tenant %s: %w", l.tenant, t, ErrInvalid)
	}
	r.Objects = maps.Clone(r.Objects)

	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.loadHead(ctx); err != nil {
		return Record{}, err
	}
	for range maxAppendAttempts {
		r.Seq, r.Prev, r.Time = l.head+1, l.headHash, l.cfg.Now().UTC()
		data, err := r.Encode()
		if err != nil {
			return Record{}, fmt.Errorf("audit %s seq %d: %w", l.tenant, r.Seq, err)
		}
		p, err := l.recordPlace(r.Seq)
		if err != nil {
			return Record{}, err
		}
		err = l.s.PutRecord(ctx, p, data, storage.PutOptions{CreateOnly: true})
		if errors.Is(err, storage.ErrExists) {
			// Another writer took the sequence, unless a retried put of
			// ours landed twice: then the stored record is this one.
			got, gerr := l.s.GetRecord(ctx, p)
			if gerr != nil {
				return Record{}, fmt.Errorf("audit %s seq %d: %w", l.tenant, r.Seq, gerr)
			}
			if !bytes.Equal(got, data) {
				l.head, l.headHash = r.Seq, sha256.Sum256(got)
				if err := l.advance(ctx); err != nil {
					return Record{}, err
				}
				continue
			}
		} else if err != nil {
			return Record{}, fmt.Errorf("audit %s seq %d: %w", l.tenant, r.Seq, err)
		}
		l.head, l.headHash = r.Seq, sha256.Sum256(data)
		if l.checkpointDue || r.Seq%l.cfg.CheckpointEvery == 0 {
			l.checkpointDue = true
			if _, err := l.checkpoint(ctx); err != nil {
				return r, fmt.Errorf("audit %s seq %d: %w (%w)", l.tenant, r.Seq, ErrCheckpoint, err)
			}
			l.checkpointDue = false
		}
		return r, nil
	}
	return Record{}, fmt.Errorf("audit %s: lost the race for the next sequence %d times", l.tenant, maxAppendAttempts)
}

// loadHead finds the newest record the first time it is needed; after
// that the cached head is only moved forward by lost races.
func (l *Log) loadHead(ctx context.Context) error {
	if l.known {
		return nil
	}
	seqs, _, err := l.listSeqs(ctx)
	if err != nil {
		return err
	}
	l.head, l.headHash = 0, Hash{}
	if n := len(seqs); n > 0 {
		l.head = seqs[n-1]
		data, err := l.readRaw(ctx, l.head)
		if err != nil {
			return err
		}
		l.headHash = sha256.Sum256(data)
	}
	l.known = true
	return l.advance(ctx)
}

// advance moves the cached head past records other writers appended. An
// append never chains onto a record it cannot open: that would extend a
// broken chain and hide where it broke.
func (l *Log) advance(ctx context.Context) error {
	for {
		data, err := l.readRaw(ctx, l.head+1)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		l.head, l.headHash = l.head+1, sha256.Sum256(data)
	}
}

// readRaw returns the canonical encoding of record seq as stored.
func (l *Log) readRaw(ctx context.Context, seq uint64) ([]byte, error) {
	p, err := l.recordPlace(seq)
	if err != nil {
		return nil, err
	}
	data, err := l.s.GetRecord(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("audit %s seq %d: %w", l.tenant, seq, err)
	}
	return data, nil
}

// listSeqs lists the stored sequence numbers in order, and the keys under
// the audit prefix that are not records.
func (l *Log) listSeqs(ctx context.Context) (seqs []uint64, foreign []string, err error) {
	prefix, err := storage.AuditPrefix(l.tenant)
	if err != nil {
		return nil, nil, err
	}
	err = l.s.List(ctx, prefix, func(i storage.Info) error {
		if seq, ok := storage.ParseAuditSeq(i.Key[len(prefix):]); ok {
			seqs = append(seqs, seq)
		} else {
			foreign = append(foreign, i.Key)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("audit %s: list records: %w", l.tenant, err)
	}
	return seqs, foreign, nil
}

// Filter selects records for List; zero fields select everything.
type Filter struct {
	// Since keeps records at or after this time.
	Since time.Time
	// Actor keeps records of exactly this actor.
	Actor string
}

// List calls fn with every record the filter selects, in sequence order.
// Each record is authenticated as it is read, but List does not check the
// chain: Verify does. An error from fn stops the listing and is returned.
func (l *Log) List(ctx context.Context, f Filter, fn func(Record) error) error {
	seqs, _, err := l.listSeqs(ctx)
	if err != nil {
		return err
	}
	for _, seq := range seqs {
		data, err := l.readRaw(ctx, seq)
		if err != nil {
			return err
		}
		r, err := decodeRecord(data)
		if err != nil {
			return fmt.Errorf("audit %s seq %d: %w", l.tenant, seq, err)
		}
		if r.Time.Before(f.Since) || f.Actor != "" && r.Actor != f.Actor {
			continue
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}
