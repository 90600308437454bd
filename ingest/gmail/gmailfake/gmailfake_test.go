package gmailfake_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/gmail/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/matterfile/matterfile/ingest/gmail/gmailfake"
)

const (
	alice    = "alice@firm.example"
	bob      = "bob@firm.example"
	redirect = "https://matterfile.example/oauth/callback"
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type testBundle struct {
	fake  *gmailfake.Server
	mb    *gmailfake.Mailbox
	cfg   *oauth2.Config
	tok   *oauth2.Token
	svc   *gmail.Service
	clock *fakeClock
}

// setup starts a fake with alice's mailbox and a Gmail service that calls
// it as alice. A nil opt.Clock is replaced by a fake clock at the real
// time, so tokens look fresh to x/oauth2 too.
func setup(t *testing.T, opt gmailfake.Options) *testBundle {
	t.Helper()
	clock := &fakeClock{now: time.Now().Truncate(time.Millisecond)}
	if opt.Clock == nil {
		opt.Clock = clock.Now
	}
	fake := gmailfake.New(opt)
	t.Cleanup(fake.Close)
	fake.RegisterClient("cid", "secret")
	b := &testBundle{
		fake:  fake,
		mb:    fake.AddMailbox(alice),
		clock: clock,
		cfg: &oauth2.Config{
			ClientID: "cid", ClientSecret: "secret", RedirectURL: redirect,
			Endpoint: oauth2.Endpoint{AuthURL: fake.AuthURL(), TokenURL: fake.TokenURL()},
			Scopes:   []string{gmailfake.ScopeReadonly, gmailfake.ScopeLabels, gmailfake.ScopeModify},
		},
	}
	b.tok = fake.IssueToken("cid", alice)
	b.svc = b.service(t, b.cfg.Client(t.Context(), b.tok))
	return b
}

func (b *testBundle) service(t *testing.T, hc *http.Client) *gmail.Service {
	t.Helper()
	svc, err := gmail.NewService(t.Context(), option.WithEndpoint(b.fake.URL()+"/"), option.WithHTTPClient(hc))
	require.NoError(t, err)
	return svc
}

// wire fetches an API path as alice and returns the top-level JSON keys
// undecoded, to check the shape the client never shows.
func (b *testBundle) wire(t *testing.T, path string) map[string]json.RawMessage {
	t.Helper()
	res, err := b.cfg.Client(t.Context(), b.tok).Get(b.fake.URL() + "/gmail/v1/users/me/" + path)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	var out map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &out), string(body))
	return out
}

func mail(id, subject string, extra ...string) []byte {
	var b strings.Builder
	b.WriteString("From: Client <client@example.com>\r\nTo: alice@firm.example\r\n")
	b.WriteString("Subject: " + subject + "\r\nMessage-ID: <" + id + "@example.com>\r\n")
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\nHello, it's about " + subject + ".\r\n")
	return []byte(b.String())
}

func googleErr(t *testing.T, err error, code int) *googleapi.Error {
	t.Helper()
	var gerr *googleapi.Error
	require.ErrorAs(t, err, &gerr)
	require.Equal(t, code, gerr.Code, gerr.Body)
	return gerr
}

func retrieveErr(t *testing.T, err error, code string) *oauth2.RetrieveError {
	t.Helper()
	var rerr *oauth2.RetrieveError
	require.ErrorAs(t, err, &rerr)
	require.Equal(t, code, rerr.ErrorCode, string(rerr.Body))
	return rerr
}

func TestMessagesListPagesThroughEmptyPages(t *testing.T) {
	b := setup(t, gmailfake.Options{EmptyPageRate: 0.5, Seed: 7})
	l := b.mb.CreateLabel("Matters/Acme")
	var want []string
	for i := range 23 {
		b.clock.Advance(time.Second)
		want = append(want, b.mb.AddMessage(mail(fmt.Sprint("m", i), "acme"), l, "INBOX"))
		b.mb.AddMessage(mail(fmt.Sprint("x", i), "other"), "INBOX")
	}
	slices.Reverse(want) // newest first

	var got []string
	empty, token := 0, ""
	for range 200 {
		res, err := b.svc.Users.Messages.List("me").LabelIds(l).MaxResults(2).PageToken(token).Do()
		require.NoError(t, err)
		if len(res.Messages) == 0 && res.NextPageToken != "" {
			empty++
		}
		for _, m := range res.Messages {
			require.Equal(t, m.Id, m.ThreadId)
			got = append(got, m.Id)
		}
		if token = res.NextPageToken; token == "" {
			break
		}
	}
	require.Equal(t, want, got)
	require.Positive(t, empty, "no empty page with a nextPageToken was served")
}

