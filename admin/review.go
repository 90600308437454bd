package admin

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ids"
	"github.com/matterfile/matterfile/ingest"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/worker"
)

// The review queue: the messages the classifier could not file, each with
// its sender, date, subject, a short preview of its text and the
// candidates with their reasons; a reviewer assigns one to a matter (it is
// filed there, and the Gmail label written back by the worker's follow-up
// task) or dismisses it as not matter-related.
//
// Who sees what (the same rules hold for the message view, message.go):
//   - a message in review: anyone whose mailboxes hold it (an admin: every
//     mailbox), unless the viewer is walled off from a matter the message
//     points at (its decision's target or a candidate);
//   - a filed message: admins, partners and attorneys, unless walled off
//     from its matter; paralegals only those their own mailboxes hold,
//     walls still holding.
//
// Walls hold for every role, admins included (catalog.User.WalledFrom).
// A refused message is answered 404, as if it did not exist, and audited
// as access.denied with IDs only.

func (s *Server) reviewRoutes() {
	signedIn := s.requireRole()
	s.mux.Handle("GET /review", signedIn(s.reviewQueue))
	s.mux.Handle("POST /review/{id}/assign", signedIn(s.reviewAssign))
	s.mux.Handle("POST /review/{id}/dismiss", signedIn(s.reviewDismiss))
	s.messageRoutes()
	s.addNav("Review", "/review")
}

// reviewNotices are the confirmations and refusals a redirect after a
// review action may show (?done=<key>): fixed text, so that no user text
// travels in a URL.
var reviewNotices = map[string]string{
	"assigned":  "Message filed to the matter. The Gmail label follows shortly.",
	"dismissed": "Message dismissed as not matter-related.",
	"gone":      "That message is no longer in review.",
	"unknown":   "No open matter or contract has that number.",
	"closed":    "That matter is closed; it was not filed.",
	"walled":    "An ethical wall stands between that message and the matter; it was not filed.",
	"choose":    "Choose a candidate or type a matter number.",
}

// previewLen is how many characters of a message's text the queue shows.
const previewLen = 240

// reviewPerPage is how many messages a page of the queue shows; only
// their manifests are read.
const reviewPerPage = 50

// reviewPage is the data of templates/review.html.
type reviewPage struct {
	Items []reviewRow
	// Total is the number of messages the viewer may review; Page counts
	// from 1; First and Last are the positions of the items shown.
	Total, Page, Pages, First, Last int
	Prev, Next                      string
	// Error is a refusal from the last action, shown as an alert.
	Error string
}

type reviewRow struct {
	ID         string
	From       string
	Date       time.Time
	Subject    string
	Preview    string
	Alert      string
	Reasons    []classify.Reason
	Candidates []candidateRow
}

type candidateRow struct {
	N          int
	Target     string
	Number     string
	Title      string
	Kind       string
	Confidence int // percent
	Reasons    []classify.Reason
}

