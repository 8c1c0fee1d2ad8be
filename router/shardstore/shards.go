package shardstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrShardClosed is returned by Append when the shard no longer takes
// writes (it was split or merged); the caller re-routes with fresh
// metadata.
var ErrShardClosed = errors.New("shardstore: shard is closed")

// jsName is the JetStream stream that holds one shard.
func jsName(st *Stream, index int) string { return "KS_" + st.ID + "_" + strconv.Itoa(index) }

// Subject is where a shard's batches are published; a core NATS
// subscription on it is woken by every append (readers use it to push).
func Subject(st *Stream, index int) string {
	return "kinesin.rec." + st.ID + "." + strconv.Itoa(index)
}

func closedSubject(st *Stream, index int) string {
	return "kinesin.closed." + st.ID + "." + strconv.Itoa(index)
}

func (s *Store) shardConfig(st *Stream, index int, subject string) jetstream.StreamConfig {
	storage := jetstream.FileStorage
	if s.opts.Memory {
		storage = jetstream.MemoryStorage
	}
	maxAge := s.Retention(st)
	return jetstream.StreamConfig{
		Name:        jsName(st, index),
		Description: fmt.Sprintf("kinesin stream %s %s", st.Name, ShardID(index)),
		Subjects:    []string{subject},
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      maxAge,
		Storage:     storage,
		Replicas:    s.opts.Replicas,
		AllowDirect: true,
		Duplicates:  min(time.Second, maxAge),
	}
}

// EnsureShards creates the JetStream streams of the given open shards
// (idempotent).
func (s *Store) EnsureShards(ctx context.Context, st *Stream, indexes ...int) error {
	for _, i := range indexes {
		sh, ok := st.Shard(i)
		if !ok || sh.NoData {
			continue
		}
		subj := Subject(st, i)
		if sh.Closed {
			subj = closedSubject(st, i)
		}
		h, err := s.js.CreateOrUpdateStream(ctx, s.shardConfig(st, i, subj))
		if err != nil {
			return fmt.Errorf("shardstore: create %s: %w", ShardID(i), err)
		}
		s.handles.Store(jsName(st, i), h)
	}
	return nil
}

// SealShard stops writes to a shard by moving its stream off the publish
// subject, then reports its last message and record index. Appends that
// raced with it either landed before (and are counted) or fail with
// ErrShardClosed.
func (s *Store) SealShard(ctx context.Context, st *Stream, index int) (endMsg uint64, endIndex uint32, err error) {
	sh, ok := st.Shard(index)
	if !ok || sh.NoData {
		return 0, 0, nil
	}
	h, err := s.js.UpdateStream(ctx, s.shardConfig(st, index, closedSubject(st, index)))
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("shardstore: seal %s: %w", ShardID(index), err)
	}
	s.handles.Store(jsName(st, index), h)
	last := h.CachedInfo().State.LastSeq
	if last == 0 || h.CachedInfo().State.Msgs == 0 {
		return last, 0, nil
	}
	m, err := h.GetMsg(ctx, last)
	if err != nil {
		return 0, 0, fmt.Errorf("shardstore: seal %s: last batch: %w", ShardID(index), err)
	}
	n, err := BatchCount(m.Data)
	if err != nil || n == 0 {
		return last, 0, err
	}
	return last, uint32(n - 1), nil
}

// Retention is how long the stream keeps records.
func (s *Store) Retention(st *Stream) time.Duration {
	return time.Duration(st.RetentionHours) * s.opts.RetentionUnit
}

// SetRetention changes how long every shard of st keeps records.
func (s *Store) SetRetention(ctx context.Context, st *Stream) error {
	for _, sh := range st.Shards {
		if sh.NoData {
			continue
		}
		subj := Subject(st, sh.Index)
		if sh.Closed {
			subj = closedSubject(st, sh.Index)
		}
		h, err := s.js.UpdateStream(ctx, s.shardConfig(st, sh.Index, subj))
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("shardstore: retention of %s: %w", ShardID(sh.Index), err)
		}
		s.handles.Store(jsName(st, sh.Index), h)
	}
	return nil
}

// DropShards deletes every JetStream stream of st.
func (s *Store) DropShards(ctx context.Context, st *Stream) error {
	for _, sh := range st.Shards {
		if err := s.DropShard(ctx, st, sh.Index); err != nil {
			return err
		}
	}
	return nil
}

// DropShard deletes one shard's JetStream stream (closed shards past
// retention, deleted streams).
func (s *Store) DropShard(ctx context.Context, st *Stream, index int) error {
	name := jsName(st, index)
	s.handles.Delete(name)
	if err := s.js.DeleteStream(ctx, name); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("shardstore: delete %s: %w", ShardID(index), err)
	}
	return nil
}

func (s *Store) handle(ctx context.Context, st *Stream, index int) (jetstream.Stream, error) {
	name := jsName(st, index)
	if h, ok := s.handles.Load(name); ok {
		return h.(jetstream.Stream), nil
	}
	h, err := s.js.Stream(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("shardstore: open %s: %w", ShardID(index), err)
	}
	s.handles.Store(name, h)
	return h, nil
}

type pubAck struct {
	Stream string `json:"stream"`
	Seq    uint64 `json:"seq"`
	Error  *struct {
		Code        int    `json:"code"`
		Description string `json:"description"`
	} `json:"error"`
}

// Append stores one record batch (built with AppendBatch) in a shard and
// returns its message sequence once JetStream acknowledged it.
func (s *Store) Append(ctx context.Context, st *Stream, index int, batch []byte) (uint64, error) {
	msg, err := s.nc.RequestWithContext(ctx, Subject(st, index), batch)
	if errors.Is(err, nats.ErrNoResponders) {
		return 0, ErrShardClosed
	}
	if err != nil {
		return 0, fmt.Errorf("shardstore: append to %s: %w", ShardID(index), err)
	}
	var ack pubAck
	if err := json.Unmarshal(msg.Data, &ack); err != nil {
		return 0, fmt.Errorf("shardstore: append to %s: bad ack %q", ShardID(index), msg.Data)
	}
	if ack.Error != nil {
		return 0, fmt.Errorf("shardstore: append to %s: %s", ShardID(index), ack.Error.Description)
	}
	// Wake readers; losing a tick only delays them to their next poll.
	_ = s.nc.Publish(tickSubject(st, index), nil)
	return ack.Seq, nil
}
