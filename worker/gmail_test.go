package worker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest/gmail"
	"github.com/matterfile/matterfile/ingest/gmail/gmailfake"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
	"github.com/matterfile/matterfile/worker"
)

// freePacer grants every request; pacing has its own tests.
type freePacer struct{}

func (*freePacer) Acquire(context.Context, string, int) (func(), error)  { return func() {}, nil }
func (*freePacer) Penalize(context.Context, string, time.Duration) error { return nil }

type gmailBundle struct {
	*testBundle
	fake *gmailfake.Server
	h    *worker.Handlers
}

func setupGmail(t *testing.T, opt gmailfake.Options) *gmailBundle {
	t.Helper()
	b := setup(t)
	fake := gmailfake.New(opt)
	t.Cleanup(fake.Close)
	fake.RegisterClient("cid", "secret")
	h, err := worker.NewHandlers(worker.HandlersConfig{
		Catalog: b.cat, Enqueuer: b.q.Client, Policy: classify.DefaultPolicy(),
		Gmail: worker.GmailSettings{
			OAuth:    gmail.OAuthConfig("cid", "secret", fake.AuthURL(), fake.TokenURL(), "", nil),
			Endpoint: fake.URL(), Pacer: &freePacer{},
			Retry: gmail.Retry{Base: time.Millisecond, Cap: 10 * time.Millisecond, MaxAttempts: 10},
		},
	})
	require.NoError(t, err)
	srv := b.q.NewServer(h, worker.ServerConfig{Concurrency: 8})
	require.NoError(t, srv.Start(h.Mux()))
	t.Cleanup(srv.Shutdown)
	return &gmailBundle{testBundle: b, fake: fake, h: h}
}

// connect adds a fake mailbox and connects it to tenant firm-a.
func (b *gmailBundle) connect(t testing.TB, addr string, writeBack bool) (*gmailfake.Mailbox, catalog.Mailbox) {
	t.Helper()
	fm := b.fake.AddMailbox(addr)
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	mb, err := tn.EnsureMailbox(b.ctx, addr)
	require.NoError(t, err)
	data, err := json.Marshal(b.fake.IssueToken("cid", addr))
	require.NoError(t, err)
	require.NoError(t, tn.SaveSecret(b.ctx, mb.ID, catalog.Secret{Kind: catalog.AuthUserToken, Data: data}))
	require.NoError(t, tn.SaveGmailState(b.ctx, mb.ID, catalog.GmailState{Auth: catalog.AuthUserToken, Status: catalog.StatusActive, WriteBack: writeBack}))
	return fm, mb
}

func (b *gmailBundle) syncAndWait(t *testing.T, mb catalog.Mailbox) gmail.SyncResult {
	t.Helper()
	res, err := b.h.SyncMailbox(b.ctx, worker.MailboxPayload{Tenant: "firm-a", Mailbox: mb.ID})
	require.NoError(t, err)
	tn, _ := b.cat.Open(b.ctx, "firm-a")
	require.Eventually(t, func() bool {
		idle, err := worker.MailboxIdle(b.ctx, b.q.Inspector, tn, mb.ID)
		require.NoError(t, err)
		return idle
	}, 60*time.Second, 20*time.Millisecond)
	return res
}

func gmailMessage(n int, subject string) []byte {
	return fmt.Appendf(nil, "Message-ID: <%d@acme.example>\r\nFrom: Ann <ann@acme.example>\r\nSubject: %s\r\nContent-Type: text/plain\r\n\r\nbody %d\r\n", n, subject, n)
}

