package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"golang.org/x/oauth2"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/ids"
	"github.com/matterfile/matterfile/ingest/gmail"
	"github.com/matterfile/matterfile/metrics"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// Gmail task types.
const (
	TypeSyncMailbox  = "mailbox:sync"
	TypeFetchGmail   = "gmail:fetch"
	TypeLabelGmail   = "gmail:label"
	TypeWatchMailbox = "mailbox:watch"
)

// SourceGmail marks messages fetched from the Gmail API.
const SourceGmail = "gmail"

// GmailSettings configure the Gmail source.
type GmailSettings struct {
	// OAuth is the per-user consent client (client ID and secret,
	// endpoints); nil if only delegation is used.
	OAuth *oauth2.Config
	// TokenURL overrides a service-account key's token_uri (tests).
	TokenURL string
	Endpoint string
	Pacer    gmail.Pacer
	Costs    gmail.Costs
	Retry    gmail.Retry
	// FiledLabelPrefix and ReviewLabel are written back into Gmail; they
	// must not look like filing labels, or filing would feed itself.
	FiledLabelPrefix string
	ReviewLabel      string
	// PubSubTopic receives Gmail push notifications
	// (projects/<p>/topics/<t>); empty: no watches, polling only.
	PubSubTopic string
}

// DefaultFiledLabelPrefix and DefaultReviewLabel are the write-back labels.
const (
	DefaultFiledLabelPrefix = "Filed/"
	DefaultReviewLabel      = "matterfile/Needs review"
)

// MailboxPayload names one mailbox: mailbox:sync.
type MailboxPayload struct {
	Tenant  string `json:"tenant"`
	Mailbox string `json:"mailbox"`
}

func (p MailboxPayload) validate() error {
	if err := ids.Validate("tenant", p.Tenant); err != nil {
		return err
	}
	return ids.Validate("mailbox", p.Mailbox)
}

// GmailMessagePayload names one Gmail message of a mailbox: gmail:fetch,
// and gmail:label (with the filed message's ID).
type GmailMessagePayload struct {
	Tenant  string `json:"tenant"`
	Mailbox string `json:"mailbox"`
	GmailID string `json:"gmail_id"`
	Message string `json:"message,omitempty"`
}

func (p GmailMessagePayload) validate() error {
	if err := (MailboxPayload{p.Tenant, p.Mailbox}).validate(); err != nil {
		return err
	}
	if p.Message != "" {
		if err := ids.Validate("message", p.Message); err != nil {
			return err
		}
	}
	return ids.Validate("gmail message", p.GmailID)
}

// NewSyncMailboxTask builds a mailbox:sync task. Its ID is the mailbox's
// and it is not retained: at most one sync of a mailbox is queued or
// running, and a finished one frees the ID for the next trigger.
func NewSyncMailboxTask(p MailboxPayload) (*asynq.Task, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("new %s task: %w", TypeSyncMailbox, err)
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeSyncMailbox, data, asynq.TaskID(SyncTaskID(p)), asynq.Queue(QueueLive),
		asynq.MaxRetry(10), asynq.Timeout(2*time.Hour)), nil
}

// SyncTaskID is the task ID of mailbox p's sync.
func SyncTaskID(p MailboxPayload) string { return TypeSyncMailbox + ":" + p.Tenant + ":" + p.Mailbox }

// FetchTaskID is the task ID of fetching a Gmail message found by the sync
// that started at cursor: overlapping syncs from one cursor queue it once,
// a later sync (a relabel) queues it again.
func FetchTaskID(p GmailMessagePayload, cursor uint64) string {
	return fmt.Sprintf("%s:%s:%s:%s:%d", TypeFetchGmail, p.Tenant, p.Mailbox, p.GmailID, cursor)
}

func newGmailTask(typ, id, queue string, p GmailMessagePayload) (*asynq.Task, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("new %s task: %w", typ, err)
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(typ, data, asynq.TaskID(id), asynq.Queue(queue), asynq.MaxRetry(12),
		asynq.Timeout(30*time.Minute), asynq.Retention(retention)), nil
}

