package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kinesin/kinesin/bench/internal/setup"
	"github.com/kinesin/kinesin/internal/clock"
)

// warmBase is the first id of warm-up records, outside any run's ids.
const warmBase = 1 << 62

// starts holds, per record id, the handler start time the function
// reported (Unix nanoseconds; the first report wins, a redelivery does not
// count).
type starts struct {
	t    []atomic.Int64
	seen atomic.Int64
}

func newStarts(n int) *starts { return &starts{t: make([]atomic.Int64, n)} }

func (s *starts) set(id uint64, ns int64) {
	if id < uint64(len(s.t)) && s.t[id].CompareAndSwap(0, ns) {
		s.seen.Add(1)
	}
}

// sink is where probes report starts: the run in progress (nil between
// runs).
type sink = atomic.Pointer[starts]

// udpCollector receives the Lambda probe's (id, start) pairs.
type udpCollector struct {
	conn *net.UDPConn
	cur  *sink
}

func listenUDP(cur *sink) (*udpCollector, error) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	_ = conn.SetReadBuffer(8 << 20)
	u := &udpCollector{conn: conn, cur: cur}
	go u.run()
	return u, nil
}

func (u *udpCollector) addr() string { return u.conn.LocalAddr().String() }

func (u *udpCollector) run() {
	buf := make([]byte, 64<<10)
	for {
		n, _, err := u.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		s := u.cur.Load()
		if s == nil {
			continue
		}
		for b := buf[:n]; len(b) >= 16; b = b[16:] {
			s.set(binary.BigEndian.Uint64(b), int64(binary.BigEndian.Uint64(b[8:])))
		}
	}
}

// latencyResult is one rate's latency from PutRecord acknowledged to
// handler start.
type latencyResult struct {
	Runtime    string  `json:"runtime"` // lambda or wasm
	Rate       float64 `json:"rate"`
	PerRequest int     `json:"records_per_put"`
	Shards     int     `json:"shards"`
	Sent       int     `json:"sent"` // records due at the rate over the duration
	Acked      int64   `json:"acked"`
	Count      int     `json:"count"`   // acknowledged records whose start was reported
	Missing    int64   `json:"missing"` // acknowledged, never reported
	PutRate    float64 `json:"put_records_per_s"`
	PutP50Ms   float64 `json:"put_p50_ms"`
	PutP99Ms   float64 `json:"put_p99_ms"`
	LateP99Ms  float64 `json:"producer_late_p99_ms"`
	MinMs      float64 `json:"min_ms"`
	P50Ms      float64 `json:"p50_ms"`
	P90Ms      float64 `json:"p90_ms"`
	P99Ms      float64 `json:"p99_ms"`
	MaxMs      float64 `json:"max_ms"`
	Negative   int     `json:"negative"` // started before the client saw the acknowledgement
	Batches    int64   `json:"invocations"`
	CPUShare   float64 `json:"cpu_share"`
	FirstError string  `json:"first_error,omitempty"`
}

// latencyRun is one runtime's latency setup in a running server.
type latencyRun struct {
	env      *env
	runtime  string // lambda | wasm
	function string
	sink     *sink
}

// probeHandler is the in-process server's slog handler during latency
// runs. The Wasm engine logs each line a guest prints (runtime/wasm,
// logOutput, at Info), which is how fn-wasm-log's "esmload ID NANOS" lines
// reach esmload: synchronously, before the call returns. (The function
// logs endpoint does not have them: the event source mapping runner does
// not publish its invocations' logs.) Everything else at Warn and above
// goes to next.
type probeHandler struct {
	next slog.Handler
	sink *sink
}

func (h *probeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l == slog.LevelInfo || h.next.Enabled(ctx, l)
}

