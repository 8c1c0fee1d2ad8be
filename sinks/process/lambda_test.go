package process_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/kinesin/kinesin/internal/pipeline"
	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/sinks/process"
)

const (
	region  = "us-east-1"
	account = "123456789012"
)

// lambdaInvoker is a test-only Invoker over the public Lambda Invoke API:
// the server does not export its functions.Service, so the batch goes to
// the real function as a KinesisFirehoseEvent and the
// KinesisFirehoseResponse comes back as an engine.BatchResult.
type lambdaInvoker struct{ c *lambda.Client }

func (l lambdaInvoker) InvokeBatch(ctx context.Context, name, qualifier string, b engine.Batch) (engine.BatchResult, string, error) {
	ev := events.KinesisFirehoseEvent{InvocationID: "test", Region: region,
		DeliveryStreamArn: "arn:aws:firehose:" + region + ":" + account + ":deliverystream/test"}
	for _, r := range b.Records {
		ev.Records = append(ev.Records, events.KinesisFirehoseEventRecord{RecordID: r.RecordID,
			ApproximateArrivalTimestamp: events.MilliSecondsEpochTime{Time: r.ArrivalTime}, Data: r.Data})
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return engine.BatchResult{}, "", err
	}
	in := &lambda.InvokeInput{FunctionName: aws.String(name), Payload: payload}
	if qualifier != "" {
		in.Qualifier = aws.String(qualifier)
	}
	out, err := l.c.Invoke(ctx, in)
	if err != nil {
		return engine.BatchResult{}, "", err
	}
	version := aws.ToString(out.ExecutedVersion)
	if out.FunctionError != nil {
		return engine.BatchResult{FunctionError: *out.FunctionError, ErrorMessage: string(out.Payload)}, version, nil
	}
	res := engine.BatchResult{Records: make([]engine.RecordResult, len(b.Records))}
	for i := range res.Records {
		res.Records[i].Status = engine.ProcessingFailed // unless the response names it
	}
	var resp events.KinesisFirehoseResponse
	if err := json.Unmarshal(out.Payload, &resp); err != nil {
		res.ErrorMessage = "Invalid response from the function: " + err.Error()
		return res, version, nil
	}
	index := make(map[string]int, len(b.Records))
	for i, r := range b.Records {
		index[r.RecordID] = i
	}
	for _, r := range resp.Records {
		i, ok := index[r.RecordID]
		if !ok {
			continue
		}
		rr := engine.RecordResult{Status: engine.ProcessingFailed, Data: r.Data, PartitionKeys: r.Metadata.PartitionKeys}
		switch r.Result {
		case events.KinesisFirehoseTransformedStateOk:
			rr.Status = engine.Ok
		case events.KinesisFirehoseTransformedStateDropped:
			rr.Status = engine.Dropped
		}
		res.Records[i] = rr
	}
	return res, version, nil
}

// startWithTransform starts a kinesin server and deploys
// examples/functions/go-transform as the wasm function "transform".
func startWithTransform(t *testing.T) *lambda.Client {
	t.Helper()
	s := testutil.Start(t, server.Config{AccountID: account})
	c := lambda.New(lambda.Options{Region: region, BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), Retryer: testutil.ConnRetryer()})
	deploy(t, c, "transform", "../../examples/functions/go-transform", pipeline.RuntimeWasm)
	return c
}

// deploy builds the Go function in dir for runtime and creates it as
// name, waiting until it is Active.
func deploy(t *testing.T, c *lambda.Client, name, dir, runtime string) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go tool to build the function")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	code, err := pipeline.Package(ctx, dir, runtime, nil)
	if err != nil {
		t.Fatalf("package %s: %v", dir, err)
	}
	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: ltypes.Runtime(runtime), Handler: aws.String("handle"),
		Role: aws.String("arn:aws:iam::" + account + ":role/test"), Code: &ltypes.FunctionCode{ZipFile: code},
	})
	if err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
	w := lambda.NewFunctionActiveV2Waiter(c, func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 100*time.Millisecond
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 3*time.Minute); err != nil {
		t.Fatalf("wait active %s: %v", name, err)
	}
}

func lambdaConfig(arn string, extra ...process.Processor) process.Config {
	procs := append([]process.Processor{{Type: process.TypeLambda, Parameters: []process.Parameter{
		{ParameterName: process.ParamLambdaArn, ParameterValue: arn},
		{ParameterName: process.ParamNumberOfRetries, ParameterValue: "2"},
	}}}, extra...)
	return process.Config{Enabled: true, Processors: procs}
}

