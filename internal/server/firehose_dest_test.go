package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
)

func firehoseClient(s *server.Server) *firehose.Client {
	return firehose.New(firehose.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("t", "t", ""), RetryMaxAttempts: 1})
}

func waitActive(t *testing.T, fc *firehose.Client, name string) *ftypes.DeliveryStreamDescription {
	t.Helper()
	var d *ftypes.DeliveryStreamDescription
	testutil.Eventually(t, 10*time.Second, name+" ACTIVE", func() bool {
		out, err := fc.DescribeDeliveryStream(context.Background(), &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
		if err == nil {
			d = out.DeliveryStreamDescription
		}
		return err == nil && d.DeliveryStreamStatus == ftypes.DeliveryStreamStatusActive
	})
	return d
}

// readObjects concatenates the files under dir/s3/bucket/prefix.
func readObjects(t *testing.T, dir, bucket, prefix string) string {
	t.Helper()
	var all []string
	_ = filepath.WalkDir(filepath.Join(dir, "s3", bucket), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".tmp-") {
			return nil
		}
		rel, _ := filepath.Rel(filepath.Join(dir, "s3", bucket), p)
		if strings.HasPrefix(filepath.ToSlash(rel), prefix) {
			b, _ := os.ReadFile(p)
			all = append(all, string(b))
		}
		return nil
	})
	return strings.Join(all, "")
}

// TestFirehoseKinesisSource delivers the records of a kinesin stream put
// after the delivery stream was created, and refuses direct puts.
func TestFirehoseKinesisSource(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := testutil.Start(t, server.Config{DataDir: dir, TriggerTimeUnit: 10 * time.Millisecond, LeaseTTL: time.Second})
	kc := kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("t", "t", ""), RetryMaxAttempts: 1})
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, "stream ACTIVE", func() bool {
		out, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
		return err == nil && out.StreamDescriptionSummary.StreamStatus == "ACTIVE"
	})
	fc := firehoseClient(s)
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
	if _, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("copy"), DeliveryStreamType: ftypes.DeliveryStreamTypeKinesisStreamAsSource,
		KinesisStreamSourceConfiguration: &ftypes.KinesisStreamSourceConfiguration{KinesisStreamARN: aws.String(arn), RoleARN: aws.String("arn:aws:iam::000000000000:role/f")},
		ExtendedS3DestinationConfiguration: &ftypes.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/f"),
			BufferingHints: &ftypes.BufferingHints{IntervalInSeconds: aws.Int32(10), SizeInMBs: aws.Int32(1)},
		},
	}); err != nil {
		t.Fatal(err)
	}
	d := waitActive(t, fc, "copy")
	if d.Source == nil || aws.ToString(d.Source.KinesisStreamSourceDescription.KinesisStreamARN) != arn || d.DeliveryStreamType != ftypes.DeliveryStreamTypeKinesisStreamAsSource {
		t.Fatalf("described %+v", d)
	}
	want := 0
	for i := range 50 {
		if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String(fmt.Sprint(i)), Data: []byte("r\n")}); err != nil {
			t.Fatal(err)
		}
		want++
	}
	testutil.Eventually(t, 20*time.Second, "the stream's records delivered", func() bool {
		return strings.Count(readObjects(t, dir, "lake", ""), "r\n") == want
	})
	_, err := fc.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("copy"), Record: &ftypes.Record{Data: []byte("x")}})
	if err == nil || !strings.Contains(err.Error(), "not permitted on KinesisStreamAsSource") {
		t.Fatalf("direct put: %v", err)
	}
}

// TestFirehoseHTTPEndpoint delivers to an HTTP endpoint with the Firehose
// protocol; while the endpoint fails past the retry duration, the records
// go to the S3 backup's error output.
func TestFirehoseHTTPEndpoint(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var (
		mu   sync.Mutex
		got  []string
		fail = true
	)
	ep := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			RequestID string `json:"requestId"`
			Records   []struct {
				Data string `json:"data"`
			} `json:"records"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		defer mu.Unlock()
		if fail {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		for _, rec := range body.Records {
			b, _ := base64.StdEncoding.DecodeString(rec.Data)
			got = append(got, string(b))
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"requestId": body.RequestID, "timestamp": time.Now().UnixMilli()})
	}))
	defer ep.Close()
	s := testutil.Start(t, server.Config{DataDir: dir, TriggerTimeUnit: 10 * time.Millisecond})
	fc := firehoseClient(s)
	if _, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("hook"),
		HttpEndpointDestinationConfiguration: &ftypes.HttpEndpointDestinationConfiguration{
			EndpointConfiguration: &ftypes.HttpEndpointConfiguration{Url: aws.String(ep.URL), Name: aws.String("test"), AccessKey: aws.String("k")},
			BufferingHints:        &ftypes.HttpEndpointBufferingHints{IntervalInSeconds: aws.Int32(5), SizeInMBs: aws.Int32(1)},
			RetryOptions:          &ftypes.HttpEndpointRetryOptions{DurationInSeconds: aws.Int32(30)},
			S3Configuration: &ftypes.S3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::backup"),
				RoleARN: aws.String("arn:aws:iam::000000000000:role/f"), ErrorOutputPrefix: aws.String("failed/!{firehose:error-output-type}/")},
		},
	}); err != nil {
		t.Fatal(err)
	}
	d := waitActive(t, fc, "hook")
	if h := d.Destinations[0].HttpEndpointDestinationDescription; h == nil || aws.ToString(h.EndpointConfiguration.Url) != ep.URL || h.S3DestinationDescription == nil {
		t.Fatalf("described %+v", d.Destinations[0])
	}
	put := func(data string) {
		if _, err := fc.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("hook"), Record: &ftypes.Record{Data: []byte(data)}}); err != nil {
			t.Fatal(err)
		}
	}
	put("lost")
	testutil.Eventually(t, 20*time.Second, "the failed record in the backup", func() bool {
		return strings.Contains(readObjects(t, dir, "backup", "failed/http-endpoint-failed/"), base64.StdEncoding.EncodeToString([]byte("lost")))
	})
	mu.Lock()
	fail = false
	mu.Unlock()
	put("delivered")
	testutil.Eventually(t, 20*time.Second, "the record at the endpoint", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 1 && got[0] == "delivered"
	})
}
