package pace_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/matterfile/matterfile/internal/testenv"
	"github.com/matterfile/matterfile/pace"
)

// redises runs a test against miniredis and, where there is one, the real
// Redis (its own database, emptied first).
func redises(t *testing.T, fn func(t *testing.T, rdb redis.UniversalClient)) {
	t.Run("miniredis", func(t *testing.T) {
		mr := miniredis.RunT(t)
		rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		t.Cleanup(func() { rdb.Close() })
		fn(t, rdb)
	})
	t.Run("redis", func(t *testing.T) {
		rdb := redis.NewClient(&redis.Options{Addr: testenv.RedisAddr(t), DB: 5})
		t.Cleanup(func() { rdb.Close() })
		if err := rdb.FlushDB(context.Background()).Err(); err != nil {
			t.Fatal(err)
		}
		fn(t, rdb)
	})
}

func TestConfigValidation(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	for _, c := range []pace.Config{{}, {UnitsPerMinute: -1}, {UnitsPerMinute: 60, Burst: -1}, {UnitsPerMinute: 60, MaxInFlight: -2}, {UnitsPerMinute: 60, LeaseTTL: time.Microsecond}} {
		if _, err := pace.New(rdb, c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if _, err := pace.New(nil, pace.Config{UnitsPerMinute: 60}); err == nil {
		t.Error("nil client accepted")
	}
	l, err := pace.New(rdb, pace.Config{UnitsPerMinute: 600, Burst: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Acquire(context.Background(), "k", 11); err == nil {
		t.Error("a cost above the burst can never be granted and must be refused")
	}
}

// Two limiters on one Redis (two processes) never exceed the cap together.
func TestConcurrencyCapAcrossProcesses(t *testing.T) {
	redises(t, func(t *testing.T, rdb redis.UniversalClient) {
		cfg := pace.Config{UnitsPerMinute: 6_000_000, MaxInFlight: 3}
		a, _ := pace.New(rdb, cfg)
		b, _ := pace.New(rdb, cfg)
		var in, peak atomic.Int32
		var wg sync.WaitGroup
		for i := range 24 {
			l := a
			if i%2 == 1 {
				l = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 10 {
					rel, err := l.Acquire(context.Background(), "mb-1", 1)
					if err != nil {
						t.Error(err)
						return
					}
					n := in.Add(1)
					for {
						p := peak.Load()
						if n <= p || peak.CompareAndSwap(p, n) {
							break
						}
					}
					time.Sleep(time.Millisecond)
					in.Add(-1)
					rel()
					rel() // releasing twice is harmless
				}
			}()
		}
		wg.Wait()
		if p := peak.Load(); p > 3 || p < 2 {
			t.Fatalf("peak in flight %d, cap 3", p)
		}
	})
}

// Over a window the grants follow the rate: the bucket's burst plus the
// refill, and not much less (a correctness bound on the limiter, with
// slack for a loaded machine; not a benchmark).
func TestRate(t *testing.T) {
	redises(t, func(t *testing.T, rdb redis.UniversalClient) {
		l, _ := pace.New(rdb, pace.Config{UnitsPerMinute: 60_000, Burst: 200, MaxInFlight: 64}) // 1000 units/s
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		var granted atomic.Int64
		start := time.Now()
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					rel, err := l.Acquire(ctx, "mb-rate", 20)
					if err != nil {
						return
					}
					granted.Add(20)
					rel()
				}
			}()
		}
		wg.Wait()
		el := time.Since(start).Seconds()
		max := 200 + 1000*el + 20
		min := 0.9 * 1000 * (el - 0.1)
		if g := float64(granted.Load()); g > max || g < min {
			t.Fatalf("granted %.0f units in %.2fs; want %.0f..%.0f", g, el, min, max)
		}
	})
}

func TestLeaseExpiresAndPenalty(t *testing.T) {
	redises(t, func(t *testing.T, rdb redis.UniversalClient) {
		ctx := context.Background()
		l, _ := pace.New(rdb, pace.Config{UnitsPerMinute: 6_000_000, MaxInFlight: 1, LeaseTTL: 100 * time.Millisecond})
		if _, err := l.Acquire(ctx, "mb-lease", 1); err != nil { // never released: a crashed worker
			t.Fatal(err)
		}
		start := time.Now()
		rel, err := l.Acquire(ctx, "mb-lease", 1)
		if err != nil {
			t.Fatal(err)
		}
		rel()
		if time.Since(start) < 50*time.Millisecond {
			t.Fatal("the slot was granted while its lease was still held")
		}

		if err := l.Penalize(ctx, "mb-lease", 300*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if _, err := l.Acquire(cctx, "mb-lease", 1); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("granted during a penalty: %v", err)
		}
		if _, err := l.Acquire(ctx, "other", 1); err != nil {
			t.Fatalf("a penalty holds back its own key only: %v", err)
		}
	})
}

func TestCancelReturnsPromptly(t *testing.T) {
	redises(t, func(t *testing.T, rdb redis.UniversalClient) {
		l, _ := pace.New(rdb, pace.Config{UnitsPerMinute: 1, Burst: 1})
		ctx := context.Background()
		if _, err := l.Acquire(ctx, "slow", 1); err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		go func() { time.Sleep(50 * time.Millisecond); cancel() }()
		start := time.Now()
		if _, err := l.Acquire(cctx, "slow", 1); !errors.Is(err, context.Canceled) {
			t.Fatalf("%v", err)
		}
		if time.Since(start) > 5*time.Second {
			t.Fatal("cancellation was not noticed")
		}
	})
}

func BenchmarkAcquire(b *testing.B) {
	mr := miniredis.RunT(b)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()
	l, _ := pace.New(rdb, pace.Config{UnitsPerMinute: 1 << 30, MaxInFlight: 1 << 20})
	ctx := context.Background()
	for b.Loop() {
		rel, err := l.Acquire(ctx, "bench", 1)
		if err != nil {
			b.Fatal(err)
		}
		rel()
	}
}
