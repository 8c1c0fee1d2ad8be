package reader

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/router/shardstore"
)

func startNATS(tb testing.TB) *nats.Conn { return natstest.Conn(tb) }

// newStore opens a memory shard store with one stream of one shard.
func newStore(tb testing.TB, name string) (*shardstore.Store, *shardstore.Stream) {
	tb.Helper()
	nc := startNATS(tb)
	ctx := context.Background()
	s, err := shardstore.Open(ctx, nc, shardstore.Options{Memory: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	st := &shardstore.Stream{Name: name, Status: shardstore.StatusActive, RetentionHours: 24, NextShard: 1,
		Shards: []shardstore.Shard{{Index: 0, Parent: -1, AdjacentParent: -1, EndHash: shardstore.MaxHashKey}}}
	if err := s.Create(ctx, st); err != nil {
		tb.Fatal(err)
	}
	if err := s.EnsureShards(ctx, st, 0); err != nil {
		tb.Fatal(err)
	}
	return s, st
}

// appendN stores n records "<prefix>-<i>" with key key in one batch each.
func appendN(tb testing.TB, s *shardstore.Store, st *shardstore.Stream, shard int, key, prefix string, from, n int) {
	tb.Helper()
	for i := from; i < from+n; i++ {
		b := shardstore.AppendBatch(nil, []string{key}, [][]byte{[]byte(fmt.Sprintf("%s-%d", prefix, i))})
		if _, err := s.Append(context.Background(), st, shard, b); err != nil {
			tb.Fatal(err)
		}
	}
}

// collector is a deliver function sending each batch on a channel.
type collector struct {
	c chan []shardstore.StoredRecord
}

func newCollector() *collector { return &collector{c: make(chan []shardstore.StoredRecord, 1000)} }

func (c *collector) deliver(_ context.Context, b []shardstore.StoredRecord) (shardstore.Position, error) {
	c.c <- b
	return After(b), nil
}

func (c *collector) next(tb testing.TB) []shardstore.StoredRecord {
	tb.Helper()
	select {
	case b := <-c.c:
		return b
	case <-time.After(10 * time.Second):
		tb.Fatal("no batch delivered")
		return nil
	}
}

// run starts ReadShard in the background; stop cancels it and returns its
// result.
func run(tb testing.TB, s *shardstore.Store, stream string, shard int, start shardstore.Position, cfg Batcher, d DeliverFunc) (stop func() (bool, error)) {
	ctx, cancel := context.WithCancel(context.Background())
	type result struct {
		end bool
		err error
	}
	done := make(chan result, 1)
	go func() {
		end, err := ReadShard(ctx, s, stream, shard, start, cfg, d)
		done <- result{end, err}
	}()
	var r *result
	stop = func() (bool, error) {
		if r == nil {
			cancel()
			x := <-done
			r = &x
		}
		return r.end, r.err
	}
	tb.Cleanup(func() { stop() })
	return stop
}
