package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/ingest/gmail/gmailfake"
)

// TestGmailMailboxCommands connects mailboxes with a token file and a
// service account, syncs with --wait against the fake Gmail, lists them,
// and shows a revoked one as "reconnect required" while the other syncs.
func TestGmailMailboxCommands(t *testing.T) {
	fake := gmailfake.New(gmailfake.Options{FailRate: 0.05, Seed: 5})
	defer fake.Close()
	env := fakeGmailEnv(t, fake)
	mustRun(t, env, "tenants", "create", "firm")
	mustRun(t, env, "matters", "import", "--tenant", "firm", filepath.Join(repoRoot, "testdata/matters.csv"))

	ann, ben := fake.AddMailbox("ann@firm.example"), fake.AddMailbox("ben@firm.example")
	for i, mb := range []*gmailfake.Mailbox{ann, ben} {
		l := mb.CreateLabel("Matters/2024-0117 Acme v. Beta")
		for j := range 5 {
			mb.AddMessage(fmt.Appendf(nil, "Message-ID: <%d.%d@x.example>\r\nSubject: draft %d\r\n\r\nbody\r\n", i, j, j), l)
		}
		mb.AddMessage([]byte("Subject: private\r\n\r\nnot for filing\r\n"), "INBOX")
	}

	mustRun(t, env, "mailboxes", "add", "--tenant", "firm", "--email", "ann@firm.example", "--token-file", tokenFile(t, fake, "ann@firm.example"), "--write-back")
	saFile := filepath.Join(t.TempDir(), "sa.json")
	require.NoError(t, os.WriteFile(saFile, fake.AddServiceAccount(gmailfake.ScopeReadonly), 0o600))
	mustRun(t, env, "mailboxes", "add", "--tenant", "firm", "--email", "ben@firm.example", "--service-account", saFile)

	// Credentials of another account are refused.
	_, err := run(t, env, "mailboxes", "add", "--tenant", "firm", "--email", "ann@firm.example", "--token-file", tokenFile(t, fake, "ben@firm.example"))
	require.ErrorContains(t, err, "another account")
	log := mustRun(t, env, "audit", "list", "--tenant", "firm")
	require.Regexp(t, `mailbox\.connect\s+ok .*auth oauth`, log)
	require.Regexp(t, `mailbox\.connect\s+ok .*auth delegation`, log)
	require.Regexp(t, `mailbox\.reconnect\s+failed .*credentials check failed`, log)
	require.NotContains(t, log, "ann@firm.example", "audit records name mailboxes by ID")

	out := mustRun(t, env, "sync", "--tenant", "firm", "--mailbox", "ann@firm.example", "--wait")
	require.Contains(t, out, "5 messages found, 0 failed")
	mustRun(t, env, "sync", "--tenant", "firm", "--mailbox", "ben@firm.example", "--wait")

	var listed struct{ Mailboxes []mailboxView }
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, env, "mailboxes", "list", "--tenant", "firm", "--json")), &listed))
	require.Len(t, listed.Mailboxes, 2)
	for _, v := range listed.Mailboxes {
		require.Equal(t, "gmail", v.Source)
		require.Equal(t, "active", v.Status)
		require.Equal(t, 5, v.Filed, v.Address)
		require.Zero(t, v.Pending)
		require.False(t, v.LastSync.IsZero())
	}
	filed := ann.LabelID("Filed/2024-0117")
	require.NotEmpty(t, filed, "write-back created the Filed label for ann")
	require.Empty(t, ben.LabelID("Filed/2024-0117"), "write-back is off for ben")

	fake.Revoke("ann@firm.example")
	fake.ExpireAccessTokens()
	_, err = run(t, env, "sync", "--tenant", "firm", "--mailbox", "ann@firm.example", "--wait")
	require.ErrorContains(t, err, "reconnect required")
	mustRun(t, env, "sync", "--tenant", "firm", "--mailbox", "ben@firm.example", "--wait")
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, env, "mailboxes", "list", "--tenant", "firm", "--json")), &listed))
	require.Equal(t, "reconnect required", listed.Mailboxes[0].Status)
	require.Equal(t, "active", listed.Mailboxes[1].Status)
}