func TestWireOmitsEmptyFieldsAndQuotesInt64s(t *testing.T) {
	b := setup(t, gmailfake.Options{})
	empty := b.mb.CreateLabel("Matters/Empty")
	id := b.mb.AddMessage(mail("w", "wire"), "INBOX")

	list := b.wire(t, "messages?labelIds="+empty)
	require.NotContains(t, list, "messages")
	require.NotContains(t, list, "nextPageToken")
	require.JSONEq(t, "0", string(list["resultSizeEstimate"]))

	h := fmt.Sprint(b.mb.HistoryID())
	hist := b.wire(t, "history?startHistoryId="+h)
	require.NotContains(t, hist, "history")
	require.Equal(t, `"`+h+`"`, string(hist["historyId"]))

	prof := b.wire(t, "profile")
	require.Equal(t, `"`+h+`"`, string(prof["historyId"]))
	require.Equal(t, "1", string(prof["messagesTotal"]))

	msg := b.wire(t, "messages/"+id+"?format=raw")
	require.Regexp(t, `^"[0-9]+"$`, string(msg["internalDate"]))
	require.Regexp(t, `^"[0-9]+"$`, string(msg["historyId"]))
	require.Regexp(t, `^[0-9]+$`, string(msg["sizeEstimate"]))
	require.NotContains(t, msg, "payload")

	b.mb.AddLabels(id, empty)
	hist = b.wire(t, "history?startHistoryId="+h)
	var recs []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(hist["history"], &recs))
	require.Len(t, recs, 1)
	require.Regexp(t, `^"[0-9]+"$`, string(recs[0]["id"]))
}

func TestLabelIdsMeanAnd(t *testing.T) {
	b := setup(t, gmailfake.Options{})
	a, c := b.mb.CreateLabel("A"), b.mb.CreateLabel("B")
	onlyA := b.mb.AddMessage(mail("1", "a"), a)
	b.mb.AddMessage(mail("2", "b"), c)
	both := b.mb.AddMessage(mail("3", "ab"), a, c)
	spam := b.mb.AddMessage(mail("4", "spam"), a, "SPAM")
	trash := b.mb.AddMessage(mail("5", "trash"), a, "TRASH")

	ids := func(call *gmail.UsersMessagesListCall) []string {
		t.Helper()
		res, err := call.Do()
		require.NoError(t, err)
		var out []string
		for _, m := range res.Messages {
			out = append(out, m.Id)
		}
		return out
	}
	require.Equal(t, []string{both}, ids(b.svc.Users.Messages.List("me").LabelIds(a, c)))
	require.Equal(t, []string{both, onlyA}, ids(b.svc.Users.Messages.List("me").LabelIds(a)))
	require.Equal(t, []string{trash, spam, both, onlyA}, ids(b.svc.Users.Messages.List("me").LabelIds(a).IncludeSpamTrash(true)))
	require.Equal(t, []string{spam}, ids(b.svc.Users.Messages.List("me").LabelIds("SPAM")))

	_, err := b.svc.Users.Messages.List("me").Q("label:A").Do()
	googleErr(t, err, http.StatusBadRequest)
}

