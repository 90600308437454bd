package main

// Crash, shutdown and outage tests: they run the built matterfile binary as
// subprocesses against the real Redis and MinIO of scripts/test, and kill
// them (or the store) the way production does.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/ingest/mbox"
	"github.com/matterfile/matterfile/internal/testenv"
	"github.com/matterfile/matterfile/storage"
)

// The Redis databases of these tests (see freshRedisDB): no other test
// uses them.
const (
	crashRedisDB    = 7
	shutdownRedisDB = 12
	outageRedisDB   = 13
)

var built struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// matterfileBinary builds the matterfile binary once per test process, for
// tests that run it as a subprocess (to kill it).
func matterfileBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		if built.dir, err = os.MkdirTemp("", "matterfile-bin-"); err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(built.dir, "matterfile")
		cmd := exec.Command(goTool, "build", "-o", built.path, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, built.err)
	return built.path
}

// procEnv is a subprocess environment: env plus what a process needs to
// run, and nothing else of the test's (no stray MATTERFILE_ settings).
func procEnv(env map[string]string) []string {
	var out []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			out = append(out, k+"="+v)
		}
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// runBin runs one matterfile command line as a subprocess and returns its
// standard output.
func runBin(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(matterfileBinary(t), args...)
	cmd.Env = procEnv(env)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	require.NoError(t, cmd.Run(), "matterfile %s\nstderr: %s", strings.Join(args, " "), errOut.String())
	return out.String()
}

// workerProc is a running 'matterfile worker' subprocess.
type workerProc struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

func startWorker(t *testing.T, env map[string]string, n int) *workerProc {
	t.Helper()
	log := filepath.Join(t.TempDir(), fmt.Sprintf("worker-%d.log", n))
	f, err := os.Create(log)
	require.NoError(t, err)
	cmd := exec.Command(matterfileBinary(t), "worker")
	cmd.Env = procEnv(env)
	cmd.Stdout, cmd.Stderr = f, f
	require.NoError(t, cmd.Start())
	w := &workerProc{cmd: cmd, log: log, done: make(chan struct{})}
	go func() { w.err = cmd.Wait(); f.Close(); close(w.done) }()
	t.Cleanup(func() {
		select {
		case <-w.done:
		default:
			_ = cmd.Process.Kill()
			<-w.done
		}
		if t.Failed() {
			tailLog(t, w.log)
		}
	})
	return w
}

// kill9 kills the worker at once and waits for it to be gone.
func (w *workerProc) kill9(t *testing.T) {
	t.Helper()
	require.NoError(t, w.cmd.Process.Signal(syscall.SIGKILL))
	<-w.done
}

// stop sends SIGTERM and returns how long the worker took to exit, and its
// exit code; it fails the test if the worker outlives limit.
func (w *workerProc) stop(t *testing.T, limit time.Duration) (time.Duration, int) {
	t.Helper()
	start := time.Now()
	require.NoError(t, w.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-w.done:
	case <-time.After(limit):
		t.Fatalf("worker still running %v after SIGTERM", limit)
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(w.err, &ee) {
		code = ee.ExitCode()
	} else if w.err != nil {
		t.Fatalf("worker: %v", w.err)
	}
	return time.Since(start), code
}

func tailLog(t *testing.T, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	t.Logf("last lines of %s:\n%s", filepath.Base(path), strings.Join(lines, "\n"))
}

// synthMbox writes n small distinct messages into an mbox and returns
// their SHA-256 sums. Every 50th has an attachment; half carry a matter's
// label, the rest the generic filing label.
func synthMbox(t *testing.T, n int) (string, map[string]bool) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "synthetic.mbox")
	var buf bytes.Buffer
	sums := map[string]bool{}
	for i := range n {
		var m bytes.Buffer
		label := "File to matter"
		from := fmt.Sprintf("sender%d@outside.example", i%37)
		if i%2 == 0 {
			label, from = "Matters/2024-0117 Acme v. Beta", fmt.Sprintf("person%d@acme.example", i%13)
		}
		fmt.Fprintf(&m, "From: %s\r\nTo: ann@harperlegal.example\r\nSubject: Synthetic message %05d\r\n", from, i)
		fmt.Fprintf(&m, "Date: Mon, 2 Sep 2024 %02d:%02d:%02d +0000\r\nMessage-ID: <synthetic-%05d@crash.example>\r\n", i/3600%24, i/60%60, i%60, i)
		fmt.Fprintf(&m, "X-Gmail-Labels: %s\r\nMIME-Version: 1.0\r\n", label)
		if i%50 == 7 {
			fmt.Fprintf(&m, "Content-Type: multipart/mixed; boundary=b%05d\r\n\r\n--b%05d\r\nContent-Type: text/plain\r\n\r\nBody of message %05d, with an attachment.\r\n", i, i, i)
			att := base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "attachment %05d %s", i, strings.Repeat("x", 200)))
			fmt.Fprintf(&m, "--b%05d\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"a%05d.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n--b%05d--\r\n", i, i, att, i)
		} else {
			fmt.Fprintf(&m, "Content-Type: text/plain\r\n\r\nBody of message %05d.\r\n", i)
		}
		sum := sha256.Sum256(m.Bytes())
		sums[hex.EncodeToString(sum[:])] = true
		require.NoError(t, mbox.WriteMessage(&buf, m.Bytes()))
	}
	require.Len(t, sums, n, "synthetic messages must be distinct")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))
	return path, sums
}

