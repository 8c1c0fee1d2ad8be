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
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kinesin/kinesin/bench/internal/setup"
	"github.com/kinesin/kinesin/internal/server"
)

type options struct {
	Endpoint   string        `json:"endpoint,omitempty"`
	Writers    int           `json:"writers"`
	Shards     int           `json:"shards"`
	Records    int           `json:"records_per_request"`
	Size       int           `json:"record_size"`
	Duration   time.Duration `json:"-"`
	DurationS  string        `json:"duration"`
	Baseline   bool          `json:"baseline"`
	Sync       string        `json:"sync"`
	cpuprofile string
	json       bool
}

// report is what --json prints.
type report struct {
	Date string `json:"date"`
	CPUs int    `json:"cpus"`
	Go   string `json:"go"`
	OS   string `json:"os"`
	// LoadAvg is /proc/loadavg when the run started: other work on the
	// machine skews every number.
	LoadAvg  string  `json:"loadavg,omitempty"`
	Options  options `json:"options"`
	Baseline *phase  `json:"baseline,omitempty"`
	Ingest   *phase  `json:"ingest"`
	Drain    *phase  `json:"drain"`
	// Ratio is ingest records/s divided by baseline records/s.
	Ratio float64 `json:"ingest_baseline_ratio,omitempty"`
}

func main() {
	var o options
	flag.StringVar(&o.Endpoint, "endpoint", "", "Kinesis endpoint URL; empty starts kinesin in-process on a temporary data directory")
	flag.IntVar(&o.Writers, "writers", 4, "concurrent PutRecords writers")
	flag.IntVar(&o.Shards, "shards", 4, "shards of the benchmark stream")
	flag.IntVar(&o.Records, "records", 500, "records per PutRecords request")
	flag.IntVar(&o.Size, "size", 1024, "bytes of random data per record")
	flag.DurationVar(&o.Duration, "duration", 10*time.Second, "how long the writers run, per phase")
	flag.BoolVar(&o.Baseline, "baseline", true, "first measure against a fasthttp server that stores nothing")
	flag.StringVar(&o.Sync, "sync", "interval", "in-process server durability: interval|always")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run (server included) to FILE")
	flag.BoolVar(&o.json, "json", false, "also print the results as JSON")
	flag.Parse()
	o.DurationS = o.Duration.String()
	if o.Writers < 1 || o.Shards < 1 || o.Records < 1 || o.Records > 500 || o.Size < 1 || o.Duration <= 0 {
		fmt.Fprintln(os.Stderr, "kinesisload: need writers, shards ≥ 1, 1 ≤ records ≤ 500, size ≥ 1, duration > 0")
		os.Exit(2)
	}
	if o.Sync != "interval" && o.Sync != "always" {
		fmt.Fprintln(os.Stderr, "kinesisload: --sync must be interval or always")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kinesisload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, w io.Writer) (retErr error) {
	if o.cpuprofile != "" {
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
		Date:    time.Now().UTC().Format(time.RFC3339),
		CPUs:    runtime.NumCPU(),
		Go:      runtime.Version(),
		OS:      runtime.GOOS + "/" + runtime.GOARCH,
		LoadAvg: loadAvg(),
		Options: o,
	}
	payload := randomPool(o.Size)

	if o.Baseline {
		url, stopBaseline, err := startBaseline(o.Records)
		if err != nil {
			return fmt.Errorf("baseline server: %w", err)
		}
		p, _ := ingest(ctx, newClient(url, o.Writers), "baseline", o, payload)
		stopBaseline()
		p.Name = "baseline"
		rep.Baseline = &p
	}

	endpoint := o.Endpoint
	if endpoint == "" {
		dir, err := os.MkdirTemp("", "kinesinload-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		srv, err := server.Start(ctx, server.Config{
			Listen:  "127.0.0.1:0",
			DataDir: dir,
			Sync:    o.Sync,
			Logger:  slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		})
		if err != nil {
			return fmt.Errorf("start kinesin: %w", err)
		}
		defer func() {
			cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			retErr = errors.Join(retErr, srv.Close(cctx))
		}()
		endpoint = srv.URL()
	}

	client := newClient(endpoint, o.Writers)
	stream := fmt.Sprintf("kinesisload-%d", time.Now().UnixNano())
	if err := setup.CreateStream(ctx, client, stream, o.Shards); err != nil {
		return err
	}
	if o.Endpoint != "" {
		defer deleteStream(client, stream)
	}
	in, perShard := ingest(ctx, client, stream, o, payload)
	in.Name = "ingest"
	rep.Ingest = &in
	dr := drain(ctx, client, stream, perShard)
	rep.Drain = &dr
	if rep.Baseline != nil && rep.Baseline.RecordsPerSec > 0 {
		rep.Ratio = in.RecordsPerSec / rep.Baseline.RecordsPerSec
	}

	printTable(w, rep)
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if dr.Missing > 0 {
		return fmt.Errorf("%d acknowledged records were not read back", dr.Missing)
	}
	return nil
}

func printTable(w io.Writer, r report) {
	o := r.Options
	fmt.Fprintf(w, "kinesisload %s — %d CPUs, %s, load average %s; %d writers, %d shards, %d × %d B per request, %s per phase, sync=%s\n",
		r.Date, r.CPUs, r.Go, cmp.Or(r.LoadAvg, "?"), o.Writers, o.Shards, o.Records, o.Size, o.Duration, o.Sync)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\trecords\tseconds\trecords/s\tMB/s\tfailed records\tfailed requests\tp50 ms\tp99 ms\tCPU %\t")
	for _, p := range []*phase{r.Baseline, r.Ingest, r.Drain} {
		if p == nil {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.0f\t%.1f\t%d\t%d\t%s\t%s\t%.0f\t\n",
			p.Name, p.Records, p.Seconds, p.RecordsPerSec, p.MBPerSec, p.FailedRecords, p.FailedRequests, ms(p.P50Ms), ms(p.P99Ms), 100*p.CPUShare)
	}
	tw.Flush()
	if r.Ratio > 0 {
		fmt.Fprintf(w, "ingest/baseline: %.3f\n", r.Ratio)
	}
	for _, p := range []*phase{r.Baseline, r.Ingest, r.Drain} {
		if p != nil && p.FirstError != "" {
			fmt.Fprintf(w, "%s: first error: %s\n", p.Name, p.FirstError)
		}
	}
	if r.Drain != nil && r.Drain.Missing > 0 {
		fmt.Fprintf(w, "drain: %d acknowledged records were not read back\n", r.Drain.Missing)
	}
}

func ms(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", v)
}

// loadAvg returns the 1, 5 and 15 minute load averages, where Linux has them.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return ""
}
