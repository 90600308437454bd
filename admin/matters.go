package admin

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ids"
)

// The matters pages: everyone signed in lists and searches the matters
// and contracts they are not walled off from, and reads one; admins import
// a CSV or JSON file into the registry, edit a target and close or reopen
// it. Every change is audited by catalog with the admin as actor.

func (s *Server) mattersRoutes() {
	anyone := s.requireRole()
	admin := s.requireRole(catalog.RoleAdmin)
	s.mux.Handle("GET /matters", anyone(s.mattersList))
	s.mux.Handle("POST /matters/import", admin(s.mattersImport))
	s.mux.Handle("GET /matters/{id}", anyone(s.matterShow))
	s.mux.Handle("POST /matters/{id}", admin(s.matterSave))
	s.mux.Handle("POST /matters/{id}/status", admin(s.matterStatus))
	s.addNav("Matters", "/matters")
}

// mattersPerPage is the length of a page of the list.
const mattersPerPage = 100

// maxImportBytes bounds an uploaded registry file.
const maxImportBytes = 32 << 20

// mattersPage is the data of templates/matters.html.
type mattersPage struct {
	Admin   bool
	Query   string
	Targets []classify.Target
	// Total is the number of targets the search found; Page counts from 1.
	Total, Page, Pages int
	Prev, Next         string
	Error              string
	Imported           *catalog.RegistryChange
}

func (s *Server) mattersList(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	s.renderMatters(w, r, http.StatusOK, mattersPage{Query: strings.TrimSpace(r.URL.Query().Get("q")), Page: page}, notice(r))
}

