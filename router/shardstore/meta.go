package shardstore

import (
	"fmt"
	"slices"
	"sync/atomic"
	"time"
)

// Stream statuses, as Kinesis names them.
const (
	StatusCreating = "CREATING"
	StatusActive   = "ACTIVE"
	StatusUpdating = "UPDATING"
	StatusDeleting = "DELETING"
)

// Stream modes.
const (
	ModeProvisioned = "PROVISIONED"
	ModeOnDemand    = "ON_DEMAND"
)

// Stream is the metadata of one Kinesis stream, stored as JSON in the
// metadata bucket under its name.
type Stream struct {
	Name string `json:"name"`
	// ID names this incarnation of the stream: a stream deleted and created
	// again under the same name gets new JetStream streams.
	ID             string            `json:"id"`
	Status         string            `json:"status"`
	Mode           string            `json:"mode"`
	RetentionHours int               `json:"retentionHours"`
	Created        time.Time         `json:"created"`
	Shards         []Shard           `json:"shards"`
	NextShard      int               `json:"nextShard"`
	Tags           map[string]string `json:"tags,omitempty"`
	Consumers      []Consumer        `json:"consumers,omitempty"`
	// ShardLevelMetrics is the enhanced monitoring setting.
	ShardLevelMetrics []string `json:"shardLevelMetrics,omitempty"`
	// EncryptionType and KeyID record StartStreamEncryption.
	EncryptionType string `json:"encryptionType,omitempty"`
	KeyID          string `json:"keyId,omitempty"`
	// Pending is a resharding the store must finish (seal parents, then
	// mark ACTIVE); it survives a crash of the process that started it.
	Pending []int `json:"pending,omitempty"`
	// MaxRecordKiB is the largest record (data plus key) the stream takes.
	MaxRecordKiB int `json:"maxRecordKiB,omitempty"`

	revision uint64
	routes   atomic.Pointer[Routes]
}

// Shard is one shard's metadata.
type Shard struct {
	Index          int       `json:"index"`
	Parent         int       `json:"parent"` // -1 when none
	AdjacentParent int       `json:"adjacentParent"`
	StartHash      HashKey   `json:"startHash"`
	EndHash        HashKey   `json:"endHash"`
	Created        time.Time `json:"created"`
	// Closed shards take no more writes. EndMsg is the last message stored
	// in the shard once sealing finished (Sealed), 0 for an empty shard.
	Closed   bool      `json:"closed,omitempty"`
	Sealed   bool      `json:"sealed,omitempty"`
	EndMsg   uint64    `json:"endMsg,omitempty"`
	EndIndex uint32    `json:"endIndex,omitempty"`
	ClosedAt time.Time `json:"closedAt,omitzero"`
	// NoData marks shards created and closed in one step by
	// UpdateShardCount: they never held records and have no JetStream
	// stream.
	NoData bool `json:"noData,omitempty"`
}

// Consumer is a registered enhanced fan-out consumer.
type Consumer struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	Status  string    `json:"status"`
}

// ShardID renders a shard index as Kinesis names shards.
func ShardID(index int) string { return fmt.Sprintf("shardId-%012d", index) }

// ParseShardID reads a shard id; kinesis accepts the bare number too.
func ParseShardID(id string) (int, bool) {
	var n int
	if _, err := fmt.Sscanf(id, "shardId-%d", &n); err == nil && n >= 0 {
		return n, true
	}
	if _, err := fmt.Sscanf(id, "%d", &n); err == nil && n >= 0 && fmt.Sprint(n) == id {
		return n, true
	}
	return 0, false
}

// Revision is the metadata bucket revision this copy was read at.
func (s *Stream) Revision() uint64 { return s.revision }

// Clone deep-copies s so a caller can change it and write it back.
func (s *Stream) Clone() *Stream {
	c := Stream{Name: s.Name, ID: s.ID, Status: s.Status, Mode: s.Mode, RetentionHours: s.RetentionHours,
		Created: s.Created, NextShard: s.NextShard, EncryptionType: s.EncryptionType, KeyID: s.KeyID,
		MaxRecordKiB: s.MaxRecordKiB, revision: s.revision}
	c.Shards = slices.Clone(s.Shards)
	c.Consumers = slices.Clone(s.Consumers)
	c.ShardLevelMetrics = slices.Clone(s.ShardLevelMetrics)
	c.Pending = slices.Clone(s.Pending)
	if s.Tags != nil {
		c.Tags = make(map[string]string, len(s.Tags))
		for k, v := range s.Tags {
			c.Tags[k] = v
		}
	}
	return &c
}

// Shard finds a shard by index.
func (s *Stream) Shard(index int) (*Shard, bool) {
	for i := range s.Shards {
		if s.Shards[i].Index == index {
			return &s.Shards[i], true
		}
	}
	return nil, false
}

// OpenShards lists the open shards in hash key order.
func (s *Stream) OpenShards() []Shard {
	var out []Shard
	for _, sh := range s.Shards {
		if !sh.Closed {
			out = append(out, sh)
		}
	}
	slices.SortFunc(out, func(a, b Shard) int { return a.StartHash.Cmp(b.StartHash) })
	return out
}

// Children lists the shards whose parent or adjacent parent is index.
func (s *Stream) Children(index int) []Shard {
	var out []Shard
	for _, sh := range s.Shards {
		if sh.Parent == index || sh.AdjacentParent == index {
			out = append(out, sh)
		}
	}
	return out
}

// Route finds the open shard whose hash range holds h. The routing table
// is built once per metadata revision.
func (s *Stream) Route(h HashKey) (Shard, bool) {
	r := s.routes.Load()
	if r == nil {
		r = NewRoutes(s)
		s.routes.Store(r)
	}
	return r.Find(h)
}

// StartingSeq is the shard's StartingSequenceNumber.
func (sh Shard) StartingSeq() string { return FormatSeq(sh.Index, Position{}) }

// EndingSeq is the shard's EndingSequenceNumber, "" while it is open or
// still being sealed.
func (sh Shard) EndingSeq() string {
	if !sh.Sealed {
		return ""
	}
	if sh.EndMsg == 0 {
		return FormatSeq(sh.Index, Position{})
	}
	return FormatSeq(sh.Index, Position{sh.EndMsg, sh.EndIndex})
}
