package gmailfake

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
)

// Mailbox is one user's mail, labels and history. Its methods are the
// test's hand on the mailbox: they act as the lawyer or the outside world
// would, recording history as Gmail does, and panic on unknown message or
// label ids because that is a bug in the test. Safe for concurrent use.
type Mailbox struct {
	email string
	clock func() time.Time

	mu            sync.Mutex
	rng           *rand.Rand
	idSalt        uint64
	historyID     uint64
	oldestHistory uint64 // a startHistoryId below this is stale
	labels        []*label
	nextLabel     int
	msgs          map[string]*message
	seq           uint64
	threadOf      map[string]string // Message-ID header -> threadId
	history       []historyRecord
	modifications int
	watch         *Watch
}

// Watch is a mailbox's active users.watch registration.
type Watch struct {
	TopicName           string
	LabelIDs            []string
	LabelFilterBehavior string
	Expiration          time.Time
}

type label struct {
	id, name, typ         string
	messageListVisibility string
	labelListVisibility   string
	color                 *wireColor
}

type message struct {
	id, threadID string
	raw          []byte
	tree         *part
	snippet      string
	labels       []string
	internalDate int64 // ms since the epoch
	historyID    uint64
	seq          uint64
	deleted      bool
}

// History record kinds, named as history.list's historyTypes values.
const (
	kindMessageAdded   = "messageAdded"
	kindMessageDeleted = "messageDeleted"
	kindLabelAdded     = "labelAdded"
	kindLabelRemoved   = "labelRemoved"
)

type historyRecord struct {
	id       uint64
	kind     string
	msgID    string
	threadID string
	labels   []string // the message's labels after the change
	changed  []string // labels added or removed
}

// SystemLabels returns the labels every mailbox has, with their names as
// ids.
func SystemLabels() []string {
	return []string{
		"INBOX", "SENT", "SPAM", "TRASH", "DRAFT", "UNREAD", "IMPORTANT", "STARRED", "CHAT",
		"CATEGORY_PERSONAL", "CATEGORY_SOCIAL", "CATEGORY_PROMOTIONS", "CATEGORY_UPDATES", "CATEGORY_FORUMS",
	}
}

func newMailbox(email string, clock func() time.Time, seed int64) *Mailbox {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(email)))
	rng := rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
	m := &Mailbox{
		email:    email,
		clock:    clock,
		rng:      rng,
		idSalt:   rng.Uint64N(1 << 16),
		msgs:     map[string]*message{},
		threadOf: map[string]string{},
		// Just below 1000, so that ids soon gain a digit and code
		// comparing them as strings ("999" > "1000") fails early.
		historyID: 960 + rng.Uint64N(30),
		nextLabel: 1,
	}
	for _, id := range SystemLabels() {
		m.labels = append(m.labels, &label{id: id, name: id, typ: "system"})
	}
	return m
}

// Email is the mailbox's address.
func (m *Mailbox) Email() string { return m.email }

// bump advances the history id by an uneven step, as Gmail's ids grow
// but are not contiguous. Callers hold m.mu.
func (m *Mailbox) bump() uint64 {
	m.historyID += 2 + m.rng.Uint64N(40)
	return m.historyID
}

func (m *Mailbox) label(id string) *label {
	for _, l := range m.labels {
		if l.id == id {
			return l
		}
	}
	return nil
}

func (m *Mailbox) labelByName(name string) *label {
	for _, l := range m.labels {
		if strings.EqualFold(l.name, name) {
			return l
		}
	}
	return nil
}

func (m *Mailbox) mustLabels(ids []string) {
	for _, id := range ids {
		if m.label(id) == nil {
			panic(fmt.Sprintf("gmailfake: mailbox %s has no label %q", m.email, id))
		}
	}
}

func (m *Mailbox) mustMessage(id string) *message {
	msg := m.msgs[id]
	if msg == nil {
		panic(fmt.Sprintf("gmailfake: mailbox %s has no message %q", m.email, id))
	}
	return msg
}

