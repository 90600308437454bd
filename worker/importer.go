package worker

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/hibiken/asynq"
	"golang.org/x/sync/errgroup"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest"
	"github.com/matterfile/matterfile/ingest/mbox"
)

// inspector is what imports and waits need of asynq's Inspector.
type inspector interface {
	GetTaskInfo(queue, id string) (*asynq.TaskInfo, error)
	RunTask(queue, id string) error
}

// Importer turns a mailbox export into staged messages and message:file
// tasks.
type Importer struct {
	cat    *catalog.Catalog
	enq    enqueuer
	insp   inspector
	policy classify.Policy
}

// NewImporter validates its dependencies.
func NewImporter(cat *catalog.Catalog, q *Queue, policy classify.Policy) (*Importer, error) {
	if cat == nil || q == nil {
		return nil, errors.New("importer: catalog and queue are required")
	}
	if err := policy.Validate(); err != nil {
		return nil, fmt.Errorf("importer: policy: %w", err)
	}
	return &Importer{cat: cat, enq: q.Client, insp: q.Inspector, policy: policy}, nil
}

// ImportOptions tunes an import.
type ImportOptions struct {
	// Mailbox is the address of the mailbox the export comes from; it
	// becomes the messages' custodian.
	Mailbox string
	// All takes every message, not only those carrying a filing label.
	All bool
	// Queue is the queue the tasks go to (default QueueBackfill).
	Queue string
	// OnMessage is called after each message of the export was handled.
	OnMessage func(done int)
}

// TaskRef names one enqueued task.
type TaskRef struct {
	Queue, ID, Tenant, Message string
}

// ImportResult counts what an import did.
type ImportResult struct {
	Read         int // messages in the export
	Skipped      int // no filing label (and not --all)
	AlreadyFiled int // filed by an earlier import
	Queued       int // staged and enqueued (or already queued)
	Tasks        []TaskRef
}

const maxHeaderScan = 1 << 20

