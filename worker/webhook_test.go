package worker_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/webhook"
	"github.com/matterfile/matterfile/worker"
)

const hookSecret = "s3cr3t-webhook-signing-key-0123456789abcdef"

// receiver is a firm's webhook endpoint: it verifies every request with
// webhook.Verify and answers with the status status() returns.
type receiver struct {
	srv      *httptest.Server
	mu       sync.Mutex
	bodies   [][]byte
	eventIDs []string
	headers  []http.Header
	verified []error
	status   atomic.Int32
}

func newReceiver(t *testing.T, status int) *receiver {
	r := &receiver{}
	r.status.Store(int32(status))
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		require.NoError(t, err)
		verr := webhook.Verify([]byte(hookSecret), req.Header.Get(webhook.HeaderTimestamp), body, req.Header.Get(webhook.HeaderSignature))
		r.mu.Lock()
		r.bodies = append(r.bodies, body)
		r.eventIDs = append(r.eventIDs, req.Header.Get(webhook.HeaderEventID))
		r.headers = append(r.headers, req.Header.Clone())
		r.verified = append(r.verified, verr)
		r.mu.Unlock()
		w.WriteHeader(int(r.status.Load()))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

// hookBundle is a firm with one filed message, a webhook pointing at a
// receiver, and handlers logging into logs.
type hookBundle struct {
	*testBundle
	h      *worker.Handlers
	tn     *catalog.Tenant
	msg    string
	recv   *receiver
	logs   *syncBuffer
	notify worker.NotifyPayload
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const hookSubject = "Confidential-settlement-Zanzibar-terms"

func setupHook(t *testing.T, status int) *hookBundle {
	t.Helper()
	b := setup(t)
	logs := &syncBuffer{}
	h, err := worker.NewHandlers(worker.HandlersConfig{Catalog: b.cat, Enqueuer: b.q.Client, Policy: classify.DefaultPolicy(),
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	require.NoError(t, err)
	ps := b.stageOnly(t, "firm-a", export(t, message("Inbox,Matters/2024-0001 Acme", hookSubject, "body of the settlement")))
	require.Len(t, ps, 1)
	e, err := h.FileMessage(b.ctx, ps[0])
	require.NoError(t, err)
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	recv := newReceiver(t, status)
	require.NoError(t, tn.SetWebhook(b.ctx, catalog.Webhook{URL: recv.srv.URL + "/hooks/matterfile", Secret: []byte(hookSecret)}, "cli:test"))
	return &hookBundle{testBundle: b, h: h, tn: tn, msg: e.Message, recv: recv, logs: logs,
		notify: worker.NotifyPayload{Tenant: "firm-a", Event: "filed-" + e.Message, Message: e.Message}}
}

func (hb *hookBundle) handle(t *testing.T) error {
	t.Helper()
	task, err := worker.NewNotifyTask(hb.notify)
	require.NoError(t, err)
	return hb.h.HandleNotifyTask(hb.ctx, task)
}

// TestWebhookSignedIDsOnly: the event is signed so that webhook.Verify
// accepts it with the firm's secret, carries IDs only, and is sent once.
func TestWebhookSignedIDsOnly(t *testing.T) {
	hb := setupHook(t, http.StatusNoContent)
	require.NoError(t, hb.handle(t))
	require.Equal(t, 1, hb.recv.requests())
	require.NoError(t, hb.recv.verified[0], "signature verifies with the secret")
	require.ErrorIs(t, webhook.Verify([]byte("another secret of thirty-two bytes!!"), hb.recv.headers[0].Get(webhook.HeaderTimestamp),
		hb.recv.bodies[0], hb.recv.headers[0].Get(webhook.HeaderSignature)), webhook.ErrSignature, "and with no other")
	require.Equal(t, hb.notify.Event, hb.recv.eventIDs[0])

	body := string(hb.recv.bodies[0])
	for _, leak := range []string{hookSubject, "Zanzibar", "ann@acme.example", "bob@firm.example", "settlement", hookSecret} {
		require.NotContains(t, body, leak)
	}
	var ev worker.WebhookEvent
	require.NoError(t, json.Unmarshal(hb.recv.bodies[0], &ev))
	require.Equal(t, worker.WebhookEvent{ID: hb.notify.Event, Type: "message.filed", Tenant: "firm-a", Message: hb.msg,
		State: catalog.StateFiled, Target: "m-1", Time: ev.Time}, ev)
	require.False(t, ev.Time.IsZero())
	var fields map[string]any
	require.NoError(t, json.Unmarshal(hb.recv.bodies[0], &fields))
	for k := range fields {
		require.Contains(t, []string{"id", "type", "tenant", "message", "state", "target", "time"}, k)
	}

	// Delivered: a repeated task sends nothing.
	require.NoError(t, hb.handle(t))
	require.Equal(t, 1, hb.recv.requests())
	d, err := hb.tn.WebhookDelivered(hb.ctx, hb.notify.Event)
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, d.Status)
	require.NotContains(t, hb.logs.String(), hookSecret)
	require.NotContains(t, hb.logs.String(), hb.recv.srv.URL)
}

// TestWebhookRetriedThenDelivered: a 500 is an error asynq retries, not a
// permanent one; the next attempt delivers the same event.
func TestWebhookRetriedThenDelivered(t *testing.T) {
	hb := setupHook(t, http.StatusInternalServerError)
	err := hb.handle(t)
	require.Error(t, err)
	require.False(t, errors.Is(err, asynq.SkipRetry), "a 500 is retried")
	var de *worker.DeliveryError
	require.ErrorAs(t, err, &de)
	require.Equal(t, 500, de.Status)
	_, err = hb.tn.WebhookDelivered(hb.ctx, hb.notify.Event)
	require.Error(t, err, "not delivered yet")

	for _, st := range []int{http.StatusTooManyRequests, http.StatusRequestTimeout, http.StatusBadGateway} {
		hb.recv.status.Store(int32(st))
		err = hb.handle(t)
		require.Error(t, err)
		require.False(t, errors.Is(err, asynq.SkipRetry), "%d is retried", st)
	}

	hb.recv.status.Store(http.StatusOK)
	require.NoError(t, hb.handle(t))
	require.Equal(t, 5, hb.recv.requests())
	for i := range hb.recv.bodies {
		require.NoError(t, hb.recv.verified[i])
		require.Equal(t, hb.notify.Event, hb.recv.eventIDs[i], "every attempt carries the event ID to dedupe on")
		require.Equal(t, string(hb.recv.bodies[0]), string(hb.recv.bodies[i]), "every attempt sends the same event")
	}
	_, err = hb.tn.WebhookDelivered(hb.ctx, hb.notify.Event)
	require.NoError(t, err)
}

// TestWebhookRefusedDeadLettered runs a real worker: a 400 is not retried,
// the event is dead-lettered at once with its status, and a redelivery to
// a receiver that accepts it clears the dead letter.
func TestWebhookRefusedDeadLettered(t *testing.T) {
	hb := setupHook(t, http.StatusBadRequest)
	err := hb.handle(t)
	require.ErrorIs(t, err, asynq.SkipRetry, "a 400 is not retried")
	// The filing queued its follow-up; a worker now runs it.
	srv := hb.q.NewServer(hb.h, worker.ServerConfig{Concurrency: 2, Logger: slog.New(slog.NewTextHandler(hb.logs, nil))})
	require.NoError(t, srv.Start(hb.h.Mux()))
	t.Cleanup(srv.Shutdown)

	var fs []catalog.WebhookFailure
	require.Eventually(t, func() bool {
		fs, err = hb.tn.WebhookFailures(hb.ctx)
		require.NoError(t, err)
		return len(fs) == 1
	}, 10*time.Second, 50*time.Millisecond)
	require.Equal(t, hb.notify.Event, fs[0].Event)
	require.Equal(t, hb.msg, fs[0].Message)
	require.Equal(t, http.StatusBadRequest, fs[0].Status)
	require.Equal(t, 1, fs[0].Attempts)
	require.Equal(t, 2, hb.recv.requests(), "one direct attempt, one by the worker: no retry")
	info, err := hb.q.Inspector.GetTaskInfo(worker.QueueDefault, worker.NotifyTaskID("firm-a", hb.notify.Event))
	require.NoError(t, err)
	require.Equal(t, asynq.TaskStateArchived, info.State)

	// Still refused: the dead letter stays, with the attempts counted.
	require.Error(t, hb.h.Redeliver(hb.ctx, "firm-a", hb.notify.Event))
	f, err := hb.tn.WebhookFailure(hb.ctx, hb.notify.Event)
	require.NoError(t, err)
	require.Equal(t, 2, f.Attempts)

	hb.recv.status.Store(http.StatusOK)
	require.NoError(t, hb.h.Redeliver(hb.ctx, "firm-a", hb.notify.Event))
	require.Equal(t, 4, hb.recv.requests())
	fs, err = hb.tn.WebhookFailures(hb.ctx)
	require.NoError(t, err)
	require.Empty(t, fs)

	// Through the queue as well: RedeliverLater replaces the archived task.
	require.NoError(t, hb.tn.RecordWebhookFailure(hb.ctx, catalog.WebhookFailure{Event: hb.notify.Event, Message: hb.msg, Status: 400, Attempts: 1}))
	require.NoError(t, hb.q.RedeliverLater(hb.ctx, hb.cat, "firm-a", hb.notify.Event))
	require.Eventually(t, func() bool {
		info, err := hb.q.Inspector.GetTaskInfo(worker.QueueDefault, worker.NotifyTaskID("firm-a", hb.notify.Event))
		return err == nil && info.State == asynq.TaskStateCompleted
	}, 10*time.Second, 50*time.Millisecond)
	require.NotContains(t, hb.logs.String(), hookSecret)
}

// TestWebhookRetriesExhaustedDeadLettered: a receiver that keeps failing
// has the event dead-lettered after the last retry, with the attempts.
func TestWebhookRetriesExhaustedDeadLettered(t *testing.T) {
	hb := setupHook(t, http.StatusServiceUnavailable)
	// Replace the queued follow-up by one with no retries left to wait for.
	require.NoError(t, hb.q.Inspector.DeleteTask(worker.QueueDefault, worker.NotifyTaskID("firm-a", hb.notify.Event)))
	task, err := worker.NewNotifyTask(hb.notify)
	require.NoError(t, err)
	_, err = hb.q.Client.Enqueue(task, asynq.MaxRetry(0))
	require.NoError(t, err)
	srv := hb.q.NewServer(hb.h, worker.ServerConfig{Concurrency: 1})
	require.NoError(t, srv.Start(hb.h.Mux()))
	t.Cleanup(srv.Shutdown)
	var f catalog.WebhookFailure
	require.Eventually(t, func() bool {
		f, err = hb.tn.WebhookFailure(hb.ctx, hb.notify.Event)
		return err == nil
	}, 10*time.Second, 50*time.Millisecond)
	require.Equal(t, http.StatusServiceUnavailable, f.Status)
	require.Equal(t, 1, f.Attempts)
	require.Equal(t, 1, hb.recv.requests())
}

// TestWebhookNoAnswerRetried: a receiver that is gone is a retryable
// error naming neither URL nor address.
func TestWebhookNoAnswerRetried(t *testing.T) {
	hb := setupHook(t, http.StatusOK)
	hb.recv.srv.Close()
	err := hb.handle(t)
	var de *worker.DeliveryError
	require.ErrorAs(t, err, &de)
	require.Zero(t, de.Status)
	require.False(t, errors.Is(err, asynq.SkipRetry))
	require.NotContains(t, err.Error(), "127.0.0.1")
}

// TestWebhookURL: https only, plain http to loopback alone.
func TestWebhookURL(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://hooks.firm.example/matterfile": true,
		"http://127.0.0.1:8080/x":               true,
		"http://localhost/x":                    true,
		"http://[::1]:9/x":                      true,
		"http://hooks.firm.example/x":           false,
		"http://127.0.0.1.nip.io/x":             false,
		"http://10.0.0.1/x":                     false,
		"ftp://hooks.firm.example/x":            false,
		"https://user:pw@hooks.firm.example/x":  false,
		"https:///x":                            false,
		"hooks.firm.example":                    false,
	} {
		err := catalog.ValidateWebhookURL(u)
		require.Equal(t, ok, err == nil, "%s: %v", u, err)
		if err != nil {
			require.NotContains(t, err.Error(), "firm.example")
		}
	}
	b := setup(t)
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	require.Error(t, tn.SetWebhook(b.ctx, catalog.Webhook{URL: "https://hooks.firm.example/", Secret: []byte("short")}, "cli:test"))
	_, err = tn.Webhook(b.ctx)
	require.ErrorIs(t, err, catalog.ErrNoWebhook)
}