func TestLambdaTransform(t *testing.T) {
	c := startWithTransform(t)
	inv := lambdaInvoker{c}
	ctx := context.Background()
	arrival := time.UnixMilli(1_700_000_000_000)

	t.Run("ok and dropped", func(t *testing.T) {
		p, err := process.Compile(lambdaConfig("arn:aws:lambda:"+region+":"+account+":function:transform",
			process.Processor{Type: process.TypeAppendDelimiterToRecord},
			process.Processor{Type: process.TypeMetadataExtraction, Parameters: []process.Parameter{
				{ParameterName: process.ParamMetadataExtractionQuery, ParameterValue: "{k: .K}"},
				{ParameterName: process.ParamJsonParsingEngine, ParameterValue: "JQ-1.6"},
			}}), inv)
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Process(ctx, []process.Record{
			{ID: "a", Data: []byte(`{"k":"v1"}`), Arrival: arrival},
			{ID: "b", Data: nil, Arrival: arrival},
			{ID: "c", Data: []byte(`{"k":"v2"}`), Arrival: arrival},
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Dropped != 1 || len(res.Failed) != 0 || len(res.Ok) != 2 {
			t.Fatalf("got %d ok, %d dropped, failed %+v", len(res.Ok), res.Dropped, res.Failed)
		}
		// Upper-cased by the function, so the jq query reads .K.
		for i, want := range []struct{ id, data, key string }{{"a", "{\"K\":\"V1\"}\n", "V1"}, {"c", "{\"K\":\"V2\"}\n", "V2"}} {
			got := res.Ok[i]
			if got.ID != want.id || string(got.Data) != want.data || got.PartitionKeys["k"] != want.key {
				t.Errorf("ok[%d] = %s %q %v, want %s %q k=%s", i, got.ID, got.Data, got.PartitionKeys, want.id, want.data, want.key)
			}
		}
	})

	t.Run("deaggregated then transformed", func(t *testing.T) {
		c := lambdaConfig("arn:aws:lambda:"+region+":"+account+":function:transform:$LATEST",
			process.Processor{Type: process.TypeRecordDeAggregation, Parameters: []process.Parameter{
				{ParameterName: process.ParamSubRecordType, ParameterValue: "DELIMITED"},
				{ParameterName: process.ParamDelimiter, ParameterValue: "fA=="}, // "|"
			}})
		p, err := process.Compile(c, inv)
		if err != nil {
			t.Fatal(err)
		}
		agg := process.AggregateKPL([]process.KPLRecord{{PartitionKey: "p", Data: []byte("ab|cd")}, {PartitionKey: "q", Data: []byte("ef")}})
		// Two input records share an id: the batch gets ids of its own.
		res, err := p.Process(ctx, []process.Record{
			{ID: "x", Data: agg, Arrival: arrival}, {ID: "y", Data: []byte("gh||"), Arrival: arrival}, {ID: "y", Data: []byte("ij"), Arrival: arrival},
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range res.Ok {
			got = append(got, r.ID+"="+string(r.Data))
		}
		want := []string{"x:0=AB", "x:1=CD", "x:2=EF", "y:0=GH", "y=IJ"}
		if strings.Join(got, " ") != strings.Join(want, " ") || res.Dropped != 1 || len(res.Failed) != 0 {
			t.Fatalf("ok %q, dropped %d, failed %+v; want ok %q, 1 dropped", got, res.Dropped, res.Failed, want)
		}
	})

	t.Run("processing failed and lambda partition keys", func(t *testing.T) {
		// lambda-noop, a Lambda Runtime API bootstrap: upper-cases data,
		// "drop" is Dropped, "fail" ProcessingFailed, partitionKeys {"pk": …}.
		deploy(t, c, "noop", "../../examples/functions/lambda-noop", "provided.al2023")
		p, err := process.Compile(lambdaConfig("noop"), inv)
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Process(ctx, []process.Record{
			{ID: "a", Data: []byte("abc"), Arrival: arrival}, {ID: "b", Data: []byte("drop"), Arrival: arrival},
			{ID: "c", Data: []byte("fail"), Arrival: arrival},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Ok) != 1 || res.Dropped != 1 || len(res.Failed) != 1 {
			t.Fatalf("got %+v", res)
		}
		if ok := res.Ok[0]; ok.ID != "a" || string(ok.Data) != "ABC" || len(ok.LambdaPartitionKeys) != 1 {
			t.Errorf("ok = %+v", ok)
		}
		f := res.Failed[0]
		if f.ID != "c" || string(f.RawData) != "fail" || f.ErrorCode != process.CodeProcessingFailed || f.AttemptsMade != 1 ||
			f.LambdaArn != "noop" || !f.Arrival.Equal(arrival) {
			t.Errorf("failed = %+v", f)
		}
	})

	t.Run("unknown function", func(t *testing.T) {
		p, err := process.Compile(lambdaConfig("missing"), inv)
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Process(ctx, []process.Record{{ID: "a", Data: []byte("x"), Arrival: arrival}, {ID: "b", Data: []byte("y"), Arrival: arrival}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Ok) != 0 || res.Dropped != 0 || len(res.Failed) != 2 {
			t.Fatalf("got %+v", res)
		}
		for _, f := range res.Failed {
			if f.AttemptsMade != 3 || f.ErrorCode != process.CodeInvokeFailed || f.OutputType != process.OutputProcessingFailed ||
				f.LambdaArn != "missing" || f.ErrorMessage == "" {
				t.Errorf("failed record %+v", f)
			}
		}
		if string(res.Failed[1].RawData) != "y" {
			t.Errorf("raw data %q", res.Failed[1].RawData)
		}
	})
}
