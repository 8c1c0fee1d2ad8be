package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/triggers/mappings"
	"github.com/kinesin/kinesin/triggers/reader"
)

// Prepare writes the starting checkpoints of a new LATEST or AT_TIMESTAMP
// mapping: for every shard of the stream, the position reached now or at
// the timestamp. Shards created later (by resharding) start at their
// beginning, after their parents, whatever the starting position.
// TRIM_HORIZON needs nothing: a shard with no checkpoint is read from its
// oldest record.
func (r *Runner) Prepare(ctx context.Context, m *mappings.Mapping) error {
	if m.StartingPosition == mappings.TrimHorizon {
		return nil
	}
	if m.Video {
		return r.prepareVideo(ctx, m)
	}
	if r.cfg.Streams == nil {
		return awserr.Kind{Code: "InvalidParameterValueException", Status: 400}.New("Stream not found: %s", m.EventSourceArn)
	}
	st, ok := r.cfg.Streams.Get(m.StreamName)
	if !ok {
		return awserr.Kind{Code: "InvalidParameterValueException", Status: 400}.New("Stream not found: %s", m.EventSourceArn)
	}
	for _, sh := range st.Shards {
		var (
			pos shardstore.Position
			err error
		)
		if m.StartingPosition == mappings.AtTimestamp {
			pos, err = r.cfg.Streams.AtTime(ctx, st, sh.Index, m.StartTime())
		} else {
			pos, err = r.cfg.Streams.Tip(ctx, st, sh.Index)
		}
		if err != nil {
			return fmt.Errorf("runner: starting position of %s: %w", shardstore.ShardID(sh.Index), err)
		}
		if _, err := r.cfg.Checkpoints.Save(ctx, m.UUID, sh.Index, reader.Checkpoint{Position: pos, StreamID: st.ID}); err != nil {
			return fmt.Errorf("runner: starting checkpoint: %w", err)
		}
	}
	return nil
}

// Shards reports each shard's checkpoint, lease holder and lag.
func (r *Runner) Shards(ctx context.Context, m *mappings.Mapping) ([]mappings.ShardStatus, error) {
	if m.Video {
		return r.videoShards(ctx, m)
	}
	if r.cfg.Streams == nil {
		return nil, nil
	}
	st, ok := r.cfg.Streams.Get(m.StreamName)
	if !ok {
		return nil, nil
	}
	cps, err := r.cfg.Checkpoints.All(ctx, m.UUID)
	if err != nil {
		return nil, err
	}
	snap, err := r.cfg.Leases.Snapshot(ctx, m.UUID+".")
	if err != nil {
		return nil, err
	}
	out := make([]mappings.ShardStatus, 0, len(st.Shards))
	for _, sh := range st.Shards {
		cp := cps[sh.Index]
		s := mappings.ShardStatus{
			ShardID: shardstore.ShardID(sh.Index), Checkpoint: cp.Last, Finished: cp.Finished,
			Owner: snap.Holders[leaseKey(m.UUID, sh.Index)], Stats: cp.Stats,
		}
		if cp.StreamID == "" || cp.StreamID == st.ID {
			if !cp.Finished {
				res, err := r.cfg.Streams.Read(ctx, st, sh.Index, cp.Position, 1, 1)
				if err == nil && len(res.Records) > 0 {
					s.IteratorAgeMilliseconds = time.Since(res.Records[0].Arrival).Milliseconds()
				}
			}
		}
		out = append(out, s)
	}
	return out, nil
}
