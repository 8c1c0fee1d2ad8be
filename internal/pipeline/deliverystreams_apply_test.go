package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/parquet-go/parquet-go"

	"github.com/kinesin/kinesin/internal/pipeline"
	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
)

// startFirehoseServer runs an in-process kinesin and returns clients for
// it, Firehose included, and its data directory.
func startFirehoseServer(t *testing.T) (pipeline.Clients, string) {
	t.Helper()
	dir := t.TempDir()
	srv := testutil.Start(t, server.Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	creds := credentials.NewStaticCredentialsProvider("kinesin", "kinesin", "")
	return pipeline.Clients{
		Kinesis:  kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds}),
		Lambda:   lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds}),
		Firehose: firehose.New(firehose.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds}),
	}, dir
}

func describeDelivery(t *testing.T, c pipeline.Clients, name string) *ftypes.DeliveryStreamDescription {
	t.Helper()
	out, err := c.Firehose.DescribeDeliveryStream(context.Background(), &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out.DeliveryStreamDescription
}

func applyErr(t *testing.T, c pipeline.Clients, dir, src string) error {
	t.Helper()
	path := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := pipeline.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return f.Apply(ctx, c, nil)
}

const clicksV1 = `delivery_streams:
  - name: clicks
    extended_s3:
      BucketARN: arn:aws:s3:::lake
      RoleARN: arn:aws:iam::000000000000:role/firehose
      Prefix: clicks/
      ErrorOutputPrefix: errors/
      BufferingHints: {SizeInMBs: 1, IntervalInSeconds: 0}
    tags:
      team: web
      tier: gold
`

// TestApplyDeliveryStreams creates a delivery stream from the file, finds
// it unchanged on the next apply, delivers a record through it, converges
// its tags, refuses a change of type, and creates it again once deleted
// behind apply's back.
func TestApplyDeliveryStreams(t *testing.T) {
	c, data := startFirehoseServer(t)
	ctx := context.Background()
	dir := t.TempDir()

	wantLines(t, apply(t, c, dir, clicksV1),
		"delivery stream clicks: created (DirectPut → extended_s3 arn:aws:s3:::lake)",
		"delivery stream clicks: ACTIVE",
		"1 resource changed")
	wantLines(t, apply(t, c, dir, clicksV1), "delivery stream clicks: unchanged", "no changes")

	d := describeDelivery(t, c, "clicks")
	e := d.Destinations[0].ExtendedS3DestinationDescription
	if d.DeliveryStreamStatus != ftypes.DeliveryStreamStatusActive || d.DeliveryStreamType != ftypes.DeliveryStreamTypeDirectPut ||
		e == nil || aws.ToString(e.Prefix) != "clicks/" || aws.ToInt32(e.BufferingHints.IntervalInSeconds) != 0 {
		t.Fatalf("described %+v", d)
	}

	// Records put now reach the bucket under the data directory.
	if _, err := c.Firehose.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{
		DeliveryStreamName: aws.String("clicks"),
		Records:            []ftypes.Record{{Data: []byte("a\n")}, {Data: []byte("b\n")}},
	}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 30*time.Second, "an object under s3/lake/clicks/", func() bool {
		objs, _ := filepath.Glob(filepath.Join(data, "s3", "lake", "clicks", "*", "*", "*", "*", "clicks-*"))
		if len(objs) == 0 {
			return false
		}
		b, _ := os.ReadFile(objs[0])
		return string(b) == "a\nb\n"
	})

	// Tags converge without touching the destination.
	v2 := strings.Replace(clicksV1, "      team: web\n      tier: gold\n", "      team: data\n      owner: ops\n", 1)
	wantLines(t, apply(t, c, dir, v2),
		"delivery stream clicks: tag tier removed",
		"delivery stream clicks: tag owner=ops added",
		"delivery stream clicks: tag team=data (was web)",
		"1 resource changed")
	wantLines(t, apply(t, c, dir, v2), "delivery stream clicks: unchanged", "no changes")
	tags, err := c.Firehose.ListTagsForDeliveryStream(ctx, &firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String("clicks")})
	if err != nil {
		t.Fatal(err)
	}
	var tv []string
	for _, tg := range tags.Tags {
		tv = append(tv, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
	}
	slices.Sort(tv)
	if strings.Join(tv, " ") != "owner=ops team=data" {
		t.Errorf("tags = %v", tv)
	}

	// The type cannot change.
	v3 := "streams:\n  - name: orders\n" + strings.Replace(v2, "  - name: clicks\n", "  - name: clicks\n    source: orders\n", 1)
	err = applyErr(t, c, dir, v3)
	want := "pipeline: delivery stream clicks: the delivery stream is DirectPut on the server but KinesisStreamAsSource from " +
		"arn:aws:kinesis:us-east-1:000000000000:stream/orders in the file, and a delivery stream's type and source cannot change: " +
		"delete it (kinesin firehose rm clicks) and apply again"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("apply with a source: %v\nwant %s…", err, want)
	}

	// Deleted behind apply's back: apply creates it again.
	if _, err := c.Firehose.DeleteDeliveryStream(ctx, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("clicks")}); err != nil {
		t.Fatal(err)
	}
	wantLines(t, apply(t, c, dir, v2),
		"delivery stream clicks: created (DirectPut → extended_s3 arn:aws:s3:::lake)",
		"delivery stream clicks: ACTIVE",
		"1 resource changed")
}

