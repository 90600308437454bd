// Package gmail is the Gmail API source: it lists the messages lawyers
// labelled for filing, follows a mailbox's history from a cursor, fetches
// raw messages as a stream, and writes filing labels back.
//
// It owns the wire (gmail.md): string int64s, padded raw, paging through
// empty pages, the error table, retries with full jitter and Retry-After,
// and pacing every call through a shared quota. It must never decide where
// a message is filed, store anything, or put an address, subject or token
// into an error text, a log line or a pacing key: callers pass opaque
// mailbox IDs for those.
package gmail

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	gmailapi "google.golang.org/api/gmail/v1"
	"google.golang.org/api/option"
)

// DefaultEndpoint is Google's API base URL.
const DefaultEndpoint = "https://gmail.googleapis.com/"

// Pacer shares a mailbox's quota between every worker process (package
// pace implements it on Redis).
type Pacer interface {
	// Acquire waits until units of quota and a concurrency slot are
	// free for key, takes both, and returns the slot's release.
	Acquire(ctx context.Context, key string, units int) (release func(), err error)
	// Penalize holds back every caller of key for d: the server said
	// the quota is spent.
	Penalize(ctx context.Context, key string, d time.Duration) error
}

// Costs maps a method name ("messages.get") to its quota units.
type Costs map[string]int

// DefaultCosts is the per-method unit table of projects created since
// 2026-05-01 (gmail.md "Quotas and pacing"); configuration may override.
func DefaultCosts() Costs {
	return Costs{
		"getProfile":           1,
		"labels.list":          1,
		"labels.get":           1,
		"labels.create":        5,
		"messages.list":        5,
		"messages.get":         20,
		"messages.modify":      5,
		"messages.batchModify": 50,
		"history.list":         2,
		"watch":                100,
		"stop":                 1,
	}
}

// Retry is the backoff policy of one call.
type Retry struct {
	Base        time.Duration // first backoff ceiling; at least 1 s in production
	Cap         time.Duration // largest backoff
	MaxAttempts int           // attempts of one call before ErrExhausted
}

// DefaultRetry is gmail.md's policy: from 1 s, full jitter, capped at 60 s.
func DefaultRetry() Retry { return Retry{Base: time.Second, Cap: time.Minute, MaxAttempts: 8} }

// Config configures a Client for one mailbox.
type Config struct {
	// HTTPClient carries the mailbox's OAuth2 transport.
	HTTPClient *http.Client
	// Endpoint is the API base URL (MATTERFILE_GMAIL_ENDPOINT); default
	// Google's.
	Endpoint string
	// User is the mailbox address as Gmail's userId; "me" for the
	// token's owner. Under domain-wide delegation it must be the address.
	User string
	// PaceKey is the opaque ID the quota is shared under (a mailbox ID,
	// never the address).
	PaceKey string
	Pacer   Pacer
	Costs   Costs
	Retry   Retry
	// Refresh forces the next token refresh; called once on a 401
	// before the mailbox is declared ErrReconnect, because x/oauth2 only
	// refreshes on expiry.
	Refresh func()
	// Throttled, if set, is called once for every response that said
	// the quota is exceeded: a 429, or a 403 whose reason is
	// rateLimitExceeded or userRateLimitExceeded. It is told here, from
	// the call's verdict, because only the body tells such a 403 from a
	// permission error, and the body is read once, by the call.
	Throttled func()
	// Sleep waits d or until ctx ends (tests make it instant).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client calls the Gmail API for one mailbox.
type Client struct {
	svc      *gmailapi.Service
	http     *http.Client
	endpoint string
	cfg      Config
	rand     func() float64
}

// NewClient validates cfg and builds the client.
func NewClient(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.HTTPClient == nil {
		return nil, errors.New("gmail client: no HTTP client")
	}
	if cfg.User == "" {
		cfg.User = "me"
	}
	if cfg.PaceKey == "" {
		return nil, errors.New("gmail client: no pace key")
	}
	if cfg.Pacer == nil {
		return nil, errors.New("gmail client: no pacer")
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	if !strings.HasSuffix(cfg.Endpoint, "/") {
		cfg.Endpoint += "/"
	}
	costs := DefaultCosts()
	for k, v := range cfg.Costs {
		if v < 0 {
			return nil, fmt.Errorf("gmail client: cost of %s is negative", k)
		}
		costs[k] = v
	}
	cfg.Costs = costs
	if cfg.Retry == (Retry{}) {
		cfg.Retry = DefaultRetry()
	}
	if cfg.Retry.Base <= 0 || cfg.Retry.Cap < cfg.Retry.Base || cfg.Retry.MaxAttempts < 1 {
		return nil, errors.New("gmail client: retry policy wants 0 < base <= cap and at least one attempt")
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	svc, err := gmailapi.NewService(ctx, option.WithHTTPClient(cfg.HTTPClient), option.WithEndpoint(cfg.Endpoint))
	if err != nil {
		return nil, fmt.Errorf("gmail client: %w", err)
	}
	return &Client{svc: svc, http: cfg.HTTPClient, endpoint: cfg.Endpoint, cfg: cfg, rand: rand.Float64}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// call runs fn paced and retried. fn must be safe to repeat: every Gmail
// call we make is idempotent (reads, and modify with addLabelIds only).
func (c *Client) call(ctx context.Context, method string, fn func(ctx context.Context) error) error {
	cost, ok := c.cfg.Costs[method]
	if !ok {
		return fmt.Errorf("gmail %s: no quota cost configured", method)
	}
	refreshed := false
	var last verdict
	for attempt := 0; attempt < c.cfg.Retry.MaxAttempts; attempt++ {
		release, err := c.cfg.Pacer.Acquire(ctx, c.cfg.PaceKey, cost)
		if err != nil {
			return fmt.Errorf("gmail %s: pace: %w", method, err)
		}
		err = fn(ctx)
		release()
		if err == nil {
			return nil
		}
		last = judge(method, err)
		if last.unauthorized && !refreshed && c.cfg.Refresh != nil {
			refreshed = true
			c.cfg.Refresh()
			attempt-- // a forced refresh is not a backoff step
			continue
		}
		if !last.retry {
			return last.err
		}
		d := c.backoff(attempt)
		if last.retryAfter > d {
			d = last.retryAfter
		}
		if last.rateLimited {
			if c.cfg.Throttled != nil {
				c.cfg.Throttled()
			}
			// Every process sharing the quota slows down, not only
			// this one.
			if err := c.cfg.Pacer.Penalize(ctx, c.cfg.PaceKey, d); err != nil {
				return fmt.Errorf("gmail %s: pace: %w", method, err)
			}
		}
		if err := c.cfg.Sleep(ctx, d); err != nil {
			return err
		}
	}
	return fmt.Errorf("gmail %s: %d attempts: %w", method, c.cfg.Retry.MaxAttempts, ErrExhausted)
}

// backoff is full jitter: uniform in [0, min(cap, base·2ⁿ)).
func (c *Client) backoff(attempt int) time.Duration {
	ceil := c.cfg.Retry.Cap
	if attempt < 30 {
		if d := c.cfg.Retry.Base << attempt; d > 0 && d < ceil {
			ceil = d
		}
	}
	return time.Duration(c.rand() * float64(ceil))
}
