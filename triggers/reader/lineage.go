package reader

import (
	"slices"

	"github.com/kinesin/kinesin/router/shardstore"
)

// Lineage returns the shards of st that may be read now, in index order:
// those not in finished whose parent and adjacent parent are each
// finished or no longer in the metadata (expired and removed). Open and
// closed shards alike qualify, so a consumer started on an old stream
// first drains closed ancestors, then moves down to their children; a
// child of a merge waits for both parents. The caller leaves out the
// shards it is already reading.
func Lineage(st *shardstore.Stream, finished map[int]bool) []shardstore.Shard {
	var out []shardstore.Shard
	for _, sh := range st.Shards {
		if finished[sh.Index] {
			continue
		}
		ready := true
		for _, p := range [2]int{sh.Parent, sh.AdjacentParent} {
			if p < 0 || p == sh.Index || finished[p] {
				continue
			}
			if _, known := st.Shard(p); known {
				ready = false
			}
		}
		if ready {
			out = append(out, sh)
		}
	}
	slices.SortFunc(out, func(a, b shardstore.Shard) int { return a.Index - b.Index })
	return out
}
