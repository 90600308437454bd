package gmail_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/matterfile/matterfile/ingest/gmail"
	"github.com/matterfile/matterfile/ingest/gmail/gmailfake"
)

// testPacer grants everything and counts what it was asked.
type testPacer struct {
	mu        sync.Mutex
	units     int
	penalties int
}

func (p *testPacer) Acquire(_ context.Context, _ string, units int) (func(), error) {
	p.mu.Lock()
	p.units += units
	p.mu.Unlock()
	return func() {}, nil
}

func (p *testPacer) Penalize(context.Context, string, time.Duration) error {
	p.mu.Lock()
	p.penalties++
	p.mu.Unlock()
	return nil
}

type bundle struct {
	fake  *gmailfake.Server
	mb    *gmailfake.Mailbox
	oauth *oauth2.Config
	tok   *gmail.UserToken
	saved []*oauth2.Token
	pacer *testPacer
	c     *gmail.Client
}

const addr = "ann@firm.example"

func setup(t *testing.T, opt gmailfake.Options) *bundle {
	t.Helper()
	fake := gmailfake.New(opt)
	t.Cleanup(fake.Close)
	b := &bundle{fake: fake, mb: fake.AddMailbox(addr), pacer: &testPacer{}}
	fake.RegisterClient("cid", "secret")
	b.oauth = gmail.OAuthConfig("cid", "secret", fake.AuthURL(), fake.TokenURL(), "", nil)
	var mu sync.Mutex
	tok, err := gmail.NewUserToken(b.oauth, fake.IssueToken("cid", addr), func(t *oauth2.Token) error {
		mu.Lock()
		b.saved = append(b.saved, t)
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b.tok = tok
	ctx := context.Background()
	b.c, err = gmail.NewClient(ctx, gmail.Config{
		HTTPClient: tok.Client(ctx), Endpoint: fake.URL(), PaceKey: "mb-1", Pacer: b.pacer, Refresh: tok.Refresh,
		Retry: gmail.Retry{Base: time.Millisecond, Cap: 5 * time.Millisecond, MaxAttempts: 8},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func msg(n int) []byte {
	return fmt.Appendf(nil, "Message-ID: <%d@acme.example>\r\nFrom: a@acme.example\r\nSubject: note %d\r\n\r\nbody %d\r\n", n, n, n)
}

// recorder collects what a sync records.
type recorder struct{ got []gmail.Candidate }

func (r *recorder) Record(_ context.Context, cs []gmail.Candidate) error {
	r.got = append(r.got, cs...)
	return nil
}

func (r *recorder) ids() []string {
	var out []string
	for _, c := range r.got {
		out = append(out, c.Message)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func filing(t *testing.T, b *bundle) gmail.FilingLabels {
	t.Helper()
	ls, err := b.c.Labels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return gmail.MatchFilingLabels(ls, "Matters/", "File to matter")
}

func TestFullThenIncrementalSync(t *testing.T) {
	ctx := context.Background()
	b := setup(t, gmailfake.Options{EmptyPageRate: 0.3, Seed: 7})
	acme := b.mb.CreateLabel("Matters/2024-0117 Acme")
	generic := b.mb.CreateLabel("File to matter")
	other := b.mb.CreateLabel("Personal")
	b.mb.CreateLabel("Filed/2024-0117") // our own write-back label: never a filing label
	var want []string
	for i := range 1200 {
		switch i % 4 {
		case 0:
			want = append(want, b.mb.AddMessage(msg(i), "INBOX", acme))
		case 1:
			want = append(want, b.mb.AddMessage(msg(i), generic))
		case 2:
			b.mb.AddMessage(msg(i), other)
		case 3:
			b.mb.AddMessage(msg(i), "INBOX")
		}
	}
	fl := filing(t, b)
	if len(fl) != 2 {
		t.Fatalf("filing labels %v", fl)
	}
	rec := &recorder{}
	res, err := b.c.Sync(ctx, 0, fl, rec)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(want)
	if !res.Full || !slices.Equal(rec.ids(), want) {
		t.Fatalf("full sync found %d of %d (full=%v)", len(rec.ids()), len(want), res.Full)
	}
	if res.Cursor == 0 {
		t.Fatal("no cursor")
	}

	// A lawyer labels an old message, moves one, a reply arrives
	// unlabelled, and new mail arrives labelled.
	old := b.mb.AddMessage(msg(5000), "INBOX")
	res2, err := b.c.Sync(ctx, res.Cursor, fl, &recorder{}) // the add itself is not filing
	if err != nil || res2.Full {
		t.Fatalf("%+v %v", res2, err)
	}
	b.mb.AddLabels(old, acme)
	b.mb.RemoveLabels(want[0], acme)
	b.mb.AddLabels(want[0], generic)
	b.mb.AddMessage([]byte("Message-ID: <r@acme.example>\r\nIn-Reply-To: <0@acme.example>\r\nSubject: Re: note 0\r\n\r\nreply\r\n"), "INBOX")
	live := b.mb.AddMessage(msg(6000), acme)
	rec3 := &recorder{}
	res3, err := b.c.Sync(ctx, res2.Cursor, fl, rec3)
	if err != nil || res3.Full {
		t.Fatalf("%+v %v", res3, err)
	}
	got := map[string][]string{}
	for _, c := range rec3.got {
		got[c.Message] = append(got[c.Message], c.Why)
	}
	wantWhy := map[string][]string{
		old:     {gmail.ChangeLabelAdded},
		want[0]: {gmail.ChangeLabelRemoved, gmail.ChangeLabelAdded},
		live:    {gmail.ChangeAdded},
	}
	if fmt.Sprint(got) != fmt.Sprint(wantWhy) {
		t.Fatalf("incremental candidates %v, want %v", got, wantWhy)
	}
	if res3.Cursor <= res2.Cursor {
		t.Fatalf("cursor did not advance: %d -> %d", res2.Cursor, res3.Cursor)
	}

	// An idle mailbox still gets a fresh cursor (no history key).
	res4, err := b.c.Sync(ctx, res3.Cursor, fl, &recorder{})
	if err != nil || res4.Cursor < res3.Cursor || res4.Candidates != 0 {
		t.Fatalf("%+v %v", res4, err)
	}

	// An expired cursor is a full sync, never "no changes".
	b.mb.AddMessage(msg(7000), "INBOX")
	b.mb.ExpireHistory()
	rec5 := &recorder{}
	res5, err := b.c.Sync(ctx, res4.Cursor, fl, rec5)
	if err != nil || !res5.Full || !res5.Expired || len(rec5.ids()) != len(want)+2 {
		t.Fatalf("after expiry: %+v %v (%d found)", res5, err, len(rec5.ids()))
	}
}

func TestFetchRawIsByteExact(t *testing.T) {
	ctx := context.Background()
	b := setup(t, gmailfake.Options{})
	raw := append([]byte("Subject: =?utf-8?q?K=C3=BCndigung?=\r\nMessage-ID: <x@y>\r\n\r\n"), bytes.Repeat([]byte("\x00\xff binary \r\n"), 300000)...)
	label := b.mb.CreateLabel("Matters/x")
	id := b.mb.AddMessageAt(time.UnixMilli(1706000000123), raw, label)
	var out bytes.Buffer
	meta, err := b.c.FetchRaw(ctx, id, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), raw) {
		t.Fatal("raw bytes differ")
	}
	if meta.ID != id || meta.ThreadID != b.mb.ThreadID(id) || !slices.Contains(meta.LabelIDs, label) ||
		!meta.InternalDate.Equal(time.UnixMilli(1706000000123)) || meta.HistoryID == 0 {
		t.Fatalf("meta %+v", meta)
	}
	b.mb.Delete(id)
	if _, err := b.c.FetchRaw(ctx, id, &bytes.Buffer{}); !errors.Is(err, gmail.ErrNotFound) {
		t.Fatalf("deleted message: %v", err)
	}
	if gmail.Retryable(gmail.ErrNotFound) {
		t.Fatal("not found must not be retried")
	}
}

// Faults are retried: 5xx, dropped connections, quota answers. The quota
// answer also slows down every process sharing it (Penalize).
func TestRetriesTransientFaults(t *testing.T) {
	ctx := context.Background()
	b := setup(t, gmailfake.Options{FailRate: 0.2, DropRate: 0.1, Seed: 3})
	label := b.mb.CreateLabel("Matters/x")
	var ids []string
	for i := range 60 {
		ids = append(ids, b.mb.AddMessage(msg(i), label))
	}
	for _, id := range ids {
		var out bytes.Buffer
		if _, err := b.c.FetchRaw(ctx, id, &out); err != nil {
			t.Fatalf("fetch %s: %v", id, err)
		}
	}
	st := b.fake.Stats()
	if st.Answered5xx == 0 || st.Dropped == 0 {
		t.Fatalf("faults were not injected: %+v", st)
	}

	q := setup(t, gmailfake.Options{QuotaPerMinute: 100})
	ql := q.mb.CreateLabel("Matters/x")
	id := q.mb.AddMessage(msg(1), ql)
	c := q.c
	// 5 fetches of 20 units spend the minute; the sixth is answered 429
	// with Retry-After (about a minute): the client must give up within
	// its context rather than hammer.
	for range 5 {
		if _, err := c.FetchRaw(ctx, id, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
	}
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, err := c.FetchRaw(cctx, id, &bytes.Buffer{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("over quota: %v", err)
	}
	if q.pacer.penalties == 0 || q.fake.Stats().Answered429 != 1 {
		t.Fatalf("429 must penalize the shared pacer once: penalties %d, 429s %d", q.pacer.penalties, q.fake.Stats().Answered429)
	}
}

// A 403 whose reason is a rate limit is throttling like a 429: retried,
// the shared pacer penalized and Throttled told; a permission 403 is
// none of these.
func TestRateLimit403IsThrottling(t *testing.T) {
	ctx := context.Background()
	b := setup(t, gmailfake.Options{RateLimit403Rate: 0.3, Seed: 5})
	var throttled atomic.Int64
	c, err := gmail.NewClient(ctx, gmail.Config{
		HTTPClient: b.tok.Client(ctx), Endpoint: b.fake.URL(), PaceKey: "mb-1", Pacer: b.pacer,
		Retry:     gmail.Retry{Base: time.Millisecond, Cap: 5 * time.Millisecond, MaxAttempts: 20},
		Throttled: func() { throttled.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	label := b.mb.CreateLabel("Matters/x")
	for i := range 30 {
		id := b.mb.AddMessage(msg(i), label)
		if _, err := c.FetchRaw(ctx, id, &bytes.Buffer{}); err != nil {
			t.Fatalf("fetch %s: %v", id, err)
		}
	}
	n := b.fake.Stats().Answered403RateLimit
	if n == 0 || throttled.Load() != int64(n) || b.pacer.penalties != n {
		t.Fatalf("403 rate limits %d: throttled %d, penalties %d", n, throttled.Load(), b.pacer.penalties)
	}

	denied := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"error":{"code":403,"message":"Insufficient Permission","errors":[{"domain":"global","reason":"insufficientPermissions","message":"Insufficient Permission"}],"status":"PERMISSION_DENIED"}}`)
	}))
	defer denied.Close()
	throttled.Store(0)
	c, err = gmail.NewClient(ctx, gmail.Config{
		HTTPClient: http.DefaultClient, Endpoint: denied.URL, PaceKey: "mb-1", Pacer: b.pacer,
		Throttled: func() { throttled.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.FetchRaw(ctx, "18c0ffee", &bytes.Buffer{}); !errors.Is(err, gmail.ErrPermission) {
		t.Fatalf("permission 403: %v", err)
	}
	if throttled.Load() != 0 {
		t.Fatal("a permission 403 counted as throttling")
	}
}

func TestRevokedGrantMeansReconnect(t *testing.T) {
	ctx := context.Background()
	b := setup(t, gmailfake.Options{})
	if _, err := b.c.Profile(ctx); err != nil {
		t.Fatal(err)
	}
	// An access token that dies early (password change) is refreshed
	// once on the 401, and the refreshed token is saved.
	b.fake.ExpireAccessTokens()
	if _, err := b.c.Profile(ctx); err != nil {
		t.Fatalf("after access tokens expired: %v", err)
	}
	if len(b.saved) == 0 {
		t.Fatal("refreshed token not saved")
	}
	if b.saved[len(b.saved)-1].RefreshToken == "" {
		t.Fatal("saved token lost its refresh token")
	}
	b.fake.Revoke(addr)
	_, err := b.c.Profile(ctx)
	if !errors.Is(err, gmail.ErrReconnect) || gmail.Retryable(err) {
		t.Fatalf("revoked: %v", err)
	}
}

func TestEnsureLabelResolvesClash(t *testing.T) {
	ctx := context.Background()
	b := setup(t, gmailfake.Options{})
	existing := b.mb.CreateLabel("filed/2024-0117")
	id, err := b.c.EnsureLabel(ctx, "Filed/2024-0117")
	if err != nil || id != existing {
		t.Fatalf("got %q, %v; want the existing %q", id, err, existing)
	}
	id2, err := b.c.EnsureLabel(ctx, "Filed/2024-0142")
	if err != nil || id2 == "" || b.mb.LabelID("Filed/2024-0142") != id2 {
		t.Fatalf("create: %q %v", id2, err)
	}
	m := b.mb.AddMessage(msg(1), "INBOX")
	if err := b.c.AddLabels(ctx, m, id2); err != nil {
		t.Fatal(err)
	}
	if got := b.mb.Labels(m); !slices.Contains(got, "INBOX") || !slices.Contains(got, id2) {
		t.Fatalf("labels after write-back %v: the user's labels must stay", got)
	}
}

// Attacks 38 and 39: the consent flow refuses a wrong or reused state,
// and the token endpoint refuses a code without its PKCE verifier.
func TestConsent(t *testing.T) {
	ctx := context.Background()
	b := setup(t, gmailfake.Options{})
	cfg := gmail.OAuthConfig("cid", "secret", b.fake.AuthURL(), b.fake.TokenURL(), "http://127.0.0.1:1/callback", gmail.Scopes(false))

	c, err := gmail.NewConsent(cfg, addr)
	if err != nil {
		t.Fatal(err)
	}
	back, err := b.fake.Consent(c.URL())
	if err != nil {
		t.Fatal(err)
	}
	code, state := back.Query().Get("code"), back.Query().Get("state")
	if _, err := c.Exchange(ctx, "forged", code); !errors.Is(err, gmail.ErrConsent) {
		t.Fatalf("wrong state: %v", err)
	}
	// The state is single-use: after any attempt, even the right one
	// is refused.
	if _, err := c.Exchange(ctx, state, code); !errors.Is(err, gmail.ErrConsent) {
		t.Fatalf("reused state: %v", err)
	}

	c2, _ := gmail.NewConsent(cfg, addr)
	back2, err := b.fake.Consent(c2.URL())
	if err != nil {
		t.Fatal(err)
	}
	// Without the verifier (a stolen code redeemed elsewhere) the token
	// endpoint refuses.
	if _, err := cfg.Exchange(ctx, back2.Query().Get("code")); err == nil {
		t.Fatal("code redeemed without the PKCE verifier")
	}
	tok, err := c2.Exchange(ctx, back2.Query().Get("state"), back2.Query().Get("code"))
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("consent: %v", err)
	}
	if err := c2.CheckAccount(gmail.Profile{Address: "ANN@firm.example"}); err != nil {
		t.Fatal(err)
	}
	if err := c2.CheckAccount(gmail.Profile{Address: "eve@firm.example"}); !errors.Is(err, gmail.ErrConsent) {
		t.Fatal("wrong account accepted")
	}

	// Unticked scopes are noticed.
	b.fake.UntickScopes(gmail.ScopeReadonly)
	c3, _ := gmail.NewConsent(cfg, addr)
	back3, err := b.fake.Consent(c3.URL())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c3.Exchange(ctx, back3.Query().Get("state"), back3.Query().Get("code")); !errors.Is(err, gmail.ErrConsent) {
		t.Fatalf("unticked scope: %v", err)
	}
}

func TestDelegation(t *testing.T) {
	ctx := context.Background()
	b := setup(t, gmailfake.Options{})
	key := b.fake.AddServiceAccount(gmail.ScopeReadonly)
	d, err := gmail.NewDelegation(ctx, key, addr, "", gmail.Scopes(false))
	if err != nil {
		t.Fatal(err)
	}
	c, err := gmail.NewClient(ctx, gmail.Config{HTTPClient: d.Client(ctx), Endpoint: b.fake.URL(), User: addr, PaceKey: "mb-1", Pacer: &testPacer{}, Refresh: d.Refresh})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Profile(ctx)
	if err != nil || p.Address != addr {
		t.Fatalf("%+v %v", p, err)
	}
	// A scope the Workspace admin did not grant: unauthorized_client.
	d2, _ := gmail.NewDelegation(ctx, key, addr, "", gmail.Scopes(true))
	c2, _ := gmail.NewClient(ctx, gmail.Config{HTTPClient: d2.Client(ctx), Endpoint: b.fake.URL(), User: addr, PaceKey: "mb-1", Pacer: &testPacer{}, Refresh: d2.Refresh})
	if _, err := c2.Profile(ctx); !errors.Is(err, gmail.ErrReconnect) {
		t.Fatalf("ungranted scope: %v", err)
	}
}
