package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/kinesin/kinesin/internal/clock"
	"github.com/kinesin/kinesin/internal/pipeline"
	"github.com/kinesin/kinesin/internal/server"
)

// debug (ESMLOAD_DEBUG set) prints every progress poll.
var debug = os.Getenv("ESMLOAD_DEBUG") != ""

type options struct {
	Mode string `json:"mode"`
	// Latency.
	Rates     []float64     `json:"rates"`
	Duration  time.Duration `json:"-"`
	DurationS string        `json:"duration"`
	LatShards int           `json:"latency_shards"`
	LatBatch  int           `json:"latency_batch_size"`
	LatSize   int           `json:"latency_record_size"`
	// LatPerRequest > 1 sends PutRecords of that many records instead of
	// PutRecord: a producer that costs less CPU per record.
	LatPerRequest int      `json:"latency_records_per_put"`
	Producers     int      `json:"producers"`
	Runtimes      []string `json:"latency_runtimes"`
	// Throughput.
	Records    int      `json:"records"`
	Size       int      `json:"record_size"`
	Shards     int      `json:"shards"`
	Writers    int      `json:"writers"`
	PerRequest int      `json:"records_per_request"`
	Batches    []int    `json:"batch_sizes"`
	WasmModes  []string `json:"wasm_modes"`
	// Both.
	Sync         string        `json:"sync"`
	Poll         time.Duration `json:"-"`
	fnDir        string
	cpuprofile   string
	profilePhase string
	json         bool
}

// report is what --json prints.
type report struct {
	Date       string             `json:"date"`
	CPUs       int                `json:"cpus"`
	Go         string             `json:"go"`
	OS         string             `json:"os"`
	LoadAvg    string             `json:"loadavg,omitempty"`
	Options    options            `json:"options"`
	Latency    []latencyResult    `json:"latency,omitempty"`
	Throughput []throughputResult `json:"throughput,omitempty"`
}

func main() {
	var (
		o                                      options
		rates, batches, wasmModes, runtimesArg string
	)
	flag.StringVar(&o.Mode, "mode", "all", "latency|throughput|all")
	flag.StringVar(&rates, "rate", "1000,10000", "latency: producer rates in records/s, comma-separated")
	flag.DurationVar(&o.Duration, "duration", 10*time.Second, "latency: how long the paced producer runs per rate")
	flag.IntVar(&o.LatShards, "latency-shards", 1, "latency: shards of the stream")
	flag.IntVar(&o.LatBatch, "latency-batch", 100, "latency: BatchSize of the mapping")
	flag.IntVar(&o.LatSize, "latency-size", 100, "latency: bytes per record (the first 8 are its id)")
	flag.IntVar(&o.LatPerRequest, "latency-per-put", 1, "latency: records per call (1: PutRecord; more: PutRecords of that many)")
	flag.IntVar(&o.Producers, "producers", 0, "latency: concurrent callers (0: calls per second / 500, at least 2)")
	flag.StringVar(&runtimesArg, "latency-runtimes", "lambda,wasm", "latency: runtimes to probe (lambda: UDP from a provided.al2023 process; wasm: log lines)")
	flag.IntVar(&o.Records, "records", 500000, "throughput: records put per phase")
	flag.IntVar(&o.Size, "size", 1024, "throughput: bytes of random data per record")
	flag.IntVar(&o.Shards, "shards", 4, "throughput: shards of the streams")
	flag.IntVar(&o.Writers, "writers", 4, "throughput: concurrent PutRecords writers")
	flag.IntVar(&o.PerRequest, "per-request", 500, "throughput: records per PutRecords request")
	flag.StringVar(&batches, "batch", "1000,10000", "throughput: mapping BatchSizes, comma-separated")
	flag.StringVar(&wasmModes, "wasm", "default,uninterruptible", "throughput: wazero modes, comma-separated (a server each)")
	flag.StringVar(&o.Sync, "sync", "interval", "in-process server durability: interval|always")
	flag.DurationVar(&o.Poll, "poll", 50*time.Millisecond, "how often the mapping's progress is polled (/metrics; each scrape costs the server about a millisecond of CPU)")
	flag.StringVar(&o.fnDir, "fn-dir", "", "directory holding the fn-* function sources (default: this command's)")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run (server and Wasm functions included) to FILE")
	flag.StringVar(&o.profilePhase, "profile-phase", "", "with -cpuprofile, profile only the throughput phases of this name (baseline|drain|e2e), each to FILE.WASM-BATCH-PHASE")
	flag.BoolVar(&o.json, "json", false, "also print the results as JSON")
	flag.Parse()
	o.DurationS = o.Duration.String()
	var err error
	if o.Rates, err = parseList(rates, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }); err != nil {
		usage("-rate: %v", err)
	}
	if o.Batches, err = parseList(batches, strconv.Atoi); err != nil {
		usage("-batch: %v", err)
	}
	o.WasmModes, _ = parseList(wasmModes, func(s string) (string, error) { return s, nil })
	o.Runtimes, _ = parseList(runtimesArg, func(s string) (string, error) { return s, nil })
	switch {
	case o.Mode != "latency" && o.Mode != "throughput" && o.Mode != "all":
		usage("-mode must be latency, throughput or all")
	case o.Sync != "interval" && o.Sync != "always":
		usage("-sync must be interval or always")
	case o.Records < 1 || o.Size < 8 || o.Shards < 1 || o.Writers < 1 || o.PerRequest < 1 || o.PerRequest > 500:
		usage("need records, shards, writers ≥ 1, size ≥ 8, 1 ≤ per-request ≤ 500")
	case o.LatShards < 1 || o.LatSize < 8 || o.Duration <= 0 || o.LatBatch < 1 || o.LatPerRequest < 1 || o.LatPerRequest > 500:
		usage("need latency-shards ≥ 1, latency-size ≥ 8, latency-batch ≥ 1, 1 ≤ latency-per-put ≤ 500, duration > 0")
	}
	for _, m := range o.WasmModes {
		if m != "default" && m != "uninterruptible" {
			usage("-wasm: %q is not default or uninterruptible", m)
		}
	}
	for _, r := range o.Runtimes {
		if r != "lambda" && r != "wasm" {
			usage("-latency-runtimes: %q is not lambda or wasm", r)
		}
	}
	for _, b := range o.Batches {
		if b < 1 || b > 10000 {
			usage("-batch: %d is not within 1–10000", b)
		}
	}
	if o.fnDir == "" {
		o.fnDir = sourceDir()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "esmload:", err)
		os.Exit(1)
	}
}

