package catalog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// Re-encryption moves every object of a tenant onto its owners' current
// primary keys (see sealed.Reseal) and then retires the older keys (see
// sealed.Retirement). It is resumable: progress is recorded in the store
// after every batch, and a new run continues after the last key done.

// Reencrypt phases.
const (
	PhaseReseal = "reseal"
	PhaseVerify = "verify"
	PhaseWait   = "waiting to retire"
	PhaseDone   = "done"
)

// ReencryptReport is the recorded progress of a re-encryption.
type ReencryptReport struct {
	Phase    string    `json:"phase"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
	// After is the last object key done in the current phase.
	After string `json:"after,omitempty"`
	// Resealed objects and their plaintext bytes.
	Resealed int   `json:"resealed"`
	Bytes    int64 `json:"bytes"`
	// Verified objects open with the primary keys alone.
	Verified int `json:"verified"`
	// Changed objects were replaced by another writer while being resealed
	// (the writer used current keys; the verify phase checks).
	Changed int `json:"changed"`
	// Erased objects belong to an erased client: nobody can open them and
	// the erasure removes them.
	Erased int `json:"erased"`
	// Unknown objects are not in the layout; Failed ones did not open.
	// Either keeps the old keys alive.
	Unknown int      `json:"unknown"`
	Failed  int      `json:"failed"`
	Problem []string `json:"problems,omitempty"` // object keys (IDs only) and error classes
	// Retired is how many keys were destroyed; RetireAt is when retirement
	// may run (every process has re-read the keysets by then).
	Retired  int       `json:"retired"`
	RetireAt time.Time `json:"retire_at,omitzero"`
}

const reencryptActor = "system:keys-reencrypt"

// KeysSettle is how long after a keyset is written every process is sure
// to have re-read it.
const KeysSettle = 2 * keysetRefresh

// ErrRetireLater is returned by Reencrypt when everything is resealed but
// keysets were written too recently to destroy old keys: some process may
// still seal with one. Run again after the report's RetireAt.
var ErrRetireLater = errors.New("old keys can be retired only later")

// ReencryptProgress returns the recorded progress of tenant id's
// re-encryption, or a zero report if none ever ran.
func (c *Catalog) ReencryptProgress(ctx context.Context, id string) (ReencryptReport, error) {
	t, err := c.Open(ctx, id)
	if err != nil {
		return ReencryptReport{}, err
	}
	var r ReencryptReport
	key, err := storage.ReencryptKey(id)
	if err != nil {
		return r, err
	}
	err = t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, &r)
	if errors.Is(err, storage.ErrNotFound) {
		return ReencryptReport{}, nil
	}
	return r, err
}

// Reencrypt re-seals every object of tenant id under its owner's current
// primary key, proves that every object opens with the primary keys alone,
// and then destroys the older keys, provided the newest keyset is at least
// settle old: processes re-read keysets every so often and until then one
// may still seal with an old key. Production passes KeysSettle; a test
// whose only process is itself may pass 0. progress is called after each
// batch.
func (c *Catalog) Reencrypt(ctx context.Context, id string, settle time.Duration, progress func(ReencryptReport)) (ReencryptReport, error) {
	t, err := c.Open(ctx, id)
	if err != nil {
		return ReencryptReport{}, err
	}
	rep, err := c.ReencryptProgress(ctx, id)
	if err != nil {
		return rep, err
	}
	if rep.Phase == "" || rep.Phase == PhaseDone {
		rep = ReencryptReport{Phase: PhaseReseal, Started: time.Now().UTC()}
	}
	key, err := storage.ReencryptKey(id)
	if err != nil {
		return rep, err
	}
	save := func() error {
		if progress != nil {
			progress(rep)
		}
		return t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, rep, storage.PutOptions{})
	}
	prefix, err := storage.TenantPrefix(id)
	if err != nil {
		return rep, err
	}

	if rep.Phase == PhaseReseal {
		// A Store of its own, opened now: it seals with the newest keys
		// even if the cached tenant is a minute behind.
		s, err := sealed.Open(ctx, c.kr, c.bs, id)
		if err != nil {
			return rep, err
		}
		err = c.walk(ctx, prefix, rep.After, key, func(p objPlace, i storage.Info) error {
			n, err := s.Reseal(ctx, p.Place, p.stream, storage.PutOptions{IfMatch: i.ETag})
			switch {
			case err == nil:
				rep.Resealed++
				rep.Bytes += n
			case errors.Is(err, storage.ErrPrecondition), errors.Is(err, storage.ErrNotFound):
				rep.Changed++
			case errors.Is(err, sealed.ErrNoClientKeys):
				rep.Erased++
			default:
				if ctx.Err() != nil {
					return ctx.Err()
				}
				rep.Failed++
				rep.problem(p.Key, err)
			}
			rep.After = p.Key
			return nil
		}, &rep, save)
		if err != nil {
			_ = save()
			return rep, err
		}
		rep.Phase, rep.After = PhaseVerify, ""
		if err := save(); err != nil {
			return rep, err
		}
	}

	if rep.Phase == PhaseVerify || rep.Phase == PhaseWait {
		plan, err := sealed.PlanRetirement(ctx, c.kr, c.bs, id)
		if err != nil {
			return rep, err
		}
		// Verify from the start every time: objects written meanwhile by a
		// process with older keysets must be seen.
		rep.Verified, rep.Failed, rep.Unknown, rep.Erased, rep.Problem = 0, 0, 0, 0, nil
		v := plan.Verifier()
		err = c.walk(ctx, prefix, "", key, func(p objPlace, _ storage.Info) error {
			err := verifyOpens(ctx, v, p)
			switch {
			case err == nil:
				rep.Verified++
			case errors.Is(err, storage.ErrNotFound):
			case errors.Is(err, sealed.ErrNoClientKeys):
				rep.Erased++
			default:
				if ctx.Err() != nil {
					return ctx.Err()
				}
				rep.Failed++
				rep.problem(p.Key, err)
			}
			return nil
		}, &rep, save)
		if err != nil {
			_ = save()
			return rep, err
		}
		if rep.Failed > 0 || rep.Unknown > 0 {
			// Keep every key; a new run reseals again.
			rep.Phase, rep.Finished = PhaseDone, time.Now().UTC()
			if err := save(); err != nil {
				return rep, err
			}
			_ = t.audit(ctx, reencryptActor, audit.ActionKeysReencrypt, nil, audit.Failed,
				fmt.Sprintf("%d objects do not open with the primary keys, %d not in the layout; no key retired", rep.Failed, rep.Unknown))
			return rep, fmt.Errorf("tenant %s: %d objects do not open with the primary keys and %d are not in the layout; no key was retired", id, rep.Failed, rep.Unknown)
		}
		if plan.Keys() > 0 {
			rep.RetireAt = plan.NewestKeyset().Add(settle).UTC()
			if time.Now().Before(rep.RetireAt) {
				rep.Phase = PhaseWait
				if err := save(); err != nil {
					return rep, err
				}
				if err := t.audit(ctx, reencryptActor, audit.ActionKeysReencrypt, nil, audit.OK,
					fmt.Sprintf("resealed %d objects, verified %d; old keys retire after %s", rep.Resealed, rep.Verified, rep.RetireAt.Format(time.RFC3339))); err != nil {
					return rep, err
				}
				return rep, fmt.Errorf("tenant %s: %w (after %s)", id, ErrRetireLater, rep.RetireAt.Format(time.RFC3339))
			}
			if err := plan.Commit(ctx); err != nil {
				return rep, fmt.Errorf("tenant %s: retire old keys: %w", id, err)
			}
			rep.Retired = plan.Keys()
			c.forget(id)
		}
		rep.Phase, rep.Finished = PhaseDone, time.Now().UTC()
		if err := save(); err != nil {
			return rep, err
		}
		if err := t.audit(ctx, reencryptActor, audit.ActionKeysReencrypt, nil, audit.OK,
			fmt.Sprintf("resealed %d objects, verified %d", rep.Resealed, rep.Verified)); err != nil {
			return rep, err
		}
		if rep.Retired > 0 {
			if err := t.audit(ctx, reencryptActor, audit.ActionKeysDestroy, nil, audit.OK,
				fmt.Sprintf("%d retired keys destroyed", rep.Retired)); err != nil {
				return rep, err
			}
		}
	}
	return rep, nil
}

func (r *ReencryptReport) problem(key string, err error) {
	if len(r.Problem) < 20 {
		r.Problem = append(r.Problem, key+": "+errClass(err))
	}
}

// errClass names what kind of failure err is, without its text (which
// may name more than IDs).
func errClass(err error) string {
	switch {
	case errors.Is(err, sealed.ErrIntegrity):
		return "integrity failure"
	case errors.Is(err, sealed.ErrKeyset):
		return "keyset unavailable"
	case errors.Is(err, storage.ErrNotFound):
		return "not found"
	default:
		return "storage error"
	}
}

func (c *Catalog) forget(id string) {
	c.mu.Lock()
	delete(c.tenants, id)
	c.mu.Unlock()
}

// walk calls fn for every object of the tenant after the key after, in
// key order, skipping the progress record itself, counting objects not
// in the layout, and saving progress every batch.
func (c *Catalog) walk(ctx context.Context, prefix, after, progressKey string, fn func(objPlace, storage.Info) error, rep *ReencryptReport, save func() error) error {
	const batch = 200
	n := 0
	last := time.Now()
	var dir dirGen
	return c.bs.List(ctx, prefix, func(i storage.Info) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if i.Key == progressKey {
			return nil
		}
		p, ok := placeOf(prefix, i.Key, &dir)
		if i.Key <= after {
			return nil
		}
		if !ok {
			rep.Unknown++
			rep.problem(i.Key, errors.New("not in the layout"))
			return nil
		}
		if err := fn(p, i); err != nil {
			return err
		}
		n++
		if n%batch == 0 || time.Since(last) > 5*time.Second {
			last = time.Now()
			return save()
		}
		return nil
	})
}

// verifyOpens opens p with the primary keys alone. A record opens whole;
// a streaming object needs only its first segment, because the streaming
// key is chosen by the header and first segment.
func verifyOpens(ctx context.Context, s *sealed.Store, p objPlace) error {
	if !p.stream {
		_, err := s.GetRecord(ctx, p.Place)
		return err
	}
	rc, err := s.Open(ctx, p.Place)
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = rc.Read(make([]byte, 1))
	if err == io.EOF {
		err = nil
	}
	return err
}

// objPlace is an object's sealed place and whether it is a stream.
type objPlace struct {
	sealed.Place
	stream bool
}

// dirGen remembers the filing generation of the message directory being
// listed: its manifest-<gen> sorts before its parts and raw object.
type dirGen struct {
	dir string
	gen int
}

// placeOf maps an object key of the tenant to the place it was sealed
// for, following the layout in package storage. It is the layout read
// backwards; a key it does not know is reported, never guessed.
func placeOf(prefix, key string, dir *dirGen) (objPlace, bool) {
	segs := strings.Split(strings.TrimPrefix(key, prefix), "/")
	if len(segs) >= 4 && segs[0] == "review" && segs[1] == "messages" {
		return messageObject(key, "", "", strings.Join(segs[:3], "/"), segs[3:], dir)
	}
	if len(segs) >= 7 && segs[0] == "clients" && segs[2] == "matters" && segs[4] == "messages" {
		return messageObject(key, segs[1], segs[3], strings.Join(segs[:6], "/"), segs[6:], dir)
	}
	if segs[0] == "gmail" && (len(segs) == 3 && segs[2] == "state" || len(segs) == 4 && (segs[2] == "pending" || segs[2] == "filed")) {
		return objPlace{Place: sealed.Place{Key: key, Kind: sealed.KindRecord}}, true
	}
	o, ok := tenantObjects[segs[0]]
	if !ok || o.segs != len(segs) {
		return objPlace{}, false
	}
	return objPlace{Place: sealed.Place{Key: key, Kind: o.kind}, stream: o.stream}, true
}

// tenantObjects maps the first segment of a tenant-level key to the number
// of segments its keys have and the kind they are sealed as.
var tenantObjects = map[string]struct {
	segs   int
	kind   sealed.Kind
	stream bool
}{
	"settings":          {1, sealed.KindRecord, false},
	"audit-key":         {1, sealed.KindSecret, false},
	"export-key":        {1, sealed.KindSecret, false},
	"matters":           {2, sealed.KindRecord, false}, // matters/registry
	"mailboxes":         {2, sealed.KindRecord, false},
	"users":             {2, sealed.KindRecord, false},
	"holds":             {2, sealed.KindRecord, false},
	"erasures":          {2, sealed.KindRecord, false},
	"audit":             {2, sealed.KindAudit, false},
	"audit-checkpoints": {2, sealed.KindCheckpoint, false},
	"index":             {2, sealed.KindIndex, false},
	"failures":          {2, sealed.KindFailure, false},
	"events":            {2, sealed.KindEvent, false},
	"threads":           {2, sealed.KindRecord, false},
	"identities":        {2, sealed.KindRecord, false},
	"custodians":        {3, sealed.KindRecord, false},
	"copies":            {2, sealed.KindRecord, false},
	"reviews":           {2, sealed.KindRecord, false},
	"secrets":           {2, sealed.KindSecret, false},
	"webhook-delivered": {2, sealed.KindRecord, false},
	"webhook-failures":  {2, sealed.KindFailure, false},
	"inbox":             {3, sealed.KindInbox, true},
}

func messageObject(key, client, matter, dirKey string, rest []string, dir *dirGen) (objPlace, bool) {
	p := objPlace{Place: sealed.Place{Client: client, Matter: matter, Key: key}}
	if len(rest) == 1 && strings.HasPrefix(rest[0], "manifest-") {
		gen, err := strconv.Atoi(strings.TrimPrefix(rest[0], "manifest-"))
		if err != nil || gen < 1 {
			return objPlace{}, false
		}
		*dir = dirGen{dir: dirKey, gen: gen}
		p.Kind, p.Generation = sealed.KindManifest, gen
		return p, true
	}
	if dir.dir != dirKey {
		// Raw or parts without a manifest: a filing that never
		// committed. Its generation is unknown, so it is not guessed.
		return objPlace{}, false
	}
	p.Generation, p.stream = dir.gen, true
	switch {
	case len(rest) == 1 && rest[0] == "raw":
		p.Kind = sealed.KindRaw
	case len(rest) == 2 && rest[0] == "parts":
		p.Kind = sealed.KindPart
	default:
		return objPlace{}, false
	}
	return p, true
}
