package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/ingest/gmail/gmailfake"
)

// TestMailboxesDisconnect: disconnect deletes the credentials and shows the
// mailbox disconnected, keeping what it filed; sync refuses it; adding it
// again makes it active.
func TestMailboxesDisconnect(t *testing.T) {
	fake := gmailfake.New(gmailfake.Options{})
	defer fake.Close()
	env := fakeGmailEnv(t, fake)
	mustRun(t, env, "tenants", "create", "firm")
	fm := fake.AddMailbox("ann@firm.example")
	fm.AddMessage([]byte("Message-ID: <1@x.example>\r\nSubject: one\r\n\r\nbody\r\n"), fm.CreateLabel("File to matter"))
	mustRun(t, env, "mailboxes", "add", "--tenant", "firm", "--email", "ann@firm.example", "--token-file", tokenFile(t, fake, "ann@firm.example"))
	mustRun(t, env, "sync", "--tenant", "firm", "--mailbox", "ann@firm.example", "--wait")

	out := mustRun(t, env, "mailboxes", "disconnect", "--tenant", "firm", "--email", "Ann@firm.example")
	require.Contains(t, out, "disconnected mailbox")
	require.NotContains(t, out, "ann@firm.example", "IDs only")
	var listed struct{ Mailboxes []mailboxView }
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, env, "mailboxes", "list", "--tenant", "firm", "--json")), &listed))
	require.Len(t, listed.Mailboxes, 1)
	require.Equal(t, "disconnected", listed.Mailboxes[0].Status)
	require.Equal(t, 1, listed.Mailboxes[0].Review, "what it filed stays")
	require.Regexp(t, `mailbox\.disconnect\s+ok`, mustRun(t, env, "audit", "list", "--tenant", "firm"))

	_, err := run(t, env, "sync", "--tenant", "firm", "--mailbox", "ann@firm.example", "--wait")
	require.ErrorContains(t, err, "disconnected")
	_, err = run(t, env, "mailboxes", "disconnect", "--tenant", "firm", "--email", "nobody@firm.example")
	require.ErrorContains(t, err, "no mailbox")

	mustRun(t, env, "mailboxes", "add", "--tenant", "firm", "--email", "ann@firm.example", "--token-file", tokenFile(t, fake, "ann@firm.example"))
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, env, "mailboxes", "list", "--tenant", "firm", "--json")), &listed))
	require.Equal(t, "active", listed.Mailboxes[0].Status)
	require.Regexp(t, `mailbox\.reconnect\s+ok`, mustRun(t, env, "audit", "list", "--tenant", "firm"))
}