func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	ctx := r.Context()
	// The summaries carry IDs only (mailboxes, targets): the count and
	// the page are chosen by walls and mailboxes before anything is
	// decrypted, and only the manifests of the page shown are read.
	queue, err := v.Tenant.ReviewSummaries(ctx, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reg, err := v.Tenant.Matters(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	byID := targetIndex(reg)
	visible := queue[:0]
	for _, it := range queue {
		if seesSummary(v.User, &it, byID) {
			visible = append(visible, it)
		}
	}
	p := reviewPage{Total: len(visible)}
	p.Page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	p.Pages = max(1, (p.Total+reviewPerPage-1)/reviewPerPage)
	p.Page = min(max(p.Page, 1), p.Pages)
	from := (p.Page - 1) * reviewPerPage
	p.First = from + 1
	items, err := v.Tenant.ReviewItems(ctx, visible[from:min(from+reviewPerPage, p.Total)])
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, it := range items {
		// The manifest is the one the summary was made of; checked again
		// all the same.
		if !seesReview(v.User, it.Manifest.Custodians, &it.Manifest.Decision, byID) {
			continue
		}
		p.Items = append(p.Items, reviewRowOf(it, byID))
	}
	p.Last = from + len(p.Items)
	link := func(n int) string { return "/review?page=" + strconv.Itoa(n) }
	if p.Page > 1 {
		p.Prev = link(p.Page - 1)
	}
	if p.Page < p.Pages {
		p.Next = link(p.Page + 1)
	}
	note, bad := reviewNotice(r)
	p.Error = bad
	s.render(w, r, http.StatusOK, "review", note, p)
}

// seesSummary is seesReview on a message's IDs, before its manifest is
// read.
func seesSummary(u catalog.User, it *catalog.ReviewSummary, byID map[string]*classify.Target) bool {
	if !slices.ContainsFunc(it.Mailboxes, u.SeesMailbox) {
		return false
	}
	walled := func(id string) bool {
		tg, ok := byID[id]
		return ok && u.WalledFrom(tg)
	}
	return !(it.Target != "" && walled(it.Target)) && !slices.ContainsFunc(it.Candidates, walled)
}

// reviewNotice splits ?done= into a notice or an error.
func reviewNotice(r *http.Request) (note, bad string) {
	k := r.URL.Query().Get("done")
	switch k {
	case "assigned", "dismissed":
		return reviewNotices[k], ""
	default:
		return "", reviewNotices[k]
	}
}

func targetIndex(reg *classify.Registry) map[string]*classify.Target {
	out := make(map[string]*classify.Target, len(reg.Targets))
	for i := range reg.Targets {
		out[reg.Targets[i].ID] = &reg.Targets[i]
	}
	return out
}

func reviewRowOf(it catalog.ReviewItem, byID map[string]*classify.Target) reviewRow {
	m := it.Manifest
	row := reviewRow{
		ID: it.Entry.Message, From: addresses(m.Message.From), Date: m.Message.Date,
		Subject: m.Message.Subject, Preview: preview(m.Message.Text, previewLen),
		Alert: m.Decision.Alert, Reasons: m.Decision.Reasons,
	}
	if row.Date.IsZero() {
		row.Date = it.Entry.Filed
	}
	for _, c := range m.Decision.Candidates {
		cr := candidateRow{Target: c.Target, Confidence: int(c.Confidence*100 + .5), Reasons: c.Reasons}
		if tg, ok := byID[c.Target]; ok {
			cr.Number, cr.Title, cr.Kind = tg.Number, tg.Title, tg.Kind
			if tg.Status == classify.StatusClosed {
				continue // assigning it would be refused
			}
		}
		cr.N = len(row.Candidates) + 1
		row.Candidates = append(row.Candidates, cr)
	}
	return row
}

// seesReview reports whether u may see a message in review held by
// custodians with decision dec.
func seesReview(u catalog.User, custodians []catalog.Custodian, dec *classify.Decision, byID map[string]*classify.Target) bool {
	if !slices.ContainsFunc(custodians, func(c catalog.Custodian) bool { return u.SeesMailbox(c.Mailbox) }) {
		return false
	}
	return !walledFromDecision(u, dec, byID)
}

// walledFromDecision reports whether u is walled off from a target the
// decision points at.
func walledFromDecision(u catalog.User, dec *classify.Decision, byID map[string]*classify.Target) bool {
	walled := func(id string) bool {
		tg, ok := byID[id]
		return ok && u.WalledFrom(tg)
	}
	if dec.Target != "" && walled(dec.Target) {
		return true
	}
	return slices.ContainsFunc(dec.Candidates, func(c classify.Candidate) bool { return walled(c.Target) })
}

// addresses renders an address list as people read it.
func addresses(as []ingest.Address) string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		switch {
		case a.Name != "" && a.Addr != "":
			out = append(out, a.Name+" <"+a.Addr+">")
		case a.Addr != "":
			out = append(out, a.Addr)
		default:
			out = append(out, a.Name)
		}
	}
	return strings.Join(out, ", ")
}

