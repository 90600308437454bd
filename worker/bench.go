package worker

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/ingest/mbox"
	"github.com/matterfile/matterfile/metrics"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// BenchTarget is the share of the floor's messages/s the pipeline aims at.
const BenchTarget = 0.7

// Bench phases, as BenchConfig.Progress names them.
const (
	BenchPhaseGenerate = "generating"
	BenchPhaseFloor    = "floor"
	BenchPhaseStaging  = "staging"
	BenchPhaseFiling   = "filing"
	BenchPhaseCleanup  = "deleting"
)

// Bench stage names besides the pipeline's own (metrics.Stage*).
const (
	BenchStageFloor  = "floor"  // floor: hash, seal and put one message
	BenchStageStage  = "stage"  // import: look up, seal into the inbox, enqueue
	BenchStageFile   = "file"   // the whole message:file task
	BenchStageNotify = "notify" // the follow-up notify:webhook task
)

// BenchConfig configures RunBench. Everything but Mbox, Progress and
// Logger is required.
type BenchConfig struct {
	Catalog *catalog.Catalog
	// Keys and Store are the catalog's: the floor seals with the bench
	// tenant's own sealed.Store over the same BlobStore.
	Keys  sealed.Keyring
	Store storage.BlobStore
	Queue *Queue
	// Handlers are the worker's; Metrics is what they record stage times
	// into (may be nil: then only the bench's own stages are reported).
	Handlers    *Handlers
	Metrics     *metrics.Metrics
	Concurrency int
	// Messages is the number of synthetic messages (ignored with Mbox).
	Messages int
	SizeMix  string
	// Mbox, if set, is a Takeout mbox whose every message is filed
	// instead of synthetic mail.
	Mbox string
	// TempDir holds the synthetic mbox while the bench runs ("" = the
	// system's).
	TempDir string
	// Progress is told how far each phase is; total -1 is unknown.
	Progress func(phase string, done, total int)
	Logger   *slog.Logger
}

// BenchRun is the throughput of one side of the comparison.
type BenchRun struct {
	Seconds        float64 `json:"seconds"`
	MessagesPerSec float64 `json:"messages_per_sec"`
	MBPerSec       float64 `json:"mb_per_sec"`
	// PeakRSS is the process's peak resident set during the run, in
	// bytes; -1 where it cannot be read (not Linux).
	PeakRSS int64 `json:"peak_rss_bytes"`
}

// BenchStage is the distribution of one stage's times, in milliseconds.
type BenchStage struct {
	Stage string  `json:"stage"`
	Count int     `json:"count"`
	P50   float64 `json:"p50_ms"`
	P99   float64 `json:"p99_ms"`
}

// BenchResult is what RunBench measured.
type BenchResult struct {
	Tenant      string       `json:"tenant"`
	Source      string       `json:"source"`
	Messages    int          `json:"messages"`
	Bytes       int64        `json:"bytes"`
	Concurrency int          `json:"concurrency"`
	Floor       BenchRun     `json:"floor"`
	Pipeline    BenchRun     `json:"pipeline"`
	Ratio       float64      `json:"ratio"`
	Target      float64      `json:"target"`
	Stages      []BenchStage `json:"stages"`
	Filed       int          `json:"filed"`
	Review      int          `json:"review"`
	Failed      int          `json:"failed"`
	// TenantDeleted says the throwaway tenant was crypto-shredded and
	// its objects deleted; only its erasure record and published audit
	// checkpoints remain, outside the tenant.
	TenantDeleted bool `json:"tenant_deleted"`
}