// storeCounts are a tenant's objects by kind.
type storeCounts struct {
	index, inbox, failures, raw int
	manifests                   map[int]int // generation -> count
	messageDirs                 map[string]int
	indexIDs                    map[string]bool
}

var manifestKey = regexp.MustCompile(`/messages/([^/]+)/manifest-([0-9]+)$`)

func countStore(t *testing.T, bs storage.BlobStore, tenant string) storeCounts {
	t.Helper()
	c := storeCounts{manifests: map[int]int{}, messageDirs: map[string]int{}, indexIDs: map[string]bool{}}
	prefix := "tenants/" + tenant + "/"
	require.NoError(t, bs.List(context.Background(), prefix, func(i storage.Info) error {
		k := strings.TrimPrefix(i.Key, prefix)
		switch {
		case strings.HasPrefix(k, "index/"):
			c.index++
			c.indexIDs[strings.TrimPrefix(k, "index/")] = true
		case strings.HasPrefix(k, "inbox/"):
			c.inbox++
		case strings.HasPrefix(k, "failures/"):
			c.failures++
		case strings.Contains(k, "/messages/") && strings.HasSuffix(k, "/raw"):
			c.raw++
		}
		if m := manifestKey.FindStringSubmatch(k); m != nil {
			gen, _ := strconv.Atoi(m[2])
			c.manifests[gen]++
			c.messageDirs[m[1]]++
		}
		return nil
	}))
	return c
}

// countPrefix counts a tenant's objects under one prefix, cheaply enough to
// poll.
func countPrefix(bs storage.BlobStore, tenant, sub string) (int, error) {
	n := 0
	err := bs.List(context.Background(), "tenants/"+tenant+"/"+sub, func(storage.Info) error { n++; return nil })
	return n, err
}

// queueOpen is the number of tasks not finished yet: pending, active,
// scheduled, retrying, aggregating; and archived (failed for good).
func queueOpen(insp *asynq.Inspector) (open, archived int, err error) {
	qs, err := insp.Queues()
	if err != nil {
		return 0, 0, err
	}
	for _, q := range qs {
		info, err := insp.GetQueueInfo(q)
		if err != nil {
			return 0, 0, err
		}
		open += info.Pending + info.Active + info.Scheduled + info.Retry + info.Aggregating
		archived += info.Archived
	}
	return open, archived, nil
}

// runEnv is the environment of a run against Redis db and the store s3.
func runEnv(t *testing.T, s3 storage.S3Config, db int) map[string]string {
	return map[string]string{
		"MATTERFILE_DATA_DIR":      t.TempDir(),
		"MATTERFILE_REDIS_URL":     freshRedisDB(t, db),
		"MATTERFILE_S3_ENDPOINT":   s3.Endpoint,
		"MATTERFILE_S3_ACCESS_KEY": s3.AccessKey,
		"MATTERFILE_S3_SECRET_KEY": s3.SecretKey,
		"MATTERFILE_S3_BUCKET":     s3.Bucket,
		"MATTERFILE_S3_TLS":        "false",
		"MATTERFILE_LOG_FORMAT":    "json",
	}
}

