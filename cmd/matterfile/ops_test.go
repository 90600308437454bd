package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest/mbox"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/worker"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(body)
}

// deadAddr is a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// readyServer serves the ops routes with Redis at addr and a local store.
func readyServer(t *testing.T, addr string) *httptest.Server {
	rdb := redis.NewClient(&redis.Options{Addr: addr, Password: "hunter2-secret"})
	t.Cleanup(func() { rdb.Close() })
	store, err := storage.NewLocal(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	mux := http.NewServeMux()
	opsRoutes(mux, prometheus.NewRegistry(), readyChecks(func(ctx context.Context) error { return rdb.Ping(ctx).Err() }, store)...)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// /readyz is 200 while Redis answers and 503, with a one-line reason that
// holds no address or secret, when it does not, or hangs; /healthz stays
// 200 either way.
func TestReadyz(t *testing.T) {
	mr := miniredis.RunT(t)
	mr.RequireAuth("hunter2-secret")
	up := readyServer(t, mr.Addr())
	code, body := get(t, up.URL+"/readyz")
	require.Equal(t, http.StatusOK, code, body)

	dead := deadAddr(t)
	down := readyServer(t, dead)
	code, body = get(t, down.URL+"/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Equal(t, "not ready: redis does not answer\n", body)
	require.NotContains(t, body, dead)
	code, _ = get(t, down.URL+"/healthz")
	require.Equal(t, http.StatusOK, code)

	// A Redis that accepts and never answers: 503 within the 2 s bound.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	hung := readyServer(t, ln.Addr().String())
	start := time.Now()
	code, body = get(t, hung.URL+"/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code, body)
	require.Less(t, time.Since(start), readyTimeout+time.Second)

	// Redis comes back: ready again.
	mr.Close()
	code, _ = get(t, up.URL+"/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.NoError(t, mr.Restart())
	code, body = get(t, up.URL+"/readyz")
	require.Equal(t, http.StatusOK, code, body)
}

// TestMetricsLeakNoContent files messages through this process's worker,
// then scrapes serve's /metrics: the counters moved, and no subject,
// address, label name or body appears in the exposition.
func TestMetricsLeakNoContent(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"MATTERFILE_DATA_DIR": t.TempDir()}
	g := &globals{getenv: func(k string) string { return env[k] }, stdout: io.Discard, stderr: io.Discard}
	a, err := g.open(ctx)
	require.NoError(t, err)
	t.Cleanup(a.close)
	q, err := a.openQueue()
	require.NoError(t, err)
	require.NoError(t, a.cat.CreateTenant(ctx, "firm"))
	tn, err := a.cat.Open(ctx, "firm")
	require.NoError(t, err)
	reg := &classify.Registry{}
	_, _, err = reg.Merge([]classify.Target{{ID: "m-1", Number: "2024-0117", Kind: "matter", Client: "acme", Labels: []string{"Matters/2024-0117 Zanzibar Holdings"}}})
	require.NoError(t, err)
	require.NoError(t, tn.SaveMatters(ctx, reg))
	stop, err := a.startWorker(ctx, q)
	require.NoError(t, err)
	t.Cleanup(stop)

	needles := []string{
		"Zanzibar", "Quixotic merger terms", "Unlabelled musings", "wilhelmina", "acme-holdings.example",
		"Matters/", "File to matter", "privileged-body-text",
	}
	msg := func(labels, id, subject string) []byte {
		return []byte("X-Gmail-Labels: " + labels + "\r\nFrom: Wilhelmina Ng <wilhelmina@acme-holdings.example>\r\n" +
			"To: ann@firm.example\r\nSubject: " + subject + "\r\nMessage-ID: <" + id + "@acme-holdings.example>\r\n" +
			"Content-Type: text/plain\r\n\r\nprivileged-body-text\r\n")
	}
	var b bytes.Buffer
	require.NoError(t, mbox.WriteMessage(&b, msg("Inbox,Matters/2024-0117 Zanzibar Holdings", "a1", "Quixotic merger terms")))
	require.NoError(t, mbox.WriteMessage(&b, msg("File to matter", "a2", "Unlabelled musings")))
	im, err := worker.NewImporter(a.cat, q, a.policy)
	require.NoError(t, err)
	res, err := im.ImportMbox(ctx, "firm", bytes.NewReader(b.Bytes()), worker.ImportOptions{Mailbox: "ann@firm.example"})
	require.NoError(t, err)
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = a.wait(wctx, q, res.Tasks)
	require.NoError(t, err)

	h, _, err := a.serveHandler(q, http.NotFoundHandler(), webOptions{InsecureCookies: true})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	code, body := get(t, srv.URL+"/metrics")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `matterfile_messages_total{outcome="filed",tenant="firm"} 1`)
	require.Contains(t, body, `matterfile_messages_total{outcome="review",tenant="firm"} 1`)
	require.Contains(t, body, `matterfile_stage_seconds_count{stage="seal"} 2`)
	require.Contains(t, body, `matterfile_queue_depth{queue="live",state="pending"}`)
	require.Contains(t, body, `matterfile_queue_up 1`)
	for _, n := range needles {
		require.NotContains(t, strings.ToLower(body), strings.ToLower(n), "the exposition leaks %q", n)
	}
	code, body = get(t, srv.URL+"/readyz")
	require.Equal(t, http.StatusOK, code, body)
}