func TestGmailSyncFilesLabelledMessagesOnce(t *testing.T) {
	b := setupGmail(t, gmailfake.Options{FailRate: 0.05, DropRate: 0.01, EmptyPageRate: 0.2, Seed: 11})
	fm, mb := b.connect(t, "bob@firm.example", true)
	matter := fm.CreateLabel("Matters/2024-0001 Acme")
	generic := fm.CreateLabel("File to matter")
	var labelled []string
	for i := range 60 {
		switch i % 3 {
		case 0:
			labelled = append(labelled, fm.AddMessage(gmailMessage(i, "status"), "INBOX", matter))
		case 1:
			labelled = append(labelled, fm.AddMessage(gmailMessage(i, "no number here"), generic))
		default:
			fm.AddMessage(gmailMessage(i, "private"), "INBOX")
		}
	}
	res := b.syncAndWait(t, mb)
	require.True(t, res.Full)
	require.Equal(t, len(labelled), res.Candidates)

	tn, _ := b.cat.Open(b.ctx, "firm-a")
	entries, err := tn.Messages(b.ctx)
	require.NoError(t, err)
	require.Len(t, entries, len(labelled), "every labelled message filed once")
	byGmail := map[string]catalog.IndexEntry{}
	for _, e := range entries {
		m, err := tn.Manifest(b.ctx, e)
		require.NoError(t, err)
		require.Len(t, m.Custodians, 1)
		c := m.Custodians[0]
		require.Equal(t, mb.ID, c.Mailbox)
		require.False(t, c.InternalDate.IsZero())
		byGmail[c.GmailID] = e
	}
	for i, id := range labelled {
		e, ok := byGmail[id]
		require.True(t, ok, "message %s filed", id)
		if i%2 == 0 {
			require.Equal(t, catalog.StateFiled, e.State)
			require.Equal(t, "m-1", e.Matter)
			require.Contains(t, fm.Labels(id), fm.LabelID("Filed/2024-0001"), "filed label written back")
		} else {
			require.Equal(t, catalog.StateReview, e.State)
			require.Contains(t, fm.Labels(id), fm.LabelID(worker.DefaultReviewLabel))
		}
		require.Contains(t, fm.Labels(id), map[bool]string{true: matter, false: generic}[i%2 == 0], "the user's label stays")
	}
	st, err := tn.GmailState(b.ctx, mb.ID)
	require.NoError(t, err)
	require.Equal(t, catalog.StatusActive, st.Status)
	require.NotZero(t, st.Cursor)

	// Our own labels come back through history; they must not refile
	// anything. A lawyer labels an old message; it is filed, alone.
	n := len(entries)
	old := fm.AddMessage(gmailMessage(900, "old news 2024-0001"), "INBOX")
	res2 := b.syncAndWait(t, mb)
	require.False(t, res2.Full)
	require.Zero(t, res2.Candidates, "write-back labels and unlabelled mail are not filing requests")
	fm.AddLabels(old, matter)
	res3 := b.syncAndWait(t, mb)
	require.Equal(t, 1, res3.Candidates)
	entries, err = tn.Messages(b.ctx)
	require.NoError(t, err)
	require.Len(t, entries, n+1)

	// A labelled draft is not filed.
	draft := fm.AddMessage(gmailMessage(902, "draft reply"), "DRAFT", matter)
	b.syncAndWait(t, mb)
	entries, err = tn.Messages(b.ctx)
	require.NoError(t, err)
	require.Len(t, entries, n+1, "drafts are not filed")
	require.NotContains(t, fm.Labels(draft), fm.LabelID("Filed/2024-0001"))

	// A message deleted between sync and fetch is dropped, not failed.
	gone := fm.AddMessage(gmailMessage(901, "gone"), matter)
	fm.Delete(gone)
	b.syncAndWait(t, mb)
	fs, err := tn.Failures(b.ctx)
	require.NoError(t, err)
	require.Empty(t, fs)
	_, err = tn.Event(b.ctx, "gone-"+mb.ID+"-"+gone)
	require.NoError(t, err, "the skipped message is counted by its event")
	pending, err := tn.GmailPendingIDs(b.ctx, mb.ID)
	require.NoError(t, err)
	require.Empty(t, pending)
}

// Revoking one mailbox's grant marks it "reconnect required" and stops its
// retries; another mailbox of the tenant syncs on.
func TestGmailRevokedMailboxNeedsReconnect(t *testing.T) {
	b := setupGmail(t, gmailfake.Options{})
	f1, mb1 := b.connect(t, "one@firm.example", false)
	f2, mb2 := b.connect(t, "two@firm.example", false)
	for i, fm := range []*gmailfake.Mailbox{f1, f2} {
		l := fm.CreateLabel("File to matter")
		fm.AddMessage(gmailMessage(i, "x"), l)
	}
	b.fake.Revoke("one@firm.example")
	b.fake.ExpireAccessTokens()

	_, err := b.h.SyncMailbox(b.ctx, worker.MailboxPayload{Tenant: "firm-a", Mailbox: mb1.ID})
	require.ErrorIs(t, err, gmail.ErrReconnect)
	require.ErrorContains(t, err, "skip retry")
	tn, _ := b.cat.Open(b.ctx, "firm-a")
	st, err := tn.GmailState(b.ctx, mb1.ID)
	require.NoError(t, err)
	require.Equal(t, catalog.StatusReconnect, st.Status)
	require.NotEmpty(t, st.LastError)

	b.syncAndWait(t, mb2)
	entries, err := tn.Messages(b.ctx)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	m, err := tn.Manifest(b.ctx, entries[0])
	require.NoError(t, err)
	require.Equal(t, mb2.ID, m.Custodians[0].Mailbox)
	require.True(t, slices.ContainsFunc(m.Custodians, func(c catalog.Custodian) bool { return c.GmailID != "" }))
}

