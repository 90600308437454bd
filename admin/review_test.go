package admin

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/catalog/catalogtest"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest/mbox"
	"github.com/matterfile/matterfile/worker"
)

// reviewWorld is a firm with two mailboxes, three matters and messages in
// review, served with worker handlers so that assigning files.
type reviewWorld struct {
	*bundle
	h                     *worker.Handlers
	im                    *worker.Importer
	bobBox, carolBox      string
	admin, bob, walt      catalog.User
	corvid, heron, attack string // bob's messages in review
	carols                string // carol's
}

const (
	corvidSubject = `delivery schedule from Corvid Parts <b>bold</b>`
	heronSubject  = "Heron Works invoice"
	attackSubject = "attack list"
	carolSubject  = "carol's note about Corvid Parts"
	attachment    = "%PDF-1.4 not really a pdf\n"
)

// attackHTML carries the XSS payloads the message view must neutralize.
const attackHTML = `<p id="greeting">Hello from the attack list</p>
<script>alert(1)</script>
<img src=x onerror=alert(1)>
<svg onload=alert(1)></svg>
<a href="javascript:alert(1)">click</a>
<iframe src="javascript:alert(1)"></iframe>
<img src="http://remote.invalid/t.png">
<div style="background:url(http://remote.invalid/c.png)">styled</div>
<meta http-equiv="refresh" content="0;url=http://remote.invalid/">`

