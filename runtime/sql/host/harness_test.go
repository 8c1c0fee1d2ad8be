package host_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/router/kinesis"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/runtime/sql/host"
)

const (
	unit     = 20 * time.Millisecond
	leaseTTL = 600 * time.Millisecond
	account  = "123456789012"
	region   = "us-east-1"
)

func streamARN(name string) string {
	return "arn:aws:kinesis:" + region + ":" + account + ":stream/" + name
}

// env is one NATS server with a shard store and the Kinesis service, as
// one kinesin process has them.
type env struct {
	js    jetstream.JetStream
	store *shardstore.Store
	svc   *kinesis.Service
	reg   *prometheus.Registry
	m     *host.Metrics
	log   *slog.Logger
}

func newEnv(t *testing.T) *env {
	t.Helper()
	nc := natstest.Conn(t)
	store, err := shardstore.Open(context.Background(), nc, shardstore.Options{Memory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	var w io.Writer = io.Discard
	if os.Getenv("KINESIN_TEST_LOG") != "" {
		w = os.Stderr
	}
	return &env{js: js, store: store, svc: kinesis.New(store, kinesis.Config{AccountID: account, Region: region}, nil),
		reg: reg, m: host.NewMetrics(reg), log: slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))}
}

// createStream makes an ACTIVE stream of n shards with uniform hash ranges.
func (e *env) createStream(t *testing.T, name string, n int) {
	t.Helper()
	ctx := context.Background()
	st := &shardstore.Stream{Name: name, Status: shardstore.StatusActive, Mode: shardstore.ModeProvisioned,
		RetentionHours: 24, NextShard: n, Created: time.Now()}
	var idx []int
	for i, r := range shardstore.UniformRanges(n) {
		st.Shards = append(st.Shards, shardstore.Shard{Index: i, Parent: -1, AdjacentParent: -1, StartHash: r[0], EndHash: r[1], Created: time.Now()})
		idx = append(idx, i)
	}
	if err := e.store.Create(ctx, st); err != nil {
		t.Fatal(err)
	}
	if err := e.store.EnsureShards(ctx, st, idx...); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, name+" known", func() bool { _, ok := e.store.Get(name); return ok })
}

// put stores records through the Kinesis service's PutRecords, one
// partition key per record.
func (e *env) put(t *testing.T, stream string, data ...string) {
	t.Helper()
	entries := make([]kinesis.PutEntry, len(data))
	for i, d := range data {
		entries[i] = kinesis.PutEntry{PartitionKey: fmt.Sprintf("k%d-%d", i, time.Now().UnixNano()), Data: []byte(d)}
	}
	res, err := e.svc.PutRecords(context.Background(), streamARN(stream), entries)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.ErrorCode != "" {
			t.Fatalf("put: %s %s", r.ErrorCode, r.ErrorMessage)
		}
	}
}

// records answers every record of stream's shards, shard by shard.
func (e *env) records(t *testing.T, stream string) []string {
	t.Helper()
	st, ok := e.store.Get(stream)
	if !ok {
		t.Fatalf("no stream %s", stream)
	}
	var out []string
	for _, sh := range st.Shards {
		pos := shardstore.Position{}
		for {
			res, err := e.store.Read(context.Background(), st, sh.Index, pos, 1000, 4<<20)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res.Records {
				out = append(out, string(r.Data))
			}
			pos = res.Next
			if res.CaughtUp || res.End || len(res.Records) == 0 {
				break
			}
		}
	}
	return out
}

// waitRecords waits until stream holds n records and answers them.
func (e *env) waitRecords(t *testing.T, stream string, n int) []string {
	t.Helper()
	var got []string
	eventually(t, 20*time.Second, fmt.Sprintf("%d records in %s", n, stream), func() bool {
		got = e.records(t, stream)
		return len(got) >= n
	})
	if len(got) != n {
		t.Fatalf("%s holds %d records, want %d: %q", stream, len(got), n, got)
	}
	return got
}

