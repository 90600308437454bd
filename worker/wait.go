package worker

import (
	"context"
	"errors"
	"time"

	"github.com/hibiken/asynq"
)

// WaitResult counts how the awaited tasks ended.
type WaitResult struct {
	Completed int // the handler succeeded: filed or in review
	Failed    int // retries exhausted or not retryable
	Missing   int // the queue no longer knows the task (Redis lost it)
	// FollowUpsFailed counts follow-up tasks (the filing event) that
	// failed for good; the messages themselves are filed.
	FollowUpsFailed int
}

// Wait polls until every task has completed or failed for good, calling
// progress after each poll that saw a change. A completed file task has
// enqueued its follow-up before it completed; Wait also waits for that, so
// that when it returns the work of refs is over, not still trickling into
// the store. It returns ctx's error if ctx ends first.
func Wait(ctx context.Context, insp inspector, refs []TaskRef, every time.Duration, progress func(done, total int)) (WaitResult, error) {
	var res WaitResult
	if every <= 0 {
		every = 200 * time.Millisecond
	}
	open := append([]TaskRef(nil), refs...)
	var followUps []TaskRef
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		before := len(open)
		kept := open[:0]
		for _, ref := range open {
			info, err := insp.GetTaskInfo(ref.Queue, ref.ID)
			switch {
			case errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound):
				res.Missing++
			case err != nil:
				return res, err
			case info.State == asynq.TaskStateCompleted:
				res.Completed++
				if ref.Tenant != "" {
					followUps = append(followUps, TaskRef{Queue: QueueDefault, ID: NotifyTaskID(ref.Tenant, filedEvent(ref.Message)), Tenant: ref.Tenant, Message: ref.Message})
				}
			case info.State == asynq.TaskStateArchived:
				res.Failed++
			default:
				kept = append(kept, ref)
			}
		}
		open = kept
		if progress != nil && len(open) != before {
			progress(len(refs)-len(open), len(refs))
		}
		keptF := followUps[:0]
		for _, ref := range followUps {
			info, err := insp.GetTaskInfo(ref.Queue, ref.ID)
			switch {
			case errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound):
				// Delivered and expired, or a message filed before this
				// run whose follow-up is long done.
			case err != nil:
				return res, err
			case info.State == asynq.TaskStateCompleted:
			case info.State == asynq.TaskStateArchived:
				res.FollowUpsFailed++
			default:
				keptF = append(keptF, ref)
			}
		}
		followUps = keptF
		if len(open) == 0 && len(followUps) == 0 {
			return res, nil
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-tick.C:
		}
	}
}