// preview is the first n characters of text with runs of white space and
// control characters folded into one space.
func preview(text string, n int) string {
	var b strings.Builder
	space, count := false, 0
	for _, r := range text {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			count++
			space = false
		}
		if count >= n {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		count++
	}
	return b.String()
}

// reviewTarget loads message id for a review action by v: it must be in
// review and visible to v. ok false means the response was written.
func (s *Server) reviewTarget(w http.ResponseWriter, r *http.Request, v *viewer) (id string, reg *classify.Registry, ok bool) {
	ctx := r.Context()
	id = r.PathValue("id")
	a, err := s.access(ctx, v, id)
	if err != nil {
		s.accessFailed(w, r, v, id, err)
		return "", nil, false
	}
	if a.entry.State != catalog.StateReview {
		http.Redirect(w, r, "/review?done=gone", http.StatusSeeOther)
		return "", nil, false
	}
	return id, a.reg, true
}

func (s *Server) reviewAssign(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	ctx := r.Context()
	if s.cfg.Handlers == nil {
		s.fail(w, r, errors.New("admin: no worker handlers configured for review"))
		return
	}
	if !parseForm(w, r) {
		return
	}
	form := r.PostForm
	id, reg, ok := s.reviewTarget(w, r, v)
	if !ok {
		return
	}
	target := form.Get("target")
	if number := strings.TrimSpace(form.Get("number")); target == "" && number != "" {
		i := slices.IndexFunc(reg.Targets, func(tg classify.Target) bool { return strings.EqualFold(tg.Number, number) })
		if i < 0 {
			http.Redirect(w, r, "/review?done=unknown", http.StatusSeeOther)
			return
		}
		target = reg.Targets[i].ID
	}
	if target == "" {
		http.Redirect(w, r, "/review?done=choose", http.StatusSeeOther)
		return
	}
	tg, found := reg.Get(target)
	if !found || ids.Validate("target", target) != nil {
		http.Redirect(w, r, "/review?done=unknown", http.StatusSeeOther)
		return
	}
	// The reviewer's own wall: nobody files to a matter they are walled
	// off from (the worker checks the message's mailbox owners).
	if v.User.WalledFrom(&tg) {
		if err := v.Tenant.AuditReview(ctx, v.Actor(), id, tg, audit.Refused, "reviewer "+v.User.ID+" is walled off from the target"); err != nil {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/review?done=walled", http.StatusSeeOther)
		return
	}
	_, err := s.cfg.Handlers.Assign(ctx, v.Tenant.ID, id, target, v.Actor(), false)
	switch {
	case err == nil:
		http.Redirect(w, r, "/review?done=assigned", http.StatusSeeOther)
	case errors.Is(err, worker.ErrTargetClosed):
		http.Redirect(w, r, "/review?done=closed", http.StatusSeeOther)
	case errors.Is(err, worker.ErrWalled):
		http.Redirect(w, r, "/review?done=walled", http.StatusSeeOther)
	case errors.Is(err, catalog.ErrNotInReview), errors.Is(err, catalog.ErrConcurrentRefile):
		http.Redirect(w, r, "/review?done=gone", http.StatusSeeOther)
	case errors.Is(err, catalog.ErrNoTarget):
		http.Redirect(w, r, "/review?done=unknown", http.StatusSeeOther)
	default:
		s.fail(w, r, err)
	}
}

// dismissReason is kept (sealed) with a dismissal made on the queue page.
const dismissReason = "not matter-related (review queue)"

func (s *Server) reviewDismiss(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	if s.cfg.Handlers == nil {
		s.fail(w, r, errors.New("admin: no worker handlers configured for review"))
		return
	}
	if !parseForm(w, r) {
		return
	}
	id, _, ok := s.reviewTarget(w, r, v)
	if !ok {
		return
	}
	_, err := s.cfg.Handlers.Dismiss(r.Context(), v.Tenant.ID, id, dismissReason, v.Actor())
	switch {
	case err == nil:
		http.Redirect(w, r, "/review?done=dismissed", http.StatusSeeOther)
	case errors.Is(err, catalog.ErrNotInReview):
		http.Redirect(w, r, "/review?done=gone", http.StatusSeeOther)
	default:
		s.fail(w, r, err)
	}
}

// errNoMessage: the message does not exist or the viewer may not see it;
// both are answered alike.
var errNoMessage = errors.New("no such message")

// messageAccess is a message the viewer may open.
type messageAccess struct {
	entry      catalog.IndexEntry
	manifest   *catalog.Manifest
	custodians []catalog.Custodian
	reg        *classify.Registry
}

// refusal is a refused access, audited with its detail (IDs only).
type refusal struct{ detail string }

func (e refusal) Error() string { return e.detail }

// access checks that v may open message id and returns it. The index
// entry (which holds IDs only) decides the walls of a filed message
// before its manifest is decrypted; the manifest's custodians decide the
// rest.
// openMessage checks that the viewer may see message {id} of the request;
// ok false means the refusal was answered (and audited).
func (s *Server) openMessage(w http.ResponseWriter, r *http.Request) (v *viewer, id string, a *messageAccess, ok bool) {
	v, id = viewerFrom(r.Context()), r.PathValue("id")
	a, err := s.access(r.Context(), v, id)
	if err != nil {
		s.accessFailed(w, r, v, id, err)
		return v, id, nil, false
	}
	return v, id, a, true
}

func (s *Server) access(ctx context.Context, v *viewer, id string) (*messageAccess, error) {
	if ids.Validate("message", id) != nil {
		return nil, errNoMessage
	}
	t := v.Tenant
	e, err := t.Lookup(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errNoMessage
	} else if err != nil {
		return nil, err
	}
	reg, err := t.Matters(ctx)
	if err != nil {
		return nil, err
	}
	byID := targetIndex(reg)
	if e.Matter != "" {
		if tg, ok := byID[e.Matter]; ok && v.User.WalledFrom(tg) {
			return nil, refusal{"walled off from " + e.Matter}
		}
	}
	m, err := t.Manifest(ctx, e)
	if err != nil {
		return nil, err
	}
	cs, err := t.Custodians(ctx, e, m)
	if err != nil {
		return nil, err
	}
	own := slices.ContainsFunc(cs, func(c catalog.Custodian) bool { return v.User.SeesMailbox(c.Mailbox) })
	if e.State == catalog.StateReview {
		if !own {
			return nil, refusal{"message in review outside the viewer's mailboxes"}
		}
		if walledFromDecision(v.User, &m.Decision, byID) {
			return nil, refusal{"walled off from a candidate of the message"}
		}
	} else if !own && v.User.Role == catalog.RoleParalegal {
		return nil, refusal{"filed message outside the viewer's mailboxes"}
	}
	return &messageAccess{entry: e, manifest: m, custodians: cs, reg: reg}, nil
}

// accessFailed answers a refused or missing message with 404, auditing a
// refusal as access.denied, and any other error with 500.
func (s *Server) accessFailed(w http.ResponseWriter, r *http.Request, v *viewer, id string, err error) {
	var ref refusal
	switch {
	case errors.As(err, &ref):
		if aerr := v.Tenant.RecordFrom(r.Context(), v.Actor(), v.IP, audit.ActionAccessDenied,
			map[string]string{"user": v.User.ID, "message": id}, audit.Refused, ref.detail); aerr != nil {
			s.fail(w, r, aerr)
			return
		}
	case errors.Is(err, errNoMessage):
	default:
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusNotFound, "error", "", errorPage{
		Title: "No such message",
		Text:  "There is no message here that you may open. It may belong to a mailbox or a matter you do not work on.",
	})
}