// gmailRef is what a filing needs to write labels back.
type gmailRef struct {
	mailbox   string
	gmailID   string
	writeBack bool
}

// gmailClient builds the API client of mailbox mb from its sealed
// credentials. Refreshed tokens are sealed back at once.
func (h *Handlers) gmailClient(ctx context.Context, t *catalog.Tenant, mb catalog.Mailbox) (*gmail.Client, error) {
	g := h.gmail
	if g.Pacer == nil {
		return nil, permanent(errors.New("gmail is not configured in this worker"))
	}
	sec, err := t.Secret(ctx, mb.ID)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, permanent(fmt.Errorf("mailbox %s has no credentials: %w", mb.ID, gmail.ErrReconnect))
		}
		return nil, err
	}
	var creds gmail.Credentials
	user := mb.Address
	switch sec.Kind {
	case catalog.AuthUserToken:
		if g.OAuth == nil {
			return nil, permanent(errors.New("mailbox uses an OAuth token but no Google client ID is configured (MATTERFILE_GOOGLE_CLIENT_ID)"))
		}
		var tok oauth2.Token
		if err := json.Unmarshal(sec.Data, &tok); err != nil {
			return nil, permanent(fmt.Errorf("mailbox %s token: %w", mb.ID, err))
		}
		save := func(fresh *oauth2.Token) error {
			data, err := json.Marshal(fresh)
			if err != nil {
				return err
			}
			return t.SaveSecret(ctx, mb.ID, catalog.Secret{Kind: catalog.AuthUserToken, Data: data})
		}
		ut, err := gmail.NewUserToken(g.OAuth, &tok, save)
		if err != nil {
			return nil, permanent(fmt.Errorf("mailbox %s: %w: %w", mb.ID, err, gmail.ErrReconnect))
		}
		creds, user = ut, "me"
	case catalog.AuthDelegation:
		st, err := t.GmailState(ctx, mb.ID)
		if err != nil {
			return nil, err
		}
		d, err := gmail.NewDelegation(ctx, sec.Data, mb.Address, g.TokenURL, gmail.Scopes(st.WriteBack))
		if err != nil {
			return nil, permanent(fmt.Errorf("mailbox %s: %w", mb.ID, err))
		}
		creds = d
	default:
		return nil, permanent(fmt.Errorf("mailbox %s: unknown credential kind", mb.ID))
	}
	// Every Gmail request is counted by status code; the client's
	// verdict counts the ones that said the quota is exceeded (a 429 or
	// a rate-limit 403).
	hc := *creds.Client(ctx)
	hc.Transport = h.m.GmailTransport(hc.Transport)
	return gmail.NewClient(ctx, gmail.Config{
		HTTPClient: &hc, Endpoint: g.Endpoint, User: user, PaceKey: t.ID + ":" + mb.ID,
		Pacer: g.Pacer, Costs: g.Costs, Retry: g.Retry, Refresh: creds.Refresh,
		Throttled: h.m.GmailThrottled,
	})
}

// gmailMailbox opens the tenant, mailbox and Gmail state of a payload.
func (h *Handlers) gmailMailbox(ctx context.Context, tenant, mailbox string) (*catalog.Tenant, catalog.Mailbox, catalog.GmailState, error) {
	t, err := h.cat.Open(ctx, tenant)
	if err != nil {
		if errors.Is(err, catalog.ErrNoTenant) || errors.Is(err, sealed.ErrKeyset) {
			err = permanent(err)
		}
		return nil, catalog.Mailbox{}, catalog.GmailState{}, err
	}
	mb, err := t.Mailbox(ctx, mailbox)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) || errors.Is(err, sealed.ErrIntegrity) {
			err = permanent(fmt.Errorf("mailbox %s is not tenant %s's: %w", mailbox, tenant, err))
		}
		return nil, catalog.Mailbox{}, catalog.GmailState{}, err
	}
	st, err := t.GmailState(ctx, mb.ID)
	if errors.Is(err, catalog.ErrNoGmail) {
		err = permanent(err)
	}
	return t, mb, st, err
}

