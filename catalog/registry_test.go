package catalog_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/catalog/catalogtest"
	"github.com/matterfile/matterfile/classify"
)

func openTenant(t *testing.T) *catalog.Tenant {
	t.Helper()
	cat, _ := catalogtest.New(t)
	require.NoError(t, cat.CreateTenant(t.Context(), "firm"))
	tn, err := cat.Open(t.Context(), "firm")
	require.NoError(t, err)
	return tn
}

// auditTrail is each record as "actor action target: detail".
func auditTrail(t *testing.T, tn *catalog.Tenant) []string {
	t.Helper()
	var out []string
	require.NoError(t, tn.Audit().List(t.Context(), audit.Filter{}, func(r audit.Record) error {
		out = append(out, fmt.Sprintf("%s %s %s%s: %s", r.Actor, r.Action, r.Objects["matter"], r.Objects["contract"], r.Detail))
		return nil
	}))
	return out
}

func TestRegistryChangesAreAudited(t *testing.T) {
	ctx := t.Context()
	tn := openTenant(t)
	rc, err := tn.ImportTargets(ctx, []classify.Target{
		{ID: "m-1", Number: "2024-0001", Kind: "matter", Client: "acme", Title: "Acme v. Beta"},
		{ID: "c-1", Number: "C-1", Kind: "contract", Client: "acme"},
	}, "admin:ann")
	require.NoError(t, err)
	require.Equal(t, catalog.RegistryChange{Added: 2}, rc)

	_, err = tn.ImportTargets(ctx, []classify.Target{{ID: "m-2", Number: "2", Kind: "matter", Client: "acme"}}, "ann")
	require.ErrorContains(t, err, "actor")
	reg, err := tn.Matters(ctx)
	require.NoError(t, err)
	require.Len(t, reg.Targets, 2, "a change that cannot be audited is not made")

	require.NoError(t, tn.SetTargetStatus(ctx, "m-1", classify.StatusClosed, "admin:ann"))
	require.NoError(t, tn.SetTargetStatus(ctx, "m-1", classify.StatusClosed, "admin:ann"))
	require.NoError(t, tn.SetTargetStatus(ctx, "c-1", classify.StatusClosed, "admin:ann"))
	require.NoError(t, tn.SetTargetStatus(ctx, "m-1", classify.StatusOpen, "admin:bob"))
	require.ErrorIs(t, tn.SetTargetStatus(ctx, "m-9", classify.StatusClosed, "admin:ann"), catalog.ErrNoTarget)
	require.ErrorIs(t, tn.UpdateTarget(ctx, classify.Target{ID: "m-9", Number: "9", Kind: "matter", Client: "acme"}, "admin:ann"), catalog.ErrNoTarget)
	require.NoError(t, tn.UpdateTarget(ctx, classify.Target{ID: "m-1", Number: "2024-0001", Kind: "matter", Client: "beta",
		Title: "Acme v. Beta (appeal)", Walled: []string{"eve@firm.example"}}, "admin:bob"))
	rc, err = tn.ImportTargets(ctx, reg.Targets[:1], "admin:ann")
	require.NoError(t, err)
	require.Equal(t, catalog.RegistryChange{Updated: 1}, rc, "c-1 is reopened by the import of its old self")

	require.Equal(t, []string{
		"admin:ann contract.update c-1: created, status open",
		"admin:ann matter.create m-1: created, status open",
		"admin:ann matter.close m-1: closed",
		"admin:ann contract.update c-1: closed",
		"admin:bob matter.update m-1: reopened",
		"admin:bob matter.update m-1: changed: title, client (was acme), walled",
		"admin:ann contract.update c-1: reopened",
	}, auditTrail(t, tn))
	reg, err = tn.Matters(ctx)
	require.NoError(t, err)
	m1, _ := reg.Get("m-1")
	require.Equal(t, "beta", m1.Client)
	require.Equal(t, classify.StatusOpen, m1.Status)
}

// Admins editing at once lose nothing: each change is applied to the
// registry as the previous one left it.
func TestRegistryConcurrentChanges(t *testing.T) {
	ctx := t.Context()
	tn := openTenant(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			_, err := tn.ImportTargets(context.WithoutCancel(ctx), []classify.Target{{ID: fmt.Sprintf("m-%d", i), Number: fmt.Sprint(i), Kind: "matter", Client: "acme"}}, "admin:ann")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	reg, err := tn.Matters(ctx)
	require.NoError(t, err)
	require.Len(t, reg.Targets, 8)
	require.Len(t, auditTrail(t, tn), 8)
}

// Every field of a target is a column of the export, so a field added to
// classify.Target cannot silently drop out of export and import.
func TestExportCSVHasEveryField(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, catalog.WriteTargetsCSV(&b, nil))
	header := strings.Split(strings.TrimSpace(b.String()), ",")
	typ := reflect.TypeFor[classify.Target]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		require.Contains(t, header, name)
	}
	err := catalog.WriteTargetsCSV(&b, []classify.Target{{ID: "m-1", Aliases: []string{"a;b"}}})
	require.ErrorContains(t, err, "export as JSON")
}

func TestSettingsPolicy(t *testing.T) {
	ctx := t.Context()
	tn := openTenant(t)
	base := classify.DefaultPolicy()
	f := func(v float64) *float64 { return &v }
	_, err := tn.UpdateSettings(ctx, catalog.Settings{FileThreshold: f(0.2)}, base, "admin:ann")
	require.ErrorContains(t, err, "review threshold", "0.3 is no longer below the file threshold")
	_, err = tn.UpdateSettings(ctx, catalog.Settings{NumberPatterns: []string{"("}}, base, "admin:ann")
	require.ErrorContains(t, err, "number pattern 1")
	s, err := tn.UpdateSettings(ctx, catalog.Settings{FileThreshold: f(0.2), ReviewThreshold: f(0), NumberStopWords: []string{" Rechnung ", ""}, PublicDomains: []string{}}, base, "admin:ann")
	require.NoError(t, err)
	p := s.Policy(base)
	require.Equal(t, 0.2, p.FileThreshold)
	require.Equal(t, 0.0, p.ReviewThreshold)
	require.Equal(t, []string{"rechnung"}, p.NumberStopWords)
	require.Empty(t, p.PublicDomains, "an empty list is a choice: none")
	require.Equal(t, base.NumberPatterns, p.NumberPatterns)
	stored, err := tn.Settings(ctx)
	require.NoError(t, err)
	require.Equal(t, s, stored)
	_, err = tn.UpdateSettings(ctx, stored, base, "admin:ann")
	require.NoError(t, err)
	require.Equal(t, []string{"admin:ann settings.update : changed: file_threshold, review_threshold, number_stop_words, public_domains"}, auditTrail(t, tn),
		"one record per change; saving the same settings is no change")
}
