package push_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/catalog/catalogtest"
	"github.com/matterfile/matterfile/push"
)

// fakeQueue records tasks and, like asynq with the sync task's per-mailbox
// ID, refuses a second sync of the same mailbox while one is queued.
type fakeQueue struct {
	mu    sync.Mutex
	tasks []string
}

func (q *fakeQueue) Enqueue(task *asynq.Task, _ ...asynq.Option) (*asynq.TaskInfo, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	key := string(task.Payload())
	for _, t := range q.tasks {
		if t == key {
			return nil, asynq.ErrTaskIDConflict
		}
	}
	q.tasks = append(q.tasks, key)
	return &asynq.TaskInfo{}, nil
}

const secret = "0123456789abcdef0123456789abcdef-long-secret"

func body(addr, hid string) string {
	data := `{"emailAddress":"` + addr + `","historyId":` + hid + `}`
	return `{"message":{"data":"` + base64.StdEncoding.EncodeToString([]byte(data)) + `"},"subscription":"s"}`
}

// Attacks 36 and 37, and the notifications that must not queue anything.
func TestPush(t *testing.T) {
	ctx := context.Background()
	cat, _ := catalogtest.New(t)
	require.NoError(t, cat.CreateTenant(ctx, "firm"))
	tn, err := cat.Open(ctx, "firm")
	require.NoError(t, err)
	active, err := tn.EnsureMailbox(ctx, "ann@firm.example")
	require.NoError(t, err)
	require.NoError(t, tn.SaveGmailState(ctx, active.ID, catalog.GmailState{Status: catalog.StatusActive, Cursor: 500}))
	revoked, err := tn.EnsureMailbox(ctx, "rev@firm.example")
	require.NoError(t, err)
	require.NoError(t, tn.SaveGmailState(ctx, revoked.ID, catalog.GmailState{Status: catalog.StatusReconnect}))
	_, err = tn.EnsureMailbox(ctx, "mbox-only@firm.example")
	require.NoError(t, err)

	_, err = push.New(push.Config{Secret: "short", Catalog: cat, Enqueuer: &fakeQueue{}})
	require.Error(t, err, "a short secret is refused")
	q := &fakeQueue{}
	h, err := push.New(push.Config{Secret: secret, Catalog: cat, Enqueuer: q})
	require.NoError(t, err)

	for _, tc := range []struct {
		name, target, auth, body string
		status                   int
		queued                   int
	}{
		{"no secret", "/gmail/push/firm", "", body("ann@firm.example", "600"), 401, 0},
		{"wrong secret", "/gmail/push/firm?token=" + strings.Repeat("x", 45), "", body("ann@firm.example", "600"), 401, 0},
		{"secret prefix", "/gmail/push/firm?token=" + secret[:40], "", body("ann@firm.example", "600"), 401, 0},
		{"bearer", "/gmail/push/firm", "Bearer " + secret, body("ann@firm.example", "600"), 204, 1},
		{"replayed", "/gmail/push/firm?token=" + secret, "", body("ann@firm.example", "600"), 204, 1},
		{"string history id", "/gmail/push/firm?token=" + secret, "", body("ann@firm.example", `"601"`), 204, 1},
		{"at or below cursor", "/gmail/push/firm?token=" + secret, "", body("ann@firm.example", "500"), 204, 1},
		{"reconnect required", "/gmail/push/firm?token=" + secret, "", body("rev@firm.example", "900"), 204, 1},
		{"not a gmail mailbox", "/gmail/push/firm?token=" + secret, "", body("mbox-only@firm.example", "900"), 204, 1},
		{"unknown mailbox", "/gmail/push/firm?token=" + secret, "", body("eve@else.example", "900"), 204, 1},
		{"unknown tenant", "/gmail/push/nobody?token=" + secret, "", body("ann@firm.example", "900"), 204, 1},
		{"bad tenant id", "/gmail/push/..%2fx?token=" + secret, "", body("ann@firm.example", "900"), 404, 1},
		{"malformed", "/gmail/push/firm?token=" + secret, "", `{"message":{"data":"!!"}}`, 204, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, tc.target, strings.NewReader(tc.body))
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, tc.status, rec.Code)
			require.Len(t, q.tasks, tc.queued)
		})
	}
	for _, task := range q.tasks {
		require.NotContains(t, task, "ann@", "payloads carry IDs only")
	}
}