// RunBench files a set of messages through the whole pipeline — import
// (staging), queue, worker handlers and follow-ups, with Concurrency
// handlers at once — in a throwaway tenant, and compares it with a floor
// measured in the same run: the same raw bytes hashed, sealed and put to
// the same store with the same concurrency, with no parsing,
// classification or queueing. The tenant is deleted afterwards (also on
// error), and so are the tasks it left in a shared Redis.
//
// It assumes no other worker serves the queue meanwhile: their work would
// not be timed.
func RunBench(ctx context.Context, cfg BenchConfig) (res BenchResult, err error) {
	if cfg.Catalog == nil || cfg.Store == nil || cfg.Queue == nil || cfg.Handlers == nil {
		return res, errors.New("bench: catalog, store, queue and handlers are required")
	}
	if cfg.Concurrency < 1 {
		return res, errors.New("bench: concurrency must be at least 1")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Progress == nil {
		cfg.Progress = func(string, int, int) {}
	}
	res.Concurrency, res.Target = cfg.Concurrency, BenchTarget

	// The input: an mbox file on disk, read the way import reads it.
	path := cfg.Mbox
	if path == "" {
		if cfg.Messages < 1 {
			return res, errors.New("bench: messages must be at least 1")
		}
		res.Source = "synthetic-" + cfg.SizeMix
		f, err := os.CreateTemp(cfg.TempDir, "matterfile-bench-*.mbox")
		if err != nil {
			return res, err
		}
		path = f.Name()
		defer os.Remove(path)
		cfg.Progress(BenchPhaseGenerate, 0, cfg.Messages)
		_, err = WriteBenchMbox(f, cfg.Messages, cfg.SizeMix)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return res, fmt.Errorf("bench: write synthetic mail: %w", err)
		}
		cfg.Progress(BenchPhaseGenerate, cfg.Messages, cfg.Messages)
	} else {
		res.Source = "mbox"
	}

	var rnd [5]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return res, err
	}
	res.Tenant = "bench-" + hex.EncodeToString(rnd[:])
	if err := cfg.Catalog.CreateTenant(ctx, res.Tenant); err != nil {
		return res, err
	}
	var refs []TaskRef
	defer func() {
		// Cleaned up even when the run was interrupted.
		cctx := context.WithoutCancel(ctx)
		cfg.Progress(BenchPhaseCleanup, 0, -1)
		if !cfg.Queue.Embedded() {
			forgetBenchTasks(cfg.Queue, res.Tenant, refs)
		}
		_, derr := cfg.Catalog.DeleteTenant(cctx, res.Tenant, "system:bench", func(n int) { cfg.Progress(BenchPhaseCleanup, n, -1) })
		if derr != nil {
			err = errors.Join(err, fmt.Errorf("bench: delete tenant %s: %w", res.Tenant, derr))
			return
		}
		res.TenantDeleted = true
	}()
	t, err := cfg.Catalog.Open(ctx, res.Tenant)
	if err != nil {
		return res, err
	}
	if _, err := t.ImportTargets(ctx, BenchTargets(), "system:bench"); err != nil {
		return res, err
	}

	st := newBenchStages()
	n, size, err := runFloor(ctx, cfg, res.Tenant, path, st)
	if err != nil {
		return res, err
	}
	res.Messages, res.Bytes = n, size
	res.Floor = st.run(BenchStageFloor, n, size)
	if n == 0 {
		return res, errors.New("bench: the mbox holds no message")
	}

	refs, err = runPipeline(ctx, cfg, t, path, n, st)
	res.Pipeline = st.run("pipeline", n, size)
	if err != nil {
		return res, err
	}
	if res.Floor.MessagesPerSec > 0 {
		res.Ratio = res.Pipeline.MessagesPerSec / res.Floor.MessagesPerSec
	}
	entries, err := t.Messages(ctx)
	if err != nil {
		return res, err
	}
	for _, e := range entries {
		if e.State == catalog.StateReview {
			res.Review++
		} else {
			res.Filed++
		}
	}
	failures, err := t.Failures(ctx)
	if err != nil {
		return res, err
	}
	res.Failed = len(failures)
	res.Stages = st.summary()
	return res, nil
}

