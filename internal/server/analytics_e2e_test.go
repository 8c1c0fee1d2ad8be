package server_test

// End-to-end tests of Kinesis Data Analytics applications through a whole
// in-process kinesin server and the AWS SDK clients: Wasm user functions,
// a delivery stream as the input, a function as the output, and stop/start
// with LAST_STOPPED_POINT in the middle of a window.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	ka "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
	katypes "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/kinesin/kinesin/internal/pipeline"
	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
)

const (
	kdaAccount = "000000000000"
	kdaRole    = "arn:aws:iam::000000000000:role/kda"
)

// kdaEnv is a kinesin server with the clients of the services an
// application touches.
type kdaEnv struct {
	t   *testing.T
	s   *server.Server
	dir string
	k   *kinesis.Client
	ka  *ka.Client
	lc  *lambda.Client
	fh  *firehose.Client
}

func newKDAEnv(t *testing.T) *kdaEnv {
	t.Helper()
	dir := t.TempDir()
	s := testutil.Start(t, server.Config{DataDir: dir, TriggerTimeUnit: 20 * time.Millisecond})
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	return &kdaEnv{t: t, s: s, dir: dir, k: testutil.Kinesis(s.URL()), fh: firehoseClient(s),
		ka: ka.New(ka.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), Credentials: creds, Retryer: testutil.ConnRetryer()}),
		lc: lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), Credentials: creds, Retryer: testutil.ConnRetryer()}),
	}
}

func kdaStreamARN(name string) string {
	return "arn:aws:kinesis:us-east-1:" + kdaAccount + ":stream/" + name
}

// kdaInput is a JSON input (RecordRowPath $) of a stream or delivery
// stream ARN with columns given as name, SQL type, mapping triples.
func kdaInput(arn string, cols ...string) katypes.Input {
	in := katypes.Input{
		NamePrefix: aws.String("SOURCE_SQL_STREAM"),
		InputSchema: &katypes.SourceSchema{
			RecordFormat: &katypes.RecordFormat{RecordFormatType: katypes.RecordFormatTypeJson,
				MappingParameters: &katypes.MappingParameters{JSONMappingParameters: &katypes.JSONMappingParameters{RecordRowPath: aws.String("$")}}},
			RecordEncoding: aws.String("UTF-8"),
		},
	}
	for i := 0; i+2 < len(cols); i += 3 {
		in.InputSchema.RecordColumns = append(in.InputSchema.RecordColumns,
			katypes.RecordColumn{Name: aws.String(cols[i]), SqlType: aws.String(cols[i+1]), Mapping: aws.String(cols[i+2])})
	}
	if strings.Contains(arn, ":firehose:") {
		in.KinesisFirehoseInput = &katypes.KinesisFirehoseInput{ResourceARN: aws.String(arn), RoleARN: aws.String(kdaRole)}
	} else {
		in.KinesisStreamsInput = &katypes.KinesisStreamsInput{ResourceARN: aws.String(arn), RoleARN: aws.String(kdaRole)}
	}
	return in
}

// kdaStreamOutput sends in-application stream name to a kinesin stream as JSON.
func kdaStreamOutput(name, stream string) katypes.Output {
	return katypes.Output{Name: aws.String(name),
		KinesisStreamsOutput: &katypes.KinesisStreamsOutput{ResourceARN: aws.String(kdaStreamARN(stream)), RoleARN: aws.String(kdaRole)},
		DestinationSchema:    &katypes.DestinationSchema{RecordFormatType: katypes.RecordFormatTypeJson}}
}

func (e *kdaEnv) createApp(name, code string, in katypes.Input, outs ...katypes.Output) {
	e.t.Helper()
	if _, err := e.ka.CreateApplication(context.Background(), &ka.CreateApplicationInput{ApplicationName: aws.String(name),
		ApplicationCode: aws.String(code), Inputs: []katypes.Input{in}, Outputs: outs}); err != nil {
		e.t.Fatalf("create application %s: %v", name, err)
	}
}

