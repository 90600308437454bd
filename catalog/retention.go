package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// Retention: when a firm's engagement ends, an operator marks the tenant
// terminated; the retention sweep crypto-shreds it once its period has
// passed, unless a legal hold stands. A closed matter may be given a
// retention period after which its messages are deleted, unless held.
//
// The tenant's own audit log dies with its keys, so every step that
// concerns a tenant as a whole is also recorded in the operator's log,
// which belongs to no tenant and survives every erasure.

// OperatorLogID is the reserved tenant ID under which the operator's audit
// log is sealed. No firm can be created under it.
const OperatorLogID = "operator"

// ErrReserved is wrapped when a tenant ID is reserved.
var ErrReserved = errors.New("reserved tenant id")

// DefaultTerminationPeriod is how long a terminated tenant's data is kept
// before it is shredded, unless the operator says otherwise.
const DefaultTerminationPeriod = 90 * 24 * time.Hour

// operatorLog is the lazily opened operator log.
type operatorLog struct {
	mu  sync.Mutex
	log *audit.Log
	// refused: when this process last audited a held matter's due
	// deletion, by tenant/matter.
	refused map[string]time.Time
}

// OperatorLog returns the operator's audit log: tenant creation,
// termination, reinstatement and erasure, recorded outside every tenant.
// Its keys are created on first use.
func (c *Catalog) OperatorLog(ctx context.Context) (*audit.Log, error) {
	c.op.mu.Lock()
	defer c.op.mu.Unlock()
	if c.op.log != nil {
		return c.op.log, nil
	}
	s, err := sealed.Open(ctx, c.kr, c.bs, OperatorLogID)
	if errors.Is(err, storage.ErrNotFound) {
		if err := sealed.CreateTenant(ctx, c.kr, OperatorLogID); err != nil && !errors.Is(err, storage.ErrExists) {
			return nil, fmt.Errorf("operator log keys: %w", err)
		}
		s, err = sealed.Open(ctx, c.kr, c.bs, OperatorLogID)
	}
	if err != nil {
		return nil, fmt.Errorf("operator log: %w", err)
	}
	log, err := audit.New(s, c.bs, audit.Config{})
	if err != nil {
		return nil, fmt.Errorf("operator log: %w", err)
	}
	c.op.log = log
	return log, nil
}

// RecordOperator appends to the operator log. The firm acted on is named
// as object "firm": "tenant" would name the log's own (reserved) tenant.
func (c *Catalog) RecordOperator(ctx context.Context, tenant, actor string, action audit.Action, outcome audit.Outcome, detail string) error {
	if actor == "" {
		actor = "system:catalog"
	}
	log, err := c.OperatorLog(ctx)
	if err != nil {
		return err
	}
	_, err = log.Record(ctx, audit.Record{Actor: actor, Action: action, Objects: map[string]string{"firm": tenant}, Outcome: outcome, Detail: detail})
	if err != nil && !errors.Is(err, audit.ErrCheckpoint) {
		return fmt.Errorf("operator audit %s of tenant %s: %w", action, tenant, err)
	}
	return nil
}

// Termination records that a tenant's engagement ended. It holds IDs and
// times only and is stored in plain outside the tenant (see
// storage.TenantTerminationKey).
type Termination struct {
	Tenant     string    `json:"tenant"`
	Terminated time.Time `json:"terminated"`
	// ShredAt is when the retention sweep may shred the tenant.
	ShredAt time.Time `json:"shred_at"`
	By      string    `json:"by,omitempty"`
	// Refused is when the sweep last found the shred due but held; it
	// audits a refusal at most once a day.
	Refused time.Time `json:"refused,omitzero"`
}

