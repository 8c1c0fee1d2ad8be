package kinesisdest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/internal/testutil"
	"github.com/kinesin/kinesin/router"
	kservice "github.com/kinesin/kinesin/router/kinesis"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/sinks/dest"
	"github.com/kinesin/kinesin/sinks/kinesisdest"
)

const unit = 10 * time.Millisecond

func streamARN(name string) string { return "arn:aws:kinesis:us-east-1:000000000000:stream/" + name }

// startKinesis runs kinesin's Kinesis service on an in-process NATS and
// answers it with an SDK client of its HTTP endpoint.
func startKinesis(t *testing.T, cfg kservice.Config) (*kservice.Service, *kinesis.Client) {
	t.Helper()
	store, err := shardstore.Open(context.Background(), natstest.Conn(t), shardstore.Options{Memory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	svc := kservice.New(store, cfg, nil)
	srv := router.New(router.Config{Listen: "127.0.0.1:0"})
	svc.Register(srv)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	svc.Start(context.Background())
	t.Cleanup(func() {
		svc.Close()
		srv.Shutdown(context.Background())
	})
	return svc, testutil.Kinesis("http://" + srv.Addr())
}

func config(stream string, key *string, retrySeconds int64) kinesisdest.Config {
	return kinesisdest.Config{
		KinesisStreamARN: aws.String(streamARN(stream)),
		PartitionKey:     key,
		RetryOptions:     &kinesisdest.RetryOptions{DurationInSeconds: aws.Int64(retrySeconds)},
		S3Configuration:  []byte(`{"BucketARN":"arn:aws:s3:::backup","RoleARN":"arn:aws:iam::000000000000:role/r"}`),
	}
}

func newDest(t *testing.T, c kinesisdest.Config, p kinesisdest.Putter) *kinesisdest.Destination {
	t.Helper()
	d, err := kinesisdest.NewWith(c, dest.Options{Stream: "ds", TimeUnit: unit, Logger: slog.New(slog.DiscardHandler)}, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func batch(n, size int) dest.Batch {
	var b dest.Batch
	now := time.Now()
	for i := range n {
		data := fmt.Appendf(nil, "record-%05d;", i)
		if size > len(data) {
			data = append(data, bytes.Repeat([]byte("x"), size-len(data))...)
		}
		b.Records = append(b.Records, dest.Record{ID: fmt.Sprintf("id-%05d", i), Data: data, Arrival: now})
	}
	b.Oldest = now
	return b
}

// readShard reads every record of a shard from the start, in order.
func readShard(t *testing.T, c *kinesis.Client, stream, shard string) []types.Record {
	t.Helper()
	ctx := context.Background()
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamARN: aws.String(streamARN(stream)),
		ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	var out []types.Record
	iter := it.ShardIterator
	for iter != nil {
		r, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, StreamARN: aws.String(streamARN(stream))})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r.Records...)
		if len(r.Records) == 0 && aws.ToInt64(r.MillisBehindLatest) == 0 {
			break
		}
		iter = r.NextShardIterator
	}
	return out
}

func dataOf(rs []types.Record) []string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r.Data)
	}
	return s
}

func wantData(b dest.Batch) []string {
	s := make([]string, len(b.Records))
	for i, r := range b.Records {
		s[i] = string(r.Data)
	}
	return s
}

func TestNewNeedsPutter(t *testing.T) {
	if _, err := kinesisdest.New(config("s", nil, 0), dest.Options{}); err == nil || !strings.Contains(err.Error(), "Putter") {
		t.Fatalf("New without a Putter: %v", err)
	}
	if _, err := kinesisdest.NewWith(config("s", nil, 0), dest.Options{}, nil); err == nil {
		t.Fatal("NewWith(nil Putter) succeeded")
	}
	bad := config("s", nil, 0)
	bad.KinesisStreamARN = aws.String("stream/s")
	if _, err := kinesisdest.NewWith(bad, dest.Options{}, kinesisdest.PutterFunc(nil)); err == nil {
		t.Fatal("NewWith took an invalid configuration")
	}
}

