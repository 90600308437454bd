package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/ids"
)

// TypeReencrypt moves a tenant's objects onto its current primary keys and
// retires the old ones (see catalog.Reencrypt).
const TypeReencrypt = "keys:reencrypt"

// ReencryptPayload names the tenant to re-encrypt.
type ReencryptPayload struct {
	Tenant string `json:"tenant"`
}

func (p ReencryptPayload) validate() error { return ids.Validate("tenant", p.Tenant) }

// NewReencryptTask builds a keys:reencrypt task. One runs per tenant at a
// time; progress lives in the store, so a retried or re-queued task
// continues where the last stopped.
func NewReencryptTask(p ReencryptPayload) (*asynq.Task, error) {
	return newReencryptTask(p, asynq.Unique(12*time.Hour))
}

func newReencryptTask(p ReencryptPayload, opts ...asynq.Option) (*asynq.Task, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("new %s task: %w", TypeReencrypt, err)
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	base := []asynq.Option{asynq.Queue(QueueBackfill), asynq.MaxRetry(20),
		asynq.Timeout(12 * time.Hour), asynq.Retention(retention)}
	return asynq.NewTask(TypeReencrypt, data, append(base, opts...)...), nil
}

// HandleReencryptTask re-encrypts one tenant, logging progress. When old
// keys cannot be retired yet (other processes may still hold them), it
// schedules itself for when they can.
func (h *Handlers) HandleReencryptTask(ctx context.Context, t *asynq.Task) error {
	var p ReencryptPayload
	if err := decode(t, &p); err != nil {
		return err
	}
	rep, err := h.Reencrypt(ctx, p.Tenant)
	if errors.Is(err, catalog.ErrRetireLater) {
		// This task holds the uniqueness lock until it returns, so the
		// follow-up is not unique: it runs once, at RetireAt.
		task, err := newReencryptTask(p, asynq.ProcessAt(rep.RetireAt))
		if err != nil {
			return err
		}
		if _, err := h.enq.EnqueueContext(ctx, task); err != nil {
			return fmt.Errorf("schedule key retirement for tenant %s: %w", p.Tenant, err)
		}
		h.log.Info("reencrypt waits to retire old keys", "tenant", p.Tenant, "retire_at", rep.RetireAt)
		return nil
	}
	if errors.Is(err, catalog.ErrNoTenant) {
		return permanent(err)
	}
	return err
}

// Reencrypt runs a tenant's re-encryption in this goroutine.
func (h *Handlers) Reencrypt(ctx context.Context, tenant string) (catalog.ReencryptReport, error) {
	rep, err := h.cat.Reencrypt(ctx, tenant, h.settle, func(r catalog.ReencryptReport) {
		h.log.Info("reencrypt progress", "tenant", tenant, "phase", r.Phase, "resealed", r.Resealed,
			"bytes", r.Bytes, "verified", r.Verified, "failed", r.Failed, "unknown", r.Unknown)
	})
	if err != nil {
		h.log.Warn("reencrypt", "tenant", tenant, "phase", rep.Phase, "err", err)
		return rep, err
	}
	h.log.Info("reencrypt done", "tenant", tenant, "resealed", rep.Resealed, "bytes", rep.Bytes,
		"verified", rep.Verified, "retired_keys", rep.Retired)
	return rep, nil
}