// TerminateTenant marks tenant id terminated: the retention sweep shreds it
// once period has passed (DefaultTerminationPeriod when zero). A tenant
// already terminated keeps its date; reinstate it first to change it.
func (c *Catalog) TerminateTenant(ctx context.Context, id, by string, period time.Duration, now time.Time) (Termination, error) {
	if period < 0 {
		return Termination{}, fmt.Errorf("tenant %s: retention period %s is negative", id, period)
	}
	if period == 0 {
		period = DefaultTerminationPeriod
	}
	t, err := c.Open(ctx, id)
	if err != nil {
		return Termination{}, err
	}
	key, err := storage.TenantTerminationKey(id)
	if err != nil {
		return Termination{}, err
	}
	tm := Termination{Tenant: id, Terminated: now.UTC(), ShredAt: now.UTC().Add(period), By: by}
	data, err := json.Marshal(tm)
	if err != nil {
		return Termination{}, err
	}
	if err := c.bs.Put(ctx, key, bytes.NewReader(data), storage.PutOptions{CreateOnly: true}); err != nil {
		if errors.Is(err, storage.ErrExists) {
			prev, perr := c.Termination(ctx, id)
			if perr != nil {
				return Termination{}, perr
			}
			return prev, fmt.Errorf("tenant %s was terminated on %s, shred due %s; reinstate it first to change that",
				id, prev.Terminated.Format(time.RFC3339), prev.ShredAt.Format(time.RFC3339))
		}
		return Termination{}, fmt.Errorf("tenant %s termination: %w", id, err)
	}
	detail := "shred due " + tm.ShredAt.Format(time.RFC3339)
	if err := t.audit(ctx, by, audit.ActionTenantTerminate, nil, audit.OK, detail); err != nil {
		return tm, err
	}
	return tm, c.RecordOperator(ctx, id, by, audit.ActionTenantTerminate, audit.OK, detail)
}

// ReinstateTenant withdraws tenant id's termination before it is shredded.
func (c *Catalog) ReinstateTenant(ctx context.Context, id, by string) error {
	if _, err := c.Termination(ctx, id); err != nil {
		return err
	}
	if e, err := c.TenantErasure(ctx, id); err == nil && !e.Started.IsZero() {
		return fmt.Errorf("tenant %s: erasure began %s; it cannot be reinstated", id, e.Started.Format(time.RFC3339))
	}
	key, err := storage.TenantTerminationKey(id)
	if err != nil {
		return err
	}
	if err := c.bs.Delete(ctx, key); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("tenant %s termination: %w", id, err)
	}
	if t, err := c.Open(ctx, id); err == nil {
		if err := t.audit(ctx, by, audit.ActionTenantReinstate, nil, audit.OK, "termination withdrawn"); err != nil {
			return err
		}
	}
	return c.RecordOperator(ctx, id, by, audit.ActionTenantReinstate, audit.OK, "termination withdrawn")
}

// ErrNotTerminated is wrapped when a tenant has no termination.
var ErrNotTerminated = errors.New("tenant is not terminated")

// Termination returns tenant id's termination record.
func (c *Catalog) Termination(ctx context.Context, id string) (Termination, error) {
	key, err := storage.TenantTerminationKey(id)
	if err != nil {
		return Termination{}, err
	}
	return c.readTermination(ctx, key, id)
}

func (c *Catalog) readTermination(ctx context.Context, key, id string) (Termination, error) {
	rc, err := c.bs.Get(ctx, key)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return Termination{}, fmt.Errorf("tenant %s: %w", id, ErrNotTerminated)
		}
		return Termination{}, fmt.Errorf("tenant %s termination: %w", id, err)
	}
	defer rc.Close()
	var tm Termination
	if err := json.NewDecoder(rc).Decode(&tm); err != nil {
		return Termination{}, fmt.Errorf("tenant %s termination: %w", id, err)
	}
	if tm.Tenant != id {
		return Termination{}, fmt.Errorf("tenant %s termination names another tenant", id)
	}
	return tm, nil
}

// Terminations lists every terminated tenant not yet shredded.
func (c *Catalog) Terminations(ctx context.Context) ([]Termination, error) {
	var keys []string
	if err := c.bs.List(ctx, storage.TerminationsPrefix, func(i storage.Info) error {
		keys = append(keys, i.Key)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list terminations: %w", err)
	}
	out := make([]Termination, 0, len(keys))
	for _, k := range keys {
		id := strings.TrimPrefix(k, storage.TerminationsPrefix)
		tm, err := c.readTermination(ctx, k, id)
		if errors.Is(err, ErrNotTerminated) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, tm)
	}
	return out, nil
}

// MatterRetention is how long a closed matter's messages are kept.
type MatterRetention struct {
	Matter string `json:"matter"`
	// Period runs from Start, when it was set on the closed matter (or
	// the close date the firm gave).
	Start  time.Time     `json:"start"`
	Period time.Duration `json:"period"`
	By     string        `json:"by,omitempty"`
	// Purged is when the sweep deleted the matter's messages.
	Purged  time.Time `json:"purged,omitzero"`
	Deleted int       `json:"deleted,omitempty"`
}

