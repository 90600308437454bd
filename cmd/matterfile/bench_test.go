package main

import (
	"encoding/json"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/worker"
)

// TestBench runs a small bench on embedded defaults: the table has both
// runs, the ratio and every stage, and the throwaway tenant leaves nothing
// behind but its erasure record and its published audit checkpoints.
// Timings are not asserted.
func TestBench(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"MATTERFILE_DATA_DIR": dir}

	out := mustRun(t, env, "bench", "--messages", "50", "--concurrency", "2")
	for _, want := range []string{"messages/s", "MB/s", "peak RSS", "floor (hash, seal, put)", "pipeline",
		"ratio pipeline/floor:", "p50 ms", "p99 ms", "parse", "classify", "seal", "commit", "file", "notify", "deleted"} {
		require.Contains(t, out, want)
	}
	require.NotContains(t, out, "NOT deleted")

	out = mustRun(t, env, "bench", "--messages", "50", "--size-mix", "small", "--json")
	var res worker.BenchResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.Equal(t, 50, res.Messages)
	require.Equal(t, 50, res.Filed+res.Review)
	require.Zero(t, res.Failed)
	require.Positive(t, res.Floor.MessagesPerSec)
	require.Positive(t, res.Pipeline.MessagesPerSec)
	require.Positive(t, res.Ratio)
	require.True(t, res.TenantDeleted)
	stages := map[string]bool{}
	for _, s := range res.Stages {
		stages[s.Stage] = true
		require.Positive(t, s.Count, s.Stage)
	}
	for _, s := range []string{"floor", "stage", "parse", "classify", "seal", "commit", "file", "notify"} {
		require.True(t, stages[s], "stage %s missing", s)
	}

	// Both tenants are gone: only their erasure records, the audit
	// checkpoints published outside them and the operator's audit log
	// (which records each shredding, with its own keyset) remain.
	out = mustRun(t, env, "tenants", "list")
	require.NotContains(t, out, "bench-")
	var left []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case rel == "root.key", strings.HasSuffix(rel, "/.lock"),
			strings.HasPrefix(rel, "store/registry/erasures/bench-"),
			strings.HasPrefix(rel, "store/registry/checkpoints/bench-"),
			strings.HasPrefix(rel, "store/tenants/"+catalog.OperatorLogID+"/audit/"),
			rel == "keys/tenants/"+catalog.OperatorLogID+"/keys/tenant":
		default:
			left = append(left, rel)
		}
		return nil
	}))
	require.Empty(t, left, "bench left objects behind")
}
