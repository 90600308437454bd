// Package adminauth guards operator pages (the queue monitor of 'serve'
// today, the admin web later) with one long random token.
//
// Security model: the token is a secret of at least MinTokenLen printable
// characters kept in a file only the operator can read. A browser presents
// it as the password of HTTP Basic authentication (any user name); a
// script may send it as "Authorization: Bearer <token>". It is compared in
// constant time, as a SHA-256 digest so that its length does not leak
// either. A missing credential gets 401 with WWW-Authenticate, so that the
// browser asks for it; a wrong one gets 401 too and costs the remote
// address one token of a small bucket (Burst failures at once, then one per
// Every): an address whose bucket is empty gets 429 without its credential
// being looked at, so that guessing stays slower than the token is long.
// Failures are logged with the remote address and the path, never with
// what was presented.
//
// State-changing requests (anything but GET, HEAD and OPTIONS) from another
// origin are refused (http.CrossOriginProtection): a browser resends Basic
// credentials on its own, so a cross-site form must not reach the pages.
// Responses are never cached and never framed.
package adminauth

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// MinTokenLen is the shortest token accepted, in bytes.
const MinTokenLen = 32

// maxTokenFile bounds what LoadToken reads.
const maxTokenFile = 4096

// LoadToken reads the token from path, without the white space around it.
// It wants at least MinTokenLen printable ASCII characters (such as the
// output of `openssl rand -base64 48`), which a browser can send. Its
// errors never contain the file's content.
func LoadToken(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	if err != nil {
		return nil, err
	}
	if len(buf) > maxTokenFile {
		return nil, fmt.Errorf("want a token file of at most %d bytes", maxTokenFile)
	}
	tok := bytes.TrimSpace(buf)
	if err := ValidToken(tok); err != nil {
		return nil, err
	}
	return tok, nil
}

// ValidToken checks a token's length and characters. Its errors never
// contain the token.
func ValidToken(tok []byte) error {
	if len(tok) < MinTokenLen {
		return fmt.Errorf("want a token of at least %d characters, such as the output of openssl rand -base64 48", MinTokenLen)
	}
	for _, c := range tok {
		if c < 0x21 || c > 0x7e {
			return errors.New("want printable ASCII without spaces, such as the output of openssl rand -base64 48")
		}
	}
	return nil
}

// Config configures a Guard. Token is required; the rest has defaults.
type Config struct {
	// Token is the secret every request must present (see LoadToken).
	Token []byte
	// Realm names the protection space in WWW-Authenticate (default
	// "matterfile admin").
	Realm string
	// Burst is how many wrong credentials an address may present at once
	// (default 3); Every is how often it earns one more try (default 20s).
	Burst int
	Every time.Duration
	// Logger receives one warning per refused attempt (default: discard).
	Logger *slog.Logger
	// Now is the clock (default time.Now), for tests.
	Now func() time.Time
}

// maxAddrs bounds the addresses whose failures are remembered; beyond it,
// new addresses share one bucket.
const maxAddrs = 10000

// Guard authenticates requests to the handlers it wraps.
type Guard struct {
	digest [sha256.Size]byte
	realm  string
	burst  int
	every  time.Duration
	log    *slog.Logger
	now    func() time.Time
	csrf   *http.CrossOriginProtection

	mu       sync.Mutex
	failures map[string]*rate.Limiter
	overflow *rate.Limiter
}

