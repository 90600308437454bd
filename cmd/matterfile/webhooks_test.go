package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/webhook"
)

// runLogged runs one command line with verbose logs, returning stdout and
// appending stderr to logs.
func runLogged(t *testing.T, env map[string]string, logs *bytes.Buffer, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd := newRootCmd(func(k string) string { return env[k] }, &out, logs)
	cmd.SetArgs(append([]string{"-v"}, args...))
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

// TestWebhooksCommands sets a webhook, files a message whose event the
// receiver refuses, lists the dead letter, redelivers it once the receiver
// accepts, and checks that the secret is nowhere in the data directory, in
// the output or in the logs, and that every change is audited.
func TestWebhooksCommands(t *testing.T) {
	const secret = "whsec-Quokka-7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c2e"
	const subject = "Privileged Xylophone merger memo"
	data := t.TempDir()
	env := map[string]string{"MATTERFILE_DATA_DIR": data}
	var logs bytes.Buffer

	var mu sync.Mutex
	var bodies []string
	var status atomic.Int32
	status.Store(http.StatusBadRequest)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify([]byte(secret), r.Header.Get(webhook.HeaderTimestamp), body, r.Header.Get(webhook.HeaderSignature)); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock()
		bodies = append(bodies, string(body))
		mu.Unlock()
		w.WriteHeader(int(status.Load()))
	}))
	defer recv.Close()

	mustRun(t, env, "tenants", "create", "hook-firm")
	secretFile := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(secretFile, []byte(secret+"\n"), 0o600))
	_, err := run(t, env, "webhooks", "set", "--tenant", "hook-firm", "--url", "http://hooks.firm.example/x", "--secret-file", secretFile)
	require.ErrorContains(t, err, "https")
	short := filepath.Join(t.TempDir(), "short")
	require.NoError(t, os.WriteFile(short, []byte("too-short"), 0o600))
	_, err = run(t, env, "webhooks", "set", "--tenant", "hook-firm", "--url", recv.URL, "--secret-file", short)
	require.Error(t, err)
	require.Contains(t, mustRun(t, env, "webhooks", "show", "--tenant", "hook-firm"), "no webhook")

	out := mustRun(t, env, "webhooks", "set", "--tenant", "hook-firm", "--url", recv.URL+"/hook", "--secret-file", secretFile)
	require.NotContains(t, out, secret)
	out = mustRun(t, env, "webhooks", "show", "--tenant", "hook-firm")
	require.Contains(t, out, recv.URL+"/hook")
	require.Contains(t, out, "secret: set")
	require.NotContains(t, out, secret)

	box := writeMbox(t, "X-Gmail-Labels: File to matter\nFrom: Zoe <zoe@client.example>\nTo: ann@firm.example\nSubject: "+subject+
		"\nMessage-ID: <memo@client.example>\nContent-Type: text/plain\n\nThe memo body.\n")
	_, err = runLogged(t, env, &logs, "import", "--tenant", "hook-firm", "--mbox", box, "--mailbox", "ann@firm.example", "--wait")
	require.NoError(t, err)
	mu.Lock()
	require.Len(t, bodies, 1, "a 400 is not retried")
	require.NotContains(t, bodies[0], subject)
	require.NotContains(t, bodies[0], "zoe@client.example")
	require.NotContains(t, bodies[0], "ann@firm.example")
	mu.Unlock()

	var failed struct{ Failed []catalog.WebhookFailure }
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, env, "webhooks", "failed", "--tenant", "hook-firm", "--json")), &failed))
	require.Len(t, failed.Failed, 1)
	f := failed.Failed[0]
	require.Equal(t, http.StatusBadRequest, f.Status)
	require.Equal(t, 1, f.Attempts)
	require.Equal(t, "filed-"+f.Message, f.Event)
	require.Contains(t, mustRun(t, env, "webhooks", "failed", "--tenant", "hook-firm"), f.Event)

	status.Store(http.StatusOK)
	out, err = runLogged(t, env, &logs, "webhooks", "redeliver", "--tenant", "hook-firm", f.Event)
	require.NoError(t, err)
	require.Contains(t, out, "delivered")
	mu.Lock()
	require.Len(t, bodies, 2)
	require.Equal(t, bodies[0], bodies[1], "the same event, signed again")
	mu.Unlock()
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, env, "webhooks", "failed", "--tenant", "hook-firm", "--json")), &failed))
	require.Empty(t, failed.Failed)
	_, err = run(t, env, "webhooks", "redeliver", "--tenant", "hook-firm", f.Event)
	require.Error(t, err, "nothing left to redeliver")

	mustRun(t, env, "webhooks", "clear", "--tenant", "hook-firm")
	require.Contains(t, mustRun(t, env, "webhooks", "show", "--tenant", "hook-firm"), "no webhook")

	audit := mustRun(t, env, "audit", "list", "--tenant", "hook-firm")
	require.Equal(t, 2, strings.Count(audit, "settings.update"), "set and clear are audited:\n%s", audit)
	require.Contains(t, audit, "webhook_secret")
	require.NotContains(t, audit, secret)
	require.NotContains(t, audit, recv.URL)

	require.NotContains(t, logs.String(), secret)
	require.Contains(t, logs.String(), "dead-lettered", "the logs were captured")
	requireNoPlaintext(t, data, [][]byte{[]byte(secret), []byte("Quokka-7f3a9c1e5b2d")})
}