// Due is when the matter's messages may be deleted.
func (r MatterRetention) Due() time.Time { return r.Start.Add(r.Period) }

type retentionRecord struct {
	Matters map[string]MatterRetention `json:"matters"`
}

func (t *Tenant) retention(ctx context.Context) (retentionRecord, storage.PutOptions, error) {
	key, err := storage.RetentionKey(t.ID)
	if err != nil {
		return retentionRecord{}, storage.PutOptions{}, err
	}
	rec := retentionRecord{Matters: map[string]MatterRetention{}}
	info, err := t.s.Stat(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return rec, storage.PutOptions{CreateOnly: true}, nil
	}
	if err != nil {
		return rec, storage.PutOptions{}, fmt.Errorf("tenant %s retention: %w", t.ID, err)
	}
	if err := t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, &rec); err != nil {
		return rec, storage.PutOptions{}, fmt.Errorf("tenant %s retention: %w", t.ID, err)
	}
	if rec.Matters == nil {
		rec.Matters = map[string]MatterRetention{}
	}
	return rec, storage.PutOptions{IfMatch: info.ETag}, nil
}

// updateRetention applies change to the retention record and saves it
// only if nobody saved it meanwhile, re-reading otherwise.
func (t *Tenant) updateRetention(ctx context.Context, change func(*retentionRecord) error) error {
	key, err := storage.RetentionKey(t.ID)
	if err != nil {
		return err
	}
	for range maxRegistryAttempts {
		rec, opts, err := t.retention(ctx)
		if err != nil {
			return err
		}
		if err := change(&rec); err != nil {
			return err
		}
		err = t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, rec, opts)
		if errors.Is(err, storage.ErrExists) || errors.Is(err, storage.ErrPrecondition) {
			continue
		}
		return err
	}
	return fmt.Errorf("tenant %s retention: too many concurrent changes", t.ID)
}

// MatterRetentions lists the retention periods set on matters.
func (t *Tenant) MatterRetentions(ctx context.Context) ([]MatterRetention, error) {
	rec, _, err := t.retention(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MatterRetention, 0, len(rec.Matters))
	for _, r := range rec.Matters {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b MatterRetention) int { return strings.Compare(a.Matter, b.Matter) })
	return out, nil
}

// SetMatterRetention gives closed matter its retention period, counted
// from start (now when zero); period zero removes it. The matter must be
// closed: an open matter's mail is still coming in.
func (t *Tenant) SetMatterRetention(ctx context.Context, matter string, period time.Duration, start time.Time, by string) (MatterRetention, error) {
	if period < 0 {
		return MatterRetention{}, fmt.Errorf("matter %s: retention period %s is negative", matter, period)
	}
	reg, err := t.Matters(ctx)
	if err != nil {
		return MatterRetention{}, err
	}
	tg, ok := reg.Get(matter)
	if !ok {
		return MatterRetention{}, fmt.Errorf("tenant %s target %s: %w", t.ID, matter, ErrNoTarget)
	}
	objs := map[string]string{"client": tg.Client, "matter": matter}
	if period > 0 && tg.Status != classify.StatusClosed {
		_ = t.audit(ctx, by, audit.ActionRetentionSet, objs, audit.Refused, "matter is open")
		return MatterRetention{}, fmt.Errorf("matter %s is open: close it first (matters close), then set its retention", matter)
	}
	if start.IsZero() {
		start = time.Now()
	}
	r := MatterRetention{Matter: matter, Start: start.UTC(), Period: period, By: by}
	err = t.updateRetention(ctx, func(rec *retentionRecord) error {
		if prev, ok := rec.Matters[matter]; ok && !prev.Purged.IsZero() {
			return fmt.Errorf("matter %s: its messages were deleted on %s", matter, prev.Purged.Format(time.RFC3339))
		}
		if period == 0 {
			delete(rec.Matters, matter)
		} else {
			rec.Matters[matter] = r
		}
		return nil
	})
	if err != nil {
		return MatterRetention{}, err
	}
	detail := "retention removed"
	if period > 0 {
		detail = fmt.Sprintf("retention %s from %s, due %s", period, r.Start.Format(time.DateOnly), r.Due().Format(time.RFC3339))
	}
	return r, t.audit(ctx, by, audit.ActionRetentionSet, objs, audit.OK, detail)
}

