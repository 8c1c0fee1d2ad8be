package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
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
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
	katypes "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/kinesin/kinesin/internal/pipeline"
	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
)

// startAnalyticsServer runs an in-process kinesin and returns clients for
// it, Kinesis Analytics included, and its data directory.
func startAnalyticsServer(t *testing.T) (pipeline.Clients, string) {
	t.Helper()
	dir := t.TempDir()
	srv := testutil.Start(t, server.Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	creds := credentials.NewStaticCredentialsProvider("kinesin", "kinesin", "")
	return pipeline.Clients{
		Kinesis:   kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds}),
		Lambda:    lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds}),
		Firehose:  firehose.New(firehose.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds}),
		Analytics: kinesisanalytics.New(kinesisanalytics.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds}),
	}, dir
}

const appsV1 = `streams:
  - name: ticker
  - name: stats
  - name: alerts
applications:
  - name: stats
    code: |
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), n INTEGER);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ticker, COUNT(*) FROM "SOURCE_SQL_STREAM_001"
        GROUP BY ticker, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND);
    inputs:
      - Stream: ticker
        InputSchema:
          RecordFormat: {RecordFormatType: JSON, MappingParameters: {JSONMappingParameters: {RecordRowPath: $}}}
          RecordColumns:
            - {Name: TICKER, SqlType: VARCHAR(4), Mapping: $.ticker}
            - {Name: PRICE, SqlType: DOUBLE, Mapping: $.price}
    outputs:
      - {Name: DESTINATION_SQL_STREAM, Stream: stats}
    starting_position: TRIM_HORIZON
    tags: {team: quant}
`

// appsV2 changes the code, adds an output in CSV, a reference table and a
// tag, stops the application, and adds one whose schema is discovered.
const appsV2 = `streams:
  - name: ticker
  - name: stats
  - name: alerts
applications:
  - name: stats
    code: |
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), n INTEGER);
      CREATE OR REPLACE STREAM "ALERTS" (ticker VARCHAR(4), price DOUBLE);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ticker, COUNT(*) FROM "SOURCE_SQL_STREAM_001"
        GROUP BY ticker, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND);
      CREATE OR REPLACE PUMP "A" AS INSERT INTO "ALERTS"
        SELECT STREAM ticker, price FROM "SOURCE_SQL_STREAM_001" WHERE price > 100;
    inputs:
      - Stream: ticker
        InputSchema:
          RecordFormat: {RecordFormatType: JSON, MappingParameters: {JSONMappingParameters: {RecordRowPath: $}}}
          RecordColumns:
            - {Name: TICKER, SqlType: VARCHAR(4), Mapping: $.ticker}
            - {Name: PRICE, SqlType: DOUBLE, Mapping: $.price}
    outputs:
      - {Name: DESTINATION_SQL_STREAM, Stream: stats}
      - {Name: ALERTS, Stream: alerts, DestinationSchema: {RecordFormatType: CSV}}
    reference_data:
      - TableName: COMPANIES
        BucketARN: arn:aws:s3:::ref
        FileKey: companies.csv
        ReferenceSchema:
          RecordFormat: {RecordFormatType: CSV, MappingParameters: {CSVMappingParameters: {RecordRowDelimiter: "\n", RecordColumnDelimiter: ","}}}
          RecordColumns: [{Name: TICKER, SqlType: VARCHAR(4)}, {Name: NAME, SqlType: VARCHAR(32)}]
    start: false
    tags: {team: quant, tier: gold}
  - name: discovered
    code_file: discovered.sql
    inputs:
      - Stream: ticker
    start: false
`

