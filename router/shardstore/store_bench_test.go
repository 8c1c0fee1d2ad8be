package shardstore

import (
	"context"
	"fmt"
	"testing"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/kinesin/kinesin/internal/natstest"
)

func startNATS(tb testing.TB, listen bool) (*natsserver.Server, *nats.Conn) {
	return natstest.Start(tb, listen)
}

func BenchmarkAppend(b *testing.B) {
	for _, listen := range []bool{false, true} {
		for _, n := range []int{1, 125} {
			b.Run(fmt.Sprintf("tcp=%v/records=%d", listen, n), func(b *testing.B) {
				_, nc := startNATS(b, listen)
				ctx := context.Background()
				s, err := Open(ctx, nc, Options{})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				st := &Stream{Name: "b", Status: StatusActive, RetentionHours: 24, Shards: []Shard{{Index: 0, Parent: -1, AdjacentParent: -1, EndHash: MaxHashKey}}}
				if err := s.Create(ctx, st); err != nil {
					b.Fatal(err)
				}
				if err := s.EnsureShards(ctx, st, 0); err != nil {
					b.Fatal(err)
				}
				keys := make([]string, n)
				data := make([][]byte, n)
				for i := range keys {
					keys[i] = fmt.Sprint("key-", i)
					data[i] = make([]byte, 1024)
				}
				batch := AppendBatch(nil, keys, data)
				b.SetBytes(int64(len(batch)))
				b.ResetTimer()
				for b.Loop() {
					if _, err := s.Append(ctx, st, 0, batch); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
