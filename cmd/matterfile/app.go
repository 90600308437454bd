package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/config"
	"github.com/matterfile/matterfile/ingest/gmail"
	"github.com/matterfile/matterfile/metrics"
	"github.com/matterfile/matterfile/pace"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
	"github.com/matterfile/matterfile/worker"
)

// globals are the flags every subcommand takes.
type globals struct {
	getenv    func(string) string
	stdout    io.Writer
	stderr    io.Writer
	dataDir   string
	logFormat string
	verbose   bool
}

// app is a process's wired dependencies.
type app struct {
	cfg     config.Config
	log     *slog.Logger
	store   storage.BlobStore
	keys    sealed.Keyring
	where   string
	cat     *catalog.Catalog
	policy  classify.Policy
	g       *globals
	h       *worker.Handlers
	closers []func() error
	// reg and m are the process's metrics (see instruments);
	// queueWatched: the queue depth collector is registered.
	reg          *prometheus.Registry
	m            *metrics.Metrics
	queueWatched bool
}

func (g *globals) loadConfig() (config.Config, error) {
	getenv := g.getenv
	if g.dataDir != "" {
		getenv = func(k string) string {
			if k == "MATTERFILE_DATA_DIR" {
				return g.dataDir
			}
			return g.getenv(k)
		}
	}
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return cfg, fmt.Errorf("configuration: %w", err)
	}
	switch g.logFormat {
	case "":
	case "text", "json":
		cfg.LogFormat = g.logFormat
	default:
		return cfg, errors.New("--log-format: want text or json")
	}
	return cfg, nil
}

// logger logs in format ("text" or "json"). Records carry IDs only: task
// types and IDs, tenant, mailbox and message IDs, never content.
func (g *globals) logger(format string) *slog.Logger {
	level := slog.LevelWarn
	if g.verbose {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(g.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(g.stderr, opts))
}

// open validates the configuration and opens the store and the root key.
// A wrong setting fails here, before any work, naming the setting.
func (g *globals) open(ctx context.Context) (*app, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: g.logger(cfg.LogFormat), g: g}
	a.policy = classify.DefaultPolicy()
	a.policy.MatterLabelPrefix, a.policy.FilingLabel = cfg.MatterLabelPrefix, cfg.FilingLabel
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("MATTERFILE_DATA_DIR: %w", err)
	}
	// Keysets live in a store of their own (see sealed.Keyring).
	var bs, ks storage.BlobStore
	if cfg.S3.Endpoint != "" {
		s3cfg := storage.S3Config{
			Endpoint: cfg.S3.Endpoint, AccessKey: cfg.S3.AccessKey, SecretKey: cfg.S3.SecretKey,
			Bucket: cfg.S3.Bucket, Region: cfg.S3.Region, TLS: cfg.S3.TLS,
		}
		var data interface {
			storage.BlobStore
			String() string
		}
		var err error
		if cfg.S3.BucketPerTenant {
			data, err = storage.NewPerTenantS3(ctx, s3cfg, cfg.S3.TenantBucketPrefix())
		} else {
			data, err = storage.NewS3(ctx, s3cfg)
		}
		if err != nil {
			return nil, fmt.Errorf("MATTERFILE_S3_ENDPOINT: %w", err)
		}
		s3cfg.Bucket = cfg.S3.KeysBucket
		keys, err := storage.NewS3(ctx, s3cfg)
		if err != nil {
			return nil, fmt.Errorf("MATTERFILE_S3_KEYS_BUCKET: %w", err)
		}
		bs, ks, a.where = data, keys, data.String()
	} else {
		local, err := storage.NewLocal(cfg.LocalStoreDir())
		if err != nil {
			return nil, fmt.Errorf("MATTERFILE_DATA_DIR: %w", err)
		}
		a.closers = append(a.closers, local.Close)
		keys, err := storage.NewLocal(cfg.LocalKeysDir())
		if err != nil {
			a.close()
			return nil, fmt.Errorf("MATTERFILE_DATA_DIR: %w", err)
		}
		a.closers = append(a.closers, keys.Close)
		bs, ks, a.where = local, keys, local.String()
	}
	a.store = storage.WithRetry(bs, storage.RetryPolicy{})
	root, err := sealed.OpenRootKeyContext(ctx, cfg.KeyURI, cfg.KeyFile() != "")
	if err != nil {
		a.close()
		return nil, fmt.Errorf("MATTERFILE_KEY_URI: %w", err)
	}
	a.keys = sealed.Keyring{Store: storage.WithRetry(ks, storage.RetryPolicy{}), Root: root}
	if a.cat, err = catalog.New(a.store, a.keys); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		if err := a.closers[i](); err != nil {
			a.log.Warn("close", "err", err)
		}
	}
	a.closers = nil
}

