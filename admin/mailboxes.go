package admin

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/ingest/gmail"
	"github.com/matterfile/matterfile/worker"
)

// The mailboxes page: admins see every mailbox with its health, connect
// one through Google's consent screen (PKCE, a state bound to the
// session, the account checked, the token sealed) or with a Workspace
// service-account key (domain-wide delegation, tried before it is kept),
// test its credentials, reconnect, pause, resume, queue a sync and
// disconnect it. Every change is audited with the admin as actor and the
// client's address.

// Enqueuer queues tasks (an asynq client): the page's "sync now".
type Enqueuer interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

const (
	mailboxesPath    = "/mailboxes"
	mailboxCallback  = "/mailboxes/callback"
	consentTTL       = 10 * time.Minute
	maxPendingConsts = 1024
)

func (s *Server) mailboxesRoutes() {
	admin := s.requireRole(catalog.RoleAdmin)
	p := &pendingConsents{m: map[string]pendingConsent{}}
	s.mux.Handle("GET "+mailboxesPath, admin(s.mailboxesList))
	s.mux.Handle("POST "+mailboxesPath+"/connect", admin(s.mailboxConnect(p)))
	s.mux.Handle("GET "+mailboxCallback, admin(s.mailboxCallback(p)))
	s.mux.Handle("POST "+mailboxesPath+"/{id}/reconnect", admin(s.mailboxReconnect(p)))
	s.mux.Handle("POST "+mailboxesPath+"/{id}/pause", admin(s.mailboxPause(true)))
	s.mux.Handle("POST "+mailboxesPath+"/{id}/resume", admin(s.mailboxPause(false)))
	s.mux.Handle("POST "+mailboxesPath+"/{id}/sync", admin(s.mailboxSync))
	s.mux.Handle("POST "+mailboxesPath+"/{id}/test", admin(s.mailboxTest))
	s.mux.Handle("POST "+mailboxesPath+"/{id}/disconnect", admin(s.mailboxDisconnect))
	s.mux.Handle("POST "+mailboxesPath+"/delegate", admin(s.mailboxDelegate))
	s.addNav("Mailboxes", mailboxesPath, catalog.RoleAdmin)
}

// mailboxNotices are the confirmations after a mailbox action.
var mailboxNotices = map[string]string{
	"connected":    "Mailbox connected. Its first sync is queued or will start with the next poll.",
	"paused":       "Mailbox paused: nothing is synced until it is resumed.",
	"resumed":      "Mailbox resumed.",
	"sync":         "A sync of the mailbox is queued.",
	"syncrunning":  "A sync of the mailbox is already queued or running.",
	"delegated":    "Mailbox connected with Workspace delegation: the key was tried and Gmail answered for the mailbox.",
	"tested":       "The mailbox's credentials work: Gmail answered for the mailbox.",
	"disconnected": "Mailbox disconnected: its credentials are deleted; what it filed stays. Connect it again to resume.",
}

// mailboxesPage is the data of templates/mailboxes.html.
type mailboxesPage struct {
	Mailboxes []mailboxRow
	// Error says why the last connect did not work, in plain words.
	Error string
	Email string
	// CanConnect is false when no Google OAuth client is configured.
	CanConnect bool
	CanSync    bool
	// CanDelegate: the server can try a service-account key (it has
	// worker handlers); Delegate is the address the form was filled with.
	CanDelegate bool
	Delegate    string
	// Confirm is the mailbox whose disconnection awaits confirmation.
	Confirm *mailboxRow
}

type mailboxRow struct {
	ID, Address, Source, Status, StatusClass, Auth string
	LastSync                                       time.Time
	CursorAge                                      string
	Filed, Review, Failed, Pending                 int
	LastError                                      string
	Paused, Reconnect, Gmail                       bool
	// Usable: it has credentials matterfile may use (not disconnected,
	// not waiting to be reconnected); Disconnected by an admin;
	// Delegated through a service account.
	Usable, Disconnected, Delegated bool
}

func (s *Server) mailboxesList(w http.ResponseWriter, r *http.Request) {
	note := mailboxNotices[r.URL.Query().Get("done")]
	s.renderMailboxes(w, r, http.StatusOK, mailboxesPage{}, note)
}

