package catalog

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// Webhook is where a firm receives its follow-up events, and the secret
// they are signed with. It is sealed as a secret (kind secret, under the
// tenant keyset) and opened only in the process that signs.
type Webhook struct {
	URL    string `json:"url"`
	Secret []byte `json:"secret"`
}

// ErrNoWebhook is a tenant without a webhook.
var ErrNoWebhook = errors.New("no webhook configured")

// MinWebhookSecretLen keeps guessable signing secrets out.
const MinWebhookSecretLen = 32

// ValidateWebhookURL accepts an absolute https URL with a host, and plain
// http only to this machine's loopback (127.0.0.1, ::1 or localhost): a
// receiver on the same host, as in tests and local development. Events
// leave the machine over TLS only. User info and fragments are refused.
// The error never quotes the URL.
func ValidateWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("webhook URL does not parse")
	}
	if u.Host == "" || u.Hostname() == "" {
		return errors.New("webhook URL has no host")
	}
	if u.User != nil {
		return errors.New("webhook URL must not carry a user or password")
	}
	if u.Fragment != "" {
		return errors.New("webhook URL must not carry a fragment")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopbackHost(u.Hostname()) {
			return nil
		}
		return errors.New("webhook URL must be https (plain http only to 127.0.0.1, ::1 or localhost)")
	default:
		return errors.New("webhook URL must be https")
	}
}

// IsLoopbackHost reports whether host is localhost or a loopback address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (w Webhook) validate() error {
	if err := ValidateWebhookURL(w.URL); err != nil {
		return err
	}
	if len(w.Secret) < MinWebhookSecretLen {
		return fmt.Errorf("webhook secret is %d bytes, fewer than %d", len(w.Secret), MinWebhookSecretLen)
	}
	return nil
}

// Webhook returns the tenant's webhook, or ErrNoWebhook.
func (t *Tenant) Webhook(ctx context.Context) (Webhook, error) { return t.webhook(ctx, true) }

// webhook reads the webhook; cached says whether a cached absence will do
// (changes to the webhook read it fresh).
func (t *Tenant) webhook(ctx context.Context, cached bool) (Webhook, error) {
	key, err := storage.WebhookKey(t.ID)
	if err != nil {
		return Webhook{}, err
	}
	// Every filing's event asks; a tenant without a webhook is
	// remembered for recordTTL (a webhook set meanwhile by another
	// process starts that much later). A webhook itself is always read.
	if cached && t.cache.noWebhook() {
		return Webhook{}, fmt.Errorf("tenant %s: %w", t.ID, ErrNoWebhook)
	}
	gen := t.cache.start()
	var w Webhook
	err = t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindSecret}, &w)
	if errors.Is(err, storage.ErrNotFound) {
		t.cache.putNoWebhook(gen)
		return Webhook{}, fmt.Errorf("tenant %s: %w", t.ID, ErrNoWebhook)
	}
	if err != nil {
		return Webhook{}, fmt.Errorf("tenant %s webhook: %w", t.ID, err)
	}
	return w, nil
}

// SetWebhook replaces the tenant's webhook, by actor by. The change is
// audited as settings.update naming the fields that changed, never their
// values.
func (t *Tenant) SetWebhook(ctx context.Context, w Webhook, by string) error {
	if err := w.validate(); err != nil {
		return fmt.Errorf("tenant %s: %w", t.ID, err)
	}
	old, err := t.webhook(ctx, false)
	if err != nil && !errors.Is(err, ErrNoWebhook) {
		return err
	}
	var changed []string
	if old.URL != w.URL {
		changed = append(changed, "webhook_url")
	}
	if string(old.Secret) != string(w.Secret) {
		changed = append(changed, "webhook_secret")
	}
	if len(changed) == 0 {
		return nil
	}
	detail := "changed: " + strings.Join(changed, ", ")
	if err := t.auditable(by, audit.ActionSettingsUpdate, nil, detail); err != nil {
		return err
	}
	key, err := storage.WebhookKey(t.ID)
	if err != nil {
		return err
	}
	if err := t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindSecret}, w, storage.PutOptions{}); err != nil {
		return fmt.Errorf("tenant %s webhook: %w", t.ID, err)
	}
	return t.audit(ctx, by, audit.ActionSettingsUpdate, nil, audit.OK, detail)
}

