package catalog_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/catalog/catalogtest"
	"github.com/matterfile/matterfile/storage"
)

// Disconnecting deletes the credentials and keeps the state; a reconnect
// whose check fails leaves it disconnected without credentials; one that
// works makes it active, audited as a reconnect.
func TestDisconnectMailbox(t *testing.T) {
	cat, _ := catalogtest.New(t)
	ctx := t.Context()
	require.NoError(t, cat.CreateTenant(ctx, "firm"))
	tn, err := cat.Open(ctx, "firm")
	require.NoError(t, err)

	imported, err := tn.EnsureMailbox(ctx, "import@firm.example")
	require.NoError(t, err)
	require.ErrorIs(t, tn.DisconnectMailbox(ctx, imported.ID, "cli:ops"), catalog.ErrNoGmail)

	sec := catalog.Secret{Kind: catalog.AuthUserToken, Data: []byte(`{"refresh_token":"r"}`)}
	mb, err := tn.ConnectMailbox(ctx, "cli:ops", "ann@firm.example", sec, true, nil)
	require.NoError(t, err)
	st, err := tn.GmailState(ctx, mb.ID)
	require.NoError(t, err)
	st.Cursor = 42
	require.NoError(t, tn.SaveGmailState(ctx, mb.ID, st))
	require.True(t, st.Syncable(time.Now()))

	require.NoError(t, tn.DisconnectMailbox(ctx, mb.ID, "cli:ops"))
	st, err = tn.GmailState(ctx, mb.ID)
	require.NoError(t, err)
	require.Equal(t, catalog.StatusDisconnected, st.Status)
	require.False(t, st.Connected())
	require.Equal(t, uint64(42), st.Cursor, "the cursor is kept")
	require.True(t, st.WriteBack)
	_, err = tn.Secret(ctx, mb.ID)
	require.ErrorIs(t, err, storage.ErrNotFound)

	failing := func(context.Context, catalog.Mailbox) error { return errors.New("no") }
	_, err = tn.ConnectMailbox(ctx, "cli:ops", "ann@firm.example", sec, true, failing)
	require.Error(t, err)
	st, err = tn.GmailState(ctx, mb.ID)
	require.NoError(t, err)
	require.Equal(t, catalog.StatusDisconnected, st.Status)
	_, err = tn.Secret(ctx, mb.ID)
	require.ErrorIs(t, err, storage.ErrNotFound, "credentials that failed their check are not kept")

	_, err = tn.ConnectMailbox(ctx, "cli:ops", "ann@firm.example", sec, true, nil)
	require.NoError(t, err)
	st, err = tn.GmailState(ctx, mb.ID)
	require.NoError(t, err)
	require.Equal(t, catalog.StatusActive, st.Status)
	require.Equal(t, uint64(42), st.Cursor)

	var got []string
	require.NoError(t, tn.Audit().List(ctx, audit.Filter{}, func(r audit.Record) error {
		if r.Objects["mailbox"] == mb.ID {
			got = append(got, string(r.Action)+" "+string(r.Outcome))
		}
		return nil
	}))
	require.Equal(t, []string{"mailbox.connect ok", "mailbox.disconnect ok", "mailbox.reconnect failed", "mailbox.reconnect ok"}, got)
}
