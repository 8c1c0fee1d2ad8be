package firehose_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	fh "github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/parquet-go/parquet-go"

	"github.com/kinesin/kinesin/internal/testutil"
)

// call posts a raw Firehose request (members the SDK's types lack, such as
// kinesin's SchemaConfiguration.Columns) and answers the status and body.
func (h *harness) call(op string, body any) (int, []byte) {
	h.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		h.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, "http://"+h.http.Addr()+"/", bytes.NewReader(b))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Firehose_20150804."+op)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// createRaw creates a delivery stream from a raw ExtendedS3 configuration
// and waits for ACTIVE.
func (h *harness) createRaw(name string, ext map[string]any) {
	h.t.Helper()
	if st, out := h.call("CreateDeliveryStream", map[string]any{"DeliveryStreamName": name, "ExtendedS3DestinationConfiguration": ext}); st != 200 {
		h.t.Fatalf("create %s: %d %s", name, st, out)
	}
	testutil.Eventually(h.t, 10*time.Second, name+" ACTIVE", func() bool {
		out, err := h.c.DescribeDeliveryStream(context.Background(), &fh.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
		return err == nil && out.DeliveryStreamDescription.DeliveryStreamStatus == types.DeliveryStreamStatusActive
	})
}

func (h *harness) putAll(name string, recs ...string) {
	h.t.Helper()
	var rs []types.Record
	for _, r := range recs {
		rs = append(rs, types.Record{Data: []byte(r)})
	}
	out, err := h.c.PutRecordBatch(context.Background(), &fh.PutRecordBatchInput{DeliveryStreamName: aws.String(name), Records: rs})
	if err != nil || aws.ToInt32(out.FailedPutCount) != 0 {
		h.t.Fatalf("put: %v %+v", err, out)
	}
}

func ext(bucket string, more map[string]any) map[string]any {
	m := map[string]any{"BucketARN": "arn:aws:s3:::" + bucket, "RoleARN": "arn:aws:iam::000000000000:role/firehose",
		"BufferingHints": map[string]any{"SizeInMBs": 64, "IntervalInSeconds": 5}}
	for k, v := range more {
		m[k] = v
	}
	return m
}

var parquetConversion = map[string]any{
	"Enabled": true,
	"SchemaConfiguration": map[string]any{"DatabaseName": "db", "TableName": "t", "RoleARN": "arn:aws:iam::000000000000:role/glue",
		"Columns": []map[string]any{{"Name": "id", "Type": "int"}, {"Name": "name", "Type": "string"}}},
	"InputFormatConfiguration":  map[string]any{"Deserializer": map[string]any{"OpenXJsonSerDe": map[string]any{}}},
	"OutputFormatConfiguration": map[string]any{"Serializer": map[string]any{"ParquetSerDe": map[string]any{"Compression": "GZIP"}}},
}

// TestParquetConversion converts JSON records to one Parquet file and
// sends the record that does not convert to the error output.
func TestParquetConversion(t *testing.T) {
	h := newHarness(t)
	h.createRaw("pq", ext("lake", map[string]any{"Prefix": "tbl/", "ErrorOutputPrefix": "bad/!{firehose:error-output-type}/",
		"DataFormatConversionConfiguration": parquetConversion}))
	h.putAll("pq", `{"id":1,"name":"a"}`, `{"id":"not a number","name":"b"}`, `{"ID":3,"Name":"c"}`)
	testutil.Eventually(t, 10*time.Second, "a parquet object and an error object", func() bool { return len(h.objects("lake")) == 2 })
	objs := h.objects("lake")
	if !strings.HasPrefix(objs[0], "bad/format-conversion-failed/") || !strings.HasPrefix(objs[1], "tbl/") || !strings.HasSuffix(objs[1], ".parquet") {
		t.Fatalf("objects %v", objs)
	}
	data := h.read("lake", objs[1])
	rows, err := parquet.Read[struct {
		ID   int32  `parquet:"id"`
		Name string `parquet:"name"`
	}](bytes.NewReader(data), int64(len(data)))
	if err != nil || len(rows) != 2 || rows[0].ID != 1 || rows[0].Name != "a" || rows[1].ID != 3 || rows[1].Name != "c" {
		t.Fatalf("rows %+v, %v", rows, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(h.read("lake", objs[0])), &doc); err != nil || doc["errorCode"] == "" || doc["rawData"] == "" {
		t.Fatalf("error document %v, %v", doc, err)
	}
	if ok, bad := counter(h.m.ConversionRecords.WithLabelValues("pq", "Succeed")), counter(h.m.ConversionRecords.WithLabelValues("pq", "Failed")); ok != 2 || bad != 1 {
		t.Fatalf("conversion metrics: %v succeeded, %v failed", ok, bad)
	}
	out, err := h.c.DescribeDeliveryStream(context.Background(), &fh.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("pq")})
	if err != nil {
		t.Fatal(err)
	}
	dc := out.DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription.DataFormatConversionConfiguration
	if dc == nil || !aws.ToBool(dc.Enabled) || dc.OutputFormatConfiguration.Serializer.ParquetSerDe == nil {
		t.Fatalf("described %+v", dc)
	}
}

// TestDynamicPartitioning buffers and names objects per partition, with
// jq and with CEL metadata extraction; a record without the key goes to
// the error output.
func TestDynamicPartitioning(t *testing.T) {
	for _, tc := range []struct{ name, query string }{
		{"jq", "{customer: .customer}"},
		{"cel", `cel:{"customer": data.customer}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.createRaw("dp", ext("b", map[string]any{
				"Prefix": "c=!{partitionKeyFromQuery:customer}/", "ErrorOutputPrefix": "err/!{firehose:error-output-type}/",
				"DynamicPartitioningConfiguration": map[string]any{"Enabled": true},
				"ProcessingConfiguration": map[string]any{"Enabled": true, "Processors": []map[string]any{
					{"Type": "MetadataExtraction", "Parameters": []map[string]any{
						{"ParameterName": "MetadataExtractionQuery", "ParameterValue": tc.query},
						{"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}}},
					{"Type": "AppendDelimiterToRecord"}}}}))
			h.putAll("dp", `{"customer":"a","n":1}`, `{"customer":"b","n":2}`, `{"customer":"a","n":3}`, `{"n":4}`)
			testutil.Eventually(t, 10*time.Second, "objects per partition", func() bool {
				var a, b, e bool
				for _, k := range h.objects("b") {
					a = a || strings.HasPrefix(k, "c=a/")
					b = b || strings.HasPrefix(k, "c=b/")
					e = e || strings.HasPrefix(k, "err/processing-failed/")
				}
				return a && b && e
			})
			for _, k := range h.objects("b") {
				got := string(h.read("b", k))
				switch {
				case strings.HasPrefix(k, "c=a/"):
					if got != "{\"customer\":\"a\",\"n\":1}\n{\"customer\":\"a\",\"n\":3}\n" {
						t.Errorf("%s: %q", k, got)
					}
				case strings.HasPrefix(k, "c=b/"):
					if got != "{\"customer\":\"b\",\"n\":2}\n" {
						t.Errorf("%s: %q", k, got)
					}
				}
			}
		})
	}
}

// TestSourceBackupAndNames: S3BackupMode Enabled copies the records as
// received to the backup bucket; FileExtension and CustomTimeZone shape
// the object names.
func TestSourceBackupAndNames(t *testing.T) {
	h := newHarness(t)
	h.createRaw("bk", ext("main", map[string]any{
		"BufferingHints": map[string]any{"SizeInMBs": 1, "IntervalInSeconds": 5},
		"Prefix":         "p/!{timestamp:yyyy}/", "ErrorOutputPrefix": "e/!{firehose:error-output-type}/",
		"FileExtension": ".json", "CustomTimeZone": "Asia/Tokyo",
		"ProcessingConfiguration": map[string]any{"Enabled": true, "Processors": []map[string]any{{"Type": "AppendDelimiterToRecord"}}},
		"S3BackupMode":            "Enabled",
		"S3BackupConfiguration": map[string]any{"BucketARN": "arn:aws:s3:::raw", "RoleARN": "arn:aws:iam::000000000000:role/firehose",
			"BufferingHints": map[string]any{"SizeInMBs": 1, "IntervalInSeconds": 5}},
	}))
	h.putAll("bk", "x", "y")
	testutil.Eventually(t, 10*time.Second, "main and backup objects", func() bool { return len(h.objects("main")) == 1 && len(h.objects("raw")) == 1 })
	if got := string(h.content("main")); got != "x\ny\n" {
		t.Fatalf("main %q", got)
	}
	if got := string(h.content("raw")); got != "xy" {
		t.Fatalf("backup %q", got)
	}
	k := h.objects("main")[0]
	tokyo := time.Now().In(time.FixedZone("JST", 9*3600))
	if !strings.HasPrefix(k, "p/"+tokyo.Format("2006")+"/bk-1-") || !strings.HasSuffix(k, ".json") {
		t.Fatalf("key %s", k)
	}
}

func TestExtendedValidation(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name string
		ext  map[string]any
		want string
	}{
		{"conversion needs uncompressed", ext("b", map[string]any{"CompressionFormat": "GZIP", "DataFormatConversionConfiguration": parquetConversion}), "CompressionFormat must be UNCOMPRESSED"},
		{"conversion needs 64 MiB", ext("b", map[string]any{"BufferingHints": map[string]any{"SizeInMBs": 5}, "DataFormatConversionConfiguration": parquetConversion}), "at least 64"},
		{"orc", ext("b", map[string]any{"DataFormatConversionConfiguration": map[string]any{"SchemaConfiguration": map[string]any{"Columns": []map[string]any{{"Name": "a", "Type": "int"}}},
			"InputFormatConfiguration": map[string]any{}, "OutputFormatConfiguration": map[string]any{"Serializer": map[string]any{"OrcSerDe": map[string]any{}}}}}), "OrcSerDe is not supported"},
		{"dynamic partitioning needs a key", ext("b", map[string]any{"DynamicPartitioningConfiguration": map[string]any{"Enabled": true}}), "must contain at least one partitionKeyFromQuery"},
		{"key needs dynamic partitioning", ext("b", map[string]any{"Prefix": "!{partitionKeyFromQuery:a}/", "ErrorOutputPrefix": "e/!{firehose:error-output-type}"}), "dynamic partitioning is not enabled"},
		{"bad time zone", ext("b", map[string]any{"CustomTimeZone": "Mars/Olympus"}), "not a valid time zone"},
		{"bad extension", ext("b", map[string]any{"FileExtension": "json"}), "FileExtension"},
		{"backup needs configuration", ext("b", map[string]any{"S3BackupMode": "Enabled"}), "S3BackupConfiguration is required"},
	} {
		st, out := h.call("CreateDeliveryStream", map[string]any{"DeliveryStreamName": "v", "ExtendedS3DestinationConfiguration": tc.ext})
		if st != 400 || !strings.Contains(string(out), "InvalidArgumentException") || !strings.Contains(string(out), tc.want) {
			t.Errorf("%s: %d %s", tc.name, st, out)
		}
	}
}