func usage(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "esmload: "+format+"\n", args...)
	os.Exit(2)
}

func parseList[T any](s string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := parse(f)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// sourceDir is where this command's sources (and fn-* functions) are:
// next to this file when built from the repository, else ./bench/esmload.
func sourceDir() string {
	if _, file, _, ok := runtime.Caller(0); ok {
		dir := filepath.Dir(file)
		if _, err := os.Stat(filepath.Join(dir, "fn-wasm-noop")); err == nil {
			return dir
		}
	}
	return filepath.Join("bench", "esmload")
}

// env is one in-process server and the clients the phases use.
type env struct {
	o        options
	endpoint string
	kc       *kinesis.Client
	lc       *lambda.Client
	hc       *http.Client
	pool     []byte
}

// startEnv starts kinesin in-process on a temporary data directory.
// Its logs at Warn and above go to stderr, through wrap when set.
func startEnv(ctx context.Context, o options, uninterruptible bool, pool []byte, wrap func(slog.Handler) slog.Handler) (*env, func() error, error) {
	dir, err := os.MkdirTemp("", "esmload-")
	if err != nil {
		return nil, nil, err
	}
	var h slog.Handler = slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})
	if wrap != nil {
		h = wrap(h)
	}
	srv, err := server.Start(ctx, server.Config{
		Listen: "127.0.0.1:0", DataDir: dir, Sync: o.Sync, WasmUninterruptible: uninterruptible,
		Logger: slog.New(h),
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, fmt.Errorf("start kinesin: %w", err)
	}
	stop := func() error {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := srv.Close(cctx)
		return errors.Join(err, os.RemoveAll(dir))
	}
	conns := max(o.Writers, o.Producers, 64)
	e := &env{o: o, endpoint: srv.URL(), kc: newKinesis(srv.URL(), conns), lc: newLambda(srv.URL()),
		hc: &http.Client{Timeout: 30 * time.Second}, pool: pool}
	return e, stop, nil
}