// TestApplyDeliveryStreamUpdate changes destination members in the file
// and expects UpdateDestination with the version and destination ids the
// server described, then no change on the next apply.
func TestApplyDeliveryStreamUpdate(t *testing.T) {
	c, _ := startFirehoseServer(t)
	dir := t.TempDir()
	apply(t, c, dir, clicksV1)
	before := describeDelivery(t, c, "clicks")

	v2 := strings.Replace(clicksV1, "      Prefix: clicks/\n", "      Prefix: clicks/v2/\n      CompressionFormat: GZIP\n", 1)
	v2 = strings.Replace(v2, "{SizeInMBs: 1, IntervalInSeconds: 0}", "{SizeInMBs: 2, IntervalInSeconds: 0}", 1)
	wantLines(t, apply(t, c, dir, v2),
		"delivery stream clicks: extended_s3.BufferingHints.SizeInMBs 1 → 2",
		"delivery stream clicks: extended_s3.CompressionFormat UNCOMPRESSED → GZIP",
		"delivery stream clicks: extended_s3.Prefix clicks/ → clicks/v2/",
		"1 resource changed")
	wantLines(t, apply(t, c, dir, v2), "delivery stream clicks: unchanged", "no changes")
	after := describeDelivery(t, c, "clicks")
	e := after.Destinations[0].ExtendedS3DestinationDescription
	if aws.ToString(after.VersionId) == aws.ToString(before.VersionId) || aws.ToString(e.Prefix) != "clicks/v2/" ||
		e.CompressionFormat != ftypes.CompressionFormatGzip || aws.ToString(e.ErrorOutputPrefix) != "errors/" {
		t.Errorf("after UpdateDestination: version %s → %s, %+v", aws.ToString(before.VersionId), aws.ToString(after.VersionId), e)
	}
}

