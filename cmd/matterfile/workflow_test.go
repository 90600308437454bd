package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/classify"
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
			if f.expected != "skipped" {
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
