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
	// Finished is set once the shard was read to its end: its children
	// may start.
	Finished bool `json:"finished,omitempty"`
	// StreamID is the shardstore.Stream ID the position belongs to; a
	// stream deleted and created again has a new one.
	StreamID string    `json:"streamId,omitempty"`
	Updated  time.Time `json:"updated"`
	// Revision is the bucket revision this checkpoint was read or written
	// at, 0 when it is not stored yet; Save compares it.
	Revision uint64 `json:"-"`
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
	if opts.Replicas == 0 {
		opts.Replicas = 1
	}
	storage := jetstream.FileStorage
	if opts.Memory {
		storage = jetstream.MemoryStorage
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      CheckpointBucket,
		Description: "kinesin event source mapping checkpoints",
		History:     1,
		Storage:     storage,
		Replicas:    opts.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("reader: checkpoint bucket: %w", err)
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
		if isConflict(err) {
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
	lister, err := c.kv.ListKeysFiltered(ctx, prefix+"*")
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reader: list checkpoints: %w", err)
	}
	var keys []string
	for k := range lister.Keys() {
		keys = append(keys, k)
	}
	_ = lister.Stop()
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

func isConflict(err error) bool {
	if errors.Is(err, jetstream.ErrKeyExists) {
		return true
	}
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}
