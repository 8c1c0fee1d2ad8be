package reader

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kinesin/kinesin/internal/kvutil"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/nats-io/nats.go/jetstream"
)

// CheckpointBucket is the JetStream KV bucket of checkpoints.
const CheckpointBucket = "kinesin_checkpoints"

// ErrNoCheckpoint is returned by Load for a shard never checkpointed.
var ErrNoCheckpoint = errors.New("reader: no checkpoint")

// ErrCheckpointConflict is returned by Save and Finish when the stored
// checkpoint is not at the revision the caller read (another process
// moved it, or created it first): the caller no longer owns the shard or
// must Load again.
var ErrCheckpointConflict = errors.New("reader: checkpoint changed concurrently")

// Checkpoint is how far one mapping has read one shard.
type Checkpoint struct {
	// Position is where reading goes on (after the last record handled).
	Position shardstore.Position `json:"position"`
	// Last is the sequence number of the last record handled ("" before
	// the first).
	Last string `json:"last,omitempty"`
	// Finished is set once the shard was read to its end: its children
	// may start.
	Finished bool `json:"finished,omitempty"`
	// StreamID is the shardstore.Stream ID the position belongs to; a
	// stream deleted and created again has a new one.
	StreamID string    `json:"streamId,omitempty"`
	Updated  time.Time `json:"updated"`
	// Stats are the shard's cumulative counters for this mapping.
	Stats Stats `json:"stats"`
	// Window is the open tumbling window and its state (nil when none).
	Window *WindowState `json:"window,omitempty"`
	// Revision is the bucket revision this checkpoint was read or written
	// at, 0 when it is not stored yet; Save compares it.
	Revision uint64 `json:"-"`
}

// WindowState is an open tumbling window: its bounds and the state the
// function returned last.
type WindowState struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	State []byte    `json:"state,omitempty"`
}

// Stats are a shard's cumulative counters for one mapping, kept in its
// checkpoint so that every process's work adds up.
type Stats struct {
	Records     int64 `json:"Records"`     // records handed to the function and done
	Invocations int64 `json:"Invocations"` // function calls, retries included
	Errors      int64 `json:"Errors"`      // calls that failed (function errors, partial failures)
	Throttles   int64 `json:"Throttles"`   // calls refused for lack of capacity
	Retried     int64 `json:"Retried"`     // records sent again after a failure
	Filtered    int64 `json:"Filtered"`    // records no filter matched
	Dropped     int64 `json:"Dropped"`     // records given up on (retries exhausted or too old)
	OnFailure   int64 `json:"OnFailure"`   // on-failure records delivered
}

// Add adds o to s.
func (s *Stats) Add(o Stats) {
	s.Records += o.Records
	s.Invocations += o.Invocations
	s.Errors += o.Errors
	s.Throttles += o.Throttles
	s.Retried += o.Retried
	s.Filtered += o.Filtered
	s.Dropped += o.Dropped
	s.OnFailure += o.OnFailure
}

// CheckpointOptions configure the bucket when it is created.
type CheckpointOptions struct {
	Replicas int
	Memory   bool // tests only
}

// Checkpoints stores checkpoints per (mapping UUID, shard). It is safe for
// concurrent use.
type Checkpoints struct {
	kv jetstream.KeyValue
}

// OpenCheckpoints opens the checkpoint bucket, creating it when missing.
func OpenCheckpoints(ctx context.Context, js jetstream.JetStream, opts CheckpointOptions) (*Checkpoints, error) {
	kv, err := kvutil.Bucket(ctx, js, CheckpointBucket, "kinesin event source mapping checkpoints", opts.Replicas, opts.Memory)
	if err != nil {
		return nil, fmt.Errorf("reader: %w", err)
	}
	return &Checkpoints{kv: kv}, nil
}

var mappingRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

func checkpointKey(mapping string, shard int) (string, error) {
	if !mappingRe.MatchString(mapping) {
		return "", fmt.Errorf("reader: mapping id %q is not a UUID", mapping)
	}
	return "m." + mapping + "." + strconv.Itoa(shard), nil
}