// TestServePush: with serve running, a label added live is filed after one
// push; a forged push is refused; the watch is set on the topic.
func TestServePush(t *testing.T) {
	fake := gmailfake.New(gmailfake.Options{})
	defer fake.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	listen := ln.Addr().String()
	ln.Close()
	const secret = "push-secret-0123456789abcdef0123456789"
	env := fakeGmailEnv(t, fake)
	env["MATTERFILE_GMAIL_PUBSUB_TOPIC"] = "projects/firm/topics/gmail"
	env["MATTERFILE_PUSH_SECRET"] = secret
	env["MATTERFILE_LISTEN"] = listen
	mustRun(t, env, "tenants", "create", "firm")
	fm := fake.AddMailbox("ann@firm.example")
	label := fm.CreateLabel("File to matter")
	mustRun(t, env, "mailboxes", "add", "--tenant", "firm", "--email", "ann@firm.example", "--token-file", tokenFile(t, fake, "ann@firm.example"))
	mustRun(t, env, "sync", "--tenant", "firm", "--mailbox", "ann@firm.example", "--wait")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := runCtx(ctx, t, env, "serve"); done <- err }()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()
	url := "http://" + listen + "/gmail/push/firm"
	require.Eventually(t, func() bool {
		res, err := http.Get("http://" + listen + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	}, 20*time.Second, 50*time.Millisecond)
	require.Eventually(t, func() bool { _, ok := fm.Watch(); return ok }, 20*time.Second, 50*time.Millisecond, "watch set on the topic")

	id := fm.AddMessage([]byte("Message-ID: <live@x>\r\nSubject: live\r\n\r\nbody\r\n"), "INBOX")
	fm.AddLabels(id, label)
	data, _ := json.Marshal(map[string]any{"emailAddress": "ann@firm.example", "historyId": fm.HistoryID()})
	pushBody := `{"message":{"data":"` + base64.StdEncoding.EncodeToString(data) + `"},"subscription":"s"}`

	res, err := http.Post(url+"?token=forged-0123456789abcdef0123456789", "application/json", strings.NewReader(pushBody))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusUnauthorized, res.StatusCode)

	res, err = http.Post(url+"?token="+secret, "application/json", strings.NewReader(pushBody))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNoContent, res.StatusCode)
	require.Eventually(t, func() bool { return len(listAll(t, env, "firm")) == 1 }, 30*time.Second, 100*time.Millisecond, "filed after one push")
}

// TestMailboxesConnect runs the consent flow as an admin would: the command
// prints the URL, the browser (the fake) consents and comes back to the
// loopback listener, and the mailbox is connected only for the right account.
func TestMailboxesConnect(t *testing.T) {
	fake := gmailfake.New(gmailfake.Options{})
	defer fake.Close()
	fake.AddMailbox("ann@firm.example")
	fake.AddMailbox("eve@firm.example")
	env := fakeGmailEnv(t, fake)
	mustRun(t, env, "tenants", "create", "firm")

	connect := func(consentAs string) error {
		fake.SetConsentUser(consentAs)
		pr, pw := io.Pipe()
		var out bytes.Buffer
		cmd := newRootCmd(func(k string) string { return env[k] }, &out, pw)
		cmd.SetArgs([]string{"mailboxes", "connect", "--tenant", "firm", "--email", "ann@firm.example"})
		done := make(chan error, 1)
		go func() { err := cmd.ExecuteContext(context.Background()); pw.Close(); done <- err }()
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if !strings.HasPrefix(line, fake.AuthURL()) {
				continue
			}
			back, err := fake.Consent(line)
			require.NoError(t, err)
			require.Equal(t, "127.0.0.1", back.Hostname(), "the redirect goes to the loopback listener")
			res, err := http.Get(back.String())
			require.NoError(t, err)
			res.Body.Close()
			break
		}
		go io.Copy(io.Discard, pr)
		return <-done
	}
	require.ErrorContains(t, connect("eve@firm.example"), "another account")
	require.NoError(t, connect("ann@firm.example"))
	var listed struct{ Mailboxes []mailboxView }
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, env, "mailboxes", "list", "--tenant", "firm", "--json")), &listed))
	require.Len(t, listed.Mailboxes, 1)
	require.Equal(t, "active", listed.Mailboxes[0].Status)
	require.Equal(t, "oauth", listed.Mailboxes[0].Auth)
}

// fakeGmailEnv points matterfile at the fake Gmail and its OAuth client
// "cid", which it registers.
func fakeGmailEnv(t *testing.T, fake *gmailfake.Server) map[string]string {
	fake.RegisterClient("cid", "csecret")
	return map[string]string{
		"MATTERFILE_DATA_DIR":             t.TempDir(),
		"MATTERFILE_GOOGLE_CLIENT_ID":     "cid",
		"MATTERFILE_GOOGLE_CLIENT_SECRET": "csecret",
		"MATTERFILE_GMAIL_ENDPOINT":       fake.URL(),
		"MATTERFILE_OAUTH_AUTH_URL":       fake.AuthURL(),
		"MATTERFILE_OAUTH_TOKEN_URL":      fake.TokenURL(),
		"MATTERFILE_OIDC_ISSUER":          fake.Issuer(),
	}
}

// tokenFile writes an OAuth token of addr as mailboxes add --token-file
// reads it.
func tokenFile(t *testing.T, fake *gmailfake.Server, addr string) string {
	path := filepath.Join(t.TempDir(), "token.json")
	data, err := json.Marshal(fake.IssueToken("cid", addr))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}
