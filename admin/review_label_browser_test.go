package admin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/catalog/catalogtest"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest/gmail"
	"github.com/matterfile/matterfile/ingest/gmail/gmailfake"
	"github.com/matterfile/matterfile/internal/browsertest"
	"github.com/matterfile/matterfile/worker"
)

// inlineQueue is an in-process task queue: tasks wait in order until
// drain runs them through the worker's handlers, one at a time.
type inlineQueue struct {
	mu    sync.Mutex
	tasks []*asynq.Task
}

func (q *inlineQueue) EnqueueContext(_ context.Context, task *asynq.Task, _ ...asynq.Option) (*asynq.TaskInfo, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.tasks = append(q.tasks, task)
	return &asynq.TaskInfo{Type: task.Type()}, nil
}

// drain runs every queued task, and those they queue, and returns the
// types run, in order. Each must succeed.
func (q *inlineQueue) drain(t *testing.T, h *worker.Handlers) []string {
	t.Helper()
	mux := h.Mux()
	var ran []string
	for {
		q.mu.Lock()
		if len(q.tasks) == 0 {
			q.mu.Unlock()
			return ran
		}
		task := q.tasks[0]
		q.tasks = q.tasks[1:]
		q.mu.Unlock()
		require.NoError(t, mux.ProcessTask(context.Background(), task), task.Type())
		ran = append(ran, task.Type())
	}
}