func TestMessagesGetFormats(t *testing.T) {
	b := setup(t, gmailfake.Options{})
	received := time.Date(2025, 3, 4, 5, 6, 7, 8e6, time.UTC)
	raw := mail("raw", "padding")
	for len(raw)%3 == 0 {
		raw = append(raw, '\n')
	}
	id := b.mb.AddMessageAt(received, raw, "INBOX", "UNREAD")

	msg, err := b.svc.Users.Messages.Get("me", id).Format("raw").Do()
	require.NoError(t, err)
	require.True(t, strings.HasSuffix(msg.Raw, "="), "raw is not padded: %q", msg.Raw[len(msg.Raw)-4:])
	dec, err := base64.URLEncoding.DecodeString(msg.Raw)
	require.NoError(t, err)
	require.Equal(t, raw, dec)
	_, err = base64.RawURLEncoding.DecodeString(msg.Raw)
	require.Error(t, err, "padding must trip RawURLEncoding")
	require.Equal(t, received.UnixMilli(), msg.InternalDate)
	require.Equal(t, b.mb.HistoryID(), msg.HistoryId)
	require.Equal(t, int64(len(raw)), msg.SizeEstimate)
	require.Equal(t, id, msg.ThreadId)
	require.Equal(t, []string{"INBOX", "UNREAD"}, msg.LabelIds)
	require.Equal(t, "Hello, it&#39;s about padding.", msg.Snippet)

	minimal, err := b.svc.Users.Messages.Get("me", id).Format("minimal").Do()
	require.NoError(t, err)
	require.Empty(t, minimal.Raw)
	require.Nil(t, minimal.Payload)
	require.Equal(t, msg.HistoryId, minimal.HistoryId)

	meta, err := b.svc.Users.Messages.Get("me", id).Format("metadata").MetadataHeaders("subject").Do()
	require.NoError(t, err)
	require.Equal(t, []*gmail.MessagePartHeader{{Name: "Subject", Value: "padding"}}, meta.Payload.Headers)

	multipart := []byte("Subject: files\r\nMessage-ID: <mp@example.com>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npreamble\r\n--b1\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nSee the contract=\r\n attached.\r\n" +
		"--b1\r\nContent-Type: application/pdf; name=\"c.pdf\"\r\nContent-Disposition: attachment; filename=\"c.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n")
	mp := b.mb.AddMessage(multipart, "INBOX")
	full, err := b.svc.Users.Messages.Get("me", mp).Do()
	require.NoError(t, err)
	require.Equal(t, "multipart/mixed", full.Payload.MimeType)
	require.Len(t, full.Payload.Parts, 2)
	text := full.Payload.Parts[0]
	require.Equal(t, "0", text.PartId)
	data, err := base64.URLEncoding.DecodeString(text.Body.Data)
	require.NoError(t, err)
	require.Equal(t, "See the contract attached.", string(data))
	require.Equal(t, "See the contract attached.", full.Snippet)
	att := full.Payload.Parts[1]
	require.Equal(t, "c.pdf", att.Filename)
	require.NotEmpty(t, att.Body.AttachmentId)
	body, err := b.svc.Users.Messages.Attachments.Get("me", mp, att.Body.AttachmentId).Do()
	require.NoError(t, err)
	pdf, err := base64.URLEncoding.DecodeString(body.Data)
	require.NoError(t, err)
	require.Equal(t, "%PDF-1.4\n", string(pdf))
}

func TestRepliesJoinTheThreadWithoutItsLabels(t *testing.T) {
	b := setup(t, gmailfake.Options{})
	l := b.mb.CreateLabel("Matters/Acme")
	orig := b.mb.AddMessage(mail("orig", "acme"), l)
	start := b.mb.HistoryID()
	reply := b.mb.AddMessage(mail("re", "Re: acme", "In-Reply-To: <orig@example.com>"))
	later := b.mb.AddMessage(mail("re2", "Re: acme", "References: <nope@example.com> <re@example.com>"))
	other := b.mb.AddMessage(mail("new", "unrelated"))

	for _, id := range []string{reply, later} {
		msg, err := b.svc.Users.Messages.Get("me", id).Format("minimal").Do()
		require.NoError(t, err)
		require.Equal(t, orig, msg.ThreadId)
		require.Empty(t, msg.LabelIds)
	}
	require.Equal(t, other, b.mb.ThreadID(other))

	res, err := b.svc.Users.History.List("me").StartHistoryId(start).LabelId(l).Do()
	require.NoError(t, err)
	require.Empty(t, res.History, "a reply does not inherit its thread's label")

	b.mb.LabelThread(orig, l)
	res, err = b.svc.Users.History.List("me").StartHistoryId(start).HistoryTypes("labelAdded").Do()
	require.NoError(t, err)
	var labelled []string
	for _, h := range res.History {
		labelled = append(labelled, h.LabelsAdded[0].Message.Id)
	}
	require.Equal(t, []string{reply, later}, labelled, "one labelsAdded per message that lacked the label")
}

