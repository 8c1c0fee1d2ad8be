package kinesis

import (
	"encoding/base64"
	"encoding/json"
	"math/big"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router/shardstore"
)

var shardFilterTypes = []string{"AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP"}

// listShardsToken is what ListShards' NextToken carries.
type listShardsToken struct {
	Stream  string `json:"s"`
	After   int    `json:"a"`
	Filter  string `json:"f,omitempty"`
	Created int64  `json:"c"`
	Expires int64  `json:"e"`
}

func (s *Service) listShards(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *listShardsIn) {
		checkStreamRef(v, in.streamRef)
		checkLen(v, in.NextToken, "nextToken", 1, 1048576, false)
		checkName(v, in.ExclusiveStartShardId, "exclusiveStartShardId", 128, false)
		checkRange(v, in.MaxResults, "maxResults", 1, 10000, false)
		if in.ShardFilter != nil {
			checkEnum(v, in.ShardFilter.Type, "shardFilter.type", true, shardFilterTypes...)
			checkName(v, in.ShardFilter.ShardId, "shardFilter.shardId", 128, false)
		}
	})
	if err != nil {
		return nil, err
	}
	limit := intOr(in.MaxResults, 1000)
	after := -1
	filter := in.ShardFilter
	var st *shardstore.Stream
	if in.NextToken != nil {
		if in.StreamName != nil || in.ExclusiveStartShardId != nil || in.StreamCreationTimestamp != nil {
			return nil, awserr.InvalidArgument.New("NextToken and StreamName cannot be provided together.")
		}
		tok, err := s.decodeToken(*in.NextToken)
		if err != nil {
			return nil, err
		}
		if tok.Stream == "" {
			return nil, awserr.InvalidArgument.New("Invalid ShardId or NextToken.")
		}
		var ok bool
		if st, ok = s.store.Get(tok.Stream); !ok || st.Created.UnixMilli() != tok.Created {
			return nil, awserr.ResourceNotFound.New("Stream %s under account %s not found.", tok.Stream, s.cfg.AccountID)
		}
		after = tok.After
		if tok.Filter != "" {
			filter = &shardFilter{}
			_ = json.Unmarshal([]byte(tok.Filter), filter)
		}
	} else {
		var err error
		if st, err = s.stream(in.streamRef); err != nil {
			return nil, err
		}
		if in.ExclusiveStartShardId != nil {
			if n, ok := parseShardID(*in.ExclusiveStartShardId); ok {
				after = n
			}
		}
	}
	if st.Status == shardstore.StatusCreating {
		return nil, s.notActive(st.Name, st.Status)
	}
	keep, err := s.shardFilter(st, filter)
	if err != nil {
		return nil, err
	}
	shards := []shardOut{}
	var next string
	for _, sh := range sortedShards(st) {
		if sh.Index <= after || !keep(sh) {
			continue
		}
		if len(shards) == limit {
			fb := ""
			if filter != nil {
				b, _ := json.Marshal(filter)
				fb = string(b)
			}
			next = s.encodeToken(listShardsToken{Stream: st.Name, After: shardIndex(shards[limit-1].ShardId), Filter: fb, Created: st.Created.UnixMilli()})
			break
		}
		shards = append(shards, s.shardOut(sh))
	}
	out := map[string]any{"Shards": shards}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

func shardIndex(id string) int {
	n, _ := parseShardID(id)
	return n
}

// tokenTTL is how long ListShards' and ListStreamConsumers' NextTokens
// stay valid, as in AWS.
const tokenTTL = 300 * time.Second

func (s *Service) encodeToken(t listShardsToken) string {
	t.Expires = time.Now().Add(tokenTTL).UnixMilli()
	b, _ := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Service) decodeToken(tok string) (listShardsToken, error) {
	var t listShardsToken
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || json.Unmarshal(b, &t) != nil {
		return t, awserr.InvalidArgument.New("Invalid ShardId or NextToken.")
	}
	if time.Now().UnixMilli() > t.Expires {
		return t, awserr.ExpiredNextToken.New("The timestamp of the NextToken is older than the allowed limit.")
	}
	return t, nil
}

