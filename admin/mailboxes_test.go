package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
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
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/worker"
)

// fakeEnqueuer records the tasks queued.
type fakeEnqueuer struct {
	mu    sync.Mutex
	tasks []*asynq.Task
}

func (f *fakeEnqueuer) EnqueueContext(_ context.Context, task *asynq.Task, _ ...asynq.Option) (*asynq.TaskInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tasks = append(f.tasks, task)
	return &asynq.TaskInfo{Type: task.Type()}, nil
}

func (f *fakeEnqueuer) syncs() []worker.MailboxPayload {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []worker.MailboxPayload
	for _, t := range f.tasks {
		if t.Type() == worker.TypeSyncMailbox {
			var p worker.MailboxPayload
			if json.Unmarshal(t.Payload(), &p) == nil {
				out = append(out, p)
			}
		}
	}
	return out
}

type freePacer struct{}

func (freePacer) Acquire(context.Context, string, int) (func(), error)  { return func() {}, nil }
func (freePacer) Penalize(context.Context, string, time.Duration) error { return nil }

// mailboxBundle is an admin web wired to the fake Google: OAuth client
// "cid", the Gmail API, and a fake task queue.
type mailboxBundle struct {
	*bundle
	fake *gmailfake.Server
	enq  *fakeEnqueuer
}

func setupMailboxes(t *testing.T) *mailboxBundle {
	t.Helper()
	cat, _ := catalogtest.New(t)
	ctx := context.Background()
	require.NoError(t, cat.CreateTenant(ctx, testTenant))
	tn, err := cat.Open(ctx, testTenant)
	require.NoError(t, err)
	fake := gmailfake.New(gmailfake.Options{})
	t.Cleanup(fake.Close)
	fake.RegisterClient("cid", "secret")
	enq := &fakeEnqueuer{}
	h, err := worker.NewHandlers(worker.HandlersConfig{
		Catalog: cat, Enqueuer: enq, Policy: classify.DefaultPolicy(),
		Gmail: worker.GmailSettings{
			OAuth:    gmail.OAuthConfig("cid", "secret", fake.AuthURL(), fake.TokenURL(), "", nil),
			Endpoint: fake.URL(), Pacer: freePacer{},
			Retry: gmail.Retry{Base: time.Millisecond, Cap: 10 * time.Millisecond, MaxAttempts: 3},
		},
	})
	require.NoError(t, err)
	oauth := gmail.OAuthConfig("cid", "secret", fake.AuthURL(), fake.TokenURL(), "", nil)
	clock := &fakeClock{now: time.Now()}
	srv, err := New(Config{Catalog: cat, Lockout: lockout, InsecureCookies: true, Now: clock.Now, Handlers: h, OAuth: oauth, Enqueuer: enq})
	require.NoError(t, err)
	srv.passwd, err = newPasswords(testHashParams, 4)
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	// The redirect URL is only known once the server listens; nothing has
	// read the config yet.
	oauth.RedirectURL = ts.URL + mailboxCallback
	return &mailboxBundle{bundle: &bundle{t: t, srv: srv, ts: ts, cat: cat, tenant: tn, clock: clock}, fake: fake, enq: enq}
}

// connected adds a Gmail mailbox with a token straight from the fake.
func (b *mailboxBundle) connected(addr string) catalog.Mailbox {
	b.t.Helper()
	b.fake.AddMailbox(addr)
	tok := b.fake.IssueToken("cid", addr)
	data, err := json.Marshal(tok)
	require.NoError(b.t, err)
	mb, err := b.tenant.ConnectMailbox(context.Background(), "cli:test", addr, catalog.Secret{Kind: catalog.AuthUserToken, Data: data}, false, nil)
	require.NoError(b.t, err)
	return mb
}

func (b *mailboxBundle) state(mb string) catalog.GmailState {
	b.t.Helper()
	st, err := b.tenant.GmailState(context.Background(), mb)
	require.NoError(b.t, err)
	return st
}

