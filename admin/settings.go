package admin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/worker"
)

// The settings page: admins choose the Gmail labels that ask for filing,
// the confidence thresholds, the firm's Google Workspace domain (whose
// accounts may "Sign in with Google"), and the webhook that receives the
// firm's events. The webhook's secret is never shown again once set.

func (s *Server) settingsRoutes() {
	admin := s.requireRole(catalog.RoleAdmin)
	s.mux.Handle("GET /settings", admin(s.settingsShow))
	s.mux.Handle("POST /settings", admin(s.settingsSave))
	s.mux.Handle("POST /settings/webhook", admin(s.webhookSave))
	s.mux.Handle("POST /settings/webhook/clear", admin(s.webhookClear))
	s.addNav("Settings", "/settings", catalog.RoleAdmin)
}

// settingsBasePolicy is the deployment's policy the tenant's settings
// apply over (Config.Policy).
func (s *Server) settingsBasePolicy() classify.Policy {
	if s.cfg.Policy != nil {
		return *s.cfg.Policy
	}
	return classify.DefaultPolicy()
}

// settingsPage is the data of templates/settings.html.
type settingsPage struct {
	// Form holds the fields as shown: the tenant's own values, or what
	// was posted when refused.
	Form settingsForm
	// Effective is the policy in force.
	Effective    classify.Policy
	Error        string
	WebhookURL   string
	WebhookSet   bool
	WebhookError string
	// GoogleSignIn: the deployment offers "Sign in with Google".
	GoogleSignIn bool
}

type settingsForm struct {
	MatterLabelPrefix, FilingLabel, FileThreshold, ReviewThreshold string
	WorkspaceDomain                                                string
}

var settingsNotices = map[string]string{
	"settings":       "Settings saved.",
	"webhook":        "Webhook saved.",
	"webhook-clear":  "Webhook removed; events are no longer sent.",
	"webhook-absent": "There was no webhook to remove.",
}

func settingsFormOf(st catalog.Settings) settingsForm {
	f := settingsForm{MatterLabelPrefix: st.MatterLabelPrefix, FilingLabel: st.FilingLabel, WorkspaceDomain: st.WorkspaceDomain}
	if st.FileThreshold != nil {
		f.FileThreshold = strconv.FormatFloat(*st.FileThreshold, 'g', -1, 64)
	}
	if st.ReviewThreshold != nil {
		f.ReviewThreshold = strconv.FormatFloat(*st.ReviewThreshold, 'g', -1, 64)
	}
	return f
}

func (s *Server) settingsShow(w http.ResponseWriter, r *http.Request) {
	s.renderSettings(w, r, http.StatusOK, settingsPage{}, false, settingsNotices[r.URL.Query().Get("done")])
}

// renderSettings fills the page; keepForm keeps p.Form (a refused post).
func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, p settingsPage, keepForm bool, note string) {
	v := viewerFrom(r.Context())
	st, err := v.Tenant.Settings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !keepForm {
		p.Form = settingsFormOf(st)
	}
	p.Effective = st.Policy(s.settingsBasePolicy())
	p.GoogleSignIn = s.cfg.Google != nil
	wh, err := v.Tenant.Webhook(r.Context())
	switch {
	case err == nil:
		p.WebhookURL, p.WebhookSet = wh.URL, true
	case !errors.Is(err, catalog.ErrNoWebhook):
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "settings", note, p)
}

// threshold reads a threshold field; empty means the deployment's.
func settingsThreshold(name, v string) (*float64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return nil, errors.New("the " + name + " must be a number between 0 and 1")
	}
	return &f, nil
}

func (s *Server) settingsSave(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	if !parseForm(w, r) {
		return
	}
	f := settingsForm{
		MatterLabelPrefix: r.PostFormValue("matter_label_prefix"), FilingLabel: r.PostFormValue("filing_label"),
		FileThreshold: r.PostFormValue("file_threshold"), ReviewThreshold: r.PostFormValue("review_threshold"),
		WorkspaceDomain: r.PostFormValue("workspace_domain"),
	}
	again := func(msg string) {
		s.renderSettings(w, r, http.StatusUnprocessableEntity, settingsPage{Form: f, Error: msg}, true, "")
	}
	st, err := v.Tenant.Settings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st.MatterLabelPrefix, st.FilingLabel = strings.TrimSpace(f.MatterLabelPrefix), strings.TrimSpace(f.FilingLabel)
	// A form without the field (an older page) keeps the domain; the
	// field left empty removes it: no Google sign-in for the firm.
	if _, ok := r.PostForm["workspace_domain"]; ok {
		st.WorkspaceDomain = strings.TrimSpace(f.WorkspaceDomain)
	} else {
		f.WorkspaceDomain = st.WorkspaceDomain
	}
	if st.FileThreshold, err = settingsThreshold("file threshold", f.FileThreshold); err != nil {
		again(err.Error())
		return
	}
	if st.ReviewThreshold, err = settingsThreshold("review threshold", f.ReviewThreshold); err != nil {
		again(err.Error())
		return
	}
	// The labels must not match matterfile's own, as the command line
	// checks (cmd/matterfile tenants settings).
	pol := st.Policy(s.settingsBasePolicy())
	for _, own := range []string{worker.DefaultFiledLabelPrefix + "x", worker.DefaultReviewLabel} {
		if pol.IsFilingLabel(own) {
			again("The filing labels would match matterfile's own label " + own + ".")
			return
		}
	}
	if _, err := v.Tenant.UpdateSettings(r.Context(), st, s.settingsBasePolicy(), v.Actor()); err != nil {
		if errors.Is(err, catalog.ErrWorkspaceDomain) {
			again("Not saved: the Google Workspace domain must be a domain name, such as firm.example.")
			return
		}
		again("Not saved: " + err.Error())
		return
	}
	http.Redirect(w, r, "/settings?done=settings", http.StatusSeeOther)
}

func (s *Server) webhookSave(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	if !parseForm(w, r) {
		return
	}
	again := func(msg string) {
		s.renderSettings(w, r, http.StatusUnprocessableEntity, settingsPage{WebhookError: msg}, false, "")
	}
	wh := catalog.Webhook{URL: strings.TrimSpace(r.PostFormValue("webhook_url")), Secret: []byte(r.PostFormValue("webhook_secret"))}
	if err := catalog.ValidateWebhookURL(wh.URL); err != nil {
		again("Not saved: " + err.Error() + ".")
		return
	}
	if len(wh.Secret) == 0 {
		// An empty secret field keeps the secret set before.
		old, err := v.Tenant.Webhook(r.Context())
		if errors.Is(err, catalog.ErrNoWebhook) {
			again("Not saved: a new webhook needs a secret.")
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		wh.Secret = old.Secret
	}
	if len(wh.Secret) < catalog.MinWebhookSecretLen {
		again("Not saved: the secret must be at least " + strconv.Itoa(catalog.MinWebhookSecretLen) + " characters.")
		return
	}
	if err := v.Tenant.SetWebhook(r.Context(), wh, v.Actor()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/settings?done=webhook", http.StatusSeeOther)
}

func (s *Server) webhookClear(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	err := v.Tenant.ClearWebhook(r.Context(), v.Actor())
	if errors.Is(err, catalog.ErrNoWebhook) {
		http.Redirect(w, r, "/settings?done=webhook-absent", http.StatusSeeOther)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/settings?done=webhook-clear", http.StatusSeeOther)
}
