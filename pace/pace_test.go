package pace

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/ids"
	"github.com/matterfile/matterfile/internal/testenv"
)

// testDB is the real Redis database of this package's tests; other
// packages' tests use others, and each test empties it first.
const testDB = 5

// testBundle is one Redis a test runs against.
type testBundle struct {
	mr   *miniredis.Miniredis // nil on the real Redis
	addr string
	db   int
	rdb  redis.UniversalClient // the test's own view, for inspecting keys
}

// client returns a new connection, as another worker process would have.
func (b *testBundle) client(t testing.TB) redis.UniversalClient {
	c := redis.NewClient(&redis.Options{Addr: b.addr, DB: b.db})
	t.Cleanup(func() { c.Close() })
	return c
}

// limiter returns a Limiter on a connection of its own: a process.
func (b *testBundle) limiter(t testing.TB, cfg Config) *Limiter {
	t.Helper()
	l, err := New(b.client(t), cfg)
	require.NoError(t, err)
	return l
}

func setupMiniredis(t testing.TB) *testBundle {
	mr := miniredis.RunT(t)
	b := &testBundle{mr: mr, addr: mr.Addr()}
	b.rdb = b.client(t)
	return b
}

func setupRedis(t testing.TB) *testBundle {
	t.Helper()
	b := &testBundle{addr: testenv.RedisAddr(t), db: testDB}
	b.rdb = b.client(t)
	require.NoError(t, b.rdb.FlushDB(context.Background()).Err())
	return b
}

// backends runs fn against miniredis and against the real Redis.
func backends(t *testing.T, fn func(t *testing.T, b *testBundle)) {
	t.Run("miniredis", func(t *testing.T) { fn(t, setupMiniredis(t)) })
	t.Run("redis", func(t *testing.T) { fn(t, setupRedis(t)) })
}

// fakeClock is miniredis's clock, which TIME and key expiry follow; the
// limiters it drives move it instead of sleeping, so waits are exact.
type fakeClock struct {
	mr    *miniredis.Miniredis
	mu    sync.Mutex
	start time.Time
	now   time.Time
}

func newFakeClock(mr *miniredis.Miniredis) *fakeClock {
	start := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	mr.SetTime(start)
	mr.ClockTTL(true)
	return &fakeClock{mr: mr, start: start, now: start}
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.mr.SetTime(c.now)
}

func (c *fakeClock) elapsed() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now.Sub(c.start)
}

func (c *fakeClock) drive(l *Limiter) *Limiter {
	l.sleep = func(ctx context.Context, d time.Duration, _ <-chan struct{}) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.advance(d)
		return nil
	}
	l.jitter = func(time.Duration) time.Duration { return 0 }
	return l
}

func mustAcquire(t testing.TB, l *Limiter, key string, units int) func() {
	t.Helper()
	rel, err := l.Acquire(context.Background(), key, units)
	require.NoError(t, err)
	return rel
}

func TestConfig(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // New must not dial
	defer rdb.Close()

	bad := map[string]Config{
		"UnitsPerMinute is 0":         {},
		"UnitsPerMinute is -1":        {UnitsPerMinute: -1},
		"UnitsPerMinute is 50000001":  {UnitsPerMinute: MaxUnits + 1},
		"Burst is -1":                 {UnitsPerMinute: 60, Burst: -1},
		"Burst is 50000001":           {UnitsPerMinute: 60, Burst: MaxUnits + 1},
		"MaxInFlight is -2":           {UnitsPerMinute: 60, MaxInFlight: -2},
		"LeaseTTL is 1µs":             {UnitsPerMinute: 60, LeaseTTL: time.Microsecond},
		"LeaseTTL is -1s":             {UnitsPerMinute: 60, LeaseTTL: -time.Second},
		"SlotPoll is 10µs":            {UnitsPerMinute: 60, SlotPoll: 10 * time.Microsecond},
		"UnitsPerMinute is -50000000": {UnitsPerMinute: -MaxUnits},
	}
	for want, cfg := range bad {
		_, err := New(rdb, cfg)
		if assert.Error(t, err, "%+v", cfg) {
			assert.Contains(t, err.Error(), want)
		}
	}
	_, err := New(nil, Config{UnitsPerMinute: 60})
	assert.ErrorContains(t, err, "no Redis client")

	l, err := New(rdb, Config{UnitsPerMinute: 6000})
	require.NoError(t, err)
	got := l.Config()
	assert.NotNil(t, got.Logger)
	got.Logger = nil
	assert.Equal(t, Config{
		UnitsPerMinute: 6000, Burst: 300, MaxInFlight: 4, LeaseTTL: 2 * time.Minute,
		KeyPrefix: "matterfile:pace:", SlotPoll: 50 * time.Millisecond,
	}, got)

	l, err = New(rdb, Config{UnitsPerMinute: 7})
	require.NoError(t, err)
	assert.Equal(t, 1, l.Config().Burst, "a slow quota still gets a bucket")
}

