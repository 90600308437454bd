package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/webhook"
)

// notifyMaxRetry is how often a notify:webhook task is retried before its
// event is dead-lettered: with notifyRetryDelay, about five hours of a
// receiver being down.
const notifyMaxRetry = 12

// notifyRetryDelay backs off exponentially from 30 s to an hour, with
// jitter (a random point in the upper half), so that a receiver coming
// back is not hit by every waiting event at once.
func notifyRetryDelay(n int) time.Duration {
	d := min((30*time.Second)<<min(max(n, 0), 7), time.Hour)
	return d/2 + rand.N(d/2+1)
}

// webhookTimeout bounds one delivery attempt, answer included.
const webhookTimeout = 10 * time.Second

// newWebhookClient's client follows no redirect: a 3xx is an answer like
// any other, so an event never goes to a host the firm did not configure.
func newWebhookClient() *http.Client {
	return &http.Client{
		Timeout:       webhookTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// WebhookEvent is the JSON body of a webhook request: IDs only, never a
// subject, an address or any other content of the message.
type WebhookEvent struct {
	ID      string    `json:"id"`
	Type    string    `json:"type"`
	Tenant  string    `json:"tenant"`
	Message string    `json:"message"`
	State   string    `json:"state"`
	Target  string    `json:"target,omitempty"`
	Time    time.Time `json:"time"`
}

// DeliveryError is a delivery attempt the receiver did not accept: its
// HTTP status, or 0 and an error class if it did not answer. It never
// holds the URL (which may carry a token), the body or the secret.
type DeliveryError struct {
	Status int
	Class  string
}

func (e *DeliveryError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("webhook answered %d", e.Status)
	}
	return "webhook delivery failed: " + e.Class
}

// retryable reports whether a status may succeed later: 408, 429 and 5xx.
// Any other answer (3xx: redirects are not followed; 4xx) will not change
// by itself and is dead-lettered at once.
func retryable(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// deliverEvent sends recorded event id to the tenant's webhook, if it has
// one and the event was not delivered before. attempt is reported in the
// delivery record.
func (h *Handlers) deliverEvent(ctx context.Context, t *catalog.Tenant, id string, attempt int) error {
	w, err := t.Webhook(ctx)
	if errors.Is(err, catalog.ErrNoWebhook) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := t.WebhookDelivered(ctx, id); err == nil {
		return nil // at least once, and not again once it is known delivered
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	ev, err := t.Event(ctx, id)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return permanent(fmt.Errorf("event %s is not recorded: %w", id, err))
		}
		return err
	}
	if err := catalog.ValidateWebhookURL(w.URL); err != nil {
		return permanent(&DeliveryError{Class: "webhook URL refused"})
	}
	body, err := json.Marshal(WebhookEvent{ID: ev.ID, Type: ev.Type, Tenant: t.ID, Message: ev.Message, State: ev.State, Target: ev.Target, Time: ev.Time})
	if err != nil {
		return permanent(err)
	}
	ts := strconv.FormatInt(h.now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return permanent(&DeliveryError{Class: "webhook URL refused"})
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "matterfile-webhook/1")
	req.Header.Set(webhook.HeaderEventID, ev.ID)
	req.Header.Set(webhook.HeaderTimestamp, ts)
	req.Header.Set(webhook.HeaderSignature, webhook.Sign(w.Secret, ts, body))
	resp, err := h.webhooks.Do(req)
	if err != nil {
		return &DeliveryError{Class: errorClass(err)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		h.log.Info("webhook delivered", "tenant", t.ID, "event", ev.ID, "status", resp.StatusCode, "attempt", attempt)
		return t.RecordWebhookDelivery(ctx, catalog.WebhookDelivery{Event: ev.ID, Status: resp.StatusCode, Attempts: attempt, Time: h.now().UTC()})
	case retryable(resp.StatusCode):
		return &DeliveryError{Status: resp.StatusCode}
	default:
		return permanent(&DeliveryError{Status: resp.StatusCode})
	}
}

// errorClass names what went wrong without the URL or addresses that
// net/http's errors quote.
func errorClass(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	default:
		var oe *net.OpError
		if errors.As(err, &oe) {
			return "network error (" + oe.Op + ")"
		}
		return "connection failed"
	}
}

// deadLetter records an event whose delivery failed for good (retries
// exhausted, or refused by the receiver), so that it is listed by
// 'webhooks failed' and can be redelivered.
func (h *Handlers) deadLetter(ctx context.Context, task *asynq.Task, err error, retried int) {
	var de *DeliveryError
	if !errors.As(err, &de) {
		return // not a delivery failure: the event itself could not be recorded
	}
	var p NotifyPayload
	if decode(task, &p) != nil {
		return
	}
	t, oerr := h.cat.Open(ctx, p.Tenant)
	if oerr != nil {
		return
	}
	h.recordDeadLetter(ctx, t, p, de, retried+1)
}

func (h *Handlers) recordDeadLetter(ctx context.Context, t *catalog.Tenant, p NotifyPayload, de *DeliveryError, attempts int) {
	f := catalog.WebhookFailure{Event: p.Event, Message: p.Message, Status: de.Status, Reason: de.Error(), Attempts: attempts, Time: h.now().UTC()}
	if old, err := t.WebhookFailure(ctx, p.Event); err == nil {
		f.Attempts += old.Attempts
	}
	if err := t.RecordWebhookFailure(ctx, f); err != nil {
		h.log.Error("record webhook failure", "tenant", t.ID, "event", p.Event, "err", err)
		return
	}
	h.log.Warn("webhook event dead-lettered", "tenant", t.ID, "event", p.Event, "status", de.Status, "attempts", f.Attempts)
}

// Redeliver tries once, now, to deliver a dead-lettered event of tenant.
// On success the dead letter is removed; otherwise its attempts and status
// are updated and the error returned.
func (h *Handlers) Redeliver(ctx context.Context, tenant, event string) error {
	t, err := h.cat.Open(ctx, tenant)
	if err != nil {
		return err
	}
	f, err := t.WebhookFailure(ctx, event)
	if err != nil {
		return err
	}
	if _, err := t.Webhook(ctx); err != nil {
		return err
	}
	err = h.deliverEvent(ctx, t, event, f.Attempts+1)
	var de *DeliveryError
	if errors.As(err, &de) {
		h.recordDeadLetter(ctx, t, NotifyPayload{Tenant: tenant, Event: event, Message: f.Message}, de, 1)
	}
	return err
}

// RedeliverLater re-enqueues a dead-lettered event of tenant for the
// workers, with a fresh budget of retries. The earlier task, archived
// under the same task ID, is deleted first.
func (q *Queue) RedeliverLater(ctx context.Context, cat *catalog.Catalog, tenant, event string) error {
	t, err := cat.Open(ctx, tenant)
	if err != nil {
		return err
	}
	f, err := t.WebhookFailure(ctx, event)
	if err != nil {
		return err
	}
	task, err := NewNotifyTask(NotifyPayload{Tenant: tenant, Event: event, Message: f.Message})
	if err != nil {
		return err
	}
	if err := q.Inspector.DeleteTask(QueueDefault, NotifyTaskID(tenant, event)); err != nil &&
		!errors.Is(err, asynq.ErrTaskNotFound) && !errors.Is(err, asynq.ErrQueueNotFound) {
		return fmt.Errorf("event %s: earlier task: %w", event, err)
	}
	if _, err := q.Client.EnqueueContext(ctx, task); err != nil {
		return fmt.Errorf("enqueue event %s: %w", event, err)
	}
	return nil
}
