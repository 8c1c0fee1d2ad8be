package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kinesin/kinesin/bench/internal/setup"
)

// drainPhase is a mapping created on a stream that already holds every
// record: pure consumption.
type drainPhase struct {
	phase
	// EnabledMs is from CreateEventSourceMapping to the mapping's state
	// Enabled; StartupMs to its first checkpoint with records.
	EnabledMs float64 `json:"enabled_ms"`
	StartupMs float64 `json:"startup_ms"`
	// SteadyPerSec is the rate from that first checkpoint on.
	SteadyPerSec float64 `json:"steady_records_per_s"`
	Invocations  int64   `json:"invocations"`
	Errors       int64   `json:"errors,omitempty"`
}

// e2ePhase is records put into a stream whose mapping already runs, from
// the first put to the last record processed.
type e2ePhase struct {
	phase
	// PutPerSec is the producer's own rate while the mapping consumed.
	PutPerSec   float64 `json:"put_records_per_s"`
	LagMs       float64 `json:"lag_after_last_put_ms"`
	Invocations int64   `json:"invocations"`
	Errors      int64   `json:"errors,omitempty"`
}

type throughputResult struct {
	Wasm     string     `json:"wasm"` // default | uninterruptible
	Batch    int        `json:"batch_size"`
	Baseline phase      `json:"baseline"`
	Drain    drainPhase `json:"drain"`
	E2E      e2ePhase   `json:"e2e"`
	// Ratio is end-to-end records/s over baseline records/s.
	Ratio float64 `json:"e2e_baseline_ratio"`
}

// runThroughput measures one batch size with function fn:
//
//  1. baseline: N records put into a fresh stream with no mapping;
//  2. drain: a mapping created on that stream, until it processed them;
//  3. e2e: a mapping on a second fresh stream, then N records put, from
//     the first put until every record was processed.
func runThroughput(ctx context.Context, e *env, wasmMode, fn string, batch int) (throughputResult, error) {
	o := e.o
	res := throughputResult{Wasm: wasmMode, Batch: batch}
	n := int64(o.Records)

	streamA := fmt.Sprintf("esmload-tp-a-%d", time.Now().UnixNano())
	if err := setup.CreateStream(ctx, e.kc, streamA, o.Shards); err != nil {
		return res, err
	}
	stopProfile := e.profile(wasmMode, batch, "baseline")
	res.Baseline = putBulk(ctx, e.kc, streamA, n, o.Writers, o.PerRequest, o.Size, e.pool)
	stopProfile()
	res.Baseline.Name = "baseline"

	// Drain.
	stopProfile = e.profile(wasmMode, batch, "drain")
	d := drainPhase{phase: begin("drain")}
	// Mappings and streams stay until the server closes (see
	// createMapping); the drain's mapping is idle once caught up.
	uuid, err := createMapping(ctx, e.lc, mappingConfig{Function: fn, Stream: streamA, Batch: batch})
	if err != nil {
		return res, err
	}
	d.EnabledMs = float64(time.Since(d.start)) / 1e6
	var first time.Time
	var firstRecs int64
	p, end, err := e.poll(ctx, uuid, 60*time.Second, func(p progress, at time.Time) bool {
		if first.IsZero() && p.Records > 0 {
			first, firstRecs = at, p.Records
		}
		return p.Records >= res.Baseline.Records
	})
	d.Records, d.Invocations, d.Errors = p.Records, p.Invocations, p.Errors
	d.finish(end)
	if !first.IsZero() {
		d.StartupMs = float64(first.Sub(d.start)) / 1e6
		if s := end.Sub(first).Seconds(); s > 0 {
			d.SteadyPerSec = float64(p.Records-firstRecs) / s
		}
	}
	if err != nil {
		d.fail(err)
	}
	stopProfile()
	if err := e.waitCheckpointed(ctx, uuid, res.Baseline.Records); err != nil {
		d.fail(err)
	}
	res.Drain = d

	// End to end.
	streamB := fmt.Sprintf("esmload-tp-b-%d", time.Now().UnixNano())
	if err := setup.CreateStream(ctx, e.kc, streamB, o.Shards); err != nil {
		return res, err
	}
	uuid, err = createMapping(ctx, e.lc, mappingConfig{Function: fn, Stream: streamB, Batch: batch})
	if err != nil {
		return res, err
	}
	stopProfile = e.profile(wasmMode, batch, "e2e")
	x := e2ePhase{phase: begin("e2e")}
	putDone := make(chan phase, 1)
	go func() { putDone <- putBulk(ctx, e.kc, streamB, n, o.Writers, o.PerRequest, o.Size, e.pool) }()
	var put *phase
	p, end, err = e.poll(ctx, uuid, 60*time.Second, func(p progress, _ time.Time) bool {
		if put == nil {
			select {
			case q := <-putDone:
				put = &q
			default:
				return false
			}
		}
		return p.Records >= put.Records
	})
	if put == nil {
		q := <-putDone
		put = &q
	}
	stopProfile()
	x.Records, x.Invocations, x.Errors = p.Records, p.Invocations, p.Errors
	x.FailedRecords, x.FailedRequests = put.FailedRecords, put.FailedRequests
	x.FirstError = put.FirstError
	x.finish(end)
	x.PutPerSec = put.RecordsPerSec
	x.LagMs = float64(end.Sub(put.start.Add(time.Duration(put.Seconds*1e9)))) / 1e6
	if err != nil {
		x.fail(err)
	}
	if err := e.waitCheckpointed(ctx, uuid, put.Records); err != nil {
		x.fail(err)
	}
	res.E2E = x
	if res.Baseline.RecordsPerSec > 0 {
		res.Ratio = x.RecordsPerSec / res.Baseline.RecordsPerSec
	}
	return res, nil
}