// Load returns the checkpoint of a shard, ErrNoCheckpoint when none.
func (c *Checkpoints) Load(ctx context.Context, mapping string, shard int) (Checkpoint, error) {
	key, err := checkpointKey(mapping, shard)
	if err != nil {
		return Checkpoint{}, err
	}
	e, err := c.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Checkpoint{}, ErrNoCheckpoint
	}
	if err != nil {
		return Checkpoint{}, fmt.Errorf("reader: load checkpoint: %w", err)
	}
	return decodeCheckpoint(e)
}

func decodeCheckpoint(e jetstream.KeyValueEntry) (Checkpoint, error) {
	var cp Checkpoint
	if err := json.Unmarshal(e.Value(), &cp); err != nil {
		return Checkpoint{}, fmt.Errorf("reader: checkpoint %s: %w", e.Key(), err)
	}
	cp.Revision = e.Revision()
	return cp, nil
}

// Save stores cp for a shard if the stored checkpoint is still at
// cp.Revision (0: none may exist yet), and returns it with its new
// revision; ErrCheckpointConflict otherwise.
func (c *Checkpoints) Save(ctx context.Context, mapping string, shard int, cp Checkpoint) (Checkpoint, error) {
	key, err := checkpointKey(mapping, shard)
	if err != nil {
		return cp, err
	}
	cp.Updated = time.Now().UTC()
	b, err := json.Marshal(cp)
	if err != nil {
		return cp, fmt.Errorf("reader: encode checkpoint: %w", err)
	}
	var rev uint64
	if cp.Revision == 0 {
		rev, err = c.kv.Create(ctx, key, b)
	} else {
		rev, err = c.kv.Update(ctx, key, b, cp.Revision)
	}
	if err != nil {
		if kvutil.IsConflict(err) {
			return cp, ErrCheckpointConflict
		}
		return cp, fmt.Errorf("reader: save checkpoint: %w", err)
	}
	cp.Revision = rev
	return cp, nil
}

// Finish marks a shard read to its end (position end), with the same
// compare-and-set as Save.
func (c *Checkpoints) Finish(ctx context.Context, mapping string, shard int, cp Checkpoint, end shardstore.Position) (Checkpoint, error) {
	cp.Position, cp.Finished = end, true
	return c.Save(ctx, mapping, shard, cp)
}

// All returns every checkpoint of a mapping by shard index.
func (c *Checkpoints) All(ctx context.Context, mapping string) (map[int]Checkpoint, error) {
	prefix, err := checkpointKey(mapping, 0)
	if err != nil {
		return nil, err
	}
	prefix = strings.TrimSuffix(prefix, "0")
	out := map[int]Checkpoint{}
	keys, err := kvutil.Keys(ctx, c.kv, prefix+"*")
	if err != nil {
		return nil, fmt.Errorf("reader: checkpoints: %w", err)
	}
	for _, k := range keys {
		shard, err := strconv.Atoi(strings.TrimPrefix(k, prefix))
		if err != nil {
			continue
		}
		e, err := c.kv.Get(ctx, k)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reader: load checkpoint: %w", err)
		}
		cp, err := decodeCheckpoint(e)
		if err != nil {
			return nil, err
		}
		out[shard] = cp
	}
	return out, nil
}

// Finished returns the shards a mapping has read to their end, the input
// of Lineage.
func (c *Checkpoints) Finished(ctx context.Context, mapping string) (map[int]bool, error) {
	all, err := c.All(ctx, mapping)
	if err != nil {
		return nil, err
	}
	out := map[int]bool{}
	for shard, cp := range all {
		if cp.Finished {
			out[shard] = true
		}
	}
	return out, nil
}

// Delete removes every checkpoint of a mapping (the mapping was deleted).
func (c *Checkpoints) Delete(ctx context.Context, mapping string) error {
	all, err := c.All(ctx, mapping)
	if err != nil {
		return err
	}
	for shard := range all {
		key, _ := checkpointKey(mapping, shard)
		if err := c.kv.Purge(ctx, key); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("reader: delete checkpoint: %w", err)
		}
	}
	return nil
}
