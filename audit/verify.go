package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"slices"

	"golang.org/x/mod/sumdb/note"

	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// What Verify finds; each *Error wraps exactly one of them.
var (
	// ErrGap: a record is missing, deleted.
	ErrGap = errors.New("gap: record missing")
	// ErrTruncated: the newest records are missing, which only a checkpoint
	// beyond the head shows. It wraps ErrGap.
	ErrTruncated = fmt.Errorf("log truncated: %w", ErrGap)
	// ErrAltered: a record does not authenticate at its sequence, or does
	// not decode.
	ErrAltered = errors.New("record altered")
	// ErrPrevMismatch: a record does not chain to the one before it, holds
	// another sequence's record, or is a copy of another record: inserted
	// or reordered.
	ErrPrevMismatch = errors.New("previous-hash mismatch: record inserted or reordered")
	// ErrCheckpointMismatch: a validly signed checkpoint names another hash
	// than the record at its sequence has.
	ErrCheckpointMismatch = errors.New("checkpoint mismatch")
	// ErrBadSignature: a checkpoint, or the key that verifies checkpoints,
	// is forged or damaged.
	ErrBadSignature = errors.New("bad checkpoint signature")
)

// Error is what Verify finds wrong: the first bad sequence and why. Seq 0
// means the log's verifier key rather than one record.
type Error struct {
	Tenant string
	Seq    uint64
	// Kind is one of ErrGap, ErrTruncated, ErrAltered, ErrPrevMismatch,
	// ErrCheckpointMismatch, ErrBadSignature.
	Kind error
	// Reason adds sequences and hashes, never record contents.
	Reason string
	// Err is the underlying failure, if any.
	Err error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("audit %s seq %d", e.Tenant, e.Seq)
	if !errors.Is(e.Err, e.Kind) {
		// Otherwise Err names the kind itself.
		s += fmt.Sprintf(": %v", e.Kind)
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Report says how far a log verified.
type Report struct {
	Tenant string
	// Head is the highest sequence stored.
	Head uint64
	// Verified is how many records, from 1, are intact and chained.
	Verified uint64
	// HeadHash is the hash of record Verified.
	HeadHash Hash
	// Checkpoints counts the checkpoint copies that verified against the
	// chain; LatestCheckpoint is the newest of their sequences.
	Checkpoints      int
	LatestCheckpoint uint64
	// Foreign lists keys under the log's prefixes that are neither records
	// nor checkpoints. They break nothing, but nothing of ours wrote them.
	Foreign []string
}

// maxStoredRecord bounds a record's ciphertext read for comparison; real
// ones are a few kilobytes.
const maxStoredRecord = 64 << 10

// Verify walks the whole chain, with every checkpoint, and reports the
// first bad sequence as an *Error; any other error means the log could not
// be read. What each tampering shows as:
//
//   - a record deleted: ErrGap at its sequence;
//   - the newest records deleted: ErrTruncated (an ErrGap) at the first of
//     them, if a checkpoint beyond them survives;
//   - a record's ciphertext changed, or two records' swapped: ErrAltered at
//     the first, since a ciphertext opens only at its own key;
//   - a record's ciphertext copied to another sequence: ErrPrevMismatch
//     there;
//   - a record sealed with the tenant's key that does not chain:
//     ErrPrevMismatch at the first record whose Prev disagrees (a record
//     rewritten by a key holder shows there too, one sequence later, or as
//     ErrCheckpointMismatch if a later checkpoint still holds the chain);
//   - a forged or damaged checkpoint or verifier key: ErrBadSignature.
//
// Records appended after the newest checkpoint and then deleted leave no
// trace; checkpoint often enough for that window to be acceptable.
func (l *Log) Verify(ctx context.Context) (Report, error) {
	rep := Report{Tenant: l.tenant}
	seqs, foreign, err := l.listSeqs(ctx)
	if err != nil {
		return rep, err
	}
	rep.Foreign = foreign
	if n := len(seqs); n > 0 {
		rep.Head = seqs[n-1]
	}
	v, err := l.verifier(ctx)
	if err != nil {
		return rep, err
	}
	cps := map[uint64]*copies{}
	if rep.Foreign, err = l.insideCheckpoints(ctx, v, cps, rep.Foreign); err != nil {
		return rep, err
	}
	if rep.Foreign, err = outsideCheckpoints(ctx, l.data, l.tenant, v, cps, rep.Foreign); err != nil {
		return rep, err
	}

	var prev Hash
	for i, seq := range seqs {
		want := uint64(i) + 1
		if seq != want {
			return rep, l.finding(want, ErrGap, fmt.Sprintf("missing; the next stored record is %d", seq), nil)
		}
		p, err := l.recordPlace(seq)
		if err != nil {
			return rep, err
		}
		data, err := l.s.GetRecord(ctx, p)
		switch {
		case errors.Is(err, sealed.ErrIntegrity):
			return rep, l.unopenable(ctx, seq, seqs, err)
		case errors.Is(err, storage.ErrNotFound):
			return rep, l.finding(seq, ErrGap, "deleted while being verified", nil)
		case err != nil:
			return rep, fmt.Errorf("audit %s seq %d: %w", l.tenant, seq, err)
		}
		r, err := decodeRecord(data)
		switch {
		case err != nil:
			return rep, l.finding(seq, ErrAltered, "opens but is not a record", err)
		case r.Seq != seq:
			return rep, l.finding(seq, ErrPrevMismatch, fmt.Sprintf("holds record %d", r.Seq), nil)
		case r.Prev != prev && seq == 1:
			return rep, l.finding(seq, ErrPrevMismatch, "the first record does not start the chain", nil)
		case r.Prev != prev:
			return rep, l.finding(seq, ErrPrevMismatch, fmt.Sprintf("does not chain to record %d (this one inserted or reordered, or that one rewritten)", seq-1), nil)
		}
		h := Hash(sha256.Sum256(data))
		if c := cps[seq]; c != nil {
			if c.bad != nil {
				return rep, l.finding(seq, kindOf(c.bad), "", c.bad)
			}
			for _, cp := range c.valid {
				if cp.Hash != h {
					return rep, l.finding(seq, ErrCheckpointMismatch, fmt.Sprintf("checkpoint signs hash %s, the record hashes to %s", cp.Hash, h), nil)
				}
				rep.Checkpoints++
				rep.LatestCheckpoint = seq
			}
		}
		prev = h
		rep.Verified, rep.HeadHash = seq, h
	}

	// Checkpoints beyond the head: a genuine one proves the tail was cut.
	var beyond []uint64
	for seq := range cps {
		if seq > rep.Head {
			beyond = append(beyond, seq)
		}
	}
	slices.Sort(beyond)
	for _, seq := range beyond {
		if len(cps[seq].valid) > 0 {
			return rep, l.finding(rep.Head+1, ErrTruncated, fmt.Sprintf("a checkpoint signs record %d, the log ends at %d", seq, rep.Head), nil)
		}
	}
	if len(beyond) > 0 {
		c := cps[beyond[0]]
		return rep, l.finding(beyond[0], kindOf(c.bad), "", c.bad)
	}
	return rep, nil
}

func (l *Log) finding(seq uint64, kind error, reason string, err error) *Error {
	return &Error{Tenant: l.tenant, Seq: seq, Kind: kind, Reason: reason, Err: err}
}

func kindOf(err error) error {
	if errors.Is(err, ErrCheckpointMismatch) {
		return ErrCheckpointMismatch
	}
	return ErrBadSignature
}

// unopenable says why record seq does not open at its key. Its ciphertext
// cannot be opened anywhere else either (the store offers no such thing),
// but if it is byte for byte another record's, it was copied there.
func (l *Log) unopenable(ctx context.Context, seq uint64, seqs []uint64, cause error) *Error {
	f := l.finding(seq, ErrAltered, "does not authenticate at its sequence", cause)
	key, err := storage.AuditKey(l.tenant, seq)
	if err != nil {
		return f
	}
	ct, err := readSmall(ctx, l.data, key, maxStoredRecord)
	if err != nil {
		// The data store given is not the one under the sealed store.
		return f
	}
	for _, other := range seqs {
		if other == seq {
			continue
		}
		okey, err := storage.AuditKey(l.tenant, other)
		if err != nil {
			continue
		}
		if oct, err := readSmall(ctx, l.data, okey, maxStoredRecord); err == nil && bytes.Equal(oct, ct) {
			f.Kind, f.Reason = ErrPrevMismatch, fmt.Sprintf("holds a copy of record %d", other)
			return f
		}
	}
	return f
}

// copies are the checkpoints found for one sequence, inside and outside
// the tenant's space.
type copies struct {
	valid []Checkpoint
	bad   error // the first copy that did not verify
}

func (c *copies) add(cp Checkpoint, err error) {
	if err != nil {
		if c.bad == nil {
			c.bad = err
		}
		return
	}
	c.valid = append(c.valid, cp)
}

func at(cps map[uint64]*copies, seq uint64) *copies {
	c := cps[seq]
	if c == nil {
		c = &copies{}
		cps[seq] = c
	}
	return c
}

// verifier is the key checkpoints must be signed with: the tenant's own,
// which is sealed and so cannot be swapped, and which the outside copy
// must match; the outside copy alone once the tenant's key is gone.
func (l *Log) verifier(ctx context.Context) (note.Verifier, error) {
	_, inside, err := l.readSigningKey(ctx)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case errors.Is(err, sealed.ErrIntegrity), errors.Is(err, ErrBadSignature):
		return nil, l.finding(0, ErrBadSignature, "the signing key does not open", err)
	case err != nil:
		return nil, err
	}
	outside, err := outsideVerifierKey(ctx, l.data, l.tenant)
	var f *Error
	if errors.As(err, &f) {
		return nil, f
	}
	if err != nil {
		return nil, err
	}
	if inside != "" && outside != "" && inside != outside {
		return nil, l.finding(0, ErrBadSignature, "the published verifier key is not the tenant's signing key", nil)
	}
	vkey := inside
	if vkey == "" {
		vkey = outside
	}
	if vkey == "" {
		return nil, nil
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, l.finding(0, ErrBadSignature, "the verifier key is malformed", nil)
	}
	return v, nil
}

// outsideVerifierKey reads the published verifier key; "" if there is none.
func outsideVerifierKey(ctx context.Context, data storage.BlobStore, tenant string) (string, error) {
	key, err := storage.CheckpointVerifierKey(tenant)
	if err != nil {
		return "", err
	}
	b, err := readSmall(ctx, data, key, maxNote)
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("audit %s verifier key: %w", tenant, err)
	}
	v, err := note.NewVerifier(string(b))
	if err != nil || v.Name() != signerName(tenant) {
		return "", &Error{Tenant: tenant, Kind: ErrBadSignature, Reason: "the published verifier key is malformed or not this tenant's"}
	}
	return string(b), nil
}

