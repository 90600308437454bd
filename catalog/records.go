package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// Matters returns the tenant's registry of matters and contracts (empty if
// none was imported yet): a copy of its own, which the caller may change.
// The decoded registry is kept by ETag (see listCache): a read costs a Stat
// unless the registry changed.
func (t *Tenant) Matters(ctx context.Context) (*classify.Registry, error) {
	key, err := storage.MattersKey(t.ID)
	if err != nil {
		return nil, err
	}
	// The ETag first, the content after: what is cached under an ETag is
	// that version or a newer one, which the next Stat tells apart.
	info, err := t.s.Stat(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return &classify.Registry{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tenant %s matters: %w", t.ID, err)
	}
	if reg, ok := t.lists.cachedMatters(info.ETag); ok {
		return reg, nil
	}
	reg, err := t.readMatters(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return &classify.Registry{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tenant %s matters: %w", t.ID, err)
	}
	t.lists.putMatters(info.ETag, reg)
	return reg, nil
}

// MatterIndex returns the tenant's registry compiled under pol, rebuilt
// only when the stored registry or the policy changed.
func (t *Tenant) MatterIndex(ctx context.Context, pol classify.Policy) (*classify.Index, error) {
	key, err := storage.MattersKey(t.ID)
	if err != nil {
		return nil, err
	}
	pj, err := json.Marshal(pol)
	if err != nil {
		return nil, err
	}
	// The registry changes rarely (an import of matters): its ETag is
	// compared at most every recordTTL, and at once after a change
	// through this tenant.
	t.ixMu.Lock()
	if t.ix != nil && t.ixETag != "" && t.ixPolicy == string(pj) && t.cache.registryChecked() {
		ix := t.ix
		t.ixMu.Unlock()
		return ix, nil
	}
	t.ixMu.Unlock()
	gen := t.cache.start()
	etag := ""
	if info, err := t.s.Stat(ctx, key); err == nil {
		etag = info.ETag
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("tenant %s matters: %w", t.ID, err)
	}
	t.ixMu.Lock()
	defer t.ixMu.Unlock()
	if t.ix != nil && etag != "" && t.ixETag == etag && t.ixPolicy == string(pj) {
		t.cache.putRegistryChecked(gen)
		return t.ix, nil
	}
	reg, err := t.Matters(ctx)
	if err != nil {
		return nil, err
	}
	ix, err := classify.NewIndex(reg, pol)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: %w", t.ID, err)
	}
	t.ix, t.ixETag, t.ixPolicy = ix, etag, string(pj)
	if etag != "" {
		t.cache.putRegistryChecked(gen)
	}
	return ix, nil
}

// SaveMatters replaces the tenant's registry.
func (t *Tenant) SaveMatters(ctx context.Context, reg *classify.Registry) error {
	key, err := storage.MattersKey(t.ID)
	if err != nil {
		return err
	}
	if err := t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, reg, storage.PutOptions{}); err != nil {
		return fmt.Errorf("tenant %s matters: %w", t.ID, err)
	}
	return nil
}

// Settings are a firm's own choices; empty fields take the deployment's
// defaults. A list set to an empty (non-nil) list is a choice too: none.
type Settings struct {
	MatterLabelPrefix string `json:"matter_label_prefix,omitempty"`
	FilingLabel       string `json:"filing_label,omitempty"`
	// The thresholds are pointers: 0 is a valid review threshold (never
	// call a message not matter-related), not "unset".
	FileThreshold   *float64 `json:"file_threshold,omitempty"`
	ReviewThreshold *float64 `json:"review_threshold,omitempty"`
	// The lists replace the deployment's; nil (null) keeps it.
	NumberPatterns  []string `json:"number_patterns"`
	NumberStopWords []string `json:"number_stop_words"`
	PublicDomains   []string `json:"public_domains"`
	// WorkspaceDomain is the firm's Google Workspace domain (such as
	// firm.example): "Sign in with Google" admits accounts of that
	// Workspace only, by the ID token's hd claim. Empty: no Google
	// sign-in for the firm.
	WorkspaceDomain string `json:"workspace_domain,omitempty"`
}

