package nexmark

import (
	"flag"
	"sync"
	"testing"
	"time"
)

// benchEvents is how many events each benchmark iteration pushes.
var benchEvents = flag.Int("nexmark.events", 1_000_000, "events per Nexmark benchmark iteration")

var (
	benchOnce sync.Once
	benchFeed *Feed
)

// feed answers the benchmarks' events, generated once (on all cores,
// before any timing).
func feed(b *testing.B) *Feed {
	b.Helper()
	benchOnce.Do(func() { benchFeed = GenerateFeed(Config{}, *benchEvents) })
	return benchFeed
}

// benchQuery runs q over the whole feed per iteration, each on a fresh
// instance, and reports events/s (all events, people and auctions too,
// as the Nexmark project counts them).
func benchQuery(b *testing.B, name string) {
	q, ok := QueryByName(name)
	if !ok {
		b.Fatalf("no query %s", name)
	}
	f := feed(b)
	p, err := q.Compile()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var outputs int64
	var cpu time.Duration
	for b.Loop() {
		res, err := q.Run(p, f, nil)
		if err != nil {
			b.Fatal(err)
		}
		outputs = res.Outputs
		cpu += res.CPU
	}
	report(b, f, cpu)
	b.ReportMetric(float64(outputs), "rows")
}

// report reports events/s (wall clock), events/cpu-s (per second of the
// process's CPU time: the Nexmark project's throughput per core) and
// ns/event.
func report(b *testing.B, f *Feed, cpu time.Duration) {
	events := float64(f.Len()) * float64(b.N)
	b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
	if cpu > 0 {
		b.ReportMetric(events/cpu.Seconds(), "events/cpu-s")
	}
	b.ReportMetric(b.Elapsed().Seconds()*1e9/events, "ns/event")
}

func BenchmarkQ0(b *testing.B)  { benchQuery(b, "q0") }
func BenchmarkQ1(b *testing.B)  { benchQuery(b, "q1") }
func BenchmarkQ2(b *testing.B)  { benchQuery(b, "q2") }
func BenchmarkQ5(b *testing.B)  { benchQuery(b, "q5") }
func BenchmarkQ7(b *testing.B)  { benchQuery(b, "q7") }
func BenchmarkQ8(b *testing.B)  { benchQuery(b, "q8") }
func BenchmarkQ11(b *testing.B) { benchQuery(b, "q11") }
func BenchmarkQ12(b *testing.B) { benchQuery(b, "q12") }

// BenchmarkRawLoop is the same-run baseline: a Go loop over the feed that
// reads every bid's price and keeps the maximum per 10 s window (q7's
// aggregate without SQL), the least any engine has to do.
func BenchmarkRawLoop(b *testing.B) {
	f := feed(b)
	b.ResetTimer()
	var cpu time.Duration
	for b.Loop() {
		cpu += RunRawLoop(f).CPU
	}
	report(b, f, cpu)
}