func TestHistory(t *testing.T) {
	b := setup(t, gmailfake.Options{})
	acme, beta := b.mb.CreateLabel("Matters/Acme"), b.mb.CreateLabel("Matters/Beta")
	old := b.mb.AddMessageAt(b.clock.Now().AddDate(-1, 0, 0), mail("old", "old"), "INBOX")
	prof, err := b.svc.Users.GetProfile("me").Do()
	require.NoError(t, err)
	start := prof.HistoryId

	fresh := b.mb.AddMessage(mail("fresh", "fresh"), "INBOX")
	b.mb.AddLabels(old, acme)    // labelling last year's mail
	b.mb.RemoveLabels(old, acme) // moving it from Acme ...
	b.mb.AddLabels(old, beta)    // ... to Beta
	b.mb.Delete(fresh)

	_, err = b.svc.Users.Messages.Get("me", fresh).Do()
	googleErr(t, err, http.StatusNotFound)

	res, err := b.svc.Users.History.List("me").StartHistoryId(start).
		HistoryTypes("messageAdded", "labelAdded", "labelRemoved").Do()
	require.NoError(t, err)
	require.Equal(t, b.mb.HistoryID(), res.HistoryId)
	require.Len(t, res.History, 4)
	h := res.History
	require.Equal(t, fresh, h[0].MessagesAdded[0].Message.Id)
	require.Equal(t, []string{"INBOX"}, h[0].MessagesAdded[0].Message.LabelIds)
	require.Equal(t, old, h[1].LabelsAdded[0].Message.Id)
	require.Equal(t, []string{acme}, h[1].LabelsAdded[0].LabelIds)
	require.Equal(t, []string{acme}, h[2].LabelsRemoved[0].LabelIds)
	require.Equal(t, []string{beta}, h[3].LabelsAdded[0].LabelIds)
	prev := start
	for _, rec := range h {
		require.Greater(t, rec.Id, prev+1, "history ids must grow in uneven steps")
		prev = rec.Id
	}

	all, err := b.svc.Users.History.List("me").StartHistoryId(start).Do()
	require.NoError(t, err)
	require.Len(t, all.History, 5)
	require.Equal(t, fresh, all.History[4].MessagesDeleted[0].Message.Id)

	var paged []uint64
	token := ""
	for {
		page, err := b.svc.Users.History.List("me").StartHistoryId(start).MaxResults(2).PageToken(token).Do()
		require.NoError(t, err)
		for _, rec := range page.History {
			paged = append(paged, rec.Id)
		}
		if token = page.NextPageToken; token == "" {
			break
		}
	}
	require.Len(t, paged, 5)
	require.Equal(t, all.History[4].Id, paged[4])

	byLabel, err := b.svc.Users.History.List("me").StartHistoryId(start).LabelId(acme).Do()
	require.NoError(t, err)
	require.Len(t, byLabel.History, 2)
	require.NotEmpty(t, byLabel.History[1].LabelsRemoved)

	idle, err := b.svc.Users.History.List("me").StartHistoryId(b.mb.HistoryID()).Do()
	require.NoError(t, err)
	require.Empty(t, idle.History)
	require.Equal(t, b.mb.HistoryID(), idle.HistoryId)

	_, err = b.svc.Users.History.List("me").Do()
	googleErr(t, err, http.StatusBadRequest)

	b.mb.ExpireHistory()
	_, err = b.svc.Users.History.List("me").StartHistoryId(start).Do()
	gerr := googleErr(t, err, http.StatusNotFound)
	require.Contains(t, gerr.Body, `"status":"NOT_FOUND"`)
	_, err = b.svc.Users.History.List("me").StartHistoryId(b.mb.HistoryID()).Do()
	require.NoError(t, err)
}

