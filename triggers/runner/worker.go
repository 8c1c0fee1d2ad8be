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
	st     *shardstore.Stream
	shard  int
	id     string // shardId-…
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

func newWorker(r *Runner, m *mappings.Mapping, st *shardstore.Stream, shard int, l *lease.Lease) *worker {
	w := &worker{
		r: r, m: m, st: st, shard: shard, id: shardstore.ShardID(shard), lease: l, done: make(chan struct{}),
		arn: "arn:aws:kinesis:" + r.cfg.Region + ":" + r.cfg.AccountID + ":stream/" + st.Name,
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
	return []any{"mapping", w.m.UUID, "function", w.m.FunctionName, "stream", w.st.Name, "shard", w.id}
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
	if w.filter, err = filter.Compile(w.m.Filters()); err != nil {
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
		end, err := reader.ReadShard(w.readCtx, w.r.cfg.Streams, w.st.Name, w.shard, w.cp.Position, w.batcher(), w.deliver)
		if end {
			w.finish()
			return
		}
		if w.readCtx.Err() != nil || errors.Is(err, errStopped) || errors.Is(err, reader.ErrCheckpointConflict) ||
			errors.Is(err, shardstore.ErrNotFound) || errors.Is(err, reader.ErrStreamReplaced) {
			return
		}
		w.r.log.Warn("runner: reading shard failed, retrying", append(w.log(), "err", err)...)
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
	if cp.StreamID != "" && cp.StreamID != w.st.ID {
		// The stream was deleted and created again: start it over.
		cp = reader.Checkpoint{Revision: cp.Revision, Stats: cp.Stats}
	}
	cp.StreamID = w.st.ID
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

// deliver runs one read batch through the function and checkpoints after
// it. An empty batch is Batcher.Wake's call: close a window whose time is
// up.
func (w *worker) deliver(_ context.Context, batch []shardstore.StoredRecord) (shardstore.Position, error) {
	if len(batch) == 0 {
		if w.window != nil && !time.Now().Before(w.window.End) {
			if err := w.closeWindow(false); err != nil {
				return w.cp.Position, err
			}
			return w.cp.Position, w.save(w.cp.Position, w.cp.Last)
		}
		return w.cp.Position, nil
	}
	recs := w.records(batch)
	var err error
	switch {
	case len(recs) == 0:
	case w.m.TumblingWindowInSeconds > 0:
		err = w.windowed(recs)
	default:
		err = w.parallel(recs)
	}
	if err != nil {
		return w.cp.Position, err
	}
	last := batch[len(batch)-1]
	w.r.cfg.Metrics.iteratorAge(w.m.UUID, w.id, time.Since(last.Arrival))
	next := reader.After(batch)
	return next, w.save(next, shardstore.FormatSeq(w.shard, last.Pos))
}

// records converts a read batch to the function's records, leaving out
// those no filter matches.
func (w *worker) records(batch []shardstore.StoredRecord) []engine.Record {
	recs := make([]engine.Record, 0, len(batch))
	var f shardstore.SeqFormatter
	msg := uint64(0)
	for i := range batch {
		sr := &batch[i]
		if !w.filter.Match(sr.Data) {
			continue
		}
		if i == 0 || sr.Pos.Msg != msg {
			msg = sr.Pos.Msg
			f.Reset(w.shard, msg)
		}
		recs = append(recs, engine.Record{
			SequenceNumber: f.Format(sr.Pos.Index), PartitionKey: string(sr.Key),
			ArrivalTime: sr.Arrival, Data: sr.Data,
		})
	}
	if n := len(batch) - len(recs); n > 0 {
		w.count(reader.Stats{Filtered: int64(n)})
		w.r.cfg.Metrics.filtered(w.m.UUID, n)
	}
	return recs
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
