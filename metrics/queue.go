package metrics

import (
	"slices"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
)

// QueueInspector is what the queue collector needs of an asynq Inspector.
type QueueInspector interface {
	Queues() ([]string, error)
	GetQueueInfo(queue string) (*asynq.QueueInfo, error)
}

var queueDepthDesc = prometheus.NewDesc("matterfile_queue_depth",
	"Tasks in each queue by state, asked of Redis at scrape time.", []string{"queue", "state"}, nil)

var queueUpDesc = prometheus.NewDesc("matterfile_queue_up",
	"1 if the queue's Redis answered the last scrape, 0 if not.", nil, nil)

// QueueCollector reports the depth of a fixed set of queues, asking Redis
// at each scrape. Only the queues it was given are reported, so the label
// values stay fixed words whatever Redis holds.
type QueueCollector struct {
	insp   QueueInspector
	queues []string
}

// NewQueueCollector reports queues through insp; register it on the
// registry that /metrics serves.
func NewQueueCollector(insp QueueInspector, queues []string) *QueueCollector {
	qs := slices.Clone(queues)
	slices.Sort(qs)
	return &QueueCollector{insp: insp, queues: qs}
}

// Describe implements prometheus.Collector.
func (c *QueueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDepthDesc
	ch <- queueUpDesc
}

// Collect implements prometheus.Collector. A queue Redis has never seen
// (no task yet) is reported empty.
func (c *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	known, err := c.insp.Queues()
	if err != nil {
		ch <- prometheus.MustNewConstMetric(queueUpDesc, prometheus.GaugeValue, 0)
		return
	}
	up := 1.0
	for _, q := range c.queues {
		var qi asynq.QueueInfo
		if slices.Contains(known, q) {
			info, err := c.insp.GetQueueInfo(q)
			if err != nil {
				up = 0
				continue
			}
			qi = *info
		}
		for _, s := range []struct {
			state string
			n     int
		}{
			{"pending", qi.Pending}, {"active", qi.Active}, {"scheduled", qi.Scheduled},
			{"retry", qi.Retry}, {"archived", qi.Archived}, {"completed", qi.Completed},
		} {
			ch <- prometheus.MustNewConstMetric(queueDepthDesc, prometheus.GaugeValue, float64(s.n), q, s.state)
		}
	}
	ch <- prometheus.MustNewConstMetric(queueUpDesc, prometheus.GaugeValue, up)
}
