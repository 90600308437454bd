package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/matterfile/matterfile/worker"
)

func newImportCmd(g *globals) *cobra.Command {
	var (
		tenant, mboxPath, mailbox string
		wait, all                 bool
	)
	cmd := &cobra.Command{
		Use:   "import --tenant T --mbox FILE --mailbox ADDR [--wait]",
		Short: "File a Google Takeout mbox export",
		Long: `File the messages of a Google Takeout mbox that carry a filing label in
X-Gmail-Labels: a label under the matter prefix (default "Matters/") or the
generic filing label (default "File to matter"). --all takes every message.

Each message is encrypted and staged in the store, then queued for filing.
With MATTERFILE_REDIS_URL set, import only queues the work for "matterfile
worker" processes, unless --wait is given: then it also works on the queue
itself and returns when every message is filed, in review, or failed.
With no Redis configured, import always files everything before it returns.
It exits non-zero if any message failed. Importing the same export again
files nothing twice.`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant ID (required)")
	cmd.Flags().StringVar(&mboxPath, "mbox", "", "Takeout mbox file (required)")
	cmd.Flags().StringVar(&mailbox, "mailbox", "", "address of the mailbox the export comes from (default: taken from the file name, <name>@unknown.invalid)")
	cmd.Flags().BoolVar(&wait, "wait", false, "return only when every message is filed, in review or failed")
	cmd.Flags().BoolVar(&all, "all", false, "take every message, not only those with a filing label")
	must(cmd.MarkFlagRequired("tenant"))
	must(cmd.MarkFlagRequired("mbox"))
	cmd.RunE = g.withApp(func(ctx context.Context, a *app) error {
		f, err := os.Open(mboxPath)
		if err != nil {
			return fmt.Errorf("--mbox: %w", err)
		}
		defer f.Close()
		if mailbox == "" {
			mailbox = defaultMailbox(mboxPath)
		}
		q, err := a.openQueue()
		if err != nil {
			return err
		}
		work := q.Embedded() || wait
		var stop func()
		if work {
			if stop, err = a.startWorker(ctx, q); err != nil {
				return err
			}
			defer stop()
		}
		res, err := a.importMbox(ctx, q, tenant, filepath.Base(mboxPath), f, mailbox, all)
		if err != nil {
			return err
		}
		if !work {
			fmt.Fprintf(g.stdout, "read %d messages: %d queued for the workers, %d already filed, %d without a filing label\n",
				res.Read, res.Queued, res.AlreadyFiled, res.Skipped)
			return nil
		}
		wr, err := a.wait(ctx, q, res.Tasks)
		if err != nil {
			return err
		}
		sum, err := a.summarize(ctx, tenant, res, wr)
		if err != nil {
			return err
		}
		sum.print(g.stdout)
		if sum.Failed > 0 {
			return &exitError{code: 2, err: fmt.Errorf("%d messages failed; see 'matterfile messages list --tenant %s --state failed': %w", sum.Failed, tenant, errFailed)}
		}
		return nil
	})
	return cmd
}

func defaultMailbox(path string) string {
	name := filepath.Base(path)
	name = name[:len(name)-len(filepath.Ext(name))]
	return name + "@unknown.invalid"
}

// importMbox stages and queues one export, showing progress.
func (a *app) importMbox(ctx context.Context, q *worker.Queue, tenant, name string, f io.ReadSeeker, mailbox string, all bool) (worker.ImportResult, error) {
	im, err := worker.NewImporter(a.cat, q, a.policy)
	if err != nil {
		return worker.ImportResult{}, err
	}
	p := a.g.newProgress("staging "+name, -1)
	res, err := im.ImportMbox(ctx, tenant, f, worker.ImportOptions{Mailbox: mailbox, All: all, OnMessage: p.set})
	p.finish()
	if err != nil {
		return res, fmt.Errorf("import %s: %w", name, err)
	}
	a.log.Info("import staged", "tenant", tenant, "read", res.Read, "queued", res.Queued, "already_filed", res.AlreadyFiled, "skipped", res.Skipped)
	return res, nil
}

func (a *app) wait(ctx context.Context, q *worker.Queue, tasks []worker.TaskRef) (worker.WaitResult, error) {
	p := a.g.newProgress("filing", len(tasks))
	res, err := worker.Wait(ctx, q.Inspector, tasks, 100*time.Millisecond, func(done, _ int) { p.set(done) })
	p.finish()
	if res.FollowUpsFailed > 0 {
		// The messages are filed; only their filing events are missing,
		// and a worker records them when the task is run again.
		a.log.Warn("follow-up tasks failed", "count", res.FollowUpsFailed)
	}
	return res, err
}

// progress shows a bar on a terminal and a log line every few seconds
// otherwise.
type progress struct {
	bar   *progressbar.ProgressBar
	log   *slog.Logger
	label string
	total int
	last  time.Time
	done  int
}

func (g *globals) newProgress(label string, total int) *progress {
	p := &progress{label: label, total: total, log: slog.New(slog.NewTextHandler(g.stderr, nil)), last: time.Now()}
	if g.isTerminal() {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(g.stderr), progressbar.OptionSetDescription(label),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond))
	}
	return p
}

func (p *progress) set(done int) {
	p.done = done
	if p.bar != nil {
		_ = p.bar.Set(done)
		return
	}
	if time.Since(p.last) >= 5*time.Second {
		p.last = time.Now()
		p.log.Info("progress", "step", p.label, "done", done, "total", p.total)
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