func (s *Server) renderMailboxes(w http.ResponseWriter, r *http.Request, status int, p mailboxesPage, note string) {
	rows, err := s.mailboxRows(r.Context(), viewerFrom(r.Context()).Tenant)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Mailboxes = rows
	p.CanConnect = s.cfg.OAuth != nil && s.cfg.OAuth.RedirectURL != "" && s.cfg.Handlers != nil
	p.CanSync = s.cfg.Enqueuer != nil
	p.CanDelegate = s.cfg.Handlers != nil
	if p.CanConnect {
		// The connect form's POST is answered with a redirect to Google:
		// form-action must admit the consent screen's origin (browsers
		// check it along the redirect chain), on this page only.
		if u, err := url.Parse(s.cfg.OAuth.Endpoint.AuthURL); err == nil && u.Scheme != "" && u.Host != "" {
			w.Header().Set("Content-Security-Policy", strings.Replace(contentSecurityPolicy,
				"form-action 'self'", "form-action 'self' "+u.Scheme+"://"+u.Host, 1))
		}
	}
	s.render(w, r, status, "mailboxes", note, p)
}

// mailboxRows is every mailbox of t with its health. Counts come from the
// filed messages themselves, through catalog.Tenant.CountByMailbox (as
// `matterfile mailboxes list` does).
func (s *Server) mailboxRows(ctx context.Context, t *catalog.Tenant) ([]mailboxRow, error) {
	mbs, err := t.Mailboxes(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	byID := map[string]*mailboxRow{}
	rows := make([]*mailboxRow, 0, len(mbs))
	for _, mb := range mbs {
		row := &mailboxRow{ID: mb.ID, Address: mb.Address, Source: "import only", Status: "not connected", StatusClass: "none"}
		st, err := t.GmailState(ctx, mb.ID)
		switch {
		case err == nil:
			row.Gmail, row.Source, row.Auth, row.LastSync = true, "Gmail", authWords(st.Auth), st.LastSync
			row.Status, row.StatusClass = st.Status, strings.ReplaceAll(st.Status, " ", "-")
			row.Paused, row.Reconnect = st.Status == catalog.StatusPaused, st.Status == catalog.StatusReconnect
			row.Usable, row.Disconnected, row.Delegated = st.Connected(), st.Status == catalog.StatusDisconnected, st.Auth == catalog.AuthDelegation
			if row.Paused && !st.PausedUntil.Equal(catalog.PausedByAdmin) && !st.PausedUntil.IsZero() {
				row.Status = "paused until " + st.PausedUntil.UTC().Format("15:04 UTC")
			}
			if !st.CursorAt.IsZero() {
				row.CursorAge = ageWords(now.Sub(st.CursorAt))
			}
			row.LastError = errorWords(st.LastError)
			gids, err := t.GmailPendingIDs(ctx, mb.ID)
			if err != nil {
				return nil, err
			}
			row.Pending = len(gids)
		case !errors.Is(err, catalog.ErrNoGmail):
			return nil, err
		}
		byID[mb.ID] = row
		rows = append(rows, row)
	}
	// Counted from IDs the catalog keeps: no manifest is decrypted twice.
	counts, err := t.CountByMailbox(ctx)
	if err != nil {
		return nil, err
	}
	for id, n := range counts {
		if row := byID[id]; row != nil {
			row.Filed, row.Review, row.Failed = n.Filed, n.Review, n.Failed
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Address < rows[j].Address })
	out := make([]mailboxRow, len(rows))
	for i, row := range rows {
		out[i] = *row
	}
	return out, nil
}

func authWords(kind string) string {
	switch kind {
	case catalog.AuthUserToken:
		return "Google consent"
	case catalog.AuthDelegation:
		return "Workspace delegation"
	}
	return ""
}

func ageWords(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " h"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + " days"
}

// errorWords turns a stored sync error into a sentence. The stored text
// may hold what Google said; it is matched against the error classes of
// ingest/gmail and never shown.
func errorWords(stored string) string {
	if stored == "" {
		return ""
	}
	for _, c := range []struct{ class, words string }{
		{"credentials check failed", "The credentials could not be verified when the mailbox was connected. Connect it again."},
		{gmail.ErrReconnect.Error(), "Google no longer accepts matterfile's access to this mailbox (revoked, expired or a changed password). Reconnect it."},
		{"no credentials", "The mailbox has no stored credentials. Reconnect it."},
		{gmail.ErrPermission.Error(), "Access was granted without a permission matterfile needs. Reconnect and allow everything asked for."},
		{gmail.ErrDailyLimit.Error(), "Gmail's daily usage limit was reached. Syncing resumes by itself."},
		{gmail.ErrHistoryExpired.Error(), "Gmail's change history ran out; the next sync looks at every filing label again."},
		{gmail.ErrExhausted.Error(), "Gmail did not answer after several attempts. The sync will be retried."},
		{gmail.ErrInvalid.Error(), "Gmail refused a request as invalid. The details are in the server log."},
		{"not configured", "This server is not set up to reach Gmail for this mailbox. Ask whoever runs matterfile."},
		{"client ID", "No Google OAuth client is configured on the workers. Ask whoever runs matterfile."},
	} {
		if strings.Contains(stored, c.class) {
			return c.words
		}
	}
	return "The last sync failed. It will be retried; the details are in the server log."
}

// pendingConsent is one consent under way, kept in this process and bound
// to the session that started it: the state and the PKCE verifier never
// leave the server.
type pendingConsent struct {
	consent   *gmail.Consent
	address   string
	writeBack bool
	expires   time.Time
}

type pendingConsents struct {
	mu sync.Mutex
	m  map[string]pendingConsent
}

// consentKey binds a consent to one sign-in of one account.
func consentKey(v *viewer) string {
	return v.Tenant.ID + "/" + v.User.ID + "/" + strconv.FormatInt(v.sess.Issued, 10) + "/" + strconv.Itoa(v.sess.Epoch)
}

func (p *pendingConsents) put(key string, c pendingConsent, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, e := range p.m {
		if now.After(e.expires) {
			delete(p.m, k)
		}
	}
	if len(p.m) >= maxPendingConsts {
		p.m = map[string]pendingConsent{}
	}
	p.m[key] = c
}

// take removes and returns the session's consent: a state is used once.
func (p *pendingConsents) take(key string, now time.Time) (pendingConsent, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.m[key]
	delete(p.m, key)
	if !ok || now.After(c.expires) {
		return pendingConsent{}, false
	}
	return c, true
}

func (s *Server) mailboxConnect(p *pendingConsents) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !parseForm(w, r) {
			return
		}
		email := strings.TrimSpace(r.PostFormValue("email"))
		s.startConsent(w, r, p, email, r.PostFormValue("write_back") == "on")
	}
}

