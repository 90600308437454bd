package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// TenantLimiter bounds the tasks of each tenant that run at once, with a
// counting semaphore per tenant in Redis: a sorted set of the running
// tasks' leases, scored by when each lease expires. A lease is renewed while
// its task runs and released when it returns, so a worker killed outright
// holds its tenant's slots only until their leases expire (30 s). Tasks
// whose payload names no tenant are not bounded.
//
// The scripts run on Redis, Redis Cluster (one key each) and the embedded
// Redis-compatible server alike.
type TenantLimiter struct {
	rdb redis.UniversalClient
	max int
	log *slog.Logger
	// lease is how long a slot is held without renewal; renew is how
	// often a running task renews it.
	lease, renew time.Duration
	// wait is how long a task of a tenant at its bound waits for a slot
	// before it is put back in the queue; poll is how often it asks.
	wait, poll time.Duration
}

// Default timings of a TenantLimiter.
const (
	tenantLease     = 30 * time.Second
	tenantBusyWait  = 500 * time.Millisecond
	tenantBusyPoll  = 50 * time.Millisecond
	tenantKeyPrefix = "matterfile:inflight:"
)

// NewTenantLimiter returns a limiter letting at most maxInFlight tasks of
// one tenant run at once. The caller keeps rdb open while it is used and
// closes it after.
func NewTenantLimiter(rdb redis.UniversalClient, maxInFlight int, log *slog.Logger) (*TenantLimiter, error) {
	if rdb == nil {
		return nil, errors.New("tenant limiter: a Redis client is required")
	}
	if maxInFlight < 1 {
		return nil, fmt.Errorf("tenant limiter: max in flight %d: want at least 1", maxInFlight)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &TenantLimiter{rdb: rdb, max: maxInFlight, log: log,
		lease: tenantLease, renew: tenantLease / 3, wait: tenantBusyWait, poll: tenantBusyPoll}, nil
}

// MaxInFlight is the bound per tenant.
func (l *TenantLimiter) MaxInFlight() int { return l.max }

// InFlight returns how many tasks of tenant hold a slot now.
func (l *TenantLimiter) InFlight(ctx context.Context, tenant string) (int, error) {
	n, err := inflightCmd.Run(ctx, l.rdb, []string{tenantKey(tenant)}).Int()
	if err != nil {
		return 0, fmt.Errorf("tenant limiter: count %s: %w", tenant, err)
	}
	return n, nil
}

// tenantKey is the semaphore of tenant: its ID is canonical (tenantOf), so
// the key holds nothing but an ID.
func tenantKey(tenant string) string { return tenantKeyPrefix + "{" + tenant + "}" }

// Times are the Redis server's, in milliseconds, so that the workers'
// clocks need not agree. Numbers go back to Redis through string.format:
// Lua's tostring would round a millisecond timestamp.
const tenantLuaPrelude = `
if redis.replicate_commands then redis.replicate_commands() end
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function int(x) return string.format('%.0f', x) end
`

// KEYS[1] semaphore; ARGV[1] bound, ARGV[2] holder, ARGV[3] lease in ms.
// A holder that has a slot already (the same task run again after a
// crash) takes it again.
var acquireCmd = redis.NewScript(tenantLuaPrelude + `
local t = now()
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', int(t))
if redis.call('ZSCORE', KEYS[1], ARGV[2]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], int(t + tonumber(ARGV[3])), ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0
`)

// KEYS[1] semaphore; ARGV[1] holder, ARGV[2] lease in ms. Only a slot
// still held is renewed.
var renewCmd = redis.NewScript(tenantLuaPrelude + `
local t = now()
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], int(t + tonumber(ARGV[2])), ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
`)

// KEYS[1] semaphore: the slots held and not expired.
var inflightCmd = redis.NewScript(tenantLuaPrelude + `
return redis.call('ZCOUNT', KEYS[1], '(' .. int(now()), '+inf')
`)

// tryAcquire takes one of tenant's slots for holder, if one is free.
func (l *TenantLimiter) tryAcquire(ctx context.Context, tenant, holder string) (bool, error) {
	ok, err := acquireCmd.Run(ctx, l.rdb, []string{tenantKey(tenant)}, l.max, holder, l.lease.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("tenant limiter: acquire %s: %w", tenant, err)
	}
	return ok == 1, nil
}

// acquire waits up to wait (forever if wait < 0) for one of tenant's
// slots.
func (l *TenantLimiter) acquire(ctx context.Context, tenant, holder string, wait time.Duration) (bool, error) {
	var deadline time.Time
	if wait >= 0 {
		deadline = time.Now().Add(wait)
	}
	for {
		ok, err := l.tryAcquire(ctx, tenant, holder)
		if ok || err != nil {
			return ok, err
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(l.poll):
		}
	}
}

// release gives holder's slot back. It runs even when the task's context
// has ended, since the slot must not wait for its lease to expire.
func (l *TenantLimiter) release(ctx context.Context, tenant, holder string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := l.rdb.ZRem(ctx, tenantKey(tenant), holder).Err(); err != nil {
		l.log.Warn("tenant limiter: release", "tenant", tenant, "err", err)
	}
}

// keep renews holder's lease until stop is closed.
func (l *TenantLimiter) keep(ctx context.Context, tenant, holder string, stop <-chan struct{}) {
	t := time.NewTicker(l.renew)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.renew)
		err := renewCmd.Run(rctx, l.rdb, []string{tenantKey(tenant)}, holder, l.lease.Milliseconds()).Err()
		cancel()
		if err != nil {
			l.log.Warn("tenant limiter: renew", "tenant", tenant, "err", err)
		}
	}
}

