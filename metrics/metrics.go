// Package metrics is matterfile's Prometheus instrumentation: what was
// filed, sent to review or failed per tenant, how long each pipeline stage
// took, how the Gmail API answered, how deep the queues are and how many
// bytes were sealed.
//
// Labels carry only canonical IDs (tenants) and fixed words (outcomes,
// stages, queue names, HTTP status codes) — never an address, subject,
// label name or any other content, so that a scrape can be shipped to a
// monitoring system outside the firm.
//
// Everything registers on a *prometheus.Registry the caller passes in;
// nothing touches the global registry. A nil *Metrics is a valid no-op, so
// code paths that are not instrumented (tests, one-shot commands) need no
// special case.
package metrics

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of filing a message.
const (
	OutcomeFiled  = "filed"
	OutcomeReview = "review"
	OutcomeFailed = "failed"
)

// Pipeline stages.
const (
	StageFetch    = "fetch"    // Gmail → staged inbox
	StageParse    = "parse"    // hash and parse (pass one)
	StageClassify = "classify" // decide the target
	StageSeal     = "seal"     // encrypt raw and parts (pass two)
	StageCommit   = "commit"   // manifest and index entry
)

// Metrics holds matterfile's collectors.
type Metrics struct {
	messages       *prometheus.CounterVec
	stages         *prometheus.HistogramVec
	gmailRequests  *prometheus.CounterVec
	gmailThrottled prometheus.Counter
	bytesSealed    prometheus.Counter
	// onStage, if set, sees every stage time exactly (a histogram keeps
	// buckets only); 'matterfile bench' reports percentiles from it.
	onStage atomic.Pointer[func(stage string, d time.Duration)]
}

// New creates the collectors and registers them on reg.
func New(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "matterfile_messages_total",
			Help: "Messages whose filing ended, by tenant and outcome (filed, review, failed).",
		}, []string{"tenant", "outcome"}),
		stages: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "matterfile_stage_seconds",
			Help:    "Time spent in each filing pipeline stage (fetch, parse, classify, seal, commit).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}, []string{"stage"}),
		gmailRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "matterfile_gmail_requests_total",
			Help: "Gmail API HTTP requests by response status code (\"error\": no response).",
		}, []string{"code"}),
		gmailThrottled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "matterfile_gmail_throttled_total",
			Help: "Gmail API responses that said the quota is exceeded: status 429, or 403 with reason rateLimitExceeded or userRateLimitExceeded.",
		}),
		bytesSealed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "matterfile_bytes_sealed_total",
			Help: "Plaintext bytes of raw messages and their parts sealed into the store.",
		}),
	}
	for _, c := range []prometheus.Collector{m.messages, m.stages, m.gmailRequests, m.gmailThrottled, m.bytesSealed} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Message counts one message of tenant whose filing ended with outcome
// (OutcomeFiled, OutcomeReview or OutcomeFailed).
func (m *Metrics) Message(tenant, outcome string) {
	if m == nil {
		return
	}
	m.messages.WithLabelValues(tenant, outcome).Inc()
}

// Stage records that stage took d.
func (m *Metrics) Stage(stage string, d time.Duration) {
	if m == nil {
		return
	}
	m.stages.WithLabelValues(stage).Observe(d.Seconds())
	if fn := m.onStage.Load(); fn != nil {
		(*fn)(stage, d)
	}
}

// OnStage makes fn see every stage time Stage records, besides the
// histogram; nil stops it. fn is called from many goroutines at once.
func (m *Metrics) OnStage(fn func(stage string, d time.Duration)) {
	if m == nil {
		return
	}
	if fn == nil {
		m.onStage.Store(nil)
		return
	}
	m.onStage.Store(&fn)
}

// Sealed counts n plaintext bytes sealed into the store.
func (m *Metrics) Sealed(n int64) {
	if m == nil || n <= 0 {
		return
	}
	m.bytesSealed.Add(float64(n))
}

// GmailThrottled counts one Gmail API response that said the quota is
// exceeded (a 429, or a 403 rateLimitExceeded or userRateLimitExceeded).
// The Gmail client calls it from its verdict on the response: a
// rate-limit 403 differs from a permission 403 only in its body, which
// the transport below never reads.
func (m *Metrics) GmailThrottled() {
	if m == nil {
		return
	}
	m.gmailThrottled.Inc()
}

// GmailTransport wraps next (nil: http.DefaultTransport) so that every
// Gmail API request is counted by status code. It never looks at URLs,
// headers or bodies; throttling is counted by GmailThrottled.
func (m *Metrics) GmailTransport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if m == nil {
		return next
	}
	return gmailTransport{m: m, next: next}
}

type gmailTransport struct {
	m    *Metrics
	next http.RoundTripper
}

func (t gmailTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		t.m.gmailRequests.WithLabelValues("error").Inc()
		return resp, err
	}
	t.m.gmailRequests.WithLabelValues(strconv.Itoa(resp.StatusCode)).Inc()
	return resp, nil
}
