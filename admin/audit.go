package admin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
)

// The audit page: admins and partners read the firm's audit trail,
// filtered by actor, action and date, newest first, and verify the chain;
// each verification is itself audited.

func (s *Server) auditRoutes() {
	who := s.requireRole(catalog.RoleAdmin, catalog.RolePartner)
	s.mux.Handle("GET /audit", who(s.auditList))
	s.mux.Handle("POST /audit/verify", who(s.auditVerify))
	s.addNav("Audit", "/audit", catalog.RoleAdmin, catalog.RolePartner)
}

// auditPerPage is the length of a page of the trail.
const auditPerPage = 100

// auditPage is the data of templates/audit.html.
type auditPage struct {
	Filter  auditFilter
	Actions []audit.Action
	Actors  []auditActor
	Records []auditRow
	// Page counts from 1; First and Last number the records shown,
	// newest first.
	Page, First, Last int
	Prev, Next        string
	Error             string
	Verify            *verifyResult
}

type auditFilter struct {
	Actor, Action, From, To string
}

// auditActor is an actor the filter offers: the firm's accounts.
type auditActor struct{ Actor, Label string }

type auditRow struct {
	audit.Record
	// Who is the actor as a person reads it: an account's address when
	// the actor is one of the firm's users.
	Who     string
	Objects string
}

// verifyResult is what a verification found.
type verifyResult struct {
	Intact      bool
	Records     uint64
	Head        uint64
	Checkpoints int
	Latest      uint64
	// Problem and Seq say what is wrong and where, when not intact.
	Problem string
	Seq     uint64
}

func (s *Server) auditList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	f := auditFilter{Actor: strings.TrimSpace(q.Get("actor")), Action: q.Get("action"), From: q.Get("from"), To: q.Get("to")}
	s.renderAudit(w, r, http.StatusOK, auditPage{Filter: f, Page: page}, notice(r))
}

// auditDateLayout is how the filter's dates are written (input type=date).
const auditDateLayout = "2006-01-02"

func (s *Server) renderAudit(w http.ResponseWriter, r *http.Request, status int, p auditPage, note string) {
	v := viewerFrom(r.Context())
	ctx := r.Context()
	p.Actions = audit.Actions()
	slices.Sort(p.Actions)
	users, err := v.Tenant.Users(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := map[string]string{}
	for _, u := range users {
		actor := "user:" + u.ID
		names[actor] = u.Email
		p.Actors = append(p.Actors, auditActor{Actor: actor, Label: u.Email})
	}
	lf := audit.Filter{Actor: p.Filter.Actor}
	var to time.Time
	if p.Filter.From != "" {
		t, err := time.Parse(auditDateLayout, p.Filter.From)
		if err != nil {
			p.Error, p.Filter.From = "The start date is not a date.", ""
		}
		lf.Since = t
	}
	if p.Filter.To != "" {
		t, err := time.Parse(auditDateLayout, p.Filter.To)
		if err != nil {
			p.Error, p.Filter.To = "The end date is not a date.", ""
		}
		to = t.AddDate(0, 0, 1) // through the end of that day (UTC)
	}
	action := audit.Action(p.Filter.Action)
	if action != "" && !action.Valid() {
		p.Error, p.Filter.Action, action = "Choose an action from the list.", "", ""
	}
	// Newest first, reading only as far back as this page needs: a
	// page of an unfiltered trail costs its hundred records, whatever
	// the length of the log.
	p.Page = max(p.Page, 1)
	skip := (p.Page - 1) * auditPerPage
	more := false
	err = v.Tenant.Audit().Newest(ctx, lf, func(rec audit.Record) bool {
		if action != "" && rec.Action != action || !to.IsZero() && !rec.Time.Before(to) {
			return true
		}
		if skip > 0 {
			skip--
			return true
		}
		if len(p.Records) == auditPerPage {
			more = true
			return false
		}
		p.Records = append(p.Records, s.auditRow(rec, names))
		return true
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.First = (p.Page-1)*auditPerPage + 1
	p.Last = p.First + len(p.Records) - 1
	link := func(n int) string {
		u := url.Values{"page": {strconv.Itoa(n)}}
		for k, v := range map[string]string{"actor": p.Filter.Actor, "action": p.Filter.Action, "from": p.Filter.From, "to": p.Filter.To} {
			if v != "" {
				u.Set(k, v)
			}
		}
		return "/audit?" + u.Encode()
	}
	if p.Page > 1 {
		p.Prev = link(p.Page - 1)
	}
	if more {
		p.Next = link(p.Page + 1)
	}
	s.render(w, r, status, "audit", note, p)
}

// auditRow is rec as the page shows it.
func (s *Server) auditRow(rec audit.Record, names map[string]string) auditRow {
	row := auditRow{Record: rec, Who: rec.Actor}
	if n, ok := names[rec.Actor]; ok {
		row.Who = n
	}
	keys := make([]string, 0, len(rec.Objects))
	for k := range rec.Objects {
		if k != "tenant" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for i, k := range keys {
		keys[i] = k + " " + rec.Objects[k]
	}
	row.Objects = strings.Join(keys, ", ")
	return row
}

// auditVerify walks the whole chain and shows what it found.
func (s *Server) auditVerify(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	ctx := r.Context()
	rep, err := v.Tenant.Audit().Verify(ctx)
	res := &verifyResult{Records: rep.Verified, Head: rep.Head, Checkpoints: rep.Checkpoints, Latest: rep.LatestCheckpoint}
	var bad *audit.Error
	switch {
	case err == nil:
		res.Intact = true
	case errors.As(err, &bad):
		res.Seq = bad.Seq
		res.Problem = bad.Kind.Error()
		if bad.Reason != "" {
			res.Problem += ": " + bad.Reason
		}
	default:
		s.fail(w, r, err)
		return
	}
	outcome, detail := audit.OK, fmt.Sprintf("intact: %d records, %d checkpoints", res.Records, res.Checkpoints)
	if !res.Intact {
		outcome, detail = audit.Failed, fmt.Sprintf("broken at seq %d", res.Seq)
	}
	if err := v.Tenant.Record(ctx, v.Actor(), audit.ActionAuditVerify, nil, outcome, detail); err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderAudit(w, r, http.StatusOK, auditPage{Verify: res}, "")
}
