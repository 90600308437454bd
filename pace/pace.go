// Package pace shares a quota between every worker process: per key (a
// Gmail mailbox), a token bucket in quota units and a cap on calls in
// flight, both kept in Redis and changed only by Lua scripts, so that one
// script run sees and takes both atomically.
//
// Time is Redis's (TIME inside the scripts): workers whose clocks disagree
// still agree on the bucket. A slot is a lease that expires, so a worker
// that dies mid-call frees its slot after LeaseTTL instead of holding it
// forever. When a key cannot be granted, the script says how long to wait
// (until the tokens have accrued, or at most SlotPoll for a slot) and
// Acquire sleeps that long instead of spinning. Waiting callers are served
// about oldest first: the oldest holds the head of the line, or a call of
// 100 units would starve behind a stream of calls of 20.
//
// Keys are opaque IDs: canonical IDs (ids.Validate) joined by ':', such as
// "tenant:mailbox", never an address. They name Redis keys and appear in
// errors and logs, so the package refuses anything that could carry an
// address or other personal data.
package pace

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/matterfile/matterfile/ids"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultMaxInFlight = 4
	DefaultLeaseTTL    = 2 * time.Minute
	DefaultKeyPrefix   = "matterfile:pace:"
	DefaultSlotPoll    = 50 * time.Millisecond
)

// MaxUnits bounds UnitsPerMinute and Burst: the scripts count tokens in
// units × 60,000,000, and the sum of two such counts must stay below 2^53
// to be exact in Lua's doubles.
const MaxUnits = 50_000_000

const (
	// holdGrace is how late the head of the line may come back (timer
	// and scheduling delay, a Redis round trip) before its hold lapses.
	holdGrace = 250 * time.Millisecond
	// cleanupTimeout bounds the Redis calls made after the caller has
	// gone (release, abandon), which cannot use the caller's context.
	cleanupTimeout = 2 * time.Second
)

// ErrExceedsBurst is returned for a cost larger than the bucket: it could
// never be granted.
var ErrExceedsBurst = errors.New("cost exceeds burst, so it could never be granted")

// Config configures a Limiter. Every process sharing a key must use the
// same values, or they will disagree about the bucket's size and rate.
type Config struct {
	// UnitsPerMinute is the refill rate per key; required.
	UnitsPerMinute int
	// Burst is the bucket's capacity in units; default UnitsPerMinute/20
	// (3 s of quota), at least 1. It must hold the largest single cost:
	// Acquire rejects a larger one.
	Burst int
	// MaxInFlight is how many slots a key has; default 4.
	MaxInFlight int
	// LeaseTTL is how long a slot stays taken if never released; default
	// 2 min. It should outlast the slowest call, or a slow call's slot
	// is handed out twice.
	LeaseTTL time.Duration
	// KeyPrefix starts every Redis key; default "matterfile:pace:".
	KeyPrefix string
	// SlotPoll is the longest a caller waiting for a slot sleeps before
	// asking again; default 50 ms. Releases in this process wake its
	// waiters at once; waiters in other processes only see them here.
	SlotPoll time.Duration
	// Logger reports releases that failed (the slot then frees only when
	// its lease expires); nil discards.
	Logger *slog.Logger
}

