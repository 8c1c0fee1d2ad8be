package wasm

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
)

// Benchmarks run with and without the termination checks that let a call be
// interrupted at its timeout (Config.Uninterruptible).
func benchModes(b *testing.B, run func(b *testing.B, cfg Config)) {
	b.Run("interruptible", func(b *testing.B) { run(b, Config{}) })
	b.Run("uninterruptible", func(b *testing.B) { run(b, Config{Uninterruptible: true}) })
}

func benchEngine(b *testing.B, cfg Config, name string) (*Engine, *engine.Function) {
	guest(b, name)
	cfg.CacheDir = filepath.Join(guests.dir, "cache")
	e, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close(context.Background()) })
	fn := function(b, name)
	if err := e.Validate(context.Background(), fn); err != nil {
		b.Fatal(err)
	}
	return e, fn
}

func benchBatch(n int, data func(i int) []byte) engine.Batch {
	b := engine.Batch{Context: engine.BatchContext{FunctionName: "f", ShardID: "shardId-000000000000", Attempt: 1}}
	now := time.Now()
	for i := range n {
		b.Records = append(b.Records, engine.Record{
			SequenceNumber: fmt.Sprintf("4959000000000000000000000000000000000000000000%06d", i),
			PartitionKey:   fmt.Sprintf("user-%d", i), ArrivalTime: now, Data: data(i),
		})
	}
	return b
}

// BenchmarkInvokeEmptyBatch is the whole invoke path with no records:
// pool, envelope, two exported calls, result decoding.
func BenchmarkInvokeEmptyBatch(b *testing.B) { benchModes(b, benchEmptyBatch) }

func benchEmptyBatch(b *testing.B, cfg Config) {
	e, fn := benchEngine(b, cfg, "transform")
	batch := benchBatch(0, nil)
	ctx := context.Background()
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		if _, err := e.InvokeBatch(ctx, fn, batch); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu, 1, "cpu-ns/op")
}

// reportCPU reports the CPU time spent since start per op / n.
func reportCPU(b *testing.B, start time.Duration, n int, unit string) {
	if d := cpuTime() - start; d > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N*n), unit)
	}
}

// BenchmarkTrivialTransform upper-cases 100-byte records in batches of 100.
func BenchmarkTrivialTransform(b *testing.B) { benchModes(b, benchTrivialTransform) }

func benchTrivialTransform(b *testing.B, cfg Config) {
	e, fn := benchEngine(b, cfg, "transform")
	batch := benchBatch(100, func(int) []byte { return []byte(fmt.Sprintf("%-100s", "some lower case record data")) })
	ctx := context.Background()
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		res, err := e.InvokeBatch(ctx, fn, batch)
		if err != nil || len(res.Records) != 100 {
			b.Fatal(err, res.ErrorMessage)
		}
	}
	reportCPU(b, cpu, 100, "cpu-ns/record")
	perRecord := b.Elapsed().Seconds() / float64(b.N*100)
	b.ReportMetric(1/perRecord, "records/s")
	b.ReportMetric(perRecord*1e9, "ns/record")
}

const enrichRecord = `{"id":"a1b2c3d4","user":"alice","event":"click","page":"/products/42","ts":1732579200123,"amount":19.99,"tags":["promo","mobile"],"geo":{"country":"FR","city":"Lyon"},"ok":true,"n":7}`

// BenchmarkJSONEnrich parses a 200-byte JSON record, adds a field and
// encodes it, in the Go guest (batches of 100) and natively.
func BenchmarkJSONEnrich(b *testing.B) {
	if len(enrichRecord) < 180 || len(enrichRecord) > 220 {
		b.Fatalf("record is %d bytes", len(enrichRecord))
	}
	benchModes(b, func(b *testing.B, cfg Config) {
		e, fn := benchEngine(b, cfg, "enrich")
		batch := benchBatch(100, func(int) []byte { return []byte(enrichRecord) })
		ctx := context.Background()
		cpu := cpuTime()
		for b.Loop() {
			res, err := e.InvokeBatch(ctx, fn, batch)
			if err != nil || res.FunctionError != "" || res.Records[0].Status != engine.Ok {
				b.Fatal(err, res.ErrorMessage)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/record")
		reportCPU(b, cpu, 100, "cpu-ns/record")
	})
	b.Run("native", func(b *testing.B) {
		data := []byte(enrichRecord)
		cpu := cpuTime()
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				b.Fatal(err)
			}
			m["enriched"] = true
			if _, err := json.Marshal(m); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/record")
		reportCPU(b, cpu, 1, "cpu-ns/record")
	})
}