// TestRefusedArguments: what could never be granted, and keys that could
// carry an address, are refused before Redis is touched, and the error
// does not quote the key.
func TestRefusedArguments(t *testing.T) {
	b := setupMiniredis(t)
	l := b.limiter(t, Config{UnitsPerMinute: 600}) // burst 30
	ctx := context.Background()

	_, err := l.Acquire(ctx, "mb-1", 31)
	assert.ErrorIs(t, err, ErrExceedsBurst)
	_, err = l.Acquire(ctx, "mb-1", -1)
	assert.ErrorContains(t, err, "negative cost")

	for _, key := range []string{"", "ann@firm.example", "Ann", "t1:", ":mb-1", "t1::mb-1", "a{b}", "../x", "mb 1", strings.Repeat("a", 65)} {
		_, err := l.Acquire(ctx, key, 1)
		if assert.ErrorIs(t, err, ids.ErrInvalid, "key %q", key) && key != "" {
			assert.NotContains(t, err.Error(), key)
		}
		assert.ErrorIs(t, l.Penalize(ctx, key, time.Second), ids.ErrInvalid, "key %q", key)
	}
	assert.Empty(t, b.mr.Keys(), "a refused call wrote to Redis")

	rel := mustAcquire(t, l, "t-1:mb-2", 30)
	rel()
	rel = mustAcquire(t, l, "t-1:mb-2", 0) // a free call still takes a slot
	rel()
}

// TestKeys: both keys of a mailbox share a hash tag (one Cluster slot) and
// carry the prefix; nothing else is written.
func TestKeys(t *testing.T) {
	b := setupMiniredis(t)
	l := b.limiter(t, Config{UnitsPerMinute: 600, KeyPrefix: "x:pace:"})
	mustAcquire(t, l, "t1:mb-1", 1)
	assert.ElementsMatch(t, []string{"x:pace:{t1:mb-1}:tokens", "x:pace:{t1:mb-1}:leases"}, b.mr.Keys())
}

// TestRateExact: on a fake clock every wait is exact: the burst, then one
// grant each time its cost has accrued, to the microsecond.
func TestRateExact(t *testing.T) {
	t.Run("whole", func(t *testing.T) {
		b := setupMiniredis(t)
		clock := newFakeClock(b.mr)
		l := clock.drive(b.limiter(t, Config{UnitsPerMinute: 6000})) // 100 units/s, burst 300
		granted := 0
		for {
			rel := mustAcquire(t, l, "mb-1", 20)
			rel()
			if clock.elapsed() > 10*time.Second {
				break
			}
			granted += 20
		}
		assert.Equal(t, 300+1000, granted)
	})

	// 7 units a minute: a unit every 8.571428…s. Rounding each wait up to
	// the microsecond must not drift: the surplus carries over.
	t.Run("fractional", func(t *testing.T) {
		b := setupMiniredis(t)
		clock := newFakeClock(b.mr)
		// A burst of 2 keeps the bucket from filling, which would cap
		// the surplus.
		l := clock.drive(b.limiter(t, Config{UnitsPerMinute: 7, Burst: 2}))
		mustAcquire(t, l, "mb-1", 1)()
		mustAcquire(t, l, "mb-1", 1)()
		assert.Zero(t, clock.elapsed())
		mustAcquire(t, l, "mb-1", 1)()
		assert.Equal(t, 8571429*time.Microsecond, clock.elapsed())
		for range 6 {
			mustAcquire(t, l, "mb-1", 1)()
		}
		assert.Equal(t, time.Minute, clock.elapsed())
	})
}

