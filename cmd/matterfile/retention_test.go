package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A terminated firm is kept for its period, refused while held, and then
// crypto-shredded by the sweep; the operator's log keeps the story after
// the firm's own log is gone.
func TestTerminatedTenantIsShreddedAfterItsPeriod(t *testing.T) {
	env := map[string]string{"MATTERFILE_DATA_DIR": t.TempDir()}
	mustRun(t, env, "tenants", "create", "gone-firm")
	mustRun(t, env, "tenants", "create", "kept-firm")
	mustRun(t, env, "matters", "import", "--tenant", "gone-firm", filepath.Join(repoRoot, "testdata/matters.csv"))
	mustRun(t, env, "import", "--tenant", "gone-firm", "--mbox", filepath.Join(repoRoot, "testdata/mbox/alice.mbox"),
		"--mailbox", "alice@harperlegal.example", "--wait")
	msgs := listAll(t, env, "gone-firm")
	require.NotEmpty(t, msgs)

	_, err := run(t, env, "tenants", "terminate", "gone-firm", "--after", "soon")
	require.ErrorContains(t, err, "--after")
	out := mustRun(t, env, "tenants", "terminate", "gone-firm", "--after", "1s")
	require.Contains(t, out, "tenants reinstate gone-firm")
	mustRun(t, env, "holds", "place", "--tenant", "gone-firm", "--client", "northwind", "--reason", "litigation")
	time.Sleep(1100 * time.Millisecond) // the period passes

	out = mustRun(t, env, "retention", "sweep")
	require.Contains(t, out, "0 firms shredded [], 1 held [gone-firm]")
	mustRun(t, env, "messages", "get", "--tenant", "gone-firm", msgs[0].ID, "--part", "raw")

	var holds struct {
		Holds []struct{ ID string } `json:"holds"`
	}
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, env, "holds", "list", "--tenant", "gone-firm")), &holds))
	require.Len(t, holds.Holds, 1)
	mustRun(t, env, "holds", "release", "--tenant", "gone-firm", holds.Holds[0].ID)
	out = mustRun(t, env, "retention", "sweep")
	require.Contains(t, out, "1 firms shredded [gone-firm]")

	_, err = run(t, env, "messages", "get", "--tenant", "gone-firm", msgs[0].ID, "--part", "raw")
	require.ErrorContains(t, err, "no such tenant")
	out = mustRun(t, env, "tenants", "list")
	require.Equal(t, "kept-firm", strings.TrimSpace(out))

	out = mustRun(t, env, "audit", "list", "--operator")
	for _, want := range []string{"tenant.terminate  ok", "tenant.shred      refused", "tenant.shred      ok", "keys.destroy      ok"} {
		require.Contains(t, out, want)
	}
	require.Contains(t, out, "system:retention")
	out = mustRun(t, env, "audit", "verify", "--operator")
	require.Contains(t, out, "intact")
	out = mustRun(t, env, "audit", "verify", "--tenant", "gone-firm")
	require.Contains(t, out, "was erased; its published checkpoint")
}