func TestLabels(t *testing.T) {
	b := setup(t, gmailfake.Options{})
	created, err := b.svc.Users.Labels.Create("me", &gmail.Label{Name: "Filed/Acme"}).Do()
	require.NoError(t, err)
	require.Regexp(t, `^Label_[0-9]+$`, created.Id)
	require.Equal(t, "user", created.Type)

	_, err = b.svc.Users.Labels.Create("me", &gmail.Label{Name: "filed/ACME"}).Do()
	gerr := googleErr(t, err, http.StatusConflict)
	require.Equal(t, "Label name exists or conflicts", gerr.Message)
	require.Contains(t, gerr.Body, "ALREADY_EXISTS")

	list, err := b.svc.Users.Labels.List("me").Do()
	require.NoError(t, err)
	byID := map[string]string{}
	for _, l := range list.Labels {
		byID[l.Id] = l.Name
	}
	require.Equal(t, "INBOX", byID["INBOX"])
	require.Equal(t, "Filed/Acme", byID[created.Id])

	b.mb.AddMessage(mail("1", "x"), created.Id, "UNREAD")
	b.mb.AddMessage(mail("2", "y", "In-Reply-To: <1@example.com>"), created.Id)
	b.mb.RenameLabel(created.Id, "Filed/Acme Corp")
	got, err := b.svc.Users.Labels.Get("me", created.Id).Do()
	require.NoError(t, err)
	require.Equal(t, "Filed/Acme Corp", got.Name)
	require.Equal(t, []int64{2, 1, 1, 1}, []int64{got.MessagesTotal, got.MessagesUnread, got.ThreadsTotal, got.ThreadsUnread})

	_, err = b.svc.Users.Labels.Get("me", "Label_999").Do()
	googleErr(t, err, http.StatusNotFound)
}

func TestModifyAndBatchModify(t *testing.T) {
	b := setup(t, gmailfake.Options{})
	filed := b.mb.CreateLabel("Filed/Acme")
	m1 := b.mb.AddMessage(mail("1", "x"), "INBOX")
	m2 := b.mb.AddMessage(mail("2", "y"), "INBOX")
	start := b.mb.HistoryID()

	msg, err := b.svc.Users.Messages.Modify("me", m1, &gmail.ModifyMessageRequest{AddLabelIds: []string{filed}}).Do()
	require.NoError(t, err)
	require.Equal(t, []string{"INBOX", filed}, msg.LabelIds)

	err = b.svc.Users.Messages.BatchModify("me", &gmail.BatchModifyMessagesRequest{
		Ids: []string{m1, m2}, AddLabelIds: []string{filed}, RemoveLabelIds: []string{"INBOX"},
	}).Do()
	require.NoError(t, err)
	require.Equal(t, []string{filed}, b.mb.Labels(m1))
	require.Equal(t, []string{filed}, b.mb.Labels(m2))
	require.Equal(t, 2, b.mb.Modifications())

	res, err := b.svc.Users.History.List("me").StartHistoryId(start).Do()
	require.NoError(t, err)
	var kinds []string
	for _, h := range res.History {
		switch {
		case len(h.LabelsAdded) > 0:
			kinds = append(kinds, "+"+h.LabelsAdded[0].Message.Id)
		case len(h.LabelsRemoved) > 0:
			kinds = append(kinds, "-"+h.LabelsRemoved[0].Message.Id)
		}
	}
	// m1 already had the label, so the batch recorded no labelsAdded for it.
	require.Equal(t, []string{"+" + m1, "-" + m1, "+" + m2, "-" + m2}, kinds)

	_, err = b.svc.Users.Messages.Modify("me", m1, &gmail.ModifyMessageRequest{AddLabelIds: []string{"Label_404"}}).Do()
	googleErr(t, err, http.StatusBadRequest)
	b.mb.Delete(m2)
	_, err = b.svc.Users.Messages.Modify("me", m2, &gmail.ModifyMessageRequest{AddLabelIds: []string{filed}}).Do()
	googleErr(t, err, http.StatusNotFound)
}