// TestRate: over a window of real time the grants follow the rate, with
// goroutines in two processes competing. It bounds the limiter's
// correctness, with slack for a loaded machine; it is not a benchmark.
func TestRate(t *testing.T) {
	backends(t, func(t *testing.T, b *testBundle) {
		window := 3 * time.Second
		if b.mr != nil {
			window = 1500 * time.Millisecond
		}
		const rate, burst, cost = 1000.0, 3000.0, 20 // units/s, default burst
		cfg := Config{UnitsPerMinute: 60_000, MaxInFlight: 64}
		procs := []*Limiter{b.limiter(t, cfg), b.limiter(t, cfg)}
		ctx, cancel := context.WithTimeout(context.Background(), window)
		defer cancel()

		var granted atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for i := range 16 {
			wg.Go(func() {
				for {
					rel, err := procs[i%2].Acquire(ctx, "mb-rate", cost)
					if err != nil {
						if ctx.Err() == nil {
							t.Error(err)
						}
						return
					}
					granted.Add(cost)
					rel()
				}
			})
		}
		wg.Wait()
		// Every grant happened within elapsed, so the bucket allowed at
		// most burst+rate·elapsed; the window bounds it from below.
		elapsed := time.Since(start).Seconds()
		upper := 1.01 * (burst + rate*elapsed)
		lower := 0.90 * (burst + rate*window.Seconds())
		g := float64(granted.Load())
		t.Logf("granted %.0f units in %.3fs; allowed %.0f", g, elapsed, burst+rate*elapsed)
		assert.LessOrEqual(t, g, upper, "over-granted")
		assert.GreaterOrEqual(t, g, lower, "under-granted")
	})
}

// TestConcurrencyCap: two processes' goroutines together never hold more
// slots than the cap, and do reach it.
func TestConcurrencyCap(t *testing.T) {
	backends(t, func(t *testing.T, b *testBundle) {
		const maxInFlight = 3
		cfg := Config{UnitsPerMinute: 6_000_000, MaxInFlight: maxInFlight, SlotPoll: 10 * time.Millisecond}
		procs := []*Limiter{b.limiter(t, cfg), b.limiter(t, cfg)}
		var in, peak atomic.Int32
		var wg sync.WaitGroup
		for i := range 16 {
			wg.Go(func() {
				for range 15 {
					rel, err := procs[i%2].Acquire(context.Background(), "mb-cap", 1)
					if err != nil {
						t.Error(err)
						return
					}
					n := in.Add(1)
					for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
					}
					time.Sleep(time.Millisecond)
					in.Add(-1)
					rel()
				}
			})
		}
		wg.Wait()
		assert.Equal(t, int32(maxInFlight), peak.Load(), "peak in flight")
		n, err := b.rdb.Exists(context.Background(), "matterfile:pace:{mb-cap}:leases").Result()
		require.NoError(t, err)
		assert.Zero(t, n, "every slot was released")
	})
}

// TestLeaseExpires: a slot never released (its worker crashed) is free
// again after LeaseTTL, not before.
func TestLeaseExpires(t *testing.T) {
	t.Run("fake clock", func(t *testing.T) {
		b := setupMiniredis(t)
		clock := newFakeClock(b.mr)
		l := clock.drive(b.limiter(t, Config{UnitsPerMinute: 6000, MaxInFlight: 2, SlotPoll: time.Second}))
		crashed := mustAcquire(t, l, "mb-1", 1)
		clock.advance(time.Second)
		mustAcquire(t, l, "mb-1", 1)
		mustAcquire(t, l, "mb-1", 1)
		assert.Equal(t, 2*time.Minute, clock.elapsed(), "granted when the first lease expired")

		// The crashed worker's late release must not free the slot of
		// the caller its expired lease went to.
		crashed()
		n, err := b.rdb.ZCard(context.Background(), "matterfile:pace:{mb-1}:leases").Result()
		require.NoError(t, err)
		assert.EqualValues(t, 2, n)
	})
	backends(t, func(t *testing.T, b *testBundle) {
		ttl := 200 * time.Millisecond
		l := b.limiter(t, Config{UnitsPerMinute: 6_000_000, MaxInFlight: 1, LeaseTTL: ttl})
		mustAcquire(t, l, "mb-lease", 1) // never released
		start := time.Now()
		mustAcquire(t, l, "mb-lease", 1)()
		elapsed := time.Since(start)
		assert.GreaterOrEqual(t, elapsed, ttl-10*time.Millisecond, "granted while the lease was held")
		assert.Less(t, elapsed, 5*time.Second)
	})
}

// TestReleaseIsIdempotent: a second release does not free another
// caller's slot.
func TestReleaseIsIdempotent(t *testing.T) {
	b := setupMiniredis(t)
	l := b.limiter(t, Config{UnitsPerMinute: 6000, MaxInFlight: 1})
	first := mustAcquire(t, l, "mb-1", 1)
	first()
	mustAcquire(t, l, "mb-1", 1)
	first()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := l.Acquire(ctx, "mb-1", 1)
	assert.Equal(t, context.DeadlineExceeded, err)
}