// HandleSyncMailboxTask runs one sync of a mailbox.
func (h *Handlers) HandleSyncMailboxTask(ctx context.Context, task *asynq.Task) error {
	var p MailboxPayload
	if err := decode(task, &p); err != nil {
		return err
	}
	res, err := h.SyncMailbox(ctx, p)
	if err != nil {
		h.log.Warn("mailbox sync failed", "tenant", p.Tenant, "mailbox", p.Mailbox, "err", err)
		return err
	}
	h.log.Info("mailbox synced", "tenant", p.Tenant, "mailbox", p.Mailbox, "full", res.Full, "expired", res.Expired, "candidates", res.Candidates)
	return nil
}

// SyncMailbox records and queues every message of the mailbox that needs
// filing, then stores the new cursor: the cursor only moves past work that
// is durably recorded.
func (h *Handlers) SyncMailbox(ctx context.Context, p MailboxPayload) (gmail.SyncResult, error) {
	t, mb, st, err := h.gmailMailbox(ctx, p.Tenant, p.Mailbox)
	if err != nil {
		return gmail.SyncResult{}, err
	}
	if !st.Connected() {
		return gmail.SyncResult{}, permanent(fmt.Errorf("mailbox %s is %s: %w", mb.ID, st.Status, gmail.ErrReconnect))
	}
	if st.Status == catalog.StatusPaused && h.now().Before(st.PausedUntil) {
		return gmail.SyncResult{}, permanent(fmt.Errorf("mailbox %s is paused until %s: %w", mb.ID, st.PausedUntil.Format(time.RFC3339), gmail.ErrDailyLimit))
	}
	res, err := h.syncMailbox(ctx, t, mb, st)
	if err == nil {
		return res, nil
	}
	st.LastError = short(err)
	now := h.now().UTC()
	alert := func(typ string) error {
		return t.RecordEvent(ctx, catalog.Event{ID: strings.ReplaceAll(typ, "_", "-") + "-" + mb.ID + "-" + now.Format("20060102t150405"),
			Type: "mailbox." + typ, State: st.Status, Time: now})
	}
	switch {
	case errors.Is(err, gmail.ErrReconnect):
		st.Status = catalog.StatusReconnect
		if eerr := alert("reconnect_required"); eerr != nil {
			return res, eerr
		}
		err = permanent(err)
	case errors.Is(err, gmail.ErrPermission):
		// A scope is missing: only the admin can grant it.
		st.Status = catalog.StatusReconnect
		if eerr := alert("permission_missing"); eerr != nil {
			return res, eerr
		}
		err = permanent(err)
	case errors.Is(err, gmail.ErrDailyLimit):
		// The project's day is spent: pause; the poll resumes the
		// mailbox after the pause, and nothing hammers Google meanwhile.
		st.Status, st.PausedUntil = catalog.StatusPaused, now.Add(dailyLimitPause)
		if eerr := alert("paused"); eerr != nil {
			return res, eerr
		}
		err = permanent(err)
	case !gmail.Retryable(err):
		err = permanent(err)
	}
	if serr := t.SaveGmailState(ctx, mb.ID, st); serr != nil {
		return res, serr
	}
	return res, err
}

// dailyLimitPause is how long a mailbox rests after Gmail's daily limit.
// Google resets at midnight Pacific; an hour's pause keeps retries rare
// without guessing the project's time zone.
const dailyLimitPause = time.Hour