// A fixed partition key puts every record on one shard, in order, across
// several PutRecords requests (1200 records: three requests).
func TestDeliverFixedKeyInOrder(t *testing.T) {
	svc, c := startKinesis(t, kservice.Config{})
	testutil.CreateStream(t, c, "ordered", 3)
	d := newDest(t, config("ordered", aws.String("one-key"), 10), kinesisdest.ServicePutter(svc))
	b := batch(1200, 20)
	fs, err := d.Deliver(context.Background(), b)
	if err != nil || len(fs) != 0 {
		t.Fatalf("Deliver: %v, %d failures", err, len(fs))
	}
	var got []types.Record
	for _, shard := range []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002"} {
		rs := readShard(t, c, "ordered", shard)
		if len(rs) > 0 && got != nil {
			t.Fatalf("records on more than one shard")
		}
		if len(rs) > 0 {
			got = rs
		}
	}
	if g, w := dataOf(got), wantData(b); strings.Join(g, "") != strings.Join(w, "") {
		t.Fatalf("read %d records, not the %d delivered in order", len(g), len(w))
	}
	for _, r := range got {
		if aws.ToString(r.PartitionKey) != "one-key" {
			t.Fatalf("partition key %q", aws.ToString(r.PartitionKey))
		}
	}
}

// Without a partition key each record's ID is its key, which spreads
// records over the shards.
func TestDeliverRecordIDKeys(t *testing.T) {
	svc, c := startKinesis(t, kservice.Config{})
	testutil.CreateStream(t, c, "spread", 4)
	d := newDest(t, config("spread", nil, 10), kinesisdest.ServicePutter(svc))
	b := batch(200, 10)
	if fs, err := d.Deliver(context.Background(), b); err != nil || len(fs) != 0 {
		t.Fatalf("Deliver: %v, %v", err, fs)
	}
	byData := map[string]string{}
	shards := 0
	for i := range 4 {
		rs := readShard(t, c, "spread", fmt.Sprintf("shardId-%012d", i))
		if len(rs) > 0 {
			shards++
		}
		for _, r := range rs {
			byData[string(r.Data)] = aws.ToString(r.PartitionKey)
		}
	}
	if shards < 2 {
		t.Fatalf("records on %d shard(s)", shards)
	}
	for _, r := range b.Records {
		if k, ok := byData[string(r.Data)]; !ok || k != r.ID {
			t.Fatalf("record %s: stored %v with key %q", r.ID, ok, k)
		}
	}
}

// A record over the stream's maximum record size fails at once with
// Kinesis's error; the others are delivered.
func TestDeliverRecordTooLarge(t *testing.T) {
	svc, c := startKinesis(t, kservice.Config{})
	testutil.CreateStream(t, c, "sizes", 1)
	d := newDest(t, config("sizes", aws.String("k"), 100), kinesisdest.ServicePutter(svc))
	b := batch(5, 100)
	b.Records[2].Data = bytes.Repeat([]byte("b"), 1<<20)
	fs, err := d.Deliver(context.Background(), b)
	if err != nil || len(fs) != 1 {
		t.Fatalf("Deliver: %v, %d failures", err, len(fs))
	}
	f := fs[0]
	if f.ID != b.Records[2].ID || f.ErrorCode != "InvalidArgumentException" || f.AttemptsMade != 1 || f.OutputType != "kinesis-stream-failed" ||
		!strings.Contains(f.ErrorMessage, "exceeds the maximum record size of 1024 KiB") {
		t.Fatalf("failure %+v", f)
	}
	got := dataOf(readShard(t, c, "sizes", "shardId-000000000000"))
	want := wantData(b)
	want = append(want[:2], want[3:]...)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("stored %d records, want the other %d in order", len(got), len(want))
	}
}