func TestMailboxesAdminOnly(t *testing.T) {
	b := setupMailboxes(t)
	mb := b.connected("alice@firm.example")
	b.addUser("para@firm.example", catalog.RoleParalegal)
	br := b.signedIn("para@firm.example")
	require.Equal(t, http.StatusForbidden, br.get("/mailboxes").code)
	require.Equal(t, http.StatusForbidden, br.post("/mailboxes/"+mb.ID+"/pause", url.Values{}).code)
	require.Equal(t, http.StatusForbidden, br.post("/mailboxes/connect", url.Values{"email": {"x@firm.example"}}).code)
	require.Equal(t, catalog.StatusActive, b.state(mb.ID).Status)
}

func TestMailboxesListPauseResume(t *testing.T) {
	b := setupMailboxes(t)
	mb := b.connected("alice@firm.example")
	// A stored error with Google's words is shown as a sentence only.
	st := b.state(mb.ID)
	st.LastError = "mailbox " + mb.ID + ": gmail: daily limit exceeded: Daily Limit Exceeded <b>raw</b>"
	require.NoError(t, b.tenant.SaveGmailState(context.Background(), mb.ID, st))
	b.addUser("admin@firm.example", catalog.RoleAdmin)
	br := b.signedIn("admin@firm.example")

	res := br.get("/mailboxes")
	require.Equal(t, http.StatusOK, res.code)
	require.Contains(t, res.body, "alice@firm.example")
	require.Contains(t, res.body, ">active<")
	require.Contains(t, res.body, "daily usage limit was reached")
	require.NotContains(t, res.body, "Daily Limit Exceeded")

	res = br.post("/mailboxes/"+mb.ID+"/pause", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.code)
	require.Equal(t, "/mailboxes?done=paused", res.hdr.Get("Location"))
	require.Equal(t, catalog.StatusPaused, b.state(mb.ID).Status)
	res = br.get("/mailboxes?done=paused")
	require.Contains(t, res.body, "Mailbox paused")
	require.Contains(t, res.body, "/mailboxes/"+mb.ID+"/resume")

	// The poller and the sync leave a paused mailbox alone.
	_, err := b.srv.cfg.Handlers.SyncMailbox(context.Background(), worker.MailboxPayload{Tenant: testTenant, Mailbox: mb.ID})
	require.Error(t, err)

	res = br.post("/mailboxes/"+mb.ID+"/resume", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.code)
	require.Equal(t, catalog.StatusActive, b.state(mb.ID).Status)

	for _, a := range []audit.Action{audit.ActionMailboxPause, audit.ActionMailboxResume} {
		recs := b.records(a)
		require.Len(t, recs, 1, a)
		require.Equal(t, mb.ID, recs[0].Objects["mailbox"])
		require.Equal(t, "127.0.0.1", recs[0].SourceIP)
	}
	require.Equal(t, http.StatusNotFound, br.post("/mailboxes/mb-nope/pause", url.Values{}).code)
}

func TestMailboxesResyncQueuesTask(t *testing.T) {
	b := setupMailboxes(t)
	mb := b.connected("alice@firm.example")
	b.addUser("admin@firm.example", catalog.RoleAdmin)
	br := b.signedIn("admin@firm.example")
	res := br.post("/mailboxes/"+mb.ID+"/sync", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.code)
	require.Equal(t, "/mailboxes?done=sync", res.hdr.Get("Location"))
	require.Equal(t, []worker.MailboxPayload{{Tenant: testTenant, Mailbox: mb.ID}}, b.enq.syncs())
	require.Len(t, b.records(audit.ActionMailboxSync), 1)

	// A paused mailbox is not synced.
	require.Equal(t, http.StatusSeeOther, br.post("/mailboxes/"+mb.ID+"/pause", url.Values{}).code)
	require.Equal(t, http.StatusConflict, br.post("/mailboxes/"+mb.ID+"/sync", url.Values{}).code)
	require.Len(t, b.enq.syncs(), 1)
}