// metric answers the value of a metric of the registry with the labels.
func (e *env) metric(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	fams, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			for _, lp := range m.GetLabel() {
				if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
					continue next
				}
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}

func (e *env) waitMetric(t *testing.T, name, app string, want float64) {
	t.Helper()
	eventually(t, 20*time.Second, fmt.Sprintf("%s of %s = %v", name, app, want), func() bool {
		return e.metric(t, name, map[string]string{"application": app}) >= want
	})
	if got := e.metric(t, name, map[string]string{"application": app}); got != want {
		t.Fatalf("%s of %s = %v, want %v", name, app, got, want)
	}
}

// running is a Run in progress.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

// run starts host.Run; stop ends it and answers its error.
func (e *env) run(t *testing.T, c host.Config) *running {
	t.Helper()
	c.JS, c.Streams, c.Kinesis, c.Metrics, c.Logger = e.js, e.store, e.svc, e.m, e.log.With("run", c.RunID)
	if c.TimeUnit == 0 {
		c.TimeUnit = unit
	}
	c.LeaseTTL = leaseTTL
	if c.ARN == "" {
		c.ARN = "arn:aws:kinesisanalytics:" + region + ":" + account + ":application/" + c.Name
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- host.Run(ctx, c) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return")
	}
}

// waitCheckpoint waits for a checkpoint of app whose clock is at least ms.
func (e *env) waitCheckpoint(t *testing.T, app string, ms int64) {
	t.Helper()
	eventually(t, 20*time.Second, "checkpoint of "+app, func() bool {
		c, ok, err := host.CheckpointClock(context.Background(), e.js, app)
		return err == nil && ok && c >= ms
	})
}

// tickerInput is a Kinesis stream input of JSON {"ticker","price"} records.
func tickerInput(stream string) types.InputDescription {
	return types.InputDescription{
		InputId:                        aws.String("1.1"),
		NamePrefix:                     aws.String("SOURCE_SQL_STREAM"),
		KinesisStreamsInputDescription: &types.KinesisStreamsInputDescription{ResourceARN: aws.String(streamARN(stream))},
		InputSchema: &types.SourceSchema{
			RecordFormat: &types.RecordFormat{RecordFormatType: types.RecordFormatTypeJson,
				MappingParameters: &types.MappingParameters{JSONMappingParameters: &types.JSONMappingParameters{RecordRowPath: aws.String("$")}}},
			RecordEncoding: aws.String("UTF-8"),
			RecordColumns: []types.RecordColumn{
				{Name: aws.String("TICKER"), SqlType: aws.String("VARCHAR(4)"), Mapping: aws.String("$.ticker")},
				{Name: aws.String("PRICE"), SqlType: aws.String("DOUBLE"), Mapping: aws.String("$.price")},
			},
		},
	}
}

func streamOutput(name, stream string) types.OutputDescription {
	return types.OutputDescription{
		Name:                            aws.String(name),
		KinesisStreamsOutputDescription: &types.KinesisStreamsOutputDescription{ResourceARN: aws.String(streamARN(stream))},
		DestinationSchema:               &types.DestinationSchema{RecordFormatType: types.RecordFormatTypeJson},
	}
}

// fakeClock is a settable clock for ROWTIME.
type fakeClock struct{ ms atomic.Int64 }

func (f *fakeClock) Now() time.Time  { return time.UnixMilli(f.ms.Load()).UTC() }
func (f *fakeClock) set(t time.Time) { f.ms.Store(t.UnixMilli()) }
func (f *fakeClock) at(s string) time.Time {
	t, err := time.Parse(time.DateTime, s)
	if err != nil {
		panic(err)
	}
	return t
}

// decode answers the JSON records as maps.
func decode(t *testing.T, recs []string) []map[string]any {
	t.Helper()
	out := make([]map[string]any, len(recs))
	for i, r := range recs {
		if err := json.Unmarshal([]byte(strings.TrimSpace(r)), &out[i]); err != nil {
			t.Fatalf("record %q: %v", r, err)
		}
	}
	return out
}

// eventually polls cond until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
