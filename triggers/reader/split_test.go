package reader

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinesin/kinesin/router/shardstore"
)

// split closes shard parent of a stream and gives it two children, the
// way router/kinesis does: new metadata, children's storage, seal, then
// the sealed end.
func split(t *testing.T, s *shardstore.Store, name string, parent int) *shardstore.Stream {
	t.Helper()
	ctx := context.Background()
	cur, _ := s.Get(name)
	sh, _ := cur.Shard(parent)
	r := shardstore.UniformRanges(2)
	mid := r[0][1]
	if sh.StartHash != (shardstore.HashKey{}) || sh.EndHash != shardstore.MaxHashKey {
		t.Fatal("split helper only splits a shard covering every key")
	}
	st, err := s.Update(ctx, name, func(st *shardstore.Stream) error {
		p, _ := st.Shard(parent)
		p.Closed, p.ClosedAt = true, time.Now().UTC()
		st.Pending = append(st.Pending, parent)
		a, b := st.NextShard, st.NextShard+1
		st.Shards = append(st.Shards,
			shardstore.Shard{Index: a, Parent: parent, AdjacentParent: -1, StartHash: r[0][0], EndHash: mid, Created: time.Now()},
			shardstore.Shard{Index: b, Parent: parent, AdjacentParent: -1, StartHash: r[1][0], EndHash: r[1][1], Created: time.Now()})
		st.NextShard += 2
		st.Status = shardstore.StatusUpdating
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureShards(ctx, st, st.NextShard-2, st.NextShard-1); err != nil {
		t.Fatal(err)
	}
	msg, idx, err := s.SealShard(ctx, st, parent)
	if err != nil {
		t.Fatal(err)
	}
	st, err = s.Update(ctx, name, func(st *shardstore.Stream) error {
		p, _ := st.Shard(parent)
		p.Sealed, p.EndMsg, p.EndIndex = true, msg, idx
		st.Pending = nil
		st.Status = shardstore.StatusActive
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// putRouted appends one record per key, routed by partition key hash as
// PutRecords does, values "<key>-<n>".
func putRouted(t *testing.T, s *shardstore.Store, name string, keys []string, n int) {
	t.Helper()
	st, _ := s.Get(name)
	for _, k := range keys {
		sh, ok := st.Route(shardstore.HashPartitionKey(k))
		if !ok {
			t.Fatalf("no shard for %s", k)
		}
		b := shardstore.AppendBatch(nil, []string{k}, [][]byte{[]byte(fmt.Sprintf("%s-%d", k, n))})
		if _, err := s.Append(context.Background(), st, sh.Index, b); err != nil {
			t.Fatal(err)
		}
	}
}

type delivered struct {
	shard int
	key   string
	n     int
}

// consume runs the whole-stream loop an event source mapping runs: every
// shard Lineage says is ready gets a ReadShard, finished shards unlock
// their children.
func consume(ctx context.Context, s *shardstore.Store, name string, cfg Batcher, log *[]delivered, mu *sync.Mutex, ends chan<- int) error {
	finished := map[int]bool{}
	running := map[int]bool{}
	done := make(chan int)
	errs := make(chan error, 1)
	for {
		changed := s.Changed()
		st, ok := s.Get(name)
		if !ok {
			return shardstore.ErrNotFound
		}
		for _, sh := range Lineage(st, finished) {
			if running[sh.Index] {
				continue
			}
			running[sh.Index] = true
			go func(index int) {
				end, err := ReadShard(ctx, s, name, index, shardstore.Position{}, cfg, func(_ context.Context, b []shardstore.StoredRecord) (shardstore.Position, error) {
					mu.Lock()
					for _, r := range b {
						d := string(r.Data)
						i := strings.LastIndexByte(d, '-')
						n, _ := strconv.Atoi(d[i+1:])
						*log = append(*log, delivered{index, string(r.Key), n})
					}
					mu.Unlock()
					return After(b), nil
				})
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
				if end {
					done <- index
				}
			}(sh.Index)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-errs:
			return err
		case i := <-done:
			finished[i] = true
			ends <- i
		case <-changed:
		}
	}
}

func TestReadAcrossSplit(t *testing.T) {
	s, st := newStore(t, "split")
	keys := make([]string, 16)
	for i := range keys {
		keys[i] = fmt.Sprint("key", i)
	}
	const before, after = 30, 30
	for n := range 10 {
		putRouted(t, s, st.Name, keys, n)
	}
	var (
		mu  sync.Mutex
		log []delivered
	)
	ends := make(chan int, 10)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- consume(ctx, s, st.Name, Batcher{BatchSize: 7}, &log, &mu, ends) }()
	defer func() {
		cancel()
		if err := <-errc; err != context.Canceled {
			t.Errorf("consume: %v", err)
		}
	}()
	for n := 10; n < before; n++ {
		putRouted(t, s, st.Name, keys, n)
	}
	st = split(t, s, st.Name, 0)
	if got := len(st.Shards); got != 3 {
		t.Fatalf("%d shards after split", got)
	}
	for n := before; n < before+after; n++ {
		putRouted(t, s, st.Name, keys, n)
	}
	want := len(keys) * (before + after)
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		got := len(log)
		mu.Unlock()
		if got >= want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivered %d of %d records", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case i := <-ends:
		if i != 0 {
			t.Fatalf("shard %d ended first", i)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("parent never ended")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(log) != want {
		t.Fatalf("delivered %d records, want %d", len(log), want)
	}
	next := map[string]int{}
	lastParent, firstChild := -1, len(log)
	children := map[int]int{}
	for i, d := range log {
		if d.n != next[d.key] {
			t.Fatalf("key %s: got %d, want %d (lost or reordered)", d.key, d.n, next[d.key])
		}
		next[d.key]++
		if d.shard == 0 {
			lastParent = i
			if d.n >= before {
				t.Fatalf("record %s-%d written after the split read from the parent", d.key, d.n)
			}
		} else {
			firstChild = min(firstChild, i)
			children[d.shard]++
		}
	}
	if lastParent > firstChild {
		t.Fatalf("child record delivered (at %d) before the parent's last (at %d)", firstChild, lastParent)
	}
	if len(children) != 2 || children[1]+children[2] != len(keys)*after {
		t.Fatalf("children delivered %v", children)
	}
}

func TestSealedShardEnds(t *testing.T) {
	s, st := newStore(t, "sealed")
	appendN(t, s, st, 0, "k", "r", 0, 3)
	split(t, s, st.Name, 0)
	c := newCollector()
	end, err := ReadShard(context.Background(), s, st.Name, 0, shardstore.Position{}, Batcher{MaximumBatchingWindow: time.Minute}, c.deliver)
	if err != nil || !end {
		t.Fatalf("end %v err %v", end, err)
	}
	// The partial batch went out at the end without waiting for the window.
	if b := c.next(t); len(b) != 3 {
		t.Fatalf("got %v", data(b))
	}
	// Reading again from after the end returns at once.
	end, err = ReadShard(context.Background(), s, st.Name, 0, shardstore.Position{Msg: 4}, Batcher{}, c.deliver)
	if err != nil || !end {
		t.Fatalf("again: end %v err %v", end, err)
	}
}

func TestLineage(t *testing.T) {
	// 0 and 1 merged into 2; 2 split into 3 and 4; 5's parent 9 expired.
	st := &shardstore.Stream{Shards: []shardstore.Shard{
		{Index: 0, Parent: -1, AdjacentParent: -1, Closed: true, Sealed: true},
		{Index: 1, Parent: -1, AdjacentParent: -1, Closed: true, Sealed: true},
		{Index: 2, Parent: 0, AdjacentParent: 1, Closed: true, Sealed: true},
		{Index: 3, Parent: 2, AdjacentParent: -1},
		{Index: 4, Parent: 2, AdjacentParent: -1},
		{Index: 5, Parent: 9, AdjacentParent: -1},
	}}
	ids := func(finished ...int) []int {
		f := map[int]bool{}
		for _, i := range finished {
			f[i] = true
		}
		var out []int
		for _, sh := range Lineage(st, f) {
			out = append(out, sh.Index)
		}
		return out
	}
	for _, c := range []struct {
		finished, want []int
	}{
		{nil, []int{0, 1, 5}},
		{[]int{0}, []int{1, 5}},
		{[]int{1}, []int{0, 5}},
		{[]int{0, 1}, []int{2, 5}},
		{[]int{0, 1, 2}, []int{3, 4, 5}},
		{[]int{0, 1, 2, 3, 4, 5}, nil},
	} {
		if got := ids(c.finished...); !slices.Equal(got, c.want) {
			t.Errorf("finished %v: ready %v, want %v", c.finished, got, c.want)
		}
	}
	// Once the merged parents expired from the metadata, 2 is ready.
	st.Shards = st.Shards[2:]
	if got := ids(); !slices.Equal(got, []int{2, 5}) {
		t.Errorf("parents gone: ready %v", got)
	}
}