// consent plays Google for br: it posts the connect form, lets the fake
// consent, and follows the redirect back to the callback.
func (b *mailboxBundle) consent(br *browser, path string, form url.Values) response {
	b.t.Helper()
	res := br.post(path, form)
	require.Equal(b.t, http.StatusSeeOther, res.code, res.body)
	loc := res.hdr.Get("Location")
	require.True(b.t, strings.HasPrefix(loc, b.fake.AuthURL()), loc)
	u, err := url.Parse(loc)
	require.NoError(b.t, err)
	require.Equal(b.t, "S256", u.Query().Get("code_challenge_method"))
	back, err := b.fake.Consent(loc)
	require.NoError(b.t, err)
	require.Equal(b.t, mailboxCallback, back.Path)
	return br.get(back.RequestURI())
}

func TestMailboxConnectConsent(t *testing.T) {
	b := setupMailboxes(t)
	b.fake.AddMailbox("bob@firm.example")
	b.addUser("admin@firm.example", catalog.RoleAdmin)
	br := b.signedIn("admin@firm.example")

	res := b.consent(br, "/mailboxes/connect", url.Values{"email": {"Bob@firm.example"}})
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	require.Equal(t, "/mailboxes?done=connected", res.hdr.Get("Location"))
	mb, err := b.tenant.MailboxByAddress(context.Background(), "bob@firm.example")
	require.NoError(t, err)
	require.Equal(t, catalog.StatusActive, b.state(mb.ID).Status)
	sec, err := b.tenant.Secret(context.Background(), mb.ID)
	require.NoError(t, err)
	require.Equal(t, catalog.AuthUserToken, sec.Kind)
	recs := b.records(audit.ActionMailboxConnect)
	require.Len(t, recs, 1)
	require.Equal(t, audit.OK, recs[0].Outcome)
	require.Equal(t, "127.0.0.1", recs[0].SourceIP)
	require.Equal(t, []worker.MailboxPayload{{Tenant: testTenant, Mailbox: mb.ID}}, b.enq.syncs(), "the first sync is queued")

	// A callback replayed, or from another session, is refused.
	other := b.signedIn("admin@firm.example")
	require.Equal(t, http.StatusBadRequest, other.get(mailboxCallback+"?state=x&code=y").code)

	// Reconnecting with the wrong Google account keeps the working grant.
	b.fake.SetConsentUser("mallory@firm.example")
	b.fake.AddMailbox("mallory@firm.example")
	res = b.consent(br, "/mailboxes/"+mb.ID+"/reconnect", url.Values{})
	require.Equal(t, http.StatusBadRequest, res.code)
	require.Contains(t, res.body, "not the mailbox you asked to connect")
	require.Equal(t, catalog.StatusActive, b.state(mb.ID).Status)
	again, err := b.tenant.Secret(context.Background(), mb.ID)
	require.NoError(t, err)
	require.Equal(t, sec.Data, again.Data)
	recs = b.records(audit.ActionMailboxReconnect)
	require.Len(t, recs, 1)
	require.Equal(t, audit.Failed, recs[0].Outcome)

	// The right account reconnects.
	b.fake.SetConsentUser("")
	res = b.consent(br, "/mailboxes/"+mb.ID+"/reconnect", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	require.Len(t, b.records(audit.ActionMailboxReconnect), 2)
}

// TestBrowserMailboxConnect is the acceptance test: an admin connects a
// mailbox through the fake Google consent screen in Chromium and sees it
// active; consent from the wrong account is refused in plain words.
func TestBrowserMailboxConnect(t *testing.T) {
	b := setupMailboxes(t)
	b.fake.AddMailbox("carol@firm.example")
	b.fake.AddMailbox("dave@firm.example")
	b.addUser("admin@firm.example", catalog.RoleAdmin)
	br := browsertest.New(t)

	br.Go(b.ts.URL + signinPath)
	br.Fill("#tenant", testTenant)
	br.Fill("#email", "admin@firm.example")
	br.Fill("#password", testPassword)
	br.Submit("form")
	require.Equal(t, http.StatusOK, br.Go(b.ts.URL+"/mailboxes"))

	br.Fill("#email", "carol@firm.example")
	require.Equal(t, http.StatusOK, br.Submit("#connect"))
	require.Equal(t, b.ts.URL+"/mailboxes?done=connected", br.Location())
	require.Contains(t, br.Text("main"), "Mailbox connected")
	mb, err := b.tenant.MailboxByAddress(context.Background(), "carol@firm.example")
	require.NoError(t, err)
	require.Equal(t, "active", br.Text("#mb-"+mb.ID+" .mb-status"))
	br.Screenshot("mailboxes")
	br.WaitIdle()
	require.Empty(t, br.Problems(), "no CSP violation or script error on the way through Google and back")

	// Someone consents as dave while connecting erin: refused.
	b.fake.SetConsentUser("dave@firm.example")
	br.Fill("#email", "erin@firm.example")
	require.Equal(t, http.StatusBadRequest, br.Submit("#connect"))
	require.Contains(t, br.Text("#mailbox-error"), "not the mailbox you asked to connect")

	br.WaitIdle()
	require.Empty(t, br.Dialogs())
	for _, p := range br.Problems() {
		// The refusal itself is a 400, which Chromium logs.
		require.True(t, p.Kind == "log" && strings.HasPrefix(p.URL, b.ts.URL+mailboxCallback), "%+v", p)
	}
}

// TestMailboxDisconnect: the row's button asks for confirmation; the second
// form deletes the credentials and marks the mailbox disconnected, audited
// with the admin's address; nothing syncs it any more, and connecting it
// again makes it active, audited as a reconnect.
func TestMailboxDisconnect(t *testing.T) {
	b := setupMailboxes(t)
	ctx := context.Background()
	mb := b.connected("alice@firm.example")
	b.addUser("admin@firm.example", catalog.RoleAdmin)
	br := b.signedIn("admin@firm.example")

	res := br.get("/mailboxes")
	require.Contains(t, res.body, `action="/mailboxes/`+mb.ID+`/disconnect"`)
	res = br.post("/mailboxes/"+mb.ID+"/disconnect", url.Values{})
	require.Equal(t, http.StatusOK, res.code)
	require.Contains(t, res.body, `id="disconnect-confirm"`)
	require.Contains(t, res.body, "Disconnect alice@firm.example?")
	require.Contains(t, res.body, `name="confirm" value="yes"`)
	require.Equal(t, catalog.StatusActive, b.state(mb.ID).Status, "nothing happens before the confirmation")
	_, err := b.tenant.Secret(ctx, mb.ID)
	require.NoError(t, err)
	require.Empty(t, b.records(audit.ActionMailboxDisconnect))

	res = br.post("/mailboxes/"+mb.ID+"/disconnect", url.Values{"confirm": {"yes"}})
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	require.Equal(t, "/mailboxes?done=disconnected", res.hdr.Get("Location"))
	require.Equal(t, catalog.StatusDisconnected, b.state(mb.ID).Status)
	_, err = b.tenant.Secret(ctx, mb.ID)
	require.ErrorIs(t, err, storage.ErrNotFound, "the credentials are deleted")
	recs := b.records(audit.ActionMailboxDisconnect)
	require.Len(t, recs, 1)
	require.Equal(t, audit.OK, recs[0].Outcome)
	require.Equal(t, mb.ID, recs[0].Objects["mailbox"])
	require.Equal(t, "127.0.0.1", recs[0].SourceIP)

	res = br.get("/mailboxes?done=disconnected")
	require.Contains(t, res.body, "Mailbox disconnected")
	require.Contains(t, res.body, ">disconnected<")
	for _, action := range []string{"pause", "sync", "test", "disconnect"} {
		require.NotContains(t, res.body, `action="/mailboxes/`+mb.ID+`/`+action+`"`, action)
	}
	require.Contains(t, res.body, `action="/mailboxes/`+mb.ID+`/reconnect"`)
	require.Equal(t, http.StatusConflict, br.post("/mailboxes/"+mb.ID+"/sync", url.Values{}).code)
	require.Equal(t, http.StatusConflict, br.post("/mailboxes/"+mb.ID+"/pause", url.Values{}).code)
	require.Equal(t, http.StatusConflict, br.post("/mailboxes/"+mb.ID+"/disconnect", url.Values{"confirm": {"yes"}}).code)
	require.Equal(t, catalog.StatusDisconnected, b.state(mb.ID).Status)
	_, err = b.srv.cfg.Handlers.SyncMailbox(ctx, worker.MailboxPayload{Tenant: testTenant, Mailbox: mb.ID})
	require.ErrorIs(t, err, gmail.ErrReconnect)
	require.Equal(t, catalog.StatusDisconnected, b.state(mb.ID).Status, "a sync attempt leaves it disconnected")

	// Connecting it again through Google makes it active: a reconnect.
	res = b.consent(br, "/mailboxes/"+mb.ID+"/reconnect", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	require.Equal(t, catalog.StatusActive, b.state(mb.ID).Status)
	recs = b.records(audit.ActionMailboxReconnect)
	require.Len(t, recs, 1)
	require.Equal(t, audit.OK, recs[0].Outcome)

	// Not an admin: refused, nothing changed.
	b.addUser("para@firm.example", catalog.RoleParalegal)
	para := b.signedIn("para@firm.example")
	require.Equal(t, http.StatusForbidden, para.post("/mailboxes/"+mb.ID+"/disconnect", url.Values{"confirm": {"yes"}}).code)
	require.Equal(t, catalog.StatusActive, b.state(mb.ID).Status)
	require.Equal(t, http.StatusNotFound, br.post("/mailboxes/mb-nope/disconnect", url.Values{"confirm": {"yes"}}).code)
}

// postKey posts the delegation form with a key file.
func (br *browser) postKey(email string, key []byte, writeBack bool) response {
	br.b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	require.NoError(br.b.t, mw.WriteField("email", email))
	if writeBack {
		require.NoError(br.b.t, mw.WriteField("write_back", "on"))
	}
	fw, err := mw.CreateFormFile("key", "key.json")
	require.NoError(br.b.t, err)
	_, err = fw.Write(key)
	require.NoError(br.b.t, err)
	require.NoError(br.b.t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, br.b.ts.URL+"/mailboxes/delegate", &body)
	require.NoError(br.b.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return br.do(req)
}

// TestMailboxDelegation uploads service-account keys of the fake Google:
// a key Gmail does not accept for the scopes asked is not kept and the
// page says what to allow; a good key is tried, sealed and tested again.
func TestMailboxDelegation(t *testing.T) {
	b := setupMailboxes(t)
	ctx := context.Background()
	b.fake.AddMailbox("dan@firm.example")
	b.addUser("admin@firm.example", catalog.RoleAdmin)
	br := b.signedIn("admin@firm.example")
	require.Contains(t, br.get("/mailboxes").body, `enctype="multipart/form-data"`)

	res := br.postKey("dan@firm.example", []byte(`{"type":"authorized_user"}`), false)
	require.Equal(t, http.StatusUnprocessableEntity, res.code)
	require.Contains(t, res.body, "not a Google service-account key")
	res = br.postKey("dan@firm.example", bytes.Repeat([]byte("x"), maxKeyUpload+1), false)
	require.Equal(t, http.StatusRequestEntityTooLarge, res.code)
	require.Contains(t, res.body, "too large")

	// The delegation allows reading only; write-back asks for more.
	key := b.fake.AddServiceAccount(gmailfake.ScopeReadonly)
	var meta struct {
		ClientID string `json:"client_id"`
	}
	require.NoError(t, json.Unmarshal(key, &meta))
	res = br.postKey("dan@firm.example", key, true)
	require.Equal(t, http.StatusBadRequest, res.code)
	require.Contains(t, res.body, "Domain-wide delegation")
	require.Contains(t, res.body, meta.ClientID)
	require.Contains(t, res.body, gmail.ScopeModify)
	require.Contains(t, res.body, `value="dan@firm.example"`, "the address stays in the form")
	mb, err := b.tenant.MailboxByAddress(ctx, "dan@firm.example")
	require.NoError(t, err)
	_, err = b.tenant.Secret(ctx, mb.ID)
	require.ErrorIs(t, err, storage.ErrNotFound, "a key that failed its test is not kept")
	require.Empty(t, b.enq.syncs())

	res = br.postKey("dan@firm.example", key, false)
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	require.Equal(t, "/mailboxes?done=delegated", res.hdr.Get("Location"))
	sec, err := b.tenant.Secret(ctx, mb.ID)
	require.NoError(t, err)
	require.Equal(t, catalog.AuthDelegation, sec.Kind)
	require.JSONEq(t, string(key), string(sec.Data))
	st := b.state(mb.ID)
	require.Equal(t, catalog.StatusActive, st.Status)
	require.Equal(t, catalog.AuthDelegation, st.Auth)
	require.False(t, st.WriteBack)
	recs := b.records(audit.ActionMailboxConnect)
	require.Len(t, recs, 2)
	require.Equal(t, audit.Failed, recs[0].Outcome)
	require.Equal(t, audit.OK, recs[1].Outcome)
	require.Contains(t, recs[1].Detail, "auth delegation")
	require.Equal(t, "127.0.0.1", recs[1].SourceIP)
	require.Equal(t, []worker.MailboxPayload{{Tenant: testTenant, Mailbox: mb.ID}}, b.enq.syncs(), "the first sync is queued")

	res = br.get("/mailboxes?done=delegated")
	require.Contains(t, res.body, "Workspace delegation")
	require.NotContains(t, res.body, "PRIVATE KEY")
	require.NotContains(t, res.body, `action="/mailboxes/`+mb.ID+`/reconnect"`, "a delegated mailbox is not reconnected through consent")

	// Test: the stored key still works.
	res = br.post("/mailboxes/"+mb.ID+"/test", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.code, res.body)
	require.Equal(t, "/mailboxes?done=tested", res.hdr.Get("Location"))

	// A paralegal cannot upload keys.
	b.addUser("para@firm.example", catalog.RoleParalegal)
	require.Equal(t, http.StatusForbidden, b.signedIn("para@firm.example").postKey("eve@firm.example", key, false).code)
}

// TestMailboxTestRevoked: the test of a revoked grant fails in plain words.
func TestMailboxTestRevoked(t *testing.T) {
	b := setupMailboxes(t)
	mb := b.connected("alice@firm.example")
	b.addUser("admin@firm.example", catalog.RoleAdmin)
	br := b.signedIn("admin@firm.example")
	require.Equal(t, http.StatusSeeOther, br.post("/mailboxes/"+mb.ID+"/test", url.Values{}).code)
	b.fake.Revoke("alice@firm.example")
	b.fake.ExpireAccessTokens()
	res := br.post("/mailboxes/"+mb.ID+"/test", url.Values{})
	require.Equal(t, http.StatusBadGateway, res.code)
	require.Contains(t, res.body, "The test failed")
	require.Contains(t, res.body, "Reconnect the mailbox.")
}

// TestBrowserMailboxDisconnect disconnects a mailbox in Chromium through
// the confirmation step, without JavaScript in the way.
func TestBrowserMailboxDisconnect(t *testing.T) {
	b := setupMailboxes(t)
	mb := b.connected("alice@firm.example")
	b.addUser("admin@firm.example", catalog.RoleAdmin)
	br := browsertest.New(t)
	br.Go(b.ts.URL + signinPath)
	br.Fill("#tenant", testTenant)
	br.Fill("#email", "admin@firm.example")
	br.Fill("#password", testPassword)
	br.Submit("form")
	require.Equal(t, http.StatusOK, br.Go(b.ts.URL+"/mailboxes"))

	require.Equal(t, http.StatusOK, br.Submit(`form[action="/mailboxes/`+mb.ID+`/disconnect"]`))
	require.Contains(t, br.Text("#disconnect-title"), "alice@firm.example")
	require.Equal(t, "active", br.Text("#mb-"+mb.ID+" .mb-status"))
	br.Screenshot("mailboxes-disconnect")
	require.Equal(t, http.StatusOK, br.Submit("#disconnect-form"))
	require.Equal(t, b.ts.URL+"/mailboxes?done=disconnected", br.Location())
	require.Equal(t, "disconnected", br.Text("#mb-"+mb.ID+" .mb-status"))
	require.Equal(t, catalog.StatusDisconnected, b.state(mb.ID).Status)
	br.WaitIdle()
	require.Empty(t, br.Problems())
}