// runFloor hashes, seals and puts every message of the mbox at path under
// the tenant's bench prefix with cfg.Concurrency goroutines, then deletes
// what it wrote. It returns the messages and bytes it put.
func runFloor(ctx context.Context, cfg BenchConfig, tenant, path string, st *benchStages) (int, int64, error) {
	s, err := sealed.Open(ctx, cfg.Keys, cfg.Store, tenant)
	if err != nil {
		return 0, 0, err
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("--mbox: %w", err)
	}
	defer f.Close()
	type job struct {
		n   int
		raw []byte
	}
	jobs := make(chan job, cfg.Concurrency)
	total := -1 // unknown for an mbox until it is read
	if cfg.Mbox == "" {
		total = cfg.Messages
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
	)
	for range cfg.Concurrency {
		wg.Go(func() {
			for j := range jobs {
				start := time.Now()
				key, err := storage.BenchKey(tenant, j.n)
				if err == nil {
					h := sha256.New()
					err = s.Put(ctx, sealed.Place{Key: key, Kind: sealed.KindRaw}, io.TeeReader(bytes.NewReader(j.raw), h), storage.PutOptions{})
					_ = h.Sum(nil)
				}
				if err != nil {
					cancel(err)
					continue
				}
				st.add(BenchStageFloor, time.Since(start))
				mu.Lock()
				done++
				cfg.Progress(BenchPhaseFloor, done, total)
				mu.Unlock()
			}
		})
	}
	resetPeakRSS()
	st.begin()
	n, size, rerr := 0, int64(0), error(nil)
	rd := mbox.NewReader(bufio.NewReaderSize(f, 1<<20))
	for ctx.Err() == nil {
		r, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil {
			var raw []byte
			if raw, err = io.ReadAll(r); err == nil {
				jobs <- job{n: n, raw: raw}
				n++
				size += int64(len(raw))
				continue
			}
		}
		rerr = fmt.Errorf("mbox message %d: %w", n+1, err)
		break
	}
	close(jobs)
	wg.Wait()
	st.end()
	if rerr == nil {
		rerr = context.Cause(ctx)
	}
	if rerr != nil {
		return n, size, fmt.Errorf("bench floor: %w", rerr)
	}
	// The floor's objects go before the pipeline runs, so that it works
	// in a tenant as empty as the floor found it.
	prefix, err := storage.BenchPrefix(tenant)
	if err != nil {
		return n, size, err
	}
	var keys []string
	if err := cfg.Store.List(ctx, prefix, func(i storage.Info) error {
		keys = append(keys, i.Key)
		return nil
	}); err != nil {
		return n, size, err
	}
	for _, k := range keys {
		if err := cfg.Store.Delete(ctx, k); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return n, size, err
		}
	}
	return n, size, nil
}

// runPipeline imports the mbox at path into tenant t and files it with
// the worker's handlers, until every message and its follow-up is done.
func runPipeline(ctx context.Context, cfg BenchConfig, t *catalog.Tenant, path string, n int, st *benchStages) ([]TaskRef, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--mbox: %w", err)
	}
	defer f.Close()
	tr := &benchTracker{done: map[string]bool{}, failed: map[string]bool{}, changed: make(chan struct{}, 1)}
	cfg.Metrics.OnStage(func(stage string, d time.Duration) { st.add(stage, d) })
	defer cfg.Metrics.OnStage(nil)
	srv := cfg.Queue.NewServer(cfg.Handlers, ServerConfig{Concurrency: cfg.Concurrency, Logger: cfg.Logger})
	mux := cfg.Handlers.Mux()
	handler := asynq.HandlerFunc(func(ctx context.Context, task *asynq.Task) error {
		start := time.Now()
		err := mux.ProcessTask(ctx, task)
		id, _ := asynq.GetTaskID(ctx)
		switch task.Type() {
		case TypeFileMessage:
			st.add(BenchStageFile, time.Since(start))
		case TypeNotify:
			st.add(BenchStageNotify, time.Since(start))
		}
		retried, _ := asynq.GetRetryCount(ctx)
		maxRetry, _ := asynq.GetMaxRetry(ctx)
		tr.record(id, err == nil, err != nil && (retried >= maxRetry || errors.Is(err, asynq.SkipRetry)))
		return err
	})
	im, err := NewImporter(cfg.Catalog, cfg.Queue, cfg.Handlers.policy)
	if err != nil {
		return nil, err
	}
	resetPeakRSS()
	st.begin()
	defer st.end()
	if err := srv.Start(handler); err != nil {
		return nil, fmt.Errorf("bench: start worker: %w", err)
	}
	defer srv.Shutdown()
	var last time.Time // the first message also waited for the hashing pass
	res, err := im.ImportMbox(ctx, t.ID, f, ImportOptions{
		Mailbox: "bench@bench.invalid", All: true,
		OnMessage: func(done int) {
			cfg.Progress(BenchPhaseStaging, done, n)
			now := time.Now()
			if !last.IsZero() {
				st.add(BenchStageStage, now.Sub(last))
			}
			last = now
		},
	})
	if err != nil {
		return res.Tasks, fmt.Errorf("bench import: %w", err)
	}
	// Every distinct file task, then the follow-up of each one filed.
	want := map[string]string{}
	for _, ref := range res.Tasks {
		want[ref.ID] = ref.Message
	}
	refs := res.Tasks
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		filed, failed, open := tr.progress(t.ID, want)
		cfg.Progress(BenchPhaseFiling, filed+failed, len(want))
		if open == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return refs, ctx.Err()
		case <-tr.changed:
		case <-tick.C:
		}
	}
	st.end()
	for _, msg := range want {
		refs = append(refs, TaskRef{Queue: QueueDefault, ID: NotifyTaskID(t.ID, filedEvent(msg)), Tenant: t.ID, Message: msg})
	}
	if n != len(want) {
		cfg.Logger.Info("bench: the mbox holds duplicates", "messages", n, "distinct", len(want))
	}
	return refs, nil
}