// profile starts a CPU profile of one throughput phase if -profile-phase
// names it, and returns what stops it.
func (e *env) profile(wasm string, batch int, phase string) func() {
	if e.o.cpuprofile == "" || e.o.profilePhase != phase {
		return func() {}
	}
	f, err := os.Create(fmt.Sprintf("%s.%s-%d-%s", e.o.cpuprofile, wasm, batch, phase))
	if err != nil {
		fmt.Fprintln(os.Stderr, "esmload:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "esmload:", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// poll reads the mapping's progress every o.Poll until done says so or
// timeout passes, and returns the last progress and when it was read.
func (e *env) poll(ctx context.Context, uuid string, timeout time.Duration, done func(progress, time.Time) bool) (progress, time.Time, error) {
	deadline := time.Now().Add(timeout)
	var last progress
	for {
		t0 := time.Now()
		p, err := processed(ctx, e.hc, e.endpoint, uuid)
		at := time.Now()
		if debug {
			fmt.Fprintf(os.Stderr, "poll %s +%v: %+v err=%v (took %v)\n", uuid[:8], at.Sub(deadline.Add(-timeout)).Round(time.Millisecond), p, err, at.Sub(t0).Round(time.Microsecond))
		}
		if err == nil {
			last = p
			if done(p, at) {
				return p, at, nil
			}
		}
		if at.After(deadline) {
			return last, at, errors.Join(fmt.Errorf("mapping %s: %d records processed after %v", uuid, last.Records, timeout), err)
		}
		if !clock.Sleep(ctx, e.o.Poll) {
			return last, time.Now(), ctx.Err()
		}
	}
}

// waitCheckpointed waits until the mapping's checkpoints count want
// records (after a measurement: that the records were not only processed
// but checkpointed).
func (e *env) waitCheckpointed(ctx context.Context, uuid string, want int64) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		p, err := mappingProgress(ctx, e.hc, e.endpoint, uuid)
		if err == nil && p.Records >= want {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.Join(fmt.Errorf("mapping %s: %d of %d records checkpointed after 30s", uuid, p.Records, want), err)
		}
		if !clock.Sleep(ctx, 100*time.Millisecond) {
			return ctx.Err()
		}
	}
}

// waitProcessed waits until the mapping has processed want records.
func (e *env) waitProcessed(ctx context.Context, uuid string, want int64, timeout time.Duration) (progress, error) {
	p, _, err := e.poll(ctx, uuid, timeout, func(p progress, _ time.Time) bool { return p.Records >= want })
	return p, err
}

func run(ctx context.Context, o options, w io.Writer) (retErr error) {
	if o.cpuprofile != "" && o.profilePhase == "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	rep := report{
		Date: time.Now().UTC().Format(time.RFC3339), CPUs: runtime.NumCPU(), Go: runtime.Version(),
		OS: runtime.GOOS + "/" + runtime.GOARCH, LoadAvg: loadAvg(), Options: o,
	}
	pool := randomPool(max(o.Size, o.LatSize))
	build := func(dir, rt string) ([]byte, error) {
		return pipeline.Package(ctx, filepath.Join(o.fnDir, dir), rt, os.Stderr)
	}
	var errs []error

	if o.Mode != "throughput" && len(o.Runtimes) > 0 {
		res, err := latencyMode(ctx, o, pool, build)
		rep.Latency = res
		errs = append(errs, err)
	}
	if o.Mode != "latency" && len(o.WasmModes) > 0 && len(o.Batches) > 0 && ctx.Err() == nil {
		res, err := throughputMode(ctx, o, pool, build)
		rep.Throughput = res
		errs = append(errs, err)
	}
	printReport(w, rep)
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		errs = append(errs, enc.Encode(rep))
	}
	return errors.Join(errs...)
}

type builder func(dir, runtime string) ([]byte, error)

func latencyMode(ctx context.Context, o options, pool []byte, build builder) (out []latencyResult, retErr error) {
	cur := new(sink)
	e, stop, err := startEnv(ctx, o, false, pool, func(h slog.Handler) slog.Handler { return &probeHandler{next: h, sink: cur} })
	if err != nil {
		return nil, err
	}
	defer func() { retErr = errors.Join(retErr, stop()) }()
	for _, rt := range o.Runtimes {
		lr := &latencyRun{env: e, runtime: rt, function: "esmload-probe-" + rt, sink: cur}
		switch rt {
		case "lambda":
			udp, err := listenUDP(cur)
			if err != nil {
				return out, err
			}
			defer udp.conn.Close()
			code, err := build("fn-lambda-udp", "provided.al2023")
			if err != nil {
				return out, err
			}
			if err := createFunction(ctx, e.lc, lr.function, "provided.al2023", code, map[string]string{"ESMLOAD_UDP": udp.addr()}); err != nil {
				return out, err
			}
		case "wasm":
			code, err := build("fn-wasm-log", "wasm")
			if err != nil {
				return out, err
			}
			if err := createFunction(ctx, e.lc, lr.function, "wasm", code, nil); err != nil {
				return out, err
			}
		}
		for _, rate := range o.Rates {
			fmt.Fprintf(os.Stderr, "esmload: latency, %s, %.0f records/s for %v\n", rt, rate, o.Duration)
			res, err := lr.run(ctx, rate)
			out = append(out, res)
			if err != nil {
				return out, fmt.Errorf("latency %s %.0f/s: %w", rt, rate, err)
			}
		}
	}
	return out, nil
}