// TestBrowserReviewAssignWritesLabel is the acceptance test of issue 10:
// a Gmail message carrying the generic filing label, which two matters
// answer to, is synced from the fake Gmail and lands in review; an admin
// files it from /review in Chromium; the label write-back that follows
// puts Filed/<number> on the message in the fake, and the catalog has it
// filed to the matter, audited with the admin and the browser's address.
func TestBrowserReviewAssignWritesLabel(t *testing.T) {
	ctx := context.Background()
	cat, _ := catalogtest.New(t)
	require.NoError(t, cat.CreateTenant(ctx, testTenant))
	tn, err := cat.Open(ctx, testTenant)
	require.NoError(t, err)
	_, err = tn.ImportTargets(ctx, []classify.Target{
		{ID: "m-1", Number: "2024-0001", Title: "Corvid supply", Kind: "matter", Client: "acme", Aliases: []string{"Corvid Parts"}},
		{ID: "m-4", Number: "2024-0004", Title: "Corvid warranty", Kind: "matter", Client: "acme", Aliases: []string{"Corvid Parts"}},
	}, "cli:test")
	require.NoError(t, err)

	fake := gmailfake.New(gmailfake.Options{})
	t.Cleanup(fake.Close)
	fake.RegisterClient("cid", "secret")
	fm := fake.AddMailbox("bob@firm.example")
	generic := fm.CreateLabel("File to matter")
	gid := fm.AddMessage([]byte("From: Dana <dana@corvid.example>\r\nTo: bob@firm.example\r\nDate: Tue, 04 Jun 2024 09:00:00 +0000\r\n"+
		"Subject: delivery schedule from Corvid Parts\r\nMessage-ID: <sched@corvid.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
		"The new schedule is attached.\r\n"), "INBOX", generic)
	fm.AddMessage([]byte("Subject: private\r\nMessage-ID: <p@x.example>\r\n\r\nnot for filing\r\n"), "INBOX")

	q := &inlineQueue{}
	h, err := worker.NewHandlers(worker.HandlersConfig{
		Catalog: cat, Enqueuer: q, Policy: classify.DefaultPolicy(),
		Gmail: worker.GmailSettings{
			OAuth:    gmail.OAuthConfig("cid", "secret", fake.AuthURL(), fake.TokenURL(), "", nil),
			Endpoint: fake.URL(), Pacer: freePacer{},
			Retry: gmail.Retry{Base: time.Millisecond, Cap: 10 * time.Millisecond, MaxAttempts: 3},
		},
	})
	require.NoError(t, err)
	tok, err := json.Marshal(fake.IssueToken("cid", "bob@firm.example", gmail.Scopes(true)...))
	require.NoError(t, err)
	mb, err := tn.ConnectMailbox(ctx, "cli:test", "bob@firm.example", catalog.Secret{Kind: catalog.AuthUserToken, Data: tok}, true,
		func(ctx context.Context, mb catalog.Mailbox) error {
			_, err := h.GmailProfile(ctx, testTenant, mb.ID)
			return err
		})
	require.NoError(t, err)

	// The sync finds the labelled message; its fetch files it to review
	// (two matters answer to Corvid Parts) and writes the review label.
	sync, err := worker.NewSyncMailboxTask(worker.MailboxPayload{Tenant: testTenant, Mailbox: mb.ID})
	require.NoError(t, err)
	_, err = q.EnqueueContext(ctx, sync)
	require.NoError(t, err)
	require.Contains(t, q.drain(t, h), worker.TypeLabelGmail)
	entries, err := tn.Messages(ctx)
	require.NoError(t, err)
	require.Len(t, entries, 1, "only the labelled message is filed")
	msg := entries[0].Message
	require.Equal(t, catalog.StateReview, entries[0].State)
	require.Contains(t, fm.Labels(gid), fm.LabelID(worker.DefaultReviewLabel))
	require.Empty(t, fm.LabelID("Filed/2024-0001"))

	clock := &fakeClock{now: time.Now()}
	srv, err := New(Config{Catalog: cat, Handlers: h, Enqueuer: q, Lockout: lockout, InsecureCookies: true, Now: clock.Now})
	require.NoError(t, err)
	srv.passwd, err = newPasswords(testHashParams, 4)
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	b := &bundle{t: t, srv: srv, ts: ts, cat: cat, tenant: tn, clock: clock}
	b.addUser("admin@firm.example", catalog.RoleAdmin)

	br := browsertest.New(t)
	require.Equal(t, http.StatusOK, br.Go(ts.URL+signinPath))
	br.Fill("#tenant", testTenant)
	br.Fill("#email", "admin@firm.example")
	br.Fill("#password", testPassword)
	require.Equal(t, http.StatusOK, br.Submit("#password"))
	require.Equal(t, http.StatusOK, br.Go(ts.URL+"/review"))
	item := "#item-" + msg
	require.Contains(t, br.Text(item), "delivery schedule from Corvid Parts")
	require.Contains(t, br.Text(item+" .candidates"), "2024-0001")
	require.Contains(t, br.Text(item+" .candidates"), "2024-0004")

	br.Click(item + ` form:has(input[name="target"][value="m-1"]) button`)
	br.WaitVisible("p.notice")
	require.Equal(t, reviewNotices["assigned"], br.Text("p.notice"))
	require.NotContains(t, br.Text("main"), "delivery schedule from Corvid Parts", "it left the queue")
	br.Screenshot("review-assigned")

	e, err := tn.Lookup(ctx, msg)
	require.NoError(t, err)
	require.Equal(t, catalog.StateFiled, e.State)
	require.Equal(t, "m-1", e.Matter)
	recs := b.records(audit.ActionMessageReview)
	require.NotEmpty(t, recs)
	last := recs[len(recs)-1]
	require.Equal(t, audit.OK, last.Outcome)
	require.Equal(t, "127.0.0.1", last.SourceIP)

	// The write-back the assignment queued puts Filed/2024-0001 on the
	// message in Gmail; the user's own label stays.
	require.Contains(t, q.drain(t, h), worker.TypeLabelGmail)
	filed := fm.LabelID("Filed/2024-0001")
	require.NotEmpty(t, filed, "the Filed label was created in Gmail")
	require.Contains(t, fm.Labels(gid), filed)
	require.Contains(t, fm.Labels(gid), generic)

	br.WaitIdle()
	require.Empty(t, br.Dialogs())
	require.Empty(t, br.Problems())
}
