package source

import (
	"context"
	"errors"
	"time"

	"github.com/kinesin/kinesin/internal/clock"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/triggers/lease"
	"github.com/kinesin/kinesin/triggers/reader"
)

// errStopped ends a worker's delivery when it was asked to stop (its batch
// is not checkpointed and will be appended again).
var errStopped = errors.New("source: worker stopped")

// worker reads one shard while it holds the shard's lease.
type worker struct {
	p     *pump
	st    *shardstore.Stream // the metadata it was started with
	shard int
	lease *lease.Lease

	// readCtx ends on a graceful stop (between batches); runCtx when the
	// lease is lost or the grace period after Run ended is over
	// (abandoning a batch).
	readCtx  context.Context
	stopRead context.CancelFunc
	runCtx   context.Context
	stopRun  context.CancelFunc
	done     chan struct{}
	// isStopping is guarded by pump.mu.
	isStopping bool

	cp     reader.Checkpoint
	loaded bool
}

func newWorker(p *pump, st *shardstore.Stream, shard int, l *lease.Lease) *worker {
	w := &worker{p: p, st: st, shard: shard, lease: l, done: make(chan struct{})}
	w.runCtx, w.stopRun = context.WithCancel(p.workCtx)
	w.readCtx, w.stopRead = context.WithCancel(w.runCtx)
	return w
}

// stop asks the worker to end after its current batch. Callers hold
// pump.mu.
func (w *worker) stop() {
	w.isStopping = true
	w.stopRead()
}

func (w *worker) logArgs(kv ...any) []any {
	return append([]any{"shard", shardstore.ShardID(w.shard)}, kv...)
}

func (w *worker) batcher() reader.Batcher {
	return reader.Batcher{BatchSize: MaxBatchRecords, MaxBytes: MaxBatchBytes}
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
		_ = w.p.leases.Release(ctx, w.lease)
	}()
	log := w.p.log
	for backoff := 100 * time.Millisecond; ; backoff = min(2*backoff, 5*time.Second) {
		if w.readCtx.Err() != nil {
			return
		}
		if !w.loaded {
			if err := w.load(); err != nil {
				if w.readCtx.Err() == nil {
					log.Warn("source: load checkpoint, retrying", w.logArgs("err", err)...)
				}
				if !clock.Sleep(w.readCtx, backoff) {
					return
				}
				continue
			}
			if w.cp.Finished {
				return
			}
			log.Debug("source: shard started", w.logArgs("position", w.cp.Position)...)
		}
		if cur, ok := w.p.c.Store.Get(w.st.Name); !ok || cur.ID != w.st.ID {
			return // gone or replaced: the pump starts over with the new metadata
		}
		end, err := reader.ReadShard(w.readCtx, w.p.c.Store, w.st.Name, w.shard, w.cp.Position, w.batcher(), w.deliver)
		if end {
			w.finish()
			return
		}
		if w.readCtx.Err() != nil || errors.Is(err, errStopped) || errors.Is(err, reader.ErrCheckpointConflict) ||
			errors.Is(err, shardstore.ErrNotFound) || errors.Is(err, reader.ErrStreamReplaced) {
			return
		}
		log.Warn("source: reading shard failed, retrying", w.logArgs("err", err)...)
		if !clock.Sleep(w.readCtx, backoff) {
			return
		}
	}
}

// renew keeps the lease while the worker runs; losing it ends the worker
// at once.
func (w *worker) renew(done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(w.p.leases.TTL() / 3)
	defer t.Stop()
	for {
		select {
		case <-w.runCtx.Done():
			return
		case <-t.C:
			err := w.p.leases.Renew(w.runCtx, w.lease)
			if errors.Is(err, lease.ErrLost) {
				w.p.log.Warn("source: shard lease lost", w.logArgs()...)
				w.stopRun()
				return
			}
			if err != nil && w.runCtx.Err() == nil {
				w.p.log.Warn("source: renew shard lease", w.logArgs("err", err)...)
			}
		}
	}
}