func throughputMode(ctx context.Context, o options, pool []byte, build builder) (out []throughputResult, retErr error) {
	code, err := build("fn-wasm-noop", "wasm")
	if err != nil {
		return nil, err
	}
	for _, mode := range o.WasmModes {
		err := func() (retErr error) {
			e, stop, err := startEnv(ctx, o, mode == "uninterruptible", pool, nil)
			if err != nil {
				return err
			}
			defer func() { retErr = errors.Join(retErr, stop()) }()
			const fn = "esmload-noop"
			if err := createFunction(ctx, e.lc, fn, "wasm", code, nil); err != nil {
				return err
			}
			for _, b := range o.Batches {
				fmt.Fprintf(os.Stderr, "esmload: throughput, wasm %s, BatchSize %d, %d records\n", mode, b, o.Records)
				res, err := runThroughput(ctx, e, mode, fn, b)
				out = append(out, res)
				if err != nil {
					return fmt.Errorf("throughput wasm %s batch %d: %w", mode, b, err)
				}
			}
			return nil
		}()
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func printReport(w io.Writer, r report) {
	o := r.Options
	fmt.Fprintf(w, "esmload %s — %d CPUs, %s, load average %s, sync=%s\n", r.Date, r.CPUs, r.Go, cmp.Or(r.LoadAvg, "?"), o.Sync)
	if len(r.Latency) > 0 {
		put := "PutRecord"
		if o.LatPerRequest > 1 {
			put = fmt.Sprintf("PutRecords of %d", o.LatPerRequest)
		}
		fmt.Fprintf(w, "\nLatency, %s acknowledged → handler start (MaximumBatchingWindowInSeconds 0, BatchSize %d, %d shard(s), %d B records, %v per rate)\n",
			put, o.LatBatch, o.LatShards, o.LatSize, o.Duration)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "runtime\trate/s\tput/s\tcount\tmissing\tcalls\tmin ms\tp50 ms\tp90 ms\tp99 ms\tmax ms\tput p50 ms\tput p99 ms\tlate p99 ms\tCPU %\t")
		for _, l := range r.Latency {
			fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f\t\n",
				l.Runtime, l.Rate, l.PutRate, l.Count, l.Missing, l.Batches, l.MinMs, l.P50Ms, l.P90Ms, l.P99Ms, l.MaxMs,
				l.PutP50Ms, l.PutP99Ms, l.LateP99Ms, 100*l.CPUShare)
		}
		tw.Flush()
		for _, l := range r.Latency {
			if l.FirstError != "" {
				fmt.Fprintf(w, "%s %.0f/s: first error: %s\n", l.Runtime, l.Rate, l.FirstError)
			}
		}
	}
	if len(r.Throughput) > 0 {
		fmt.Fprintf(w, "\nThroughput, no-op Wasm function (%d shards, %d records of %d B, %d writers × PutRecords of %d, ParallelizationFactor 1, TRIM_HORIZON)\n",
			o.Shards, o.Records, o.Size, o.Writers, o.PerRequest)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "wasm\tbatch\tbaseline put/s\te2e records/s\te2e/baseline\tput/s during e2e\tlag after last put ms\tdrain records/s\tdrain enabled/first ms\tdrain steady/s\tcalls e2e\tCPU % base/e2e/drain\trecords/CPU-s base/e2e/drain\t")
		for _, t := range r.Throughput {
			fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%.3f\t%.0f\t%.0f\t%.0f\t%.0f/%.0f\t%.0f\t%d\t%.0f/%.0f/%.0f\t%.0f/%.0f/%.0f\t\n",
				t.Wasm, t.Batch, t.Baseline.RecordsPerSec, t.E2E.RecordsPerSec, t.Ratio, t.E2E.PutPerSec, t.E2E.LagMs,
				t.Drain.RecordsPerSec, t.Drain.EnabledMs, t.Drain.StartupMs, t.Drain.SteadyPerSec, t.E2E.Invocations,
				100*t.Baseline.CPUShare, 100*t.E2E.CPUShare, 100*t.Drain.CPUShare,
				t.Baseline.PerCPUSecond, t.E2E.PerCPUSecond, t.Drain.PerCPUSecond)
		}
		tw.Flush()
		for _, t := range r.Throughput {
			for _, p := range []phase{t.Baseline, t.Drain.phase, t.E2E.phase} {
				if p.FirstError != "" || p.FailedRecords > 0 {
					fmt.Fprintf(w, "wasm %s batch %d %s: %d failed records; first error: %s\n", t.Wasm, t.Batch, p.Name, p.FailedRecords, p.FirstError)
				}
			}
		}
	}
}

// loadAvg returns the 1, 5 and 15 minute load averages, where Linux has them.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return ""
}