func (e *kdaEnv) describe(name string) *katypes.ApplicationDetail {
	e.t.Helper()
	out, err := e.ka.DescribeApplication(context.Background(), &ka.DescribeApplicationInput{ApplicationName: aws.String(name)})
	if err != nil {
		e.t.Fatalf("describe %s: %v", name, err)
	}
	return out.ApplicationDetail
}

func (e *kdaEnv) waitStatus(name string, want katypes.ApplicationStatus) {
	e.t.Helper()
	testutil.Eventually(e.t, 20*time.Second, name+" "+string(want), func() bool {
		return e.describe(name).ApplicationStatus == want
	})
}

// start starts an application from pos and waits until it is RUNNING and
// its run has begun (it wrote a checkpoint: the run's metrics exist).
func (e *kdaEnv) start(name string, pos katypes.InputStartingPosition) {
	e.t.Helper()
	if _, err := e.ka.StartApplication(context.Background(), &ka.StartApplicationInput{ApplicationName: aws.String(name),
		InputConfigurations: []katypes.InputConfiguration{{Id: aws.String("1.1"),
			InputStartingPositionConfiguration: &katypes.InputStartingPositionConfiguration{InputStartingPosition: pos}}}}); err != nil {
		e.t.Fatalf("start %s: %v", name, err)
	}
	e.waitStatus(name, katypes.ApplicationStatusRunning)
	testutil.Eventually(e.t, 20*time.Second, name+"'s run to begin", func() bool {
		_, ok := e.metric("kinesisanalytics_LastCheckpointAgeSeconds", `application="`+name+`"`)
		return ok
	})
}

func (e *kdaEnv) stop(name string) {
	e.t.Helper()
	if _, err := e.ka.StopApplication(context.Background(), &ka.StopApplicationInput{ApplicationName: aws.String(name)}); err != nil {
		e.t.Fatalf("stop %s: %v", name, err)
	}
	e.waitStatus(name, katypes.ApplicationStatusReady)
}

// metric answers the sum of the /metrics samples named name whose labels
// contain every one of labels.
func (e *kdaEnv) metric(name string, labels ...string) (float64, bool) {
	resp, err := http.Get(e.s.URL() + "/metrics")
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	sum, found := 0.0, false
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(line, l)
		}
		var v float64
		if _, err := fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &v); ok && err == nil {
			sum, found = sum+v, true
		}
	}
	return sum, found
}

func (e *kdaEnv) putJSON(stream string, rows ...string) {
	e.t.Helper()
	var entries []ktypes.PutRecordsRequestEntry
	for i, r := range rows {
		entries = append(entries, ktypes.PutRecordsRequestEntry{Data: []byte(r), PartitionKey: aws.String(fmt.Sprint("pk", i))})
	}
	out, err := e.k.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
	if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
		e.t.Fatalf("put to %s: %v %+v", stream, err, out)
	}
}

// records answers every record of a stream so far, shard by shard.
func (e *kdaEnv) records(stream string) []string {
	e.t.Helper()
	ctx := context.Background()
	shards, err := e.k.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, sh := range shards.Shards {
		it, err := e.k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: sh.ShardId,
			ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
		if err != nil {
			e.t.Fatal(err)
		}
		for iter := it.ShardIterator; iter != nil; {
			r, err := e.k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				e.t.Fatal(err)
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

// rows decodes the JSON records of a stream.
func (e *kdaEnv) rows(stream string) []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, r := range e.records(stream) {
		var row map[string]any
		if err := json.Unmarshal([]byte(r), &row); err != nil {
			e.t.Fatalf("record %q of %s: %v", r, stream, err)
		}
		out = append(out, row)
	}
	return out
}

// raceBuild reports whether the test binary runs under the race detector,
// where compiling a 5 MB Go WebAssembly module takes minutes.
func raceBuild() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" && s.Value == "true" {
				return true
			}
		}
	}
	return false
}

