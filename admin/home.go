package admin

import (
	"errors"
	"net/http"
	"slices"

	"github.com/matterfile/matterfile/catalog"
)

func (s *Server) homeRoutes() {
	s.mux.Handle("GET /{$}", s.requireRole()(s.home))
	s.addNav("Home", "/")
}

// dashboard is the data of templates/home.html.
type dashboard struct {
	// Admin: the firm-wide figures below are shown.
	Admin bool
	// Review is the number of messages awaiting a reviewer: all of them
	// for an admin, those of the viewer's mailboxes for anyone else.
	Review int
	Filed  int
	// Failed and Reconnect are operations figures, for admins.
	Failed    int
	Reconnect int
	Mailboxes int
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	ctx := r.Context()
	t := v.Tenant
	d := dashboard{Admin: v.User.Role == catalog.RoleAdmin}
	entries, err := t.Messages(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, e := range entries {
		if e.State == catalog.StateFiled {
			d.Filed++
		}
	}
	// The summaries hold IDs only: no manifest is decrypted to count.
	queue, err := t.ReviewSummariesOf(ctx, entries, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, it := range queue {
		if slices.ContainsFunc(it.Mailboxes, v.User.SeesMailbox) {
			d.Review++
		}
	}
	if d.Admin {
		fails, err := t.Failures(ctx)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Failed = len(fails)
		mbs, err := t.Mailboxes(ctx)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Mailboxes = len(mbs)
		for _, mb := range mbs {
			st, err := t.GmailState(ctx, mb.ID)
			if errors.Is(err, catalog.ErrNoGmail) {
				continue
			}
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if st.Status == catalog.StatusReconnect {
				d.Reconnect++
			}
		}
	} else {
		d.Mailboxes = len(v.User.Mailboxes)
	}
	s.render(w, r, http.StatusOK, "home", notice(r), d)
}
