package runner

import (
	"context"
	"errors"
	"hash/fnv"
	"sync"
	"time"

	"github.com/kinesin/kinesin/internal/clock"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/triggers/filter"
	"github.com/kinesin/kinesin/triggers/lease"
	"github.com/kinesin/kinesin/triggers/mappings"
	"github.com/kinesin/kinesin/triggers/reader"
)

// errStopped ends a worker's delivery when it was asked to stop (its batch
// is not checkpointed and will be delivered again).
var errStopped = errors.New("runner: worker stopped")

// maxWindowState is Lambda's cap on a tumbling window's state per shard.
const maxWindowState = 1 << 20

// worker runs one shard of one mapping while it holds the shard's lease.
type worker struct {
	r      *Runner
	m      *mappings.Mapping // the configuration it was started with
	src    source
	shard  int    // the checkpoint's and lease's index
	id     string // src.shardID()
	arn    string // the stream's ARN (eventSourceARN)
	lease  *lease.Lease
	filter *filter.Filter

	// readCtx ends on a graceful stop (between batches); runCtx ends when
	// the runner closes or the lease is lost (abandoning a batch).
	readCtx    context.Context
	stopRead   context.CancelFunc
	runCtx     context.Context
	stopRun    context.CancelFunc
	done       chan struct{}
	stopOnce   sync.Once
	isStopping bool

	cp      reader.Checkpoint
	mu      sync.Mutex // guards delta and version (parallel batches)
	delta   reader.Stats
	version string // the function version that ran last
	window  *reader.WindowState
}

func newWorker(r *Runner, m *mappings.Mapping, src source, shard int, l *lease.Lease) *worker {
	w := &worker{
		r: r, m: m, src: src, shard: shard, id: src.shardID(), arn: src.arn(), lease: l, done: make(chan struct{}),
	}
	w.runCtx, w.stopRun = context.WithCancel(r.ctx)
	w.readCtx, w.stopRead = context.WithCancel(w.runCtx)
	return w
}

// stop asks the worker to end after its current batch. Callers hold r.mu.
func (w *worker) stop() {
	w.isStopping = true
	w.stopRead()
}

// stopping says whether stop was called. Callers hold r.mu.
func (w *worker) stopping() bool { return w.isStopping }

func (w *worker) log() []any {
	return []any{"mapping", w.m.UUID, "function", w.m.FunctionName, "stream", w.src.name(), "shard", w.id}
}

func (w *worker) run() {
	defer close(w.done)
	renewDone := make(chan struct{})
	go w.renew(renewDone)
	defer func() {
		w.stopRun()
		<-renewDone
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = w.r.cfg.Leases.Release(ctx, w.lease)
	}()
	var err error
	if w.filter, err = w.m.CompileFilters(); err != nil {
		w.r.log.Error("runner: filter criteria do not compile", append(w.log(), "err", err)...)
		return
	}
	if err := w.load(); err != nil {
		if w.runCtx.Err() == nil {
			w.r.log.Warn("runner: load checkpoint", append(w.log(), "err", err)...)
		}
		return
	}
	if w.cp.Finished {
		return
	}
	w.r.log.Debug("runner: shard started", append(w.log(), "position", w.cp.Position)...)
	for backoff := 100 * time.Millisecond; ; backoff = min(2*backoff, 5*time.Second) {
		end, err := w.src.read(w.readCtx, w)
		if end {
			w.finish()
			return
		}
		if w.readCtx.Err() != nil || errors.Is(err, errStopped) || errors.Is(err, reader.ErrCheckpointConflict) {
			return
		}
		if w.src.gone(err) {
			// The runner finds the stream missing and reports it.
			return
		}
		w.r.log.Warn("runner: reading failed, retrying", append(w.log(), "err", err)...)
		if !clock.Sleep(w.readCtx, backoff) {
			return
		}
	}
}

// renew keeps the lease while the worker runs; losing it ends the worker
// at once.
func (w *worker) renew(done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(w.r.cfg.Leases.TTL() / 3)
	defer t.Stop()
	for {
		select {
		case <-w.runCtx.Done():
			return
		case <-t.C:
			err := w.r.cfg.Leases.Renew(w.runCtx, w.lease)
			if errors.Is(err, lease.ErrLost) {
				w.r.log.Warn("runner: lease lost", w.log()...)
				w.stopRun()
				return
			}
			if err != nil && w.runCtx.Err() == nil {
				w.r.log.Warn("runner: renew lease", append(w.log(), "err", err)...)
			}
		}
	}
}

func (w *worker) load() error {
	cp, err := w.r.cfg.Checkpoints.Load(w.runCtx, w.m.UUID, w.shard)
	if errors.Is(err, reader.ErrNoCheckpoint) {
		cp = reader.Checkpoint{}
	} else if err != nil {
		return err
	}
	if cp.StreamID != "" && cp.StreamID != w.src.streamID() {
		// The stream was deleted and created again: start it over.
		cp = reader.Checkpoint{Revision: cp.Revision, Stats: cp.Stats}
	}
	cp.StreamID = w.src.streamID()
	w.cp, w.window = cp, cp.Window
	return nil
}

