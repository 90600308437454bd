package catalog_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/catalog/catalogtest"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/storage"
)

// Accounts are found by address in any case, named by a keyed hash so
// that no object name holds the address, and each change is audited by
// field name, never by value.
func TestUsers(t *testing.T) {
	cat, bs := catalogtest.New(t)
	ctx := t.Context()
	require.NoError(t, cat.CreateTenant(ctx, "firm"))
	tn, err := cat.Open(ctx, "firm")
	require.NoError(t, err)

	u, err := tn.CreateUser(ctx, catalog.User{Email: " Ann.Lee@Firm.example ", Name: "Ann Lee", Role: catalog.RoleAdmin, PasswordHash: "$argon2id$x"}, "cli:ops")
	require.NoError(t, err)
	require.Equal(t, "ann.lee@firm.example", u.Email)
	require.True(t, strings.HasPrefix(u.ID, "u-"))
	require.Equal(t, 1, u.SessionEpoch)
	_, err = tn.CreateUser(ctx, catalog.User{Email: "ANN.LEE@firm.example", Role: catalog.RoleParalegal}, "cli:ops")
	require.ErrorIs(t, err, catalog.ErrUserExists)

	got, err := tn.UserByEmail(ctx, "ann.lee@FIRM.EXAMPLE")
	require.NoError(t, err)
	require.Equal(t, u.ID, got.ID)
	_, err = tn.UserByEmail(ctx, "bob@firm.example")
	require.ErrorIs(t, err, catalog.ErrNoUser)

	for _, bad := range []catalog.User{
		{Email: "no-at-sign", Role: catalog.RoleAdmin},
		{Email: "a@b", Role: catalog.RoleAdmin},
		{Email: "a b@firm.example", Role: catalog.RoleAdmin},
		{Email: "c@firm.example", Role: "owner"},
		{Email: "d@firm.example", Role: catalog.RoleAdmin, Name: "bell\a"},
		{Email: "e@firm.example", Role: catalog.RoleAdmin, Mailboxes: []string{"../x"}},
	} {
		_, err := tn.CreateUser(ctx, bad, "cli:ops")
		require.Error(t, err, "%+v", bad)
	}

	// Sign-in bookkeeping may not change anything else.
	_, err = tn.UpdateSignIn(ctx, u.ID, func(x *catalog.User) error { x.Role = catalog.RoleParalegal; return nil })
	require.Error(t, err)
	_, err = tn.UpdateUser(ctx, u.ID, "cli:ops", func(x *catalog.User) error { x.Email = "eve@firm.example"; return nil })
	require.Error(t, err)

	// A new password ends the sessions; the audit names fields only.
	after, err := tn.UpdateUser(ctx, u.ID, "admin:root", func(x *catalog.User) error {
		x.PasswordHash, x.Role = "$argon2id$y", catalog.RolePartner
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 2, after.SessionEpoch)
	require.Equal(t, catalog.RolePartner, after.Role)

	locked, err := tn.UpdateSignIn(ctx, u.ID, func(x *catalog.User) error {
		x.Failed, x.LockedUntil = 3, time.Now().Add(time.Hour)
		return nil
	})
	require.NoError(t, err)
	require.True(t, locked.Locked(time.Now()))
	unlocked, err := tn.UnlockUser(ctx, u.ID, "admin:root")
	require.NoError(t, err)
	require.False(t, unlocked.Locked(time.Now()))
	require.Zero(t, unlocked.Failed)

	var trail []audit.Record
	require.NoError(t, tn.Audit().List(ctx, audit.Filter{}, func(r audit.Record) error { trail = append(trail, r); return nil }))
	var actions []audit.Action
	for _, r := range trail {
		actions = append(actions, r.Action)
		require.NotContains(t, r.Detail, "@")
		require.NotContains(t, r.Detail, "argon2")
		require.NotContains(t, r.Detail, "Ann")
	}
	require.Equal(t, []audit.Action{audit.ActionUserCreate, audit.ActionUserUpdate, audit.ActionUserUnlock}, actions)
	require.Equal(t, "changed: role, password, session_epoch", trail[1].Detail)
	require.Equal(t, u.ID, trail[1].Objects["user"])
	require.Equal(t, "admin:root", trail[1].Actor)

	list, err := tn.Users(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)

	// No object name holds the address or the name.
	require.NoError(t, bs.List(ctx, "", func(i storage.Info) error {
		require.NotContains(t, strings.ToLower(i.Key), "ann")
		return nil
	}))
}

// Concurrent failed sign-ins are all counted: the conditional writes lose
// no increment.
func TestUpdateSignInConcurrent(t *testing.T) {
	tn := openTenant(t)
	ctx := t.Context()
	u, err := tn.CreateUser(ctx, catalog.User{Email: "pat@firm.example", Role: catalog.RoleParalegal}, "cli:ops")
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := tn.UpdateSignIn(ctx, u.ID, func(x *catalog.User) error { x.Failed++; return nil })
			require.NoError(t, err)
		})
	}
	wg.Wait()
	got, err := tn.User(ctx, u.ID)
	require.NoError(t, err)
	require.Equal(t, 8, got.Failed)
}

// Walls hold by address whatever the case; an admin sees every mailbox,
// anyone else their own.
func TestUserAccess(t *testing.T) {
	u := catalog.User{Email: "pat@firm.example", Role: catalog.RoleParalegal, Mailboxes: []string{"mb-1"}}
	walled := &classify.Target{ID: "m-1", Walled: []string{"PAT@firm.example"}}
	open := &classify.Target{ID: "m-2", Walled: []string{"ann@firm.example"}}
	require.True(t, u.WalledFrom(walled))
	require.False(t, u.WalledFrom(open))
	require.True(t, u.SeesMailbox("mb-1"))
	require.False(t, u.SeesMailbox("mb-2"))
	u.Role = catalog.RoleAdmin
	require.True(t, u.SeesMailbox("mb-2"))
	require.True(t, u.WalledFrom(walled), "walls hold for admins too")
}

// The session key is made once and shared: two openings of the tenant
// (two serve processes) seal and open each other's cookies.
func TestSessionAEADShared(t *testing.T) {
	cat, _ := catalogtest.New(t)
	ctx := context.Background()
	require.NoError(t, cat.CreateTenant(ctx, "firm"))
	require.NoError(t, cat.CreateTenant(ctx, "other"))
	a, err := cat.Open(ctx, "firm")
	require.NoError(t, err)
	k1, err := a.SessionAEAD(ctx)
	require.NoError(t, err)
	k2, err := a.SessionAEAD(ctx)
	require.NoError(t, err)
	ct, err := k1.Encrypt([]byte("session"), []byte("ad"))
	require.NoError(t, err)
	pt, err := k2.Decrypt(ct, []byte("ad"))
	require.NoError(t, err)
	require.Equal(t, "session", string(pt))
	o, err := cat.Open(ctx, "other")
	require.NoError(t, err)
	k3, err := o.SessionAEAD(ctx)
	require.NoError(t, err)
	_, err = k3.Decrypt(ct, []byte("ad"))
	require.Error(t, err, "another firm's key must not open the cookie")
}
