package host

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/kvutil"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/triggers/lease"
)

// Buckets of the application checkpoints.
const (
	// CheckpointBucket is the KV bucket of checkpoints, one key per
	// application.
	CheckpointBucket = "kinesin_analytics_checkpoints"
	// StateBucket is the object store of engine snapshots too large to be
	// kept in the checkpoint entry itself.
	StateBucket = "kinesin_analytics_state"
)

// inlineLimit is the largest snapshot kept in the checkpoint entry; larger
// ones go to the object store (a KV value is one NATS message, at most
// the server's max_payload, 1 MiB by default).
const inlineLimit = 256 << 10

// appID is the application's token in keys: "kda_" and the name in
// unpadded base64url (names may hold dots, which keys cannot).
func appID(name string) string { return "kda_" + base64.RawURLEncoding.EncodeToString([]byte(name)) }

func checkpointKey(name string) string { return "a." + appID(name) }

// LeaseKey is the application's key in the lease bucket (lease.Bucket).
func LeaseKey(name string) string { return appID(name) + ".app" }

// checkpoint is what is stored for an application.
type checkpoint struct {
	// RunID is Config.RunID of the run that wrote it.
	RunID string `json:"runId,omitempty"`
	// Version is Config.Version: the engine state is only restored into
	// the code that made it.
	Version int64     `json:"version"`
	Updated time.Time `json:"updated"`
	// Start is when the run began (the NOW starting position's time).
	Start time.Time `json:"start"`
	// Clock is the highest time (ms) given to the engine: ROWTIME and
	// Advance never go below it.
	Clock  int64                  `json:"clock"`
	Inputs map[string]*inputState `json:"inputs,omitempty"`
	// Snapshot is the engine state, inline, or in StateBucket under
	// Object when large.
	Snapshot []byte `json:"snapshot,omitempty"`
	Object   string `json:"object,omitempty"`
}

// inputState is how far an input was read.
type inputState struct {
	// Source is the stream (or delivery stream) name the positions
	// belong to, StreamID its incarnation (shardstore.Stream.ID).
	Source   string `json:"source"`
	StreamID string `json:"streamId,omitempty"`
	// Shards are the Kinesis positions by shard index: where reading goes
	// on, and whether the shard was read to its end.
	Shards map[int]shardState `json:"shards,omitempty"`
	// Seq is the last Firehose record batch handled (stream sequence).
	Seq uint64 `json:"seq,omitempty"`
	// Rowtime is the ROWTIME high-water mark of each in-application
	// stream of the input (index 0 is NamePrefix_001).
	Rowtime []int64 `json:"rowtime,omitempty"`
}

type shardState struct {
	Position shardstore.Position `json:"position"`
	Finished bool                `json:"finished,omitempty"`
}

func (s *inputState) clone() *inputState {
	c := *s
	c.Shards = make(map[int]shardState, len(s.Shards))
	for k, v := range s.Shards {
		c.Shards[k] = v
	}
	c.Rowtime = append([]int64(nil), s.Rowtime...)
	return &c
}

// store keeps one application's checkpoint.
type cpStore struct {
	kv  jetstream.KeyValue
	js  jetstream.JetStream
	obj jetstream.ObjectStore // opened on first use
	key string
	id  string
	rev uint64 // revision of the entry last read or written, 0: none
}

// errCheckpointTaken is returned when another process wrote the
// application's checkpoint since this one read it.
var errCheckpointTaken = errors.New("host: checkpoint written by another process")

func openCheckpoints(ctx context.Context, js jetstream.JetStream) (jetstream.KeyValue, error) {
	kv, err := kvutil.Bucket(ctx, js, CheckpointBucket, "kinesin Data Analytics application checkpoints", 1, false)
	if err != nil {
		return nil, fmt.Errorf("host: %w", err)
	}
	return kv, nil
}

func openStateObjects(ctx context.Context, js jetstream.JetStream) (jetstream.ObjectStore, error) {
	obj, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket: StateBucket, Description: "kinesin Data Analytics application state snapshots", Storage: jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("host: open object store %s: %w", StateBucket, err)
	}
	return obj, nil
}

func newCPStore(ctx context.Context, js jetstream.JetStream, name string) (*cpStore, error) {
	kv, err := openCheckpoints(ctx, js)
	if err != nil {
		return nil, err
	}
	return &cpStore{kv: kv, js: js, key: checkpointKey(name), id: appID(name)}, nil
}