// TestPollerSyncsActiveMailboxes: a label added live is filed by the next
// poll, without a push; a mailbox that needs reconnecting is left alone.
func TestPollerSyncsActiveMailboxes(t *testing.T) {
	b := setupGmail(t, gmailfake.Options{})
	fm, mb := b.connect(t, "live@firm.example", false)
	_, idle := b.connect(t, "revoked@firm.example", false)
	tn, _ := b.cat.Open(b.ctx, "firm-a")
	st, err := tn.GmailState(b.ctx, idle.ID)
	require.NoError(t, err)
	st.Status = catalog.StatusReconnect
	require.NoError(t, tn.SaveGmailState(b.ctx, idle.ID, st))
	b.syncAndWait(t, mb) // the first, full sync: nothing labelled yet

	l := fm.CreateLabel("File to matter")
	id := fm.AddMessage(gmailMessage(1, "live"), "INBOX")
	fm.AddLabels(id, l)

	p, err := worker.NewPoller(b.cat, b.q.Client, time.Hour, nil)
	require.NoError(t, err)
	n, err := p.Poll(b.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n, "one sync, for the active mailbox only")
	require.Eventually(t, func() bool {
		entries, err := tn.Messages(b.ctx)
		return err == nil && len(entries) == 1
	}, 30*time.Second, 20*time.Millisecond)
}

