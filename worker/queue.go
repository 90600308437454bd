package worker

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Queue is the connection to the Redis that carries work: a real one, or
// an in-process Redis-compatible server when no URL is configured. The
// embedded server lives only as long as the process; that is safe because
// the object store, not Redis, records what must be filed.
type Queue struct {
	opt       asynq.RedisConnOpt
	embedded  *miniredis.Miniredis
	Client    *asynq.Client
	Inspector *asynq.Inspector
}

// OpenQueue connects to redisURL, or starts the embedded server if it is
// empty. It checks that Redis answers.
func OpenQueue(redisURL string) (*Queue, error) {
	q := &Queue{}
	if redisURL == "" {
		mr := miniredis.NewMiniRedis()
		if err := mr.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("start embedded redis: %w", err)
		}
		q.embedded = mr
		q.opt = asynq.RedisClientOpt{Addr: mr.Addr()}
	} else {
		opt, err := asynq.ParseRedisURI(redisURL)
		if err != nil {
			return nil, fmt.Errorf("MATTERFILE_REDIS_URL: %w", err)
		}
		q.opt = opt
	}
	q.Client = asynq.NewClient(q.opt)
	q.Inspector = asynq.NewInspector(q.opt)
	if err := q.Ping(); err != nil {
		q.Close()
		return nil, err
	}
	return q, nil
}

// Ping checks that Redis answers.
func (q *Queue) Ping() error {
	if _, err := q.Inspector.Queues(); err != nil {
		return fmt.Errorf("redis does not answer: %w", err)
	}
	return nil
}

// RedisClient returns a new client of the queue's Redis, for state all
// workers share (quota pacing). The caller closes it.
func (q *Queue) RedisClient() redis.UniversalClient {
	return q.opt.MakeRedisClient().(redis.UniversalClient)
}

// RedisConnOpt is how the queue connects to its Redis, for tools that
// open connections of their own (the queue monitor of 'serve').
func (q *Queue) RedisConnOpt() asynq.RedisConnOpt { return q.opt }

// Embedded reports whether the queue runs in this process.
func (q *Queue) Embedded() bool { return q.embedded != nil }

// Close closes the connections and stops an embedded server.
func (q *Queue) Close() error {
	err := errors.Join(q.Client.Close(), q.Inspector.Close())
	if q.embedded != nil {
		q.embedded.Close()
	}
	return err
}

// ServerConfig tunes a worker server.
type ServerConfig struct {
	Concurrency     int
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
}

// NewServer returns an asynq server on this queue serving h.
func (q *Queue) NewServer(h *Handlers, cfg ServerConfig) *asynq.Server {
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	return asynq.NewServer(q.opt, asynq.Config{
		Concurrency:     cfg.Concurrency,
		Queues:          Queues(),
		ShutdownTimeout: cfg.ShutdownTimeout,
		ErrorHandler:    asynq.ErrorHandlerFunc(h.HandleError),
		RetryDelayFunc:  retryDelay,
		IsFailure:       isFailure,
		Logger:          asynqLogger{log: cfg.Logger},
		LogLevel:        asynq.WarnLevel,
	})
}

// retryDelay backs off from one second to ten minutes; most failures are a
// store or network hiccup that passes quickly. A webhook delivery waits
// longer (notifyRetryDelay): a receiver that is down is down for a while.
//
// A task put back because its tenant was at its bound (TenantLimiter)
// failed nothing: it comes back in a second or two.
func retryDelay(n int, err error, t *asynq.Task) time.Duration {
	if isTenantBusy(err) {
		return tenantBusyDelay()
	}
	if t != nil && t.Type() == TypeNotify {
		return notifyRetryDelay(n)
	}
	d := time.Second << min(n, 10)
	return min(d, 10*time.Minute)
}

// asynqLogger routes asynq's own logs to slog.
type asynqLogger struct{ log *slog.Logger }

func (l asynqLogger) logger() *slog.Logger {
	if l.log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.log
}
func (l asynqLogger) Debug(args ...any) { l.logger().Debug(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Info(args ...any)  { l.logger().Info(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Warn(args ...any)  { l.logger().Warn(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Error(args ...any) { l.logger().Error(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Fatal(args ...any) { l.logger().Error(fmt.Sprint(args...), "component", "asynq") }