// Policy applies the settings over the deployment's policy.
func (s Settings) Policy(base classify.Policy) classify.Policy {
	if s.MatterLabelPrefix != "" {
		base.MatterLabelPrefix = s.MatterLabelPrefix
	}
	if s.FilingLabel != "" {
		base.FilingLabel = s.FilingLabel
	}
	if s.FileThreshold != nil {
		base.FileThreshold = *s.FileThreshold
	}
	if s.ReviewThreshold != nil {
		base.ReviewThreshold = *s.ReviewThreshold
	}
	if s.NumberPatterns != nil {
		base.NumberPatterns = slices.Clone(s.NumberPatterns)
	}
	if s.NumberStopWords != nil {
		base.NumberStopWords = slices.Clone(s.NumberStopWords)
	}
	if s.PublicDomains != nil {
		base.PublicDomains = slices.Clone(s.PublicDomains)
	}
	return base
}

// Settings returns the tenant's settings (zero if it set none).
func (t *Tenant) Settings(ctx context.Context) (Settings, error) {
	key, err := storage.SettingsKey(t.ID)
	if err != nil {
		return Settings{}, err
	}
	// Read for every message: cached for recordTTL (see recordCache).
	if s, ok := t.cache.getSettings(); ok {
		return s, nil
	}
	gen := t.cache.start()
	var s Settings
	err = t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, &s)
	if errors.Is(err, storage.ErrNotFound) {
		t.cache.putSettings(gen, Settings{})
		return Settings{}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("tenant %s settings: %w", t.ID, err)
	}
	t.cache.putSettings(gen, s)
	return s, nil
}

// SaveSettings replaces the tenant's settings without checking or
// auditing them; changes made by people go through UpdateSettings.
func (t *Tenant) SaveSettings(ctx context.Context, s Settings) error {
	key, err := storage.SettingsKey(t.ID)
	if err != nil {
		return err
	}
	if err := t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, s, storage.PutOptions{}); err != nil {
		return fmt.Errorf("tenant %s settings: %w", t.ID, err)
	}
	return nil
}

// UpdateSettings replaces the tenant's settings with s, by actor by. It
// refuses settings that make an invalid policy over base (the deployment's)
// with an error naming the setting, and audits what changed (the names of
// the settings, not their values).
func (t *Tenant) UpdateSettings(ctx context.Context, s Settings, base classify.Policy, by string) (Settings, error) {
	s, err := s.normalize()
	if err != nil {
		return Settings{}, fmt.Errorf("tenant %s settings: %w", t.ID, err)
	}
	if err := s.Policy(base).Validate(); err != nil {
		return Settings{}, fmt.Errorf("tenant %s settings: %w", t.ID, err)
	}
	old, err := t.Settings(ctx)
	if err != nil {
		return Settings{}, err
	}
	changed := s.changed(old)
	if len(changed) == 0 {
		return s, nil
	}
	detail := "changed: " + strings.Join(changed, ", ")
	if err := t.auditable(by, audit.ActionSettingsUpdate, nil, detail); err != nil {
		return Settings{}, err
	}
	if err := t.SaveSettings(ctx, s); err != nil {
		return Settings{}, err
	}
	return s, t.audit(ctx, by, audit.ActionSettingsUpdate, nil, audit.OK, detail)
}

// ErrWorkspaceDomain is returned when a firm's Google Workspace domain
// is not a domain name.
var ErrWorkspaceDomain = errors.New("workspace domain is not a domain name")