// load reads the shard's checkpoint; a shard never read (or read in an
// earlier stream of the same name) starts at Start.
func (w *worker) load() error {
	cp, err := w.p.cps.Load(w.runCtx, w.p.id, w.shard)
	switch {
	case errors.Is(err, reader.ErrNoCheckpoint):
		cp = reader.Checkpoint{}
	case err != nil:
		return err
	case cp.StreamID != w.st.ID:
		// The stream was deleted and created again: start it over.
		cp = reader.Checkpoint{Revision: cp.Revision}
	default:
		w.cp, w.loaded = cp, true
		return nil
	}
	pos, err := w.startPosition()
	if err != nil {
		return err
	}
	cp.Position, cp.StreamID = pos, w.st.ID
	w.cp, w.loaded = cp, true
	return nil
}

// startPosition is where a shard without a checkpoint is read from: the
// first record at or after Start. AtTime falls back to the shard's tip
// when no record is that recent, and a record appended between its look
// and the tip would be skipped; the tip taken before AtTime cannot miss
// it, so the earlier of the two is used (deliver drops older records).
func (w *worker) startPosition() (shardstore.Position, error) {
	start := w.p.c.Start
	if start.IsZero() {
		return shardstore.Position{}, nil
	}
	tip, err := w.p.c.Store.Tip(w.runCtx, w.st, w.shard)
	if err != nil {
		return shardstore.Position{}, err
	}
	at, err := w.p.c.Store.AtTime(w.runCtx, w.st, w.shard, start)
	if err != nil {
		return shardstore.Position{}, err
	}
	if tip.Less(at) {
		at = tip
	}
	return at, nil
}

// deliver appends one read batch (less the records older than Start) and
// checkpoints after it.
func (w *worker) deliver(_ context.Context, batch []shardstore.StoredRecord) (shardstore.Position, error) {
	if len(batch) == 0 {
		return w.cp.Position, nil
	}
	start := w.p.c.Start
	records := make([][]byte, 0, len(batch))
	arrivals := make([]time.Time, 0, len(batch))
	for i := range batch {
		if batch[i].Arrival.Before(start) {
			continue
		}
		records = append(records, batch[i].Data)
		arrivals = append(arrivals, batch[i].Arrival)
	}
	if len(records) > 0 {
		if err := w.append(records, arrivals); err != nil {
			return w.cp.Position, err
		}
	}
	next := reader.After(batch)
	cp := w.cp
	cp.Position, cp.Last = next, shardstore.FormatSeq(w.shard, batch[len(batch)-1].Pos)
	cp.Stats.Records += int64(len(records))
	saved, err := w.p.cps.Save(w.runCtx, w.p.id, w.shard, cp)
	if err != nil {
		if errors.Is(err, reader.ErrCheckpointConflict) {
			w.p.log.Warn("source: checkpoint taken over by another process", w.logArgs()...)
		}
		if w.runCtx.Err() != nil {
			return w.cp.Position, errStopped
		}
		return w.cp.Position, err
	}
	w.cp = saved
	return next, nil
}

// append calls Append until it succeeds, backing off between attempts;
// a stop ends the attempts (the batch is read again by whoever reads the
// shard next).
func (w *worker) append(records [][]byte, arrivals []time.Time) error {
	for backoff := 50 * time.Millisecond; ; backoff = min(2*backoff, 5*time.Second) {
		err := w.p.c.Append(w.runCtx, records, arrivals)
		if err == nil {
			return nil
		}
		if w.runCtx.Err() != nil {
			return errStopped
		}
		w.p.log.Warn("source: append to the delivery stream failed, retrying", w.logArgs("records", len(records), "err", err)...)
		if !clock.Sleep(w.readCtx, backoff) {
			return errStopped
		}
	}
}

// finish marks the shard read to its end, so its children start.
func (w *worker) finish() {
	if _, err := w.p.cps.Finish(w.runCtx, w.p.id, w.shard, w.cp, w.cp.Position); err != nil && w.runCtx.Err() == nil {
		w.p.log.Warn("source: finish shard", w.logArgs("err", err)...)
		return
	}
	w.p.log.Debug("source: shard finished", w.logArgs()...)
}
