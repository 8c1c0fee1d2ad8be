// Command nexmark measures kinesin's SQL engine on the Nexmark queries:
// it pre-generates the events as engine rows in memory (on all cores),
// then, on GOMAXPROCS=1 by default, pushes them through a fresh instance
// of each query's application per run and prints events per second.
//
//	go run ./bench/nexmark/cmd/nexmark -q q5 -events 10000000
//	go run ./bench/nexmark/cmd/nexmark -q all -events 10000000 -runs 3
//	go run ./bench/nexmark/cmd/nexmark -q all -inline   # generator included
//
// Rates are per second of the process's CPU time (the Nexmark project's
// throughput per core; robust to other processes on the machine) and per
// second of wall-clock time.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/kinesin/kinesin/bench/nexmark"
	"github.com/kinesin/kinesin/runtime/sql/engine"
)

func main() {
	if err := run(); err != nil {
		slog.Error("nexmark", "err", err)
		os.Exit(1)
	}
}

func run() error {
	queries := flag.String("q", "all", "queries to run, comma separated (q0,q1,q2,q5,q7,q8,q11,q12) or all")
	events := flag.Int("events", 10_000_000, "events per run")
	runs := flag.Int("runs", 3, "runs per query")
	procs := flag.Int("procs", 1, "GOMAXPROCS while measuring")
	rate := flag.Int("rate", 0, "events per second of event time (0: Nexmark's default, 10 000)")
	inline := flag.Bool("inline", false, "generate each event as it is pushed (measures the generator too, as the Nexmark project's Flink source does) instead of pre-generating them")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the measured runs to this file")
	flag.Parse()

	var qs []nexmark.Query
	if *queries == "all" {
		qs = nexmark.Queries
	} else {
		for name := range strings.SplitSeq(*queries, ",") {
			q, ok := nexmark.QueryByName(strings.TrimSpace(name))
			if !ok {
				return fmt.Errorf("no query %q", name)
			}
			qs = append(qs, q)
		}
	}
	progs := make([]*engine.Program, len(qs))
	for i, q := range qs {
		p, err := q.Compile()
		if err != nil {
			return err
		}
		progs[i] = p
	}

	config := nexmark.Config{FirstEventRate: *rate}
	var feed *nexmark.Feed
	if !*inline {
		t0 := time.Now()
		feed = nexmark.GenerateFeed(config, *events)
		runtime.GC()
		fmt.Printf("generated %d events in %v (%d cores)\n", feed.Len(), time.Since(t0).Round(time.Millisecond), runtime.NumCPU())
	}
	runtime.GOMAXPROCS(*procs)
	debug.FreeOSMemory()

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return fmt.Errorf("cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}

	var load string
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = ", load average " + strings.Join(strings.Fields(string(b))[:3], " ")
	}
	fmt.Printf("GOMAXPROCS=%d, %d runs each, %s%s\n", runtime.GOMAXPROCS(0), *runs, runtime.Version(), load)
	fmt.Printf("%-8s %14s %14s %14s  %14s %14s %14s %12s\n", "query", "ev/cpu-s med", "min", "max", "ev/s med", "min", "max", "rows")
	var raw []nexmark.Result
	for range *runs {
		if *inline {
			raw = append(raw, nexmark.RunGenerateOnly(config, *events))
		} else {
			raw = append(raw, nexmark.RunRawLoop(feed))
		}
	}
	if *inline {
		printRow("generate", raw)
	} else {
		printRow("raw loop", raw)
	}
	for i, q := range qs {
		var results []nexmark.Result
		for range *runs {
			var res nexmark.Result
			var err error
			if *inline {
				res, err = q.RunGenerated(progs[i], config, *events, nil)
			} else {
				res, err = q.Run(progs[i], feed, nil)
			}
			if err != nil {
				return err
			}
			results = append(results, res)
			runtime.GC()
		}
		printRow(q.Name, results)
	}
	return nil
}

// printRow prints the median, minimum and maximum of the runs' events per
// CPU second and per second, and the rows of the last run.
func printRow(name string, results []nexmark.Result) {
	var cpu, wall []float64
	for _, r := range results {
		cpu = append(cpu, r.EventsPerCPUSecond())
		wall = append(wall, r.EventsPerSecond())
	}
	slices.Sort(cpu)
	slices.Sort(wall)
	n := len(results)
	fmt.Printf("%-8s %14.0f %14.0f %14.0f  %14.0f %14.0f %14.0f %12d\n", name,
		cpu[n/2], cpu[0], cpu[n-1], wall[n/2], wall[0], wall[n-1], results[n-1].Outputs)
}