func (h *Handlers) syncMailbox(ctx context.Context, t *catalog.Tenant, mb catalog.Mailbox, st catalog.GmailState) (gmail.SyncResult, error) {
	c, err := h.gmailClient(ctx, t, mb)
	if err != nil {
		return gmail.SyncResult{}, err
	}
	labels, err := c.Labels(ctx)
	if err != nil {
		return gmail.SyncResult{}, err
	}
	policy, err := h.policyOf(ctx, t)
	if err != nil {
		return gmail.SyncResult{}, err
	}
	filing := gmail.MatchFilingLabels(labels, policy.MatterLabelPrefix, policy.FilingLabel)
	rec := &pendingRecorder{h: h, t: t, mb: mb.ID, cursor: st.Cursor}
	res, err := c.Sync(ctx, st.Cursor, filing, rec)
	if err != nil {
		return res, err
	}
	// Re-read: the sync may have run long, and only the cursor fields
	// are this sync's to change.
	st, err = t.GmailState(ctx, mb.ID)
	if err != nil {
		return res, err
	}
	now := h.now().UTC()
	if res.Cursor != st.Cursor {
		st.CursorAt = now
	}
	// Never backwards: a follow-up sync (after a push) may overlap this
	// one and finish first.
	st.Cursor, st.LastSync, st.LastError, st.Status = max(st.Cursor, res.Cursor), now, "", catalog.StatusActive
	st.Synced += res.Candidates
	return res, t.SaveGmailState(ctx, mb.ID, st)
}

// pendingRecorder records sync candidates in the store and queues their
// fetch.
type pendingRecorder struct {
	h      *Handlers
	t      *catalog.Tenant
	mb     string
	cursor uint64
}

func (r *pendingRecorder) Record(ctx context.Context, cs []gmail.Candidate) error {
	now := r.h.now().UTC()
	for _, c := range cs {
		if err := ids.Validate("gmail message", c.Message); err != nil {
			return fmt.Errorf("sync: Gmail sent a message id outside the canonical form: %w", err)
		}
		if c.Why == "listed" {
			// A full resync lists everything labelled, filed or not.
			// Filed under the label it is listed under: nothing moved.
			f, err := r.t.GmailFiledRecord(ctx, r.mb, c.Message)
			if err == nil && slices.Contains(f.LabelIDs, c.Label) {
				continue
			}
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				return err
			}
		}
		if err := r.t.RecordGmailPending(ctx, r.mb, catalog.GmailPending{GmailID: c.Message, Why: c.Why, Seen: now}); err != nil {
			return err
		}
		p := GmailMessagePayload{Tenant: r.t.ID, Mailbox: r.mb, GmailID: c.Message}
		queue := QueueLive
		if c.Why == "listed" {
			queue = QueueBackfill
		}
		task, err := newGmailTask(TypeFetchGmail, FetchTaskID(p, r.cursor), queue, p)
		if err != nil {
			return err
		}
		if _, err := r.h.enq.EnqueueContext(ctx, task); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			return fmt.Errorf("enqueue fetch: %w", err)
		}
	}
	return nil
}

// HandleFetchGmailTask fetches and files one Gmail message.
func (h *Handlers) HandleFetchGmailTask(ctx context.Context, task *asynq.Task) error {
	var p GmailMessagePayload
	if err := decode(task, &p); err != nil {
		return err
	}
	start := h.now()
	e, err := h.FetchGmail(ctx, p)
	if err != nil {
		h.log.Warn("gmail fetch failed", "tenant", p.Tenant, "mailbox", p.Mailbox, "gmail_id", p.GmailID, "err", err)
		return err
	}
	h.log.Info("gmail message filed", "tenant", p.Tenant, "mailbox", p.Mailbox, "gmail_id", p.GmailID, "message", e.Message,
		"state", e.State, "ms", h.now().Sub(start).Milliseconds())
	return nil
}

// stagedName is the inbox object of a Gmail message before its hash is
// known.
func stagedName(gmailID string) string { return "g-" + gmailID }