// Gmail's daily limit pauses the mailbox rather than retrying into it; the
// poll leaves it alone until the pause is over, and an alert is recorded.
func TestGmailDailyLimitPausesMailbox(t *testing.T) {
	b := setupGmail(t, gmailfake.Options{})
	_, mb := b.connect(t, "busy@firm.example", false)
	limited := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"error":{"code":403,"message":"Daily Limit Exceeded","errors":[{"domain":"usageLimits","reason":"dailyLimitExceeded","message":"Daily Limit Exceeded"}],"status":"PERMISSION_DENIED"}}`)
	}))
	defer limited.Close()
	h, err := worker.NewHandlers(worker.HandlersConfig{
		Catalog: b.cat, Enqueuer: b.q.Client, Policy: classify.DefaultPolicy(),
		Gmail: worker.GmailSettings{
			OAuth:    gmail.OAuthConfig("cid", "secret", b.fake.AuthURL(), b.fake.TokenURL(), "", nil),
			Endpoint: limited.URL, Pacer: &freePacer{},
		},
	})
	require.NoError(t, err)
	_, err = h.SyncMailbox(b.ctx, worker.MailboxPayload{Tenant: "firm-a", Mailbox: mb.ID})
	require.ErrorIs(t, err, gmail.ErrDailyLimit)
	tn, _ := b.cat.Open(b.ctx, "firm-a")
	st, err := tn.GmailState(b.ctx, mb.ID)
	require.NoError(t, err)
	require.Equal(t, catalog.StatusPaused, st.Status)
	require.True(t, st.PausedUntil.After(time.Now()))

	p, err := worker.NewPoller(b.cat, b.q.Client, time.Hour, nil)
	require.NoError(t, err)
	n, err := p.Poll(b.ctx)
	require.NoError(t, err)
	require.Zero(t, n, "a paused mailbox is not polled")
}

// A lawyer moves a filed message from one matter label to another: it is
// refiled as the next generation, the move is recorded, the earlier copy
// stays as evidence, and the new Filed label is written back. Removing the
// last filing label sends it to review, again keeping what was filed.
func TestGmailMoveRefiles(t *testing.T) {
	b := setupGmail(t, gmailfake.Options{})
	tn := b.twoMatters(t, "beta")
	fm, mb := b.connect(t, "mover@firm.example", true)
	a := fm.CreateLabel("Matters/2024-0001 Acme")
	bl := fm.CreateLabel("Matters/2024-0002 Beta")
	id := fm.AddMessage(gmailMessage(1, "deal memo"), "INBOX", a)
	b.syncAndWait(t, mb)
	entries, err := tn.Messages(b.ctx)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	first := entries[0]
	require.Equal(t, "m-1", first.Matter)
	require.Equal(t, 1, first.Generation)

	fm.RemoveLabels(id, a)
	fm.AddLabels(id, bl)
	b.syncAndWait(t, mb)
	moved, err := tn.Lookup(b.ctx, first.Message)
	require.NoError(t, err)
	require.Equal(t, "m-2", moved.Matter)
	require.Equal(t, "beta", moved.Client)
	require.Equal(t, 2, moved.Generation)
	m, err := tn.Manifest(b.ctx, moved)
	require.NoError(t, err)
	require.NotNil(t, m.Previous)
	require.Equal(t, "m-1", m.Previous.Matter)
	ev, err := tn.Event(b.ctx, fmt.Sprintf("refiled-%s-2", first.Message))
	require.NoError(t, err)
	require.Equal(t, "m-1", ev.From)
	require.Equal(t, "m-2", ev.Target)
	raw, err := tn.OpenPart(b.ctx, moved, catalog.PartRaw)
	require.NoError(t, err)
	got, err := io.ReadAll(raw)
	raw.Close()
	require.NoError(t, err)
	require.Equal(t, gmailMessage(1, "deal memo"), got)
	old, err := tn.OpenPart(b.ctx, first, catalog.PartRaw)
	require.NoError(t, err, "the first filing stays as evidence")
	old.Close()
	require.Contains(t, fm.Labels(id), fm.LabelID("Filed/2024-0002"))

	fm.RemoveLabels(id, bl)
	b.syncAndWait(t, mb)
	reviewed, err := tn.Lookup(b.ctx, first.Message)
	require.NoError(t, err)
	require.Equal(t, catalog.StateReview, reviewed.State)
	require.Equal(t, 3, reviewed.Generation)
	entries, err = tn.Messages(b.ctx)
	require.NoError(t, err)
	require.Len(t, entries, 1, "still one message")
}

// Attack 7: an older version of an object put back over the current one is
// refused. Moving a message A → B → A reseals its objects at A as
// generation 3; generation 1's ciphertext put back there, or the index
// entry of generation 1 put back, does not decrypt.
func TestAttack7StaleGenerationReplay(t *testing.T) {
	b := setupGmail(t, gmailfake.Options{})
	tn := b.twoMatters(t, "acme")
	fm, mb := b.connect(t, "replay@firm.example", false)
	a := fm.CreateLabel("Matters/2024-0001 Acme")
	bl := fm.CreateLabel("Matters/2024-0002 Beta")
	id := fm.AddMessage(gmailMessage(7, "replayed"), a)
	b.syncAndWait(t, mb)
	entries, err := tn.Messages(b.ctx)
	require.NoError(t, err)
	first := entries[0]
	rawKey, err := storage.MessagePlace{Tenant: "firm-a", Client: "acme", Matter: "m-1", Message: first.Message}.RawKey()
	require.NoError(t, err)
	indexKey, err := storage.IndexKey("firm-a", first.Message)
	require.NoError(t, err)
	snapshot := func(key string) []byte {
		rc, err := b.bs.Get(b.ctx, key)
		require.NoError(t, err)
		defer rc.Close()
		data, err := io.ReadAll(rc)
		require.NoError(t, err)
		return data
	}
	oldRaw, oldIndex := snapshot(rawKey), snapshot(indexKey)

	for _, move := range [][2]string{{a, bl}, {bl, a}} {
		fm.RemoveLabels(id, move[0])
		fm.AddLabels(id, move[1])
		b.syncAndWait(t, mb)
	}
	cur, err := tn.Lookup(b.ctx, first.Message)
	require.NoError(t, err)
	require.Equal(t, "m-1", cur.Matter)
	require.Equal(t, 3, cur.Generation)
	read := func(e catalog.IndexEntry) error {
		rc, err := tn.OpenPart(b.ctx, e, catalog.PartRaw)
		if err != nil {
			return err
		}
		defer rc.Close()
		_, err = io.Copy(io.Discard, rc)
		return err
	}
	require.NoError(t, read(cur))

	currentRaw := snapshot(rawKey)
	require.NoError(t, b.bs.Put(b.ctx, rawKey, bytes.NewReader(oldRaw), storage.PutOptions{}))
	require.ErrorIs(t, read(cur), sealed.ErrIntegrity, "generation 1's raw replayed under generation 3")
	require.NoError(t, b.bs.Put(b.ctx, rawKey, bytes.NewReader(currentRaw), storage.PutOptions{}))

	require.NoError(t, b.bs.Put(b.ctx, indexKey, bytes.NewReader(oldIndex), storage.PutOptions{}))
	stale, err := tn.Lookup(b.ctx, first.Message)
	require.NoError(t, err)
	require.Equal(t, 1, stale.Generation)
	require.ErrorIs(t, read(stale), sealed.ErrIntegrity, "an index entry of generation 1 replayed over generation 3")
}

// twoMatters gives firm-a matters m-1 (client acme, label "Matters/2024-0001
// Acme") and m-2 (client secondClient, label "Matters/2024-0002 Beta").
func (b *gmailBundle) twoMatters(t *testing.T, secondClient string) *catalog.Tenant {
	t.Helper()
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	reg := &classify.Registry{}
	_, _, err = reg.Merge([]classify.Target{
		{ID: "m-1", Number: "2024-0001", Kind: "matter", Client: "acme", Labels: []string{"Matters/2024-0001 Acme"}},
		{ID: "m-2", Number: "2024-0002", Kind: "matter", Client: secondClient, Labels: []string{"Matters/2024-0002 Beta"}},
	})
	require.NoError(t, err)
	require.NoError(t, tn.SaveMatters(b.ctx, reg))
	return tn
}

// A full resync after the history window expired does not fetch again what
// is filed under the label it still carries; a message moved while the
// cursor was stale is fetched and refiled.
func TestGmailFullResyncSkipsFiled(t *testing.T) {
	b := setupGmail(t, gmailfake.Options{})
	tn := b.twoMatters(t, "beta")
	fm, mb := b.connect(t, "resync@firm.example", false)
	a := fm.CreateLabel("Matters/2024-0001 Acme")
	bl := fm.CreateLabel("Matters/2024-0002 Beta")
	var ids []string
	for i := range 6 {
		ids = append(ids, fm.AddMessage(gmailMessage(100+i, "resync"), a))
	}
	b.syncAndWait(t, mb)
	gets := b.fake.Stats().ByMethod["messages.get"]
	require.Equal(t, 6, gets)

	fm.RemoveLabels(ids[0], a)
	fm.AddLabels(ids[0], bl)
	fm.ExpireHistory()
	res := b.syncAndWait(t, mb)
	require.True(t, res.Full)
	require.Equal(t, gets+1, b.fake.Stats().ByMethod["messages.get"], "only the moved message is fetched again")
	entries, err := tn.Messages(b.ctx)
	require.NoError(t, err)
	require.Len(t, entries, 6)
	matters := map[string]int{}
	for _, e := range entries {
		matters[e.Matter]++
	}
	require.Equal(t, map[string]int{"m-1": 5, "m-2": 1}, matters)
}

// A reply in a Gmail conversation whose start was filed follows it, without
// a number or matter label of its own: the thread is the one the Gmail API
// reports (fetched raw bytes carry no X-GM-THRID).
func TestGmailReplyFollowsItsConversation(t *testing.T) {
	b := setupGmail(t, gmailfake.Options{})
	tn := b.twoMatters(t, "beta")
	fm, mb := b.connect(t, "follow@firm.example", false)
	matter := fm.CreateLabel("Matters/2024-0002 Beta")
	generic := fm.CreateLabel("File to matter")
	fm.AddMessage(gmailMessage(1, "deal memo"), "INBOX", matter)
	b.syncAndWait(t, mb)
	reply := []byte("Message-ID: <2@acme.example>\r\nIn-Reply-To: <1@acme.example>\r\nReferences: <1@acme.example>\r\nFrom: Ann <ann@acme.example>\r\nSubject: Re: deal memo\r\nContent-Type: text/plain\r\n\r\nagreed\r\n")
	fm.AddMessage(reply, "INBOX", generic)
	b.syncAndWait(t, mb)

	entries, err := tn.Messages(b.ctx)
	require.NoError(t, err)
	require.Len(t, entries, 2)
	for _, e := range entries {
		require.Equal(t, catalog.StateFiled, e.State)
		require.Equal(t, "m-2", e.Matter)
		m, err := tn.Manifest(b.ctx, e)
		require.NoError(t, err)
		if m.Message.MessageID != "2@acme.example" {
			continue
		}
		var rules []string
		for _, r := range m.Decision.Reasons {
			rules = append(rules, r.Rule)
		}
		require.Contains(t, rules, classify.RuleReply, "the reply follows the message it answers")
		require.Contains(t, rules, classify.RuleThread, "and the Gmail conversation the API reported")
	}
}
