package lambda_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
)

// BenchmarkRoundTrip is one no-op invocation on a warm process, one at a
// time: the Runtime API's own latency.
func BenchmarkRoundTrip(b *testing.B) {
	e := newEngine(b)
	fn := function("bench-rt")
	fn.Concurrency = 1
	inv := engine.Invocation{Payload: []byte(`{}`)}
	ctx := context.Background()
	if _, err := e.Invoke(ctx, fn, inv); err != nil { // warm up
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		res, err := e.Invoke(ctx, fn, inv)
		lat = append(lat, time.Since(t0))
		if err != nil || res.FunctionError != "" {
			b.Fatal(err, string(res.Payload))
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkThroughput runs no-op invocations from many callers on 4
// processes.
func BenchmarkThroughput(b *testing.B) {
	e := newEngine(b)
	fn := function("bench-tp")
	fn.Concurrency = 4
	inv := engine.Invocation{Payload: []byte(`{}`)}
	ctx := context.Background()
	var failed atomic.Int64
	self0, kids0 := cpuTicks()
	b.SetParallelism((4 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0)) // ≥ 4 callers
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := e.Invoke(ctx, fn, inv)
			if err != nil || res.FunctionError != "" {
				failed.Add(1)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "invocations/s")
	// CPU per invocation, of the engine and of the bootstraps: what the
	// throughput is on a machine nobody else uses.
	self1, kids1 := cpuTicks()
	b.ReportMetric(float64(self1-self0)*1e4/float64(b.N), "engine-cpu-µs/op")
	b.ReportMetric(float64(kids1-kids0)*1e4/float64(b.N), "bootstrap-cpu-µs/op")
	if failed.Load() > 0 {
		b.Fatalf("%d invocations failed", failed.Load())
	}
}

// cpuTicks is the CPU time (1/100 s) of this process and of its live
// children, from /proc.
func cpuTicks() (self, kids int64) {
	self = procTicks(os.Getpid())
	for _, pid := range children() {
		kids += procTicks(pid)
	}
	return self, kids
}

func procTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	u, _ := strconv.ParseInt(f[11], 10, 64) // utime, field 14
	s, _ := strconv.ParseInt(f[12], 10, 64) // stime, field 15
	return u + s
}