// FetchGmail stages a Gmail message's raw bytes, with its current labels,
// and files it. A message deleted in Gmail since the sync is dropped and
// counted, not failed.
func (h *Handlers) FetchGmail(ctx context.Context, p GmailMessagePayload) (catalog.IndexEntry, error) {
	t, mb, st, err := h.gmailMailbox(ctx, p.Tenant, p.Mailbox)
	if err != nil {
		return catalog.IndexEntry{}, err
	}
	pend, err := t.GmailPendingRecord(ctx, mb.ID, p.GmailID)
	if errors.Is(err, storage.ErrNotFound) {
		return catalog.IndexEntry{}, nil // filed by an earlier run of this task
	}
	if err != nil {
		return catalog.IndexEntry{}, err
	}
	name := stagedName(p.GmailID)
	if !pend.Fetched {
		if !st.Connected() {
			return catalog.IndexEntry{}, permanent(fmt.Errorf("mailbox %s is %s: %w", mb.ID, st.Status, gmail.ErrReconnect))
		}
		c, err := h.gmailClient(ctx, t, mb)
		if err != nil {
			return catalog.IndexEntry{}, err
		}
		start := time.Now()
		meta, err := h.fetchInto(ctx, t, mb.ID, name, c, p.GmailID)
		if err == nil {
			h.m.Stage(metrics.StageFetch, time.Since(start))
		}
		if errors.Is(err, gmail.ErrNotFound) {
			// Deleted in Gmail between the sync and now: skipped, and
			// counted by its event.
			if err := t.DeleteStaged(ctx, mb.ID, name); err != nil {
				return catalog.IndexEntry{}, err
			}
			if err := t.RecordEvent(ctx, catalog.Event{ID: "gone-" + mb.ID + "-" + p.GmailID, Type: "gmail.message_gone",
				State: "skipped", Time: h.now().UTC()}); err != nil {
				return catalog.IndexEntry{}, err
			}
			return catalog.IndexEntry{}, t.DeleteGmailPending(ctx, mb.ID, p.GmailID)
		}
		if err != nil {
			if !gmail.Retryable(err) {
				err = permanent(err)
			}
			return catalog.IndexEntry{}, err
		}
		if slices.Contains(meta.LabelIDs, "DRAFT") {
			// A draft is not mail yet: it changes until it is sent,
			// and the sent message is filed then.
			if err := t.DeleteStaged(ctx, mb.ID, name); err != nil {
				return catalog.IndexEntry{}, err
			}
			return catalog.IndexEntry{}, t.DeleteGmailPending(ctx, mb.ID, p.GmailID)
		}
		names, err := h.labels.names(ctx, t.ID+":"+mb.ID, c, meta.LabelIDs)
		if err != nil {
			return catalog.IndexEntry{}, err
		}
		pend.Fetched, pend.ThreadID, pend.Labels, pend.LabelIDs, pend.InternalDate, pend.Staged = true, meta.ThreadID, names, meta.LabelIDs, meta.InternalDate, name
		if err := t.RecordGmailPending(ctx, mb.ID, pend); err != nil {
			return catalog.IndexEntry{}, err
		}
	}
	labels := pend.Labels
	if labels == nil {
		labels = []string{}
	}
	e, err := h.file(ctx, t, staged{
		mailbox: mb, name: name, source: SourceGmail, labels: labels,
		custodian: catalog.Custodian{Mailbox: mb.ID, Address: mb.Address, GmailID: p.GmailID, ThreadID: pend.ThreadID, InternalDate: pend.InternalDate},
		gmail:     &gmailRef{mailbox: mb.ID, gmailID: p.GmailID, writeBack: st.WriteBack},
	})
	if err != nil {
		return e, err
	}
	if err := t.MarkGmailFiled(ctx, mb.ID, p.GmailID, catalog.GmailFiled{Message: e.Message, LabelIDs: pend.LabelIDs}); err != nil {
		return e, err
	}
	return e, t.DeleteGmailPending(ctx, mb.ID, p.GmailID)
}