func (s *Server) mailboxReconnect(p *pendingConsents) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := viewerFrom(r.Context())
		mb, err := v.Tenant.Mailbox(r.Context(), r.PathValue("id"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		writeBack := false
		if st, err := v.Tenant.GmailState(r.Context(), mb.ID); err == nil {
			writeBack = st.WriteBack
		}
		s.startConsent(w, r, p, mb.Address, writeBack)
	}
}

// startConsent sends the admin to Google's consent screen for address.
func (s *Server) startConsent(w http.ResponseWriter, r *http.Request, p *pendingConsents, address string, writeBack bool) {
	v := viewerFrom(r.Context())
	again := func(msg string) {
		s.renderMailboxes(w, r, http.StatusUnprocessableEntity, mailboxesPage{Error: msg, Email: address}, "")
	}
	if s.cfg.OAuth == nil || s.cfg.OAuth.RedirectURL == "" || s.cfg.Handlers == nil {
		again("Connecting through Google is not set up on this server (no OAuth client). Ask whoever runs matterfile.")
		return
	}
	if !plausibleAddress(address) {
		again("Enter the mailbox's full email address.")
		return
	}
	cfg := *s.cfg.OAuth
	cfg.Scopes = gmail.Scopes(writeBack)
	c, err := gmail.NewConsent(&cfg, address)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.put(consentKey(v), pendingConsent{consent: c, address: catalog.NormalizeAddress(address), writeBack: writeBack, expires: s.now().Add(consentTTL)}, s.now())
	http.Redirect(w, r, c.URL(), http.StatusSeeOther)
}

