package reader

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kinesin/kinesin/router/shardstore"
)

// Limits of an event source mapping's batching, as Lambda sets them.
const (
	DefaultBatchSize  = 100
	MaxBatchSize      = 10000
	MaxBatchingWindow = 300 * time.Second
	// MaxPayload is Lambda's 6 MB invocation payload cap: a batch is
	// closed before its records' keys and data would exceed it (a single
	// record larger than that still goes alone).
	MaxPayload = 6 << 20
	// MaxParallelization is the most batches of one shard a mapping runs
	// at once; a read may gather that many batches' worth of records.
	MaxParallelization = 10
)

// Batcher configures how records are cut into batches.
type Batcher struct {
	// BatchSize is the most records per batch, 1–10,000 (0 means 100), or
	// up to MaxParallelization times that when the caller splits each batch
	// into parallel ones.
	BatchSize int
	// MaximumBatchingWindow is how long a batch may gather records after
	// its first one, 0–300 s. 0 delivers as soon as records are available.
	MaximumBatchingWindow time.Duration
	// MaxBytes caps the sum of the keys and data of a batch's records
	// (0 means MaxPayload). Callers that inflate records when building the
	// event (base64 in JSON) may set it lower; callers that split batches
	// may set it up to MaxParallelization times higher.
	MaxBytes int
	// Wake, when set, says when ReadShard, waiting for records, should call
	// deliver with an empty batch (zero time: not before records come).
	// Tumbling windows use it to close a window when its time is up.
	Wake func() time.Time
}

// Validate checks the configuration against Lambda's limits.
func (b Batcher) Validate() error {
	if b.BatchSize < 0 || b.BatchSize > MaxBatchSize*MaxParallelization {
		return fmt.Errorf("reader: BatchSize %d is not within 1–%d", b.BatchSize, MaxBatchSize*MaxParallelization)
	}
	if b.MaximumBatchingWindow < 0 || b.MaximumBatchingWindow > MaxBatchingWindow {
		return fmt.Errorf("reader: MaximumBatchingWindow %v is not within 0–%v", b.MaximumBatchingWindow, MaxBatchingWindow)
	}
	if b.MaxBytes < 0 || b.MaxBytes > MaxPayload*MaxParallelization {
		return fmt.Errorf("reader: MaxBytes %d is not within 1–%d", b.MaxBytes, MaxPayload*MaxParallelization)
	}
	return nil
}

func (b Batcher) withDefaults() Batcher {
	if b.BatchSize == 0 {
		b.BatchSize = DefaultBatchSize
	}
	if b.MaxBytes == 0 {
		b.MaxBytes = MaxPayload
	}
	return b
}

// DeliverFunc receives one batch (empty only when Batcher.Wake asked for
// it; the position it returns is then ignored) and returns the position to
// read on from: normally After(batch); on a partial failure an earlier
// position (say, of the first failed record) makes ReadShard read those
// records again. An error stops ReadShard and is returned as is. The
// slice is not reused by ReadShard after deliver returns.
type DeliverFunc func(ctx context.Context, batch []shardstore.StoredRecord) (shardstore.Position, error)

// After is the position right after the last record of a non-empty batch.
func After(batch []shardstore.StoredRecord) shardstore.Position {
	return batch[len(batch)-1].Pos.Next()
}

// ErrStreamReplaced is returned by ReadShard when the stream was deleted
// and created again under the same name while it was read.
var ErrStreamReplaced = errors.New("reader: stream was deleted and created again")

func recordSize(r *shardstore.StoredRecord) int { return len(r.Key) + len(r.Data) }

// ReadShard reads shard shardIndex of stream from start, passing batches
// to deliver in order, until the shard is closed and read to its end
// (end true, nil error), ctx ends (its error), the stream is gone
// (shardstore.ErrNotFound or ErrStreamReplaced), or deliver or a read
// fails. When caught up it waits for the shard's next append or the next
// metadata change; it never polls.
func ReadShard(ctx context.Context, store *shardstore.Store, stream string, shardIndex int, start shardstore.Position, cfg Batcher, deliver DeliverFunc) (end bool, err error) {
	if err := cfg.Validate(); err != nil {
		return false, err
	}
	cfg = cfg.withDefaults()
	st, ok := store.Get(stream)
	if !ok {
		return false, fmt.Errorf("reader: %s: %w", stream, shardstore.ErrNotFound)
	}
	id := st.ID
	// Subscribe before the first read so that no append between a read
	// that found nothing and the wait is missed.
	ring, stop, err := store.Watch(st, shardIndex)
	if err != nil {
		return false, err
	}
	defer stop()

	var (
		pos      = start
		batch    []shardstore.StoredRecord
		bytes    int
		deadline time.Time // window end of the open batch
		timer    *time.Timer
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		changed := store.Changed()
		st, ok := store.Get(stream)
		if !ok {
			return false, fmt.Errorf("reader: %s: %w", stream, shardstore.ErrNotFound)
		}
		if st.ID != id {
			return false, ErrStreamReplaced
		}
		res, err := store.Read(ctx, st, shardIndex, pos, cfg.BatchSize-len(batch), cfg.MaxBytes-bytes)
		if err != nil {
			if ctx.Err() != nil {
				return false, ctx.Err()
			}
			return false, err
		}
		pos = res.Next
		full := false
		for i := range res.Records {
			r := &res.Records[i]
			n := recordSize(r)
			if len(batch) > 0 && bytes+n > cfg.MaxBytes {
				// Store.Read may overshoot its byte budget by one
				// record; leave it for the next batch.
				pos, full = r.Pos, true
				break
			}
			if len(batch) == 0 {
				deadline = time.Now().Add(cfg.MaximumBatchingWindow)
			}
			batch = append(batch, *r)
			bytes += n
		}
		if len(batch) >= cfg.BatchSize || bytes >= cfg.MaxBytes {
			full = true
		}
		endNow := res.End && !full
		if len(batch) > 0 && (full || endNow || (res.CaughtUp && cfg.MaximumBatchingWindow == 0) || !time.Now().Before(deadline)) {
			next, err := deliver(ctx, batch)
			if err != nil {
				return false, err
			}
			pos, batch, bytes = next, nil, 0
			continue
		}
		if endNow {
			return true, nil
		}
		if !res.CaughtUp {
			continue
		}
		var (
			expire <-chan time.Time
			wake   bool
			until  time.Time
		)
		if len(batch) > 0 {
			until = deadline
		} else if cfg.Wake != nil {
			until = cfg.Wake()
			wake = !until.IsZero()
		}
		if !until.IsZero() {
			if timer == nil {
				timer = time.NewTimer(time.Until(until))
			} else {
				timer.Reset(time.Until(until))
			}
			expire = timer.C
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-ring:
		case <-changed:
		case <-expire:
			if wake {
				if _, err := deliver(ctx, nil); err != nil {
					return false, err
				}
			}
		}
		if timer != nil {
			timer.Stop()
		}
	}
}