// createLabel adds a user label unless its name clashes, ignoring case,
// with an existing one. Callers hold m.mu.
func (m *Mailbox) createLabel(name, messageVis, labelVis string, color *wireColor) (*label, bool) {
	if m.labelByName(name) != nil {
		return nil, false
	}
	if messageVis == "" {
		messageVis = "show"
	}
	if labelVis == "" {
		labelVis = "labelShow"
	}
	l := &label{
		id: fmt.Sprintf("Label_%d", m.nextLabel), name: name, typ: "user",
		messageListVisibility: messageVis, labelListVisibility: labelVis, color: color,
	}
	m.nextLabel++
	m.labels = append(m.labels, l)
	return l, true
}

// CreateLabel creates a user label and returns its id ("Label_12"). It
// panics if the name clashes with an existing label, ignoring case.
func (m *Mailbox) CreateLabel(name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.createLabel(name, "", "", nil)
	if !ok {
		panic(fmt.Sprintf("gmailfake: mailbox %s already has a label named %q", m.email, name))
	}
	return l.id
}

// RenameLabel renames a label, keeping its id, as a user would in the
// Gmail UI.
func (m *Mailbox) RenameLabel(id, name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mustLabels([]string{id})
	m.label(id).name = name
}

// LabelID returns the id of the label named name, ignoring case, or "".
func (m *Mailbox) LabelID(name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l := m.labelByName(name); l != nil {
		return l.id
	}
	return ""
}

// AddMessage delivers raw now (by the server's clock) with the given
// labels and returns its id. See AddMessageAt.
func (m *Mailbox) AddMessage(raw []byte, labelIDs ...string) string {
	return m.AddMessageAt(m.clock(), raw, labelIDs...)
}

// AddMessageAt delivers raw as received at t (its internalDate) and
// returns its 16-hex-digit id. The message joins the thread of an earlier
// message whose Message-ID its In-Reply-To or References name; otherwise
// it starts a thread whose id is its own. Like a real reply, it gets only
// the labels passed here, not its thread's. History records messageAdded.
func (m *Mailbox) AddMessageAt(t time.Time, raw []byte, labelIDs ...string) string {
	raw = slices.Clone(raw)
	tree := parseMessage(raw)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mustLabels(labelIDs)
	m.seq++
	ms := t.UnixMilli()
	base := uint64(max(ms, 0)) << 20
	var id string
	for n := m.seq; ; n++ {
		id = fmt.Sprintf("%016x", base+m.idSalt+n)
		if _, taken := m.msgs[id]; !taken {
			break
		}
	}
	msg := &message{
		id: id, threadID: id, raw: raw, tree: tree, snippet: snippet(tree),
		internalDate: ms, seq: m.seq,
	}
	refs := messageIDs(headerValue(tree.headers, "In-Reply-To"))
	byRecency := messageIDs(headerValue(tree.headers, "References"))
	slices.Reverse(byRecency)
	for _, ref := range append(refs, byRecency...) {
		if th, ok := m.threadOf[ref]; ok {
			msg.threadID = th
			break
		}
	}
	for _, mid := range messageIDs(headerValue(tree.headers, "Message-ID")) {
		if _, ok := m.threadOf[mid]; !ok {
			m.threadOf[mid] = msg.threadID
		}
	}
	for _, l := range labelIDs {
		if !slices.Contains(msg.labels, l) {
			msg.labels = append(msg.labels, l)
		}
	}
	m.msgs[id] = msg
	m.record(msg, kindMessageAdded, nil)
	return id
}

// record appends a history record for msg under a fresh history id.
// Callers hold m.mu.
func (m *Mailbox) record(msg *message, kind string, changed []string) {
	h := m.bump()
	msg.historyID = h
	m.history = append(m.history, historyRecord{
		id: h, kind: kind, msgID: msg.id, threadID: msg.threadID,
		labels: slices.Clone(msg.labels), changed: slices.Clone(changed),
	})
}

