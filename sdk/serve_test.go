package sdk

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/runtime/wasm/abi"
)

func upper(_ context.Context, b *Batch) error {
	for i, r := range b.Records {
		if len(r.Data) == 0 {
			b.Drop(i)
			continue
		}
		for j, c := range r.Data {
			if 'a' <= c && c <= 'z' {
				r.Data[j] = c - ('a' - 'A')
			}
		}
		b.Set(i, r.Data)
	}
	return nil
}

func envelope(n int) []byte {
	b := engine.Batch{Context: engine.BatchContext{ShardID: "shardId-000000000000"}}
	for i := range n {
		b.Records = append(b.Records, engine.Record{SequenceNumber: fmt.Sprint(i), PartitionKey: "pk", ArrivalTime: time.Now(), Data: []byte(fmt.Sprintf("%-100s", "data"))})
	}
	return abi.AppendEnvelope(nil, &b)
}

func BenchmarkServeBatch(b *testing.B) {
	h, err := newHandler(upper)
	if err != nil {
		b.Fatal(err)
	}
	s := server{h: h}
	in := envelope(100)
	var out []byte
	b.ReportAllocs()
	for b.Loop() {
		out = s.serve(out[:0], abi.KindBatch, in)
	}
	if out[0] != abi.StatusOK {
		b.Fatalf("%s", out)
	}
}
