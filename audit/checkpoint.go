package audit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/matterfile/matterfile/ids"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// ErrCheckpoint is wrapped when a record was stored but the checkpoint due
// after it could not be written.
var ErrCheckpoint = errors.New("checkpoint not written")

// Checkpoint is a signed statement of a log's head: record Seq of Tenant's
// log has canonical-encoding hash Hash.
type Checkpoint struct {
	Tenant string
	Seq    uint64
	Hash   Hash
	// Note is the signed note as stored.
	Note []byte
}

// checkpointHeader starts every checkpoint text; a new text format is a new
// header.
const checkpointHeader = "matterfile audit checkpoint v1"

// checkpointText is the signed text: IDs and hashes only, because the copy
// outside the tenant's space is plain.
func checkpointText(tenant string, seq uint64, h Hash) string {
	return fmt.Sprintf("%s\ntenant %s\nseq %d\nhash %s\n", checkpointHeader, tenant, seq, h)
}

// signerName names the tenant's key in its notes.
func signerName(tenant string) string { return "matterfile-audit/" + tenant }

// maxNote bounds a stored checkpoint or key; real ones are a few hundred
// bytes.
const maxNote = 4 << 10

// ParseCheckpoint opens the signed note msg, which must be a checkpoint of
// tenant's log signed by v and by nothing else. Signature failures and
// malformed notes wrap ErrBadSignature.
func ParseCheckpoint(msg []byte, tenant string, v note.Verifier) (Checkpoint, error) {
	if len(msg) > maxNote {
		return Checkpoint{}, fmt.Errorf("checkpoint is %d bytes: %w", len(msg), ErrBadSignature)
	}
	if v == nil {
		return Checkpoint{}, fmt.Errorf("no verifier key: %w", ErrBadSignature)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		// note's errors name the key and nothing of the text.
		return Checkpoint{}, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	if len(n.Sigs) != 1 || len(n.UnverifiedSigs) != 0 {
		return Checkpoint{}, fmt.Errorf("checkpoint carries signatures by other keys: %w", ErrBadSignature)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) != 5 || lines[0] != checkpointHeader || lines[4] != "" {
		return Checkpoint{}, fmt.Errorf("checkpoint text is malformed: %w", ErrBadSignature)
	}
	t, ok1 := strings.CutPrefix(lines[1], "tenant ")
	s, ok2 := strings.CutPrefix(lines[2], "seq ")
	hs, ok3 := strings.CutPrefix(lines[3], "hash ")
	seq, err := strconv.ParseUint(s, 10, 64)
	h, ok4 := parseHash(hs)
	if !ok1 || !ok2 || !ok3 || !ok4 || err != nil || seq == 0 || !ids.Valid(t) {
		return Checkpoint{}, fmt.Errorf("checkpoint text is malformed: %w", ErrBadSignature)
	}
	if checkpointText(t, seq, h) != n.Text {
		return Checkpoint{}, fmt.Errorf("checkpoint text is not canonical: %w", ErrBadSignature)
	}
	if t != tenant {
		return Checkpoint{}, fmt.Errorf("checkpoint of tenant %s: %w", t, ErrCheckpointMismatch)
	}
	return Checkpoint{Tenant: t, Seq: seq, Hash: h, Note: msg}, nil
}

// signingKey is the stored form of the tenant's checkpoint key.
type signingKey struct {
	V    int    `json:"v"`
	SKey string `json:"skey"`
	VKey string `json:"vkey"`
}

func (l *Log) signingKeyPlace() (sealed.Place, error) {
	key, err := storage.AuditSigningKey(l.tenant)
	if err != nil {
		return sealed.Place{}, err
	}
	return sealed.Place{Key: key, Kind: sealed.KindSecret}, nil
}

// readSigningKey returns the tenant's stored checkpoint key, or an error
// wrapping storage.ErrNotFound.
func (l *Log) readSigningKey(ctx context.Context) (note.Signer, string, error) {
	p, err := l.signingKeyPlace()
	if err != nil {
		return nil, "", err
	}
	data, err := l.s.GetRecord(ctx, p)
	if err != nil {
		return nil, "", fmt.Errorf("audit %s signing key: %w", l.tenant, err)
	}
	var k signingKey
	// Only a holder of the tenant's keys can have sealed a bad key record,
	// but it is still refused rather than trusted.
	if err := json.Unmarshal(data, &k); err != nil || k.V != 1 {
		return nil, "", fmt.Errorf("audit %s signing key is malformed: %w", l.tenant, ErrBadSignature)
	}
	signer, err := note.NewSigner(k.SKey)
	if err != nil {
		return nil, "", fmt.Errorf("audit %s signing key is malformed: %w", l.tenant, ErrBadSignature)
	}
	v, err := note.NewVerifier(k.VKey)
	if err != nil || v.Name() != signer.Name() || v.KeyHash() != signer.KeyHash() || signer.Name() != signerName(l.tenant) {
		return nil, "", fmt.Errorf("audit %s signing key does not match its verifier key: %w", l.tenant, ErrBadSignature)
	}
	return signer, k.VKey, nil
}

// loadSigner reads the tenant's checkpoint key, making it on first use, and
// publishes its verifier key outside the tenant's space. Both writes are
// create-only: of two processes making a key at once, one key wins and both
// use it.
func (l *Log) loadSigner(ctx context.Context) error {
	if l.signer != nil {
		return nil
	}
	signer, vkey, err := l.readSigningKey(ctx)
	if errors.Is(err, storage.ErrNotFound) {
		var k signingKey
		k.V = 1
		if k.SKey, k.VKey, err = note.GenerateKey(rand.Reader, signerName(l.tenant)); err != nil {
			return fmt.Errorf("audit %s: generate signing key: %w", l.tenant, err)
		}
		data, err := json.Marshal(k)
		if err != nil {
			return fmt.Errorf("audit %s: encode signing key: %w", l.tenant, err)
		}
		p, err := l.signingKeyPlace()
		if err != nil {
			return err
		}
		if err := l.s.PutRecord(ctx, p, data, storage.PutOptions{CreateOnly: true}); err != nil && !errors.Is(err, storage.ErrExists) {
			return fmt.Errorf("audit %s: store signing key: %w", l.tenant, err)
		}
		signer, vkey, err = l.readSigningKey(ctx)
	}
	if err != nil {
		return err
	}
	key, err := storage.CheckpointVerifierKey(l.tenant)
	if err != nil {
		return err
	}
	if err := putOnce(ctx, l.data, key, []byte(vkey)); err != nil {
		// A different key there was published by an earlier tenant of the
		// same id, or planted: either way these checkpoints would not
		// verify against it, so refuse to sign.
		return fmt.Errorf("audit %s verifier key: %w", l.tenant, err)
	}
	l.signer, l.vkey = signer, vkey
	return nil
}

// putOnce writes data at key create-only and accepts an existing object
// only if it holds the same bytes: checkpoints and keys are written once,
// and a retried or repeated write of the same thing is not an error.
func putOnce(ctx context.Context, bs storage.BlobStore, key string, data []byte) error {
	err := bs.Put(ctx, key, bytes.NewReader(data), storage.PutOptions{CreateOnly: true})
	if !errors.Is(err, storage.ErrExists) {
		return err
	}
	got, err := readSmall(ctx, bs, key, maxNote)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, data) {
		return fmt.Errorf("%s already holds something else: %w", key, ErrCheckpointMismatch)
	}
	return nil
}

