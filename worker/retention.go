package worker

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// TypeRetentionSweep shreds the terminated tenants whose period has passed
// and deletes the messages of closed matters whose retention has passed,
// unless a legal hold stands (catalog.SweepRetention). It runs on the
// reconcile schedule, one task per interval across all workers.
const TypeRetentionSweep = "retention:sweep"

// RetentionActor is who the audit log names for the sweep's deletions.
const RetentionActor = "system:retention"

// NewRetentionSweepTask builds the sweep of the time bucket starting at
// bucket. Its payload is empty: the sweep concerns every tenant.
func NewRetentionSweepTask(bucket time.Time) *asynq.Task {
	id := TypeRetentionSweep + ":" + bucket.UTC().Format("20060102t150405")
	return asynq.NewTask(TypeRetentionSweep, nil, asynq.TaskID(id), asynq.Queue(QueueDefault),
		asynq.MaxRetry(5), asynq.Timeout(6*time.Hour), asynq.Retention(retention))
}

// HandleRetentionSweepTask runs the sweep now.
func (h *Handlers) HandleRetentionSweepTask(ctx context.Context, _ *asynq.Task) error {
	rep, err := h.cat.SweepRetention(ctx, time.Now(), RetentionActor)
	h.log.Info("retention sweep", "tenants_shredded", len(rep.TenantsShredded), "tenants_held", len(rep.TenantsHeld),
		"tenants_pending", rep.TenantsPending, "matters_purged", len(rep.MattersPurged), "matters_held", len(rep.MattersHeld),
		"messages_deleted", rep.MessagesDeleted)
	if err != nil {
		return fmt.Errorf("retention sweep: %w", err)
	}
	return nil
}