// New returns a Guard for cfg.
func New(cfg Config) (*Guard, error) {
	if err := ValidToken(cfg.Token); err != nil {
		return nil, err
	}
	if cfg.Realm == "" {
		cfg.Realm = "matterfile admin"
	}
	if strings.ContainsAny(cfg.Realm, "\"\\\r\n") {
		return nil, errors.New("adminauth: realm must not contain quotes, backslashes or line breaks")
	}
	if cfg.Burst == 0 {
		cfg.Burst = 3
	}
	if cfg.Every == 0 {
		cfg.Every = 20 * time.Second
	}
	if cfg.Burst < 1 || cfg.Every < 0 {
		return nil, errors.New("adminauth: Burst and Every must be positive")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	g := &Guard{
		digest: sha256.Sum256(cfg.Token), realm: cfg.Realm, burst: cfg.Burst, every: cfg.Every,
		log: cfg.Logger, now: cfg.Now, csrf: http.NewCrossOriginProtection(),
		failures: map[string]*rate.Limiter{},
	}
	g.overflow = g.newLimiter()
	return g, nil
}

func (g *Guard) newLimiter() *rate.Limiter {
	return rate.NewLimiter(rate.Every(g.every), g.burst)
}

// Wrap returns h behind the guard.
func (g *Guard) Wrap(h http.Handler) http.Handler {
	inner := g.csrf.Handler(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr.Set("Cache-Control", "no-store")
		hdr.Set("X-Frame-Options", "DENY")
		hdr.Set("Content-Security-Policy", "frame-ancestors 'none'")
		hdr.Set("Referrer-Policy", "no-referrer")
		addr := remoteKey(r.RemoteAddr)
		now := g.now()
		lim := g.limiter(addr, now)
		if wait := g.lockedFor(lim, now); wait > 0 {
			g.log.Warn("admin auth refused: too many failures", "remote", addr, "method", r.Method, "path", r.URL.Path)
			hdr.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			http.Error(w, "too many failed attempts; try again later", http.StatusTooManyRequests)
			return
		}
		presented, ok := credential(r)
		if !ok {
			g.challenge(w)
			return
		}
		d := sha256.Sum256(presented)
		if subtle.ConstantTimeCompare(d[:], g.digest[:]) != 1 {
			g.fail(lim, now)
			g.log.Warn("admin auth failed: wrong credential", "remote", addr, "method", r.Method, "path", r.URL.Path)
			g.challenge(w)
			return
		}
		inner.ServeHTTP(w, r)
	})
}

func (g *Guard) challenge(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Basic realm="`+g.realm+`", charset="UTF-8"`)
	http.Error(w, "authentication required", http.StatusUnauthorized)
}

// credential returns what r presents: the password of Basic
// authentication, or a Bearer token.
func credential(r *http.Request) ([]byte, bool) {
	auth := r.Header.Get("Authorization")
	scheme, rest, ok := strings.Cut(auth, " ")
	if !ok {
		return nil, false
	}
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(scheme) {
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return nil, false
		}
		_, pass, ok := bytes.Cut(raw, []byte(":"))
		if !ok {
			return nil, false
		}
		return pass, true
	case "bearer":
		return []byte(rest), rest != ""
	}
	return nil, false
}

// remoteKey is the address failures are counted against: the IP of
// remoteAddr, or its /64 for IPv6, where one host holds a whole prefix.
// The Forwarded headers are not trusted: anyone can send them.
func remoteKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// limiter returns addr's failure bucket.
func (g *Guard) limiter(addr string, now time.Time) *rate.Limiter {
	g.mu.Lock()
	defer g.mu.Unlock()
	if lim, ok := g.failures[addr]; ok {
		return lim
	}
	if len(g.failures) >= maxAddrs {
		// Forget the addresses whose bucket is full again: they hold
		// nothing worth remembering.
		for k, lim := range g.failures {
			if lim.TokensAt(now) >= float64(g.burst) {
				delete(g.failures, k)
			}
		}
		if len(g.failures) >= maxAddrs {
			return g.overflow
		}
	}
	lim := g.newLimiter()
	g.failures[addr] = lim
	return lim
}

// lockedFor is how long lim's address must wait before its next attempt;
// zero when it may try now.
func (g *Guard) lockedFor(lim *rate.Limiter, now time.Time) time.Duration {
	t := lim.TokensAt(now)
	if t >= 1 {
		return 0
	}
	return time.Duration((1 - t) * float64(g.every))
}

// fail takes one try from lim.
func (g *Guard) fail(lim *rate.Limiter, now time.Time) {
	lim.AllowN(now, 1)
}