func plainMail(id, subject, body string) []byte {
	return []byte("X-Gmail-Labels: File to matter\r\nFrom: Dana <dana@corvid.example>\r\nTo: bob@firm.example\r\n" +
		"Date: Tue, 04 Jun 2024 09:00:00 +0000\r\nSubject: " + subject + "\r\nMessage-ID: <" + id + "@corvid.example>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
}

func attackMail() []byte {
	return []byte("X-Gmail-Labels: File to matter\r\nFrom: Mallory <mallory@evil.example>\r\nTo: bob@firm.example\r\nCc: <script>@evil.example\r\n" +
		"Date: Wed, 05 Jun 2024 09:00:00 +0000\r\nSubject: " + attackSubject + "\r\nMessage-ID: <attack@evil.example>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=outer\r\n\r\n" +
		"--outer\r\nContent-Type: multipart/alternative; boundary=alt\r\n\r\n" +
		"--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe plain text of the attack list.\r\n" +
		"--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + attackHTML + "\r\n--alt--\r\n" +
		"--outer\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"../../report \\\"q1\\\".pdf\"\r\n\r\n" +
		attachment + "\r\n--outer--\r\n")
}

func setupReview(t *testing.T) *reviewWorld {
	t.Helper()
	ctx := context.Background()
	cat, _ := catalogtest.New(t)
	require.NoError(t, cat.CreateTenant(ctx, testTenant))
	tn, err := cat.Open(ctx, testTenant)
	require.NoError(t, err)
	q, err := worker.OpenQueue("")
	require.NoError(t, err)
	t.Cleanup(func() { q.Close() })
	h, err := worker.NewHandlers(worker.HandlersConfig{Catalog: cat, Enqueuer: q.Client, Policy: classify.DefaultPolicy()})
	require.NoError(t, err)
	im, err := worker.NewImporter(cat, q, classify.DefaultPolicy())
	require.NoError(t, err)
	_, err = tn.ImportTargets(ctx, []classify.Target{
		{ID: "m-1", Number: "2024-0001", Title: "Corvid supply", Kind: "matter", Client: "acme", Aliases: []string{"Corvid Parts"}},
		{ID: "m-2", Number: "2024-0002", Title: "Heron dispute", Kind: "matter", Client: "beta", Aliases: []string{"Heron Works"}, Walled: []string{"walt@firm.example"}},
		{ID: "m-3", Number: "2024-0003", Title: "Heron lease", Kind: "matter", Client: "gamma", Aliases: []string{"Heron Works"}},
		// Two matters answer to Corvid Parts: its mail needs a person.
		{ID: "m-4", Number: "2024-0004", Title: "Corvid warranty", Kind: "matter", Client: "acme", Aliases: []string{"Corvid Parts"}},
	}, "cli:test")
	require.NoError(t, err)

	clock := &fakeClock{now: time.Now()}
	srv, err := New(Config{Catalog: cat, Handlers: h, Lockout: lockout, InsecureCookies: true, Now: clock.Now})
	require.NoError(t, err)
	srv.passwd, err = newPasswords(testHashParams, 4)
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	w := &reviewWorld{bundle: &bundle{t: t, srv: srv, ts: ts, cat: cat, tenant: tn, clock: clock}, h: h, im: im}

	bob := w.file(t, "bob@firm.example", plainMail("c1", corvidSubject, "The new schedule is attached."),
		plainMail("h1", heronSubject, "Please find the invoice."), attackMail())
	carol := w.file(t, "carol@firm.example", plainMail("k1", carolSubject, "A private note."))
	w.corvid, w.heron, w.attack, w.carols = bob[corvidSubject], bob[heronSubject], bob[attackSubject], carol[carolSubject]
	for _, id := range []string{w.corvid, w.heron, w.attack, w.carols} {
		e, err := tn.Lookup(ctx, id)
		require.NoError(t, err)
		require.Equal(t, catalog.StateReview, e.State)
	}
	mbs, err := tn.Mailboxes(ctx)
	require.NoError(t, err)
	for _, mb := range mbs {
		switch mb.Address {
		case "bob@firm.example":
			w.bobBox = mb.ID
		case "carol@firm.example":
			w.carolBox = mb.ID
		}
	}
	w.admin = w.addUser("admin@firm.example", catalog.RoleAdmin)
	w.bob = w.addUserWith("bob@firm.example", catalog.RoleParalegal, w.bobBox)
	w.walt = w.addUserWith("walt@firm.example", catalog.RoleAttorney, w.bobBox)
	return w
}

// file imports msgs from mailbox addr and files each; it returns the
// message IDs by subject.
func (w *reviewWorld) file(t *testing.T, addr string, msgs ...[]byte) map[string]string {
	t.Helper()
	ctx := context.Background()
	var buf bytes.Buffer
	for _, m := range msgs {
		require.NoError(t, mbox.WriteMessage(&buf, m))
	}
	res, err := w.im.ImportMbox(ctx, testTenant, bytes.NewReader(buf.Bytes()), worker.ImportOptions{Mailbox: addr})
	require.NoError(t, err)
	require.Len(t, res.Tasks, len(msgs))
	out := map[string]string{}
	for _, ref := range res.Tasks {
		parts := strings.Split(ref.ID, ":")
		e, err := w.h.FileMessage(ctx, worker.FileMessagePayload{Tenant: testTenant, Mailbox: parts[3], Message: parts[4], Source: worker.SourceMbox})
		require.NoError(t, err)
		m, err := w.tenant.Manifest(ctx, e)
		require.NoError(t, err)
		out[m.Message.Subject] = e.Message
	}
	return out
}

func (w *reviewWorld) addUserWith(email string, role catalog.Role, mailboxes ...string) catalog.User {
	w.t.Helper()
	u := w.addUser(email, role)
	u, err := w.tenant.UpdateUser(context.Background(), u.ID, "cli:test", func(u *catalog.User) error {
		u.Mailboxes = mailboxes
		return nil
	})
	require.NoError(w.t, err)
	return u
}

func (w *reviewWorld) entry(id string) catalog.IndexEntry {
	w.t.Helper()
	e, err := w.tenant.Lookup(context.Background(), id)
	require.NoError(w.t, err)
	return e
}

// denials are the access.denied records naming message id.
func (w *reviewWorld) denials(id string) []audit.Record {
	var out []audit.Record
	for _, r := range w.records(audit.ActionAccessDenied) {
		if r.Objects["message"] == id {
			out = append(out, r)
		}
	}
	return out
}

// TestReviewQueueVisibility: everyone sees the items of their own
// mailboxes, admins every mailbox's, and nobody an item pointing at a
// matter they are walled off from.
func TestReviewQueueVisibility(t *testing.T) {
	w := setupReview(t)
	html := func(s string) string { return escaped(s) }

	res := w.signedIn("bob@firm.example").get("/review")
	require.Equal(t, http.StatusOK, res.code)
	for _, s := range []string{corvidSubject, heronSubject, attackSubject} {
		require.Contains(t, res.body, html(s))
	}
	require.NotContains(t, res.body, "A private note", "carol's mailbox")
	require.NotContains(t, res.body, html(carolSubject))
	require.Contains(t, res.body, "/review/"+w.corvid+"/assign")
	require.Contains(t, res.body, `name="target" value="m-1"`, "the candidate")
	require.Contains(t, res.body, "matter 2024-0001")
	require.Contains(t, res.body, "The new schedule is attached.", "the preview")
	require.NotContains(t, res.body, "<b>bold</b>", "subjects are escaped")

	res = w.signedIn("walt@firm.example").get("/review")
	require.Equal(t, http.StatusOK, res.code)
	require.Contains(t, res.body, html(corvidSubject))
	require.NotContains(t, res.body, heronSubject, "walt is walled off from the Heron matter")
	require.NotContains(t, res.body, w.heron)

	res = w.signedIn("admin@firm.example").get("/review")
	require.Equal(t, http.StatusOK, res.code)
	for _, s := range []string{corvidSubject, heronSubject, attackSubject, carolSubject} {
		require.Contains(t, res.body, html(s))
	}
}

func escaped(s string) string {
	r := strings.NewReplacer("<", "&lt;", ">", "&gt;", "'", "&#39;", `"`, "&#34;", "&", "&amp;")
	return r.Replace(s)
}

// TestMessageAccessRules: another mailbox's message and a walled matter's
// are refused as if they did not exist, and audited as access.denied.
func TestMessageAccessRules(t *testing.T) {
	w := setupReview(t)
	bob := w.signedIn("bob@firm.example")
	for _, p := range []string{"", "/html", "/parts/2"} {
		res := bob.get("/messages/" + w.carols + p)
		require.Equal(t, http.StatusNotFound, res.code, p)
		require.NotContains(t, res.body, "A private note")
	}
	denied := w.denials(w.carols)
	require.Len(t, denied, 3)
	require.Equal(t, "user:"+w.bob.ID, denied[0].Actor)
	require.Equal(t, "127.0.0.1", denied[0].SourceIP)
	require.Equal(t, audit.Refused, denied[0].Outcome)

	// A message that does not exist looks the same, unaudited.
	res := bob.get("/messages/msg-doesnotexist")
	require.Equal(t, http.StatusNotFound, res.code)

	walt := w.signedIn("walt@firm.example")
	res = walt.get("/messages/" + w.heron)
	require.Equal(t, http.StatusNotFound, res.code)
	require.NotContains(t, res.body, "Heron")
	require.Len(t, w.denials(w.heron), 1)
	require.Equal(t, "user:"+w.walt.ID, w.denials(w.heron)[0].Actor)
	// Nor can walt act on it.
	res = walt.post("/review/"+w.heron+"/assign", url.Values{"target": {"m-3"}})
	require.Equal(t, http.StatusNotFound, res.code)
	require.Equal(t, catalog.StateReview, w.entry(w.heron).State)

	// Bob cannot file carol's message either.
	res = bob.post("/review/"+w.carols+"/assign", url.Values{"target": {"m-1"}})
	require.Equal(t, http.StatusNotFound, res.code)
	res = bob.post("/review/"+w.carols+"/dismiss", nil)
	require.Equal(t, http.StatusNotFound, res.code)
	require.Equal(t, catalog.StateReview, w.entry(w.carols).State)

	// The owner and an admin may open them.
	require.Equal(t, http.StatusOK, bob.get("/messages/"+w.heron).code)
	require.Equal(t, http.StatusOK, w.signedIn("admin@firm.example").get("/messages/"+w.carols).code)

	// Once filed, a partner or attorney may open it, a paralegal without
	// the mailbox may not.
	_, err := w.h.Assign(context.Background(), testTenant, w.carols, "m-1", "cli:test", false)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, walt.get("/messages/"+w.carols).code)
	require.Equal(t, http.StatusNotFound, bob.get("/messages/"+w.carols).code)
}