func TestQuotaAnswers429WithRetryAfter(t *testing.T) {
	b := setup(t, gmailfake.Options{QuotaPerMinute: 50})
	id := b.mb.AddMessage(mail("q", "quota"))
	t0 := b.clock.Now()
	get := func() error {
		_, err := b.svc.Users.Messages.Get("me", id).Format("minimal").Do()
		return err
	}
	require.NoError(t, get())
	b.clock.Advance(10 * time.Second)
	require.NoError(t, get())
	b.clock.Advance(5 * time.Second)

	gerr := googleErr(t, get(), http.StatusTooManyRequests)
	require.Len(t, gerr.Errors, 1)
	require.Equal(t, "rateLimitExceeded", gerr.Errors[0].Reason)
	require.Contains(t, gerr.Body, `"domain":"usageLimits"`)
	require.Contains(t, gerr.Body, `"status":"RESOURCE_EXHAUSTED"`)
	require.Equal(t, "45", gerr.Header.Get("Retry-After"))

	st := b.fake.Stats()
	require.Equal(t, 1, st.Answered429)
	require.Equal(t, 40, st.UnitsByUser[alice], "a refused request is not charged")
	require.Equal(t, 3, st.ByMethod["messages.get"])
	require.Equal(t, 20, b.fake.UnitsBetween(alice, t0, t0.Add(10*time.Second)))

	b.clock.Advance(45 * time.Second)
	require.NoError(t, get())
	require.Equal(t, 60, b.fake.UnitsBetween(alice, t0, t0.Add(time.Hour)))
}