func (s *Server) renderMatters(w http.ResponseWriter, r *http.Request, status int, p mattersPage, note string) {
	v := viewerFrom(r.Context())
	p.Admin = v.User.Role == catalog.RoleAdmin
	reg, err := v.Tenant.Matters(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := strings.ToLower(p.Query)
	var found []classify.Target
	for i := range reg.Targets {
		tg := &reg.Targets[i]
		if !p.Admin && v.User.WalledFrom(tg) {
			continue
		}
		if q != "" && !matchesQuery(tg, q) {
			continue
		}
		found = append(found, *tg)
	}
	p.Total = len(found)
	p.Pages = max(1, (p.Total+mattersPerPage-1)/mattersPerPage)
	p.Page = min(max(p.Page, 1), p.Pages)
	from := (p.Page - 1) * mattersPerPage
	p.Targets = found[from:min(from+mattersPerPage, p.Total)]
	link := func(n int) string {
		u := url.Values{"page": {strconv.Itoa(n)}}
		if p.Query != "" {
			u.Set("q", p.Query)
		}
		return "/matters?" + u.Encode()
	}
	if p.Page > 1 {
		p.Prev = link(p.Page - 1)
	}
	if p.Page < p.Pages {
		p.Next = link(p.Page + 1)
	}
	s.render(w, r, status, "matters", note, p)
}

// matchesQuery reports whether the number, title or client of tg holds q
// (lower case).
func matchesQuery(tg *classify.Target, q string) bool {
	for _, f := range []string{tg.Number, tg.Title, tg.Client, tg.ClientName} {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	return false
}

// mattersImport merges an uploaded CSV or JSON file into the registry.
func (s *Server) mattersImport(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	again := func(status int, msg string) {
		s.renderMatters(w, r, status, mattersPage{Error: msg}, "")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBytes)
	f, _, err := r.FormFile("file")
	if err != nil {
		again(http.StatusBadRequest, "Choose a CSV or JSON file of at most 32 MB.")
		return
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var targets []classify.Target
	if importIsJSON(br) {
		targets, err = classify.ParseJSON(br)
	} else {
		targets, err = classify.ParseCSV(br)
	}
	if err == nil && len(targets) == 0 {
		err = errors.New("the file holds no matters or contracts")
	}
	if err != nil {
		again(http.StatusUnprocessableEntity, "Nothing was imported: "+err.Error())
		return
	}
	rc, err := v.Tenant.ImportTargets(r.Context(), targets, v.Actor())
	if err != nil {
		again(http.StatusUnprocessableEntity, "Nothing was imported: "+err.Error())
		return
	}
	s.renderMatters(w, r, http.StatusOK, mattersPage{Imported: &rc}, "Import finished.")
}

// isJSON reports whether the upload starts like JSON rather than CSV.
func importIsJSON(br *bufio.Reader) bool {
	head, _ := br.Peek(512)
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	return len(head) > 0 && (head[0] == '{' || head[0] == '[')
}

// matterPage is the data of templates/matter.html.
type matterPage struct {
	Admin  bool
	Target classify.Target
	Error  string
}

// matterTarget reads the target named in the path for the viewer,
// answering itself when there is none (404) or the viewer is walled off
// from it (403, audited).
func (s *Server) matterTarget(w http.ResponseWriter, r *http.Request) (classify.Target, bool) {
	v := viewerFrom(r.Context())
	id := r.PathValue("id")
	if ids.Validate("target", id) != nil {
		http.NotFound(w, r)
		return classify.Target{}, false
	}
	reg, err := v.Tenant.Matters(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return classify.Target{}, false
	}
	tg, ok := reg.Get(id)
	if !ok {
		http.NotFound(w, r)
		return classify.Target{}, false
	}
	// Admins keep the registry, walls included: they see every target.
	if v.User.Role != catalog.RoleAdmin && v.User.WalledFrom(&tg) {
		if err := v.Tenant.Record(r.Context(), v.Actor(), audit.ActionAccessDenied, map[string]string{tg.Kind: tg.ID}, audit.Refused, "walled off from "+tg.Kind); err != nil {
			s.fail(w, r, err)
			return classify.Target{}, false
		}
		s.render(w, r, http.StatusForbidden, "error", "", errorPage{Title: "Not available", Text: "An ethical wall keeps you from this " + tg.Kind + "."})
		return classify.Target{}, false
	}
	return tg, true
}

func (s *Server) matterShow(w http.ResponseWriter, r *http.Request) {
	tg, ok := s.matterTarget(w, r)
	if !ok {
		return
	}
	s.renderMatter(w, r, http.StatusOK, matterPage{Target: tg}, notice(r))
}

func (s *Server) renderMatter(w http.ResponseWriter, r *http.Request, status int, p matterPage, note string) {
	p.Admin = viewerFrom(r.Context()).User.Role == catalog.RoleAdmin
	s.render(w, r, status, "matter", note, p)
}

// lines splits a textarea into its non-empty lines (commas separate too,
// except in names, where a comma is part of "Acme, Inc.").
func formList(v string, commas bool) []string {
	var out []string
	for _, l := range strings.Split(v, "\n") {
		parts := []string{l}
		if commas {
			parts = strings.Split(l, ",")
		}
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// matterSave replaces the editable fields of a target; its kind, client
// and status stay (status changes through matterStatus).
func (s *Server) matterSave(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	tg, ok := s.matterTarget(w, r)
	if !ok || !parseForm(w, r) {
		return
	}
	f := r.PostFormValue
	tg.Number = strings.TrimSpace(f("number"))
	tg.Title = strings.TrimSpace(f("title"))
	tg.ClientName = strings.TrimSpace(f("client_name"))
	tg.OpposingParties = formList(f("opposing_parties"), false)
	tg.Participants = formList(f("participants"), true)
	tg.Domains = formList(f("domains"), true)
	tg.Aliases = formList(f("aliases"), false)
	tg.Keywords = formList(f("keywords"), false)
	tg.Labels = formList(f("labels"), false)
	tg.Walled = formList(f("walled"), true)
	if err := v.Tenant.UpdateTarget(r.Context(), tg, v.Actor()); err != nil {
		if errors.Is(err, catalog.ErrNoTarget) {
			http.NotFound(w, r)
			return
		}
		s.renderMatter(w, r, http.StatusUnprocessableEntity, matterPage{Target: tg, Error: "Not saved: " + err.Error()}, "")
		return
	}
	http.Redirect(w, r, "/matters/"+tg.ID+"?done=saved", http.StatusSeeOther)
}

// matterStatus closes or reopens a target.
func (s *Server) matterStatus(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	tg, ok := s.matterTarget(w, r)
	if !ok || !parseForm(w, r) {
		return
	}
	status := r.PostFormValue("status")
	if status != classify.StatusOpen && status != classify.StatusClosed {
		s.renderMatter(w, r, http.StatusUnprocessableEntity, matterPage{Target: tg, Error: fmt.Sprintf("Status must be %s or %s.", classify.StatusOpen, classify.StatusClosed)}, "")
		return
	}
	if err := v.Tenant.SetTargetStatus(r.Context(), tg.ID, status, v.Actor()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/matters/"+tg.ID+"?done=saved", http.StatusSeeOther)
}
