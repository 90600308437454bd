package catalog

import (
	"sync"
	"time"

	"github.com/matterfile/matterfile/storage"
)

// recordTTL is how long a tenant reuses the settings, mailbox records, the
// absence of a webhook and the registry's ETag it read, instead of asking
// the store again for every message (a round trip each on S3). Writes
// through this Tenant drop what they change at once; a change made by
// another process (the CLI, the web server) is seen within recordTTL, as
// if it had been made that much later. Nothing sealed is cached that the
// same process could not read back at will, and only in memory.
const recordTTL = 5 * time.Second

// recordCache holds a tenant's short-lived copies of records. Each write
// through the tenant bumps gen; a value read from the store is cached only
// if no write began since the read did (start), so that a read racing a
// local write never caches what the write replaced.
type recordCache struct {
	mu sync.Mutex
	// now is the clock; tests may replace it.
	now func() time.Time
	gen uint64

	settings   Settings
	settingsAt time.Time // zero: not cached
	// mailboxes are immutable once recorded (EnsureMailbox is
	// create-only), and only ever read back under this tenant's keys.
	mailboxes map[string]cachedMailbox
	// noWebhookAt is when the tenant was last seen without a webhook.
	// Only the absence is cached: a webhook's URL and secret are read
	// fresh for every delivery, so a changed secret is used at once.
	noWebhookAt time.Time
	// ixCheckedAt is when the registry's ETag was last compared.
	ixCheckedAt time.Time
}

type cachedMailbox struct {
	mb Mailbox
	at time.Time
}

// maxCachedMailboxes bounds the mailbox cache; past it, it starts over.
const maxCachedMailboxes = 4096

func (c *recordCache) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// fresh reports whether something cached at at is still to be used.
func (c *recordCache) fresh(at time.Time) bool {
	return !at.IsZero() && c.clock().Sub(at) < recordTTL
}

// start is called before reading something to cache; its result goes to
// the matching put.
func (c *recordCache) start() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// changed drops every cached record but the mailboxes: a write through
// this tenant (settings, webhook, registry) is seen by its next read.
func (c *recordCache) changed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.settingsAt, c.noWebhookAt, c.ixCheckedAt = time.Time{}, time.Time{}, time.Time{}
}

// caches reports whether the object under key is one whose reads are
// cached: settings, webhook, registry.
func (c *recordCache) caches(tenant, key string) bool {
	for _, f := range []func(string) (string, error){storage.SettingsKey, storage.WebhookKey, storage.MattersKey} {
		if k, err := f(tenant); err == nil && k == key {
			return true
		}
	}
	return false
}

func (c *recordCache) getSettings() (Settings, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.fresh(c.settingsAt) {
		return Settings{}, false
	}
	return c.settings.clone(), true
}

func (c *recordCache) putSettings(gen uint64, s Settings) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen == c.gen {
		c.settings, c.settingsAt = s.clone(), c.clock()
	}
}

func (c *recordCache) getMailbox(id string) (Mailbox, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.mailboxes[id]
	if !ok || !c.fresh(m.at) {
		return Mailbox{}, false
	}
	return m.mb, true
}

func (c *recordCache) putMailbox(mb Mailbox) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mailboxes == nil || len(c.mailboxes) >= maxCachedMailboxes {
		c.mailboxes = map[string]cachedMailbox{}
	}
	c.mailboxes[mb.ID] = cachedMailbox{mb: mb, at: c.clock()}
}

func (c *recordCache) noWebhook() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fresh(c.noWebhookAt)
}

func (c *recordCache) putNoWebhook(gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen == c.gen {
		c.noWebhookAt = c.clock()
	}
}

// registryChecked reports whether the registry's ETag was compared within
// recordTTL.
func (c *recordCache) registryChecked() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fresh(c.ixCheckedAt)
}

func (c *recordCache) putRegistryChecked(gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen == c.gen {
		c.ixCheckedAt = c.clock()
	}
}

// clone copies s with lists of its own, so that a cached copy is never
// changed through what a caller was given.
func (s Settings) clone() Settings {
	s.NumberPatterns = cloneList(s.NumberPatterns)
	s.NumberStopWords = cloneList(s.NumberStopWords)
	s.PublicDomains = cloneList(s.PublicDomains)
	if s.FileThreshold != nil {
		v := *s.FileThreshold
		s.FileThreshold = &v
	}
	if s.ReviewThreshold != nil {
		v := *s.ReviewThreshold
		s.ReviewThreshold = &v
	}
	return s
}

// cloneList keeps nil apart from an empty list: they mean different things
// in Settings.
func cloneList(l []string) []string {
	if l == nil {
		return nil
	}
	return append([]string{}, l...)
}
