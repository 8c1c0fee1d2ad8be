package failover

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/internal/pipeline"
	"github.com/kinesin/kinesin/internal/testutil"
)

func startNATS(t *testing.T) string {
	ns, _ := natstest.Start(t, true)
	return ns.ClientURL()
}

// serve starts `kinesin serve` on the NATS server with 1 s leases.
func serve(t *testing.T, bin, natsURL string) (*exec.Cmd, string) {
	t.Helper()
	addr := testutil.FreeAddr(t)
	cmd := testutil.Serve(t, bin, addr, "--data-dir", t.TempDir(), "--nats", natsURL, "--lease-ttl", "1s", "--log-level", "warn")
	return cmd, "http://" + addr
}

type shardStatus struct {
	ShardID  string `json:"ShardId"`
	Owner    string `json:"Owner"`
	Finished bool   `json:"Finished"`
}

func shards(url, uuid string) ([]shardStatus, error) {
	resp, err := http.Get(url + "/kinesin/v1/event-source-mappings/" + uuid + "/shards")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct{ Shards []shardStatus }
	err = json.NewDecoder(resp.Body).Decode(&out)
	return out.Shards, err
}

// TestKilledProcessShardsMove runs a mapping on two kinesin processes
// sharing a NATS server, kills one with SIGKILL mid-stream, and checks
// that the survivor takes its shards: every record reaches the function,
// and only records of the dead process's shards, at most one batch per
// shard, are delivered twice.
func TestKilledProcessShardsMove(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	ctx := context.Background()
	bin := testutil.BuildKinesin(t)
	code, err := pipeline.Package(ctx, "testdata/recorder", "provided.al2023", nil)
	if err != nil {
		t.Fatal(err)
	}
	natsURL := startNATS(t)
	a, _ := serve(t, bin, natsURL)
	_, urlB := serve(t, bin, natsURL)

	out := filepath.Join(t.TempDir(), "records.txt")
	creds := credentials.NewStaticCredentialsProvider("t", "t", "")
	lc := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(urlB), Credentials: creds, Retryer: testutil.ConnRetryer()})
	kc := testutil.Kinesis(urlB)
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("recorder"), Runtime: ltypes.RuntimeProvidedal2023,
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Handler: aws.String("bootstrap"), Code: &ltypes.FunctionCode{ZipFile: code},
		Environment: &ltypes.Environment{Variables: map[string]string{"OUT": out}}}); err != nil {
		t.Fatal(err)
	}
	const nShards, batch = 4, 10
	testutil.CreateStream(t, kc, "orders", nShards)
	testutil.WaitActive(t, kc, "orders")
	m, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("recorder"),
		EventSourceArn: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/orders"), StartingPosition: ltypes.EventSourcePositionTrimHorizon,
		BatchSize: aws.Int32(batch)})
	if err != nil {
		t.Fatal(err)
	}
	// Both processes take a share of the shards.
	ownerA := fmt.Sprintf("-%d-", a.Process.Pid)
	var aShards []string
	testutil.Eventually(t, 30*time.Second, "both processes owning shards", func() bool {
		ss, err := shards(urlB, *m.UUID)
		if err != nil || len(ss) != nShards {
			return false
		}
		owners := map[string]bool{}
		aShards = aShards[:0]
		for _, s := range ss {
			if s.Owner == "" {
				return false
			}
			owners[s.Owner] = true
			if strings.Contains(s.Owner, ownerA) {
				aShards = append(aShards, s.ShardID)
			}
		}
		return len(owners) == 2
	})

	put := func(from, to int) {
		for i := from; i < to; i += 100 {
			var recs []ktypes.PutRecordsRequestEntry
			for j := i; j < min(i+100, to); j++ {
				recs = append(recs, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint("k", j%37)), Data: []byte(fmt.Sprint("r", j))})
			}
			res, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("orders"), Records: recs})
			if err != nil || aws.ToInt32(res.FailedRecordCount) != 0 {
				t.Fatalf("put: %v", err)
			}
		}
	}
	const total = 3000
	put(0, total/2)
	// Kill A while its shards have work in flight.
	testutil.Eventually(t, 30*time.Second, "records being processed", func() bool { return len(readLines(t, out)) > total/6 })
	if err := a.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = a.Wait()
	put(total/2, total)

	testutil.Eventually(t, 60*time.Second, "every record delivered", func() bool {
		seen := map[string]bool{}
		for _, l := range readLines(t, out) {
			seen[l[2]] = true
		}
		return len(seen) == total
	})
	ss, err := shards(urlB, *m.UUID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		if strings.Contains(s.Owner, ownerA) {
			t.Errorf("%s still owned by the dead process", s.ShardID)
		}
	}
	// Duplicates: only on the dead process's shards, at most one batch each.
	count := map[string]int{}
	dupes := map[string]int{}
	for _, l := range readLines(t, out) {
		count[l[1]]++
		if count[l[1]] == 2 {
			dupes[l[0]]++
		}
	}
	for shard, n := range dupes {
		owned := false
		for _, s := range aShards {
			owned = owned || s == shard
		}
		if !owned || n > batch {
			t.Errorf("%s: %d records delivered twice (dead process owned %v; at most %d expected)", shard, n, aShards, batch)
		}
	}
	t.Logf("%d records delivered; dead process owned %v; duplicates per shard %v", total, aShards, dupes)
}

// readLines returns the recorder's lines split into shard, sequence
// number and data.
func readLines(t *testing.T, path string) [][3]string {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][3]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), " ", 3)
		if len(parts) == 3 {
			out = append(out, [3]string{parts[0], parts[1], parts[2]})
		}
	}
	return out
}
