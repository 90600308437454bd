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
}

// Wait polls until every task has completed or failed for good, calling
// progress after each poll that saw a change. It returns ctx's error if ctx
// ends first.
func Wait(ctx context.Context, insp inspector, refs []TaskRef, every time.Duration, progress func(done, total int)) (WaitResult, error) {
	var res WaitResult
	if every <= 0 {
		every = 200 * time.Millisecond
	}
	open := append([]TaskRef(nil), refs...)
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
		if len(open) == 0 {
			return res, nil
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-tick.C:
		}
	}
}