// insideCheckpoints adds the checkpoints kept in the tenant's space to cps
// and returns foreign with the keys there that are not checkpoints added.
func (l *Log) insideCheckpoints(ctx context.Context, v note.Verifier, cps map[uint64]*copies, foreign []string) ([]string, error) {
	prefix, err := storage.AuditCheckpointsPrefix(l.tenant)
	if err != nil {
		return foreign, err
	}
	found := map[uint64]string{}
	err = l.s.List(ctx, prefix, func(i storage.Info) error {
		if seq, ok := storage.ParseAuditSeq(i.Key[len(prefix):]); ok {
			found[seq] = i.Key
		} else {
			foreign = append(foreign, i.Key)
		}
		return nil
	})
	if err != nil {
		return foreign, fmt.Errorf("audit %s: list checkpoints: %w", l.tenant, err)
	}
	for seq, key := range found {
		msg, err := l.s.GetRecord(ctx, sealed.Place{Key: key, Kind: sealed.KindCheckpoint})
		switch {
		case errors.Is(err, storage.ErrNotFound):
			continue
		case errors.Is(err, sealed.ErrIntegrity):
			at(cps, seq).add(Checkpoint{}, fmt.Errorf("the copy in the tenant's space does not open: %w (%w)", ErrBadSignature, err))
			continue
		case err != nil:
			return foreign, err
		}
		at(cps, seq).add(parseAt(msg, l.tenant, seq, v))
	}
	return foreign, nil
}