// ImportMbox files every message of a Takeout mbox that carries a filing
// label. It reads the export twice: first to hash each message (its ID) and
// read its labels, then to stage the messages not yet filed. Each message
// is durably staged before its task is enqueued.
func (im *Importer) ImportMbox(ctx context.Context, tenant string, export io.ReadSeeker, opts ImportOptions) (ImportResult, error) {
	var res ImportResult
	if opts.Queue == "" {
		opts.Queue = QueueBackfill
	}
	t, err := im.cat.Open(ctx, tenant)
	if err != nil {
		return res, err
	}
	if opts.Mailbox == "" {
		return res, errors.New("import: the mailbox address is required")
	}
	mb, err := t.EnsureMailbox(ctx, opts.Mailbox)
	if err != nil {
		return res, err
	}

	type entry struct {
		id   string
		take bool
	}
	settings, err := t.Settings(ctx)
	if err != nil {
		return res, err
	}
	policy := settings.Policy(im.policy)
	var entries []entry
	rd := mbox.NewReader(export)
	for n := 1; ; n++ {
		r, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, fmt.Errorf("mbox message %d: %w", n, err)
		}
		sum, labels, err := scanHeader(r)
		if err != nil {
			return res, fmt.Errorf("mbox message %d: %w", n, err)
		}
		id, err := t.MessageID(sum)
		if err != nil {
			return res, err
		}
		take := opts.All
		for _, l := range labels {
			take = take || policy.IsFilingLabel(l)
		}
		entries = append(entries, entry{id: id, take: take})
	}
	res.Read = len(entries)

	if _, err := export.Seek(0, io.SeekStart); err != nil {
		return res, fmt.Errorf("rewind mbox: %w", err)
	}
	// The second reading stages the messages. Each one's lookup, sealed
	// put and enqueue are round trips that do not depend on the others',
	// so stagers handle several at once; the export itself is read in
	// order. A message up to stageInMemory bytes is handed over in
	// memory; a larger one is staged streaming, by the reader itself.
	var (
		mu   sync.Mutex
		refs = make([]*TaskRef, len(entries))
		done int
	)
	finish := func(i int, o importOutcome) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case o.skipped:
			res.Skipped++
		case o.filed:
			res.AlreadyFiled++
		default:
			res.Queued++
			refs[i] = &o.ref
		}
		done++
		if opts.OnMessage != nil {
			opts.OnMessage(done)
		}
	}
	type job struct {
		i   int
		raw []byte
	}
	jobs := make(chan job)
	g, gctx := errgroup.WithContext(ctx)
	for range stagers {
		g.Go(func() error {
			for j := range jobs {
				o, err := im.importOne(gctx, t, mb.ID, entries[j.i].id, entries[j.i].take, bytes.NewReader(j.raw), opts.Queue)
				if err != nil {
					return fmt.Errorf("mbox message %d: %w", j.i+1, err)
				}
				finish(j.i, o)
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(jobs)
		rd := mbox.NewReader(export)
		for i, e := range entries {
			r, err := rd.Next()
			if err != nil {
				return fmt.Errorf("mbox message %d on second reading: %w", i+1, err)
			}
			if !e.take {
				finish(i, importOutcome{skipped: true})
				continue
			}
			head, err := io.ReadAll(io.LimitReader(r, stageInMemory+1))
			if err != nil {
				return fmt.Errorf("mbox message %d on second reading: %w", i+1, err)
			}
			if len(head) > stageInMemory {
				o, err := im.importOne(gctx, t, mb.ID, e.id, true, io.MultiReader(bytes.NewReader(head), r), opts.Queue)
				if err != nil {
					return fmt.Errorf("mbox message %d: %w", i+1, err)
				}
				finish(i, o)
				continue
			}
			select {
			case jobs <- job{i: i, raw: head}:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	err = g.Wait()
	for _, ref := range refs {
		if ref != nil {
			res.Tasks = append(res.Tasks, *ref)
		}
	}
	return res, err
}

// stagers is how many messages an import stages at once.
const stagers = 4

// stageInMemory is the largest message an import reads into memory to
// hand it to a stager; memory stays within about stagers+1 times this.
const stageInMemory = 1 << 20

// importOutcome is what became of one message of an export.
type importOutcome struct {
	skipped bool // no filing label
	filed   bool // filed by an earlier import
	ref     TaskRef
}

// importOne stages message id, read from r, and enqueues its file task,
// unless it is not taken or already filed. The message is durably staged
// before its task is enqueued.
func (im *Importer) importOne(ctx context.Context, t *catalog.Tenant, mb, id string, take bool, r io.Reader, queue string) (importOutcome, error) {
	if !take {
		return importOutcome{skipped: true}, nil
	}
	if _, err := t.Resolve(ctx, id); err == nil {
		return importOutcome{filed: true}, nil
	}
	if err := t.Stage(ctx, mb, id, r); err != nil {
		return importOutcome{}, err
	}
	ref, err := im.enqueue(ctx, FileMessagePayload{Tenant: t.ID, Mailbox: mb, Message: id, Source: SourceMbox}, queue)
	if err != nil {
		return importOutcome{}, err
	}
	return importOutcome{ref: ref}, nil
}

// enqueue enqueues a file task. A task that exists already is work in
// progress (or done) and is not enqueued twice; one that failed for good is
// run again, since the message was staged anew.
func (im *Importer) enqueue(ctx context.Context, p FileMessagePayload, queue string) (TaskRef, error) {
	task, err := NewFileMessageTask(p, queue)
	if err != nil {
		return TaskRef{}, err
	}
	ref := TaskRef{Queue: queue, ID: FileMessageTaskID(p), Tenant: p.Tenant, Message: p.Message}
	_, err = im.enq.EnqueueContext(ctx, task)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		info, ierr := im.insp.GetTaskInfo(queue, ref.ID)
		if ierr != nil {
			return ref, nil // held in another queue; it runs there
		}
		if info.State == asynq.TaskStateArchived {
			if err := im.insp.RunTask(queue, ref.ID); err != nil {
				return ref, fmt.Errorf("re-run task of message %s: %w", p.Message, err)
			}
		}
		return ref, nil
	}
	if err != nil {
		return ref, fmt.Errorf("enqueue message %s: %w", p.Message, err)
	}
	return ref, nil
}

// scanHeader hashes a whole message and returns its Gmail labels, holding
// only the header block in memory. The header is read leniently, line by
// line: a message whose header go-message rejects must still be taken by
// its labels, and is then filed raw and flagged by the worker.
func scanHeader(r io.Reader) ([sha256.Size]byte, []string, error) {
	var sum [sha256.Size]byte
	h := sha256.New()
	br := bufio.NewReader(io.TeeReader(r, h))
	var value []byte
	inLabels := false
	for read := 0; read < maxHeaderScan; {
		line, err := br.ReadSlice('\n')
		read += len(line)
		trimmed := bytes.TrimRight(line, "\r\n")
		if len(trimmed) == 0 && err == nil {
			break // end of the header block
		}
		switch {
		case len(trimmed) > 0 && (trimmed[0] == ' ' || trimmed[0] == '\t'):
			if inLabels {
				value = append(value, trimmed...)
			}
		default:
			name, v, ok := bytes.Cut(trimmed, []byte(":"))
			inLabels = ok && bytes.EqualFold(bytes.TrimSpace(name), []byte("X-Gmail-Labels")) && value == nil
			if inLabels {
				value = append([]byte{}, v...)
			}
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			break
		}
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return sum, nil, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, ingest.ParseGmailLabels(string(value)), nil
}

// RequeuePending enqueues a file task for every message staged in the
// store, and a fetch for every Gmail pending record, so that work lost with
// Redis (or with an embedded queue when its process ended) is picked up
// again. Reconcile does the same per tenant, and asks Gmail too.
func (im *Importer) RequeuePending(ctx context.Context) (int, error) {
	tenants, err := im.cat.Tenants(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range tenants {
		t, err := im.cat.Open(ctx, id)
		if err != nil {
			return n, err
		}
		m, err := requeueStaged(ctx, im.enq, t)
		n += m
		if err != nil {
			return n, err
		}
		m, err = requeueGmailPending(ctx, im.enq, t)
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
