package kinesis_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/internal/testutil"
	"github.com/kinesin/kinesin/router"
	kservice "github.com/kinesin/kinesin/router/kinesis"
	"github.com/kinesin/kinesin/router/shardstore"
)

// startService runs the Kinesis service alone on an in-process NATS and
// answers it with a client of its HTTP endpoint.
func startService(t *testing.T, cfg kservice.Config) (*kservice.Service, *kinesis.Client) {
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

func TestPutRecordsBatch(t *testing.T) {
	svc, c := startService(t, kservice.Config{})
	ctx := context.Background()
	testutil.CreateStream(t, c, "batch", 2)
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/batch"

	var entries []kservice.PutEntry
	for i := range 20 {
		entries = append(entries, kservice.PutEntry{PartitionKey: fmt.Sprint("k", i%4), Data: fmt.Appendf(nil, "r%02d", i)})
	}
	res, err := svc.PutRecords(ctx, arn, entries)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(entries) {
		t.Fatalf("%d results for %d entries", len(res), len(entries))
	}
	byShard := map[string][]string{}
	for i, r := range res {
		if r.ErrorCode != "" || r.SequenceNumber == "" || r.ShardID == "" {
			t.Fatalf("entry %d: %+v", i, r)
		}
		byShard[r.ShardID] = append(byShard[r.ShardID], r.SequenceNumber)
	}
	// What was stored reads back, in order and with the answered
	// sequence numbers, as a PutRecords call's records do.
	got := 0
	for shard, seqs := range byShard {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamARN: aws.String(arn), ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, StreamARN: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Records) != len(seqs) {
			t.Fatalf("shard %s: %d records, want %d", shard, len(out.Records), len(seqs))
		}
		for i, r := range out.Records {
			if *r.SequenceNumber != seqs[i] {
				t.Fatalf("shard %s record %d: sequence %s, PutRecords answered %s", shard, i, *r.SequenceNumber, seqs[i])
			}
			got++
		}
	}
	if got != len(entries) {
		t.Fatalf("read %d records, want %d", got, len(entries))
	}

	// An explicit hash key routes the entry.
	res, err = svc.PutRecords(ctx, arn, []kservice.PutEntry{{PartitionKey: "x", ExplicitHashKey: "0", Data: []byte("low")}})
	if err != nil || res[0].ShardID != "shardId-000000000000" {
		t.Fatalf("explicit hash key: %+v %v", res, err)
	}
}

func TestPutRecordsBatchErrors(t *testing.T) {
	svc, c := startService(t, kservice.Config{})
	ctx := context.Background()
	testutil.CreateStream(t, c, "small", 1)
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/small"
	big := bytes.Repeat([]byte("x"), 1<<20)
	for _, tc := range []struct {
		name    string
		arn     string
		entries []kservice.PutEntry
		code    string
	}{
		{"missing stream", "arn:aws:kinesis:us-east-1:000000000000:stream/none", []kservice.PutEntry{{PartitionKey: "k", Data: []byte("a")}}, "ResourceNotFoundException"},
		{"no entries", arn, nil, "ValidationException"},
		{"empty key", arn, []kservice.PutEntry{{Data: []byte("a")}}, "ValidationException"},
		{"record too big", arn, []kservice.PutEntry{{PartitionKey: "k", Data: big}}, "InvalidArgumentException"},
		{"request too big", arn, []kservice.PutEntry{
			{PartitionKey: "k", Data: big[:1<<19]}, {PartitionKey: "k", Data: big[:1<<20-10]}, {PartitionKey: "k", Data: big[:1<<20-10]},
			{PartitionKey: "k", Data: big[:1<<20-10]}, {PartitionKey: "k", Data: big[:1<<20-10]}, {PartitionKey: "k", Data: big[:1<<20-10]}}, "InvalidArgumentException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.PutRecords(ctx, tc.arn, tc.entries)
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Code != tc.code {
				t.Fatalf("want %s, got %v", tc.code, err)
			}
		})
	}
}

func TestPutRecordsBatchThrottled(t *testing.T) {
	svc, c := startService(t, kservice.Config{ShardLimits: "aws"})
	ctx := context.Background()
	testutil.CreateStream(t, c, "slow", 1)
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/slow"
	entries := make([]kservice.PutEntry, 500)
	for i := range entries {
		entries[i] = kservice.PutEntry{PartitionKey: "k", Data: []byte("d")}
	}
	throttled := 0
	for range 6 { // 3000 records: past a shard's 1000 records per second in any one second
		res, err := svc.PutRecords(ctx, arn, entries)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.ErrorCode == "ProvisionedThroughputExceededException" {
				throttled++
			}
		}
	}
	if throttled == 0 {
		t.Fatal("no entry throttled")
	}
}