// load answers the stored checkpoint with its snapshot, nil when none.
func (s *cpStore) load(ctx context.Context) (*checkpoint, error) {
	e, err := s.kv.Get(ctx, s.key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		s.rev = 0
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("host: load checkpoint: %w", err)
	}
	s.rev = e.Revision()
	cp := new(checkpoint)
	if err := json.Unmarshal(e.Value(), cp); err != nil {
		return nil, fmt.Errorf("host: decode checkpoint: %w", err)
	}
	if cp.Object != "" {
		if err := s.openObjects(ctx); err != nil {
			return nil, err
		}
		b, err := s.obj.GetBytes(ctx, cp.Object)
		if err != nil {
			return nil, fmt.Errorf("host: load snapshot %s: %w", cp.Object, err)
		}
		cp.Snapshot = b
	}
	return cp, nil
}

func (s *cpStore) openObjects(ctx context.Context) error {
	if s.obj != nil {
		return nil
	}
	obj, err := openStateObjects(ctx, s.js)
	if err != nil {
		return err
	}
	s.obj = obj
	return nil
}

// save writes cp with compare-and-set on the revision last seen; a large
// snapshot goes first to a new object, and the object of the previous
// checkpoint is removed once the entry points to the new one.
func (s *cpStore) save(ctx context.Context, cp *checkpoint, prevObject string) error {
	cp.Updated = time.Now().UTC()
	snap := cp.Snapshot
	cp.Object = ""
	if len(snap) > inlineLimit {
		if err := s.openObjects(ctx); err != nil {
			return err
		}
		cp.Object = s.id + "." + strconv.FormatInt(time.Now().UnixNano(), 36)
		if _, err := s.obj.PutBytes(ctx, cp.Object, snap); err != nil {
			return fmt.Errorf("host: store snapshot: %w", err)
		}
		cp.Snapshot = nil
	}
	b, err := json.Marshal(cp)
	cp.Snapshot = snap
	if err != nil {
		return fmt.Errorf("host: encode checkpoint: %w", err)
	}
	var rev uint64
	if s.rev == 0 {
		rev, err = s.kv.Create(ctx, s.key, b)
	} else {
		rev, err = s.kv.Update(ctx, s.key, b, s.rev)
	}
	if err != nil {
		if cp.Object != "" {
			_ = s.obj.Delete(ctx, cp.Object)
		}
		if kvutil.IsConflict(err) {
			return errCheckpointTaken
		}
		return fmt.Errorf("host: save checkpoint: %w", err)
	}
	s.rev = rev
	if prevObject != "" && prevObject != cp.Object && s.obj != nil {
		_ = s.obj.Delete(ctx, prevObject)
	}
	return nil
}

// Delete removes an application's checkpoint, snapshots and lease (the
// application was deleted). Call it once the application's Run ended: a
// Run still going would write its checkpoint again.
func Delete(ctx context.Context, js jetstream.JetStream, name string) error {
	if name == "" {
		return errors.New("host: empty application name")
	}
	kv, err := openCheckpoints(ctx, js)
	if err != nil {
		return err
	}
	if err := kv.Purge(ctx, checkpointKey(name)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("host: delete checkpoint: %w", err)
	}
	obj, err := js.ObjectStore(ctx, StateBucket)
	switch {
	case errors.Is(err, jetstream.ErrBucketNotFound):
	case err != nil:
		return fmt.Errorf("host: open object store %s: %w", StateBucket, err)
	default:
		infos, err := obj.List(ctx)
		if err != nil && !errors.Is(err, jetstream.ErrNoObjectsFound) {
			return fmt.Errorf("host: list snapshots: %w", err)
		}
		prefix := appID(name) + "."
		for _, info := range infos {
			if strings.HasPrefix(info.Name, prefix) {
				if err := obj.Delete(ctx, info.Name); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
					return fmt.Errorf("host: delete snapshot: %w", err)
				}
			}
		}
	}
	leases, err := lease.Open(ctx, js, lease.Options{Owner: "analytics-delete"})
	if err != nil {
		return fmt.Errorf("host: %w", err)
	}
	if err := leases.Remove(ctx, appID(name)+"."); err != nil {
		return fmt.Errorf("host: %w", err)
	}
	return nil
}