// shardFilter returns which shards a ListShards ShardFilter keeps.
func (s *Service) shardFilter(st *shardstore.Stream, f *shardFilter) (func(shardstore.Shard) bool, error) {
	all := func(shardstore.Shard) bool { return true }
	if f == nil || f.Type == nil {
		return all, nil
	}
	switch *f.Type {
	case "AFTER_SHARD_ID":
		if f.ShardId == nil {
			return nil, awserr.InvalidArgument.New("Must specify ShardId in ShardFilter when ShardFilter type is AFTER_SHARD_ID.")
		}
		after := shardIndex(*f.ShardId)
		return func(sh shardstore.Shard) bool { return sh.Index > after }, nil
	case "AT_LATEST":
		return func(sh shardstore.Shard) bool { return !sh.Closed }, nil
	case "FROM_TRIM_HORIZON":
		return all, nil
	case "AT_TRIM_HORIZON":
		// The shards open at the trim horizon are those whose parents are
		// gone (expired) or that never had any.
		return func(sh shardstore.Shard) bool {
			_, p := st.Shard(sh.Parent)
			_, a := st.Shard(sh.AdjacentParent)
			return !p && !a
		}, nil
	case "AT_TIMESTAMP", "FROM_TIMESTAMP":
		if f.Timestamp == nil {
			return nil, awserr.InvalidArgument.New("Must specify Timestamp in ShardFilter when ShardFilter type is %s.", *f.Type)
		}
		t := f.Timestamp.Time()
		at := *f.Type == "AT_TIMESTAMP"
		return func(sh shardstore.Shard) bool {
			openAfter := !sh.Closed || !sh.ClosedAt.Before(t)
			if at {
				return openAfter && !sh.Created.After(t)
			}
			return openAfter
		}, nil
	}
	return all, nil
}

// reshard applies a change of shards to a stream: new shards are created in
// JetStream first, then the metadata changes in one compare-and-set (the
// stream goes UPDATING, closed parents are listed as pending), then the
// background worker seals the parents and makes the stream ACTIVE again.
func (s *Service) reshard(c *call, name string, plan func(st *shardstore.Stream) error) error {
	for attempt := 0; attempt < 5; attempt++ {
		cur, ok := s.store.Get(name)
		if !ok {
			return s.notFound(name)
		}
		draft := cur.Clone()
		if err := s.active(draft); err != nil {
			return err
		}
		if err := plan(draft); err != nil {
			return err
		}
		var fresh []int
		for _, sh := range draft.Shards {
			if sh.Index >= cur.NextShard && !sh.Closed {
				fresh = append(fresh, sh.Index)
			}
		}
		if err := s.store.EnsureShards(c.ctx, draft, fresh...); err != nil {
			return s.storeErr(name, err)
		}
		_, err := s.store.Update(c.ctx, name, func(st *shardstore.Stream) error {
			if st.NextShard != cur.NextShard || st.Status != shardstore.StatusActive {
				return shardstore.ErrConflict
			}
			*st = *draft.Clone()
			st.Status = shardstore.StatusUpdating
			return nil
		})
		if err == shardstore.ErrConflict {
			if _, err := s.store.GetFresh(c.ctx, name); err != nil {
				return s.storeErr(name, err)
			}
			continue
		}
		if err != nil {
			return s.storeErr(name, err)
		}
		s.bg.kick(name)
		return nil
	}
	return s.notActive(name, shardstore.StatusUpdating)
}

// addShard appends a shard to a draft's metadata and returns its index.
func addShard(st *shardstore.Stream, start, end shardstore.HashKey, parent, adjacent int, closed bool) int {
	now := time.Now().UTC()
	sh := shardstore.Shard{Index: st.NextShard, Parent: parent, AdjacentParent: adjacent, StartHash: start, EndHash: end, Created: now}
	if closed {
		sh.Closed, sh.Sealed, sh.NoData, sh.ClosedAt = true, true, true, now
	}
	st.Shards = append(st.Shards, sh)
	st.NextShard++
	return sh.Index
}

