package runner

import (
	"context"
	"errors"
	"time"

	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/triggers/reader"
)

// source is what one worker reads and how its function is called: one
// shard of a Kinesis stream, or a Kinesis Video stream (a single "shard").
// Everything else — leases, checkpoints, filters, batching into calls,
// retries, bisection, partial batch failures, on-failure records, metrics
// and logs — is the worker's, the same for every source.
type source interface {
	// name is the stream's name and arn its ARN (eventSourceARN).
	name() string
	arn() string
	// shardID names the unit of work in logs, metrics, on-failure records
	// and shard reports.
	shardID() string
	// streamID identifies the stream read; it changes when the stream is
	// deleted and created again, which restarts the mapping on it.
	streamID() string
	// retention is how long the stream keeps records: older ones are
	// given up on.
	retention() time.Duration
	// read reads from the worker's checkpoint, handing batches to
	// w.handle, until the source ends (end true: a closed shard read to
	// its end), ctx ends or reading fails.
	read(ctx context.Context, w *worker) (end bool, err error)
	// gone says whether a read error means the stream is no more (the
	// worker stops; the runner reports the stream missing).
	gone(err error) bool
	// call makes one call of the function with a batch, returning its
	// result and the version that ran.
	call(ctx context.Context, w *worker, b engine.Batch) (engine.BatchResult, string, error)
	// batchInfo describes given-up records in an on-failure record.
	batchInfo(rec *onFailureRecord, recs []engine.Record)
}

// kinesisShard is one shard of a Kinesis data stream.
type kinesisShard struct {
	store *shardstore.Store
	st    *shardstore.Stream
	index int
	sARN  string
}

var _ source = (*kinesisShard)(nil)

func newKinesisShard(r *Runner, st *shardstore.Stream, index int) *kinesisShard {
	return &kinesisShard{
		store: r.cfg.Streams, st: st, index: index,
		sARN: "arn:aws:kinesis:" + r.cfg.Region + ":" + r.cfg.AccountID + ":stream/" + st.Name,
	}
}

func (k *kinesisShard) name() string             { return k.st.Name }
func (k *kinesisShard) arn() string              { return k.sARN }
func (k *kinesisShard) shardID() string          { return shardstore.ShardID(k.index) }
func (k *kinesisShard) streamID() string         { return k.st.ID }
func (k *kinesisShard) retention() time.Duration { return k.store.Retention(k.st) }

func (k *kinesisShard) read(ctx context.Context, w *worker) (bool, error) {
	return reader.ReadShard(ctx, k.store, k.st.Name, k.index, w.cp.Position, w.batcher(), func(_ context.Context, batch []shardstore.StoredRecord) (shardstore.Position, error) {
		return k.deliver(w, batch)
	})
}

func (k *kinesisShard) gone(err error) bool {
	return errors.Is(err, shardstore.ErrNotFound) || errors.Is(err, reader.ErrStreamReplaced)
}

// deliver runs one read batch through the worker. An empty batch is
// Batcher.Wake's call: close a window whose time is up.
func (k *kinesisShard) deliver(w *worker, batch []shardstore.StoredRecord) (shardstore.Position, error) {
	if len(batch) == 0 {
		return w.cp.Position, w.tick()
	}
	last := batch[len(batch)-1]
	next := reader.After(batch)
	if err := w.handle(k.records(batch), next, shardstore.FormatSeq(k.index, last.Pos), last.Arrival); err != nil {
		return w.cp.Position, err
	}
	return next, nil
}

// records converts a read batch to the function's records.
func (k *kinesisShard) records(batch []shardstore.StoredRecord) []engine.Record {
	recs := make([]engine.Record, len(batch))
	var f shardstore.SeqFormatter
	msg := uint64(0)
	for i := range batch {
		sr := &batch[i]
		if i == 0 || sr.Pos.Msg != msg {
			msg = sr.Pos.Msg
			f.Reset(k.index, msg)
		}
		recs[i] = engine.Record{
			SequenceNumber: f.Format(sr.Pos.Index), PartitionKey: string(sr.Key),
			ArrivalTime: sr.Arrival, Data: sr.Data,
		}
	}
	return recs
}

func (k *kinesisShard) call(ctx context.Context, w *worker, b engine.Batch) (engine.BatchResult, string, error) {
	return w.r.cfg.Functions.InvokeBatch(ctx, w.m.FunctionName, w.m.Qualifier, b)
}

func (k *kinesisShard) batchInfo(rec *onFailureRecord, recs []engine.Record) {
	first, last := recs[0], recs[len(recs)-1]
	rec.KinesisBatchInfo = &batchInfo{
		ShardID: k.shardID(), StartSequenceNumber: first.SequenceNumber, EndSequenceNumber: last.SequenceNumber,
		ApproximateArrivalOfFirstRecord: isoMillis(first.ArrivalTime), ApproximateArrivalOfLastRecord: isoMillis(last.ArrivalTime),
		BatchSize: len(recs), StreamArn: k.sARN,
	}
}