func (c *Config) validate() error {
	if c.UnitsPerMinute <= 0 || c.UnitsPerMinute > MaxUnits {
		return fmt.Errorf("pace: UnitsPerMinute is %d, want 1 to %d", c.UnitsPerMinute, MaxUnits)
	}
	if c.Burst == 0 {
		c.Burst = max(c.UnitsPerMinute/20, 1)
	}
	if c.Burst < 0 || c.Burst > MaxUnits {
		return fmt.Errorf("pace: Burst is %d, want 1 to %d", c.Burst, MaxUnits)
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = DefaultMaxInFlight
	}
	if c.MaxInFlight < 0 {
		return fmt.Errorf("pace: MaxInFlight is %d, want at least 1", c.MaxInFlight)
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = DefaultLeaseTTL
	}
	// Redis expires keys in milliseconds.
	if c.LeaseTTL < time.Millisecond {
		return fmt.Errorf("pace: LeaseTTL is %v, want at least 1ms", c.LeaseTTL)
	}
	if c.KeyPrefix == "" {
		c.KeyPrefix = DefaultKeyPrefix
	}
	if c.SlotPoll == 0 {
		c.SlotPoll = DefaultSlotPoll
	}
	if c.SlotPoll < time.Millisecond {
		return fmt.Errorf("pace: SlotPoll is %v, want at least 1ms", c.SlotPoll)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Limiter paces calls per key. It is safe for concurrent use; every
// Limiter on the same Redis and KeyPrefix shares the same buckets.
type Limiter struct {
	rdb      redis.UniversalClient
	cfg      Config
	acquire  *redis.Script
	penalize *redis.Script
	abandon  *redis.Script

	// sleep waits d, or less if wake fires; tests replace it to move
	// a fake Redis clock instead.
	sleep  func(ctx context.Context, d time.Duration, wake <-chan struct{}) error
	jitter func(d time.Duration) time.Duration

	mu      sync.Mutex
	waiters map[string]*waiters
}

// waiters are this process's callers waiting for a slot of one key.
type waiters struct {
	wake chan struct{} // closed by a release of the key
	n    int
}

// New validates cfg, applies its defaults and returns a Limiter on rdb.
// The caller keeps rdb and closes it after the last call.
func New(rdb redis.UniversalClient, cfg Config) (*Limiter, error) {
	if rdb == nil {
		return nil, errors.New("pace: no Redis client")
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Limiter{
		rdb:      rdb,
		cfg:      cfg,
		acquire:  redis.NewScript(acquireLua),
		penalize: redis.NewScript(penalizeLua),
		abandon:  redis.NewScript(abandonLua),
		sleep:    sleep,
		jitter:   jitter,
		waiters:  map[string]*waiters{},
	}, nil
}

// Config returns the configuration with defaults applied.
func (l *Limiter) Config() Config { return l.cfg }

// Acquire waits until units of quota and a slot are free for key, takes
// both at once, and returns release, which frees the slot. Call release
// when the call is done, successful or not; calling it again does nothing.
// Units are spent when granted, whatever the call's outcome.
//
// If ctx ends first, Acquire returns ctx.Err() itself.
func (l *Limiter) Acquire(ctx context.Context, key string, units int) (release func(), err error) {
	if err := validateKey(key); err != nil {
		return nil, fmt.Errorf("pace: acquire: %w", err)
	}
	if units < 0 {
		return nil, fmt.Errorf("pace: acquire %s: negative cost %d", key, units)
	}
	if units > l.cfg.Burst {
		return nil, fmt.Errorf("pace: acquire %s: %d units, burst %d: %w", key, units, l.cfg.Burst, ErrExceedsBurst)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	keys := l.keys(key)
	id := rand.Text()
	var since int64 // Redis µs of the first wait; the oldest waiter goes first
	for {
		r, err := l.acquire.Run(ctx, l.rdb, keys, id, units, l.cfg.Burst, l.cfg.UnitsPerMinute, l.cfg.MaxInFlight,
			l.cfg.LeaseTTL.Microseconds(), l.cfg.SlotPoll.Microseconds(), holdGrace.Microseconds(), since).Int64Slice()
		if err == nil && len(r) != 5 {
			err = fmt.Errorf("script answered %d values, want 5", len(r))
		}
		if err != nil {
			// The script may have run and granted before the reply
			// was lost.
			l.giveUp(ctx, key, keys, id)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("pace: acquire %s: %w", key, err)
		}
		if r[0] == 1 {
			return l.releaser(key, keys[1], id), nil
		}
		wait := time.Duration(r[1]) * time.Microsecond
		since = r[4]
		var wake <-chan struct{}
		done := func() {}
		if r[2]&2 != 0 {
			wake, done = l.watch(key)
		}
		err = l.sleep(ctx, wait+l.jitter(wait), wake)
		done()
		if err != nil {
			if r[3] == 1 {
				l.giveUp(ctx, key, keys, id)
			}
			return nil, err
		}
	}
}

// Penalize stops granting units for key for d, in every process: the
// server said the quota is spent (429 with Retry-After d). The bucket
// restarts empty after d. A shorter penalty does not cut a longer one.
func (l *Limiter) Penalize(ctx context.Context, key string, d time.Duration) error {
	if err := validateKey(key); err != nil {
		return fmt.Errorf("pace: penalize: %w", err)
	}
	if d < time.Microsecond {
		return nil
	}
	keys := l.keys(key)
	if err := l.penalize.Run(ctx, l.rdb, keys[:1], d.Microseconds(), l.cfg.Burst, l.cfg.UnitsPerMinute).Err(); err != nil {
		return fmt.Errorf("pace: penalize %s for %v: %w", key, d, err)
	}
	return nil
}

// validateKey accepts canonical IDs joined by ':' ("tenant:mailbox"), so
// that neither an address nor a brace, which would break the hash tag,
// can become part of a Redis key. Like ids, it never quotes the value.
func validateKey(key string) error {
	for i, part := range strings.Split(key, ":") {
		if err := ids.Validate(fmt.Sprintf("pace key part %d", i+1), part); err != nil {
			return err
		}
	}
	return nil
}

// keys returns the bucket and lease keys of key. The hash tag puts both in
// one Redis Cluster slot, as a script touching both requires.
func (l *Limiter) keys(key string) []string {
	base := l.cfg.KeyPrefix + "{" + key + "}:"
	return []string{base + "tokens", base + "leases"}
}

func (l *Limiter) releaser(key, leases, id string) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
			defer cancel()
			if err := l.rdb.ZRem(ctx, leases, id).Err(); err != nil {
				l.cfg.Logger.Warn("pace: release failed; the slot frees when its lease expires",
					"key", key, "lease_ttl", l.cfg.LeaseTTL, "err", err)
			}
			l.wakeWaiters(key)
		})
	}
}

