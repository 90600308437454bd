package worker_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/metrics"
	"github.com/matterfile/matterfile/worker"
)

// Filing through the task mux moves the outcome counters of the right
// tenant, times every stage a filing runs and counts the sealed bytes; a
// task that will not be retried counts as failed.
func TestFilingMovesMetrics(t *testing.T) {
	b := setup(t)
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	require.NoError(t, err)
	h, err := worker.NewHandlers(worker.HandlersConfig{Catalog: b.cat, Enqueuer: b.q.Client, Policy: classify.DefaultPolicy(), Metrics: m})
	require.NoError(t, err)
	ps := b.stageOnly(t, "firm-a", export(t,
		message("Inbox,Matters/2024-0001 Acme", "hello", "first body line"),
		message("File to matter", "no number", "second body"),
	))
	require.Len(t, ps, 2)
	mux := h.Mux()
	for _, p := range ps {
		task, err := worker.NewFileMessageTask(p, worker.QueueDefault)
		require.NoError(t, err)
		require.NoError(t, mux.ProcessTask(b.ctx, task))
	}
	// Filing again is a no-op and counts nothing.
	task, err := worker.NewFileMessageTask(ps[0], worker.QueueDefault)
	require.NoError(t, err)
	require.NoError(t, mux.ProcessTask(b.ctx, task))

	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP matterfile_messages_total Messages whose filing ended, by tenant and outcome (filed, review, failed).
# TYPE matterfile_messages_total counter
matterfile_messages_total{outcome="filed",tenant="firm-a"} 1
matterfile_messages_total{outcome="review",tenant="firm-a"} 1
`), "matterfile_messages_total"))

	mfs, err := reg.Gather()
	require.NoError(t, err)
	stages := map[string]uint64{}
	var sealed float64
	for _, mf := range mfs {
		switch mf.GetName() {
		case "matterfile_stage_seconds":
			for _, s := range mf.GetMetric() {
				stages[s.GetLabel()[0].GetValue()] = s.GetHistogram().GetSampleCount()
			}
		case "matterfile_bytes_sealed_total":
			sealed = mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	require.Equal(t, map[string]uint64{metrics.StageParse: 2, metrics.StageClassify: 2, metrics.StageSeal: 2, metrics.StageCommit: 2}, stages)
	raw := len(message("Inbox,Matters/2024-0001 Acme", "hello", "first body line")) + len(message("File to matter", "no number", "second body"))
	require.Greater(t, sealed, float64(raw), "raw bytes and their text parts are sealed")

	// The last attempt of a task of firm-b fails: counted as failed.
	fp := ps[1]
	fp.Tenant = "firm-b"
	task, err = worker.NewFileMessageTask(fp, worker.QueueDefault)
	require.NoError(t, err)
	h.HandleError(b.ctx, task, errors.Join(errors.New("broken"), asynq.SkipRetry))
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP matterfile_messages_total Messages whose filing ended, by tenant and outcome (filed, review, failed).
# TYPE matterfile_messages_total counter
matterfile_messages_total{outcome="failed",tenant="firm-b"} 1
matterfile_messages_total{outcome="filed",tenant="firm-a"} 1
matterfile_messages_total{outcome="review",tenant="firm-a"} 1
`), "matterfile_messages_total"))
}