func (h *probeHandler) Handle(ctx context.Context, r slog.Record) error {
	if rest, ok := strings.CutPrefix(r.Message, "esmload "); ok {
		if st := h.sink.Load(); st != nil {
			id, ns, _ := strings.Cut(rest, " ")
			i, err1 := strconv.ParseUint(id, 10, 64)
			t, err2 := strconv.ParseInt(ns, 10, 64)
			if err1 == nil && err2 == nil {
				st.set(i, t)
			}
		}
		return nil
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

func (h *probeHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return &probeHandler{next: h.next.WithAttrs(a), sink: h.sink}
}

func (h *probeHandler) WithGroup(g string) slog.Handler {
	return &probeHandler{next: h.next.WithGroup(g), sink: h.sink}
}

// run measures one rate: a fresh stream and mapping, warm-up records until
// the function has run on every shard, then the paced producer for
// o.Duration, then the starts are gathered and compared with the acks.
func (lr *latencyRun) run(ctx context.Context, rate float64) (latencyResult, error) {
	e, o := lr.env, lr.env.o
	res := latencyResult{Runtime: lr.runtime, Rate: rate, PerRequest: o.LatPerRequest, Shards: o.LatShards}
	n := int(rate * o.Duration.Seconds())
	res.Sent = n
	stream := fmt.Sprintf("esmload-lat-%s-%d-%d", lr.runtime, int(rate), time.Now().UnixNano())
	if err := setup.CreateStream(ctx, e.kc, stream, o.LatShards); err != nil {
		return res, err
	}
	st := newStarts(n)
	lr.sink.Store(st)
	defer lr.sink.Store(nil)
	// The mapping and the stream stay until the server closes (see
	// createMapping).
	uuid, err := createMapping(ctx, e.lc, mappingConfig{Function: lr.function, Stream: stream, Batch: o.LatBatch})
	if err != nil {
		return res, err
	}

	// Warm-up: enough records with random keys to reach every shard, so
	// that no process start or first compilation is measured.
	warm := int64(25 * o.LatShards)
	data := make([]byte, max(o.LatSize, 8))
	for i := range warm {
		binary.BigEndian.PutUint64(data, uint64(warmBase+i))
		if _, err := e.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: &stream, Data: data,
			PartitionKey: aws.String(strconv.FormatInt(time.Now().UnixNano()+i, 36))}); err != nil {
			return res, fmt.Errorf("warm-up PutRecord: %w", err)
		}
	}
	if _, err := e.waitProcessed(ctx, uuid, warm, 60*time.Second); err != nil {
		return res, fmt.Errorf("warm-up: %w", err)
	}
	before, _ := processed(ctx, e.hc, e.endpoint, uuid)

	conns := o.Producers
	if conns <= 0 {
		conns = min(64, max(2, int(rate/float64(o.LatPerRequest)/500)))
	}
	put := putPaced(ctx, e.kc, stream, n, rate, conns, o.LatPerRequest, o.LatSize, e.pool)
	res.Acked, res.PutRate, res.CPUShare = put.Records, put.RecordsPerSec, put.CPUShare
	res.PutP50Ms, res.PutP99Ms, res.LateP99Ms, res.FirstError = put.PutP50Ms, put.PutP99Ms, put.LateP99Ms, put.FirstError
	after, err := e.waitProcessed(ctx, uuid, warm+put.Records, 30*time.Second)
	if err != nil {
		res.FirstError = err.Error()
	}
	res.Batches = after.Invocations - before.Invocations

	// The starts are reported before each call returns (UDP, or a log
	// line handled synchronously): give the UDP reader a moment.
	deadline := time.Now().Add(2 * time.Second)
	for st.seen.Load() < put.Records && time.Now().Before(deadline) {
		clock.Sleep(ctx, 10*time.Millisecond)
	}

	lat := make([]int64, 0, put.Records)
	for i, ack := range put.Ack {
		if ack == 0 {
			continue
		}
		s := st.t[i].Load()
		if s == 0 {
			res.Missing++
			continue
		}
		lat = append(lat, s-ack)
	}
	slices.Sort(lat)
	res.Count = len(lat)
	if len(lat) > 0 {
		q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / 1e6 }
		res.MinMs, res.P50Ms, res.P90Ms, res.P99Ms, res.MaxMs = q(0), q(0.5), q(0.9), q(0.99), q(1)
		for _, v := range lat {
			if v >= 0 {
				break
			}
			res.Negative++
		}
	}
	return res, nil
}