// deploy creates a function from code and waits until it is Active.
func (e *kdaEnv) deploy(name, rt, handler string, code []byte, env map[string]string) {
	e.t.Helper()
	ctx := context.Background()
	in := &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: ltypes.Runtime(rt), Handler: aws.String(handler),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &ltypes.FunctionCode{ZipFile: code}}
	if env != nil {
		in.Environment = &ltypes.Environment{Variables: env}
	}
	if _, err := e.lc.CreateFunction(ctx, in); err != nil {
		e.t.Fatalf("create function %s: %v", name, err)
	}
	w := lambda.NewFunctionActiveV2Waiter(e.lc, func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 100*time.Millisecond
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 2*time.Minute); err != nil {
		e.t.Fatalf("function %s Active: %v", name, err)
	}
}

// TestAnalyticsWasmFunction deploys examples/sql-udf/geohash as a Wasm
// function through the Lambda API and runs an application whose code
// declares it with CREATE FUNCTION ... LANGUAGE WASM: every position gets
// its geohash cell on the output stream, and the position off the globe
// goes to error_stream with the function's error.
func TestAnalyticsWasmFunction(t *testing.T) {
	if testing.Short() || raceBuild() {
		t.Skip("builds and compiles a 5 MB WebAssembly module")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go tool to build the function")
	}
	e := newKDAEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	code, err := pipeline.Package(ctx, "../../examples/sql-udf/geohash", "wasm", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.deploy("geohash", "wasm", "geohash", code, nil)

	testutil.CreateStream(t, e.k, "positions", 1)
	testutil.CreateStream(t, e.k, "cells", 1)
	testutil.CreateStream(t, e.k, "errors", 1)
	app := `CREATE FUNCTION GEOHASH(lat DOUBLE, lon DOUBLE, chars INTEGER)
    RETURNS VARCHAR(12) LANGUAGE WASM EXTERNAL NAME 'geohash';
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (VEHICLE VARCHAR(16), CELL VARCHAR(12));
CREATE OR REPLACE PUMP "CELL_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM VEHICLE, GEOHASH(LAT, LON, 5) FROM "SOURCE_SQL_STREAM_001";`
	e.createApp("cells", app, kdaInput(kdaStreamARN("positions"),
		"VEHICLE", "VARCHAR(16)", "$.vehicle", "LAT", "DOUBLE", "$.lat", "LON", "DOUBLE", "$.lon"),
		kdaStreamOutput("DESTINATION_SQL_STREAM", "cells"), kdaStreamOutput("error_stream", "errors"))
	e.putJSON("positions",
		`{"vehicle":"bus-7","lat":57.64911,"lon":10.40744}`,
		`{"vehicle":"bus-9","lat":57.6502,"lon":10.4101}`,
		`{"vehicle":"tram-2","lat":48.8583,"lon":2.2945}`,
		`{"vehicle":"gps-glitch","lat":100,"lon":10}`)
	e.start("cells", katypes.InputStartingPositionTrimHorizon)
	e.putJSON("positions", `{"vehicle":"ferry-1","lat":-33.8568,"lon":151.2153}`)

	var got []string
	testutil.Eventually(t, 30*time.Second, "four cells and one error", func() bool {
		return len(e.records("cells")) >= 4 && len(e.records("errors")) >= 1
	})
	e.stop("cells")
	for _, r := range e.rows("cells") {
		got = append(got, fmt.Sprint(r["VEHICLE"], " ", r["CELL"]))
	}
	want := []string{"bus-7 u4pru", "bus-9 u4pru", "tram-2 u09tu", "ferry-1 r3gx2"}
	if !slices.Equal(got, want) {
		t.Errorf("cells %q, want %q", got, want)
	}
	errs := e.rows("errors")
	if len(errs) != 1 || errs[0]["ERROR_NAME"] != "SQL_EVALUATION_ERROR" || errs[0]["PUMP_NAME"] != "CELL_PUMP" ||
		!strings.Contains(fmt.Sprint(errs[0]["MESSAGE"]), "latitude 100 is not within [-90, 90]") ||
		!strings.Contains(fmt.Sprint(errs[0]["DATA_ROW"]), "gps-glitch") {
		t.Errorf("error_stream rows %v, want the function's error for gps-glitch", errs)
	}
}

// TestAnalyticsFirehoseInput reads a DirectPut delivery stream
// (KinesisFirehoseInput) while the delivery stream delivers to S3 (the
// data directory): both get every record exactly once, also records put
// while the application is stopped, as the record stream is kept until
// both have consumed it.
func TestAnalyticsFirehoseInput(t *testing.T) {
	e := newKDAEnv(t)
	ctx := context.Background()
	if _, err := e.fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("clicks"),
		ExtendedS3DestinationConfiguration: &ftypes.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/f"), Prefix: aws.String("clicks/"),
			BufferingHints: &ftypes.BufferingHints{IntervalInSeconds: aws.Int32(10), SizeInMBs: aws.Int32(1)}}}); err != nil {
		t.Fatal(err)
	}
	d := waitActive(t, e.fh, "clicks")
	testutil.CreateStream(t, e.k, "per-user", 1)
	code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (USER_ID VARCHAR(8), N INTEGER, DOUBLED INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM USER_ID, N, N * 2 FROM "SOURCE_SQL_STREAM_001";`
	e.createApp("clicks-app", code, kdaInput(aws.ToString(d.DeliveryStreamARN), "USER_ID", "VARCHAR(8)", "$.user", "N", "INTEGER", "$.n"),
		kdaStreamOutput("DESTINATION_SQL_STREAM", "per-user"))
	if in := e.describe("clicks-app").InputDescriptions[0]; in.KinesisFirehoseInputDescription == nil ||
		aws.ToString(in.KinesisFirehoseInputDescription.ResourceARN) != aws.ToString(d.DeliveryStreamARN) {
		t.Fatalf("input description %+v", in)
	}
	e.start("clicks-app", katypes.InputStartingPositionNow)

	putBatch := func(from, to int) {
		var recs []ftypes.Record
		for i := from; i < to; i++ {
			recs = append(recs, ftypes.Record{Data: []byte(fmt.Sprintf("{\"user\":\"u%d\",\"n\":%d}\n", i%7, i))})
		}
		out, err := e.fh.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("clicks"), Records: recs})
		if err != nil || aws.ToInt32(out.FailedPutCount) != 0 {
			t.Fatalf("put: %v %+v", err, out)
		}
	}
	// Three batches while the application runs, one while it is stopped:
	// the record stream keeps that one for the application, which reads it
	// when started again from LAST_STOPPED_POINT.
	const n = 160
	for b := range 3 {
		putBatch(b*40, (b+1)*40)
	}
	testutil.Eventually(t, 30*time.Second, "the records through the application", func() bool {
		return len(e.records("per-user")) >= 120
	})
	e.stop("clicks-app")
	putBatch(120, n)
	testutil.Eventually(t, 30*time.Second, "every record delivered to S3", func() bool {
		return strings.Count(readObjects(t, e.dir, "lake", "clicks/"), "\n") >= n
	})
	e.start("clicks-app", katypes.InputStartingPositionLastStoppedPoint)
	testutil.Eventually(t, 30*time.Second, "the records put while stopped through the application", func() bool {
		return len(e.records("per-user")) >= n
	})
	e.stop("clicks-app")

	seen := map[int]int{}
	for _, r := range e.rows("per-user") {
		i := int(r["N"].(float64))
		seen[i]++
		if r["USER_ID"] != fmt.Sprint("u", i%7) || r["DOUBLED"] != float64(2*i) {
			t.Errorf("output row %v", r)
		}
	}
	objects := readObjects(t, e.dir, "lake", "clicks/")
	for i := range n {
		if seen[i] != 1 {
			t.Errorf("record %d came out of the application %d times", i, seen[i])
		}
		if c := strings.Count(objects, fmt.Sprintf("\"n\":%d}\n", i)); c != 1 {
			t.Errorf("record %d delivered to S3 %d times", i, c)
		}
	}
}

// deliverySink is a Lambda function (a provided.al2023 bootstrap speaking
// the Runtime API, standard library only) that appends every event it gets,
// one JSON line each, to the file $EVENTS_FILE, and answers each record Ok,
// except a record whose data holds "RTRY" on its first delivery
// (retryHint 0): DeliveryFailed.
const deliverySink = `package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
)

