package worker_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest/gmail"
	"github.com/matterfile/matterfile/ingest/gmail/gmailfake"
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

// Gmail's answers to an exceeded rate — a 429, or a 403 whose reason is
// rateLimitExceeded or userRateLimitExceeded — are all counted as
// throttling, and every request by its status code; a sync and its filing
// still complete.
func TestGmailThrottlingMetrics(t *testing.T) {
	b := setup(t)
	fake := gmailfake.New(gmailfake.Options{RateLimit403Rate: 0.15, MaxInFlightPerUser: 2, Latency: time.Millisecond, Seed: 8})
	t.Cleanup(fake.Close)
	fake.RegisterClient("cid", "secret")
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	require.NoError(t, err)
	h, err := worker.NewHandlers(worker.HandlersConfig{
		Catalog: b.cat, Enqueuer: b.q.Client, Policy: classify.DefaultPolicy(), Metrics: m,
		Gmail: worker.GmailSettings{
			OAuth:    gmail.OAuthConfig("cid", "secret", fake.AuthURL(), fake.TokenURL(), "", nil),
			Endpoint: fake.URL(), Pacer: &freePacer{},
			Retry: gmail.Retry{Base: time.Millisecond, Cap: 10 * time.Millisecond, MaxAttempts: 20},
		},
	})
	require.NoError(t, err)
	srv := b.q.NewServer(h, worker.ServerConfig{Concurrency: 8})
	require.NoError(t, srv.Start(h.Mux()))
	t.Cleanup(srv.Shutdown)
	gb := &gmailBundle{testBundle: b, fake: fake, h: h}
	fm, mb := gb.connect(t, "busy@firm.example", true)
	matter := fm.CreateLabel("Matters/2024-0001 Acme")
	for i := range 30 {
		fm.AddMessage(gmailMessage(i, "status"), "INBOX", matter)
	}
	res := gb.syncAndWait(t, mb)
	require.Equal(t, 30, res.Candidates)
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	entries, err := tn.Messages(b.ctx)
	require.NoError(t, err)
	require.Len(t, entries, 30, "throttling delays filing, it loses nothing")

	st := fake.Stats()
	require.NotZero(t, st.Answered403RateLimit, "the fake refused some requests with a rate-limit 403")
	codes := map[string]float64{}
	var throttled, requests float64
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		switch mf.GetName() {
		case "matterfile_gmail_requests_total":
			for _, s := range mf.GetMetric() {
				codes[s.GetLabel()[0].GetValue()] = s.GetCounter().GetValue()
				requests += s.GetCounter().GetValue()
			}
		case "matterfile_gmail_throttled_total":
			throttled = mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	require.Equal(t, float64(st.Answered403RateLimit+st.Answered429), throttled, "every 429 and rate-limit 403 is throttling")
	require.Equal(t, float64(st.Answered403RateLimit), codes["403"], "403s are still counted by their status")
	require.Equal(t, float64(st.Answered429), codes["429"])
	require.Equal(t, float64(st.Requests), requests, "every request is counted once")
}