// outsideCheckpoints adds the checkpoints kept outside the tenant's space
// to cps, as insideCheckpoints does.
func outsideCheckpoints(ctx context.Context, data storage.BlobStore, tenant string, v note.Verifier, cps map[uint64]*copies, foreign []string) ([]string, error) {
	prefix, err := storage.CheckpointsRegistryPrefix(tenant)
	if err != nil {
		return foreign, err
	}
	vkey, err := storage.CheckpointVerifierKey(tenant)
	if err != nil {
		return foreign, err
	}
	found := map[uint64]string{}
	err = data.List(ctx, prefix, func(i storage.Info) error {
		if seq, ok := storage.ParseAuditSeq(i.Key[len(prefix):]); ok {
			found[seq] = i.Key
		} else if i.Key != vkey {
			foreign = append(foreign, i.Key)
		}
		return nil
	})
	if err != nil {
		return foreign, fmt.Errorf("audit %s: list published checkpoints: %w", tenant, err)
	}
	for seq, key := range found {
		msg, err := readSmall(ctx, data, key, maxNote)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			continue
		case errors.Is(err, errTooLarge):
			at(cps, seq).add(Checkpoint{}, fmt.Errorf("%w: %w", ErrBadSignature, err))
			continue
		case err != nil:
			return foreign, err
		}
		at(cps, seq).add(parseAt(msg, tenant, seq, v))
	}
	return foreign, nil
}