func inspectorOf(t *testing.T, db int) *asynq.Inspector {
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: testenv.RedisAddr(t), DB: db})
	t.Cleanup(func() { insp.Close() })
	return insp
}

// prepareRun creates the tenant and its matters and imports n synthetic
// messages without working on them: the tasks wait in Redis.
func prepareRun(t *testing.T, env map[string]string, tenant string, n int) map[string]bool {
	t.Helper()
	path, sums := synthMbox(t, n)
	runBin(t, env, "tenants", "create", tenant)
	runBin(t, env, "matters", "import", "--tenant", tenant, filepath.Join(repoRoot, "testdata/matters.csv"))
	start := time.Now()
	out := runBin(t, env, "import", "--tenant", tenant, "--mbox", path, "--mailbox", "ann@harperlegal.example")
	t.Logf("imported %d messages in %v", n, time.Since(start).Round(time.Millisecond))
	_ = out
	return sums
}

// waitFiled polls until every message is filed, nothing is staged and no
// task is open, or fails at deadline.
func waitFiled(t *testing.T, bs storage.BlobStore, insp *asynq.Inspector, tenant string, n int, deadline time.Time) {
	t.Helper()
	lastLog := time.Now()
	for {
		index, err1 := countPrefix(bs, tenant, "index/")
		inbox, err2 := countPrefix(bs, tenant, "inbox/")
		open, archived, err3 := queueOpen(insp)
		if err := errors.Join(err1, err2, err3); err == nil {
			require.Zero(t, archived, "a task failed for good")
			if index == n && inbox == 0 && open == 0 {
				return
			}
			if time.Since(lastLog) >= 10*time.Second {
				t.Logf("waiting: %d of %d filed, %d staged, %d tasks open", index, n, inbox, open)
				lastLog = time.Now()
			}
			if time.Now().After(deadline) {
				t.Fatalf("not done by the deadline: %d of %d filed, %d staged, %d tasks open", index, n, inbox, open)
			}
		} else if time.Now().After(deadline) {
			t.Fatalf("not done by the deadline: %v", err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// requireExactlyOnce checks the store after a run: n messages, each with
// one index entry, one manifest of generation 1 and one raw object, nothing
// staged, no failure, and every input message listed once.
func requireExactlyOnce(t *testing.T, env map[string]string, bs storage.BlobStore, tenant string, sums map[string]bool) {
	t.Helper()
	n := len(sums)
	c := countStore(t, bs, tenant)
	require.Equal(t, n, c.index, "index entries")
	require.Equal(t, map[int]int{1: n}, c.manifests, "manifests by generation")
	require.Equal(t, n, c.raw, "raw objects")
	require.Zero(t, c.inbox, "staged messages left")
	require.Zero(t, c.failures, "failure records")
	require.Len(t, c.messageDirs, n)
	for id, k := range c.messageDirs {
		require.Equal(t, 1, k, "message %s has %d manifests", id, k)
		require.True(t, c.indexIDs[id], "message %s has a manifest but no index entry", id)
	}

	var l listed
	require.NoError(t, json.Unmarshal([]byte(runBin(t, env, "messages", "list", "--tenant", tenant, "--json")), &l))
	require.Len(t, l.Messages, n)
	seen := map[string]bool{}
	for _, m := range l.Messages {
		require.NotEqual(t, "failed", m.State, "message %s failed: %s", m.ID, m.Error)
		require.True(t, sums[m.RawSHA256], "message %s is not one of the input", m.ID)
		require.False(t, seen[m.RawSHA256], "message %s listed twice", m.ID)
		seen[m.RawSHA256] = true
	}
	require.Len(t, seen, n, "every input message is filed")
}

// TestCrashKill9 files 2,000 messages while the worker is killed with
// SIGKILL five times at random moments and restarted: afterwards every
// message is filed exactly once and none is missing.
func TestCrashKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: -short")
	}
	t.Parallel()
	const (
		messages = 2000
		kills    = 5
		tenant   = "crash-firm"
	)
	s3 := testenv.S3(t)
	testenv.AlsoRemove(t, s3, s3.Bucket+"-keys")
	env := runEnv(t, s3, crashRedisDB)
	env["MATTERFILE_CONCURRENCY"] = "16"
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("MATTERFILE_CRASH_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		require.NoError(t, err, "MATTERFILE_CRASH_SEED")
		seed = s
	}
	t.Logf("seed %d (rerun with MATTERFILE_CRASH_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	matterfileBinary(t)
	start := time.Now()
	sums := prepareRun(t, env, tenant, messages)
	bs, err := storage.NewS3(context.Background(), s3)
	require.NoError(t, err)
	insp := inspectorOf(t, crashRedisDB)

	for i := range kills {
		w := startWorker(t, env, i)
		d := 300*time.Millisecond + time.Duration(rng.Int64N(int64(2200*time.Millisecond)))
		time.Sleep(d)
		w.kill9(t)
		index, _ := countPrefix(bs, tenant, "index/")
		t.Logf("kill %d after %v: %d of %d filed", i+1, d.Round(time.Millisecond), index, messages)
	}
	// Tasks the killed workers held are recovered once their lease
	// expires (asynq: 30 s lease, checked every minute).
	w := startWorker(t, env, kills)
	waitFiled(t, bs, insp, tenant, messages, time.Now().Add(150*time.Second))
	t.Logf("all filed %v after the start", time.Since(start).Round(time.Millisecond))
	took, code := w.stop(t, 40*time.Second)
	require.Zero(t, code, "exit code after SIGTERM")
	t.Logf("worker stopped %v after SIGTERM", took.Round(time.Millisecond))
	requireExactlyOnce(t, env, bs, tenant, sums)
}

// TestWorkerGracefulShutdown: SIGTERM makes the worker stop taking work,
// finish what it holds within MATTERFILE_SHUTDOWN_TIMEOUT and exit 0,
// leaving no task orphaned; a restarted worker finishes the run.
func TestWorkerGracefulShutdown(t *testing.T) {
	const (
		messages = 300
		tenant   = "stop-firm"
		timeout  = 5 * time.Second
	)
	s3 := testenv.S3(t)
	testenv.AlsoRemove(t, s3, s3.Bucket+"-keys")
	env := runEnv(t, s3, shutdownRedisDB)
	env["MATTERFILE_CONCURRENCY"] = "8"
	env["MATTERFILE_SHUTDOWN_TIMEOUT"] = timeout.String()
	sums := prepareRun(t, env, tenant, messages)
	bs, err := storage.NewS3(context.Background(), s3)
	require.NoError(t, err)
	insp := inspectorOf(t, shutdownRedisDB)

	w := startWorker(t, env, 0)
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := countPrefix(bs, tenant, "index/")
		require.NoError(t, err)
		if n >= 20 {
			break
		}
		require.True(t, time.Now().Before(deadline), "the worker filed nothing in 30 s")
		time.Sleep(50 * time.Millisecond)
	}
	took, code := w.stop(t, timeout+10*time.Second)
	require.Zero(t, code, "exit code after SIGTERM")
	require.Less(t, took, timeout+5*time.Second, "stopping took longer than the shutdown timeout allows")
	filed, _ := countPrefix(bs, tenant, "index/")
	t.Logf("stopped %v after SIGTERM with %d of %d filed", took.Round(time.Millisecond), filed, messages)
	require.Less(t, filed, messages, "the run should still have work left")
	// Nothing is left active: in-flight tasks were finished or handed back.
	for _, q := range []string{"live", "default", "backfill"} {
		active, err := insp.ListActiveTasks(q)
		if errors.Is(err, asynq.ErrQueueNotFound) {
			continue
		}
		require.NoError(t, err)
		require.Empty(t, active, "queue %s has tasks left active by a stopped worker", q)
	}

	// A new worker resumes and finishes at once: no lease to wait for.
	w = startWorker(t, env, 1)
	waitFiled(t, bs, insp, tenant, messages, time.Now().Add(60*time.Second))
	_, code = w.stop(t, timeout+10*time.Second)
	require.Zero(t, code)
	requireExactlyOnce(t, env, bs, tenant, sums)
}

// minioServer is a MinIO the test owns, to stop and start.
type minioServer struct {
	bin, addr, data, certs string
	user, password         string
	cmd                    *exec.Cmd
	done                   chan struct{}
	log                    string
}

// startOwnMinIO starts a MinIO of the test's own from the binary
// scripts/test caches, on a free loopback port.
func startOwnMinIO(t *testing.T) *minioServer {
	t.Helper()
	bin := testenv.MinIOBinary(t, repoRoot)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	m := &minioServer{bin: bin, addr: addr, data: filepath.Join(dir, "data"), certs: filepath.Join(dir, "certs"),
		user: "mfoutage" + strconv.Itoa(os.Getpid()), password: "outage-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		log: filepath.Join(dir, "minio.log")}
	require.NoError(t, os.MkdirAll(m.data, 0o700))
	require.NoError(t, os.MkdirAll(m.certs, 0o700))
	m.start(t)
	t.Cleanup(func() {
		m.kill(t)
		if t.Failed() {
			tailLog(t, m.log)
		}
	})
	return m
}

func (m *minioServer) start(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	console := ln.Addr().String()
	ln.Close()
	f, err := os.OpenFile(m.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	require.NoError(t, err)
	cmd := exec.Command(m.bin, "server", "--anonymous", "--address", m.addr, "--console-address", console,
		"--certs-dir", m.certs, m.data)
	cmd.Env = procEnv(map[string]string{
		"MINIO_ROOT_USER": m.user, "MINIO_ROOT_PASSWORD": m.password,
		"MINIO_BROWSER": "off", "MINIO_UPDATE": "off", "MINIO_CALLHOME_ENABLE": "off", "MINIO_CI_CD": "1",
	})
	cmd.Stdout, cmd.Stderr = f, f
	require.NoError(t, cmd.Start())
	m.cmd, m.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); f.Close(); close(m.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + m.addr + "/minio/health/live")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-m.done:
			tailLog(t, m.log)
			t.Fatalf("minio exited at start")
		default:
		}
		require.True(t, time.Now().Before(deadline), "minio did not become live on %s within 60 s", m.addr)
		time.Sleep(100 * time.Millisecond)
	}
}

func (m *minioServer) kill(t *testing.T) {
	if m.cmd == nil {
		return
	}
	_ = m.cmd.Process.Signal(syscall.SIGKILL)
	<-m.done
	m.cmd = nil
}

func (m *minioServer) config() storage.S3Config {
	return storage.S3Config{Endpoint: m.addr, AccessKey: m.user, SecretKey: m.password, Bucket: "outage"}
}

// minioOutage is how long the store is gone in TestMinIOOutage (issue 8).
const minioOutage = 30 * time.Second

// TestMinIOOutage stops the object store for 30 s in the middle of a run:
// tasks retry, nothing is lost, and the run completes once it is back.
func TestMinIOOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("outage test: -short")
	}
	t.Parallel()
	const (
		messages = 200
		tenant   = "outage-firm"
	)
	m := startOwnMinIO(t)
	s3 := m.config()
	env := runEnv(t, s3, outageRedisDB)
	env["MATTERFILE_CONCURRENCY"] = "4"
	sums := prepareRun(t, env, tenant, messages)
	bs, err := storage.NewS3(context.Background(), s3)
	require.NoError(t, err)
	insp := inspectorOf(t, outageRedisDB)

	w := startWorker(t, env, 0)
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := countPrefix(bs, tenant, "index/")
		require.NoError(t, err)
		if n >= 10 {
			break
		}
		require.True(t, time.Now().Before(deadline), "the worker filed nothing in 30 s")
		time.Sleep(20 * time.Millisecond)
	}
	m.kill(t)
	stopped := time.Now()
	t.Logf("MinIO stopped for %v", minioOutage)
	time.Sleep(minioOutage)
	open, archived, err := queueOpen(insp)
	require.NoError(t, err)
	require.Zero(t, archived, "a task failed for good during the outage")
	require.Positive(t, open, "the run should still have work left when MinIO returns")
	m.start(t)
	t.Logf("MinIO back after %v; %d tasks open", time.Since(stopped).Round(time.Millisecond), open)

	waitFiled(t, bs, insp, tenant, messages, time.Now().Add(90*time.Second))
	t.Logf("all filed %v after MinIO returned", time.Since(stopped.Add(minioOutage)).Round(time.Millisecond))
	_, code := w.stop(t, 40*time.Second)
	require.Zero(t, code)
	requireExactlyOnce(t, env, bs, tenant, sums)
	logs, err := os.ReadFile(w.log)
	require.NoError(t, err)
	require.Contains(t, string(logs), "file message failed", "tasks should have failed and been retried during the outage")
}