// heldBy returns the hold that covers client (and matter, if set).
func heldBy(holds []Hold, client, matter string) (Hold, bool) {
	for _, h := range holds {
		if h.Client == client && (h.Matter == "" || matter == "" || h.Matter == matter) {
			return h, true
		}
	}
	return Hold{}, false
}

// RetentionReport counts what a sweep did; IDs and counts only.
type RetentionReport struct {
	TenantsShredded []string `json:"tenants_shredded"`
	TenantsHeld     []string `json:"tenants_held"`
	TenantsPending  int      `json:"tenants_pending"`
	MattersPurged   []string `json:"matters_purged"`
	MattersHeld     []string `json:"matters_held"`
	MessagesDeleted int      `json:"messages_deleted"`
}

// refusalEvery is how often a sweep audits that a held shred is still due.
const refusalEvery = 24 * time.Hour

// SweepRetention shreds every terminated tenant whose period has passed
// and deletes the messages of every closed matter whose retention has
// passed, skipping (and auditing) what a legal hold covers. by is the
// actor, such as "system:retention". It is idempotent: an interrupted
// sweep is finished by the next.
func (c *Catalog) SweepRetention(ctx context.Context, now time.Time, by string) (RetentionReport, error) {
	rep := RetentionReport{TenantsShredded: []string{}, TenantsHeld: []string{}, MattersPurged: []string{}, MattersHeld: []string{}}
	tms, err := c.Terminations(ctx)
	if err != nil {
		return rep, err
	}
	var errs []error
	for _, tm := range tms {
		if now.Before(tm.ShredAt) {
			rep.TenantsPending++
			continue
		}
		held, err := c.shredDue(ctx, tm, now, by)
		switch {
		case err != nil:
			errs = append(errs, err)
		case held:
			rep.TenantsHeld = append(rep.TenantsHeld, tm.Tenant)
		default:
			rep.TenantsShredded = append(rep.TenantsShredded, tm.Tenant)
		}
	}
	tenants, err := c.Tenants(ctx)
	if err != nil {
		return rep, errors.Join(append(errs, err)...)
	}
	for _, id := range tenants {
		if slices.Contains(rep.TenantsShredded, id) {
			continue
		}
		if err := c.sweepMatters(ctx, id, now, by, &rep); err != nil {
			errs = append(errs, err)
		}
	}
	return rep, errors.Join(errs...)
}

// shredDue shreds a terminated tenant whose period has passed, unless held.
func (c *Catalog) shredDue(ctx context.Context, tm Termination, now time.Time, by string) (held bool, err error) {
	if _, err := c.TenantErasure(ctx, tm.Tenant); err != nil {
		// Not begun: check the holds (an erasure already under way has
		// passed that check and only continues).
		t, err := c.Open(ctx, tm.Tenant)
		if err != nil {
			return false, err
		}
		holds, err := t.Holds(ctx)
		if err != nil {
			return false, err
		}
		if len(holds) > 0 {
			if now.Sub(tm.Refused) < refusalEvery {
				return true, nil
			}
			detail := fmt.Sprintf("retention shred due %s refused: %d legal holds", tm.ShredAt.Format(time.RFC3339), len(holds))
			if err := t.audit(ctx, by, audit.ActionTenantShred, nil, audit.Refused, detail); err != nil {
				return true, err
			}
			if err := c.RecordOperator(ctx, tm.Tenant, by, audit.ActionTenantShred, audit.Refused, detail); err != nil {
				return true, err
			}
			tm.Refused = now.UTC()
			return true, c.saveTermination(ctx, tm)
		}
	}
	if _, err := c.DeleteTenant(ctx, tm.Tenant, by, nil); err != nil {
		return false, fmt.Errorf("retention shred of tenant %s: %w", tm.Tenant, err)
	}
	key, err := storage.TenantTerminationKey(tm.Tenant)
	if err != nil {
		return false, err
	}
	// The erasure record (registry/erasures) and the operator log keep
	// what happened; the termination has done its work.
	if err := c.bs.Delete(ctx, key); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return false, fmt.Errorf("tenant %s termination: %w", tm.Tenant, err)
	}
	return false, nil
}

func (c *Catalog) saveTermination(ctx context.Context, tm Termination) error {
	key, err := storage.TenantTerminationKey(tm.Tenant)
	if err != nil {
		return err
	}
	data, err := json.Marshal(tm)
	if err != nil {
		return err
	}
	if err := c.bs.Put(ctx, key, bytes.NewReader(data), storage.PutOptions{}); err != nil {
		return fmt.Errorf("tenant %s termination: %w", tm.Tenant, err)
	}
	return nil
}

