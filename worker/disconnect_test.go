package worker_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/audit"
	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/ingest/gmail"
	"github.com/matterfile/matterfile/ingest/gmail/gmailfake"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/worker"
)

// A disconnected mailbox keeps what it filed and what it had found, is
// neither polled, synced, fetched nor reconciled, and carries on where it
// stopped once connected again.
func TestGmailDisconnectedMailboxIsLeftAlone(t *testing.T) {
	b := setupGmail(t, gmailfake.Options{})
	fm, mb := b.connect(t, "gone@firm.example", false)
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	matter := fm.CreateLabel("Matters/2024-0001 Acme")
	fm.AddMessage(gmailMessage(1, "one"), "INBOX", matter)
	fm.AddMessage(gmailMessage(2, "two"), "INBOX", matter)
	b.syncAndWait(t, mb)
	filed, err := tn.Messages(b.ctx)
	require.NoError(t, err)
	require.Len(t, filed, 2)

	// A third message was found by a sync but not fetched yet.
	third := fm.AddMessage(gmailMessage(3, "three"), "INBOX", matter)
	require.NoError(t, tn.RecordGmailPending(b.ctx, mb.ID, catalog.GmailPending{GmailID: third, Why: "label", Seen: time.Now()}))

	require.NoError(t, tn.DisconnectMailbox(b.ctx, mb.ID, "cli:test"))
	st, err := tn.GmailState(b.ctx, mb.ID)
	require.NoError(t, err)
	require.Equal(t, catalog.StatusDisconnected, st.Status)
	require.False(t, st.Syncable(time.Now()))
	_, err = tn.Secret(b.ctx, mb.ID)
	require.ErrorIs(t, err, storage.ErrNotFound)

	p, err := worker.NewPoller(b.cat, b.q.Client, time.Hour, nil)
	require.NoError(t, err)
	n, err := p.Poll(b.ctx)
	require.NoError(t, err)
	require.Zero(t, n, "a disconnected mailbox is not polled")
	_, err = b.h.SyncMailbox(b.ctx, worker.MailboxPayload{Tenant: "firm-a", Mailbox: mb.ID})
	require.ErrorIs(t, err, gmail.ErrReconnect)
	_, err = b.h.FetchGmail(b.ctx, worker.GmailMessagePayload{Tenant: "firm-a", Mailbox: mb.ID, GmailID: third})
	require.ErrorIs(t, err, gmail.ErrReconnect)
	rep, err := b.h.Reconcile(b.ctx, "firm-a")
	require.NoError(t, err)
	require.Equal(t, 1, rep.MailboxesSkipped, "not listed through Gmail")
	require.Zero(t, rep.NewFromGmail)
	require.ErrorIs(t, tn.SetMailboxPaused(b.ctx, "cli:test", mb.ID, true), catalog.ErrMailboxReconnect)

	st, err = tn.GmailState(b.ctx, mb.ID)
	require.NoError(t, err)
	require.Equal(t, catalog.StatusDisconnected, st.Status, "nothing above changed the status")
	after, err := tn.Messages(b.ctx)
	require.NoError(t, err)
	require.Equal(t, filed, after, "what it filed stays")
	pending, err := tn.GmailPendingIDs(b.ctx, mb.ID)
	require.NoError(t, err)
	require.Equal(t, []string{third}, pending, "what it found stays")

	// Connecting it again: a reconnect; the found message is filed.
	data, err := json.Marshal(b.fake.IssueToken("cid", "gone@firm.example"))
	require.NoError(t, err)
	_, err = tn.ConnectMailbox(b.ctx, "cli:test", "gone@firm.example", catalog.Secret{Kind: catalog.AuthUserToken, Data: data}, false, nil)
	require.NoError(t, err)
	b.syncAndWait(t, mb)
	_, err = b.h.Reconcile(b.ctx, "firm-a")
	require.NoError(t, err)
	b.syncAndWait(t, mb)
	after, err = tn.Messages(b.ctx)
	require.NoError(t, err)
	require.Len(t, after, 3)

	var actions []audit.Action
	require.NoError(t, tn.Audit().List(b.ctx, audit.Filter{}, func(r audit.Record) error {
		if r.Objects["mailbox"] == mb.ID {
			actions = append(actions, r.Action)
		}
		return nil
	}))
	require.Contains(t, actions, audit.ActionMailboxDisconnect)
	require.Contains(t, actions, audit.ActionMailboxReconnect)
}