// A missing stream is retried until the retry duration has passed, then
// every record fails with ResourceNotFoundException.
func TestDeliverStreamMissing(t *testing.T) {
	svc, _ := startKinesis(t, kservice.Config{})
	calls := atomic.Int32{}
	p := kinesisdest.ServicePutter(svc)
	counting := kinesisdest.PutterFunc(func(ctx context.Context, arn string, es []kinesisdest.Entry) ([]kinesisdest.EntryResult, error) {
		calls.Add(1)
		return p.PutRecords(ctx, arn, es)
	})
	d := newDest(t, config("gone", nil, 20), counting)
	b := batch(3, 10)
	start := time.Now()
	fs, err := d.Deliver(context.Background(), b)
	if err != nil || len(fs) != 3 {
		t.Fatalf("Deliver: %v, %d failures", err, len(fs))
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("gave up after %v, retry duration is %v", time.Since(start), 20*unit)
	}
	for i, f := range fs {
		if f.ID != b.Records[i].ID || f.ErrorCode != "ResourceNotFoundException" || f.AttemptsMade < 2 || int(calls.Load()) != f.AttemptsMade ||
			!strings.Contains(f.ErrorMessage, "gone") {
			t.Fatalf("failure %d: %+v (%d calls)", i, f, calls.Load())
		}
	}
}

// A stream created while delivery retries gets the records.
func TestDeliverStreamCreatedDuringRetry(t *testing.T) {
	svc, c := startKinesis(t, kservice.Config{})
	p := kinesisdest.ServicePutter(svc)
	var once sync.Once
	created := make(chan struct{})
	putter := kinesisdest.PutterFunc(func(ctx context.Context, arn string, es []kinesisdest.Entry) ([]kinesisdest.EntryResult, error) {
		res, err := p.PutRecords(ctx, arn, es)
		if err != nil {
			once.Do(func() { close(created) })
		}
		return res, err
	})
	d := newDest(t, config("later", aws.String("k"), 3000), putter)
	b := batch(10, 10)
	type result struct {
		fs  []dest.Failure
		err error
	}
	done := make(chan result, 1)
	go func() {
		fs, err := d.Deliver(context.Background(), b)
		done <- result{fs, err}
	}()
	<-created
	testutil.CreateStream(t, c, "later", 1)
	r := <-done
	if r.err != nil || len(r.fs) != 0 {
		t.Fatalf("Deliver: %v, %v", r.err, r.fs)
	}
	if got := dataOf(readShard(t, c, "later", "shardId-000000000000")); strings.Join(got, "") != strings.Join(wantData(b), "") {
		t.Fatalf("stored %q", got)
	}
}

// Throttled entries are sent again, alone, until they are stored; the
// order of one partition key holds.
func TestDeliverThrottled(t *testing.T) {
	svc, c := startKinesis(t, kservice.Config{ShardLimits: "aws"})
	testutil.CreateStream(t, c, "narrow", 1)
	var sent atomic.Int64
	p := kinesisdest.ServicePutter(svc)
	putter := kinesisdest.PutterFunc(func(ctx context.Context, arn string, es []kinesisdest.Entry) ([]kinesisdest.EntryResult, error) {
		sent.Add(int64(len(es)))
		return p.PutRecords(ctx, arn, es)
	})
	d := newDest(t, config("narrow", aws.String("k"), 1000), putter)
	b := batch(1500, 10) // a shard takes 1000 records a second
	fs, err := d.Deliver(context.Background(), b)
	if err != nil || len(fs) != 0 {
		t.Fatalf("Deliver: %v, %d failures", err, len(fs))
	}
	if sent.Load() <= 1500 {
		t.Fatalf("%d entries sent: nothing was throttled", sent.Load())
	}
	if got := dataOf(readShard(t, c, "narrow", "shardId-000000000000")); strings.Join(got, "") != strings.Join(wantData(b), "") {
		t.Fatalf("stored %d records, not the %d delivered in order", len(got), len(b.Records))
	}
}