type event struct {
	Records []struct {
		RecordID string ` + "`json:\"recordId\"`" + `
		Data     []byte ` + "`json:\"data\"`" + `
		Meta     struct {
			RetryHint int64 ` + "`json:\"retryHint\"`" + `
		} ` + "`json:\"lambdaDeliveryRecordMetadata\"`" + `
	} ` + "`json:\"records\"`" + `
}

type result struct {
	RecordID string ` + "`json:\"recordId\"`" + `
	Result   string ` + "`json:\"result\"`" + `
}

func main() {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	for {
		resp, err := http.Get(api + "next")
		if err != nil {
			os.Exit(1)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		f, err := os.OpenFile(os.Getenv("EVENTS_FILE"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			f.Write(append(bytes.TrimSpace(body), '\n'))
			f.Close()
		}
		var ev event
		_ = json.Unmarshal(body, &ev)
		out := struct {
			Records []result ` + "`json:\"records\"`" + `
		}{Records: []result{}}
		for _, r := range ev.Records {
			res := "Ok"
			if bytes.Contains(r.Data, []byte("RTRY")) && r.Meta.RetryHint == 0 {
				res = "DeliveryFailed"
			}
			out.Records = append(out.Records, result{r.RecordID, res})
		}
		b, _ := json.Marshal(out)
		r, err := http.Post(api+id+"/response", "application/json", bytes.NewReader(b))
		if err == nil {
			r.Body.Close()
		}
	}
}
`

// deliveryEvent is the KinesisAnalyticsOutputDeliveryEvent.
type deliveryEvent struct {
	InvocationID   string `json:"invocationId"`
	ApplicationARN string `json:"applicationArn"`
	Records        []struct {
		RecordID string `json:"recordId"`
		Meta     *struct {
			RetryHint *int64 `json:"retryHint"`
		} `json:"lambdaDeliveryRecordMetadata"`
		Data []byte `json:"data"`
	} `json:"records"`
}

// TestAnalyticsLambdaOutput sends an application's rows to a Lambda
// function (LambdaOutput): the function gets the
// KinesisAnalyticsOutputDeliveryEvent, a record it answers DeliveryFailed
// comes again with retryHint 1, and records it answered Ok never come
// again.
func TestAnalyticsLambdaOutput(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go tool to build the function")
	}
	e := newKDAEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module sink\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte(deliverySink), 0o644); err != nil {
		t.Fatal(err)
	}
	var buildLog strings.Builder
	code, err := pipeline.Package(ctx, src, "provided.al2023", &buildLog)
	if err != nil {
		t.Fatalf("%v\n%s", err, buildLog.String())
	}
	events := filepath.Join(t.TempDir(), "events.jsonl")
	e.deploy("sink", "provided.al2023", "bootstrap", code, map[string]string{"EVENTS_FILE": events})

	testutil.CreateStream(t, e.k, "ticks", 1)
	code2 := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(4), PRICE DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM TICKER, PRICE FROM "SOURCE_SQL_STREAM_001" WHERE PRICE > 100;`
	out := katypes.Output{Name: aws.String("DESTINATION_SQL_STREAM"),
		LambdaOutput:      &katypes.LambdaOutput{ResourceARN: aws.String("arn:aws:lambda:us-east-1:" + kdaAccount + ":function:sink"), RoleARN: aws.String(kdaRole)},
		DestinationSchema: &katypes.DestinationSchema{RecordFormatType: katypes.RecordFormatTypeJson}}
	e.createApp("to-fn", code2, kdaInput(kdaStreamARN("ticks"), "TICKER", "VARCHAR(4)", "$.ticker", "PRICE", "DOUBLE", "$.price"), out)
	if o := e.describe("to-fn").OutputDescriptions; len(o) != 1 || o[0].LambdaOutputDescription == nil {
		t.Fatalf("output descriptions %+v", o)
	}
	e.putJSON("ticks", `{"ticker":"AMZN","price":180.5}`, `{"ticker":"IBM","price":99}`, `{"ticker":"RTRY","price":101}`, `{"ticker":"MSFT","price":420}`)
	e.start("to-fn", katypes.InputStartingPositionTrimHorizon)

	// deliveries answers, per ticker, the retryHints of its deliveries.
	deliveries := func() (map[string][]int64, []deliveryEvent) {
		b, err := os.ReadFile(events)
		if err != nil {
			return nil, nil
		}
		got := map[string][]int64{}
		var evs []deliveryEvent
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var ev deliveryEvent
			if err := json.Unmarshal([]byte(line), &ev); err != nil {
				t.Fatalf("event %q: %v", line, err)
			}
			evs = append(evs, ev)
			for _, r := range ev.Records {
				var row map[string]any
				if err := json.Unmarshal(r.Data, &row); err != nil {
					t.Fatalf("record data %q: %v", r.Data, err)
				}
				hint := int64(-1)
				if r.Meta != nil && r.Meta.RetryHint != nil {
					hint = *r.Meta.RetryHint
				}
				got[fmt.Sprint(row["TICKER"])] = append(got[fmt.Sprint(row["TICKER"])], hint)
			}
		}
		return got, evs
	}
	testutil.Eventually(t, 30*time.Second, "RTRY delivered again", func() bool {
		got, _ := deliveries()
		return len(got["RTRY"]) >= 2
	})
	// A row produced after the retry: the next event holds it alone.
	e.putJSON("ticks", `{"ticker":"NFLX","price":700}`)
	testutil.Eventually(t, 30*time.Second, "NFLX delivered", func() bool {
		got, _ := deliveries()
		return len(got["NFLX"]) >= 1
	})
	e.stop("to-fn")

	got, evs := deliveries()
	want := map[string][]int64{"AMZN": {0}, "RTRY": {0, 1}, "MSFT": {0}, "NFLX": {0}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("deliveries (retryHints per ticker) %v, want %v", got, want)
	}
	ids := map[string]bool{}
	for _, ev := range evs {
		if ev.InvocationID == "" || ev.ApplicationARN != "arn:aws:kinesisanalytics:us-east-1:"+kdaAccount+":application/to-fn" || len(ev.Records) == 0 {
			t.Errorf("event %+v", ev)
		}
		for _, r := range ev.Records {
			if r.RecordID == "" || r.Meta == nil || r.Meta.RetryHint == nil {
				t.Errorf("event record %+v", r)
			}
			if r.Meta != nil && r.Meta.RetryHint != nil && *r.Meta.RetryHint == 0 {
				if ids[r.RecordID] {
					t.Errorf("recordId %s used for two records", r.RecordID)
				}
				ids[r.RecordID] = true
			}
		}
	}
}

// countRow is a row of the tumbling count: key, count and window end (ms).
type countRow struct {
	k    string
	n    int
	wend int64
}

// TestAnalyticsStopStartMidWindow counts records per key in 4-second
// tumbling windows of ROWTIME, stops the application in the middle of a
// window, puts more records while it is stopped, and starts it again with
// LAST_STOPPED_POINT: once with the restart inside the same window (the
// restored window holds the rows from before the stop) and once after the
// window's end (the restored window closes at the first advance). Every
// record is read once (an echo pump writes each row with its ROWTIME),
// and each (window, key) result comes out exactly once with the count of
// the rows whose ROWTIME is in that window.
func TestAnalyticsStopStartMidWindow(t *testing.T) {
	e := newKDAEnv(t)
	for _, s := range []string{"events", "counts", "seen"} {
		testutil.CreateStream(t, e.k, s, 1)
	}
	const size = 4000 // ms
	code := `CREATE OR REPLACE STREAM "COUNTS" (K VARCHAR(8), N BIGINT, WEND BIGINT);
CREATE OR REPLACE PUMP "COUNT_PUMP" AS INSERT INTO "COUNTS"
SELECT STREAM K, COUNT(*) AS N, UNIX_TIMESTAMP(ROWTIME) AS WEND FROM "SOURCE_SQL_STREAM_001"
GROUP BY K, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '4' SECOND);
CREATE OR REPLACE STREAM "SEEN" (K VARCHAR(8), I INTEGER, RT BIGINT);
CREATE OR REPLACE PUMP "SEEN_PUMP" AS INSERT INTO "SEEN"
SELECT STREAM K, I, UNIX_TIMESTAMP("SOURCE_SQL_STREAM_001".ROWTIME) AS RT FROM "SOURCE_SQL_STREAM_001";`
	e.createApp("counter", code, kdaInput(kdaStreamARN("events"), "K", "VARCHAR(8)", "$.k", "I", "INTEGER", "$.i"),
		kdaStreamOutput("COUNTS", "counts"), kdaStreamOutput("SEEN", "seen"))
	e.start("counter", katypes.InputStartingPositionTrimHorizon)

	next := 0
	put := func(keys ...string) {
		var rows []string
		for _, k := range keys {
			rows = append(rows, fmt.Sprintf(`{"k":%q,"i":%d}`, k, next))
			next++
		}
		e.putJSON("events", rows...)
	}
	// seen answers the ROWTIME of every record read, failing on a record
	// read twice, and the records' keys.
	keys := map[int]string{}
	seen := func() map[int]int64 {
		out := map[int]int64{}
		for _, r := range e.rows("seen") {
			i := int(r["I"].(float64))
			if _, dup := out[i]; dup {
				t.Fatalf("record %d read twice: %v", i, r)
			}
			out[i] = int64(r["RT"].(float64))
			keys[i] = fmt.Sprint(r["K"])
		}
		return out
	}
	counts := func() []countRow {
		var out []countRow
		for _, r := range e.rows("counts") {
			out = append(out, countRow{fmt.Sprint(r["K"]), int(r["N"].(float64)), int64(r["WEND"].(float64))})
		}
		return out
	}
	windowEnd := func(t int64) int64 { return t - t%size + size }

	for round, pastEnd := range []bool{false, true} {
		// Begin early in a window so that the stop comes before its end.
		testutil.Eventually(t, 2*size*time.Millisecond, "the start of a window", func() bool {
			ms := time.Now().UnixMilli() % size
			return ms >= 50 && ms < 800
		})
		put("a", "a", "a", "b", "b")
		testutil.Eventually(t, 20*time.Second, "the records read", func() bool { return len(seen()) == next })
		before := seen()
		open := windowEnd(before[next-1])
		e.stop("counter")
		stoppedAt := time.Now().UnixMilli()
		if stoppedAt < open {
			for _, c := range counts() {
				if c.wend == open {
					t.Errorf("round %d: window ending %d emitted before it ended: %+v", round, open, c)
				}
			}
		} else {
			t.Logf("round %d: the stop took until after the window's end", round)
		}
		put("a", "a", "a", "a", "c")
		if pastEnd {
			testutil.Eventually(t, 2*size*time.Millisecond, "the window's end", func() bool { return time.Now().UnixMilli() > open+100 })
		}
		e.start("counter", katypes.InputStartingPositionLastStoppedPoint)
		testutil.Eventually(t, 20*time.Second, "the records put while stopped read", func() bool { return len(seen()) == next })
		rt := seen()
		for i, t0 := range before {
			if rt[i] != t0 {
				t.Errorf("round %d: record %d read again after LAST_STOPPED_POINT (ROWTIME %d, then %d)", round, i, t0, rt[i])
			}
		}
		last := windowEnd(rt[next-1])
		t.Logf("round %d: window open at the stop ends %d, stopped at %d, restarted records in the window ending %d", round, open, stoppedAt, last)
		testutil.Eventually(t, 20*time.Second, "the windows closed", func() bool {
			for _, c := range counts() {
				if c.wend >= last {
					return true
				}
			}
			return false
		})
	}
	e.stop("counter")

	want := map[string]int{}
	for i, t0 := range seen() {
		want[fmt.Sprint(windowEnd(t0), " ", keys[i])]++
	}
	got := map[string]int{}
	for _, c := range counts() {
		key := fmt.Sprint(c.wend, " ", c.k)
		if _, dup := got[key]; dup {
			t.Errorf("window result %s emitted twice (counts %d and %d)", key, got[key], c.n)
		}
		got[key] = c.n
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("window counts %v, want %v (from the ROWTIMEs of the rows read)", got, want)
	}
}

// TestAnalyticsStartNow starts an application with NOW and puts records
// as soon as StartApplication returns, before the application is RUNNING:
// AWS's NOW starts "at the request timestamp that the customer issued",
// so those records are read and the ones put before the request are not.
func TestAnalyticsStartNow(t *testing.T) {
	e := newKDAEnv(t)
	ctx := context.Background()
	testutil.CreateStream(t, e.k, "in", 1)
	testutil.CreateStream(t, e.k, "out", 1)
	code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (I INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM I FROM "SOURCE_SQL_STREAM_001";`
	e.createApp("now", code, kdaInput(kdaStreamARN("in"), "I", "INTEGER", "$.i"), kdaStreamOutput("DESTINATION_SQL_STREAM", "out"))
	e.putJSON("in", `{"i":0}`, `{"i":1}`)
	if _, err := e.ka.StartApplication(ctx, &ka.StartApplicationInput{ApplicationName: aws.String("now"),
		InputConfigurations: []katypes.InputConfiguration{{Id: aws.String("1.1"),
			InputStartingPositionConfiguration: &katypes.InputStartingPositionConfiguration{InputStartingPosition: katypes.InputStartingPositionNow}}}}); err != nil {
		t.Fatal(err)
	}
	e.putJSON("in", `{"i":2}`, `{"i":3}`)
	e.waitStatus("now", katypes.ApplicationStatusRunning)
	e.putJSON("in", `{"i":4}`)
	testutil.Eventually(t, 20*time.Second, "the record put once RUNNING", func() bool {
		return slices.ContainsFunc(e.rows("out"), func(r map[string]any) bool { return r["I"] == 4.0 })
	})
	e.stop("now")
	var got []string
	for _, r := range e.rows("out") {
		got = append(got, fmt.Sprint(r["I"]))
	}
	if strings.Join(got, ",") != "2,3,4" {
		t.Errorf("records read %q, want 2,3,4 (those put after the StartApplication request)", got)
	}
}

