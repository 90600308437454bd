// Package push receives Gmail push notifications from Pub/Sub and turns
// each into a mailbox sync. It owns authentication of push requests and
// nothing else: a notification is only a hint, so all it may do is queue a
// sync of a known, active mailbox. It must never trust the notification's
// history id as a cursor, never read mail, and never say whether a tenant
// or mailbox exists to a caller that did not authenticate.
package push

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/hibiken/asynq"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/ids"
	"github.com/matterfile/matterfile/ingest/gmail"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/worker"
)

// Config configures the handler.
type Config struct {
	// Secret is the long random token the Pub/Sub push subscription
	// sends, as ?token=… in its endpoint URL or as a bearer token.
	Secret   string
	Catalog  *catalog.Catalog
	Enqueuer interface {
		Enqueue(task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
	}
	Logger *slog.Logger
}

// MinSecretLen keeps guessable secrets out.
const MinSecretLen = 32

// Handler serves POST /gmail/push/{tenant}.
type Handler struct {
	secret [sha256.Size]byte
	cfg    Config
}

// New validates cfg.
func New(cfg Config) (*Handler, error) {
	if len(cfg.Secret) < MinSecretLen {
		return nil, errors.New("push: the secret must be at least 32 characters")
	}
	if cfg.Catalog == nil || cfg.Enqueuer == nil {
		return nil, errors.New("push: catalog and enqueuer are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{secret: sha256.Sum256([]byte(cfg.Secret)), cfg: cfg}, nil
}

// authorized compares hashes in constant time, so neither the secret's
// content nor its length leaks through timing.
func (h *Handler) authorized(r *http.Request) bool {
	tok := r.URL.Query().Get("token")
	if a := r.Header.Get("Authorization"); tok == "" && strings.HasPrefix(a, "Bearer ") {
		tok = strings.TrimPrefix(a, "Bearer ")
	}
	if tok == "" {
		return false
	}
	got := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(got[:], h.secret[:]) == 1
}

// ServeHTTP acks fast: it answers 204 once a sync is queued or the
// notification needs none, so Pub/Sub does not redeliver.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !h.authorized(r) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	tenant := strings.TrimPrefix(r.URL.Path, "/gmail/push/")
	if !ids.Valid(tenant) {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	n, err := gmail.ParsePush(r.Body)
	if err != nil {
		// Redelivering a malformed message cannot help: ack it.
		h.cfg.Logger.Warn("push: malformed notification", "tenant", tenant)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	status, err := h.notify(r, tenant, n)
	if err != nil {
		h.cfg.Logger.Warn("push: could not queue a sync", "tenant", tenant, "err", err)
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(status)
}

func (h *Handler) notify(r *http.Request, tenant string, n gmail.Notification) (int, error) {
	t, err := h.cfg.Catalog.Open(r.Context(), tenant)
	if errors.Is(err, catalog.ErrNoTenant) {
		return http.StatusNoContent, nil // a deleted tenant's late push
	}
	if err != nil {
		return 0, err
	}
	mb, err := t.MailboxByAddress(r.Context(), n.Address)
	if errors.Is(err, storage.ErrNotFound) {
		return http.StatusNoContent, nil
	}
	if err != nil {
		return 0, err
	}
	st, err := t.GmailState(r.Context(), mb.ID)
	if errors.Is(err, catalog.ErrNoGmail) {
		return http.StatusNoContent, nil
	}
	if err != nil {
		return 0, err
	}
	// Notifications arrive late, twice and out of order: one at or
	// below the cursor has nothing new.
	if st.Status != catalog.StatusActive || (n.HistoryID != 0 && n.HistoryID <= st.Cursor) {
		return http.StatusNoContent, nil
	}
	task, err := worker.NewSyncMailboxTask(worker.MailboxPayload{Tenant: tenant, Mailbox: mb.ID})
	if err != nil {
		return 0, err
	}
	if _, err := h.cfg.Enqueuer.Enqueue(task); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return 0, err
	}
	h.cfg.Logger.Info("push: sync queued", "tenant", tenant, "mailbox", mb.ID)
	return http.StatusNoContent, nil
}