// ClearWebhook removes the tenant's webhook, by actor by; events are
// still recorded, and no longer sent.
func (t *Tenant) ClearWebhook(ctx context.Context, by string) error {
	if _, err := t.webhook(ctx, false); err != nil {
		return err
	}
	const detail = "changed: webhook_url, webhook_secret (cleared)"
	if err := t.auditable(by, audit.ActionSettingsUpdate, nil, detail); err != nil {
		return err
	}
	key, err := storage.WebhookKey(t.ID)
	if err != nil {
		return err
	}
	defer t.cache.changed()
	if err := t.s.Delete(ctx, key); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("tenant %s webhook: %w", t.ID, err)
	}
	return t.audit(ctx, by, audit.ActionSettingsUpdate, nil, audit.OK, detail)
}

// WebhookDelivery records that an event was accepted by the webhook.
type WebhookDelivery struct {
	Event    string    `json:"event"`
	Status   int       `json:"status"`
	Attempts int       `json:"attempts"`
	Time     time.Time `json:"time"`
}

// RecordWebhookDelivery records d create-only (a second delivery of the
// same event keeps the first record) and removes any dead letter of it.
func (t *Tenant) RecordWebhookDelivery(ctx context.Context, d WebhookDelivery) error {
	key, err := storage.WebhookDeliveryKey(t.ID, d.Event)
	if err != nil {
		return err
	}
	err = t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, d, storage.PutOptions{CreateOnly: true})
	if err != nil && !errors.Is(err, storage.ErrExists) {
		return fmt.Errorf("tenant %s webhook delivery %s: %w", t.ID, d.Event, err)
	}
	return t.ClearWebhookFailure(ctx, d.Event)
}

// WebhookDelivered returns the delivery record of event ev, or an error
// wrapping storage.ErrNotFound if it was not delivered.
func (t *Tenant) WebhookDelivered(ctx context.Context, ev string) (WebhookDelivery, error) {
	key, err := storage.WebhookDeliveryKey(t.ID, ev)
	if err != nil {
		return WebhookDelivery{}, err
	}
	var d WebhookDelivery
	err = t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, &d)
	return d, err
}

// WebhookFailure is a dead letter: an event the webhook did not accept
// before the retries ran out, or refused for good. It holds IDs, the last
// HTTP status (0: no answer) and an error class, never the body.
type WebhookFailure struct {
	Event    string    `json:"event"`
	Message  string    `json:"message"`
	Status   int       `json:"status"`
	Reason   string    `json:"reason"`
	Attempts int       `json:"attempts"`
	Time     time.Time `json:"time"`
}

// RecordWebhookFailure stores (or replaces) the dead letter of an event.
func (t *Tenant) RecordWebhookFailure(ctx context.Context, f WebhookFailure) error {
	key, err := storage.WebhookFailureKey(t.ID, f.Event)
	if err != nil {
		return err
	}
	if err := t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindFailure}, f, storage.PutOptions{}); err != nil {
		return fmt.Errorf("tenant %s webhook failure %s: %w", t.ID, f.Event, err)
	}
	return nil
}

// WebhookFailure returns the dead letter of event ev.
func (t *Tenant) WebhookFailure(ctx context.Context, ev string) (WebhookFailure, error) {
	key, err := storage.WebhookFailureKey(t.ID, ev)
	if err != nil {
		return WebhookFailure{}, err
	}
	var f WebhookFailure
	if err := t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindFailure}, &f); err != nil {
		return WebhookFailure{}, fmt.Errorf("tenant %s webhook failure %s: %w", t.ID, ev, err)
	}
	return f, nil
}

// ClearWebhookFailure removes the dead letter of event ev, if any.
func (t *Tenant) ClearWebhookFailure(ctx context.Context, ev string) error {
	key, err := storage.WebhookFailureKey(t.ID, ev)
	if err != nil {
		return err
	}
	if err := t.s.Delete(ctx, key); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	return nil
}

// WebhookFailures lists the tenant's dead letters.
func (t *Tenant) WebhookFailures(ctx context.Context) ([]WebhookFailure, error) {
	prefix, err := storage.WebhookFailuresPrefix(t.ID)
	if err != nil {
		return nil, err
	}
	var keys []string
	if err := t.s.List(ctx, prefix, func(i storage.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		return nil, err
	}
	out := []WebhookFailure{}
	for _, k := range keys {
		var f WebhookFailure
		if err := t.getJSON(ctx, sealed.Place{Key: k, Kind: sealed.KindFailure}, &f); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}
