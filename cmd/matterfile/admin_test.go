package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"
)

// adminRedisDB is the Redis database of the queue monitor tests; no other
// test uses it.
const adminRedisDB = 14

const adminToken = "Zl0m5Qf7wT2yB9nK4rH6sJ1cX8vG3dP0eM7aU5"

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// adminServer opens an app on env and serves serve's routes over httptest.
func adminServer(t *testing.T, env map[string]string) (main, ops *httptest.Server, a *app, logs *syncBuffer) {
	t.Helper()
	if env["MATTERFILE_DATA_DIR"] == "" {
		env["MATTERFILE_DATA_DIR"] = t.TempDir()
	}
	logs = &syncBuffer{}
	g := &globals{getenv: func(k string) string { return env[k] }, stdout: io.Discard, stderr: logs}
	a, err := g.open(context.Background())
	require.NoError(t, err)
	t.Cleanup(a.close)
	q, err := a.openQueue()
	require.NoError(t, err)
	mh, oh, err := a.serveHandler(q, http.NotFoundHandler(), webOptions{InsecureCookies: true})
	require.NoError(t, err)
	main = httptest.NewServer(mh)
	t.Cleanup(main.Close)
	if oh != nil {
		ops = httptest.NewServer(oh)
		t.Cleanup(ops.Close)
	}
	return main, ops, a, logs
}

func adminTokenFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "admin.token")
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func adminDo(t *testing.T, method, url, pass string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	if pass != "" {
		req.SetBasicAuth("admin", pass)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header, string(body)
}

// The queue monitor answers only with the token, and shows what is queued
// in the queue's Redis; read-only unless MATTERFILE_ADMIN_QUEUES_WRITE.
func TestServeAdminQueues(t *testing.T) {
	redisURL := freshRedisDB(t, adminRedisDB)
	env := map[string]string{
		"MATTERFILE_REDIS_URL":        redisURL,
		"MATTERFILE_ADMIN_TOKEN_FILE": adminTokenFile(t, adminToken+"\n"),
	}
	srv, ops, a, logs := adminServer(t, env)
	require.Nil(t, ops)
	base := srv.URL + adminQueuesPath

	code, hdr, body := adminDo(t, "GET", base+"/", "")
	require.Equal(t, http.StatusUnauthorized, code)
	require.Contains(t, hdr.Get("WWW-Authenticate"), "Basic realm=")
	require.NotContains(t, body, "Asynq")
	code, _, _ = adminDo(t, "GET", base+"/api/queues", "")
	require.Equal(t, http.StatusUnauthorized, code)
	wrong := strings.ToUpper(adminToken)
	code, _, _ = adminDo(t, "GET", base+"/api/queues", wrong)
	require.Equal(t, http.StatusUnauthorized, code)

	code, _, body = adminDo(t, "GET", base+"/", adminToken)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "<title>Asynq - Monitoring</title>")
	require.Contains(t, body, adminQueuesPath)

	// A task in the queue's Redis shows through the monitor's API.
	c := asynq.NewClient(a.queueConnOpt(t))
	t.Cleanup(func() { c.Close() })
	info, err := c.Enqueue(asynq.NewTask("admin:probe", []byte(`{"tenant":"firm"}`)), asynq.Queue("admin-probe"))
	require.NoError(t, err)
	code, _, body = adminDo(t, "GET", base+"/api/queues", adminToken)
	require.Equal(t, http.StatusOK, code, body)
	var queues struct {
		Queues []struct {
			Queue   string `json:"queue"`
			Size    int    `json:"size"`
			Pending int    `json:"pending"`
		} `json:"queues"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &queues))
	found := false
	for _, q := range queues.Queues {
		if q.Queue == "admin-probe" {
			found = true
			require.Equal(t, 1, q.Pending)
		}
	}
	require.True(t, found, "queue admin-probe not listed: %s", body)
	code, _, body = adminDo(t, "GET", base+"/api/queues/admin-probe/pending_tasks", adminToken)
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, info.ID)

	// Read-only: no deletion, even with the token.
	code, _, _ = adminDo(t, "DELETE", base+"/api/queues/admin-probe/pending_tasks/"+info.ID, adminToken)
	require.Equal(t, http.StatusMethodNotAllowed, code)
	_, _, body = adminDo(t, "GET", base+"/api/queues/admin-probe/pending_tasks", adminToken)
	require.Contains(t, body, info.ID)

	// The log names the failures, never the credential.
	out := logs.String()
	require.Contains(t, out, "admin auth failed")
	require.NotContains(t, out, adminToken)
	require.NotContains(t, out, wrong)

	// With MATTERFILE_ADMIN_QUEUES_WRITE the monitor may act.
	env["MATTERFILE_ADMIN_QUEUES_WRITE"] = "true"
	env["MATTERFILE_DATA_DIR"] = ""
	wsrv, _, _, _ := adminServer(t, env)
	code, _, body = adminDo(t, "DELETE", wsrv.URL+adminQueuesPath+"/api/queues/admin-probe/pending_tasks/"+info.ID, adminToken)
	require.Equal(t, http.StatusNoContent, code, body)
	_, _, body = adminDo(t, "GET", base+"/api/queues/admin-probe/pending_tasks", adminToken)
	require.NotContains(t, body, info.ID)
}

// queueConnOpt is the Redis of the app's configuration, for a test's own
// client.
func (a *app) queueConnOpt(t *testing.T) asynq.RedisConnOpt {
	opt, err := asynq.ParseRedisURI(a.cfg.RedisURL)
	require.NoError(t, err)
	return opt
}

// Without a token file there are no operator pages; a bad one stops serve
// naming the setting and never showing the file's content.
func TestServeAdminConfig(t *testing.T) {
	srv, _, _, _ := adminServer(t, map[string]string{})
	code, _, _ := adminDo(t, "GET", srv.URL+adminQueuesPath+"/", adminToken)
	require.Equal(t, http.StatusNotFound, code)

	for name, content := range map[string]string{
		"short":  "not-long-enough-secret-content\n",
		"spaces": "secret content with spaces in it, long enough",
	} {
		env := map[string]string{"MATTERFILE_DATA_DIR": t.TempDir(), "MATTERFILE_ADMIN_TOKEN_FILE": adminTokenFile(t, content)}
		g := &globals{getenv: func(k string) string { return env[k] }, stdout: io.Discard, stderr: io.Discard}
		a, err := g.open(context.Background())
		require.NoError(t, err)
		q, err := a.openQueue()
		require.NoError(t, err)
		_, _, err = a.serveHandler(q, http.NotFoundHandler(), webOptions{InsecureCookies: true})
		a.close()
		require.ErrorContains(t, err, "MATTERFILE_ADMIN_TOKEN_FILE", name)
		require.NotContains(t, err.Error(), "secret", name)
	}
}

// MATTERFILE_OPS_LISTEN moves /metrics and /readyz off the main listener;
// /healthz answers on both. Unset, they stay where they were.
func TestServeOpsListen(t *testing.T) {
	srv, ops, _, _ := adminServer(t, map[string]string{"MATTERFILE_OPS_LISTEN": "127.0.0.1:0"})
	require.NotNil(t, ops)
	for _, p := range []string{"/metrics", "/readyz"} {
		code, _ := get(t, srv.URL+p)
		require.Equal(t, http.StatusNotFound, code, p)
		code, body := get(t, ops.URL+p)
		require.Equal(t, http.StatusOK, code, p+": "+body)
	}
	for _, u := range []string{srv.URL, ops.URL} {
		code, _ := get(t, u+"/healthz")
		require.Equal(t, http.StatusOK, code)
	}

	same, none, _, _ := adminServer(t, map[string]string{})
	require.Nil(t, none)
	for _, p := range []string{"/metrics", "/readyz", "/healthz"} {
		code, _ := get(t, same.URL+p)
		require.Equal(t, http.StatusOK, code, p)
	}
}
