package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/matterfile/matterfile/worker"
)

func newBenchCmd(g *globals) *cobra.Command {
	var (
		messages, concurrency int
		mboxPath, sizeMix     string
		cpuProfile            string
		blockProfile          string
		mutexProfile          string
		asJSON                bool
	)
	cmd := &cobra.Command{
		Use:   "bench [--messages N] [--mbox FILE] [--size-mix small|mixed] [--concurrency C] [--json]",
		Short: "Measure filing throughput against the store's floor",
		Long: `File messages through the whole pipeline (import and staging, queue, worker:
parse, classify, seal, commit, follow-ups) on the configured backends, and
compare it with a floor measured in the same run: the same raw bytes hashed,
encrypted and put to the same store with the same concurrency, with no
parsing, classification or queueing. Prints messages/s and MB/s of both, the
ratio pipeline/floor (the target is 0.7 or more), p50 and p99 of each stage
and the peak resident memory of each run.

The messages are synthetic (deterministic: plain, multipart/alternative and,
with --size-mix mixed, attachments of 50 KB to 2 MB; matter numbers, labels
and client domains so that classification does real work) or every message
of --mbox. They are filed in a throwaway tenant (bench-<random>) with its own
matters, which is crypto-shredded and deleted afterwards; only its erasure
record and its published audit checkpoints stay, outside the tenant.

With MATTERFILE_REDIS_URL set, use a Redis database no worker serves: work a
worker took would not be timed.`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().IntVar(&messages, "messages", 2000, "number of synthetic messages")
	cmd.Flags().StringVar(&mboxPath, "mbox", "", "file every message of this Takeout mbox instead of synthetic mail")
	cmd.Flags().StringVar(&sizeMix, "size-mix", worker.BenchMixMixed, "synthetic sizes: small (plain and alternative) or mixed (with attachments)")
	cmd.Flags().IntVar(&concurrency, "concurrency", 0, "messages handled at once (default MATTERFILE_CONCURRENCY)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	cmd.Flags().StringVar(&blockProfile, "blockprofile", "", "write a profile of where goroutines waited (channels, locks, I/O handoffs) during the run to this file")
	cmd.Flags().StringVar(&mutexProfile, "mutexprofile", "", "write a profile of contended mutexes during the run to this file")
	cmd.RunE = g.withApp(func(ctx context.Context, a *app) error {
		if sizeMix != worker.BenchMixSmall && sizeMix != worker.BenchMixMixed {
			return errors.New("--size-mix: want small or mixed")
		}
		if messages < 1 {
			return errors.New("--messages: want at least 1")
		}
		if concurrency == 0 {
			concurrency = a.cfg.Concurrency
		}
		if concurrency < 1 {
			return errors.New("--concurrency: want at least 1")
		}
		q, err := a.openQueue()
		if err != nil {
			return err
		}
		h, err := a.handlers(q)
		if err != nil {
			return err
		}
		m, _ := a.instruments()
		if cpuProfile != "" {
			f, err := os.Create(cpuProfile)
			if err != nil {
				return fmt.Errorf("--cpuprofile: %w", err)
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return fmt.Errorf("--cpuprofile: %w", err)
			}
			defer pprof.StopCPUProfile()
		}
		if blockProfile != "" {
			stop, err := startProfile(blockProfile, "block", func(on bool) {
				runtime.SetBlockProfileRate(map[bool]int{true: int(10 * time.Microsecond), false: 0}[on])
			})
			if err != nil {
				return fmt.Errorf("--blockprofile: %w", err)
			}
			defer stop()
		}
		if mutexProfile != "" {
			stop, err := startProfile(mutexProfile, "mutex", func(on bool) {
				runtime.SetMutexProfileFraction(map[bool]int{true: 5, false: 0}[on])
			})
			if err != nil {
				return fmt.Errorf("--mutexprofile: %w", err)
			}
			defer stop()
		}
		var p *progress
		phase := ""
		res, err := worker.RunBench(ctx, worker.BenchConfig{
			Catalog: a.cat, Keys: a.keys, Store: a.store, Queue: q, Handlers: h, Metrics: m,
			Concurrency: concurrency, Messages: messages, SizeMix: sizeMix, Mbox: mboxPath,
			TempDir: a.cfg.DataDir, Logger: a.log,
			Progress: func(ph string, done, total int) {
				if ph != phase {
					if p != nil {
						p.finish()
					}
					p, phase = g.newProgress(ph, total), ph
				}
				p.set(done)
			},
		})
		if p != nil {
			p.finish()
		}
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(g, res)
		}
		printBench(g.stdout, res, a.where)
		return nil
	})
	return cmd
}

// startProfile turns a sampled runtime profile on (set) and returns what
// writes it to path and turns it off again. The file is created first, so
// that a bad path fails before the run rather than after it.
func startProfile(path, name string, set func(on bool)) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	set(true)
	return func() {
		set(false)
		// Write errors surface as a truncated profile pprof refuses;
		// the bench's own figures are already printed.
		_ = pprof.Lookup(name).WriteTo(f, 0)
		_ = f.Close()
	}, nil
}

func printBench(w io.Writer, r worker.BenchResult, where string) {
	fmt.Fprintf(w, "matterfile bench: %d messages (%s), %.1f MB, concurrency %d\nstore: %s\n\n",
		r.Messages, r.Source, float64(r.Bytes)/1e6, r.Concurrency, where)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tmessages/s\tMB/s\tseconds\tpeak RSS\t")
	for _, row := range []struct {
		name string
		run  worker.BenchRun
	}{{"floor (hash, seal, put)", r.Floor}, {"pipeline", r.Pipeline}} {
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.2f\t%s\t\n", row.name, row.run.MessagesPerSec, row.run.MBPerSec, row.run.Seconds, rss(row.run.PeakRSS))
	}
	tw.Flush()
	verdict := "below"
	if r.Ratio >= r.Target {
		verdict = "meets"
	}
	fmt.Fprintf(w, "\nratio pipeline/floor: %.2f (%s the target %.2f)\n\n", r.Ratio, verdict, r.Target)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stage\tcount\tp50 ms\tp99 ms\t")
	for _, s := range r.Stages {
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t\n", s.Stage, s.Count, s.P50, s.P99)
	}
	tw.Flush()
	deleted := "deleted"
	if !r.TenantDeleted {
		deleted = "NOT deleted"
	}
	fmt.Fprintf(w, "\nfiled %d, in review %d, failed %d; tenant %s %s\n", r.Filed, r.Review, r.Failed, r.Tenant, deleted)
}

func rss(b int64) string {
	if b < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}