// TestApplyApplications creates and starts an application from the file,
// finds its rows in the output stream, applies again without changes,
// then applies a file that changes code, outputs, reference data, tags and
// running state, with a second application whose schema is discovered.
func TestApplyApplications(t *testing.T) {
	c, dir := startAnalyticsServer(t)

	wantLines(t, apply(t, c, dir, appsV1),
		"stream ticker: created (provisioned, 1 shard)",
		"stream stats: created (provisioned, 1 shard)",
		"stream alerts: created (provisioned, 1 shard)",
		"application stats: created (ticker; DESTINATION_SQL_STREAM → stream:stats)",
		"application stats: started from TRIM_HORIZON, RUNNING",
		"4 resources changed",
	)
	wantLines(t, apply(t, c, dir, appsV1),
		"stream ticker: unchanged", "stream stats: unchanged", "stream alerts: unchanged",
		"application stats: unchanged", "no changes",
	)
	d := describeApp(t, c, "stats")
	if d.ApplicationStatus != katypes.ApplicationStatusRunning || len(d.OutputDescriptions) != 1 ||
		aws.ToString(d.OutputDescriptions[0].KinesisStreamsOutputDescription.ResourceARN) != "arn:aws:kinesis:us-east-1:000000000000:stream/stats" ||
		aws.ToString(d.InputDescriptions[0].KinesisStreamsInputDescription.RoleARN) != pipeline.DefaultAnalyticsRoleARN {
		t.Errorf("application %+v", d)
	}

	// It runs: the window's counts arrive in stats.
	put(t, c, "ticker", `{"ticker":"AMZN","price":10.5}`, `{"ticker":"AMZN","price":120}`, `{"ticker":"MSFT","price":9}`)
	testutil.Eventually(t, 20*time.Second, "counts in stats", func() bool {
		sums := map[string]int{}
		for _, data := range records(t, c, "stats") {
			var r struct {
				TICKER string
				N      int
			}
			if json.Unmarshal([]byte(data), &r) == nil {
				sums[r.TICKER] += r.N
			}
		}
		return sums["AMZN"] == 2 && sums["MSFT"] == 1
	})

	if err := os.WriteFile(filepath.Join(dir, "discovered.sql"), []byte(`CREATE OR REPLACE STREAM "D" (ticker VARCHAR(4));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "D" SELECT STREAM "ticker" FROM "SOURCE_SQL_STREAM_001";
`), 0o644); err != nil {
		t.Fatal(err)
	}
	wantLines(t, apply(t, c, dir, appsV2),
		"stream ticker: unchanged", "stream stats: unchanged", "stream alerts: unchanged",
		"application stats: code changed",
		"application stats: output ALERTS → alerts added",
		"application stats: reference COMPANIES added (arn:aws:s3:::ref companies.csv)",
		"application stats: tag tier=gold added",
		"application stats: stopped, READY",
		"application discovered: created (ticker)",
		"2 resources changed",
	)
	wantLines(t, apply(t, c, dir, appsV2),
		"stream ticker: unchanged", "stream stats: unchanged", "stream alerts: unchanged",
		"application stats: unchanged", "application discovered: unchanged", "no changes",
	)
	d = describeApp(t, c, "stats")
	if d.ApplicationStatus != katypes.ApplicationStatusReady || len(d.OutputDescriptions) != 2 || len(d.ReferenceDataSourceDescriptions) != 1 ||
		!strings.Contains(aws.ToString(d.ApplicationCode), `"ALERTS"`) {
		t.Errorf("application after v2 %+v", d)
	}
	disc := describeApp(t, c, "discovered")
	var cols []string
	for _, col := range disc.InputDescriptions[0].InputSchema.RecordColumns {
		cols = append(cols, aws.ToString(col.Name)+" "+aws.ToString(col.SqlType))
	}
	if !slices.Equal(cols, []string{"ticker VARCHAR(4)", "price REAL"}) || disc.ApplicationStatus != katypes.ApplicationStatusReady {
		t.Errorf("discovered application: columns %q, status %s", cols, disc.ApplicationStatus)
	}

	// Back to v1: the extra output and the reference table go, and it runs again.
	wantLines(t, apply(t, c, dir, strings.Replace(appsV1, "starting_position: TRIM_HORIZON", "starting_position: LAST_STOPPED_POINT", 1)),
		"stream ticker: unchanged", "stream stats: unchanged", "stream alerts: unchanged",
		"application stats: code changed",
		"application stats: output ALERTS → alerts removed",
		"application stats: reference COMPANIES removed",
		"application stats: tag tier removed",
		"application stats: started from LAST_STOPPED_POINT, RUNNING",
		"1 resource changed",
	)
}

func TestApplyApplicationErrors(t *testing.T) {
	c, dir := startAnalyticsServer(t)
	for _, tc := range []struct {
		src, want string
	}{
		{`applications:
  - name: a
    code: SELECT STREAM 1 FROM "SOURCE_SQL_STREAM_001"
    inputs: [{Stream: nope}]
`, `pipeline: application a: inputs[0].Stream nope: the stream does not exist (declare it under streams: or create it first)`},
		{`streams: [{name: empty}]
applications:
  - name: a
    code: SELECT STREAM 1 FROM "SOURCE_SQL_STREAM_001"
    inputs: [{Stream: empty}]
`, `pipeline: application a: discovering the input schema of arn:aws:kinesis:us-east-1:000000000000:stream/empty (give InputSchema, or put records into the stream first): `},
	} {
		err := applyErr(t, c, dir, tc.src)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("apply:\n%s\nerror %v\nwant %s", tc.src, err, tc.want)
		}
	}
	if err := (&pipeline.File{Applications: []pipeline.Application{{Name: "a"}}}).Apply(context.Background(), pipeline.Clients{}, nil); err == nil ||
		err.Error() != "pipeline: the file declares applications but there is no Kinesis Analytics client" {
		t.Errorf("no client: %v", err)
	}
}

func describeApp(t *testing.T, c pipeline.Clients, name string) *katypes.ApplicationDetail {
	t.Helper()
	out, err := c.Analytics.DescribeApplication(context.Background(), &kinesisanalytics.DescribeApplicationInput{ApplicationName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out.ApplicationDetail
}

func put(t *testing.T, c pipeline.Clients, stream string, data ...string) {
	t.Helper()
	var entries []types.PutRecordsRequestEntry
	for i, d := range data {
		entries = append(entries, types.PutRecordsRequestEntry{Data: []byte(d), PartitionKey: aws.String(fmt.Sprint(i))})
	}
	if _, err := c.Kinesis.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries}); err != nil {
		t.Fatal(err)
	}
}

// records reads the data of every record of a one-shard stream.
func records(t *testing.T, c pipeline.Clients, stream string) []string {
	t.Helper()
	ctx := context.Background()
	it, err := c.Kinesis.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName: aws.String(stream), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Kinesis.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	var data []string
	for _, r := range out.Records {
		data = append(data, string(r.Data))
	}
	return data
}