// TestApplyDeliveryStreamFromStream declares a delivery stream that reads
// a stream of the file, and finds records put on the stream in the bucket.
func TestApplyDeliveryStreamFromStream(t *testing.T) {
	c, data := startFirehoseServer(t)
	dir := t.TempDir()
	src := "streams:\n  - name: orders\n" + strings.Replace(clicksV1, "  - name: clicks\n", "  - name: clicks\n    source: orders\n", 1)
	wantLines(t, apply(t, c, dir, src),
		"stream orders: created (provisioned, 1 shard)",
		"delivery stream clicks: created (orders → extended_s3 arn:aws:s3:::lake)",
		"delivery stream clicks: ACTIVE",
		"2 resources changed")
	wantLines(t, apply(t, c, dir, src), "stream orders: unchanged", "delivery stream clicks: unchanged", "no changes")
	d := describeDelivery(t, c, "clicks")
	if d.DeliveryStreamType != ftypes.DeliveryStreamTypeKinesisStreamAsSource || d.Source == nil || d.Source.KinesisStreamSourceDescription == nil ||
		aws.ToString(d.Source.KinesisStreamSourceDescription.KinesisStreamARN) != "arn:aws:kinesis:us-east-1:000000000000:stream/orders" ||
		aws.ToString(d.Source.KinesisStreamSourceDescription.RoleARN) != pipeline.DefaultSourceRoleARN {
		t.Errorf("described %+v", d)
	}
	if _, err := c.Kinesis.PutRecord(context.Background(), &kinesis.PutRecordInput{
		StreamName: aws.String("orders"), PartitionKey: aws.String("k"), Data: []byte("order 1\n"),
	}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 30*time.Second, "the stream's record under s3/lake/clicks/", func() bool {
		objs, _ := filepath.Glob(filepath.Join(data, "s3", "lake", "clicks", "*", "*", "*", "*", "clicks-*"))
		for _, o := range objs {
			if b, _ := os.ReadFile(o); strings.Contains(string(b), "order 1\n") {
				return true
			}
		}
		return false
	})

	// Another source is refused as a change of type is.
	other := strings.Replace(src, "streams:\n  - name: orders\n", "streams:\n  - name: orders\n  - name: refunds\n", 1)
	other = strings.Replace(other, "source: orders", "source: refunds", 1)
	err := applyErr(t, c, dir, other)
	want := "pipeline: delivery stream clicks: the delivery stream is KinesisStreamAsSource from arn:aws:kinesis:us-east-1:000000000000:stream/orders on the server " +
		"but KinesisStreamAsSource from arn:aws:kinesis:us-east-1:000000000000:stream/refunds in the file"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("apply with another source: %v\nwant %s…", err, want)
	}
}

