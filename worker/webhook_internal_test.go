package worker

import (
	"testing"
	"time"

	"github.com/hibiken/asynq"
)

// TestNotifyRetryDelay: webhook retries back off exponentially, with
// jitter, from 30 s to an hour; other tasks keep their own backoff.
func TestNotifyRetryDelay(t *testing.T) {
	task := asynq.NewTask(TypeNotify, nil)
	prevMax := time.Duration(0)
	for n := 0; n < notifyMaxRetry+3; n++ {
		want := min((30*time.Second)<<min(n, 7), time.Hour)
		for range 50 {
			d := retryDelay(n, nil, task)
			if d < want/2 || d > want {
				t.Fatalf("retry %d: delay %v outside [%v, %v]", n, d, want/2, want)
			}
		}
		if want < prevMax {
			t.Fatalf("retry %d: backoff shrinks", n)
		}
		prevMax = want
	}
	if d := retryDelay(0, nil, asynq.NewTask(TypeFileMessage, nil)); d != time.Second {
		t.Fatalf("message:file first retry after %v, want 1s", d)
	}
	for st, want := range map[int]bool{200: false, 301: false, 400: false, 401: false, 404: false, 408: true, 429: true, 500: true, 503: true} {
		if retryable(st) != want {
			t.Fatalf("retryable(%d) = %v", st, !want)
		}
	}
}