// TestReviewAssignAndDismiss: assigning files the message to the matter,
// dismissing takes it out of the queue; both are audited with the
// reviewer and their address.
func TestReviewAssignAndDismiss(t *testing.T) {
	w := setupReview(t)
	ctx := context.Background()
	bob := w.signedIn("bob@firm.example")

	res := bob.post("/review/"+w.corvid+"/assign", url.Values{"target": {"m-1"}})
	require.Equal(t, http.StatusSeeOther, res.code)
	require.Equal(t, "/review?done=assigned", res.hdr.Get("Location"))
	e := w.entry(w.corvid)
	require.Equal(t, catalog.StateFiled, e.State)
	require.Equal(t, "m-1", e.Matter)
	require.Contains(t, bob.get("/review?done=assigned").body, reviewNotices["assigned"])

	// By number, to a matter that is no candidate.
	res = bob.post("/review/"+w.heron+"/assign", url.Values{"number": {"2024-0003"}})
	require.Equal(t, http.StatusSeeOther, res.code)
	require.Equal(t, "m-3", w.entry(w.heron).Matter)

	var reviews []audit.Record
	for _, r := range w.records(audit.ActionMessageReview) {
		if r.Outcome == audit.OK {
			reviews = append(reviews, r)
		}
	}
	require.Len(t, reviews, 2)
	for _, r := range reviews {
		require.Equal(t, "user:"+w.bob.ID, r.Actor)
		require.Equal(t, "127.0.0.1", r.SourceIP)
	}
	require.Equal(t, w.corvid, reviews[0].Objects["message"])
	require.Equal(t, "m-1", reviews[0].Objects["matter"])

	// An unknown number files nothing.
	res = bob.post("/review/"+w.attack+"/assign", url.Values{"number": {"1999-9999"}})
	require.Equal(t, "/review?done=unknown", res.hdr.Get("Location"))
	require.Equal(t, catalog.StateReview, w.entry(w.attack).State)

	res = bob.post("/review/"+w.attack+"/dismiss", nil)
	require.Equal(t, http.StatusSeeOther, res.code)
	require.Equal(t, "/review?done=dismissed", res.hdr.Get("Location"))
	queue, err := w.tenant.ReviewQueue(ctx, false)
	require.NoError(t, err)
	for _, it := range queue {
		require.NotEqual(t, w.attack, it.Entry.Message)
	}
	d, err := w.tenant.Dismissal(ctx, w.attack)
	require.NoError(t, err)
	require.Equal(t, "user:"+w.bob.ID, d.By)
	var dismissed bool
	for _, r := range w.records(audit.ActionMessageReview) {
		if r.Objects["message"] == w.attack && r.Outcome == audit.OK {
			dismissed = true
			require.Equal(t, "user:"+w.bob.ID, r.Actor)
			require.Equal(t, "127.0.0.1", r.SourceIP)
		}
	}
	require.True(t, dismissed)

	// Acting again on a message no longer in review changes nothing.
	res = bob.post("/review/"+w.corvid+"/assign", url.Values{"target": {"m-3"}})
	require.Equal(t, "/review?done=gone", res.hdr.Get("Location"))
	require.Equal(t, "m-1", w.entry(w.corvid).Matter)
	body := bob.get("/review").body
	require.NotContains(t, body, w.corvid)
	require.NotContains(t, body, w.attack)
}

