package server_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
	"github.com/kinesin/kinesin/sinks/compress"
)

// TestFirehoseDirectPut puts records through the server's Firehose API and
// finds them in the embedded S3 stand-in under the data dir, compressed
// and named as Firehose names objects.
func TestFirehoseDirectPut(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := testutil.Start(t, server.Config{DataDir: dir, TriggerTimeUnit: 10 * time.Millisecond})
	fc := firehose.New(firehose.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("t", "t", ""), Retryer: testutil.ConnRetryer()})
	if _, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("clicks"),
		ExtendedS3DestinationConfiguration: &ftypes.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/f"),
			Prefix: aws.String("clicks/!{timestamp:yyyy}/"), ErrorOutputPrefix: aws.String("errors/!{firehose:error-output-type}/"),
			CompressionFormat: ftypes.CompressionFormatHadoopSnappy,
			BufferingHints:    &ftypes.BufferingHints{IntervalInSeconds: aws.Int32(10), SizeInMBs: aws.Int32(1)},
		},
	}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, "ACTIVE", func() bool {
		out, err := fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("clicks")})
		return err == nil && out.DeliveryStreamDescription.DeliveryStreamStatus == ftypes.DeliveryStreamStatusActive
	})
	var recs []ftypes.Record
	for i := range 100 {
		recs = append(recs, ftypes.Record{Data: []byte(fmt.Sprintf("{\"n\":%d}\n", i))})
	}
	out, err := fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("clicks"), Records: recs})
	if err != nil || aws.ToInt32(out.FailedPutCount) != 0 || len(out.RequestResponses) != 100 {
		t.Fatalf("put: %v %+v", err, out)
	}
	var objects []string
	testutil.Eventually(t, 20*time.Second, "an object delivered", func() bool {
		objects, _ = filepath.Glob(filepath.Join(dir, "s3", "lake", "clicks", "*", "clicks-1-*.snappy"))
		return len(objects) > 0
	})
	year := time.Now().UTC().Format("2006")
	if !strings.Contains(objects[0], filepath.Join("clicks", year, "clicks-1-")) {
		t.Fatalf("object key %s", objects[0])
	}
	f, err := os.Open(objects[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := compress.Reader(compress.HadoopSnappy, f)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(r)
	if err != nil || strings.Count(string(body), "\n") != 100 || !strings.HasPrefix(string(body), "{\"n\":0}\n") {
		t.Fatalf("object body %q: %v", body, err)
	}
}