// closeShard marks an open shard closed and pending sealing.
func closeShard(st *shardstore.Stream, index int) {
	sh, _ := st.Shard(index)
	sh.Closed, sh.ClosedAt = true, time.Now().UTC()
	st.Pending = append(st.Pending, index)
}

// provisionedStream resolves the stream of a reshard call (op), which only
// provisioned streams take.
func (s *Service) provisionedStream(r streamRef, op string) (*shardstore.Stream, error) {
	st, err := s.stream(r)
	if err != nil {
		return nil, err
	}
	if err := s.provisioned(st, op); err != nil {
		return nil, err
	}
	return st, nil
}

// checkOpen refuses to split or merge a shard that already was.
func (s *Service) checkOpen(st *shardstore.Stream, sh shardstore.Shard) error {
	if sh.Closed {
		return awserr.InvalidArgument.New("Shard %s in stream %s under account %s has already been merged or split, and thus is not eligible for merging or splitting.", shardstore.ShardID(sh.Index), st.Name, s.cfg.AccountID)
	}
	return nil
}

func (s *Service) splitShard(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *splitShardIn) {
		checkStreamRef(v, in.streamRef)
		checkName(v, in.ShardToSplit, "shardToSplit", 128, true)
		checkPattern(v, in.NewStartingHashKey, "newStartingHashKey", hashRe, hashPattern, true)
	})
	if err != nil {
		return nil, err
	}
	st, err := s.provisionedStream(in.streamRef, "SplitShard")
	if err != nil {
		return nil, err
	}
	if err := s.checkShardQuota(1); err != nil {
		return nil, err
	}
	return nil, s.reshard(c, st.Name, func(st *shardstore.Stream) error {
		sh, err := s.lookupShard(st, *in.ShardToSplit, s.noSuchShard)
		if err != nil {
			return err
		}
		if err := s.checkOpen(st, sh); err != nil {
			return err
		}
		// As in AWS, start+1 < key < end: each child gets two hash keys or more.
		split, ok := shardstore.ParseHashKey(*in.NewStartingHashKey)
		if !ok || split.Cmp(sh.StartHash) <= 0 || adjacent(sh.StartHash, split) || split.Cmp(sh.EndHash) >= 0 {
			return awserr.InvalidArgument.New("NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account %s is not both greater than one plus the shard's StartingHashKey %s and less than the shard's EndingHashKey %s.",
				*in.NewStartingHashKey, shardstore.ShardID(sh.Index), st.Name, s.cfg.AccountID, sh.StartHash, sh.EndHash)
		}
		below := shardstore.HashKeyFromBig(new(big.Int).Sub(split.Big(), big.NewInt(1)))
		closeShard(st, sh.Index)
		addShard(st, sh.StartHash, below, sh.Index, -1, false)
		addShard(st, split, sh.EndHash, sh.Index, -1, false)
		return nil
	})
}

func (s *Service) mergeShards(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *mergeShardsIn) {
		checkStreamRef(v, in.streamRef)
		checkName(v, in.ShardToMerge, "shardToMerge", 128, true)
		checkName(v, in.AdjacentShardToMerge, "adjacentShardToMerge", 128, true)
	})
	if err != nil {
		return nil, err
	}
	st, err := s.provisionedStream(in.streamRef, "MergeShards")
	if err != nil {
		return nil, err
	}
	return nil, s.reshard(c, st.Name, func(st *shardstore.Stream) error {
		a, err := s.lookupShard(st, *in.ShardToMerge, s.noSuchShard)
		if err != nil {
			return err
		}
		b, err := s.lookupShard(st, *in.AdjacentShardToMerge, s.noSuchShard)
		if err != nil {
			return err
		}
		for _, sh := range []shardstore.Shard{a, b} {
			if err := s.checkOpen(st, sh); err != nil {
				return err
			}
		}
		// As in AWS, ShardToMerge is the lower of the two.
		if !adjacent(a.EndHash, b.StartHash) {
			return awserr.InvalidArgument.New("Shards %s and %s in stream %s under account %s are not an adjacent pair of shards eligible for merging", shardstore.ShardID(a.Index), shardstore.ShardID(b.Index), st.Name, s.cfg.AccountID)
		}
		closeShard(st, a.Index)
		closeShard(st, b.Index)
		addShard(st, a.StartHash, b.EndHash, a.Index, b.Index, false)
		return nil
	})
}

