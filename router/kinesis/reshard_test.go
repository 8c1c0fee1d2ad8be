package kinesis_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kinesin/kinesin/internal/testutil"
)

// readLineage reads a whole stream the way a KCL worker does: every shard
// from TRIM_HORIZON to its end, children only after all their parents, and
// returns the records per partition key in the order read.
func readLineage(t *testing.T, c *kinesis.Client, stream string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	done := map[string]bool{}
	out := map[string][]string{}
	for len(done) < len(shards.Shards) {
		progressed := false
		for _, sh := range shards.Shards {
			id := *sh.ShardId
			if done[id] {
				continue
			}
			if (sh.ParentShardId != nil && !done[*sh.ParentShardId] && known(shards.Shards, *sh.ParentShardId)) ||
				(sh.AdjacentParentShardId != nil && !done[*sh.AdjacentParentShardId] && known(shards.Shards, *sh.AdjacentParentShardId)) {
				continue
			}
			if sh.SequenceNumberRange.EndingSequenceNumber == nil {
				// Open shard: read until caught up.
				for _, r := range readShard(t, c, stream, id, false) {
					out[*r.PartitionKey] = append(out[*r.PartitionKey], string(r.Data))
				}
			} else {
				for _, r := range readShard(t, c, stream, id, true) {
					out[*r.PartitionKey] = append(out[*r.PartitionKey], string(r.Data))
				}
			}
			done[id] = true
			progressed = true
		}
		if !progressed {
			t.Fatalf("lineage cycle or missing parent in %+v", shards.Shards)
		}
	}
	return out
}

func known(shards []types.Shard, id string) bool {
	for _, s := range shards {
		if *s.ShardId == id {
			return true
		}
	}
	return false
}

// readShard reads one shard; a closed shard until NextShardIterator is
// null (checking ChildShards), an open one until caught up.
func readShard(t *testing.T, c *kinesis.Client, stream, shard string, closed bool) []types.Record {
	t.Helper()
	ctx := context.Background()
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	var recs []types.Record
	iter := it.ShardIterator
	for iter != nil {
		r, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(777)})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r.Records...)
		iter = r.NextShardIterator
		if iter == nil && len(r.ChildShards) == 0 {
			t.Fatalf("closed shard %s ended without ChildShards", shard)
		}
		if !closed && len(r.Records) == 0 && *r.MillisBehindLatest == 0 {
			break
		}
	}
	return recs
}

func TestReshardUnderLoad(t *testing.T) {
	c := newClient(t)
	ctx := context.Background()
	testutil.CreateStream(t, c, "load", 2)

	// Writers put numbered records per key, each waiting for its ack.
	var wg sync.WaitGroup
	var stop atomic.Bool
	sent := make([]int, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("writer-%d", w)
			for n := 0; !stop.Load(); n++ {
				var entries []types.PutRecordsRequestEntry
				for i := range 5 {
					entries = append(entries, types.PutRecordsRequestEntry{Data: []byte(fmt.Sprintf("%06d", n*5+i)), PartitionKey: aws.String(key)})
				}
				out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("load"), Records: entries})
				if err != nil || *out.FailedRecordCount != 0 {
					t.Errorf("put during reshard: %v %+v", err, out)
					return
				}
				sent[w] = n*5 + 5
			}
		}()
	}
	waitRecords := func(n int) {
		testutil.Eventually(t, 30*time.Second, "writes", func() bool {
			total := 0
			for _, s := range sent {
				total += s
			}
			return total >= n
		})
	}
	waitRecords(200)
	shards, _ := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("load")})
	first := shards.Shards[0]
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("load"), ShardToSplit: first.ShardId,
		NewStartingHashKey: aws.String("85070591730234615865843651857942052864")}); err != nil {
		t.Fatal(err)
	}
	testutil.WaitActive(t, c, "load")
	waitRecords(600)
	// Merge the two children back.
	if _, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("load"),
		ShardToMerge: aws.String("shardId-000000000002"), AdjacentShardToMerge: aws.String("shardId-000000000003")}); err != nil {
		t.Fatal(err)
	}
	testutil.WaitActive(t, c, "load")
	waitRecords(1000)
	if _, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("load"), TargetShardCount: aws.Int32(3), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
		t.Fatal(err)
	}
	testutil.WaitActive(t, c, "load")
	waitRecords(1400)
	stop.Store(true)
	wg.Wait()

	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("load")})
	if err != nil || *sum.StreamDescriptionSummary.OpenShardCount != 3 {
		t.Fatalf("open shards after UpdateShardCount: %v %+v", err, sum)
	}
	got := readLineage(t, c, "load")
	for w, n := range sent {
		recs := got[fmt.Sprintf("writer-%d", w)]
		if len(recs) != n {
			t.Fatalf("writer %d: read %d records, acknowledged %d", w, len(recs), n)
		}
		if !sort.StringsAreSorted(recs) {
			t.Fatalf("writer %d: records out of order across reshards", w)
		}
	}
	open, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("load"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})
	if err != nil || len(open.Shards) != 3 {
		t.Fatalf("AT_LATEST: %v %d", err, len(open.Shards))
	}
	// Splitting a closed shard again must fail.
	_, err = c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("load"), ShardToSplit: first.ShardId, NewStartingHashKey: aws.String("1000")})
	apiErr(t, err, "InvalidArgumentException", "has already been merged or split")
}
