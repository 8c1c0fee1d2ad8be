package abi

import (
	"fmt"
	"testing"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
)

func bigBatch(n int) *engine.Batch {
	b := &engine.Batch{Context: engine.BatchContext{ShardID: "shardId-000000000000"}}
	for i := range n {
		b.Records = append(b.Records, engine.Record{SequenceNumber: fmt.Sprint(i), PartitionKey: "pk", ArrivalTime: time.Now(), Data: []byte(fmt.Sprintf("%-100s", "data"))})
	}
	return b
}

func BenchmarkAppendEnvelope(b *testing.B) {
	batch := bigBatch(100)
	buf := make([]byte, 0, EnvelopeSize(batch))
	for b.Loop() {
		buf = AppendEnvelope(buf[:0], batch)
	}
}

func BenchmarkDecodeEnvelope(b *testing.B) {
	src := AppendEnvelope(nil, bigBatch(100))
	var got engine.Batch
	b.ReportAllocs()
	for b.Loop() {
		if err := DecodeEnvelope(src, &got); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeResult(b *testing.B) {
	recs := make([]engine.RecordResult, 100)
	for i := range recs {
		recs[i].Data = []byte(fmt.Sprintf("%-100s", "DATA"))
	}
	src := AppendResult(nil, recs, nil, nil)
	b.ReportAllocs()
	for b.Loop() {
		var got engine.BatchResult
		if err := DecodeResult(src, 100, &got); err != nil {
			b.Fatal(err)
		}
	}
}