// applyLabels adds then removes labels, recording one history record for
// each kind of change that actually happened, as Gmail records nothing for
// a label a message already had. Callers hold m.mu.
func (m *Mailbox) applyLabels(msg *message, add, remove []string) {
	var added, removed []string
	for _, l := range add {
		if !slices.Contains(msg.labels, l) && !slices.Contains(added, l) {
			added = append(added, l)
		}
	}
	if len(added) > 0 {
		msg.labels = append(msg.labels, added...)
		m.record(msg, kindLabelAdded, added)
	}
	for _, l := range remove {
		if slices.Contains(msg.labels, l) {
			removed = append(removed, l)
		}
	}
	if len(removed) > 0 {
		msg.labels = slices.DeleteFunc(msg.labels, func(l string) bool { return slices.Contains(removed, l) })
		m.record(msg, kindLabelRemoved, removed)
	}
}

// AddLabels labels a message as a user would (history labelsAdded).
func (m *Mailbox) AddLabels(id string, labelIDs ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mustLabels(labelIDs)
	m.applyLabels(m.mustMessage(id), labelIDs, nil)
}

// LabelThread labels every message currently in a thread, as labelling a
// conversation in Gmail's conversation view does: one labelsAdded record
// per message that lacked a label, none for messages that arrive later.
func (m *Mailbox) LabelThread(threadID string, labelIDs ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mustLabels(labelIDs)
	var thread []*message
	for _, msg := range m.msgs {
		if msg.threadID == threadID && !msg.deleted {
			thread = append(thread, msg)
		}
	}
	if len(thread) == 0 {
		panic(fmt.Sprintf("gmailfake: mailbox %s has no thread %q", m.email, threadID))
	}
	slices.SortFunc(thread, func(a, b *message) int { return cmp.Compare(a.seq, b.seq) })
	for _, msg := range thread {
		m.applyLabels(msg, labelIDs, nil)
	}
}

// RemoveLabels unlabels a message as a user would (history labelsRemoved).
func (m *Mailbox) RemoveLabels(id string, labelIDs ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mustLabels(labelIDs)
	m.applyLabels(m.mustMessage(id), nil, labelIDs)
}

// Delete deletes a message for good: messages.get answers 404 and lists
// skip it, while earlier history records still name it and a
// messageDeleted record is added.
func (m *Mailbox) Delete(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	msg := m.mustMessage(id)
	if msg.deleted {
		return
	}
	msg.deleted = true
	m.record(msg, kindMessageDeleted, nil)
}

// ExpireHistory drops the retained history, as Gmail does after about a
// week: history.list with a startHistoryId below the current id answers
// 404 from now on.
func (m *Mailbox) ExpireHistory() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.oldestHistory = m.historyID
}

// Labels returns a message's current label ids (also of a deleted
// message), or nil for an unknown id.
func (m *Mailbox) Labels(id string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if msg := m.msgs[id]; msg != nil {
		return slices.Clone(msg.labels)
	}
	return nil
}

// ThreadID returns a message's thread id, or "" for an unknown id.
func (m *Mailbox) ThreadID(id string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if msg := m.msgs[id]; msg != nil {
		return msg.threadID
	}
	return ""
}

// HistoryID is the mailbox's current history id.
func (m *Mailbox) HistoryID() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.historyID
}

// Modifications counts the messages.modify and messages.batchModify calls
// that got past authentication and quota, whether or not they changed
// anything.
func (m *Mailbox) Modifications() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.modifications
}

// Watch returns the active users.watch registration, if any.
func (m *Mailbox) Watch() (Watch, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.watch == nil {
		return Watch{}, false
	}
	w := *m.watch
	w.LabelIDs = slices.Clone(w.LabelIDs)
	return w, true
}

// counts returns the messages and distinct threads not deleted. Callers
// hold m.mu.
func (m *Mailbox) counts() (messages, threads int) {
	seen := map[string]bool{}
	for _, msg := range m.msgs {
		if msg.deleted {
			continue
		}
		messages++
		if !seen[msg.threadID] {
			seen[msg.threadID] = true
			threads++
		}
	}
	return messages, threads
}
