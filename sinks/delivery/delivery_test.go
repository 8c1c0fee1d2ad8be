package delivery_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/internal/testutil"
	"github.com/kinesin/kinesin/sinks/delivery"
	"github.com/kinesin/kinesin/sinks/dest"
	"github.com/kinesin/kinesin/sinks/keys"
	"github.com/kinesin/kinesin/sinks/objstore"
	"github.com/kinesin/kinesin/sinks/process"
	"github.com/kinesin/kinesin/sinks/s3"
)

// setup makes a stream of stored messages (one record a line each) and a
// durable consumer on it.
func setup(t *testing.T, msgs ...string) jetstream.Consumer {
	t.Helper()
	ctx := context.Background()
	js := natstest.JetStream(t)
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "R", Subjects: []string{"r"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if _, err := js.Publish(ctx, "r", []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	cons, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: "d", AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: 30 * time.Second, MaxDeliver: -1})
	if err != nil {
		t.Fatal(err)
	}
	return cons
}

func lines(m jetstream.Msg) ([][]byte, error) {
	var out [][]byte
	for _, l := range strings.Split(string(m.Data()), "\n") {
		out = append(out, []byte(l+"\n"))
	}
	return out, nil
}

// config partitions JSON records by "k" (CEL metadata extraction) into an
// S3 destination on the filesystem.
func config(t *testing.T, dir string, size int, interval time.Duration) delivery.Config {
	t.Helper()
	pipe, err := process.Compile(process.Config{Enabled: true, Processors: []process.Processor{{Type: process.TypeMetadataExtraction,
		Parameters: []process.Parameter{{ParameterName: process.ParamMetadataExtractionQuery, ParameterValue: `cel:has(data.k) ? {"k": string(data.k)} : {"other": "x"}`}}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	prefix := "k=!{partitionKeyFromQuery:k}/"
	d, err := s3.New(s3.Config{Bucket: "b", Prefix: prefix, ErrorOutputPrefix: "err/!{firehose:error-output-type}/", Stream: "s", Version: 1},
		objstore.NewFS(dir), dest.Options{TimeUnit: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := keys.Parse(prefix)
	return delivery.Config{Stream: "s", SizeBytes: size, Interval: interval, Split: lines, Pipeline: pipe,
		Partition: p.PartitionKeys(), Destination: d, Errors: d}
}

// pending answers the consumer's unacknowledged and undelivered counts.
func pending(t *testing.T, cons jetstream.Consumer) (ackPending int, numPending uint64) {
	info, err := cons.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.NumAckPending, info.NumPending
}

// TestAckAfterEveryPartition: a stored message whose records went to two
// partitions is acknowledged only once both are written. The loop stops
// with one partition written (by size) and the other buffered (its
// interval never comes); the message goes back to the stream, and a second
// loop delivers it — the written partition twice, as Firehose may.
func TestAckAfterEveryPartition(t *testing.T) {
	dir := t.TempDir()
	big := strings.Repeat("x", 200)
	cons := setup(t, `{"k":"a","v":"`+big+`"}`+"\n"+`{"k":"b","v":1}`)
	store := objstore.NewFS(dir)
	c := config(t, dir, 100, time.Hour) // "a" fills its buffer at once; "b" waits
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = delivery.Run(ctx, cons, c) }()
	testutil.Eventually(t, 10*time.Second, "partition a written", func() bool {
		ks, _ := store.List(context.Background(), "b", "k=a/")
		return len(ks) == 1
	})
	if ack, _ := pending(t, cons); ack != 1 {
		t.Fatalf("%d messages awaiting acknowledgement with partition b buffered, want 1", ack)
	}
	cancel()
	<-done
	// The message was handed back: a new loop with a short interval
	// delivers both partitions and acknowledges it.
	c = config(t, dir, 100, 10*time.Millisecond)
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = delivery.Run(ctx, cons, c) }()
	testutil.Eventually(t, 10*time.Second, "partition b written and the message acknowledged", func() bool {
		ks, _ := store.List(context.Background(), "b", "k=b/")
		ack, left := pending(t, cons)
		return len(ks) == 1 && ack == 0 && left == 0
	})
	ks, _ := store.List(context.Background(), "b", "k=a/")
	if len(ks) != 2 {
		t.Fatalf("partition a objects %v, want the first and the redelivered one", ks)
	}
}

// TestFailuresToErrorOutput: a record without the partition key goes to
// the error output, the others are delivered, and the message is
// acknowledged.
func TestFailuresToErrorOutput(t *testing.T) {
	dir := t.TempDir()
	cons := setup(t, `{"k":"a"}`+"\n"+`{"nokey":1}`)
	store := objstore.NewFS(dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var stats []delivery.Stats
	c := config(t, dir, 1<<20, 0)
	c.Observe = func(s delivery.Stats) { mu.Lock(); stats = append(stats, s); mu.Unlock() }
	go func() { _ = delivery.Run(ctx, cons, c) }()
	testutil.Eventually(t, 10*time.Second, "delivered, failed and acknowledged", func() bool {
		ok, _ := store.List(context.Background(), "b", "k=a/")
		bad, _ := store.List(context.Background(), "b", "err/processing-failed/")
		ack, left := pending(t, cons)
		return len(ok) == 1 && len(bad) == 1 && ack == 0 && left == 0
	})
	bad, _ := store.List(context.Background(), "b", "err/processing-failed/")
	doc, err := store.Get(context.Background(), "b", bad[0])
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(doc, &f); err != nil || f["errorCode"] != delivery.CodePartitionKeyMissing {
		t.Fatalf("failure document %s: %v", doc, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(stats) != 1 || stats[0].Records != 1 {
		t.Fatalf("stats %+v", stats)
	}
}

// TestActivePartitionLimit: records of partitions beyond the quota go to
// the error output as activePartitionExceeded.
func TestActivePartitionLimit(t *testing.T) {
	dir := t.TempDir()
	cons := setup(t, `{"k":"a"}`+"\n"+`{"k":"b"}`+"\n"+`{"k":"c"}`+"\n"+`{"k":"a"}`)
	store := objstore.NewFS(dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := config(t, dir, 1<<20, 10*time.Millisecond)
	c.MaxPartitions = 2
	go func() { _ = delivery.Run(ctx, cons, c) }()
	testutil.Eventually(t, 10*time.Second, "two partitions and one excess record", func() bool {
		a, _ := store.List(context.Background(), "b", "k=a/")
		b, _ := store.List(context.Background(), "b", "k=b/")
		x, _ := store.List(context.Background(), "b", "err/"+delivery.OutputActivePartitionExceeded+"/")
		ack, left := pending(t, cons)
		return len(a) == 1 && len(b) == 1 && len(x) == 1 && ack == 0 && left == 0
	})
	if c, _ := store.List(context.Background(), "b", "k=c/"); len(c) != 0 {
		t.Fatalf("partition c written: %v", c)
	}
}
