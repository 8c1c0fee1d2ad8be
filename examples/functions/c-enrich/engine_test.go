package enrich_test

// The C module through kinesin's own WebAssembly engine (runtime/wasm), as
// a deployed function runs: Validate, Invoke (kind 1), InvokeBatch (kind 2).

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/runtime/wasm"
)

func newEngine(tb testing.TB) (*wasm.Engine, *engine.Function) {
	tb.Helper()
	code := module(tb)
	e, err := wasm.New(wasm.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close(context.Background()) })
	fn := &engine.Function{
		Name: "c-enrich", Version: "$LATEST", Runtime: "wasm",
		ARN:  "arn:aws:lambda:us-east-1:000000000000:function:c-enrich",
		Code: code, MemoryMB: 128, Timeout: 10 * time.Second,
		Region: "us-east-1", AccountID: "000000000000",
	}
	if err := e.Validate(context.Background(), fn); err != nil {
		tb.Fatalf("Validate: %v", err)
	}
	return e, fn
}

func TestEngine(t *testing.T) {
	e, fn := newEngine(t)
	ctx := context.Background()

	res, err := e.Invoke(ctx, fn, engine.Invocation{RequestID: "r1", Payload: []byte(`{"hello":"world"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != "" || string(res.Payload) != `{"hello":"world","enriched":true,"len":17}` {
		t.Fatalf("Invoke: %q %s", res.FunctionError, res.Payload)
	}

	res, err = e.Invoke(ctx, fn, engine.Invocation{RequestID: "r2", Payload: []byte(`[1,2]`)})
	if err != nil {
		t.Fatal(err)
	}
	var fail struct{ ErrorMessage, ErrorType string }
	if res.FunctionError != "Unhandled" || json.Unmarshal(res.Payload, &fail) != nil || fail.ErrorType != "InvalidEvent" {
		t.Fatalf("Invoke of a non-object: %q %s", res.FunctionError, res.Payload)
	}

	b := engine.Batch{Context: engine.BatchContext{
		FunctionName: fn.Name, ShardID: "shardId-000000000000",
		StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/s", Attempt: 1,
		Deadline: time.Now().Add(time.Minute),
		Window:   &engine.Window{Start: time.UnixMilli(1764100000000), End: time.UnixMilli(1764100060000)},
		State:    []byte("state"),
	}}
	for i, s := range mixed {
		b.Records = append(b.Records, engine.Record{
			SequenceNumber: fmt.Sprintf("4900000000000000000%04d", i), PartitionKey: "k",
			ArrivalTime: time.UnixMilli(1764100000000), Data: []byte(s),
		})
	}
	br, err := e.InvokeBatch(ctx, fn, b)
	if err != nil {
		t.Fatal(err)
	}
	if br.FunctionError != "" || len(br.Records) != len(mixed) || len(br.Failed) != 0 || br.State != nil {
		t.Fatalf("InvokeBatch: %q %q, %d results, failed %v, state %q", br.FunctionError, br.ErrorMessage, len(br.Records), br.Failed, br.State)
	}
	for i, s := range mixed {
		r := br.Records[i]
		if !isObject([]byte(s)) {
			if r.Status != engine.ProcessingFailed || r.Data != nil {
				t.Errorf("%q: %v %q, want ProcessingFailed", trunc([]byte(s)), r.Status, r.Data)
			}
			continue
		}
		if r.Status != engine.Ok || r.Data == nil {
			t.Errorf("%q: %v, want Ok with data", trunc([]byte(s)), r.Status)
			continue
		}
		checkEnriched(t, []byte(s), r.Data)
	}

	// Many batches, concurrently: instances are pooled and reused.
	big := b
	big.Records = nil
	for i, d := range benchRecords() {
		big.Records = append(big.Records, engine.Record{SequenceNumber: fmt.Sprint(i), Data: d})
	}
	errs := make(chan error, 8)
	for w := 0; w < cap(errs); w++ {
		go func() {
			for range 20 {
				br, err := e.InvokeBatch(ctx, fn, big)
				if err == nil && (br.FunctionError != "" || len(br.Records) != len(big.Records) ||
					!strings.HasSuffix(string(br.Records[0].Data), `,"enriched":true,"len":200}`)) {
					err = fmt.Errorf("%q %q %d", br.FunctionError, br.ErrorMessage, len(br.Records))
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkEngineCEnrich: per-record cost through runtime/wasm (envelope
// encoding, instance pool, result decoding included).
func BenchmarkEngineCEnrich(b *testing.B) {
	e, fn := newEngine(b)
	ctx := context.Background()
	batch := engine.Batch{Context: engine.BatchContext{FunctionName: fn.Name, Attempt: 1, Deadline: time.Now().Add(time.Hour)}}
	for i, d := range benchRecords() {
		batch.Records = append(batch.Records, engine.Record{SequenceNumber: fmt.Sprint(i), PartitionKey: "k", Data: d})
	}
	b.SetBytes(int64(benchBatch * 200))
	b.ReportAllocs()
	for b.Loop() {
		br, err := e.InvokeBatch(ctx, fn, batch)
		if err != nil || br.FunctionError != "" || br.Records[benchBatch-1].Status != engine.Ok {
			b.Fatal(err, br.ErrorMessage)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchBatch), "ns/record")
}