// fetchInto streams the raw message into a fresh staged object. A staged
// copy left by an earlier attempt is replaced: it may be a prefix.
func (h *Handlers) fetchInto(ctx context.Context, t *catalog.Tenant, mb, name string, c *gmail.Client, gid string) (gmail.Meta, error) {
	if err := t.DeleteStaged(ctx, mb, name); err != nil {
		return gmail.Meta{}, err
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := t.Stage(ctx, mb, name, pr)
		pr.CloseWithError(err) // unblock the writer if staging failed
		done <- err
	}()
	meta, err := c.FetchRaw(ctx, gid, pw)
	pw.CloseWithError(err)
	serr := <-done
	if err != nil {
		if serr == nil {
			// The stream broke off after staging consumed it: drop the
			// partial copy.
			_ = t.DeleteStaged(ctx, mb, name)
		}
		return gmail.Meta{}, err
	}
	if serr != nil {
		return gmail.Meta{}, fmt.Errorf("stage gmail message: %w", serr)
	}
	return meta, nil
}

// labelCache keeps each mailbox's label list for a short while: a backfill
// would otherwise spend a labels.list call per message twice over (names
// for the decision, ids for the write-back).
type labelCache struct {
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex
	m  map[string]cachedLabels
}

type cachedLabels struct {
	at     time.Time
	labels []gmail.Label
}

func (lc *labelCache) get(ctx context.Context, key string, c *gmail.Client, fresh bool) ([]gmail.Label, error) {
	lc.mu.Lock()
	e, ok := lc.m[key]
	lc.mu.Unlock()
	if ok && !fresh && lc.now().Sub(e.at) < lc.ttl {
		return e.labels, nil
	}
	ls, err := c.Labels(ctx)
	if err != nil {
		return nil, err
	}
	lc.mu.Lock()
	if lc.m == nil {
		lc.m = map[string]cachedLabels{}
	}
	lc.m[key] = cachedLabels{at: lc.now(), labels: ls}
	lc.mu.Unlock()
	return ls, nil
}

func (lc *labelCache) drop(key string) {
	lc.mu.Lock()
	delete(lc.m, key)
	lc.mu.Unlock()
}

// names maps label ids to names for the decision: decisions match names,
// Gmail speaks ids. An id the cache does not know (a label created since)
// refreshes it.
func (lc *labelCache) names(ctx context.Context, key string, c *gmail.Client, labelIDs []string) ([]string, error) {
	if len(labelIDs) == 0 {
		return []string{}, nil
	}
	for fresh := false; ; fresh = true {
		ls, err := lc.get(ctx, key, c, fresh)
		if err != nil {
			return nil, err
		}
		byID := make(map[string]string, len(ls))
		for _, l := range ls {
			byID[l.ID] = l.Name
		}
		out := make([]string, 0, len(labelIDs))
		missing := false
		for _, id := range labelIDs {
			if n, ok := byID[id]; ok {
				out = append(out, n)
			} else {
				missing = true
			}
		}
		if !missing || fresh {
			return out, nil
		}
	}
}

// id returns the id of label name, creating the label if the mailbox has
// none of that name (Gmail compares names case-insensitively).
func (lc *labelCache) id(ctx context.Context, key string, c *gmail.Client, name string) (string, error) {
	ls, err := lc.get(ctx, key, c, false)
	if err != nil {
		return "", err
	}
	for _, l := range ls {
		if strings.EqualFold(l.Name, name) {
			return l.ID, nil
		}
	}
	id, err := c.EnsureLabel(ctx, name)
	if err == nil {
		lc.drop(key)
	}
	return id, err
}

// writeBackLater queues the label write-back of a filed Gmail message.
func (h *Handlers) writeBackLater(ctx context.Context, t *catalog.Tenant, e catalog.IndexEntry, g *gmailRef) error {
	if !g.writeBack {
		return nil
	}
	p := GmailMessagePayload{Tenant: t.ID, Mailbox: g.mailbox, GmailID: g.gmailID, Message: e.Message}
	// The generation in the ID: a refiled message gets its new label
	// even while the first write-back is still remembered.
	id := fmt.Sprintf("%s:%s:%s:%s:%s:%d", TypeLabelGmail, p.Tenant, p.Mailbox, p.GmailID, p.Message, e.Generation)
	task, err := newGmailTask(TypeLabelGmail, id, QueueDefault, p)
	if err != nil {
		return permanent(err)
	}
	if _, err := h.enq.EnqueueContext(ctx, task); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueue label write-back of %s: %w", e.Message, err)
	}
	return nil
}

