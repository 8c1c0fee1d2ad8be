package durability

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	ka "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
	katypes "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/kinesin/kinesin/internal/testutil"
)

// TestKill9AnalyticsLosesNoWindow runs an application counting records
// per key in 2-second tumbling windows while writers put records, kills
// the server with SIGKILL in the middle of a window, and starts it again
// on the same data dir. The application resumes from its checkpoint:
// outputs are at least once after a crash, so a window result may come
// out twice, but then with the same count, and none is lost: the counts
// of the distinct (window, key) results add up to the records stored in
// the input stream (every acknowledged record among them).
func TestKill9AnalyticsLosesNoWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	bin := testutil.BuildKinesin(t)
	dir := t.TempDir()
	addr := testutil.FreeAddr(t)
	args := []string{"--data-dir", dir, "--sync", "always", "--lease-ttl", "2s"}
	cmd := testutil.Serve(t, bin, addr, args...)
	url := "http://" + addr
	c := testutil.Kinesis(url)
	kc := ka.New(ka.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("t", "t", ""), Retryer: testutil.ConnRetryer()})
	ctx := context.Background()
	testutil.CreateStream(t, c, "events", 2)
	testutil.CreateStream(t, c, "counts", 1)

	const size = 2000 // window, ms
	code := `CREATE OR REPLACE STREAM "COUNTS" (K VARCHAR(8), N BIGINT, WEND BIGINT);
CREATE OR REPLACE PUMP "COUNT_PUMP" AS INSERT INTO "COUNTS"
SELECT STREAM K, COUNT(*) AS N, UNIX_TIMESTAMP(ROWTIME) AS WEND FROM "SOURCE_SQL_STREAM_001"
GROUP BY K, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '2' SECOND);`
	role := aws.String("arn:aws:iam::000000000000:role/kda")
	if _, err := kc.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("counter"), ApplicationCode: aws.String(code),
		Inputs: []katypes.Input{{NamePrefix: aws.String("SOURCE_SQL_STREAM"),
			KinesisStreamsInput: &katypes.KinesisStreamsInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/events"), RoleARN: role},
			InputSchema: &katypes.SourceSchema{
				RecordFormat: &katypes.RecordFormat{RecordFormatType: katypes.RecordFormatTypeJson,
					MappingParameters: &katypes.MappingParameters{JSONMappingParameters: &katypes.JSONMappingParameters{RecordRowPath: aws.String("$")}}},
				RecordColumns: []katypes.RecordColumn{{Name: aws.String("K"), SqlType: aws.String("VARCHAR(8)"), Mapping: aws.String("$.k")}},
			}}},
		Outputs: []katypes.Output{{Name: aws.String("COUNTS"),
			KinesisStreamsOutput: &katypes.KinesisStreamsOutput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/counts"), RoleARN: role},
			DestinationSchema:    &katypes.DestinationSchema{RecordFormatType: katypes.RecordFormatTypeJson}}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.StartApplication(ctx, &ka.StartApplicationInput{ApplicationName: aws.String("counter"),
		InputConfigurations: []katypes.InputConfiguration{{Id: aws.String("1.1"),
			InputStartingPositionConfiguration: &katypes.InputStartingPositionConfiguration{InputStartingPosition: katypes.InputStartingPositionTrimHorizon}}}}); err != nil {
		t.Fatal(err)
	}
	status := func() katypes.ApplicationStatus {
		out, err := kc.DescribeApplication(ctx, &ka.DescribeApplicationInput{ApplicationName: aws.String("counter")})
		if err != nil {
			return ""
		}
		return out.ApplicationDetail.ApplicationStatus
	}
	testutil.Eventually(t, 20*time.Second, "RUNNING", func() bool { return status() == katypes.ApplicationStatusRunning })

	// Writers put records with unique data until the server dies.
	var mu sync.Mutex
	acked := map[string]bool{}
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for n := 0; wctx.Err() == nil; n++ {
				var entries []ktypes.PutRecordsRequestEntry
				for i := range 10 {
					entries = append(entries, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(w, n, i)),
						Data: []byte(fmt.Sprintf(`{"k":"k%d","id":"w%d-%d-%d"}`, i%4, w, n, i))})
				}
				out, err := c.PutRecords(wctx, &kinesis.PutRecordsInput{StreamName: aws.String("events"), Records: entries})
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				for i, r := range out.Records {
					if r.ErrorCode == nil {
						acked[string(entries[i].Data)] = true
					}
				}
				mu.Unlock()
			}
		})
	}
	// Kill once two windows have come out, in the middle of a window.
	testutil.Eventually(t, 30*time.Second, "two windows emitted", func() bool {
		ends := map[int64]bool{}
		for _, r := range counts(t, c) {
			ends[r.wend] = true
		}
		return len(ends) >= 2
	})
	testutil.Eventually(t, 2*size*time.Millisecond, "the middle of a window", func() bool {
		ms := time.Now().UnixMilli() % size
		return ms >= size/3 && ms < 2*size/3
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	_ = cmd.Wait()
	cancel()
	wg.Wait()

	testutil.Serve(t, bin, addr, args...)
	testutil.WaitActive(t, c, "events")
	stored := map[string]bool{}
	for _, data := range readStream(t, c, "events") {
		stored[data] = true
	}
	for data := range acked {
		if !stored[data] {
			t.Fatalf("acknowledged record %s lost after kill -9", data)
		}
	}
	// The restarted server resumes the application (once the dead
	// process's lease expires) and every window closes.
	sum := func() (int, map[string]int) {
		distinct := map[string]int{}
		total := 0
		for _, r := range counts(t, c) {
			key := fmt.Sprint(r.wend, " ", r.k)
			if n, dup := distinct[key]; dup {
				if n != r.n {
					t.Fatalf("window result %s emitted twice with different counts: %d and %d", key, n, r.n)
				}
				continue
			}
			distinct[key] = r.n
			total += r.n
		}
		return total, distinct
	}
	testutil.Eventually(t, 30*time.Second, "the counts to add up to the stored records", func() bool {
		total, _ := sum()
		return total >= len(stored)
	})
	if _, err := kc.StopApplication(ctx, &ka.StopApplicationInput{ApplicationName: aws.String("counter")}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 20*time.Second, "READY", func() bool { return status() == katypes.ApplicationStatusReady })
	total, distinct := sum()
	if total != len(stored) {
		t.Fatalf("the distinct window results count %d records, the input stream holds %d (%d acknowledged): %v", total, len(stored), len(acked), distinct)
	}
	rows := counts(t, c)
	t.Logf("killed at %s: %d records stored (%d acknowledged), %d window results (%d repeated after the crash)",
		killed.Format("15:04:05.000"), len(stored), len(acked), len(rows), len(rows)-len(distinct))
}

type countRow struct {
	k    string
	n    int
	wend int64
}

// counts reads the application's output stream.
func counts(t *testing.T, c *kinesis.Client) []countRow {
	t.Helper()
	var out []countRow
	for _, data := range readStream(t, c, "counts") {
		var r struct {
			K    string
			N    int
			WEND int64
		}
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			t.Fatalf("output record %q: %v", data, err)
		}
		out = append(out, countRow{r.K, r.N, r.WEND})
	}
	return out
}

// readStream answers the data of every record of a stream, shard by shard.
func readStream(t *testing.T, c *kinesis.Client, stream string) []string {
	t.Helper()
	ctx := context.Background()
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, sh := range shards.Shards {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: sh.ShardId,
			ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		for iter := it.ShardIterator; iter != nil; {
			r, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range r.Records {
				out = append(out, string(rec.Data))
			}
			if len(r.Records) == 0 {
				break
			}
			iter = r.NextShardIterator
		}
	}
	return out
}