// openQueue connects to Redis, or starts the embedded server.
func (a *app) openQueue() (*worker.Queue, error) {
	q, err := worker.OpenQueue(a.cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("MATTERFILE_REDIS_URL: %w", err)
	}
	a.closers = append(a.closers, q.Close)
	return q, nil
}

// startWorker serves tasks in this process until the returned stop is
// called. It first re-queues every message staged in the store, so work
// that an earlier process left behind is done too.
func (a *app) startWorker(ctx context.Context, q *worker.Queue) (stop func(), err error) {
	h, err := a.handlers(q)
	if err != nil {
		return nil, err
	}
	// Each tenant is bounded, through Redis so that the bound holds across
	// workers: one firm's backfill leaves slots for the others' new mail.
	rdb := q.RedisClient()
	a.closers = append(a.closers, rdb.Close)
	bound := a.cfg.TenantMaxInFlight
	if q.Embedded() && a.g.getenv("MATTERFILE_TENANT_MAX_INFLIGHT") == "" {
		// One process on one machine, usually one firm: a default bound
		// would only halve its speed. Set explicitly, it holds here too.
		bound = max(1, a.cfg.Concurrency)
	}
	lim, err := worker.NewTenantLimiter(rdb, bound, a.log)
	if err != nil {
		return nil, fmt.Errorf("MATTERFILE_TENANT_MAX_INFLIGHT: %w", err)
	}
	srv := q.NewServer(h, worker.ServerConfig{Concurrency: a.cfg.Concurrency, ShutdownTimeout: a.cfg.ShutdownTimeout, Logger: a.log})
	if err := srv.Start(lim.Handler(h.Mux())); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	im, err := worker.NewImporter(a.cat, q, a.policy)
	if err != nil {
		srv.Shutdown()
		return nil, err
	}
	n, err := im.RequeuePending(ctx)
	if err != nil {
		srv.Shutdown()
		return nil, fmt.Errorf("requeue pending messages: %w", err)
	}
	if n > 0 {
		a.log.Info("requeued pending messages", "count", n)
	}
	return srv.Shutdown, nil
}

// handlers wires the task handlers to q. The Gmail quota is shared
// through q's Redis, so every worker process paces one budget.
func (a *app) handlers(q *worker.Queue) (*worker.Handlers, error) {
	if a.h != nil {
		return a.h, nil
	}
	rdb := q.RedisClient()
	a.closers = append(a.closers, rdb.Close)
	// Run just below the quota, so that 429 stays an accident.
	limiter, err := pace.New(rdb, pace.BelowQuota(a.cfg.Google.QuotaPerMinute))
	if err != nil {
		return nil, fmt.Errorf("MATTERFILE_GMAIL_QUOTA_PER_MINUTE: %w", err)
	}
	gs := worker.GmailSettings{
		TokenURL: a.cfg.Google.TokenURL, Endpoint: a.cfg.Google.Endpoint,
		Pacer: limiter, Costs: a.cfg.Google.Costs, PubSubTopic: a.cfg.Google.PubSubTopic,
	}
	if a.cfg.Google.ClientID != "" {
		gs.OAuth = gmail.OAuthConfig(a.cfg.Google.ClientID, a.cfg.Google.ClientSecret, a.cfg.Google.AuthURL, a.cfg.Google.TokenURL, "", nil)
	}
	m, _ := a.instruments()
	h, err := worker.NewHandlers(worker.HandlersConfig{Catalog: a.cat, Enqueuer: q.Client, Policy: a.policy, Gmail: gs, Logger: a.log, Metrics: m})
	if err != nil {
		return nil, err
	}
	a.h = h
	return h, nil
}

func (g *globals) isTerminal() bool {
	f, ok := g.stderr.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// withApp runs fn with an opened app and closes it afterwards.
func (g *globals) withApp(fn func(ctx context.Context, a *app) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		a, err := g.open(cmd.Context())
		if err != nil {
			return err
		}
		defer a.close()
		return fn(cmd.Context(), a)
	}
}

// withTenant runs fn with an opened app and the tenant named by *tenant.
func (g *globals) withTenant(tenant *string, fn func(ctx context.Context, a *app, t *catalog.Tenant, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		return g.withApp(func(ctx context.Context, a *app) error {
			t, err := a.cat.Open(ctx, *tenant)
			if err != nil {
				return err
			}
			return fn(ctx, a, t, args)
		})(cmd, args)
	}
}

var errFailed = errors.New("some messages failed")
