// Package pace shares a quota between processes: per key (a Gmail
// mailbox), a token bucket in quota units and a cap on requests in flight,
// both kept in Redis and changed only by atomic Lua scripts, so every
// worker process draws from one budget. Slots are leases with a TTL: a
// crashed worker's slot frees itself.
//
// It owns nothing but counters. Keys are opaque IDs chosen by the caller
// (mailbox IDs); an address must never be used as a key.
package pace

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Config tunes a Limiter. Zero fields take their defaults.
type Config struct {
	// UnitsPerMinute is the refill rate; required.
	UnitsPerMinute int
	// Burst is the bucket's capacity in units; default three seconds of
	// quota. Larger bursts risk the server's own per-second limits.
	Burst int
	// MaxInFlight caps concurrent requests per key; default 4.
	MaxInFlight int
	// LeaseTTL frees the slot of a holder that never released it;
	// default 2 minutes.
	LeaseTTL time.Duration
	// KeyPrefix namespaces the Redis keys; default "matterfile:pace:".
	KeyPrefix string
}

// Limiter paces callers of many keys through one Redis.
type Limiter struct {
	rdb redis.UniversalClient
	cfg Config
}

// New validates cfg and returns a Limiter on rdb.
func New(rdb redis.UniversalClient, cfg Config) (*Limiter, error) {
	if rdb == nil {
		return nil, errors.New("pace: no redis client")
	}
	if cfg.UnitsPerMinute <= 0 {
		return nil, errors.New("pace: UnitsPerMinute must be positive")
	}
	if cfg.Burst == 0 {
		cfg.Burst = max(cfg.UnitsPerMinute/20, 1)
	}
	if cfg.Burst < 0 {
		return nil, errors.New("pace: Burst must not be negative")
	}
	if cfg.MaxInFlight == 0 {
		cfg.MaxInFlight = 4
	}
	if cfg.MaxInFlight < 0 {
		return nil, errors.New("pace: MaxInFlight must not be negative")
	}
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = 2 * time.Minute
	}
	if cfg.LeaseTTL < time.Millisecond {
		return nil, errors.New("pace: LeaseTTL must be at least a millisecond")
	}
	if cfg.KeyPrefix == "" {
		cfg.KeyPrefix = "matterfile:pace:"
	}
	return &Limiter{rdb: rdb, cfg: cfg}, nil
}

// acquire returns 0 when it granted, the milliseconds to wait for tokens
// or a penalty to pass, or -1 when every slot is taken (a release may come
// any moment). Time is Redis's, so processes with skewed clocks agree.
var acquire = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local units = tonumber(ARGV[3])
local maxin = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local idle = tonumber(ARGV[7])

local pen = tonumber(redis.call('GET', KEYS[3]) or '0')
if pen > now then
  return pen - now
end

redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= maxin then
  return -1
end

local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) * rate)
end
if tokens < units then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
  redis.call('PEXPIRE', KEYS[1], idle)
  return math.max(1, math.ceil((units - tokens) / rate))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - units), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], idle)
redis.call('ZADD', KEYS[2], now + ttl, ARGV[6])
redis.call('PEXPIRE', KEYS[2], ttl * 2)
return 0
`)

var penalize = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untl = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if untl > cur then
  redis.call('SET', KEYS[1], tostring(untl), 'PX', ARGV[1])
end
return 0
`)

func (l *Limiter) keys(key string) []string {
	p := l.cfg.KeyPrefix + key
	return []string{p + ":bucket", p + ":leases", p + ":penalty"}
}

// Acquire waits until units of quota and a slot are free for key, takes
// both in one step, and returns the slot's release (safe to call more than
// once). It returns ctx's error if ctx ends first.
func (l *Limiter) Acquire(ctx context.Context, key string, units int) (release func(), err error) {
	if units < 0 || units > l.cfg.Burst {
		return nil, fmt.Errorf("pace: %d units can never be granted (burst %d)", units, l.cfg.Burst)
	}
	id, err := leaseID()
	if err != nil {
		return nil, err
	}
	keys := l.keys(key)
	rate := float64(l.cfg.UnitsPerMinute) / 60000
	ttl := l.cfg.LeaseTTL.Milliseconds()
	// An idle bucket refills to burst; after that its key can go.
	idle := int64(float64(l.cfg.Burst)/rate) + 60000
	for {
		wait, err := acquire.Run(ctx, l.rdb, keys,
			strconv.FormatFloat(rate, 'g', -1, 64), l.cfg.Burst, units, l.cfg.MaxInFlight, ttl, id, idle).Int64()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("pace: acquire: %w", err)
		}
		if wait == 0 {
			var once sync.Once
			return func() {
				once.Do(func() {
					// A lost release only holds the slot until its TTL.
					rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
					defer cancel()
					l.rdb.ZRem(rctx, keys[1], id)
				})
			}, nil
		}
		d := time.Duration(wait) * time.Millisecond
		if wait < 0 {
			d = 5 * time.Millisecond
		}
		// Jitter keeps waiting processes from asking in lockstep.
		d += time.Duration(mrand.Int64N(int64(d)/4 + int64(time.Millisecond)))
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// Penalize holds back every caller of key for d: the server answered that
// the quota is spent, and Retry-After says for how long.
func (l *Limiter) Penalize(ctx context.Context, key string, d time.Duration) error {
	ms := d.Milliseconds()
	if ms <= 0 {
		return nil
	}
	if err := penalize.Run(ctx, l.rdb, l.keys(key)[2:], ms).Err(); err != nil {
		return fmt.Errorf("pace: penalize: %w", err)
	}
	return nil
}

func leaseID() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
