package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
)

func putN(t *testing.T, c *kinesis.Client, stream string, n int) {
	t.Helper()
	var entries []types.PutRecordsRequestEntry
	for i := range n {
		entries = append(entries, types.PutRecordsRequestEntry{Data: []byte(fmt.Sprint("r", i)), PartitionKey: aws.String(fmt.Sprint("k", i))})
	}
	out, err := c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
	if err != nil || *out.FailedRecordCount != 0 {
		t.Fatalf("put: %v %+v", err, out)
	}
}

func countRecords(t *testing.T, c *kinesis.Client, stream string) int {
	t.Helper()
	ctx := context.Background()
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, sh := range shards.Shards {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatal(err)
		}
		n += len(r.Records)
	}
	return n
}

// TestRestartKeepsData stops a server and starts another on the same data
// dir: streams, shards, tags and records are all still there.
func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s1, err := server.Start(ctx, server.Config{Listen: "127.0.0.1:0", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c := testutil.Kinesis(s1.URL())
	testutil.CreateStream(t, c, "keep", 2)
	if _, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("keep"), Tags: map[string]string{"team": "a"}}); err != nil {
		t.Fatal(err)
	}
	putN(t, c, "keep", 50)
	if err := s1.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s2 := testutil.Start(t, server.Config{DataDir: dir})
	c = testutil.Kinesis(s2.URL())
	testutil.WaitActive(t, c, "keep")
	if n := countRecords(t, c, "keep"); n != 50 {
		t.Fatalf("after restart: %d records, want 50", n)
	}
	tags, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("keep")})
	if err != nil || len(tags.Tags) != 1 {
		t.Fatalf("tags after restart: %v %+v", err, tags)
	}
	putN(t, c, "keep", 10)
	if n := countRecords(t, c, "keep"); n != 60 {
		t.Fatalf("after more puts: %d records, want 60", n)
	}
}

// TestExternalNATS runs two stateless kinesin processes against one
// external NATS server: what one writes, the other reads.
func TestExternalNATS(t *testing.T) {
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), MaxPayload: 8 << 20, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats not ready")
	}
	defer ns.Shutdown()
	a := testutil.Start(t, server.Config{NATSURL: ns.ClientURL()})
	b := testutil.Start(t, server.Config{NATSURL: ns.ClientURL()})
	ca, cb := testutil.Kinesis(a.URL()), testutil.Kinesis(b.URL())
	testutil.CreateStream(t, ca, "shared", 2)
	testutil.WaitActive(t, cb, "shared")
	putN(t, ca, "shared", 20)
	putN(t, cb, "shared", 20)
	testutil.Eventually(t, 10*time.Second, "both processes see 40 records", func() bool {
		return countRecords(t, ca, "shared") == 40 && countRecords(t, cb, "shared") == 40
	})
	// A split made through one process is seen and routed by the other.
	if _, err := cb.SplitShard(context.Background(), &kinesis.SplitShardInput{StreamName: aws.String("shared"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("1000")}); err != nil {
		t.Fatal(err)
	}
	testutil.WaitActive(t, ca, "shared")
	putN(t, ca, "shared", 20)
	testutil.Eventually(t, 10*time.Second, "60 records", func() bool { return countRecords(t, cb, "shared") == 60 })
}

func TestHealthAndMetrics(t *testing.T) {
	s := testutil.Start(t, server.Config{})
	c := testutil.Kinesis(s.URL())
	resp, err := http.Get(s.URL() + "/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health: %v %v", err, resp)
	}
	resp.Body.Close()
	testutil.CreateStream(t, c, "m", 1)
	putN(t, c, "m", 7)
	countRecords(t, c, "m")
	resp, err = http.Get(s.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`kinesis_IncomingRecords{shard="0",stream="m"} 7`,
		`kinesis_GetRecords_Records{shard="0",stream="m"} 7`,
		`kinesis_IteratorAgeMilliseconds{shard="0",stream="m"}`,
		`kinesis_IncomingBytes{shard="0",stream="m"}`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestShardLimitsAWS(t *testing.T) {
	s := testutil.Start(t, server.Config{ShardLimits: "aws"})
	c := testutil.Kinesis(s.URL())
	testutil.CreateStream(t, c, "slow", 1)
	ctx := context.Background()
	// 1,000 records per second per shard: batches of 500 sent back to back
	// pass that within some second.
	var failed int32
	for try := 0; failed == 0 && try < 40; try++ {
		var entries []types.PutRecordsRequestEntry
		for i := range 500 {
			entries = append(entries, types.PutRecordsRequestEntry{Data: []byte("x"), PartitionKey: aws.String(fmt.Sprint(i))})
		}
		out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("slow"), Records: entries})
		if err != nil {
			t.Fatal(err)
		}
		failed += *out.FailedRecordCount
		for _, r := range out.Records {
			if r.ErrorCode != nil && *r.ErrorCode != "ProvisionedThroughputExceededException" {
				t.Fatalf("error code %s", *r.ErrorCode)
			}
		}
	}
	if failed == 0 {
		t.Fatal("20,000 records sent back to back were never throttled")
	}
}

// TestExamplePipeline serves with the example pipeline file of the README
// and checks that what it declares exists.
func TestExamplePipeline(t *testing.T) {
	s := testutil.Start(t, server.Config{PipelineFile: "../../examples/pipeline.yaml"})
	c := testutil.Kinesis(s.URL())
	ctx := context.Background()
	orders, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if err != nil || *orders.StreamDescriptionSummary.OpenShardCount != 4 || *orders.StreamDescriptionSummary.RetentionPeriodHours != 48 {
		t.Fatalf("orders: %v %+v", err, orders)
	}
	clicks, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("clicks")})
	if err != nil || clicks.StreamDescriptionSummary.StreamModeDetails.StreamMode != types.StreamModeOnDemand {
		t.Fatalf("clicks: %v %+v", err, clicks)
	}
}
