package pace_test

import (
	"context"
	"fmt"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/matterfile/matterfile/pace"
)

// Every worker process builds a Limiter on the shared Redis and wraps each
// Gmail call in Acquire and release.
func Example() {
	mr := miniredis.NewMiniRedis() // the workers' Redis
	if err := mr.Start(); err != nil {
		panic(err)
	}
	defer mr.Close()
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()

	l, err := pace.New(rdb, pace.Config{UnitsPerMinute: 6000})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	release, err := l.Acquire(ctx, "t1:mb-1", 20) // messages.get
	if err != nil {
		panic(err)
	}
	// ... call Gmail; on a 429, l.Penalize(ctx, "t1:mb-1", retryAfter)
	release()

	_, err = l.Acquire(ctx, "t1:mb-1", 500)
	fmt.Println(err)
	// Output: pace: acquire t1:mb-1: 500 units, burst 300: cost exceeds burst, so it could never be granted
}
