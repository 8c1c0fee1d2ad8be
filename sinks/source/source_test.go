package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/triggers/lease"
	"github.com/kinesin/kinesin/triggers/reader"
)

const testTTL = 600 * time.Millisecond

func arn(stream string) string { return "arn:aws:kinesis:us-east-1:000000000000:stream/" + stream }

// env is one NATS server with a shard store, as one kinesin process sees
// it.
type env struct {
	nc    *nats.Conn
	store *shardstore.Store
	js    jetstream.JetStream
}

func newEnv(t *testing.T) *env {
	t.Helper()
	nc := natstest.Conn(t)
	return openEnv(t, nc)
}

// openEnv is another process on the same NATS.
func openEnv(t *testing.T, nc *nats.Conn) *env {
	t.Helper()
	s, err := shardstore.Open(context.Background(), nc, shardstore.Options{Memory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return &env{nc: nc, store: s, js: js}
}

// createStream makes a stream of n shards with uniform hash ranges.
func (e *env) createStream(t *testing.T, name string, n int) {
	t.Helper()
	ctx := context.Background()
	st := &shardstore.Stream{Name: name, Status: shardstore.StatusActive, RetentionHours: 24, NextShard: n, Created: time.Now()}
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
}

// put appends, for every key, one record "<key>-<n>" for n in [from, to),
// routed by partition key as PutRecords routes; records of one request
// for one shard go in one batch, as the router stores them.
func (e *env) put(t *testing.T, stream string, keys []string, from, to int) {
	t.Helper()
	for n := from; n < to; n++ {
		st, ok := e.store.Get(stream)
		if !ok {
			t.Fatalf("no stream %s", stream)
		}
		groups := map[int][]string{}
		for _, k := range keys {
			sh, ok := st.Route(shardstore.HashPartitionKey(k))
			if !ok {
				t.Fatalf("no shard for %s", k)
			}
			groups[sh.Index] = append(groups[sh.Index], k)
		}
		for shard, ks := range groups {
			data := make([][]byte, len(ks))
			for i, k := range ks {
				data[i] = []byte(fmt.Sprintf("%s-%d", k, n))
			}
			if _, err := e.store.Append(context.Background(), st, shard, shardstore.AppendBatch(nil, ks, data)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// split closes a shard and gives it two children splitting its hash
// range, the way router/kinesis does it: new metadata, the children's
// storage, seal, then the sealed end.
func (e *env) split(t *testing.T, stream string, parent int) {
	t.Helper()
	ctx := context.Background()
	cur, _ := e.store.Get(stream)
	psh, _ := cur.Shard(parent)
	m := new(big.Int).Add(psh.StartHash.Big(), psh.EndHash.Big())
	mid := shardstore.HashKeyFromBig(m.Rsh(m, 1))
	afterMid := shardstore.HashKeyFromBig(m.Add(m, big.NewInt(1)))
	st, err := e.store.Update(ctx, stream, func(st *shardstore.Stream) error {
		p, _ := st.Shard(parent)
		p.Closed, p.ClosedAt = true, time.Now().UTC()
		st.Pending = append(st.Pending, parent)
		a, b := st.NextShard, st.NextShard+1
		st.Shards = append(st.Shards,
			shardstore.Shard{Index: a, Parent: parent, AdjacentParent: -1, StartHash: p.StartHash, EndHash: mid, Created: time.Now()},
			shardstore.Shard{Index: b, Parent: parent, AdjacentParent: -1, StartHash: afterMid, EndHash: p.EndHash, Created: time.Now()})
		st.NextShard += 2
		st.Status = shardstore.StatusUpdating
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.EnsureShards(ctx, st, st.NextShard-2, st.NextShard-1); err != nil {
		t.Fatal(err)
	}
	msg, idx, err := e.store.SealShard(ctx, st, parent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Update(ctx, stream, func(st *shardstore.Stream) error {
		p, _ := st.Shard(parent)
		p.Sealed, p.EndMsg, p.EndIndex = true, msg, idx
		st.Pending = nil
		st.Status = shardstore.StatusActive
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// sink is a record store: it keeps what Append stored, by Run.
type sink struct {
	mu      sync.Mutex
	recs    []got
	fail    int // fail this many Append calls first
	calls   int
	maxRecs int
	maxData int
}

type got struct {
	data    string
	arrival time.Time
	run     int
}

func (s *sink) appender(run int) AppendFunc {
	return func(_ context.Context, records [][]byte, arrivals []time.Time) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.calls++
		if s.fail > 0 {
			s.fail--
			return errors.New("store unavailable")
		}
		if len(records) != len(arrivals) {
			return errors.New("records and arrivals differ in length")
		}
		size := 0
		for i, r := range records {
			s.recs = append(s.recs, got{string(r), arrivals[i], run})
			size += len(r)
		}
		s.maxRecs = max(s.maxRecs, len(records))
		s.maxData = max(s.maxData, size)
		return nil
	}
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.recs)
}

func (s *sink) snapshot() []got {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]got(nil), s.recs...)
}

// check verifies that every key delivered exactly the values [from, to)
// once each, in order.
func (s *sink) check(t *testing.T, keys []string, from, to int) {
	t.Helper()
	seen := map[string][]int{}
	for _, g := range s.snapshot() {
		i := strings.LastIndexByte(g.data, '-')
		n, err := strconv.Atoi(g.data[i+1:])
		if err != nil {
			t.Fatalf("bad record %q", g.data)
		}
		seen[g.data[:i]] = append(seen[g.data[:i]], n)
	}
	if len(seen) != len(keys) {
		t.Errorf("records of %d keys, want %d", len(seen), len(keys))
	}
	for _, k := range keys {
		got := seen[k]
		if len(got) != to-from {
			t.Errorf("key %s: %d records %v, want %d", k, len(got), got, to-from)
			continue
		}
		for i, n := range got {
			if n != from+i {
				t.Errorf("key %s: records %v, want %d..%d once each in order", k, got, from, to-1)
				break
			}
		}
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// running is a Run in the background.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

func (e *env) run(t *testing.T, c Config) *running {
	t.Helper()
	if c.Name == "" {
		c.Name = "ds.one"
	}
	if c.Store == nil {
		c.Store = e.store
	}
	if c.JS == nil {
		c.JS = e.js
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = testTTL
	}
	if c.Logger == nil {
		c.Logger = quiet()
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- Run(ctx, c) }()
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
	case <-time.After(10 * time.Second):
		t.Error("Run did not return")
	}
}

func keys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "key" + strconv.Itoa(i)
	}
	return out
}

func TestRecordsBeforeAndAfterStart(t *testing.T) {
	e := newEnv(t)
	e.createStream(t, "clicks", 3)
	ks := keys(12)
	e.put(t, "clicks", ks, 0, 5)
	var s sink
	e.run(t, Config{StreamARN: arn("clicks"), Append: s.appender(0)})
	eventually(t, "records stored before Run", func() bool { return s.count() == 12*5 })
	e.put(t, "clicks", ks, 5, 10)
	eventually(t, "records put while running", func() bool { return s.count() == 12*10 })
	s.check(t, ks, 0, 10)
	for _, g := range s.snapshot() {
		if g.arrival.IsZero() || time.Since(g.arrival) > time.Minute {
			t.Fatalf("arrival %v of %s", g.arrival, g.data)
		}
	}
}

func TestBatchLimits(t *testing.T) {
	e := newEnv(t)
	e.createStream(t, "big", 1)
	// 1,200 small records in few stored batches, then 5 records of 900 KiB
	// (more than MaxBatchBytes together).
	ks := keys(400)
	e.put(t, "big", ks, 0, 3)
	st, _ := e.store.Get("big")
	for i := range 5 {
		data := append(bytes.Repeat([]byte("x"), 900<<10), "-"+strconv.Itoa(i)...)
		b := shardstore.AppendBatch(nil, []string{"big"}, [][]byte{data})
		if _, err := e.store.Append(context.Background(), st, 0, b); err != nil {
			t.Fatal(err)
		}
	}
	var s sink
	e.run(t, Config{StreamARN: arn("big"), Append: s.appender(0)})
	eventually(t, "every record", func() bool { return s.count() == 1200+5 })
	if s.maxRecs > MaxBatchRecords || s.maxData > MaxBatchBytes {
		t.Fatalf("an Append got %d records, %d bytes; limits %d, %d", s.maxRecs, s.maxData, MaxBatchRecords, MaxBatchBytes)
	}
	if s.calls > 10 {
		t.Errorf("%d Append calls for 1,205 records; batches are not filled", s.calls)
	}
}

func TestRestartResumes(t *testing.T) {
	e := newEnv(t)
	e.createStream(t, "orders", 2)
	ks := keys(8)
	e.put(t, "orders", ks, 0, 3)
	var s sink
	r := e.run(t, Config{StreamARN: arn("orders"), Append: s.appender(0)})
	eventually(t, "first records", func() bool { return s.count() == 8*3 })
	r.stop(t)
	e.put(t, "orders", ks, 3, 6) // while no Run reads
	e.run(t, Config{StreamARN: arn("orders"), Append: s.appender(1)})
	eventually(t, "records put while stopped", func() bool { return s.count() == 8*6 })
	e.put(t, "orders", ks, 6, 8)
	eventually(t, "records put after restart", func() bool { return s.count() == 8*8 })
	s.check(t, ks, 0, 8)
}

func TestTwoRunsShareShards(t *testing.T) {
	nc := natstest.Conn(t)
	a, b := openEnv(t, nc), openEnv(t, nc)
	a.createStream(t, "events", 4)
	eventually(t, "metadata in the second process", func() bool { _, ok := b.store.Get("events"); return ok })
	ks := keys(16)
	var s sink
	a.run(t, Config{StreamARN: arn("events"), Append: s.appender(1), Owner: "proc-a"})
	b.run(t, Config{StreamARN: arn("events"), Append: s.appender(2), Owner: "proc-b"})
	// Wait until the shards are split between the two Runs.
	lt, err := lease.Open(context.Background(), a.js, lease.Options{Owner: "observer"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "two shards each", func() bool {
		snap, err := lt.Snapshot(context.Background(), LeasePrefix("ds.one"))
		if err != nil {
			return false
		}
		per := map[string]int{}
		for k, o := range snap.Holders {
			if strings.HasPrefix(k, LeasePrefix("ds.one")+"s.") {
				per[o]++
			}
		}
		return per["proc-a"] == 2 && per["proc-b"] == 2
	})
	e := a
	n := 0
	for ; n < 5; n++ {
		e.put(t, "events", ks, n, n+1)
	}
	eventually(t, "every record", func() bool { return s.count() == 16*n })
	s.check(t, ks, 0, n)
	byRun := map[int]int{}
	for _, g := range s.snapshot() {
		byRun[g.run]++
	}
	if byRun[1] == 0 || byRun[2] == 0 {
		t.Fatalf("records appended by run: %v; want both", byRun)
	}
}

func TestTwoRunsRebalance(t *testing.T) {
	// A second Run joining while records flow takes over half the shards
	// without losing or repeating a record.
	nc := natstest.Conn(t)
	a, b := openEnv(t, nc), openEnv(t, nc)
	a.createStream(t, "flow", 4)
	eventually(t, "metadata in the second process", func() bool { _, ok := b.store.Get("flow"); return ok })
	ks := keys(16)
	var s sink
	a.run(t, Config{StreamARN: arn("flow"), Append: s.appender(1), Owner: "proc-a"})
	e := a
	n := 0
	for ; n < 3; n++ {
		e.put(t, "flow", ks, n, n+1)
	}
	eventually(t, "first records", func() bool { return s.count() == 16*n })
	b.run(t, Config{StreamARN: arn("flow"), Append: s.appender(2), Owner: "proc-b"})
	deadline := time.Now().Add(15 * time.Second)
	for {
		e.put(t, "flow", ks, n, n+1)
		n++
		eventually(t, "records", func() bool { return s.count() == 16*n })
		recent := map[int]bool{}
		for _, g := range s.snapshot()[16*(n-1):] {
			recent[g.run] = true
		}
		if recent[1] && recent[2] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second Run never took shards")
		}
	}
	s.check(t, ks, 0, n)
}

func TestSplitKeepsParentsFirst(t *testing.T) {
	e := newEnv(t)
	e.createStream(t, "resharded", 1)
	ks := keys(10)
	e.put(t, "resharded", ks, 0, 5)
	e.split(t, "resharded", 0)
	// The children hold records before any Run: still the parent's come
	// first.
	e.put(t, "resharded", ks, 5, 10)
	var s sink
	e.run(t, Config{StreamARN: arn("resharded"), Append: s.appender(0)})
	eventually(t, "parent and children", func() bool { return s.count() == 10*10 })
	// A split while running.
	e.split(t, "resharded", 1)
	e.put(t, "resharded", ks, 10, 15)
	eventually(t, "grandchildren", func() bool { return s.count() == 10*15 })
	s.check(t, ks, 0, 15)
	cps, err := reader.OpenCheckpoints(context.Background(), e.js, reader.CheckpointOptions{})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "parents finished", func() bool {
		fin, err := cps.Finished(context.Background(), MappingID("ds.one"))
		return err == nil && fin[0] && fin[1]
	})
}

func TestStartFilters(t *testing.T) {
	e := newEnv(t)
	e.createStream(t, "late", 2)
	ks := keys(6)
	e.put(t, "late", ks, 0, 4)
	start := time.Now()
	e.put(t, "late", ks, 4, 6)
	var s sink
	e.run(t, Config{StreamARN: arn("late"), Start: start, Append: s.appender(0)})
	eventually(t, "records after Start", func() bool { return s.count() == 6*2 })
	e.put(t, "late", ks, 6, 8)
	eventually(t, "records put while running", func() bool { return s.count() == 6*4 })
	s.check(t, ks, 4, 8)
	for _, g := range s.snapshot() {
		if g.arrival.Before(start) {
			t.Fatalf("%s arrived %v, before Start %v", g.data, g.arrival, start)
		}
	}
}

func TestStartWithNothingNewer(t *testing.T) {
	// Every stored record is older than Start: reading begins at the tip,
	// and records put afterwards are appended.
	e := newEnv(t)
	e.createStream(t, "idle", 1)
	ks := keys(4)
	e.put(t, "idle", ks, 0, 3)
	var s sink
	e.run(t, Config{StreamARN: arn("idle"), Start: time.Now(), Append: s.appender(0)})
	e.put(t, "idle", ks, 3, 5)
	eventually(t, "new records", func() bool { return s.count() == 4*2 })
	s.check(t, ks, 3, 5)
}

func TestAppendRetried(t *testing.T) {
	e := newEnv(t)
	e.createStream(t, "flaky", 1)
	ks := keys(5)
	e.put(t, "flaky", ks, 0, 4)
	s := sink{fail: 3}
	e.run(t, Config{StreamARN: arn("flaky"), Append: s.appender(0)})
	eventually(t, "records after failures", func() bool { return s.count() == 5*4 })
	s.check(t, ks, 0, 4)
}

func TestStreamCreatedLaterAndDeleted(t *testing.T) {
	e := newEnv(t)
	var s sink
	r := e.run(t, Config{StreamARN: arn("later"), Append: s.appender(0)})
	e.createStream(t, "later", 2)
	ks := keys(6)
	e.put(t, "later", ks, 0, 3)
	eventually(t, "records of a stream created after Run", func() bool { return s.count() == 6*3 })
	st, _ := e.store.Get("later")
	if err := e.store.DropShards(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Remove(context.Background(), "later"); err != nil {
		t.Fatal(err)
	}
	// Run waits quietly; a stream created again under the name is read
	// from its beginning.
	e.createStream(t, "later", 1)
	e.put(t, "later", ks, 3, 5)
	eventually(t, "records of the new stream", func() bool { return s.count() == 6*5 })
	r.stop(t)
	s.check(t, ks, 0, 5)
}

func TestDelete(t *testing.T) {
	e := newEnv(t)
	e.createStream(t, "gone", 2)
	ks := keys(4)
	e.put(t, "gone", ks, 0, 2)
	var s sink
	r := e.run(t, Config{Name: "to-delete", StreamARN: arn("gone"), Append: s.appender(0)})
	eventually(t, "records", func() bool { return s.count() == 4*2 })
	r.stop(t)
	ctx := context.Background()
	cps, err := reader.OpenCheckpoints(ctx, e.js, reader.CheckpointOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if all, _ := cps.All(ctx, MappingID("to-delete")); len(all) == 0 {
		t.Fatal("no checkpoints were written")
	}
	if err := Delete(ctx, e.js, "to-delete"); err != nil {
		t.Fatal(err)
	}
	if all, err := cps.All(ctx, MappingID("to-delete")); err != nil || len(all) != 0 {
		t.Fatalf("checkpoints after Delete: %v, %v", all, err)
	}
	lt, err := lease.Open(ctx, e.js, lease.Options{Owner: "observer"})
	if err != nil {
		t.Fatal(err)
	}
	if snap, err := lt.Snapshot(ctx, LeasePrefix("to-delete")); err != nil || len(snap.Holders) != 0 {
		t.Fatalf("leases after Delete: %v, %v", snap.Holders, err)
	}
	// A delivery stream created again under the name starts afresh.
	var s2 sink
	e.run(t, Config{Name: "to-delete", StreamARN: arn("gone"), Append: s2.appender(0)})
	eventually(t, "records again", func() bool { return s2.count() == 4*2 })
}

func TestConfigErrors(t *testing.T) {
	e := newEnv(t)
	ok := func(context.Context, [][]byte, []time.Time) error { return nil }
	tests := []struct {
		name string
		c    Config
		want string
	}{
		{"bad name", Config{Name: "a b", StreamARN: arn("s"), Append: ok, Store: e.store, JS: e.js}, "name"},
		{"long name", Config{Name: strings.Repeat("a", 65), StreamARN: arn("s"), Append: ok, Store: e.store, JS: e.js}, "name"},
		{"bad arn", Config{Name: "d", StreamARN: "arn:aws:s3:::bucket", Append: ok, Store: e.store, JS: e.js}, "ARN"},
		{"no append", Config{Name: "d", StreamARN: arn("s"), Store: e.store, JS: e.js}, "Append"},
		{"no store", Config{Name: "d", StreamARN: arn("s"), Append: ok, JS: e.js}, "Store"},
		{"no js", Config{Name: "d", StreamARN: arn("s"), Append: ok, Store: e.store}, "JS"},
		{"negative ttl", Config{Name: "d", StreamARN: arn("s"), Append: ok, Store: e.store, JS: e.js, LeaseTTL: -1}, "LeaseTTL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Run(context.Background(), tt.c)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run: %v, want an error about %s", err, tt.want)
			}
		})
	}
	if err := Delete(context.Background(), e.js, "a/b"); err == nil {
		t.Fatal("Delete took a bad name")
	}
}

func TestStreamName(t *testing.T) {
	tests := []struct {
		arn, want string
		ok        bool
	}{
		{"arn:aws:kinesis:us-east-1:123456789012:stream/clicks", "clicks", true},
		{"arn:aws-cn:kinesis:cn-north-1:123456789012:stream/a.b_c-d", "a.b_c-d", true},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/", "", false},
		{"arn:aws:kinesis:us-east-1:12345:stream/x", "", false},
		{"arn:aws:firehose:us-east-1:123456789012:deliverystream/x", "", false},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/x/consumer/c:1", "", false},
	}
	for _, tt := range tests {
		got, err := StreamName(tt.arn)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("StreamName(%q) = %q, %v", tt.arn, got, err)
		}
	}
}

func FuzzStreamName(f *testing.F) {
	f.Add("arn:aws:kinesis:us-east-1:123456789012:stream/clicks")
	f.Add("arn:aws:kinesis:us-east-1:123456789012:stream/")
	f.Add("arn:::kinesis:x:000000000000:stream/a.b")
	f.Fuzz(func(t *testing.T, s string) {
		name, err := StreamName(s)
		if err != nil {
			return
		}
		if name == "" || !strings.HasSuffix(s, ":stream/"+name) || len(name) > 128 {
			t.Fatalf("StreamName(%q) = %q", s, name)
		}
	})
}

func TestMappingID(t *testing.T) {
	for _, name := range []string{"a", "a.b", "a_b", "A-b.c_d", strings.Repeat("z", 64), strings.Repeat(".", 64)} {
		id := MappingID(name)
		if len(id) > 128 || strings.ContainsAny(id, ".*>: ") {
			t.Errorf("MappingID(%q) = %q", name, id)
		}
		if MappingID(name+"x") == id {
			t.Errorf("MappingID collides for %q", name)
		}
	}
}
