package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest/mbox"
)

// TestQueueThenWorker is the production shape: with a Redis configured,
// import only queues; a separate worker files; tenants and matters list what
// was created; --all takes the messages without a filing label too.
func TestQueueThenWorker(t *testing.T) {
	env := map[string]string{
		"MATTERFILE_DATA_DIR":  t.TempDir(),
		"MATTERFILE_REDIS_URL": freshRedisDB(t, 3),
	}
	fx := loadFixtures(t)
	inAlice, labeledInAlice := 0, 0
	for _, f := range fx {
		if f.file == "alice.mbox" {
			inAlice++
			if f.stored() {
				labeledInAlice++
			}
		}
	}
	require.Positive(t, inAlice-labeledInAlice, "alice.mbox holds messages without a filing label")

	mustRun(t, env, "tenants", "create", "firm-q")
	mustRun(t, env, "tenants", "create", "firm-all")
	var tenants struct{ Tenants []string }
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, env, "tenants", "list", "--json")), &tenants))
	require.Equal(t, []string{"firm-all", "firm-q"}, tenants.Tenants)
	_, err := run(t, env, "tenants", "create", "firm-q")
	require.Error(t, err, "a tenant is created once")

	matters := filepath.Join(repoRoot, "testdata/matters.csv")
	mustRun(t, env, "matters", "import", "--tenant", "firm-q", matters)
	var listedTargets struct{ Targets []classify.Target }
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, env, "matters", "list", "--tenant", "firm-q", "--json")), &listedTargets))
	require.Len(t, listedTargets.Targets, 6)

	alice := filepath.Join(repoRoot, "testdata/mbox/alice.mbox")
	out := mustRun(t, env, "import", "--tenant", "firm-q", "--mbox", alice, "--mailbox", "alice@harperlegal.example")
	require.Contains(t, out, "queued for the workers")
	require.Empty(t, listAll(t, env, "firm-q"), "without --wait and with Redis, import only queues")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := runCtx(ctx, t, env, "worker"); done <- err }()
	require.Eventually(t, func() bool { return len(listAll(t, env, "firm-q")) == labeledInAlice },
		60*time.Second, 200*time.Millisecond, "the worker files every queued message")
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err, "the worker stops cleanly on a signal")
	case <-time.After(30 * time.Second):
		t.Fatal("the worker did not stop")
	}

	mustRun(t, env, "matters", "import", "--tenant", "firm-all", matters)
	mustRun(t, env, "import", "--tenant", "firm-all", "--mbox", alice, "--mailbox", "alice@harperlegal.example", "--all", "--wait")
	require.Len(t, listAll(t, env, "firm-all"), inAlice, "--all takes every message of the file")
}

// A firm that names its filing labels otherwise sets them per tenant; an
// mbox import then takes messages by those labels. Labels that would match
// matterfile's own write-back labels are refused.
func TestTenantFilingLabels(t *testing.T) {
	env := map[string]string{"MATTERFILE_DATA_DIR": t.TempDir()}
	mustRun(t, env, "tenants", "create", "firm")
	_, err := run(t, env, "tenants", "settings", "firm", "--matter-label-prefix", "Filed/")
	require.ErrorContains(t, err, "matterfile's own label")
	out := mustRun(t, env, "tenants", "settings", "firm", "--matter-label-prefix", "Clients/", "--filing-label", "To file")
	require.Contains(t, out, `"matter_label_prefix": "Clients/"`)

	var box bytes.Buffer
	for i, labels := range []string{"Inbox,Clients/Acme", "To file", "Matters/2024-0117 Acme v. Beta", "Inbox"} {
		require.NoError(t, mbox.WriteMessage(&box, fmt.Appendf(nil, "X-Gmail-Labels: %s\r\nMessage-ID: <%d@x>\r\nSubject: s%d\r\n\r\nbody\r\n", labels, i, i)))
	}
	path := filepath.Join(t.TempDir(), "export.mbox")
	require.NoError(t, os.WriteFile(path, box.Bytes(), 0o600))
	out = mustRun(t, env, "import", "--tenant", "firm", "--mbox", path, "--mailbox", "ann@firm.example", "--wait")
	require.Regexp(t, `without a filing label \(skipped\)\s+2\n`, out, "only the firm's own labels ask for filing")
	require.Len(t, listAll(t, env, "firm"), 2)
}

// Rotating a firm's keys leaves every filed message readable, and what is
// filed afterwards is readable too.
func TestKeysRotate(t *testing.T) {
	env := map[string]string{"MATTERFILE_DATA_DIR": t.TempDir()}
	mustRun(t, env, "tenants", "create", "firm")
	mustRun(t, env, "matters", "import", "--tenant", "firm", filepath.Join(repoRoot, "testdata/matters.csv"))
	mustRun(t, env, "import", "--tenant", "firm", "--mbox", filepath.Join(repoRoot, "testdata/mbox/alice.mbox"), "--mailbox", "alice@harperlegal.example", "--wait")
	before := listAll(t, env, "firm")
	require.NotEmpty(t, before)

	require.Contains(t, mustRun(t, env, "keys", "rotate", "--tenant", "firm"), "generation 2")
	mustRun(t, env, "import", "--tenant", "firm", "--mbox", filepath.Join(repoRoot, "testdata/mbox/ben.mbox"), "--mailbox", "ben@harperlegal.example", "--wait")
	after := listAll(t, env, "firm")
	require.Greater(t, len(after), len(before))
	for _, m := range after {
		out := mustRun(t, env, "messages", "get", "--tenant", "firm", m.ID, "--part", "raw")
		sum := sha256.Sum256([]byte(out))
		require.Equal(t, m.RawSHA256, hex.EncodeToString(sum[:]), m.ID)
	}
	_, err := run(t, env, "keys", "rotate", "--tenant", "nobody")
	require.Error(t, err)
}
