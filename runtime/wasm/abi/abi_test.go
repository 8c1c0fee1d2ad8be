package abi

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
)

func sampleBatch() *engine.Batch {
	t0 := time.UnixMilli(1_700_000_000_123)
	return &engine.Batch{
		Context: engine.BatchContext{
			FunctionName: "f", ShardID: "shardId-000000000001",
			StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/s",
			Attempt:   2, Deadline: t0.Add(time.Minute),
			Window: &engine.Window{Start: t0, End: t0.Add(time.Minute)},
			State:  []byte(`{"n":"1"}`),
		},
		Records: []engine.Record{
			{SequenceNumber: "1", PartitionKey: "a", ArrivalTime: t0, Data: []byte("hello")},
			{SequenceNumber: "2", PartitionKey: "b", ArrivalTime: t0, RecordID: "r2", Data: []byte{}},
		},
	}
}

func TestEnvelopeRoundTrip(t *testing.T) {
	b := sampleBatch()
	buf := AppendEnvelope(make([]byte, 0, EnvelopeSize(b)), b)
	if len(buf) != EnvelopeSize(b) {
		t.Fatalf("size %d, encoded %d", EnvelopeSize(b), len(buf))
	}
	var got engine.Batch
	if err := DecodeEnvelope(buf, &got); err != nil {
		t.Fatal(err)
	}
	if got.Context.Window.Start.UnixMilli() != b.Context.Window.Start.UnixMilli() ||
		got.Context.ShardID != b.Context.ShardID || got.Context.Attempt != 2 ||
		string(got.Context.State) != string(b.Context.State) || len(got.Records) != 2 ||
		string(got.Records[0].Data) != "hello" || got.Records[1].RecordID != "r2" ||
		!got.Records[0].ArrivalTime.Equal(b.Records[0].ArrivalTime) {
		t.Fatalf("round trip: %+v", got)
	}
}

func TestResultRoundTrip(t *testing.T) {
	recs := []engine.RecordResult{
		{Status: engine.Ok, Data: []byte("X")},
		{Status: engine.Dropped},
		{Status: engine.ProcessingFailed, PartitionKeys: map[string]string{"k": "v"}},
	}
	buf := AppendResult(nil, recs, []string{"3"}, []byte("s"))
	var got engine.BatchResult
	if err := DecodeResult(buf, 3, &got); err != nil {
		t.Fatal(err)
	}
	want := engine.BatchResult{Records: recs, Failed: []string{"3"}, State: []byte("s")}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if err := DecodeResult(buf, 2, &got); !errors.Is(err, ErrMalformed) {
		t.Fatalf("count mismatch: %v", err)
	}
	if err := DecodeResult(buf[:len(buf)-1], 3, &got); !errors.Is(err, ErrMalformed) {
		t.Fatalf("truncated: %v", err)
	}
}

func FuzzDecodeEnvelope(f *testing.F) {
	b := sampleBatch()
	f.Add(AppendEnvelope(nil, b))
	f.Add(AppendEnvelope(nil, &engine.Batch{}))
	f.Add([]byte{1, 0, 0, 0})
	f.Add([]byte{1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, src []byte) {
		var got engine.Batch
		if err := DecodeEnvelope(src, &got); err != nil {
			return
		}
		// What decodes re-encodes to the same bytes.
		if out := AppendEnvelope(nil, &got); string(out) != string(src) {
			// Zero timestamps and an empty window are normalised; only
			// check that re-decoding is stable.
			var again engine.Batch
			if err := DecodeEnvelope(out, &again); err != nil {
				t.Fatalf("re-decode: %v", err)
			}
		}
	})
}

func FuzzDecodeResult(f *testing.F) {
	f.Add(AppendResult(nil, []engine.RecordResult{{Status: engine.Ok, Data: []byte("x")}, {Status: engine.Dropped}}, []string{"1"}, nil), 2)
	f.Add(AppendResult(nil, nil, nil, []byte("state")), 0)
	f.Add([]byte{0xff, 0xff, 0xff, 0x7f}, 1)
	f.Fuzz(func(t *testing.T, src []byte, want int) {
		var got engine.BatchResult
		if err := DecodeResult(src, want, &got); err != nil {
			return
		}
		if len(got.Records) != want {
			t.Fatalf("decoded %d records, want %d", len(got.Records), want)
		}
	})
}
