package kinesis_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
)

func newClient(t *testing.T) *kinesis.Client {
	t.Helper()
	s := testutil.Start(t, server.Config{})
	return testutil.Kinesis(s.URL())
}

// apiErr asserts err is an AWS error with the code and a message
// containing msg.
func apiErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s error, got %v", code, err)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("want %s %q, got %s %q", code, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func TestStreamLifecycle(t *testing.T) {
	c := newClient(t)
	ctx := context.Background()
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	w := kinesis.NewStreamExistsWaiter(c, func(o *kinesis.StreamExistsWaiterOptions) { o.MinDelay = 10 * time.Millisecond })
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	sd := d.StreamDescription
	if *sd.StreamARN != "arn:aws:kinesis:us-east-1:000000000000:stream/orders" || sd.StreamStatus != types.StreamStatusActive ||
		len(sd.Shards) != 3 || *sd.RetentionPeriodHours != 24 || sd.StreamModeDetails.StreamMode != types.StreamModeProvisioned {
		t.Fatalf("unexpected description %+v", sd)
	}
	if *sd.Shards[0].HashKeyRange.StartingHashKey != "0" || *sd.Shards[2].HashKeyRange.EndingHashKey != "340282366920938463463374607431768211455" {
		t.Fatalf("hash ranges do not cover the key space: %+v %+v", sd.Shards[0].HashKeyRange, sd.Shards[2].HashKeyRange)
	}
	if *sd.Shards[1].ShardId != "shardId-000000000001" {
		t.Fatalf("shard id %s", *sd.Shards[1].ShardId)
	}
	// Pagination of shards.
	d, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders"), Limit: aws.Int32(2)})
	if err != nil || len(d.StreamDescription.Shards) != 2 || !*d.StreamDescription.HasMoreShards {
		t.Fatalf("limit 2: %v %+v", err, d)
	}
	d, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders"), ExclusiveStartShardId: aws.String("shardId-000000000001")})
	if err != nil || len(d.StreamDescription.Shards) != 1 || *d.StreamDescription.HasMoreShards {
		t.Fatalf("exclusive start: %v %+v", err, d)
	}
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)})
	apiErr(t, err, "ResourceInUseException", "Stream orders under account 000000000000 already exists.")

	testutil.CreateStream(t, c, "audit", 1)
	l, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(1)})
	if err != nil || len(l.StreamNames) != 1 || l.StreamNames[0] != "audit" || !*l.HasMoreStreams || l.NextToken == nil {
		t.Fatalf("list page 1: %v %+v", err, l)
	}
	l, err = c.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: l.NextToken})
	if err != nil || len(l.StreamNames) != 1 || l.StreamNames[0] != "orders" || *l.HasMoreStreams || l.StreamSummaries[0].StreamStatus != types.StreamStatusActive {
		t.Fatalf("list page 2: %v %+v", err, l)
	}
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/orders")})
	if err != nil || *sum.StreamDescriptionSummary.OpenShardCount != 3 || *sum.StreamDescriptionSummary.ConsumerCount != 0 {
		t.Fatalf("summary by ARN: %v %+v", err, sum)
	}
	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	nw := kinesis.NewStreamNotExistsWaiter(c, func(o *kinesis.StreamNotExistsWaiterOptions) { o.MinDelay = 10 * time.Millisecond })
	if err := nw.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders")})
	apiErr(t, err, "ResourceNotFoundException", "Stream orders under account 000000000000 not found.")
}

func TestPutGetRoundTrip(t *testing.T) {
	c := newClient(t)
	ctx := context.Background()
	testutil.CreateStream(t, c, "s", 4)
	var entries []types.PutRecordsRequestEntry
	for i := range 200 {
		entries = append(entries, types.PutRecordsRequestEntry{Data: []byte(fmt.Sprintf("record-%03d", i)), PartitionKey: aws.String(fmt.Sprintf("key-%d", i%7))})
	}
	out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: entries})
	if err != nil || *out.FailedRecordCount != 0 || len(out.Records) != 200 {
		t.Fatalf("put records: %v %+v", err, out)
	}
	one, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), Data: []byte("single"), PartitionKey: aws.String("key-1")})
	if err != nil {
		t.Fatal(err)
	}
	if one.SequenceNumber == nil || len(*one.SequenceNumber) != 56 {
		t.Fatalf("sequence number %v", one.SequenceNumber)
	}
	// Read every shard back and check order per partition key.
	got := map[string][]string{}
	total := 0
	for i := range 4 {
		shard := fmt.Sprintf("shardId-%012d", i)
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatal(err)
		}
		prev := ""
		for _, rec := range r.Records {
			if *rec.SequenceNumber <= prev {
				t.Fatalf("sequence numbers not increasing in %s: %s after %s", shard, *rec.SequenceNumber, prev)
			}
			prev = *rec.SequenceNumber
			got[*rec.PartitionKey] = append(got[*rec.PartitionKey], string(rec.Data))
			if time.Since(*rec.ApproximateArrivalTimestamp) > time.Minute {
				t.Fatalf("arrival timestamp %v", rec.ApproximateArrivalTimestamp)
			}
			total++
		}
		if r.NextShardIterator == nil || *r.MillisBehindLatest != 0 {
			t.Fatalf("open shard: next iterator %v behind %v", r.NextShardIterator, r.MillisBehindLatest)
		}
	}
	if total != 201 {
		t.Fatalf("read %d records, want 201", total)
	}
	for k, recs := range got {
		var want []string
		for i := range 200 {
			if fmt.Sprintf("key-%d", i%7) == k {
				want = append(want, fmt.Sprintf("record-%03d", i))
			}
		}
		if k == "key-1" {
			want = append(want, "single")
		}
		if strings.Join(recs, ",") != strings.Join(want, ",") {
			t.Fatalf("key %s: order %v, want %v", k, recs, want)
		}
	}
	// The record returned by PutRecord is found where it says.
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: one.ShardId,
		ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: one.SequenceNumber})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(1)})
	if err != nil || len(r.Records) != 1 || !bytes.Equal(r.Records[0].Data, []byte("single")) || *r.Records[0].SequenceNumber != *one.SequenceNumber {
		t.Fatalf("AT_SEQUENCE_NUMBER: %v %+v", err, r)
	}
}