// errTooLarge is wrapped when a stored object is larger than anything the
// log writes there: no reader of ours should buffer it.
var errTooLarge = errors.New("object larger than the log writes")

// readSmall reads the whole plain object at key, at most limit bytes.
func readSmall(ctx context.Context, bs storage.BlobStore, key string, limit int64) ([]byte, error) {
	rc, err := bs.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: %w", key, errTooLarge)
	}
	return data, nil
}

// Checkpoint signs the current head, including records other processes
// appended, and stores it inside and outside the tenant's space. An empty
// log has nothing to sign: it returns the zero Checkpoint.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.loadHead(ctx); err != nil {
		return Checkpoint{}, err
	}
	if err := l.advance(ctx); err != nil {
		return Checkpoint{}, err
	}
	if l.head == 0 {
		return Checkpoint{}, nil
	}
	cp, err := l.checkpoint(ctx)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit %s seq %d: %w (%w)", l.tenant, l.head, ErrCheckpoint, err)
	}
	l.checkpointDue = false
	return cp, nil
}

// checkpoint signs the cached head; the caller holds l.mu. The outside copy
// is written first: it is the one that outlives the tenant.
func (l *Log) checkpoint(ctx context.Context) (Checkpoint, error) {
	if err := l.loadSigner(ctx); err != nil {
		return Checkpoint{}, err
	}
	cp := Checkpoint{Tenant: l.tenant, Seq: l.head, Hash: l.headHash}
	msg, err := note.Sign(&note.Note{Text: checkpointText(cp.Tenant, cp.Seq, cp.Hash)}, l.signer)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("sign: %w", err)
	}
	cp.Note = msg
	outside, err := storage.CheckpointRegistryKey(l.tenant, cp.Seq)
	if err != nil {
		return Checkpoint{}, err
	}
	if err := putOnce(ctx, l.data, outside, msg); err != nil {
		return Checkpoint{}, err
	}
	inside, err := storage.AuditCheckpointKey(l.tenant, cp.Seq)
	if err != nil {
		return Checkpoint{}, err
	}
	p := sealed.Place{Key: inside, Kind: sealed.KindCheckpoint}
	err = l.s.PutRecord(ctx, p, msg, storage.PutOptions{CreateOnly: true})
	if errors.Is(err, storage.ErrExists) {
		// ed25519 signatures are deterministic, so a repeat is byte-equal.
		var got []byte
		if got, err = l.s.GetRecord(ctx, p); err == nil && !bytes.Equal(got, msg) {
			err = fmt.Errorf("%s already holds something else: %w", inside, ErrCheckpointMismatch)
		}
	}
	if err != nil {
		return Checkpoint{}, err
	}
	return cp, nil
}
