package metrics_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/metrics"
)

// The transport counts every response by status code; throttling is
// counted only when the Gmail client's verdict says so (GmailThrottled),
// because a rate-limit 403 differs from a permission 403 in its body.
func TestGmailTransportCountsCodes(t *testing.T) {
	codes := []int{200, 429, 200, 503}
	i := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(codes[i])
		i++
	}))
	defer srv.Close()
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	require.NoError(t, err)
	hc := &http.Client{Transport: m.GmailTransport(nil)}
	for range codes {
		resp, err := hc.Get(srv.URL + "/gmail/v1/users/ann@acme.example/messages")
		require.NoError(t, err)
		resp.Body.Close()
	}
	srv.Close()
	_, err = hc.Get(srv.URL)
	require.Error(t, err)
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP matterfile_gmail_throttled_total Gmail API responses that said the quota is exceeded: status 429, or 403 with reason rateLimitExceeded or userRateLimitExceeded.
# TYPE matterfile_gmail_throttled_total counter
matterfile_gmail_throttled_total 0
`), "matterfile_gmail_throttled_total"), "the transport never judges throttling")
	m.GmailThrottled()
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP matterfile_gmail_requests_total Gmail API HTTP requests by response status code ("error": no response).
# TYPE matterfile_gmail_requests_total counter
matterfile_gmail_requests_total{code="200"} 2
matterfile_gmail_requests_total{code="429"} 1
matterfile_gmail_requests_total{code="503"} 1
matterfile_gmail_requests_total{code="error"} 1
# HELP matterfile_gmail_throttled_total Gmail API responses that said the quota is exceeded: status 429, or 403 with reason rateLimitExceeded or userRateLimitExceeded.
# TYPE matterfile_gmail_throttled_total counter
matterfile_gmail_throttled_total 1
`), "matterfile_gmail_requests_total", "matterfile_gmail_throttled_total"))
}

func TestNilMetricsIsANoOp(t *testing.T) {
	var m *metrics.Metrics
	m.Message("firm-a", metrics.OutcomeFiled)
	m.Stage(metrics.StageSeal, 1)
	m.Sealed(10)
	m.GmailThrottled()
	require.Equal(t, http.DefaultTransport, m.GmailTransport(nil))
}

type fakeInspector struct {
	known []string
	err   error
}

func (f fakeInspector) Queues() ([]string, error) { return f.known, f.err }
func (f fakeInspector) GetQueueInfo(q string) (*asynq.QueueInfo, error) {
	return &asynq.QueueInfo{Queue: q, Pending: 3, Active: 1, Retry: 2}, nil
}

func TestQueueCollectorReportsFixedQueues(t *testing.T) {
	reg := prometheus.NewRegistry()
	// "stray" is in Redis but not ours: not reported. "backfill" has
	// never held a task: reported empty.
	reg.MustRegister(metrics.NewQueueCollector(fakeInspector{known: []string{"live", "stray"}}, []string{"live", "backfill"}))
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP matterfile_queue_depth Tasks in each queue by state, asked of Redis at scrape time.
# TYPE matterfile_queue_depth gauge
matterfile_queue_depth{queue="backfill",state="active"} 0
matterfile_queue_depth{queue="backfill",state="archived"} 0
matterfile_queue_depth{queue="backfill",state="completed"} 0
matterfile_queue_depth{queue="backfill",state="pending"} 0
matterfile_queue_depth{queue="backfill",state="retry"} 0
matterfile_queue_depth{queue="backfill",state="scheduled"} 0
matterfile_queue_depth{queue="live",state="active"} 1
matterfile_queue_depth{queue="live",state="archived"} 0
matterfile_queue_depth{queue="live",state="completed"} 0
matterfile_queue_depth{queue="live",state="pending"} 3
matterfile_queue_depth{queue="live",state="retry"} 2
matterfile_queue_depth{queue="live",state="scheduled"} 0
# HELP matterfile_queue_up 1 if the queue's Redis answered the last scrape, 0 if not.
# TYPE matterfile_queue_up gauge
matterfile_queue_up 1
`)))

	down := prometheus.NewRegistry()
	down.MustRegister(metrics.NewQueueCollector(fakeInspector{err: errors.New("dial tcp: refused")}, []string{"live"}))
	require.NoError(t, testutil.GatherAndCompare(down, strings.NewReader(`
# HELP matterfile_queue_up 1 if the queue's Redis answered the last scrape, 0 if not.
# TYPE matterfile_queue_up gauge
matterfile_queue_up 0
`)))
}