// benchTracker follows the tasks the bench's server ran.
type benchTracker struct {
	mu      sync.Mutex
	done    map[string]bool // task ID → succeeded
	failed  map[string]bool // task ID → failed for good
	changed chan struct{}
}

func (tr *benchTracker) record(id string, ok, final bool) {
	if !ok && !final {
		return
	}
	tr.mu.Lock()
	if ok {
		tr.done[id] = true
	} else {
		tr.failed[id] = true
	}
	tr.mu.Unlock()
	select {
	case tr.changed <- struct{}{}:
	default:
	}
}

// progress counts the file tasks of want that ended, and how many tasks
// (file tasks and the follow-ups of those filed) are still open.
func (tr *benchTracker) progress(tenant string, want map[string]string) (filed, failed, open int) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for id, msg := range want {
		switch {
		case tr.done[id]:
			filed++
			nid := NotifyTaskID(tenant, filedEvent(msg))
			if !tr.done[nid] && !tr.failed[nid] {
				open++
			}
		case tr.failed[id]:
			failed++
		default:
			open++
		}
	}
	return filed, failed, open
}

// forgetBenchTasks removes the bench tenant's finished tasks from a shared
// Redis, where they would otherwise stay for the retention period.
func forgetBenchTasks(q *Queue, tenant string, refs []TaskRef) {
	for _, ref := range refs {
		if ref.Tenant == tenant {
			_ = q.Inspector.DeleteTask(ref.Queue, ref.ID)
		}
	}
}

// benchStages collects every stage time, and the wall time and peak RSS
// of each run.
type benchStages struct {
	mu     sync.Mutex
	times  map[string][]time.Duration
	order  []string
	start  time.Time
	wall   time.Duration
	peak   int64
	ended  bool
	byName map[string]BenchRun
}

func newBenchStages() *benchStages {
	return &benchStages{times: map[string][]time.Duration{}, byName: map[string]BenchRun{}}
}

func (s *benchStages) add(stage string, d time.Duration) {
	s.mu.Lock()
	if _, ok := s.times[stage]; !ok {
		s.order = append(s.order, stage)
	}
	s.times[stage] = append(s.times[stage], d)
	s.mu.Unlock()
}

func (s *benchStages) begin() { s.start, s.ended = time.Now(), false }

func (s *benchStages) end() {
	if !s.ended {
		s.wall, s.peak, s.ended = time.Since(s.start), peakRSS(), true
	}
}

// run is the throughput of the run that ended last.
func (s *benchStages) run(_ string, n int, size int64) BenchRun {
	s.end()
	r := BenchRun{Seconds: s.wall.Seconds(), PeakRSS: s.peak}
	if r.Seconds > 0 {
		r.MessagesPerSec = float64(n) / r.Seconds
		r.MBPerSec = float64(size) / 1e6 / r.Seconds
	}
	return r
}

// stageOrder is the order stages are reported in.
var stageOrder = []string{BenchStageFloor, BenchStageStage, metrics.StageParse, metrics.StageClassify,
	metrics.StageSeal, metrics.StageCommit, BenchStageFile, BenchStageNotify}

func (s *benchStages) summary() []BenchStage {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := slices.Clone(stageOrder)
	for _, n := range s.order {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	var out []BenchStage
	for _, name := range names {
		ts := s.times[name]
		if len(ts) == 0 {
			continue
		}
		slices.Sort(ts)
		out = append(out, BenchStage{Stage: name, Count: len(ts), P50: ms(percentile(ts, 50)), P99: ms(percentile(ts, 99))})
	}
	return out
}

// percentile is the nearest-rank percentile p of sorted ts.
func percentile(ts []time.Duration, p int) time.Duration {
	i := (len(ts)*p + 99) / 100
	return ts[max(i-1, 0)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// peakRSS is the process's peak resident set (VmHWM) in bytes, or -1 where
// /proc does not tell it.
func peakRSS() int64 {
	if runtime.GOOS != "linux" {
		return -1
	}
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return -1
			}
			return kb << 10
		}
	}
	return -1
}

// resetPeakRSS starts the peak resident set afresh (Linux's clear_refs
// 5), so that each run reports its own; where that is refused, the peak
// is the process's since it started.
func resetPeakRSS() {
	if runtime.GOOS == "linux" {
		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	}
}