func (w *worker) batcher() reader.Batcher {
	pf := max(w.m.ParallelizationFactor, 1)
	if w.m.TumblingWindowInSeconds > 0 {
		pf = 1
	}
	b := reader.Batcher{
		BatchSize:             max(w.m.BatchSize, 1) * pf,
		MaximumBatchingWindow: time.Duration(w.m.MaximumBatchingWindowInSeconds) * time.Second,
		MaxBytes:              reader.MaxPayload * pf,
	}
	if w.m.TumblingWindowInSeconds > 0 {
		b.Wake = func() time.Time {
			if w.window == nil {
				return time.Time{}
			}
			return w.window.End
		}
	}
	return b
}

// tick is a read's call while no records come (Batcher.Wake): it closes
// a window whose time is up.
func (w *worker) tick() error {
	if w.window != nil && !time.Now().Before(w.window.End) {
		if err := w.closeWindow(false); err != nil {
			return err
		}
		return w.save(w.cp.Position, w.cp.Last)
	}
	return nil
}

// handle runs the records of one read batch (in order; newest is the
// arrival of the last) through the function, leaving out those no filter
// matches, and checkpoints next, the position after them, with last, the
// sequence number of the last.
func (w *worker) handle(recs []engine.Record, next shardstore.Position, last string, newest time.Time) error {
	recs = w.matching(recs)
	var err error
	switch {
	case len(recs) == 0:
	case w.m.TumblingWindowInSeconds > 0:
		err = w.windowed(recs)
	default:
		err = w.parallel(recs)
	}
	if err != nil {
		return err
	}
	w.r.cfg.Metrics.iteratorAge(w.m.UUID, w.id, time.Since(newest))
	return w.save(next, last)
}

// matching leaves out the records no filter matches (in place).
func (w *worker) matching(recs []engine.Record) []engine.Record {
	kept := recs[:0]
	for _, rec := range recs {
		if w.filter.Match(rec.Data) {
			kept = append(kept, rec)
		}
	}
	if n := len(recs) - len(kept); n > 0 {
		w.count(reader.Stats{Filtered: int64(n)})
		w.r.cfg.Metrics.filtered(w.m.UUID, n)
	}
	return kept
}

// save writes the checkpoint (compare-and-set: a conflict means another
// process owns the shard now) with the counters gathered since the last.
func (w *worker) save(pos shardstore.Position, last string) error {
	cp := w.cp
	cp.Position, cp.Last, cp.Window = pos, last, w.window
	w.mu.Lock()
	cp.Stats.Add(w.delta)
	w.mu.Unlock()
	saved, err := w.r.cfg.Checkpoints.Save(w.runCtx, w.m.UUID, w.shard, cp)
	if err != nil {
		if errors.Is(err, reader.ErrCheckpointConflict) {
			w.r.log.Warn("runner: checkpoint taken over by another process", w.log()...)
		}
		return err
	}
	w.mu.Lock()
	w.delta = reader.Stats{}
	w.mu.Unlock()
	w.cp = saved
	return nil
}

// finish closes an open window and marks the shard read to its end, so
// its children start.
func (w *worker) finish() {
	if w.window != nil {
		if err := w.closeWindow(false); err != nil {
			return
		}
	}
	cp := w.cp
	cp.Window = nil
	w.mu.Lock()
	cp.Stats.Add(w.delta)
	w.delta = reader.Stats{}
	w.mu.Unlock()
	if _, err := w.r.cfg.Checkpoints.Finish(w.runCtx, w.m.UUID, w.shard, cp, cp.Position); err != nil && w.runCtx.Err() == nil {
		w.r.log.Warn("runner: finish shard", append(w.log(), "err", err)...)
		return
	}
	w.r.log.Debug("runner: shard finished", w.log()...)
}

func (w *worker) count(s reader.Stats) {
	w.mu.Lock()
	w.delta.Add(s)
	w.mu.Unlock()
}

// parallel splits records by partition key into ParallelizationFactor
// groups run at once (each in order, in batches of BatchSize within the
// payload cap), so that records of one key keep their order.
func (w *worker) parallel(recs []engine.Record) error {
	pf := max(w.m.ParallelizationFactor, 1)
	if pf == 1 {
		return w.chunks(recs, nil)
	}
	groups := make([][]engine.Record, pf)
	for _, rec := range recs {
		h := fnv.New32a()
		_, _ = h.Write([]byte(rec.PartitionKey))
		g := int(h.Sum32() % uint32(pf))
		groups[g] = append(groups[g], rec)
	}
	errs := make([]error, pf)
	var wg sync.WaitGroup
	for i, g := range groups {
		if len(g) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = w.chunks(g, nil)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// eventOverhead is about what one record adds to a KinesisEvent besides
// its base64 data and key: field names, ARNs, sequence number and ids.
const eventOverhead = 512

func eventSize(r *engine.Record) int {
	return (len(r.Data)+2)/3*4 + len(r.PartitionKey) + eventOverhead
}

// chunks runs records through the function in batches of at most
// BatchSize records whose event stays within Lambda's 6 MB payload.
func (w *worker) chunks(recs []engine.Record, win *windowCall) error {
	size := max(w.m.BatchSize, 1)
	for len(recs) > 0 {
		n, bytes := 0, 0
		for n < len(recs) && n < size {
			b := eventSize(&recs[n])
			if n > 0 && bytes+b > reader.MaxPayload {
				break
			}
			bytes += b
			n++
		}
		if err := w.process(recs[:n], win); err != nil {
			return err
		}
		recs = recs[n:]
	}
	return nil
}