// Only the entries that failed are sent again; those still failing when
// the retry duration has passed are failures with the entry's error code.
func TestDeliverRetriesFailedEntriesOnly(t *testing.T) {
	var mu sync.Mutex
	var requests [][]string
	putter := kinesisdest.PutterFunc(func(ctx context.Context, arn string, es []kinesisdest.Entry) ([]kinesisdest.EntryResult, error) {
		mu.Lock()
		defer mu.Unlock()
		var keys []string
		res := make([]kinesisdest.EntryResult, len(es))
		for i, e := range es {
			keys = append(keys, string(e.Data[:12]))
			if strings.HasPrefix(string(e.Data), "record-00001") {
				res[i] = kinesisdest.EntryResult{ErrorCode: "InternalFailure", ErrorMessage: "Internal service failure."}
				continue
			}
			res[i] = kinesisdest.EntryResult{ShardID: "shardId-000000000000", SequenceNumber: "1"}
		}
		requests = append(requests, keys)
		return res, nil
	})
	d := newDest(t, config("s", nil, 10), putter)
	b := batch(3, 10)
	fs, err := d.Deliver(context.Background(), b)
	if err != nil || len(fs) != 1 || fs[0].ID != "id-00001" || fs[0].ErrorCode != "InternalFailure" || fs[0].ErrorMessage != "Internal service failure." {
		t.Fatalf("Deliver: %v, %+v", err, fs)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(requests) < 2 || len(requests[0]) != 3 || fs[0].AttemptsMade != len(requests) {
		t.Fatalf("requests %v, attempts %d", requests, fs[0].AttemptsMade)
	}
	for _, r := range requests[1:] {
		if len(r) != 1 || r[0] != "record-00001" {
			t.Fatalf("retried %v", r)
		}
	}
}

// Chunks hold at most 500 records and 5 MiB.
func TestDeliverChunks(t *testing.T) {
	var mu sync.Mutex
	var sizes [][2]int
	putter := kinesisdest.PutterFunc(func(ctx context.Context, arn string, es []kinesisdest.Entry) ([]kinesisdest.EntryResult, error) {
		n := 0
		for _, e := range es {
			n += len(e.Data) + len(e.PartitionKey)
		}
		mu.Lock()
		sizes = append(sizes, [2]int{len(es), n})
		mu.Unlock()
		return make([]kinesisdest.EntryResult, len(es)), nil
	})
	d := newDest(t, config("s", aws.String("k"), 0), putter)
	for _, tc := range []struct {
		n, size int
		want    [][2]int
	}{
		{1001, 10, [][2]int{{500, 500 * 14}, {500, 500 * 14}, {1, 14}}}, // "record-NNNNN;" and the key
		{12, 1 << 19, [][2]int{{9, 9 * (1<<19 + 1)}, {3, 3 * (1<<19 + 1)}}},
		{3, 1<<20 + 10, [][2]int{{1, 1<<20 + 11}, {1, 1<<20 + 11}, {1, 1<<20 + 11}}},
	} {
		sizes = nil
		if fs, err := d.Deliver(context.Background(), batch(tc.n, tc.size)); err != nil || len(fs) != 0 {
			t.Fatalf("Deliver: %v %v", err, fs)
		}
		if fmt.Sprint(sizes) != fmt.Sprint(tc.want) {
			t.Fatalf("%d records of %d bytes: requests %v, want %v", tc.n, tc.size, sizes, tc.want)
		}
	}
}

// Deliver answers the context's error when it ends while retrying.
func TestDeliverContextCancelled(t *testing.T) {
	svc, _ := startKinesis(t, kservice.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	p := kinesisdest.ServicePutter(svc)
	putter := kinesisdest.PutterFunc(func(c context.Context, arn string, es []kinesisdest.Entry) ([]kinesisdest.EntryResult, error) {
		res, err := p.PutRecords(c, arn, es)
		cancel()
		return res, err
	})
	d := newDest(t, config("missing", nil, 7200), putter)
	fs, err := d.Deliver(ctx, batch(2, 10))
	if !errors.Is(err, context.Canceled) || fs != nil {
		t.Fatalf("Deliver: %v, %v", err, fs)
	}
}