// TestApplyDeliveryStreamErrors: a missing client or a server that refuses
// the destination fails with a message that names the delivery stream.
func TestApplyDeliveryStreamErrors(t *testing.T) {
	c, _ := startFirehoseServer(t)
	dir := t.TempDir()
	noFirehose := pipeline.Clients{Kinesis: c.Kinesis, Lambda: c.Lambda}
	path := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(path, []byte(clicksV1), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := pipeline.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Apply(context.Background(), noFirehose, nil); err == nil || err.Error() != "pipeline: the file declares delivery streams but there is no Firehose client" {
		t.Errorf("apply without a Firehose client: %v", err)
	}
	bad := strings.Replace(clicksV1, "ErrorOutputPrefix: errors/", "ErrorOutputPrefix: errors/!{nope}/", 1)
	if err := applyErr(t, c, dir, bad); err == nil || !strings.HasPrefix(err.Error(), "pipeline: delivery stream clicks: operation error Firehose: CreateDeliveryStream") {
		t.Errorf("apply of a destination the server refuses: %v", err)
	}
}

const lakeV1 = `delivery_streams:
  - name: lake
    extended_s3:
      BucketARN: arn:aws:s3:::lake
      RoleARN: arn:aws:iam::000000000000:role/firehose
      Prefix: orders/
      ErrorOutputPrefix: errors/
      BufferingHints: {SizeInMBs: 64, IntervalInSeconds: 0}
      DataFormatConversionConfiguration:
        Enabled: true
        SchemaConfiguration:
          Columns:
            - {Name: customer, Type: string}
            - {Name: amount, Type: int}
        InputFormatConfiguration:
          Deserializer: {OpenXJsonSerDe: {}}
        OutputFormatConfiguration:
          Serializer: {ParquetSerDe: {Compression: SNAPPY}}
`

// describedColumns returns SchemaConfiguration.Columns as the server's raw
// DescribeDeliveryStream answer shows them (the SDK's types drop them).
func describedColumns(t *testing.T, c pipeline.Clients, name string) string {
	t.Helper()
	raw, err := pipeline.DescribeRaw(context.Background(), c.Firehose, name)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		DeliveryStreamDescription struct {
			Destinations []struct {
				ExtendedS3DestinationDescription struct {
					DataFormatConversionConfiguration struct {
						SchemaConfiguration struct{ Columns json.RawMessage }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(raw, &out); err != nil || len(out.DeliveryStreamDescription.Destinations) != 1 {
		t.Fatalf("described %s: %v", raw, err)
	}
	return string(out.DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription.DataFormatConversionConfiguration.SchemaConfiguration.Columns)
}

// parquetFiles lists the Parquet objects under the data directory's bucket.
func parquetFiles(root string) []string {
	var files []string
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".parquet") {
			files = append(files, path)
		}
		return nil
	})
	return files
}

// TestApplyDeliveryStreamColumns: SchemaConfiguration.Columns, kinesin's
// member the SDK lacks, reaches the server on create, converts records to
// Parquet, compares equal on the next apply and is updated when it
// changes.
func TestApplyDeliveryStreamColumns(t *testing.T) {
	c, data := startFirehoseServer(t)
	ctx := context.Background()
	dir := t.TempDir()

	wantLines(t, apply(t, c, dir, lakeV1),
		"delivery stream lake: created (DirectPut → extended_s3 arn:aws:s3:::lake)",
		"delivery stream lake: ACTIVE",
		"1 resource changed")
	if got, want := describedColumns(t, c, "lake"), `[{"Name":"customer","Type":"string"},{"Name":"amount","Type":"int"}]`; got != want {
		t.Errorf("described Columns %s, want %s", got, want)
	}
	wantLines(t, apply(t, c, dir, lakeV1), "delivery stream lake: unchanged", "no changes")

	if _, err := c.Firehose.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{
		DeliveryStreamName: aws.String("lake"),
		Records:            []ftypes.Record{{Data: []byte(`{"customer":"acme","amount":12}`)}, {Data: []byte(`{"customer":"globex","amount":7}`)}},
	}); err != nil {
		t.Fatal(err)
	}
	type order struct {
		Customer string `parquet:"customer"`
		Amount   int32  `parquet:"amount"`
	}
	var rows []order
	testutil.Eventually(t, 30*time.Second, "a Parquet object under s3/lake/orders/", func() bool {
		rows = nil
		for _, f := range parquetFiles(filepath.Join(data, "s3", "lake", "orders")) {
			b, err := os.ReadFile(f)
			if err != nil {
				return false
			}
			r, err := parquet.Read[order](bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			rows = append(rows, r...)
		}
		return len(rows) == 2
	})
	slices.SortFunc(rows, func(a, b order) int { return strings.Compare(a.Customer, b.Customer) })
	if rows[0] != (order{"acme", 12}) || rows[1] != (order{"globex", 7}) {
		t.Errorf("rows %+v", rows)
	}

	// A column's type changes: UpdateDestination carries the new columns.
	v2 := strings.Replace(lakeV1, "{Name: amount, Type: int}", "{Name: amount, Type: bigint}", 1)
	wantLines(t, apply(t, c, dir, v2),
		`delivery stream lake: extended_s3.DataFormatConversionConfiguration.SchemaConfiguration.Columns [{"Name":"customer","Type":"string"},{"Name":"amount","Type":"int"}] → [{"Name":"customer","Type":"string"},{"Name":"amount","Type":"bigint"}]`,
		"1 resource changed")
	if got, want := describedColumns(t, c, "lake"), `[{"Name":"customer","Type":"string"},{"Name":"amount","Type":"bigint"}]`; got != want {
		t.Errorf("described Columns after the update %s, want %s", got, want)
	}
	wantLines(t, apply(t, c, dir, v2), "delivery stream lake: unchanged", "no changes")

	// A type that is not Hive's is refused when the file loads, at its line.
	bad := strings.Replace(lakeV1, "Type: int}", "Type: integr}", 1)
	path := filepath.Join(dir, "pipeline.yaml")
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := pipeline.Load(path)
	want := "pipeline.yaml:14: delivery_streams[0].extended_s3.DataFormatConversionConfiguration.SchemaConfiguration.Columns[1].Type: must be a Hive type: "
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("load with a bad Type: %v\nwant …%s…", err, want)
	}
}
