package admin

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest"
)

// The message view: headers, text, the sanitized HTML body in a sandboxed
// iframe, attachments streamed decrypted, the SHA-256 of the raw message,
// its custodians, the decision's reasons and its audit history. Access
// follows the rules in review.go.
//
// The HTML body is served by its own endpoint with a policy of its own:
// a sandbox without scripts or same-origin, nothing loaded but inline
// styles and data: images, framed by this origin only. The ingest
// sanitizer already removed scripts and remote references; the policy
// holds if it ever misses one.

func (s *Server) messageRoutes() {
	signedIn := s.requireRole()
	s.mux.Handle("GET /messages/{id}", signedIn(s.message))
	s.mux.Handle("GET /messages/{id}/html", signedIn(s.messageHTML))
	s.mux.Handle("GET /messages/{id}/parts/{n}", signedIn(s.messagePart))
}

// htmlPolicy is the Content-Security-Policy of a message's HTML body.
const htmlPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"

// maxTextShown bounds the text part shown on the page.
const maxTextShown = 1 << 20

// messagePage is the data of templates/message.html.
type messagePage struct {
	ID            string
	State         string
	Target        *classify.Target
	From, To, Cc  string
	Date          time.Time
	DateHeader    string
	Subject       string
	Text          string
	TextTruncated bool
	HTML          bool
	Attachments   []ingest.Part
	RawSHA256     string
	RawSize       int64
	Custodians    []custodianRow
	Decision      classify.Decision
	Audit         []audit.Record
	InReview      bool
}

type custodianRow struct {
	Mailbox, Address string
	Received         time.Time
}

func (s *Server) message(w http.ResponseWriter, r *http.Request) {
	v, id, a, ok := s.openMessage(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	m := a.manifest
	p := messagePage{
		ID: id, State: a.entry.State, InReview: a.entry.State == catalog.StateReview,
		From: addresses(m.Message.From), To: addresses(m.Message.To), Cc: addresses(m.Message.Cc),
		Date: m.Message.Date, DateHeader: m.Message.DateHeader, Subject: m.Message.Subject,
		Text: m.Message.Text, RawSHA256: m.RawSHA256, RawSize: m.RawSize, Decision: m.Decision,
	}
	if a.entry.Matter != "" {
		if tg, ok := a.reg.Get(a.entry.Matter); ok {
			p.Target = &tg
		}
	}
	for _, c := range a.custodians {
		row := custodianRow{Mailbox: c.Mailbox, Address: c.Address, Received: c.InternalDate}
		p.Custodians = append(p.Custodians, row)
	}
	textPart := -1
	for _, part := range m.Message.Parts {
		switch {
		case part.Kind == ingest.KindText && textPart < 0:
			textPart = part.Index
		case part.Kind == ingest.KindHTML:
			p.HTML = true
		case part.Kind == ingest.KindAttachment:
			p.Attachments = append(p.Attachments, part)
		}
	}
	if textPart >= 0 {
		text, truncated, err := readText(ctx, v.Tenant, a.entry, textPart)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Text, p.TextTruncated = text, truncated
	}
	var err error
	if p.Audit, err = messageAudit(ctx, v.Tenant, id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.page(w, r, "message", p)
}

// readText reads text part n, up to maxTextShown bytes.
func readText(ctx context.Context, t *catalog.Tenant, e catalog.IndexEntry, n int) (string, bool, error) {
	rc, err := t.OpenPart(ctx, e, strconv.Itoa(n))
	if err != nil {
		return "", false, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxTextShown+1))
	if err != nil {
		return "", false, fmt.Errorf("message %s part %d: %w", e.Message, n, err)
	}
	truncated := len(data) > maxTextShown
	if truncated {
		data = data[:maxTextShown]
	}
	return strings.ToValidUTF8(string(data), "\uFFFD"), truncated, nil
}

// messageAudit lists the audit records naming message id, oldest first.
// It walks the log with Newest, which keeps the records it authenticated
// in memory and learns of new ones from its head, rather than List, which
// lists and decrypts the whole log on every call.
func messageAudit(ctx context.Context, t *catalog.Tenant, id string) ([]audit.Record, error) {
	var out []audit.Record
	err := t.Audit().Newest(ctx, audit.Filter{}, func(r audit.Record) bool {
		if r.Objects["message"] == id {
			out = append(out, r)
		}
		return true
	})
	slices.Reverse(out)
	return out, err
}

// partOf returns the part of m with index n and kind kind.
func partOf(m *catalog.Manifest, n int, kind string) (ingest.Part, bool) {
	for _, p := range m.Message.Parts {
		if p.Index == n && p.Kind == kind {
			return p, true
		}
	}
	return ingest.Part{}, false
}

// messageHTML serves the sanitized HTML body, for the sandboxed iframe of
// the message view only.
func (s *Server) messageHTML(w http.ResponseWriter, r *http.Request) {
	_, _, a, ok := s.openMessage(w, r)
	if !ok {
		return
	}
	n := -1
	for _, p := range a.manifest.Message.Parts {
		if p.Kind == ingest.KindHTML {
			n = p.Index
			break
		}
	}
	if n < 0 {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", htmlPolicy)
	// Framed by the message view (this origin) only.
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Type", "text/html; charset=utf-8")
	s.stream(w, r, a.entry, n)
}

// messagePart streams attachment n decrypted, as a download.
func (s *Server) messagePart(w http.ResponseWriter, r *http.Request) {
	_, _, a, ok := s.openMessage(w, r)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 {
		http.NotFound(w, r)
		return
	}
	p, ok := partOf(a.manifest, n, ingest.KindAttachment)
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", attachmentDisposition(p.Filename, n))
	h.Set("Content-Length", strconv.FormatInt(p.Size, 10))
	s.stream(w, r, a.entry, n)
}

// stream copies part n of e to w, decrypting as it goes. Headers set by
// the caller are sent with the first bytes; a failure before then is a
// clean 500, after it the connection is cut so that a client never takes
// a short part for the whole.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, e catalog.IndexEntry, n int) {
	rc, err := viewerFrom(r.Context()).Tenant.OpenPart(r.Context(), e, strconv.Itoa(n))
	if err != nil {
		w.Header().Del("Content-Disposition")
		w.Header().Del("Content-Length")
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if _, err := io.Copy(w, rc); err != nil {
		s.log.Error("admin: streaming a part failed", "message", e.Message, "part", n, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// attachmentDisposition is the Content-Disposition of a download: the
// sanitized filename, or part-<n> when there is none.
func attachmentDisposition(name string, n int) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' || r == '"' {
			return '_'
		}
		return r
	}, name)
	if strings.Trim(name, ". _") == "" {
		name = "part-" + strconv.Itoa(n)
	}
	if d := mime.FormatMediaType("attachment", map[string]string{"filename": name}); d != "" {
		return d
	}
	return "attachment; filename=part-" + strconv.Itoa(n)
}