// mailboxCallback is where Google sends the admin back: the code is
// exchanged (state and PKCE checked), the account compared with the one
// asked for, and the token sealed.
func (s *Server) mailboxCallback(p *pendingConsents) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := viewerFrom(r.Context())
		ctx := r.Context()
		refuse := func(msg string) {
			s.renderMailboxes(w, r, http.StatusBadRequest, mailboxesPage{Error: msg}, "")
		}
		pc, ok := p.take(consentKey(v), s.now())
		if !ok {
			refuse("This consent was not started from this session or has expired. Start connecting the mailbox again.")
			return
		}
		q := r.URL.Query()
		if q.Get("error") != "" {
			refuse("Google did not grant access: the consent was cancelled or refused. Nothing was changed.")
			return
		}
		tok, err := pc.consent.Exchange(ctx, q.Get("state"), q.Get("code"))
		if err != nil {
			s.log.Warn("mailbox consent refused", "tenant", v.Tenant.ID, "user", v.User.ID, "err", errClass(err))
			if errors.Is(err, gmail.ErrConsent) {
				refuse("Google's answer could not be accepted: every permission asked for must be allowed, and the consent must come from this session. Try again.")
			} else {
				refuse("Google's answer could not be checked. Try again in a moment.")
			}
			return
		}
		data, err := json.Marshal(tok)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		wrongAccount := false
		check := func(ctx context.Context, mb catalog.Mailbox) error {
			prof, err := s.cfg.Handlers.GmailProfile(ctx, v.Tenant.ID, mb.ID)
			if err != nil {
				return err
			}
			if err := pc.consent.CheckAccount(prof); err != nil {
				wrongAccount = true
				return err
			}
			return nil
		}
		mb, err := v.Tenant.ConnectMailbox(ctx, v.Actor(), pc.address, catalog.Secret{Kind: catalog.AuthUserToken, Data: data}, pc.writeBack, check)
		if err != nil {
			s.log.Warn("mailbox connect failed", "tenant", v.Tenant.ID, "mailbox", mb.ID, "err", errClass(err))
			if wrongAccount {
				refuse("The Google account that gave consent is not the mailbox you asked to connect. Sign in to Google as that mailbox and try again; the mailbox was not connected.")
			} else {
				refuse("The mailbox could not be reached with the new access. Nothing was changed; try again.")
			}
			return
		}
		if _, err := s.queueSync(ctx, v.Tenant.ID, mb.ID); err != nil {
			s.log.Warn("queue first sync", "tenant", v.Tenant.ID, "mailbox", mb.ID, "err", err)
		}
		http.Redirect(w, r, mailboxesPath+"?done=connected", http.StatusSeeOther)
	}
}

// errClass is an error's class for logs: which of gmail's outcomes, never
// the provider's text.
func errClass(err error) string {
	for _, e := range []error{gmail.ErrConsent, gmail.ErrReconnect, gmail.ErrPermission, gmail.ErrDailyLimit, gmail.ErrExhausted, gmail.ErrInvalid, context.Canceled} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return "oauth token endpoint: " + re.ErrorCode
	}
	return "other"
}

func (s *Server) mailboxPause(paused bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := viewerFrom(r.Context())
		id := r.PathValue("id")
		if _, err := v.Tenant.Mailbox(r.Context(), id); err != nil {
			http.NotFound(w, r)
			return
		}
		err := v.Tenant.SetMailboxPaused(r.Context(), v.Actor(), id, paused)
		switch {
		case errors.Is(err, catalog.ErrNoGmail):
			s.renderMailboxes(w, r, http.StatusConflict, mailboxesPage{Error: "That mailbox is not connected to Gmail."}, "")
			return
		case errors.Is(err, catalog.ErrMailboxReconnect):
			s.renderMailboxes(w, r, http.StatusConflict, mailboxesPage{Error: "That mailbox needs reconnecting first."}, "")
			return
		case err != nil:
			s.fail(w, r, err)
			return
		}
		done := "resumed"
		if paused {
			done = "paused"
		}
		http.Redirect(w, r, mailboxesPath+"?done="+done, http.StatusSeeOther)
	}
}

