package catalog

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// twoCatalogs are two processes' catalogs over one store.
func twoCatalogs(t *testing.T) (*Tenant, *Tenant) {
	t.Helper()
	ctx := context.Background()
	newLocal := func() *storage.Local {
		bs, err := storage.NewLocal(t.TempDir())
		require.NoError(t, err)
		t.Cleanup(func() { bs.Close() })
		return bs
	}
	bs, ks := newLocal(), newLocal()
	root, err := sealed.OpenRootKey("file://"+filepath.Join(t.TempDir(), "root.key"), true)
	require.NoError(t, err)
	var out []*Tenant
	for range 2 {
		c, err := New(bs, sealed.Keyring{Store: ks, Root: root})
		require.NoError(t, err)
		_, err = c.EnsureTenant(ctx, "firm-a")
		require.NoError(t, err)
		tn, err := c.Open(ctx, "firm-a")
		require.NoError(t, err)
		out = append(out, tn)
	}
	return out[0], out[1]
}

// TestRecordCache: a write through the tenant is seen by its next read; a
// write by another process within recordTTL.
func TestRecordCache(t *testing.T) {
	ctx := context.Background()
	worker, admin := twoCatalogs(t)
	now := time.Now()
	worker.cache.now = func() time.Time { return now }

	s, err := worker.Settings(ctx)
	require.NoError(t, err)
	require.Empty(t, s.FilingLabel)
	require.NoError(t, admin.SaveSettings(ctx, Settings{FilingLabel: "Elsewhere"}))
	s, err = worker.Settings(ctx)
	require.NoError(t, err)
	require.Empty(t, s.FilingLabel, "another process's change is seen within recordTTL, not at once")
	now = now.Add(recordTTL)
	s, err = worker.Settings(ctx)
	require.NoError(t, err)
	require.Equal(t, "Elsewhere", s.FilingLabel)
	require.NoError(t, worker.SaveSettings(ctx, Settings{FilingLabel: "Mine", PublicDomains: []string{}}))
	s, err = worker.Settings(ctx)
	require.NoError(t, err)
	require.Equal(t, "Mine", s.FilingLabel, "its own change is seen at once")
	require.NotNil(t, s.PublicDomains, "an empty list stays a choice")
	s.PublicDomains = append(s.PublicDomains, "x.example")
	s, err = worker.Settings(ctx)
	require.NoError(t, err)
	require.Empty(t, s.PublicDomains, "a caller cannot change the cached copy")

	// The absence of a webhook is cached; a webhook is not.
	_, err = worker.Webhook(ctx)
	require.ErrorIs(t, err, ErrNoWebhook)
	w := Webhook{URL: "https://hooks.example/x", Secret: make([]byte, MinWebhookSecretLen)}
	require.NoError(t, admin.SetWebhook(ctx, w, "user:admin"))
	_, err = worker.Webhook(ctx)
	require.ErrorIs(t, err, ErrNoWebhook)
	now = now.Add(recordTTL)
	got, err := worker.Webhook(ctx)
	require.NoError(t, err)
	require.Equal(t, w.URL, got.URL)
	require.NoError(t, worker.ClearWebhook(ctx, "user:admin"))
	_, err = worker.Webhook(ctx)
	require.ErrorIs(t, err, ErrNoWebhook)
	require.NoError(t, worker.SetWebhook(ctx, w, "user:admin"), "a change reads the webhook fresh")
	_, err = worker.Webhook(ctx)
	require.NoError(t, err)

	// The registry: a change through the tenant is used at once.
	pol := classify.DefaultPolicy()
	ix, err := worker.MatterIndex(ctx, pol)
	require.NoError(t, err)
	reg := &classify.Registry{}
	_, _, err = reg.Merge([]classify.Target{{ID: "m-1", Number: "2024-0001", Kind: "matter", Client: "acme"}})
	require.NoError(t, err)
	require.NoError(t, worker.SaveMatters(ctx, reg))
	ix2, err := worker.MatterIndex(ctx, pol)
	require.NoError(t, err)
	require.NotSame(t, ix, ix2)
	ix3, err := worker.MatterIndex(ctx, pol)
	require.NoError(t, err)
	require.Same(t, ix2, ix3)
	require.NoError(t, admin.SaveMatters(ctx, &classify.Registry{}))
	ix4, err := worker.MatterIndex(ctx, pol)
	require.NoError(t, err)
	require.Same(t, ix2, ix4, "another process's registry is compared within recordTTL")
	now = now.Add(recordTTL)
	ix5, err := worker.MatterIndex(ctx, pol)
	require.NoError(t, err)
	require.NotSame(t, ix2, ix5)

	// Mailboxes: only a record read under this tenant's keys is cached.
	mb, err := admin.EnsureMailbox(ctx, "ann@firm.example")
	require.NoError(t, err)
	got2, err := worker.Mailbox(ctx, mb.ID)
	require.NoError(t, err)
	require.Equal(t, mb.ID, got2.ID)
	_, err = worker.Mailbox(ctx, "mb-0000")
	require.True(t, errors.Is(err, storage.ErrNotFound))
}
