package worker

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hibiken/asynq"

	"github.com/matterfile/matterfile/ids"
)

// logTask logs the end of every task with its type, its task ID and its
// tenant: IDs only (payloads carry nothing else), never a subject, address
// or label name.
func (h *Handlers) logTask(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		start := time.Now()
		err := next.ProcessTask(ctx, t)
		id, _ := asynq.GetTaskID(ctx)
		attrs := []any{"task_type", t.Type(), "task_id", id, "tenant", tenantOf(t),
			"ms", time.Since(start).Milliseconds()}
		if err != nil {
			h.log.Warn("task failed", append(attrs, "err", err)...)
		} else {
			h.log.Info("task done", attrs...)
		}
		return err
	})
}

// tenantOf is the canonical tenant ID of a task's payload, or "".
func tenantOf(t *asynq.Task) string {
	var p struct {
		Tenant string `json:"tenant"`
	}
	if json.Unmarshal(t.Payload(), &p) != nil || !ids.Valid(p.Tenant) {
		return ""
	}
	return p.Tenant
}