func (s *Server) mailboxSync(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	id := r.PathValue("id")
	if _, err := v.Tenant.Mailbox(r.Context(), id); err != nil {
		http.NotFound(w, r)
		return
	}
	st, err := v.Tenant.GmailState(r.Context(), id)
	if err != nil || s.cfg.Enqueuer == nil {
		s.renderMailboxes(w, r, http.StatusConflict, mailboxesPage{Error: "That mailbox cannot be synced from here: it is not connected to Gmail, or this server has no task queue."}, "")
		return
	}
	if st.Status != catalog.StatusActive {
		s.renderMailboxes(w, r, http.StatusConflict, mailboxesPage{Error: "Only an active mailbox can be synced: resume or reconnect it first."}, "")
		return
	}
	done, err := s.queueSync(r.Context(), v.Tenant.ID, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	outcome := audit.OK
	if done == "syncrunning" {
		outcome = audit.Refused
	}
	if err := v.Tenant.Record(r.Context(), v.Actor(), audit.ActionMailboxSync, map[string]string{"mailbox": id}, outcome, done); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, mailboxesPath+"?done="+done, http.StatusSeeOther)
}

// queueSync queues a mailbox:sync; it says "syncrunning" when one is
// already queued or running. Without an Enqueuer it does nothing: the
// poller picks the mailbox up.
func (s *Server) queueSync(ctx context.Context, tenant, mb string) (string, error) {
	if s.cfg.Enqueuer == nil {
		return "", nil
	}
	task, err := worker.NewSyncMailboxTask(worker.MailboxPayload{Tenant: tenant, Mailbox: mb})
	if err != nil {
		return "", err
	}
	if _, err := s.cfg.Enqueuer.EnqueueContext(ctx, task); errors.Is(err, asynq.ErrTaskIDConflict) {
		return "syncrunning", nil
	} else if err != nil {
		return "", err
	}
	return "sync", nil
}

// maxKeyUpload bounds the delegation form, key file included: a
// service-account key is about 2.5 KB.
const maxKeyUpload = 64 << 10

// mailboxDelegate connects a mailbox with a Workspace service-account key
// (domain-wide delegation): the key is read from the upload, checked to be
// a service-account key, tried once (users.getProfile as the mailbox,
// which must answer for that address) and only then kept, sealed, as
// `matterfile mailboxes add --service-account` does.
func (s *Server) mailboxDelegate(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, maxKeyUpload)
	err := r.ParseMultipartForm(maxKeyUpload)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.renderMailboxes(w, r, http.StatusRequestEntityTooLarge, mailboxesPage{Error: "That file is too large to be a service-account key. Upload the key's JSON file as Google gave it."}, "")
		return
	case err != nil:
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	address := strings.TrimSpace(r.PostFormValue("email"))
	writeBack := r.PostFormValue("write_back") == "on"
	again := func(status int, msg string) {
		s.renderMailboxes(w, r, status, mailboxesPage{Error: msg, Delegate: address}, "")
	}
	if s.cfg.Handlers == nil {
		again(http.StatusConflict, "This server cannot try a service-account key (it has no Gmail workers configured). Use matterfile mailboxes add --service-account.")
		return
	}
	if !plausibleAddress(address) {
		again(http.StatusUnprocessableEntity, "Enter the mailbox's full email address.")
		return
	}
	key, err := uploadedKey(r)
	if err != nil {
		again(http.StatusUnprocessableEntity, "Choose the service-account key file (JSON) to upload.")
		return
	}
	if _, err := google.JWTConfigFromJSON(key, gmail.Scopes(writeBack)...); err != nil {
		again(http.StatusUnprocessableEntity, "That file is not a Google service-account key. In the Google Cloud console, create a JSON key for the service account and upload that file.")
		return
	}
	clientID := ""
	var meta struct {
		ClientID string `json:"client_id"`
	}
	if json.Unmarshal(key, &meta) == nil {
		clientID = meta.ClientID
	}
	wrongAccount := false
	check := func(ctx context.Context, mb catalog.Mailbox) error {
		prof, err := s.cfg.Handlers.GmailProfile(ctx, v.Tenant.ID, mb.ID)
		if err != nil {
			return err
		}
		if catalog.NormalizeAddress(prof.Address) != mb.Address {
			wrongAccount = true
			return errors.New("the key answers for another account")
		}
		return nil
	}
	mb, err := v.Tenant.ConnectMailbox(ctx, v.Actor(), address, catalog.Secret{Kind: catalog.AuthDelegation, Data: key}, writeBack, check)
	if err != nil {
		s.log.Warn("mailbox delegation failed", "tenant", v.Tenant.ID, "mailbox", mb.ID, "err", errClass(err))
		msg := "Gmail did not accept the key for this mailbox, so it was not kept and nothing was changed. In the Workspace admin console (Security › API controls › Domain-wide delegation), allow the service account's client ID"
		if clientID != "" {
			msg += " (" + clientID + ")"
		}
		msg += " these scopes: " + strings.Join(gmail.Scopes(writeBack), ", ") + ". Then upload the key again."
		if wrongAccount {
			msg = "Gmail answered for another account than the mailbox you named. Nothing was changed; check the address."
		}
		again(http.StatusBadRequest, msg)
		return
	}
	if _, err := s.queueSync(ctx, v.Tenant.ID, mb.ID); err != nil {
		s.log.Warn("queue first sync", "tenant", v.Tenant.ID, "mailbox", mb.ID, "err", err)
	}
	http.Redirect(w, r, mailboxesPath+"?done=delegated", http.StatusSeeOther)
}