// sweepMatters deletes the messages of tenant id's closed matters whose
// retention has passed.
func (c *Catalog) sweepMatters(ctx context.Context, id string, now time.Time, by string, rep *RetentionReport) error {
	t, err := c.Open(ctx, id)
	if err != nil {
		return err
	}
	// Objects filed under a hold since it was placed get the storage's
	// lock here.
	if _, err := t.RelockHolds(ctx); err != nil {
		return fmt.Errorf("tenant %s: object lock of held objects: %w", id, err)
	}
	rets, err := t.MatterRetentions(ctx)
	if err != nil || len(rets) == 0 {
		return err
	}
	reg, err := t.Matters(ctx)
	if err != nil {
		return err
	}
	holds, err := t.Holds(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range rets {
		if !r.Purged.IsZero() || now.Before(r.Due()) {
			continue
		}
		tg, ok := reg.Get(r.Matter)
		if !ok || tg.Status != classify.StatusClosed {
			// Reopened (or removed): the retention waits until it is
			// closed again.
			continue
		}
		if h, held := heldBy(holds, tg.Client, tg.ID); held {
			rep.MattersHeld = append(rep.MattersHeld, id+"/"+tg.ID)
			if c.refusedRecently(id+"/"+tg.ID, now) {
				continue
			}
			objs := map[string]string{"client": tg.Client, "matter": tg.ID, "hold": h.ID}
			if err := t.audit(ctx, by, audit.ActionMatterDelete, objs, audit.Refused, "retention due "+r.Due().Format(time.RFC3339)+"; legal hold"); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		n, err := t.purgeMatter(ctx, tg, r, by, now)
		rep.MessagesDeleted += n
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rep.MattersPurged = append(rep.MattersPurged, id+"/"+tg.ID)
	}
	return errors.Join(errs...)
}

// refusedRecently says whether this process audited a held matter's due
// deletion within refusalEvery, and notes now if not. Several processes
// may each audit it once a day; that is harmless.
func (c *Catalog) refusedRecently(key string, now time.Time) bool {
	c.op.mu.Lock()
	defer c.op.mu.Unlock()
	if c.op.refused == nil {
		c.op.refused = map[string]time.Time{}
	}
	if last, ok := c.op.refused[key]; ok && now.Sub(last) < refusalEvery {
		return true
	}
	c.op.refused[key] = now
	return false
}

// purgeMatter deletes every object filed to matter tg and its index
// entries, audits it and marks the retention done. The matter stays in the
// registry, closed, so that its history and audit make sense.
func (t *Tenant) purgeMatter(ctx context.Context, tg classify.Target, r MatterRetention, by string, now time.Time) (int, error) {
	objs := map[string]string{"client": tg.Client, "matter": tg.ID}
	if err := t.audit(ctx, by, audit.ActionMatterDelete, objs, audit.OK,
		"retention due "+r.Due().Format(time.RFC3339)+": deleting the matter's messages"); err != nil {
		return 0, err
	}
	prefix, err := storage.MatterPrefix(t.ID, tg.Client, tg.ID)
	if err != nil {
		return 0, err
	}
	if _, err := deleteAll(ctx, t.bs, prefix, nil); err != nil {
		return 0, fmt.Errorf("matter %s: %w", tg.ID, err)
	}
	entries, err := t.Messages(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ie := range entries {
		if ie.State != StateFiled || ie.Client != tg.Client || ie.Matter != tg.ID {
			continue
		}
		key, err := storage.IndexKey(t.ID, ie.Message)
		if err != nil {
			return n, err
		}
		if err := t.deleteCustodians(ctx, ie.Message); err != nil {
			return n, fmt.Errorf("delete custodians of message %s: %w", ie.Message, err)
		}
		if err := t.bs.Delete(ctx, key); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return n, fmt.Errorf("delete index entry of message %s: %w", ie.Message, err)
		}
		n++
	}
	err = t.updateRetention(ctx, func(rec *retentionRecord) error {
		cur, ok := rec.Matters[tg.ID]
		if !ok {
			cur = r
		}
		cur.Purged, cur.Deleted = now.UTC(), cur.Deleted+n
		rec.Matters[tg.ID] = cur
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, t.audit(ctx, by, audit.ActionMatterDelete, objs, audit.OK, fmt.Sprintf("retention: %d messages deleted", n))
}
