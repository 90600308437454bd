package gmailfake

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		badRequest(w, "Invalid JSON payload received. "+err.Error())
		return false
	}
	return true
}

// pageSize reads maxResults: absent or 0 means def, above limit is cut to
// limit as Gmail does silently.
func pageSize(w http.ResponseWriter, v string, def, limit int) (int, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		badRequest(w, fmt.Sprintf("Invalid value for maxResults: %q", v))
		return 0, false
	}
	if n == 0 {
		return def, true
	}
	return min(n, limit), true
}

func (s *Server) getProfile(w http.ResponseWriter, r *http.Request, c *call) {
	m := c.mb
	m.mu.Lock()
	msgs, threads := m.counts()
	p := wireProfile{EmailAddress: m.email, MessagesTotal: msgs, ThreadsTotal: threads, HistoryID: m.historyID}
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) watch(w http.ResponseWriter, r *http.Request, c *call) {
	var req struct {
		TopicName           string   `json:"topicName"`
		LabelIDs            []string `json:"labelIds"`
		LabelFilterAction   string   `json:"labelFilterAction"`
		LabelFilterBehavior string   `json:"labelFilterBehavior"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	parts := strings.Split(req.TopicName, "/")
	if len(parts) != 4 || parts[0] != "projects" || parts[1] == "" || parts[2] != "topics" || parts[3] == "" {
		badRequest(w, "Invalid topicName does not match projects/SOME-PROJECT/topics/SOME-TOPIC")
		return
	}
	behavior := cmp.Or(req.LabelFilterBehavior, req.LabelFilterAction)
	m := c.mb
	m.mu.Lock()
	exp := s.clock().Add(7 * 24 * time.Hour)
	m.watch = &Watch{TopicName: req.TopicName, LabelIDs: req.LabelIDs, LabelFilterBehavior: behavior, Expiration: exp}
	res := wireWatchResponse{HistoryID: m.historyID, Expiration: exp.UnixMilli()}
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) stop(w http.ResponseWriter, r *http.Request, c *call) {
	c.mb.mu.Lock()
	c.mb.watch = nil
	c.mb.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (l *label) wire() wireLabel {
	return wireLabel{
		ID: l.id, Name: l.name, Type: l.typ,
		MessageListVisibility: l.messageListVisibility, LabelListVisibility: l.labelListVisibility,
		Color: l.color,
	}
}

func (s *Server) listLabels(w http.ResponseWriter, r *http.Request, c *call) {
	m := c.mb
	m.mu.Lock()
	out := make([]wireLabel, 0, len(m.labels))
	for _, l := range m.labels {
		out = append(out, l.wire())
	}
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string][]wireLabel{"labels": out})
}

func (s *Server) getLabel(w http.ResponseWriter, r *http.Request, c *call) {
	m := c.mb
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.label(r.PathValue("id"))
	if l == nil {
		notFound(w)
		return
	}
	var total, unread, threads, unreadThreads int
	seen, seenUnread := map[string]bool{}, map[string]bool{}
	for _, msg := range m.msgs {
		if msg.deleted || !slices.Contains(msg.labels, l.id) {
			continue
		}
		isUnread := slices.Contains(msg.labels, "UNREAD")
		total++
		if !seen[msg.threadID] {
			seen[msg.threadID] = true
			threads++
		}
		if isUnread {
			unread++
			if !seenUnread[msg.threadID] {
				seenUnread[msg.threadID] = true
				unreadThreads++
			}
		}
	}
	out := l.wire()
	out.MessagesTotal, out.MessagesUnread, out.ThreadsTotal, out.ThreadsUnread = &total, &unread, &threads, &unreadThreads
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createLabel(w http.ResponseWriter, r *http.Request, c *call) {
	var req wireLabel
	if !decodeBody(w, r, &req) {
		return
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		badRequest(w, "Invalid label name")
		return
	}
	m := c.mb
	m.mu.Lock()
	l, ok := m.createLabel(name, req.MessageListVisibility, req.LabelListVisibility, req.Color)
	var out wireLabel
	if ok {
		out = l.wire()
	}
	m.mu.Unlock()
	if !ok {
		writeError(w, http.StatusConflict, "ALREADY_EXISTS", "alreadyExists", "Label name exists or conflicts")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// listKey orders messages.list newest first: by internalDate, then by
// arrival. A page token is the key of the last message returned, so pages
// stay consistent while messages arrive or are deleted.
type listKey struct {
	date int64
	seq  uint64
}

func (a listKey) before(b listKey) bool {
	return a.date < b.date || a.date == b.date && a.seq < b.seq
}

func encodeListToken(k listKey) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "m:%d:%d", k.date, k.seq))
}

func decodeListToken(tok string) (listKey, bool) {
	if tok == "" {
		return listKey{date: math.MaxInt64, seq: math.MaxUint64}, true
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return listKey{}, false
	}
	var k listKey
	if _, err := fmt.Sscanf(string(b), "m:%d:%d", &k.date, &k.seq); err != nil {
		return listKey{}, false
	}
	return k, true
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request, c *call) {
	q := r.URL.Query()
	if q.Get("q") != "" {
		// Silently ignoring q would let a test pass on a query that
		// selects nothing in production.
		badRequest(w, "gmailfake does not implement q; use labelIds")
		return
	}
	size, ok := pageSize(w, q.Get("maxResults"), 100, 500)
	if !ok {
		return
	}
	cursor, ok := decodeListToken(q.Get("pageToken"))
	if !ok {
		badRequest(w, "Invalid pageToken")
		return
	}
	labelIDs := q["labelIds"]
	includeSpamTrash, _ := strconv.ParseBool(q.Get("includeSpamTrash"))
	empty := s.roll(s.opt.EmptyPageRate)

	m := c.mb
	m.mu.Lock()
	var matches []*message
	for _, msg := range m.msgs {
		if msg.deleted {
			continue
		}
		hasAll := true
		for _, l := range labelIDs {
			if !slices.Contains(msg.labels, l) {
				hasAll = false
				break
			}
		}
		if !hasAll {
			continue
		}
		if !includeSpamTrash && (hidden(msg, labelIDs, "SPAM") || hidden(msg, labelIDs, "TRASH")) {
			continue
		}
		matches = append(matches, msg)
	}
	slices.SortFunc(matches, func(a, b *message) int {
		ka, kb := listKey{a.internalDate, a.seq}, listKey{b.internalDate, b.seq}
		switch {
		case kb.before(ka):
			return -1
		case ka.before(kb):
			return 1
		}
		return 0
	})
	rest := slices.DeleteFunc(slices.Clone(matches), func(msg *message) bool {
		return !listKey{msg.internalDate, msg.seq}.before(cursor)
	})
	res := wireListMessages{ResultSizeEstimate: len(matches)}
	switch {
	case len(rest) == 0:
	case empty:
		res.NextPageToken = encodeListToken(cursor)
	default:
		page := rest[:min(size, len(rest))]
		for _, msg := range page {
			res.Messages = append(res.Messages, wireMessage{ID: msg.id, ThreadID: msg.threadID})
		}
		if len(rest) > len(page) {
			last := page[len(page)-1]
			res.NextPageToken = encodeListToken(listKey{last.internalDate, last.seq})
		}
	}
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, res)
}

// hidden reports whether messages.list leaves msg out for carrying
// label: SPAM and TRASH are skipped unless asked for by labelIds.
func hidden(msg *message, asked []string, label string) bool {
	return slices.Contains(msg.labels, label) && !slices.Contains(asked, label)
}

func (s *Server) getMessage(w http.ResponseWriter, r *http.Request, c *call) {
	q := r.URL.Query()
	format := cmp.Or(q.Get("format"), "full")
	switch format {
	case "minimal", "metadata":
	case "raw", "full":
		if onlyMetadata(c.scopes) {
			writeGoogleError(w, googleError{
				Code: http.StatusForbidden, Status: "PERMISSION_DENIED",
				Message: "Metadata scope doesn't allow format " + strings.ToUpper(format),
				Errors:  []googleErrorItem{{Message: "Metadata scope doesn't allow format " + strings.ToUpper(format), Domain: "global", Reason: "forbidden"}},
			})
			return
		}
	default:
		badRequest(w, fmt.Sprintf("Invalid value at 'format' (type.googleapis.com/google.apps.gmail.v1.Format), %q", format))
		return
	}
	m := c.mb
	m.mu.Lock()
	msg := m.msgs[r.PathValue("id")]
	if msg == nil || msg.deleted {
		m.mu.Unlock()
		notFound(w)
		return
	}
	out := wireMessage{
		ID: msg.id, ThreadID: msg.threadID, LabelIDs: slices.Clone(msg.labels),
		Snippet: msg.snippet, SizeEstimate: len(msg.raw),
		HistoryID: msg.historyID, InternalDate: msg.internalDate,
	}
	raw, tree := msg.raw, msg.tree
	m.mu.Unlock()
	// raw and tree are never mutated after AddMessageAt, so they are
	// encoded outside the lock.
	switch format {
	case "raw":
		out.Raw = base64.URLEncoding.EncodeToString(raw)
	case "metadata":
		out.Payload = &wirePart{MimeType: tree.mimeType, Headers: wireHeaders(tree.headers, q["metadataHeaders"])}
	case "full":
		out.Payload = fullPart(out.ID, tree)
	}
	writeJSON(w, http.StatusOK, out)
}

func wireHeaders(fs []field, only []string) []wireHeader {
	out := make([]wireHeader, 0, len(fs))
	for _, f := range fs {
		if len(only) > 0 && !slices.ContainsFunc(only, func(n string) bool { return strings.EqualFold(n, f.name) }) {
			continue
		}
		out = append(out, wireHeader{Name: f.name, Value: f.value})
	}
	return out
}

// attachmentID names a part for attachments.get. Gmail's ids are opaque
// and change between calls; this one is stable, which no caller may rely
// on.
func attachmentID(msgID, partID string) string {
	return "ANGjd" + base64.RawURLEncoding.EncodeToString([]byte(msgID+"/"+partID))
}

func fullPart(msgID string, p *part) *wirePart {
	wp := &wirePart{PartID: p.id, MimeType: p.mimeType, Filename: p.filename, Headers: wireHeaders(p.headers, nil)}
	switch {
	case p.parts != nil:
		wp.Body = &wireBody{}
		for _, c := range p.parts {
			wp.Parts = append(wp.Parts, fullPart(msgID, c))
		}
	case p.filename != "":
		wp.Body = &wireBody{AttachmentID: attachmentID(msgID, p.id), Size: len(p.body)}
	default:
		wp.Body = &wireBody{Size: len(p.body), Data: base64.URLEncoding.EncodeToString(p.body)}
	}
	return wp
}

func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request, c *call) {
	msgID := r.PathValue("messageId")
	m := c.mb
	m.mu.Lock()
	msg := m.msgs[msgID]
	var tree *part
	if msg != nil && !msg.deleted {
		tree = msg.tree
	}
	m.mu.Unlock()
	if tree == nil {
		notFound(w)
		return
	}
	id := r.PathValue("id")
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(id, "ANGjd"))
	owner, partID, _ := strings.Cut(string(b), "/")
	p := tree.find(partID)
	if err != nil || !strings.HasPrefix(id, "ANGjd") || owner != msgID || p == nil || p.parts != nil {
		badRequest(w, "Invalid attachment token")
		return
	}
	writeJSON(w, http.StatusOK, wireBody{AttachmentID: id, Size: len(p.body), Data: base64.URLEncoding.EncodeToString(p.body)})
}

type modifyRequest struct {
	IDs            []string `json:"ids"`
	AddLabelIDs    []string `json:"addLabelIds"`
	RemoveLabelIDs []string `json:"removeLabelIds"`
}

// checkLabels answers 400 for the first label id the mailbox lacks.
// Callers hold m.mu.
func (m *Mailbox) checkLabels(w http.ResponseWriter, req modifyRequest) bool {
	for _, id := range slices.Concat(req.AddLabelIDs, req.RemoveLabelIDs) {
		if m.label(id) == nil {
			badRequest(w, "Invalid label: "+id)
			return false
		}
	}
	return true
}

func (s *Server) modifyMessage(w http.ResponseWriter, r *http.Request, c *call) {
	var req modifyRequest
	if !decodeBody(w, r, &req) {
		return
	}
	m := c.mb
	m.mu.Lock()
	defer m.mu.Unlock()
	m.modifications++
	if len(req.AddLabelIDs)+len(req.RemoveLabelIDs) == 0 {
		badRequest(w, "No label add or removes specified")
		return
	}
	msg := m.msgs[r.PathValue("id")]
	if msg == nil || msg.deleted {
		notFound(w)
		return
	}
	if !m.checkLabels(w, req) {
		return
	}
	m.applyLabels(msg, req.AddLabelIDs, req.RemoveLabelIDs)
	writeJSON(w, http.StatusOK, wireMessage{ID: msg.id, ThreadID: msg.threadID, LabelIDs: slices.Clone(msg.labels)})
}

// batchModify skips unknown and deleted ids silently: the call has no
// per-message result.
func (s *Server) batchModify(w http.ResponseWriter, r *http.Request, c *call) {
	var req modifyRequest
	if !decodeBody(w, r, &req) {
		return
	}
	m := c.mb
	m.mu.Lock()
	defer m.mu.Unlock()
	m.modifications++
	switch {
	case len(req.IDs) == 0:
		badRequest(w, "No message ids specified")
		return
	case len(req.IDs) > 1000:
		badRequest(w, "Too many ids specified; at most 1000 are allowed")
		return
	case len(req.AddLabelIDs)+len(req.RemoveLabelIDs) == 0:
		badRequest(w, "No label add or removes specified")
		return
	}
	if !m.checkLabels(w, req) {
		return
	}
	for _, id := range req.IDs {
		if msg := m.msgs[id]; msg != nil && !msg.deleted {
			m.applyLabels(msg, req.AddLabelIDs, req.RemoveLabelIDs)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (rec historyRecord) wire() wireHistory {
	full := wireMessage{ID: rec.msgID, ThreadID: rec.threadID, LabelIDs: slices.Clone(rec.labels)}
	h := wireHistory{ID: rec.id, Messages: []wireMessage{{ID: rec.msgID, ThreadID: rec.threadID}}}
	switch rec.kind {
	case kindMessageAdded:
		h.MessagesAdded = []wireMessageEvent{{Message: full}}
	case kindMessageDeleted:
		h.MessagesDeleted = []wireMessageEvent{{Message: full}}
	case kindLabelAdded:
		h.LabelsAdded = []wireLabelEvent{{Message: full, LabelIDs: slices.Clone(rec.changed)}}
	case kindLabelRemoved:
		h.LabelsRemoved = []wireLabelEvent{{Message: full, LabelIDs: slices.Clone(rec.changed)}}
	}
	return h
}

func encodeHistoryToken(id uint64) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "h:%d", id))
}

func decodeHistoryToken(tok string) (uint64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	var id uint64
	if _, err := fmt.Sscanf(string(b), "h:%d", &id); err != nil {
		return 0, false
	}
	return id, true
}

// listHistory returns records after startHistoryId, oldest first. The
// labelId filter keeps records whose message carried the label after the
// change or whose change involved it, so a labelsRemoved of that label
// still shows.
func (s *Server) listHistory(w http.ResponseWriter, r *http.Request, c *call) {
	q := r.URL.Query()
	startText := q.Get("startHistoryId")
	if startText == "" {
		badRequest(w, "Missing required field: startHistoryId")
		return
	}
	start, err := strconv.ParseUint(startText, 10, 64)
	if err != nil {
		badRequest(w, "Invalid startHistoryId: "+startText)
		return
	}
	types := q["historyTypes"]
	for _, t := range types {
		switch t {
		case kindMessageAdded, kindMessageDeleted, kindLabelAdded, kindLabelRemoved:
		default:
			badRequest(w, fmt.Sprintf("Invalid value at 'history_types' (type.googleapis.com/google.apps.gmail.v1.HistoryType), %q", t))
			return
		}
	}
	size, ok := pageSize(w, q.Get("maxResults"), 100, 500)
	if !ok {
		return
	}
	after := start
	if tok := q.Get("pageToken"); tok != "" {
		if after, ok = decodeHistoryToken(tok); !ok || after < start {
			badRequest(w, "Invalid pageToken")
			return
		}
	}
	labelID := q.Get("labelId")
	empty := s.roll(s.opt.EmptyPageRate)

	m := c.mb
	m.mu.Lock()
	if start < m.oldestHistory {
		m.mu.Unlock()
		notFound(w)
		return
	}
	var rest []historyRecord
	for _, rec := range m.history {
		if rec.id <= after {
			continue
		}
		if len(types) > 0 && !slices.Contains(types, rec.kind) {
			continue
		}
		if labelID != "" && !slices.Contains(rec.labels, labelID) && !slices.Contains(rec.changed, labelID) {
			continue
		}
		rest = append(rest, rec)
	}
	res := wireListHistory{HistoryID: m.historyID}
	switch {
	case len(rest) == 0:
	case empty:
		res.NextPageToken = encodeHistoryToken(after)
	default:
		page := rest[:min(size, len(rest))]
		for _, rec := range page {
			res.History = append(res.History, rec.wire())
		}
		if len(rest) > len(page) {
			res.NextPageToken = encodeHistoryToken(page[len(page)-1].id)
		}
	}
	m.mu.Unlock()
	writeJSON(w, http.StatusOK, res)
}