// giveUp abandons an acquire whose caller is leaving, best effort: what it
// fails to undo expires on its own.
func (l *Limiter) giveUp(ctx context.Context, key string, keys []string, id string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if err := l.abandon.Run(ctx, l.rdb, keys, id).Err(); err != nil {
		l.cfg.Logger.Warn("pace: abandoning an acquire failed; its hold and lease expire on their own",
			"key", key, "err", err)
	}
}

// watch registers a waiter for a slot of key and returns the channel a
// local release closes, and the func that deregisters it.
func (l *Limiter) watch(key string) (<-chan struct{}, func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.waiters[key]
	if w == nil {
		w = &waiters{wake: make(chan struct{})}
		l.waiters[key] = w
	}
	w.n++
	return w.wake, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		w.n--
		if w.n == 0 && l.waiters[key] == w {
			delete(l.waiters, key)
		}
	}
}

func (l *Limiter) wakeWaiters(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := l.waiters[key]; w != nil {
		close(w.wake)
		w.wake = make(chan struct{})
	}
}

func sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	case <-wake:
	}
	return nil
}

// jitter spreads out callers told the same wait, so that they do not all
// ask Redis in the same millisecond. It stays well under holdGrace, or a
// late holder would lose its hold.
func jitter(d time.Duration) time.Duration {
	return mrand.N(min(d/16, 20*time.Millisecond) + time.Millisecond)
}

// BelowQuota configures a bucket that never spends more than quota units
// in any sliding minute, however it is used: a burst of 3% plus a minute
// of refill at 96% stays 1% under it. Servers that count per sliding
// minute (Gmail) then answer 429 only by accident, never as the control
// loop.
func BelowQuota(quota int) Config {
	return Config{UnitsPerMinute: max(quota*96/100, 1), Burst: max(quota*3/100, 1)}
}