// normalize trims the settings and checks what Policy.Validate does not:
// a stop word is one word (the classifier looks at the single word before
// a number), a public domain is a bare domain.
func (s Settings) normalize() (Settings, error) {
	s.MatterLabelPrefix = strings.TrimSpace(s.MatterLabelPrefix)
	s.FilingLabel = strings.TrimSpace(s.FilingLabel)
	s.WorkspaceDomain = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s.WorkspaceDomain)), "@")
	if d := s.WorkspaceDomain; d != "" && (!strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") ||
		strings.ContainsFunc(d, func(r rune) bool { return !(r == '.' || r == '-' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') })) {
		return s, ErrWorkspaceDomain
	}
	clean := func(in []string, f func(string) string) []string {
		if in == nil {
			return nil
		}
		out := []string{}
		for _, v := range in {
			if v = f(strings.TrimSpace(v)); v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	s.NumberPatterns = clean(s.NumberPatterns, func(v string) string { return v })
	s.NumberStopWords = clean(s.NumberStopWords, strings.ToLower)
	s.PublicDomains = clean(s.PublicDomains, func(v string) string { return strings.TrimPrefix(strings.ToLower(v), "@") })
	for i, w := range s.NumberStopWords {
		if strings.ContainsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			return s, fmt.Errorf("number stop word %d is not a single word", i+1)
		}
	}
	for i, d := range s.PublicDomains {
		if !strings.Contains(d, ".") || strings.ContainsFunc(d, func(r rune) bool { return r == '@' || r == '/' || unicode.IsSpace(r) }) {
			return s, fmt.Errorf("public domain %d is not a domain name", i+1)
		}
	}
	for _, th := range []struct {
		name string
		v    *float64
	}{{"file threshold", s.FileThreshold}, {"review threshold", s.ReviewThreshold}} {
		if th.v != nil && (math.IsNaN(*th.v) || *th.v < 0 || *th.v > 1) {
			return s, fmt.Errorf("%s is outside [0,1]", th.name)
		}
	}
	return s, nil
}

// changed names the settings that differ from old.
func (s Settings) changed(old Settings) []string {
	var out []string
	num := func(a, b *float64) bool {
		return (a == nil) != (b == nil) || a != nil && *a != *b
	}
	list := func(a, b []string) bool { return (a == nil) != (b == nil) || !slices.Equal(a, b) }
	for _, c := range []struct {
		name string
		diff bool
	}{
		{"matter_label_prefix", s.MatterLabelPrefix != old.MatterLabelPrefix},
		{"filing_label", s.FilingLabel != old.FilingLabel},
		{"file_threshold", num(s.FileThreshold, old.FileThreshold)},
		{"review_threshold", num(s.ReviewThreshold, old.ReviewThreshold)},
		{"number_patterns", list(s.NumberPatterns, old.NumberPatterns)},
		{"number_stop_words", list(s.NumberStopWords, old.NumberStopWords)},
		{"public_domains", list(s.PublicDomains, old.PublicDomains)},
		{"workspace_domain", s.WorkspaceDomain != old.WorkspaceDomain},
	} {
		if c.diff {
			out = append(out, c.name)
		}
	}
	return out
}

// Mailbox is a mailbox of the tenant. Its ID is derived from the address
// with the tenant's PRF, so the same address always maps to the same ID and
// the ID reveals nothing.
type Mailbox struct {
	ID      string    `json:"id"`
	Address string    `json:"address"`
	Added   time.Time `json:"added"`
}

// NormalizeAddress is the form mailbox addresses are compared in.
func NormalizeAddress(addr string) string { return strings.ToLower(strings.TrimSpace(addr)) }

// EnsureMailbox returns the mailbox for addr, recording it on first use.
func (t *Tenant) EnsureMailbox(ctx context.Context, addr string) (Mailbox, error) {
	addr = NormalizeAddress(addr)
	id, err := t.mailboxID(addr)
	if err != nil {
		return Mailbox{}, err
	}
	key, err := storage.MailboxKey(t.ID, id)
	if err != nil {
		return Mailbox{}, err
	}
	mb := Mailbox{ID: id, Address: addr, Added: time.Now().UTC()}
	err = t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, mb, storage.PutOptions{CreateOnly: true})
	if errors.Is(err, storage.ErrExists) {
		return t.Mailbox(ctx, id)
	}
	if err != nil {
		return Mailbox{}, fmt.Errorf("tenant %s mailbox %s: %w", t.ID, id, err)
	}
	return mb, nil
}

// MailboxByAddress returns the mailbox of addr without recording one.
func (t *Tenant) MailboxByAddress(ctx context.Context, addr string) (Mailbox, error) {
	id, err := t.mailboxID(addr)
	if err != nil {
		return Mailbox{}, err
	}
	return t.Mailbox(ctx, id)
}

func (t *Tenant) mailboxID(addr string) (string, error) {
	addr = NormalizeAddress(addr)
	if addr == "" {
		return "", errors.New("mailbox address is empty")
	}
	id, err := t.s.DeriveID("mailbox", []byte(addr))
	if err != nil {
		return "", err
	}
	return "mb-" + id[:24], nil
}

// Mailbox returns the mailbox with the given ID.
func (t *Tenant) Mailbox(ctx context.Context, id string) (Mailbox, error) {
	key, err := storage.MailboxKey(t.ID, id)
	if err != nil {
		return Mailbox{}, err
	}
	// A mailbox record never changes once recorded; one read under this
	// tenant's keys (which is what proves the mailbox is the tenant's)
	// serves for recordTTL.
	if mb, ok := t.cache.getMailbox(id); ok {
		return mb, nil
	}
	var mb Mailbox
	if err := t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindRecord}, &mb); err != nil {
		return Mailbox{}, fmt.Errorf("tenant %s mailbox %s: %w", t.ID, id, err)
	}
	if mb.ID == id {
		t.cache.putMailbox(mb)
	}
	return mb, nil
}

