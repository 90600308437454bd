package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/matterfile/matterfile/metrics"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/worker"
)

// readyTimeout bounds every readiness check together.
const readyTimeout = 2 * time.Second

// instruments returns this process's metrics and their registry, creating
// them on first use. The registry is the process's own, never the global
// one.
func (a *app) instruments() (*metrics.Metrics, *prometheus.Registry) {
	if a.reg == nil {
		reg := prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		m, err := metrics.New(reg)
		if err != nil {
			panic(err) // a fresh registry cannot hold a duplicate
		}
		a.reg, a.m = reg, m
	}
	return a.m, a.reg
}

// readyCheck is one dependency /readyz asks. Its error is never shown:
// /readyz answers with the name only, which holds no secret.
type readyCheck struct {
	name  string
	check func(ctx context.Context) error
}

// opsRoutes adds the operational endpoints to mux: /metrics (reg),
// /healthz (the process answers) and /readyz (every check answers within
// readyTimeout).
func opsRoutes(mux *http.ServeMux, reg *prometheus.Registry, checks ...readyCheck) {
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		// A check that outlives ctx (a client with timeouts of its own)
		// is not waited for: it counts as not answering.
		type result struct {
			i   int
			err error
		}
		results := make(chan result, len(checks))
		for i, c := range checks {
			go func() { results <- result{i, c.check(ctx)} }()
		}
		answered := make([]bool, len(checks))
		for range checks {
			select {
			case res := <-results:
				answered[res.i] = res.err == nil
			case <-ctx.Done():
			}
		}
		for i, ok := range answered {
			if !ok {
				http.Error(w, "not ready: "+checks[i].name+" does not answer", http.StatusServiceUnavailable)
				return
			}
		}
		fmt.Fprintln(w, "ready")
	})
}

// healthz answers while the process serves.
func healthz(w http.ResponseWriter, _ *http.Request) {
	fmt.Fprintln(w, "ok")
}

// errListed stops a readiness listing at its first object.
var errListed = errors.New("listed")

// readyChecks asks the queue's Redis for a PING and the object store for
// the first tenant marker.
func readyChecks(pingRedis func(context.Context) error, store storage.BlobStore) []readyCheck {
	return []readyCheck{
		{"redis", pingRedis},
		{"object store", func(ctx context.Context) error {
			err := store.List(ctx, storage.TenantsPrefix, func(storage.Info) error { return errListed })
			if errors.Is(err, errListed) {
				return nil
			}
			return err
		}},
	}
}

// opsHandler serves /metrics, /healthz and /readyz of this process: its
// metrics, the depth of q's queues, and readiness of q's Redis and the
// store.
func (a *app) opsHandler(q *worker.Queue, mux *http.ServeMux) *http.ServeMux {
	if mux == nil {
		mux = http.NewServeMux()
	}
	_, reg := a.instruments()
	if !a.queueWatched {
		reg.MustRegister(metrics.NewQueueCollector(q.Inspector, slices.Sorted(maps.Keys(worker.Queues()))))
		a.queueWatched = true
	}
	rdb := q.RedisClient()
	a.closers = append(a.closers, rdb.Close)
	ping := func(ctx context.Context) error { return rdb.Ping(ctx).Err() }
	opsRoutes(mux, reg, readyChecks(ping, a.store)...)
	return mux
}

// serveOps serves h on addr (MATTERFILE_METRICS_ADDR) until ctx ends.
func serveOps(ctx context.Context, ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	_ = srv.Serve(ln)
}