// HandleLabelGmailTask writes the filing label back into Gmail.
func (h *Handlers) HandleLabelGmailTask(ctx context.Context, task *asynq.Task) error {
	var p GmailMessagePayload
	if err := decode(task, &p); err != nil {
		return err
	}
	label, err := h.LabelGmail(ctx, p)
	if err != nil {
		h.log.Warn("gmail write-back failed", "tenant", p.Tenant, "mailbox", p.Mailbox, "gmail_id", p.GmailID, "err", err)
		return err
	}
	h.log.Info("gmail label written back", "tenant", p.Tenant, "mailbox", p.Mailbox, "gmail_id", p.GmailID, "written", label != "")
	return nil
}

// LabelGmail adds Filed/<matter number> (or the review label) to a filed
// Gmail message, creating the label once. It only ever adds: the user's
// labels are theirs. It returns the label written, "" if write-back is off.
func (h *Handlers) LabelGmail(ctx context.Context, p GmailMessagePayload) (string, error) {
	if p.Message == "" {
		return "", permanent(errors.New("gmail:label task names no filed message"))
	}
	t, mb, st, err := h.gmailMailbox(ctx, p.Tenant, p.Mailbox)
	if err != nil {
		return "", err
	}
	if !st.WriteBack {
		return "", nil
	}
	e, err := t.Lookup(ctx, p.Message)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return "", permanent(err)
		}
		return "", err
	}
	label := h.gmail.ReviewLabel
	if e.State == catalog.StateFiled {
		reg, err := t.Matters(ctx)
		if err != nil {
			return "", err
		}
		number := e.Matter
		if tg, ok := reg.Get(e.Matter); ok && tg.Number != "" {
			number = tg.Number
		}
		label = h.gmail.FiledLabelPrefix + number
	}
	c, err := h.gmailClient(ctx, t, mb)
	if err != nil {
		return "", err
	}
	key := t.ID + ":" + mb.ID
	id, err := h.labels.id(ctx, key, c, label)
	if err == nil {
		err = c.AddLabels(ctx, p.GmailID, id)
		if errors.Is(err, gmail.ErrInvalid) {
			// The label was deleted in Gmail since it was cached.
			h.labels.drop(key)
			if id, err = h.labels.id(ctx, key, c, label); err == nil {
				err = c.AddLabels(ctx, p.GmailID, id)
			}
		}
	}
	switch {
	case errors.Is(err, gmail.ErrNotFound):
		return "", nil // deleted in Gmail since; the filed copy stays
	case err != nil && !gmail.Retryable(err):
		return "", permanent(err)
	}
	return label, err
}

// short is an error's first line, clipped, for status displays.
func short(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

// GmailProfile tries mailbox's credentials once: users.getProfile.
func (h *Handlers) GmailProfile(ctx context.Context, tenant, mailbox string) (gmail.Profile, error) {
	t, mb, _, err := h.gmailMailbox(ctx, tenant, mailbox)
	if err != nil {
		return gmail.Profile{}, err
	}
	c, err := h.gmailClient(ctx, t, mb)
	if err != nil {
		return gmail.Profile{}, err
	}
	return c.Profile(ctx)
}

// MailboxIdle reports whether nothing of mailbox mb is left to do: no
// Gmail message recorded and neither filed nor failed for good, and no
// task of the mailbox queued, running or waiting for a retry.
func MailboxIdle(ctx context.Context, insp *asynq.Inspector, t *catalog.Tenant, mb string) (bool, error) {
	gids, err := t.GmailPendingIDs(ctx, mb)
	if err != nil {
		return false, err
	}
	if len(gids) > 0 {
		fs, err := t.Failures(ctx)
		if err != nil {
			return false, err
		}
		failed := map[string]bool{}
		for _, f := range fs {
			failed[f.Message] = true
		}
		for _, gid := range gids {
			if !failed[stagedName(gid)] {
				return false, nil
			}
		}
	}
	prefixes := []string{TypeFetchGmail + ":" + t.ID + ":" + mb + ":", TypeLabelGmail + ":" + t.ID + ":" + mb + ":", SyncTaskID(MailboxPayload{t.ID, mb})}
	for queue := range Queues() {
		for _, list := range []func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){
			insp.ListPendingTasks, insp.ListActiveTasks, insp.ListScheduledTasks, insp.ListRetryTasks,
		} {
			for page := 1; ; page++ {
				tasks, err := list(queue, asynq.PageSize(500), asynq.Page(page))
				if errors.Is(err, asynq.ErrQueueNotFound) {
					break
				}
				if err != nil {
					return false, err
				}
				for _, ti := range tasks {
					for _, p := range prefixes {
						if strings.HasPrefix(ti.ID, p) {
							return false, nil
						}
					}
				}
				if len(tasks) < 500 {
					break
				}
			}
		}
	}
	return true, nil
}

