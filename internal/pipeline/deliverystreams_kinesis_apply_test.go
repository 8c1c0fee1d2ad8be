package pipeline_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kinesin/kinesin/internal/pipeline"
	"github.com/kinesin/kinesin/internal/testutil"
)

const teeV1 = `streams:
  - name: copy
delivery_streams:
  - name: tee
    kinesis_stream:
      KinesisStreamARN: arn:aws:kinesis:us-east-1:000000000000:stream/copy
      PartitionKey: one
      BufferingHints: {SizeInMBs: 1, IntervalInSeconds: 0}
      RetryOptions: {DurationInSeconds: 60}
      S3Configuration:
        BucketARN: arn:aws:s3:::backup
        RoleARN: arn:aws:iam::000000000000:role/firehose
`

// describedKinesisStream answers the raw KinesisStreamDestinationDescription.
func describedKinesisStream(t *testing.T, c pipeline.Clients, name string) map[string]any {
	t.Helper()
	raw, err := pipeline.DescribeRaw(context.Background(), c.Firehose, name)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		DeliveryStreamDescription struct {
			Destinations []struct {
				KinesisStreamDestinationDescription map[string]any
			}
		}
	}
	if err := json.Unmarshal(raw, &out); err != nil || len(out.DeliveryStreamDescription.Destinations) != 1 {
		t.Fatalf("DescribeDeliveryStream answered %s (%v)", raw, err)
	}
	return out.DeliveryStreamDescription.Destinations[0].KinesisStreamDestinationDescription
}

// TestApplyDeliveryStreamKinesisStream: the kinesis_stream destination
// (kinesin's own) is created with KinesisStreamDestinationConfiguration,
// delivers records into the stream in order under the fixed partition
// key, compares equal on the next apply from the raw description, and a
// changed member goes out with UpdateDestination's
// KinesisStreamDestinationUpdate.
func TestApplyDeliveryStreamKinesisStream(t *testing.T) {
	c, _ := startFirehoseServer(t)
	ctx := context.Background()
	dir := t.TempDir()

	wantLines(t, apply(t, c, dir, teeV1),
		"stream copy: created (provisioned, 1 shard)",
		"delivery stream tee: created (DirectPut → kinesis_stream arn:aws:kinesis:us-east-1:000000000000:stream/copy)",
		"delivery stream tee: ACTIVE",
		"2 resources changed")
	if d := describedKinesisStream(t, c, "tee"); d["KinesisStreamARN"] != "arn:aws:kinesis:us-east-1:000000000000:stream/copy" || d["PartitionKey"] != "one" {
		t.Errorf("described %v", d)
	}
	wantLines(t, apply(t, c, dir, teeV1), "stream copy: unchanged", "delivery stream tee: unchanged", "no changes")

	if _, err := c.Firehose.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{
		DeliveryStreamName: aws.String("tee"),
		Records:            []ftypes.Record{{Data: []byte("a")}, {Data: []byte("b")}, {Data: []byte("c")}},
	}); err != nil {
		t.Fatal(err)
	}
	it, err := c.Kinesis.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("copy"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	iter := it.ShardIterator
	var got []string
	testutil.Eventually(t, 30*time.Second, "3 records in stream copy", func() bool {
		out, err := c.Kinesis.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatal(err)
		}
		iter = out.NextShardIterator
		for _, r := range out.Records {
			if k := aws.ToString(r.PartitionKey); k != "one" {
				t.Errorf("partition key %q", k)
			}
			got = append(got, string(r.Data))
		}
		return len(got) >= 3
	})
	if strings.Join(got, "") != "abc" {
		t.Errorf("stream copy holds %q", got)
	}

	v2 := strings.Replace(teeV1, "PartitionKey: one", "PartitionKey: two", 1)
	wantLines(t, apply(t, c, dir, v2),
		"stream copy: unchanged",
		"delivery stream tee: kinesis_stream.PartitionKey one → two",
		"1 resource changed")
	if d := describedKinesisStream(t, c, "tee"); d["PartitionKey"] != "two" {
		t.Errorf("described after the update %v", d)
	}
	wantLines(t, apply(t, c, dir, v2), "stream copy: unchanged", "delivery stream tee: unchanged", "no changes")
}