func adjacent(end, start shardstore.HashKey) bool {
	return new(big.Int).Add(end.Big(), big.NewInt(1)).Cmp(start.Big()) == 0
}

func (s *Service) updateShardCount(c *call) (any, error) {
	in, err := input(c, func(v *awserr.Violations, in *updateShardCountIn) {
		checkStreamRef(v, in.streamRef)
		checkRange(v, in.TargetShardCount, "targetShardCount", 1, noMax, true)
		checkEnum(v, in.ScalingType, "scalingType", true, "UNIFORM_SCALING")
	})
	if err != nil {
		return nil, err
	}
	st, err := s.provisionedStream(in.streamRef, "UpdateShardCount")
	if err != nil {
		return nil, err
	}
	target := int(*in.TargetShardCount)
	current := len(st.OpenShards())
	switch {
	case target > 2*current:
		return nil, awserr.InvalidArgument.New("UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: %d Target shard count: %d", current, target)
	case target*2 < current:
		return nil, awserr.InvalidArgument.New("UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: %d Target shard count: %d", current, target)
	case target == current:
		return nil, awserr.InvalidArgument.New("Target shard count is the same as the current open shard count: %d", current)
	}
	if err := s.checkShardQuota(target - current); err != nil {
		return nil, err
	}
	err = s.reshard(c, st.Name, func(st *shardstore.Stream) error {
		planUniform(st, target)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return updateShardCountOut{StreamName: st.Name, CurrentShardCount: current, TargetShardCount: target, StreamARN: s.streamARN(st.Name)}, nil
}

// planUniform reshapes a stream's open shards into target shards of equal
// hash ranges with the splits and merges AWS would make: first every open
// shard is split at each target boundary inside it, then the pieces of
// each target range are merged pairwise. Pieces and merge results that are
// not final are created already closed and empty, so the lineage of every
// final shard stays within two parents.
func planUniform(st *shardstore.Stream, target int) {
	bounds := shardstore.UniformRanges(target)
	type piece struct {
		index      int
		start, end shardstore.HashKey
		original   bool
	}
	var pieces []piece
	for _, sh := range st.OpenShards() {
		var cuts []shardstore.HashKey
		for _, b := range bounds[1:] {
			if b[0].Cmp(sh.StartHash) > 0 && b[0].Cmp(sh.EndHash) <= 0 {
				cuts = append(cuts, b[0])
			}
		}
		if len(cuts) == 0 {
			pieces = append(pieces, piece{sh.Index, sh.StartHash, sh.EndHash, true})
			continue
		}
		closeShard(st, sh.Index)
		parent, start := sh.Index, sh.StartHash
		for i, cut := range cuts {
			below := shardstore.HashKeyFromBig(new(big.Int).Sub(cut.Big(), big.NewInt(1)))
			left := addShard(st, start, below, parent, -1, false)
			pieces = append(pieces, piece{left, start, below, false})
			last := i == len(cuts)-1
			right := addShard(st, cut, sh.EndHash, parent, -1, !last)
			if last {
				pieces = append(pieces, piece{right, cut, sh.EndHash, false})
			}
			parent, start = right, cut
		}
	}
	// Merge the pieces of each target range.
	for _, b := range bounds {
		var group []piece
		for _, p := range pieces {
			if p.start.Cmp(b[0]) >= 0 && p.end.Cmp(b[1]) <= 0 {
				group = append(group, p)
			}
		}
		if len(group) < 2 {
			continue
		}
		acc := group[0]
		for i, p := range group[1:] {
			last := i == len(group)-2
			for _, q := range []piece{acc, p} {
				if q.original {
					closeShard(st, q.index)
				} else if sh, _ := st.Shard(q.index); !sh.NoData {
					sh.Closed, sh.Sealed, sh.NoData, sh.ClosedAt = true, true, true, time.Now().UTC()
				}
			}
			merged := addShard(st, acc.start, p.end, acc.index, p.index, !last)
			acc = piece{merged, acc.start, p.end, false}
		}
	}
}