// watchRenewal renews a watch this long before it expires. Gmail's last 7
// days; renewing daily leaves six days of slack for outages.
const watchRenewal = 6 * 24 * time.Hour

// NewWatchMailboxTask builds a mailbox:watch task, one per mailbox a day.
func NewWatchMailboxTask(p MailboxPayload, day time.Time) (*asynq.Task, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("new %s task: %w", TypeWatchMailbox, err)
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	id := TypeWatchMailbox + ":" + p.Tenant + ":" + p.Mailbox + ":" + day.UTC().Format("20060102")
	return asynq.NewTask(TypeWatchMailbox, data, asynq.TaskID(id), asynq.Queue(QueueDefault),
		asynq.MaxRetry(10), asynq.Retention(retention)), nil
}

// HandleWatchMailboxTask (re)starts a mailbox's Gmail push watch.
func (h *Handlers) HandleWatchMailboxTask(ctx context.Context, task *asynq.Task) error {
	var p MailboxPayload
	if err := decode(task, &p); err != nil {
		return err
	}
	exp, err := h.WatchMailbox(ctx, p)
	if err != nil {
		h.log.Warn("gmail watch failed", "tenant", p.Tenant, "mailbox", p.Mailbox, "err", err)
		return err
	}
	h.log.Info("gmail watch renewed", "tenant", p.Tenant, "mailbox", p.Mailbox, "expires", exp)
	return nil
}

// WatchMailbox asks Gmail to push changes of the mailbox's filing labels
// to the configured topic, and records when the watch expires.
func (h *Handlers) WatchMailbox(ctx context.Context, p MailboxPayload) (time.Time, error) {
	if h.gmail.PubSubTopic == "" {
		return time.Time{}, nil
	}
	t, mb, st, err := h.gmailMailbox(ctx, p.Tenant, p.Mailbox)
	if err != nil {
		return time.Time{}, err
	}
	if st.Status != catalog.StatusActive {
		return time.Time{}, nil
	}
	c, err := h.gmailClient(ctx, t, mb)
	if err != nil {
		return time.Time{}, err
	}
	labels, err := h.labels.get(ctx, t.ID+":"+mb.ID, c, true)
	if err != nil {
		return time.Time{}, err
	}
	policy, err := h.policyOf(ctx, t)
	if err != nil {
		return time.Time{}, err
	}
	filing := gmail.MatchFilingLabels(labels, policy.MatterLabelPrefix, policy.FilingLabel)
	ids := make([]string, 0, len(filing))
	for id := range filing {
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return time.Time{}, nil // nothing labelled for filing yet; the poll covers it
	}
	exp, err := c.Watch(ctx, h.gmail.PubSubTopic, ids)
	if err != nil {
		if !gmail.Retryable(err) {
			err = permanent(err)
		}
		return time.Time{}, err
	}
	st, err = t.GmailState(ctx, mb.ID)
	if err != nil {
		return exp, err
	}
	st.WatchExpires = exp
	return exp, t.SaveGmailState(ctx, mb.ID, st)
}
