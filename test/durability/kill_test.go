package durability

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kinesin/kinesin/internal/testutil"
)

// TestKill9LosesNoAcknowledgedRecord kills the server with SIGKILL while
// writers are putting records, restarts it on the same data dir, and
// checks that every record the server acknowledged is there.
func TestKill9LosesNoAcknowledgedRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	bin := testutil.BuildKinesin(t)
	dir := t.TempDir()
	addr := testutil.FreeAddr(t)
	cmd := testutil.Serve(t, bin, addr, "--data-dir", dir, "--sync", "always")
	c := testutil.Kinesis("http://" + addr)
	testutil.CreateStream(t, c, "durable", 3)

	var mu sync.Mutex
	acked := map[string]string{} // data → sequence number
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				var entries []types.PutRecordsRequestEntry
				for i := range 20 {
					entries = append(entries, types.PutRecordsRequestEntry{Data: []byte(fmt.Sprintf("w%d-%d-%d", w, n, i)), PartitionKey: aws.String(fmt.Sprint(w, i))})
				}
				out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("durable"), Records: entries})
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				for i, r := range out.Records {
					if r.ErrorCode == nil {
						acked[string(entries[i].Data)] = *r.SequenceNumber
					}
				}
				mu.Unlock()
			}
		}()
	}
	testutil.Eventually(t, 30*time.Second, "some acknowledged records", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acked) >= 2000
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	cancel()
	wg.Wait()

	testutil.Serve(t, bin, addr, "--data-dir", dir, "--sync", "always")
	testutil.WaitActive(t, c, "durable")
	found := map[string]string{}
	for i := range 3 {
		it, err := c.GetShardIterator(context.Background(), &kinesis.GetShardIteratorInput{StreamName: aws.String("durable"),
			ShardId: aws.String(fmt.Sprintf("shardId-%012d", i)), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		iter := it.ShardIterator
		for {
			r, err := c.GetRecords(context.Background(), &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range r.Records {
				found[string(rec.Data)] = *rec.SequenceNumber
			}
			if len(r.Records) == 0 {
				break
			}
			iter = r.NextShardIterator
		}
	}
	for data, seq := range acked {
		if got, ok := found[data]; !ok || got != seq {
			t.Fatalf("acknowledged record %s (seq %s) lost after kill -9 (found %q); %d acknowledged, %d found", data, seq, got, len(acked), len(found))
		}
	}
	t.Logf("%d acknowledged records all survived kill -9 (%d stored)", len(acked), len(found))
}