// Handler bounds next: a task naming a tenant runs only while it holds
// one of the tenant's slots. A task of a tenant at its bound waits a
// moment for a slot and then returns an error that puts it back in the
// queue without using up a retry (see IsFailure and retryDelay); on its
// last attempt, which such an error would archive, it waits for a slot
// instead. It can be used as the mux's middleware or around the mux.
func (l *TenantLimiter) Handler(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		tenant := tenantOf(t)
		if tenant == "" {
			return next.ProcessTask(ctx, t)
		}
		holder, ok := asynq.GetTaskID(ctx)
		if !ok {
			holder = randomHolder()
		}
		wait := l.wait
		retried, _ := asynq.GetRetryCount(ctx)
		if maxRetry, ok := asynq.GetMaxRetry(ctx); ok && retried >= maxRetry {
			wait = -1
		}
		got, err := l.acquire(ctx, tenant, holder, wait)
		if err != nil {
			// Redis trouble: the task is retried like any other failure.
			return err
		}
		if !got {
			return &tenantBusyError{tenant: tenant}
		}
		stop := make(chan struct{})
		kept := make(chan struct{})
		go func() { l.keep(ctx, tenant, holder, stop); close(kept) }()
		defer func() {
			close(stop)
			<-kept
			l.release(ctx, tenant, holder)
		}()
		return next.ProcessTask(ctx, t)
	})
}

func randomHolder() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "anon-" + hex.EncodeToString(b[:])
}

// tenantBusyError is returned for a task whose tenant was at its bound: it
// was not run, and is not a failure.
type tenantBusyError struct{ tenant string }

func (e *tenantBusyError) Error() string {
	return "tenant " + e.tenant + " is at its bound of tasks in flight; put back in the queue"
}

// isTenantBusy reports whether err put a task back because its tenant was
// at its bound.
func isTenantBusy(err error) bool {
	var b *tenantBusyError
	return errors.As(err, &b)
}

// isFailure tells asynq which errors use up a retry: all but a busy
// tenant's.
func isFailure(err error) bool { return !isTenantBusy(err) }

// tenantBusyDelay is how long a busy tenant's task stays out of the queue:
// a second or two, spread so that put-back tasks do not return together.
func tenantBusyDelay() time.Duration {
	return time.Second + mrand.N(time.Second)
}