// uploadedKey reads the form's key file, bounded by the form's limit.
func uploadedKey(r *http.Request) ([]byte, error) {
	f, _, err := r.FormFile("key")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyUpload))
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, errors.New("empty key file")
	}
	return data, nil
}

// plausibleAddress is the shape check of a mailbox address typed in a form.
func plausibleAddress(address string) bool {
	at := strings.LastIndexByte(address, '@')
	return at >= 1 && at < len(address)-1 && len(address) <= 254 && !strings.ContainsAny(address, " \t\r\n<>")
}

// mailboxTest tries a mailbox's stored credentials once (users.getProfile)
// and says whether Gmail answered for that mailbox. It changes nothing.
func (s *Server) mailboxTest(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	mb, err := v.Tenant.Mailbox(r.Context(), r.PathValue("id"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	st, err := v.Tenant.GmailState(r.Context(), mb.ID)
	if err != nil || s.cfg.Handlers == nil || st.Status == catalog.StatusDisconnected {
		s.renderMailboxes(w, r, http.StatusConflict, mailboxesPage{Error: "That mailbox has no credentials to test here: it is not connected to Gmail, or this server has no Gmail workers."}, "")
		return
	}
	prof, err := s.cfg.Handlers.GmailProfile(r.Context(), v.Tenant.ID, mb.ID)
	if err != nil {
		s.log.Warn("mailbox test failed", "tenant", v.Tenant.ID, "mailbox", mb.ID, "err", errClass(err))
		s.renderMailboxes(w, r, http.StatusBadGateway, mailboxesPage{Error: "The test failed: Gmail did not accept the stored credentials. " + testAdvice(st.Auth)}, "")
		return
	}
	if catalog.NormalizeAddress(prof.Address) != mb.Address {
		s.renderMailboxes(w, r, http.StatusBadGateway, mailboxesPage{Error: "The test failed: the stored credentials are for another account. " + testAdvice(st.Auth)}, "")
		return
	}
	http.Redirect(w, r, mailboxesPath+"?done=tested", http.StatusSeeOther)
}

func testAdvice(auth string) string {
	if auth == catalog.AuthDelegation {
		return "Check the service account's domain-wide delegation in the Workspace admin console, or upload its key again."
	}
	return "Reconnect the mailbox."
}

// mailboxDisconnect deletes a mailbox's credentials and marks it
// disconnected, after a confirmation: the first POST (the row's button)
// shows what disconnecting does, with a second form that confirms.
func (s *Server) mailboxDisconnect(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	v := viewerFrom(r.Context())
	mb, err := v.Tenant.Mailbox(r.Context(), r.PathValue("id"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	st, err := v.Tenant.GmailState(r.Context(), mb.ID)
	if errors.Is(err, catalog.ErrNoGmail) || err == nil && st.Status == catalog.StatusDisconnected {
		s.renderMailboxes(w, r, http.StatusConflict, mailboxesPage{Error: "That mailbox is not connected to Gmail."}, "")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		s.renderMailboxes(w, r, http.StatusOK, mailboxesPage{Confirm: &mailboxRow{ID: mb.ID, Address: mb.Address}}, "")
		return
	}
	if err := v.Tenant.DisconnectMailbox(r.Context(), mb.ID, v.Actor()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, mailboxesPath+"?done=disconnected", http.StatusSeeOther)
}
