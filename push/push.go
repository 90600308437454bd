// Package push receives Gmail push notifications from Pub/Sub and turns
// each into a mailbox sync. It owns authentication of push requests and
// nothing else: a notification is only a hint, so all it may do is queue a
// sync of a known, active mailbox. It must never trust the notification's
// history id as a cursor, never read mail, and never say whether a tenant
// or mailbox exists to a caller that did not authenticate.
package push

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/hibiken/asynq"
	"google.golang.org/api/idtoken"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/ids"
	"github.com/matterfile/matterfile/ingest/gmail"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/worker"
)

// Config configures the handler. At least one way to authenticate must
// be set: the shared secret, or Pub/Sub's OIDC token.
type Config struct {
	// Secret is the long random token the Pub/Sub push subscription
	// sends, as ?token=… in its endpoint URL or as a bearer token.
	Secret string
	// Audience and ServiceAccount check Pub/Sub's OIDC tokens: the
	// subscription's audience, and the service account it signs as.
	// Validator checks the token's signature (idtoken.NewValidator).
	Audience       string
	ServiceAccount string
	Validator      TokenValidator
	Catalog        *catalog.Catalog
	Enqueuer       interface {
		Enqueue(task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
	}
	Logger *slog.Logger
}

// TokenValidator checks a Google-signed ID token's signature, expiry and
// audience.
type TokenValidator interface {
	Validate(ctx context.Context, token, audience string) (*idtoken.Payload, error)
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
	oidc := cfg.Audience != "" || cfg.ServiceAccount != "" || cfg.Validator != nil
	if oidc && (cfg.Audience == "" || cfg.ServiceAccount == "" || cfg.Validator == nil) {
		return nil, errors.New("push: OIDC needs an audience, a service account and a validator")
	}
	if cfg.Secret == "" && !oidc {
		return nil, errors.New("push: no way to authenticate pushes: set a secret or OIDC")
	}
	if cfg.Secret != "" && len(cfg.Secret) < MinSecretLen {
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

// authorized accepts Pub/Sub's OIDC token when configured, else the shared
// secret. The secret is compared as a hash in constant time, so neither
// its content nor its length leaks through timing.
func (h *Handler) authorized(r *http.Request) bool {
	bearer := ""
	if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
		bearer = strings.TrimPrefix(a, "Bearer ")
	}
	if h.cfg.Validator != nil && strings.Count(bearer, ".") == 2 {
		return h.validOIDC(r.Context(), bearer)
	}
	if h.cfg.Secret == "" {
		return false
	}
	tok := r.URL.Query().Get("token")
	if tok == "" {
		tok = bearer
	}
	if tok == "" {
		return false
	}
	got := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(got[:], h.secret[:]) == 1
}

// validOIDC checks what idtoken leaves to the caller: that Google issued
// the token, for the subscription's service account, with its e-mail
// verified.
func (h *Handler) validOIDC(ctx context.Context, token string) bool {
	p, err := h.cfg.Validator.Validate(ctx, token, h.cfg.Audience)
	if err != nil {
		return false
	}
	if p.Issuer != "accounts.google.com" && p.Issuer != "https://accounts.google.com" {
		return false
	}
	email, _ := p.Claims["email"].(string)
	verified, _ := p.Claims["email_verified"].(bool)
	return verified && email != "" && subtle.ConstantTimeCompare([]byte(email), []byte(h.cfg.ServiceAccount)) == 1
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