// TestMessageView: headers escaped, the hash of the raw message, the HTML
// body behind its own policy, and attachments streamed as downloads.
func TestMessageView(t *testing.T) {
	w := setupReview(t)
	ctx := context.Background()
	m, err := w.tenant.Manifest(ctx, w.entry(w.attack))
	require.NoError(t, err)
	bob := w.signedIn("bob@firm.example")

	res := bob.get("/messages/" + w.attack)
	require.Equal(t, http.StatusOK, res.code)
	require.Contains(t, res.hdr.Get("Content-Security-Policy"), "frame-src 'self'")
	require.Contains(t, res.body, m.RawSHA256)
	require.Contains(t, res.body, "The plain text of the attack list.")
	require.Contains(t, res.body, `<iframe class="message-html" sandbox src="/messages/`+w.attack+`/html"`)
	require.NotContains(t, res.body, "<script>@", "headers are escaped")
	require.NotContains(t, res.body, "alert(1)", "the HTML body is only in the frame")
	require.Contains(t, res.body, "bob@firm.example", "the custodian")

	var n = -1
	for _, p := range m.Message.Parts {
		if p.Kind == "attachment" {
			n = p.Index
		}
	}
	require.GreaterOrEqual(t, n, 0)
	part := "/messages/" + w.attack + "/parts/" + strconv.Itoa(n)
	require.Contains(t, res.body, `href="`+part+`"`)
	res = bob.get(part)
	require.Equal(t, http.StatusOK, res.code)
	require.Equal(t, attachment, res.body)
	require.Equal(t, "application/octet-stream", res.hdr.Get("Content-Type"))
	require.Equal(t, "nosniff", res.hdr.Get("X-Content-Type-Options"))
	cd := res.hdr.Get("Content-Disposition")
	require.True(t, strings.HasPrefix(cd, "attachment; filename="), cd)
	require.NotContains(t, cd, "/")
	require.NotContains(t, cd, "..\\")

	res = bob.get("/messages/" + w.attack + "/html")
	require.Equal(t, http.StatusOK, res.code)
	require.Equal(t, htmlPolicy, res.hdr.Get("Content-Security-Policy"))
	require.Equal(t, "SAMEORIGIN", res.hdr.Get("X-Frame-Options"))
	require.Contains(t, res.body, "Hello from the attack list")

	// The decision and the audit history are there.
	res = bob.get("/messages/" + w.attack)
	require.Contains(t, res.body, "Audit history")
	require.Contains(t, res.body, string(audit.ActionMessageFile))
}
