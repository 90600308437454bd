package worker_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/storage"
)

// logLines is a log's records as "action outcome" for tenant (named as
// "tenant" in its own log, "firm" in the operator's), in order.
func logLines(t *testing.T, ctx context.Context, log *audit.Log, tenant string) []string {
	t.Helper()
	var out []string
	require.NoError(t, log.List(ctx, audit.Filter{}, func(r audit.Record) error {
		if r.Objects["tenant"] == tenant || r.Objects["firm"] == tenant {
			out = append(out, fmt.Sprintf("%s %s", r.Action, r.Outcome))
		}
		return nil
	}))
	return out
}

func TestRetentionShredsTerminatedTenantAfterItsPeriod(t *testing.T) {
	b := setup(t)
	entries, _ := filedSet(t, b)
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	hold, err := tn.PlaceHold(b.ctx, catalog.Hold{Client: "beta"})
	require.NoError(t, err)

	now := time.Now()
	tm, err := b.cat.TerminateTenant(b.ctx, "firm-a", "cli:test", time.Hour, now)
	require.NoError(t, err)
	require.Equal(t, now.UTC().Add(time.Hour), tm.ShredAt)
	_, err = b.cat.TerminateTenant(b.ctx, "firm-a", "cli:test", time.Minute, now)
	require.ErrorContains(t, err, "reinstate it first", "a second termination does not move the date")

	rep, err := b.cat.SweepRetention(b.ctx, now.Add(30*time.Minute), "system:retention")
	require.NoError(t, err)
	require.Equal(t, 1, rep.TenantsPending)
	require.Empty(t, rep.TenantsShredded)

	// Due, but held: refused and audited once a day, however often the
	// sweep runs.
	for _, after := range []time.Duration{2 * time.Hour, 3 * time.Hour} {
		rep, err = b.cat.SweepRetention(b.ctx, now.Add(after), "system:retention")
		require.NoError(t, err)
		require.Equal(t, []string{"firm-a"}, rep.TenantsHeld)
		require.Empty(t, rep.TenantsShredded)
	}
	for _, e := range entries {
		readPart(t, b, e) // still readable
	}

	require.NoError(t, tn.ReleaseHold(b.ctx, hold.ID, "cli:test"))
	old := backup(t, b)
	rep, err = b.cat.SweepRetention(b.ctx, now.Add(4*time.Hour), "system:retention")
	require.NoError(t, err)
	require.Equal(t, []string{"firm-a"}, rep.TenantsShredded)

	// Unreadable: no keys, no objects, and a restored backup meets no keys.
	_, err = b.cat.Open(b.ctx, "firm-a")
	require.ErrorIs(t, err, catalog.ErrNoTenant)
	require.NoError(t, b.bs.List(b.ctx, "tenants/firm-a/", func(i storage.Info) error {
		t.Errorf("object left: %s", i.Key)
		return nil
	}))
	restore(t, b, old, "tenants/firm-a/")
	_, err = b.cat.Open(b.ctx, "firm-a")
	require.ErrorIs(t, err, catalog.ErrNoTenant, "a restored backup meets no keys")
	tms, err := b.cat.Terminations(b.ctx)
	require.NoError(t, err)
	require.Empty(t, tms)
	er, err := b.cat.TenantErasure(b.ctx, "firm-a")
	require.NoError(t, err)
	require.Equal(t, "system:retention", er.By)

	// The deletion's audit survives it, in the operator's log.
	oplog, err := b.cat.OperatorLog(b.ctx)
	require.NoError(t, err)
	require.Equal(t, []string{
		"tenant.terminate ok",
		"tenant.shred refused",
		"tenant.shred ok",
		"keys.destroy ok",
	}, logLines(t, b.ctx, oplog, "firm-a"))
	_, err = oplog.Verify(b.ctx)
	require.NoError(t, err)

	// The other firm is untouched.
	other, err := b.cat.Open(context.Background(), "firm-b")
	require.NoError(t, err)
	_, err = other.Matters(b.ctx)
	require.NoError(t, err)
}

func TestReinstatedTenantIsNotShredded(t *testing.T) {
	b := setup(t)
	now := time.Now()
	_, err := b.cat.TerminateTenant(b.ctx, "firm-b", "cli:test", time.Minute, now)
	require.NoError(t, err)
	require.NoError(t, b.cat.ReinstateTenant(b.ctx, "firm-b", "cli:test"))
	rep, err := b.cat.SweepRetention(b.ctx, now.Add(time.Hour), "system:retention")
	require.NoError(t, err)
	require.Empty(t, rep.TenantsShredded)
	tn, err := b.cat.Open(b.ctx, "firm-b")
	require.NoError(t, err)
	require.Equal(t, []string{"tenant.terminate ok", "tenant.reinstate ok"}, logLines(t, b.ctx, tn.Audit(), "firm-b"))
	_, err = b.cat.Termination(b.ctx, "firm-b")
	require.ErrorIs(t, err, catalog.ErrNotTerminated)
}

