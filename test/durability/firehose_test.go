package durability

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/kinesin/kinesin/internal/testutil"
)

// TestKill9FirehoseDeliversEveryAcknowledgedRecord kills the server with
// SIGKILL while writers put records to a delivery stream whose buffer
// holds them (a one-hour interval), restarts it on the same data dir,
// shortens the interval with UpdateDestination, and checks that every
// acknowledged record ends up in an object.
func TestKill9FirehoseDeliversEveryAcknowledgedRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	bin := testutil.BuildKinesin(t)
	dir := t.TempDir()
	addr := testutil.FreeAddr(t)
	cmd := testutil.Serve(t, bin, addr, "--data-dir", dir, "--sync", "always")
	fc := firehose.New(firehose.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + addr),
		Credentials: credentials.NewStaticCredentialsProvider("t", "t", ""), Retryer: testutil.ConnRetryer()})
	ctx := context.Background()
	if _, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("keep"),
		ExtendedS3DestinationConfiguration: &ftypes.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/f"),
			CompressionFormat: ftypes.CompressionFormatGzip,
			BufferingHints:    &ftypes.BufferingHints{SizeInMBs: aws.Int32(128), IntervalInSeconds: aws.Int32(900)},
		}}); err != nil {
		t.Fatal(err)
	}
	active := func() bool {
		out, err := fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("keep")})
		return err == nil && out.DeliveryStreamDescription.DeliveryStreamStatus == ftypes.DeliveryStreamStatusActive
	}
	testutil.Eventually(t, 30*time.Second, "ACTIVE", active)

	var mu sync.Mutex
	acked := map[string]bool{}
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for n := 0; wctx.Err() == nil; n++ {
				var recs []ftypes.Record
				for i := range 50 {
					recs = append(recs, ftypes.Record{Data: []byte(fmt.Sprintf("w%d-%d-%d\n", w, n, i))})
				}
				out, err := fc.PutRecordBatch(wctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("keep"), Records: recs})
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				for i, r := range out.RequestResponses {
					if r.ErrorCode == nil {
						acked[strings.TrimSpace(string(recs[i].Data))] = true
					}
				}
				mu.Unlock()
			}
		})
	}
	testutil.Eventually(t, 30*time.Second, "some acknowledged records", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acked) >= 5000
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	cancel()
	wg.Wait()
	if n := len(objects(t, dir)); n != 0 {
		t.Fatalf("%d objects written before the interval", n)
	}

	testutil.Serve(t, bin, addr, "--data-dir", dir, "--sync", "always")
	testutil.Eventually(t, 30*time.Second, "ACTIVE again", active)
	if _, err := fc.UpdateDestination(ctx, &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String("keep"),
		CurrentDeliveryStreamVersionId: aws.String("1"), DestinationId: aws.String("destinationId-000000000001"),
		ExtendedS3DestinationUpdate: &ftypes.ExtendedS3DestinationUpdate{BufferingHints: &ftypes.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(0)}}}); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	testutil.Eventually(t, 60*time.Second, "every acknowledged record delivered", func() bool {
		for _, p := range objects(t, dir) {
			if found[p] {
				continue
			}
			for _, l := range strings.Fields(string(gunzip(t, p))) {
				found[l] = true
			}
		}
		for r := range acked {
			if !found[r] {
				return false
			}
		}
		return true
	})
	t.Logf("%d acknowledged records all delivered after kill -9 (%d distinct delivered)", len(acked), len(found))
}

func objects(t *testing.T, dir string) []string {
	var out []string
	_ = filepath.WalkDir(filepath.Join(dir, "s3", "lake"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".gz") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func gunzip(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
