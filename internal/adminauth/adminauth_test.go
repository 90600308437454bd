package adminauth

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	testToken  = "q8Jx1m2VbN7sL0pR4tY6uW9eA3cD5fG8hK2jZ"
	wrongToken = "q8Jx1m2VbN7sL0pR4tY6uW9eA3cD5fG8hK2jX"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type bundle struct {
	h    http.Handler
	logs *bytes.Buffer
	clk  *clock
}

func setup(t *testing.T) bundle {
	t.Helper()
	logs := &bytes.Buffer{}
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	g, err := New(Config{
		Token:  []byte(testToken),
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Now:    clk.now,
	})
	require.NoError(t, err)
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("secret page"))
	})
	return bundle{h: g.Wrap(inner), logs: logs, clk: clk}
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func (b bundle) do(remote, method, auth string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/admin/queues/", nil)
	r.RemoteAddr = remote
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	b.h.ServeHTTP(w, r)
	return w
}

func TestGuard(t *testing.T) {
	b := setup(t)
	const ip = "192.0.2.7:51000"

	w := b.do(ip, "GET", "")
	require.Equal(t, http.StatusUnauthorized, w.Code)
	require.Equal(t, `Basic realm="matterfile admin", charset="UTF-8"`, w.Header().Get("WWW-Authenticate"))
	require.NotContains(t, w.Body.String(), "secret page")

	for _, auth := range []string{
		basic("admin", wrongToken),
		basic("admin", ""),
		basic(testToken, ""), // the token as the user name
		"Bearer " + wrongToken,
		"Basic !!!not-base64",
		"Digest " + testToken,
	} {
		w = setup(t).do(ip, "GET", auth) // a guard each, below the rate limit
		require.Equal(t, http.StatusUnauthorized, w.Code, auth)
		require.NotEmpty(t, w.Header().Get("WWW-Authenticate"))
		require.NotContains(t, w.Body.String(), "secret page")
	}

	for _, auth := range []string{basic("admin", testToken), basic("", testToken), "Bearer " + testToken} {
		w = b.do(ip, "GET", auth)
		require.Equal(t, http.StatusOK, w.Code, auth)
		require.Equal(t, "secret page", w.Body.String())
		require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
		require.Equal(t, "DENY", w.Header().Get("X-Frame-Options"))
	}
}

// Wrong credentials use up the address's bucket: then even the right one
// gets 429 until a try is earned back; other addresses are unaffected; a
// request without credentials costs nothing.
func TestGuardRateLimit(t *testing.T) {
	b := setup(t)
	const ip, other = "192.0.2.7:51000", "198.51.100.9:40000"
	for range 10 {
		require.Equal(t, http.StatusUnauthorized, b.do(ip, "GET", "").Code)
	}
	for range 3 {
		require.Equal(t, http.StatusUnauthorized, b.do(ip, "GET", basic("admin", wrongToken)).Code)
	}
	w := b.do(ip, "GET", basic("admin", wrongToken))
	require.Equal(t, http.StatusTooManyRequests, w.Code)
	require.Equal(t, "20", w.Header().Get("Retry-After"))
	w = b.do("192.0.2.7:51001", "GET", basic("admin", testToken))
	require.Equal(t, http.StatusTooManyRequests, w.Code, "another port of the same host shares the bucket")
	require.NotContains(t, w.Body.String(), "secret page")

	require.Equal(t, http.StatusOK, b.do(other, "GET", basic("admin", testToken)).Code)

	b.clk.advance(20 * time.Second)
	require.Equal(t, http.StatusOK, b.do(ip, "GET", basic("admin", testToken)).Code)
	require.Equal(t, http.StatusUnauthorized, b.do(ip, "GET", basic("admin", wrongToken)).Code)
	require.Equal(t, http.StatusTooManyRequests, b.do(ip, "GET", basic("admin", testToken)).Code)

	// IPv6: one /64 is one bucket.
	for range 3 {
		require.Equal(t, http.StatusUnauthorized, b.do("[2001:db8:1:2::10]:443", "GET", "Bearer "+wrongToken).Code)
	}
	require.Equal(t, http.StatusTooManyRequests, b.do("[2001:db8:1:2:ffff::1]:443", "GET", "Bearer "+testToken).Code)
	require.Equal(t, http.StatusOK, b.do("[2001:db8:1:3::10]:443", "GET", "Bearer "+testToken).Code)
}

// What was presented never reaches the log; the address and path do.
func TestGuardLogsNoCredential(t *testing.T) {
	b := setup(t)
	for range 5 {
		b.do("192.0.2.7:51000", "GET", basic("admin", wrongToken))
		b.do("192.0.2.8:51000", "GET", "Bearer "+wrongToken)
	}
	b.do("192.0.2.9:51000", "GET", basic("admin", testToken))
	b.do("192.0.2.7:51000", "GET", basic("admin", testToken))
	logs := b.logs.String()
	require.Contains(t, logs, "wrong credential")
	require.Contains(t, logs, "too many failures")
	require.Contains(t, logs, "192.0.2.7")
	require.Contains(t, logs, "/admin/queues/")
	for _, secret := range []string{
		wrongToken, testToken, wrongToken[:12], testToken[:12],
		base64.StdEncoding.EncodeToString([]byte("admin:" + wrongToken)),
		base64.StdEncoding.EncodeToString([]byte("admin:" + testToken)),
		"Basic", "Bearer", "Authorization",
	} {
		require.NotContains(t, logs, secret)
	}
}

// A state-changing request from another site is refused even with the
// right credential (a browser resends Basic credentials on its own).
func TestGuardCrossOrigin(t *testing.T) {
	b := setup(t)
	auth := basic("admin", testToken)
	require.Equal(t, http.StatusForbidden, b.do("192.0.2.7:1", "POST", auth, "Sec-Fetch-Site", "cross-site").Code)
	require.Equal(t, http.StatusOK, b.do("192.0.2.7:1", "POST", auth, "Sec-Fetch-Site", "same-origin").Code)
	require.Equal(t, http.StatusOK, b.do("192.0.2.7:1", "GET", auth, "Sec-Fetch-Site", "cross-site").Code)
	require.Equal(t, http.StatusOK, b.do("192.0.2.7:1", "POST", auth).Code, "a script without browser headers")
}

func TestLoadToken(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	tok, err := LoadToken(write("ok", "  "+testToken+"\n"))
	require.NoError(t, err)
	require.Equal(t, testToken, string(tok))

	short := "abcdefghijklmnopqrstuvwxyz01234" // 31
	for name, content := range map[string]string{
		"short":   short + "\n",
		"spaces":  "abcdefghijklmnop qrstuvwxyz0123456789",
		"binary":  "abcdefghijklmnopqrstuvwxyz0123456789\x00\xff",
		"empty":   "",
		"toolong": strings.Repeat("a", maxTokenFile+1),
	} {
		_, err := LoadToken(write(name, content))
		require.Error(t, err, name)
		require.NotContains(t, err.Error(), "abcdefghijklmnop", name)
	}
	_, err = LoadToken(filepath.Join(dir, "missing"))
	require.Error(t, err)

	_, err = New(Config{Token: []byte(short)})
	require.Error(t, err)
}