func TestConcurrencyCapAnswers429(t *testing.T) {
	b := setup(t, gmailfake.Options{MaxInFlightPerUser: 1, Latency: 400 * time.Millisecond})
	done := make(chan error, 1)
	go func() {
		_, err := b.svc.Users.GetProfile("me").Do()
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	_, err := b.svc.Users.GetProfile("me").Do()
	gerr := googleErr(t, err, http.StatusTooManyRequests)
	require.Equal(t, "rateLimitExceeded", gerr.Errors[0].Reason)
	require.NoError(t, <-done)
}

func TestFailRateAnswers503(t *testing.T) {
	b := setup(t, gmailfake.Options{FailRate: 1})
	_, err := b.svc.Users.GetProfile("me").Do()
	gerr := googleErr(t, err, http.StatusServiceUnavailable)
	require.Equal(t, "backendError", gerr.Errors[0].Reason)
	require.Equal(t, 1, b.fake.Stats().Answered5xx)
}

func TestRateLimit403RateAnswersBothReasons(t *testing.T) {
	b := setup(t, gmailfake.Options{RateLimit403Rate: 1})
	var reasons []string
	for range 2 {
		_, err := b.svc.Users.GetProfile("me").Do()
		gerr := googleErr(t, err, http.StatusForbidden)
		require.Contains(t, gerr.Body, `"domain":"usageLimits"`)
		reasons = append(reasons, gerr.Errors[0].Reason)
	}
	require.Equal(t, []string{"userRateLimitExceeded", "rateLimitExceeded"}, reasons)
	st := b.fake.Stats()
	require.Equal(t, 2, st.Answered403RateLimit)
	require.Zero(t, st.Answered429)
	require.Zero(t, st.UnitsByUser[alice], "a refused request is not charged")
}

func TestFaultsFollowTheSeed(t *testing.T) {
	outcomes := func() []bool {
		b := setup(t, gmailfake.Options{FailRate: 0.5, Seed: 42})
		var out []bool
		for range 20 {
			_, err := b.svc.Users.GetProfile("me").Do()
			out = append(out, err == nil)
		}
		return out
	}
	first := outcomes()
	require.Contains(t, first, true)
	require.Contains(t, first, false)
	require.Equal(t, first, outcomes())
}

func TestDroppedConnectionsAreTransportErrors(t *testing.T) {
	b := setup(t, gmailfake.Options{DropRate: 1})
	_, err := b.svc.Users.GetProfile("me").Do()
	var uerr *url.Error
	require.ErrorAs(t, err, &uerr)
	var gerr *googleapi.Error
	require.False(t, errors.As(err, &gerr))
	require.GreaterOrEqual(t, b.fake.Stats().Dropped, 1)
}

func TestAuthenticationAndUserChecks(t *testing.T) {
	b := setup(t, gmailfake.Options{})
	b.fake.AddMailbox(bob)

	_, err := b.service(t, &http.Client{}).Users.GetProfile("me").Do()
	gerr := googleErr(t, err, http.StatusUnauthorized)
	require.Contains(t, gerr.Body, "UNAUTHENTICATED")

	prof, err := b.svc.Users.GetProfile("Alice@Firm.example").Do()
	require.NoError(t, err)
	require.Equal(t, alice, prof.EmailAddress)
	_, err = b.svc.Users.GetProfile(bob).Do()
	googleErr(t, err, http.StatusForbidden)

	readonly := b.fake.IssueToken("cid", alice, gmailfake.ScopeReadonly)
	svc := b.service(t, b.cfg.Client(t.Context(), readonly))
	_, err = svc.Users.GetProfile("me").Do()
	require.NoError(t, err)
	_, err = svc.Users.Labels.Create("me", &gmail.Label{Name: "Filed/X"}).Do()
	gerr = googleErr(t, err, http.StatusForbidden)
	require.Equal(t, "insufficientPermissions", gerr.Errors[0].Reason)
}

func TestRevokeMakesRefreshInvalidGrant(t *testing.T) {
	b := setup(t, gmailfake.Options{})
	tok := b.fake.IssueToken("cid", alice, gmailfake.ScopeReadonly)
	refreshed, err := b.cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	require.NoError(t, err)
	require.NotEqual(t, tok.AccessToken, refreshed.AccessToken)
	require.Equal(t, gmailfake.ScopeReadonly, refreshed.Extra("scope"))

	b.fake.Revoke(alice)
	_, err = b.cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	retrieveErr(t, err, "invalid_grant")
	_, err = b.svc.Users.GetProfile("me").Do()
	googleErr(t, err, http.StatusUnauthorized)
}

func TestExpireAccessTokensLeavesRefreshWorking(t *testing.T) {
	b := setup(t, gmailfake.Options{})
	_, err := b.svc.Users.GetProfile("me").Do()
	require.NoError(t, err)
	b.fake.ExpireAccessTokens()
	_, err = b.svc.Users.GetProfile("me").Do()
	googleErr(t, err, http.StatusUnauthorized)

	stale := *b.tok
	stale.Expiry = time.Now().Add(-time.Minute) // force x/oauth2 to refresh
	_, err = b.service(t, b.cfg.Client(t.Context(), &stale)).Users.GetProfile("me").Do()
	require.NoError(t, err)
}

func TestAuthorizationCodeWithPKCE(t *testing.T) {
	b := setup(t, gmailfake.Options{})
	consent := func(opts ...oauth2.AuthCodeOption) (code, verifier string) {
		t.Helper()
		verifier = oauth2.GenerateVerifier()
		opts = append(opts, oauth2.AccessTypeOffline, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("login_hint", alice))
		loc, err := b.fake.Consent(b.cfg.AuthCodeURL("state-1", opts...))
		require.NoError(t, err)
		require.Equal(t, "state-1", loc.Query().Get("state"))
		require.True(t, strings.HasPrefix(loc.String(), redirect+"?"), loc.String())
		return loc.Query().Get("code"), verifier
	}

	code, verifier := consent(oauth2.ApprovalForce)
	_, err := b.cfg.Exchange(t.Context(), code)
	retrieveErr(t, err, "invalid_grant")
	_, err = b.cfg.Exchange(t.Context(), code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
	retrieveErr(t, err, "invalid_grant")

	tok, err := b.cfg.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	require.NotEmpty(t, tok.RefreshToken)
	require.Equal(t, strings.Join(b.cfg.Scopes, " "), tok.Extra("scope"))
	_, err = b.cfg.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	retrieveErr(t, err, "invalid_grant")

	prof, err := b.service(t, b.cfg.Client(t.Context(), tok)).Users.GetProfile("me").Do()
	require.NoError(t, err)
	require.Equal(t, alice, prof.EmailAddress)

	code, verifier = consent()
	again, err := b.cfg.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	require.Empty(t, again.RefreshToken, "re-consent without prompt=consent yields no refresh token")

	b.fake.AddMailbox(bob)
	b.fake.SetConsentUser(bob)
	b.fake.UntickScopes(gmailfake.ScopeModify)
	code, verifier = consent(oauth2.ApprovalForce)
	wrong, err := b.cfg.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	require.NotContains(t, wrong.Extra("scope"), gmailfake.ScopeModify)
	prof, err = b.service(t, b.cfg.Client(t.Context(), wrong)).Users.GetProfile("me").Do()
	require.NoError(t, err)
	require.Equal(t, bob, prof.EmailAddress)
}

func TestDomainWideDelegation(t *testing.T) {
	b := setup(t, gmailfake.Options{})
	key := b.fake.AddServiceAccount(gmailfake.ScopeReadonly, gmailfake.ScopeLabels)

	jc, err := google.JWTConfigFromJSON(key, gmailfake.ScopeReadonly, gmailfake.ScopeLabels)
	require.NoError(t, err)
	jc.Subject = alice
	prof, err := b.service(t, jc.Client(t.Context())).Users.GetProfile(alice).Do()
	require.NoError(t, err)
	require.Equal(t, alice, prof.EmailAddress)

	jc, err = google.JWTConfigFromJSON(key, gmailfake.ScopeModify)
	require.NoError(t, err)
	jc.Subject = alice
	_, err = jc.TokenSource(t.Context()).Token()
	var rerr *oauth2.RetrieveError
	require.ErrorAs(t, err, &rerr)
	require.Equal(t, http.StatusUnauthorized, rerr.Response.StatusCode)
	require.Contains(t, string(rerr.Body), "unauthorized_client")

	jc, err = google.JWTConfigFromJSON(key, gmailfake.ScopeReadonly)
	require.NoError(t, err)
	jc.Subject = "nobody@firm.example"
	_, err = jc.TokenSource(t.Context()).Token()
	require.ErrorAs(t, err, &rerr)
	require.Contains(t, string(rerr.Body), "invalid_grant")

	forged := b.fake.AddServiceAccount(gmailfake.ScopeReadonly)
	var k1, k2 map[string]string
	require.NoError(t, json.Unmarshal(key, &k1))
	require.NoError(t, json.Unmarshal(forged, &k2))
	k2["client_email"], k2["private_key_id"] = k1["client_email"], k1["private_key_id"]
	forgedKey, err := json.Marshal(k2)
	require.NoError(t, err)
	jc, err = google.JWTConfigFromJSON(forgedKey, gmailfake.ScopeReadonly)
	require.NoError(t, err)
	jc.Subject = alice
	_, err = jc.TokenSource(t.Context()).Token()
	require.ErrorAs(t, err, &rerr)
	require.Contains(t, string(rerr.Body), "Invalid JWT Signature")
}

func TestWatchAndStop(t *testing.T) {
	b := setup(t, gmailfake.Options{})
	res, err := b.svc.Users.Watch("me", &gmail.WatchRequest{TopicName: "projects/p/topics/gmail", LabelIds: []string{"INBOX"}}).Do()
	require.NoError(t, err)
	require.Equal(t, b.mb.HistoryID(), res.HistoryId)
	require.Equal(t, b.clock.Now().Add(7*24*time.Hour).UnixMilli(), res.Expiration)
	w, ok := b.mb.Watch()
	require.True(t, ok)
	require.Equal(t, "projects/p/topics/gmail", w.TopicName)

	_, err = b.svc.Users.Watch("me", &gmail.WatchRequest{TopicName: "gmail"}).Do()
	googleErr(t, err, http.StatusBadRequest)

	require.NoError(t, b.svc.Users.Stop("me").Do())
	_, ok = b.mb.Watch()
	require.False(t, ok)
	require.Equal(t, 100+100+1, b.fake.Stats().UnitsByUser[alice], "a refused watch is still charged")
}
