package shardstore

import (
	"crypto/md5"
	"encoding/binary"
	"math/big"
)

// HashKey is a 128-bit Kinesis hash key.
type HashKey struct{ Hi, Lo uint64 }

// MaxHashKey is 2^128-1, the end of the whole key space.
var MaxHashKey = HashKey{^uint64(0), ^uint64(0)}

// HashPartitionKey maps a partition key to its hash key: the MD5 of its
// UTF-8 bytes read as an unsigned big-endian 128-bit integer, as Kinesis
// does.
func HashPartitionKey(key string) HashKey {
	sum := md5.Sum([]byte(key))
	return HashKey{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])}
}

// Cmp compares two hash keys.
func (h HashKey) Cmp(o HashKey) int {
	switch {
	case h.Hi < o.Hi:
		return -1
	case h.Hi > o.Hi:
		return 1
	case h.Lo < o.Lo:
		return -1
	case h.Lo > o.Lo:
		return 1
	}
	return 0
}

// Big converts to a big.Int.
func (h HashKey) Big() *big.Int {
	v := new(big.Int).SetUint64(h.Hi)
	v.Lsh(v, 64)
	return v.Or(v, new(big.Int).SetUint64(h.Lo))
}

// String is the decimal form used on the wire.
func (h HashKey) String() string { return h.Big().String() }

// HashKeyFromBig converts v, which must be within [0, 2^128).
func HashKeyFromBig(v *big.Int) HashKey {
	lo := new(big.Int).And(v, new(big.Int).SetUint64(^uint64(0))).Uint64()
	hi := new(big.Int).Rsh(v, 64).Uint64()
	return HashKey{hi, lo}
}

var two128 = new(big.Int).Lsh(big.NewInt(1), 128)

// ParseHashKey reads a decimal hash key; ok is false when it is not a
// number in [0, 2^128).
func ParseHashKey(s string) (HashKey, bool) {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok || v.Sign() < 0 || v.Cmp(two128) >= 0 {
		return HashKey{}, false
	}
	return HashKeyFromBig(v), true
}

// UniformRanges splits the key space into n ranges of equal size, the last
// one taking the remainder, as CreateStream does.
func UniformRanges(n int) [][2]HashKey {
	size := new(big.Int).Div(two128, big.NewInt(int64(n)))
	out := make([][2]HashKey, n)
	start := new(big.Int)
	for i := range n {
		end := new(big.Int).Add(start, size)
		end.Sub(end, big.NewInt(1))
		if i == n-1 {
			end.Sub(two128, big.NewInt(1))
		}
		out[i] = [2]HashKey{HashKeyFromBig(start), HashKeyFromBig(end)}
		start = end.Add(end, big.NewInt(1))
	}
	return out
}

// Routes is an immutable table from hash keys to the open shards of a
// stream, for routing a request's records without scanning every shard.
type Routes struct {
	starts []HashKey
	shards []Shard
}

// NewRoutes builds the table of st's open shards.
func NewRoutes(st *Stream) *Routes {
	open := st.OpenShards()
	r := &Routes{starts: make([]HashKey, len(open)), shards: open}
	for i, sh := range open {
		r.starts[i] = sh.StartHash
	}
	return r
}

// Find returns the open shard whose range holds h.
func (r *Routes) Find(h HashKey) (Shard, bool) {
	lo, hi := 0, len(r.starts)
	for lo < hi {
		m := (lo + hi) / 2
		if r.starts[m].Cmp(h) <= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return Shard{}, false
	}
	sh := r.shards[lo-1]
	if h.Cmp(sh.EndHash) > 0 {
		return Shard{}, false
	}
	return sh, true
}
