// Package worker owns matterfile's background work: the asynq task types,
// their payloads and handlers, the filing pipeline (fetch → hash → parse →
// classify → seal → store → follow-ups), imports that turn a source into
// tasks, and the queue runtime (real Redis, or an in-process
// Redis-compatible server on one machine).
//
// Redis only carries work: every task's input is durably staged in the
// object store before it is enqueued, and a worker re-queues staged work at
// start, so losing Redis delays filing and never loses it. Task payloads
// carry IDs only and must never carry an address, subject, body or token.
//
// # Fairness
//
// Two things keep one firm's work from delaying another firm's new mail.
// Queues are weighted (Queues): live Gmail mail (mailbox:sync, and
// gmail:fetch of newly labelled messages) goes to QueueLive, follow-ups
// (gmail:label, notify:webhook, mailbox:watch, reconcile, recheck) to
// QueueDefault, and mbox imports, a mailbox's first full listing and key
// re-encryption to QueueBackfill; a worker takes its next task from live six
// times in ten, default three, backfill one, so live mail and follow-ups go
// before backfill whenever both wait. And each tenant is bounded
// (TenantLimiter, MATTERFILE_TENANT_MAX_INFLIGHT): at most that many tasks
// of one tenant run at once, across every worker sharing the Redis. A task
// of a tenant at its bound is not run but put back in the queue for a
// second or two, without using up a retry or recording a failure, and its
// slot runs another tenant's task. However large one firm's backfill, the
// other slots stay free for the other firms, whose new mail then waits for
// their own tasks only: seconds, well within a poll interval. The bound is
// a hard cap: a firm alone on the workers also runs at most that many tasks
// at once.
package worker

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/matterfile/matterfile/ids"
)

// Task types.
const (
	TypeFileMessage = "message:file"
	TypeNotify      = "notify:webhook"
)

// Queues, weighted so that live mail is never stuck behind a backfill.
const (
	QueueLive     = "live"
	QueueDefault  = "default"
	QueueBackfill = "backfill"
)

// Queues returns the queue weights a worker serves.
func Queues() map[string]int {
	return map[string]int{QueueLive: 6, QueueDefault: 3, QueueBackfill: 1}
}

// retention keeps finished tasks visible so that re-enqueueing the same
// work is recognised by task ID and an import can wait on them.
const retention = 24 * time.Hour

// FileMessagePayload asks a worker to file one staged message.
type FileMessagePayload struct {
	Tenant  string `json:"tenant"`
	Mailbox string `json:"mailbox"`
	Message string `json:"message"`
	// Source is the kind of source the message was staged from ("mbox").
	Source string `json:"source"`
}

// Sources.
const SourceMbox = "mbox"

func (p FileMessagePayload) validate() error {
	if p.Source != SourceMbox {
		return fmt.Errorf("unknown source kind")
	}
	if err := ids.Validate("tenant", p.Tenant); err != nil {
		return err
	}
	if err := ids.Validate("mailbox", p.Mailbox); err != nil {
		return err
	}
	return ids.Validate("message", p.Message)
}

// FileMessageTaskID is the task ID of filing a message: the same message
// from the same mailbox is one task, however often it is enqueued.
func FileMessageTaskID(p FileMessagePayload) string {
	return TypeFileMessage + ":" + p.Tenant + ":" + p.Mailbox + ":" + p.Message
}

// NewFileMessageTask builds a message:file task for queue.
func NewFileMessageTask(p FileMessagePayload, queue string) (*asynq.Task, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("new %s task: %w", TypeFileMessage, err)
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeFileMessage, data,
		asynq.TaskID(FileMessageTaskID(p)), asynq.Queue(queue), asynq.MaxRetry(8),
		asynq.Timeout(30*time.Minute), asynq.Retention(retention)), nil
}

// NotifyPayload asks a worker to deliver one follow-up event.
type NotifyPayload struct {
	Tenant  string `json:"tenant"`
	Event   string `json:"event"`
	Message string `json:"message"`
	// State and Target are where the filing that enqueued the event put
	// the message (a state and a target ID, no content), so that the
	// event need not read the index entry back; a payload without State
	// (enqueued by an older worker) reads it.
	State  string `json:"state,omitempty"`
	Target string `json:"target,omitempty"`
}

func (p NotifyPayload) validate() error {
	if err := ids.Validate("tenant", p.Tenant); err != nil {
		return err
	}
	if err := ids.Validate("event", p.Event); err != nil {
		return err
	}
	switch p.State {
	case "", "filed", "review":
	default:
		return fmt.Errorf("unknown state")
	}
	if p.Target != "" {
		if err := ids.Validate("target", p.Target); err != nil {
			return err
		}
	}
	return ids.Validate("message", p.Message)
}

// NotifyTaskID is the asynq task ID of the follow-up for event.
func NotifyTaskID(tenant, event string) string { return TypeNotify + ":" + tenant + ":" + event }

// filedEvent names the event recorded when message is filed.
func filedEvent(message string) string { return "filed-" + message }

// NewNotifyTask builds a notify:webhook task, unique by event.
func NewNotifyTask(p NotifyPayload) (*asynq.Task, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("new %s task: %w", TypeNotify, err)
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeNotify, data,
		asynq.TaskID(NotifyTaskID(p.Tenant, p.Event)), asynq.Queue(QueueDefault),
		asynq.MaxRetry(notifyMaxRetry), asynq.Retention(retention)), nil
}

// decode reads a payload; a payload that cannot be read or names a
// non-canonical ID will never succeed, so it is not retried.
func decode[P interface{ validate() error }](t *asynq.Task, p P) error {
	if err := json.Unmarshal(t.Payload(), p); err != nil {
		return fmt.Errorf("%s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
	}
	if err := p.validate(); err != nil {
		return fmt.Errorf("%s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
	}
	return nil
}
