package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	"github.com/jackc/pgx/v5"

	"github.com/kinesin/kinesin/internal/pgtest"
	"github.com/kinesin/kinesin/internal/s3test"
	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
	"github.com/kinesin/kinesin/sinks/compress"
	"github.com/kinesin/kinesin/sinks/objstore"
)

func firehoseClient(s *server.Server) *firehose.Client {
	return firehose.New(firehose.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("t", "t", ""), Retryer: testutil.ConnRetryer()})
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
		Credentials: credentials.NewStaticCredentialsProvider("t", "t", ""), Retryer: testutil.ConnRetryer()})
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

// TestFirehoseS3Endpoint delivers to a real S3-compatible server
// (versitygw) given as --s3-endpoint.
func TestFirehoseS3Endpoint(t *testing.T) {
	ctx := context.Background()
	endpoint, opts, _ := s3test.Start(t)
	s3test.CreateBucket(t, opts, "lake")
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(opts.AccessKeyID, opts.SecretAccessKey)
	s := testutil.Start(t, server.Config{DataDir: t.TempDir(), TriggerTimeUnit: 10 * time.Millisecond, S3Endpoint: u.String()})
	fc := firehoseClient(s)
	if _, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("clicks"),
		ExtendedS3DestinationConfiguration: &ftypes.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/f"),
			Prefix: aws.String("c/"), CompressionFormat: ftypes.CompressionFormatGzip,
			BufferingHints: &ftypes.BufferingHints{IntervalInSeconds: aws.Int32(10), SizeInMBs: aws.Int32(1)},
		},
	}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, fc, "clicks")
	if _, err := fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("clicks"),
		Records: []ftypes.Record{{Data: []byte("a\n")}, {Data: []byte("b\n")}}}); err != nil {
		t.Fatal(err)
	}
	store, err := objstore.NewS3(opts)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	testutil.Eventually(t, 20*time.Second, "an object in S3", func() bool {
		keys, _ = store.List(ctx, "lake", "c/")
		return len(keys) == 1
	})
	if !strings.HasSuffix(keys[0], ".gz") || !strings.Contains(keys[0], "/clicks-1-") {
		t.Fatalf("key %s", keys[0])
	}
	body, err := store.Get(ctx, "lake", keys[0])
	if err != nil {
		t.Fatal(err)
	}
	r, err := compress.Reader(compress.GZIP, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(r); string(b) != "a\nb\n" {
		t.Fatalf("object %q", b)
	}
}