// Mailboxes lists the tenant's mailboxes.
func (t *Tenant) Mailboxes(ctx context.Context) ([]Mailbox, error) {
	prefix, err := storage.MailboxesPrefix(t.ID)
	if err != nil {
		return nil, err
	}
	var keys []string
	if err := t.s.List(ctx, prefix, func(i storage.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		return nil, fmt.Errorf("tenant %s mailboxes: %w", t.ID, err)
	}
	out := make([]Mailbox, 0, len(keys))
	for _, k := range keys {
		mb, err := t.Mailbox(ctx, strings.TrimPrefix(k, prefix))
		if err != nil {
			return nil, err
		}
		out = append(out, mb)
	}
	return out, nil
}

// Event is a follow-up event, recorded once per event ID.
type Event struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Message string `json:"message"`
	State   string `json:"state"`
	Target  string `json:"target,omitempty"`
	// From is where a refiled message was before ("review" or a target).
	From string    `json:"from,omitempty"`
	Time time.Time `json:"time"`
}

// RecordEvent stores ev create-only; recording the same event twice is not
// an error.
func (t *Tenant) RecordEvent(ctx context.Context, ev Event) error {
	key, err := storage.EventKey(t.ID, ev.ID)
	if err != nil {
		return err
	}
	err = t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindEvent}, ev, storage.PutOptions{CreateOnly: true})
	if err != nil && !errors.Is(err, storage.ErrExists) {
		return fmt.Errorf("tenant %s event %s: %w", t.ID, ev.ID, err)
	}
	return nil
}

// Event returns a recorded event.
func (t *Tenant) Event(ctx context.Context, id string) (Event, error) {
	key, err := storage.EventKey(t.ID, id)
	if err != nil {
		return Event{}, err
	}
	var ev Event
	err = t.getJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindEvent}, &ev)
	return ev, err
}

// Failure records why a message could not be filed.
type Failure struct {
	Message string    `json:"message"`
	Mailbox string    `json:"mailbox"`
	Reason  string    `json:"reason"`
	Time    time.Time `json:"time"`
}

// RecordFailure stores (or replaces) the failure record of a message.
func (t *Tenant) RecordFailure(ctx context.Context, f Failure) error {
	key, err := storage.FailureKey(t.ID, f.Message)
	if err != nil {
		return err
	}
	if err := t.putJSON(ctx, sealed.Place{Key: key, Kind: sealed.KindFailure}, f, storage.PutOptions{}); err != nil {
		return fmt.Errorf("tenant %s failure %s: %w", t.ID, f.Message, err)
	}
	return nil
}

// ClearFailure removes a message's failure record once it is filed.
func (t *Tenant) ClearFailure(ctx context.Context, msg string) error {
	key, err := storage.FailureKey(t.ID, msg)
	if err != nil {
		return err
	}
	if err := t.s.Delete(ctx, key); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	return nil
}

// Failures lists the tenant's failure records.
func (t *Tenant) Failures(ctx context.Context) ([]Failure, error) {
	prefix, err := storage.FailuresPrefix(t.ID)
	if err != nil {
		return nil, err
	}
	var keys []string
	if err := t.s.List(ctx, prefix, func(i storage.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		return nil, err
	}
	var out []Failure
	for _, k := range keys {
		var f Failure
		if err := t.getJSON(ctx, sealed.Place{Key: k, Kind: sealed.KindFailure}, &f); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}