func TestOperatorLogIDIsReserved(t *testing.T) {
	b := setup(t)
	require.ErrorIs(t, b.cat.CreateTenant(b.ctx, catalog.OperatorLogID), catalog.ErrReserved)
	_, err := b.cat.OperatorLog(b.ctx)
	require.NoError(t, err)
	_, err = b.cat.Open(b.ctx, catalog.OperatorLogID)
	require.ErrorIs(t, err, catalog.ErrNoTenant, "the operator log is not a firm")
	tenants, err := b.cat.Tenants(b.ctx)
	require.NoError(t, err)
	require.NotContains(t, tenants, catalog.OperatorLogID)
}

func TestClosedMatterRetention(t *testing.T) {
	b := setup(t)
	entries, _ := filedSet(t, b)
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	now := time.Now()
	_, err = tn.SetMatterRetention(b.ctx, "m-1", 24*time.Hour, now, "cli:test")
	require.ErrorContains(t, err, "is open")
	require.NoError(t, tn.SetTargetStatus(b.ctx, "m-1", classify.StatusClosed, "cli:test"))
	r, err := tn.SetMatterRetention(b.ctx, "m-1", 24*time.Hour, now, "cli:test")
	require.NoError(t, err)
	require.Equal(t, now.UTC().Add(24*time.Hour), r.Due())

	var acme, beta []catalog.IndexEntry
	for _, e := range entries {
		switch {
		case e.State == catalog.StateFiled && e.Matter == "m-1":
			acme = append(acme, e)
		case e.State == catalog.StateFiled && e.Matter == "m-2":
			beta = append(beta, e)
		}
	}
	require.Len(t, acme, 2)
	require.Len(t, beta, 1)

	rep, err := b.cat.SweepRetention(b.ctx, now.Add(time.Hour), "system:retention")
	require.NoError(t, err)
	require.Empty(t, rep.MattersPurged, "not due yet")

	hold, err := tn.PlaceHold(b.ctx, catalog.Hold{Client: "acme", Matter: "m-1"})
	require.NoError(t, err)
	rep, err = b.cat.SweepRetention(b.ctx, now.Add(48*time.Hour), "system:retention")
	require.NoError(t, err)
	require.Equal(t, []string{"firm-a/m-1"}, rep.MattersHeld)
	require.Empty(t, rep.MattersPurged)
	for _, e := range acme {
		readPart(t, b, e)
	}

	require.NoError(t, tn.ReleaseHold(b.ctx, hold.ID, "cli:test"))
	rep, err = b.cat.SweepRetention(b.ctx, now.Add(48*time.Hour), "system:retention")
	require.NoError(t, err)
	require.Equal(t, []string{"firm-a/m-1"}, rep.MattersPurged)
	require.Equal(t, 2, rep.MessagesDeleted)

	for _, e := range acme {
		_, err := tn.Lookup(b.ctx, e.Message)
		require.ErrorIs(t, err, storage.ErrNotFound)
	}
	prefix, err := storage.MatterPrefix("firm-a", "acme", "m-1")
	require.NoError(t, err)
	require.NoError(t, b.bs.List(b.ctx, prefix, func(i storage.Info) error {
		t.Errorf("object left: %s", i.Key)
		return nil
	}))
	for _, e := range beta {
		readPart(t, b, e) // another matter's messages stay
	}
	reg, err := tn.Matters(b.ctx)
	require.NoError(t, err)
	tg, ok := reg.Get("m-1")
	require.True(t, ok, "the matter stays in the registry, closed")
	require.Equal(t, classify.StatusClosed, tg.Status)

	// A second sweep deletes nothing more; the audit tells the story.
	rep, err = b.cat.SweepRetention(b.ctx, now.Add(72*time.Hour), "system:retention")
	require.NoError(t, err)
	require.Empty(t, rep.MattersPurged)
	var story []string
	require.NoError(t, tn.Audit().List(b.ctx, audit.Filter{}, func(r audit.Record) error {
		if r.Action == audit.ActionMatterDelete || r.Action == audit.ActionRetentionSet {
			story = append(story, fmt.Sprintf("%s %s %s", r.Action, r.Outcome, r.Detail))
		}
		return nil
	}))
	require.Len(t, story, 5, "%q", story)
	require.Contains(t, story[0], "retention.set refused")
	require.Contains(t, story[2], "matter.delete refused")
	require.Contains(t, story[4], "matter.delete ok retention: 2 messages deleted")
	_, err = tn.Audit().Verify(b.ctx)
	require.NoError(t, err)
}