// TestFirehoseRedshiftPostgres loads JSON records into a real PostgreSQL
// table with COPY, the way Firehose loads Redshift.
func TestFirehoseRedshiftPostgres(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.Start(t)
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE events (id int, name text)`); err != nil {
		t.Fatal(err)
	}
	s := testutil.Start(t, server.Config{DataDir: t.TempDir(), TriggerTimeUnit: 10 * time.Millisecond})
	fc := firehoseClient(s)
	if _, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("load"),
		RedshiftDestinationConfiguration: &ftypes.RedshiftDestinationConfiguration{
			ClusterJDBCURL: aws.String(dbURL), Username: aws.String("postgres"), Password: aws.String("unused-password"),
			RoleARN:     aws.String("arn:aws:iam::000000000000:role/f"),
			CopyCommand: &ftypes.CopyCommand{DataTableName: aws.String("events"), CopyOptions: aws.String("json 'auto'")},
			S3Configuration: &ftypes.S3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::stage"),
				RoleARN:        aws.String("arn:aws:iam::000000000000:role/f"),
				BufferingHints: &ftypes.BufferingHints{IntervalInSeconds: aws.Int32(10), SizeInMBs: aws.Int32(1)}},
		},
	}); err != nil {
		t.Fatal(err)
	}
	d := waitActive(t, fc, "load")
	if r := d.Destinations[0].RedshiftDestinationDescription; r == nil || aws.ToString(r.CopyCommand.DataTableName) != "events" {
		t.Fatalf("described %+v", d.Destinations[0])
	}
	if _, err := fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("load"),
		Records: []ftypes.Record{{Data: []byte(`{"id":1,"name":"a"}`)}, {Data: []byte(`{"id":2,"name":"b"}`)}}}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 20*time.Second, "two rows", func() bool {
		var n int
		return conn.QueryRow(ctx, `SELECT count(*) FROM events WHERE (id, name) IN ((1,'a'),(2,'b'))`).Scan(&n) == nil && n == 2
	})
}

// TestFirehoseEndpointRecovers: the endpoint fails for a while, within the
// retry duration; every record arrives, none in the error output, and
// duplicates only as whole retried requests.
func TestFirehoseEndpointRecovers(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var (
		mu       sync.Mutex
		seen     = map[string]int{}
		requests = map[string]bool{}
		failures int
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
		if failures < 3 {
			failures++
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		if !requests[body.RequestID] {
			requests[body.RequestID] = true
			for _, rec := range body.Records {
				b, _ := base64.StdEncoding.DecodeString(rec.Data)
				seen[string(b)]++
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"requestId": body.RequestID, "timestamp": time.Now().UnixMilli()})
	}))
	defer ep.Close()
	s := testutil.Start(t, server.Config{DataDir: dir, TriggerTimeUnit: 10 * time.Millisecond})
	fc := firehoseClient(s)
	if _, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("flaky"),
		HttpEndpointDestinationConfiguration: &ftypes.HttpEndpointDestinationConfiguration{
			EndpointConfiguration: &ftypes.HttpEndpointConfiguration{Url: aws.String(ep.URL)},
			BufferingHints:        &ftypes.HttpEndpointBufferingHints{IntervalInSeconds: aws.Int32(5), SizeInMBs: aws.Int32(1)},
			RetryOptions:          &ftypes.HttpEndpointRetryOptions{DurationInSeconds: aws.Int32(3600)},
			S3Configuration: &ftypes.S3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::backup"),
				RoleARN: aws.String("arn:aws:iam::000000000000:role/f")},
		},
	}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, fc, "flaky")
	var recs []ftypes.Record
	for i := range 200 {
		recs = append(recs, ftypes.Record{Data: []byte(fmt.Sprint(i))})
	}
	if out, err := fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("flaky"), Records: recs}); err != nil || aws.ToInt32(out.FailedPutCount) != 0 {
		t.Fatalf("put: %v", err)
	}
	testutil.Eventually(t, 30*time.Second, "every record at the endpoint", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == 200
	})
	mu.Lock()
	defer mu.Unlock()
	for k, n := range seen {
		if n != 1 {
			t.Errorf("record %s delivered %d times in distinct requests", k, n)
		}
	}
	if got := readObjects(t, dir, "backup", ""); got != "" {
		t.Fatalf("error output written: %q", got)
	}
}

// TestFirehoseToKinesisStream delivers to kinesin's own destination, a
// kinesin stream, in order when the partition key is fixed.
func TestFirehoseToKinesisStream(t *testing.T) {
	ctx := context.Background()
	s := testutil.Start(t, server.Config{DataDir: t.TempDir(), TriggerTimeUnit: 10 * time.Millisecond})
	kc := kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("t", "t", ""), Retryer: testutil.ConnRetryer()})
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("out"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"DeliveryStreamName": "relay", "KinesisStreamDestinationConfiguration": map[string]any{
		"KinesisStreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/out", "PartitionKey": "k",
		"BufferingHints":  map[string]any{"IntervalInSeconds": 0, "SizeInMBs": 1},
		"S3Configuration": map[string]any{"BucketARN": "arn:aws:s3:::backup", "RoleARN": "arn:aws:iam::000000000000:role/f"}}})
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Firehose_20150804.CreateDeliveryStream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("create: %v %v", err, resp.Status)
	}
	resp.Body.Close()
	fc := firehoseClient(s)
	d := waitActive(t, fc, "relay")
	if len(d.Destinations) != 1 {
		t.Fatalf("described %+v", d)
	}
	var recs []ftypes.Record
	for i := range 20 {
		recs = append(recs, ftypes.Record{Data: []byte(fmt.Sprint(i))})
	}
	if _, err := fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("relay"), Records: recs}); err != nil {
		t.Fatal(err)
	}
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("out"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: "TRIM_HORIZON"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	iter := it.ShardIterator
	testutil.Eventually(t, 20*time.Second, "20 records in the stream", func() bool {
		out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			return false
		}
		iter = out.NextShardIterator
		for _, r := range out.Records {
			got = append(got, string(r.Data))
		}
		return len(got) >= 20
	})
	for i, g := range got {
		if g != fmt.Sprint(i) {
			t.Fatalf("record %d is %q: %v", i, g, got)
		}
	}
}