// TestLocalReleaseWakes: a waiter is woken by a release in its own process
// at once, not at its next poll.
func TestLocalReleaseWakes(t *testing.T) {
	backends(t, func(t *testing.T, b *testBundle) {
		l := b.limiter(t, Config{UnitsPerMinute: 6_000_000, MaxInFlight: 1, SlotPoll: 10 * time.Second})
		rel := mustAcquire(t, l, "mb-wake", 1)
		time.AfterFunc(50*time.Millisecond, rel)
		start := time.Now()
		mustAcquire(t, l, "mb-wake", 1)()
		assert.Less(t, time.Since(start), 5*time.Second)
	})
}

// TestPenalize: after a 429 every process waits out Retry-After, then the
// bucket refills from empty.
func TestPenalize(t *testing.T) {
	t.Run("fake clock", func(t *testing.T) {
		b := setupMiniredis(t)
		clock := newFakeClock(b.mr)
		cfg := Config{UnitsPerMinute: 6000} // 100 units/s, burst 300
		l := clock.drive(b.limiter(t, cfg))
		other := clock.drive(b.limiter(t, cfg))
		ctx := context.Background()

		require.NoError(t, l.Penalize(ctx, "mb-1", 10*time.Second))
		mustAcquire(t, other, "mb-1", 20)()
		assert.Equal(t, 10200*time.Millisecond, clock.elapsed(), "the bucket was full, yet emptied for 10 s")

		// A shorter penalty does not cut a longer one.
		require.NoError(t, l.Penalize(ctx, "mb-1", 5*time.Second))
		require.NoError(t, l.Penalize(ctx, "mb-1", 2*time.Second))
		require.NoError(t, l.Penalize(ctx, "mb-1", 0))
		mustAcquire(t, other, "mb-1", 20)()
		assert.Equal(t, 15400*time.Millisecond, clock.elapsed())

		mustAcquire(t, other, "mb-2", 20)()
		assert.Equal(t, 15400*time.Millisecond, clock.elapsed(), "a penalty holds back its own key only")
	})
	backends(t, func(t *testing.T, b *testBundle) {
		cfg := Config{UnitsPerMinute: 60_000} // 1000 units/s
		l, other := b.limiter(t, cfg), b.limiter(t, cfg)
		ctx := context.Background()
		d := 300 * time.Millisecond
		start := time.Now()
		require.NoError(t, l.Penalize(ctx, "mb-pen", d))
		mustAcquire(t, other, "mb-pen", 20)()
		elapsed := time.Since(start)
		assert.GreaterOrEqual(t, elapsed, d+20*time.Millisecond-10*time.Millisecond)
		assert.Less(t, elapsed, 5*time.Second)
	})
}

// TestNoStarvation: a large call gets through while small ones keep
// arriving, thanks to the hold at the head of the line.
func TestNoStarvation(t *testing.T) {
	backends(t, func(t *testing.T, b *testBundle) {
		cfg := Config{UnitsPerMinute: 60_000, Burst: 200, MaxInFlight: 64} // 1000 units/s
		procs := []*Limiter{b.limiter(t, cfg), b.limiter(t, cfg)}
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				for ctx.Err() == nil {
					if rel, err := procs[i%2].Acquire(ctx, "mb-big", 20); err == nil {
						rel()
					}
				}
			})
		}
		time.Sleep(300 * time.Millisecond) // the small calls have drained the burst
		bctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		rel, err := procs[0].Acquire(bctx, "mb-big", 200)
		stop()
		wg.Wait()
		require.NoError(t, err, "a call of 200 units starved among calls of 20")
		rel()
		t.Logf("granted 200 units after %v", time.Since(start))
	})
}

// TestCancel: a waiting Acquire returns ctx.Err() as soon as ctx ends,
// and gives up its place at the head of the line.
func TestCancel(t *testing.T) {
	backends(t, func(t *testing.T, b *testBundle) {
		l := b.limiter(t, Config{UnitsPerMinute: 60, Burst: 1, MaxInFlight: 1}) // a unit a second

		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := l.Acquire(ctx, "mb-cancel", 1)
		assert.Equal(t, context.Canceled, err)
		n, err := b.rdb.Exists(context.Background(), "matterfile:pace:{mb-cancel}:tokens", "matterfile:pace:{mb-cancel}:leases").Result()
		require.NoError(t, err)
		assert.Zero(t, n, "a cancelled call touched Redis")

		rel := mustAcquire(t, l, "mb-cancel", 1)
		ctx, cancel = context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		_, err = l.Acquire(ctx, "mb-cancel", 1) // short of tokens and of a slot
		assert.Equal(t, context.Canceled, err)
		assert.Less(t, time.Since(start), time.Second, "cancellation was not noticed")
		rel()

		ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err = l.Acquire(ctx, "mb-cancel", 1) // short of tokens only
		assert.Equal(t, context.DeadlineExceeded, err)

		err = b.rdb.HGet(context.Background(), "matterfile:pace:{mb-cancel}:tokens", "h").Err()
		assert.ErrorIs(t, err, redis.Nil, "the hold of a cancelled call stayed")
	})
}