// parseAt parses the checkpoint stored for seq and insists it is for seq:
// a genuine checkpoint copied to another sequence is a mismatch.
func parseAt(msg []byte, tenant string, seq uint64, v note.Verifier) (Checkpoint, error) {
	cp, err := ParseCheckpoint(msg, tenant, v)
	if err != nil {
		return Checkpoint{}, err
	}
	if cp.Seq != seq {
		return Checkpoint{}, fmt.Errorf("stored for record %d, signs record %d: %w", seq, cp.Seq, ErrCheckpointMismatch)
	}
	return cp, nil
}

// VerifyPublished checks the checkpoints of tenant's log kept outside its
// space, with the verifier key published there, and returns the newest.
// It needs no keys, so it still works after the tenant was crypto-shredded:
// it proves how long the log was and what its head hashed to. A problem is
// reported as an *Error, as by Verify.
func VerifyPublished(ctx context.Context, data storage.BlobStore, tenant string) (Checkpoint, error) {
	vkey, err := outsideVerifierKey(ctx, data, tenant)
	if err != nil {
		return Checkpoint{}, err
	}
	var v note.Verifier
	if vkey != "" {
		if v, err = note.NewVerifier(vkey); err != nil {
			return Checkpoint{}, &Error{Tenant: tenant, Kind: ErrBadSignature, Reason: "the published verifier key is malformed"}
		}
	}
	cps := map[uint64]*copies{}
	if _, err := outsideCheckpoints(ctx, data, tenant, v, cps, nil); err != nil {
		return Checkpoint{}, err
	}
	var newest Checkpoint
	for _, seq := range slices.Sorted(maps.Keys(cps)) {
		c := cps[seq]
		if c.bad != nil {
			return Checkpoint{}, &Error{Tenant: tenant, Seq: seq, Kind: kindOf(c.bad), Err: c.bad}
		}
		newest = c.valid[0]
	}
	return newest, nil
}