// TestAnalyticsStopStartUnderLoad stops and starts (LAST_STOPPED_POINT) an
// application again and again while records keep coming, each stop right
// after the application sent output (when its checkpoint is being
// written): every record is read exactly once over all the runs.
func TestAnalyticsStopStartUnderLoad(t *testing.T) {
	e := newKDAEnv(t)
	testutil.CreateStream(t, e.k, "in", 2)
	testutil.CreateStream(t, e.k, "seen", 1)
	code := `CREATE OR REPLACE STREAM "SEEN" (I INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "SEEN" SELECT STREAM I FROM "SOURCE_SQL_STREAM_001";`
	e.createApp("echo", code, kdaInput(kdaStreamARN("in"), "I", "INTEGER", "$.i"), kdaStreamOutput("SEEN", "seen"))
	e.start("echo", katypes.InputStartingPositionTrimHorizon)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		n := 0
		defer func() { done <- n }()
		for ctx.Err() == nil {
			var entries []ktypes.PutRecordsRequestEntry
			for range 5 {
				entries = append(entries, ktypes.PutRecordsRequestEntry{Data: []byte(fmt.Sprintf(`{"i":%d}`, n)), PartitionKey: aws.String(fmt.Sprint(n))})
				n++
			}
			out, err := e.k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("in"), Records: entries})
			if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
				if ctx.Err() == nil {
					t.Errorf("put: %v %+v", err, out)
				}
				n -= 5
				return
			}
		}
	}()
	for range 8 {
		before := len(e.records("seen"))
		testutil.Eventually(t, 20*time.Second, "output sent", func() bool { return len(e.records("seen")) > before })
		e.stop("echo")
		e.start("echo", katypes.InputStartingPositionLastStoppedPoint)
	}
	cancel()
	n := <-done
	testutil.Eventually(t, 20*time.Second, "every record read", func() bool { return len(e.records("seen")) >= n })
	e.stop("echo")
	count := map[int]int{}
	for _, r := range e.rows("seen") {
		count[int(r["I"].(float64))]++
	}
	dups := 0
	for i := range n {
		switch c := count[i]; {
		case c == 0:
			t.Errorf("record %d never read", i)
		case c > 1:
			dups++
		}
	}
	if dups > 0 {
		t.Errorf("%d of %d records read more than once across stop/start with LAST_STOPPED_POINT", dups, n)
	}
}