// TestTimeIsRedisTime: the wait follows Redis's clock, not this process's
// (here 25 years ahead of it).
func TestTimeIsRedisTime(t *testing.T) {
	b := setupMiniredis(t)
	then := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	b.mr.SetTime(then)
	l := b.limiter(t, Config{UnitsPerMinute: 6000})
	require.NoError(t, l.Penalize(context.Background(), "mb-1", time.Hour))

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := l.Acquire(ctx, "mb-1", 1)
	assert.Equal(t, context.DeadlineExceeded, err)

	b.mr.SetTime(then.Add(time.Hour + time.Second))
	ctx, cancel = context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = l.Acquire(ctx, "mb-1", 1)
	assert.NoError(t, err)
}

// TestKeysExpireWhenIdle: a key is kept only while its state differs from
// a missing key's (a full bucket, no leases).
func TestKeysExpireWhenIdle(t *testing.T) {
	t.Run("fake clock", func(t *testing.T) {
		b := setupMiniredis(t)
		clock := newFakeClock(b.mr)
		l := clock.drive(b.limiter(t, Config{UnitsPerMinute: 6000})) // 100 units/s
		mustAcquire(t, l, "mb-1", 20)                                // never released
		assert.Len(t, b.mr.Keys(), 2)
		clock.advance(250 * time.Millisecond) // refilled after 200 ms
		assert.Equal(t, []string{"matterfile:pace:{mb-1}:leases"}, b.mr.Keys())
		clock.advance(2 * time.Minute)
		assert.Empty(t, b.mr.Keys())

		require.NoError(t, l.Penalize(context.Background(), "mb-1", 10*time.Second))
		clock.advance(12 * time.Second) // 10 s, then 3 s to refill the burst
		assert.Len(t, b.mr.Keys(), 1)
		clock.advance(2 * time.Second)
		assert.Empty(t, b.mr.Keys())
	})
	backends(t, func(t *testing.T, b *testBundle) {
		ctx := context.Background()
		l := b.limiter(t, Config{UnitsPerMinute: 6000, LeaseTTL: time.Minute})
		rel := mustAcquire(t, l, "mb-idle", 20)
		ttl, err := b.rdb.PTTL(ctx, "matterfile:pace:{mb-idle}:tokens").Result()
		require.NoError(t, err)
		assert.True(t, ttl > 0 && ttl <= 201*time.Millisecond, "bucket TTL %v", ttl)
		// Lua's tostring would have written 1.7643e+15.
		counted, err := b.rdb.HGet(ctx, "matterfile:pace:{mb-idle}:tokens", "t").Int64()
		require.NoError(t, err, "the bucket's time is not a whole number of µs")
		assert.InDelta(t, time.Now().UnixMicro(), counted, float64(time.Minute.Microseconds()))
		ttl, err = b.rdb.PTTL(ctx, "matterfile:pace:{mb-idle}:leases").Result()
		require.NoError(t, err)
		assert.True(t, ttl > 59*time.Second && ttl <= time.Minute+time.Millisecond, "leases TTL %v", ttl)
		rel()
		n, err := b.rdb.Exists(ctx, "matterfile:pace:{mb-idle}:leases").Result()
		require.NoError(t, err)
		assert.Zero(t, n, "an empty lease set stayed")
	})
}

func BenchmarkAcquire(b *testing.B) {
	run := func(b *testing.B, tb *testBundle) {
		l := tb.limiter(b, Config{UnitsPerMinute: MaxUnits, Burst: MaxUnits, MaxInFlight: 1 << 20})
		ctx := context.Background()
		for b.Loop() {
			rel, err := l.Acquire(ctx, "mb-bench", 1)
			if err != nil {
				b.Fatal(err)
			}
			rel()
		}
	}
	b.Run("miniredis", func(b *testing.B) { run(b, setupMiniredis(b)) })
	b.Run("redis", func(b *testing.B) { run(b, setupRedis(b)) })
}

func TestBelowQuotaNeverExceedsIt(t *testing.T) {
	for _, q := range []int{6000, 15000, 60000, 250 * 60} {
		c := BelowQuota(q)
		if worst := c.Burst + c.UnitsPerMinute; worst > q || float64(c.UnitsPerMinute) < 0.95*float64(q) {
			t.Errorf("quota %d: burst %d + a minute at %d = %d", q, c.Burst, c.UnitsPerMinute, worst)
		}
	}
}
