package host_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/kinesin/kinesin/internal/pipeline"
	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
	"github.com/kinesin/kinesin/runtime/sql/host"
)

// lambdaFunctions invokes real functions through the Lambda Invoke API of
// a kinesin server and keeps every event and response.
type lambdaFunctions struct {
	c     *lambda.Client
	mu    sync.Mutex
	calls []call
}

type call struct{ event, response []byte }

func (l *lambdaFunctions) Invoke(ctx context.Context, name, qualifier string, payload []byte) ([]byte, string, error) {
	in := &lambda.InvokeInput{FunctionName: aws.String(name), Payload: payload}
	if qualifier != "" {
		in.Qualifier = aws.String(qualifier)
	}
	out, err := l.c.Invoke(ctx, in)
	if err != nil {
		return nil, "", err
	}
	l.mu.Lock()
	l.calls = append(l.calls, call{payload, out.Payload})
	l.mu.Unlock()
	return out.Payload, aws.ToString(out.FunctionError), nil
}

// deliveries answers, per output record data, the (retryHint, result)
// pairs of every delivery event.
func (l *lambdaFunctions) deliveries(t *testing.T) map[string][]string {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string][]string{}
	for _, c := range l.calls {
		var ev struct {
			ApplicationARN string `json:"applicationArn"`
			Records        []struct {
				RecordID string `json:"recordId"`
				Meta     *struct {
					RetryHint int `json:"retryHint"`
				} `json:"lambdaDeliveryRecordMetadata"`
				Data []byte `json:"data"`
			} `json:"records"`
		}
		var resp struct {
			Records []struct{ RecordID, Result string } `json:"records"`
		}
		if json.Unmarshal(c.event, &ev) != nil || json.Unmarshal(c.response, &resp) != nil || len(ev.Records) == 0 || ev.Records[0].Meta == nil {
			continue
		}
		if !strings.HasPrefix(ev.ApplicationARN, "arn:aws:kinesisanalytics:") {
			t.Errorf("applicationArn %q", ev.ApplicationARN)
		}
		results := map[string]string{}
		for _, r := range resp.Records {
			results[r.RecordID] = r.Result
		}
		for _, r := range ev.Records {
			var row map[string]any
			_ = json.Unmarshal(r.Data, &row)
			key, _ := row["TICKER"].(string)
			out[key] = append(out[key], strings.Repeat("+", r.Meta.RetryHint)+results[r.RecordID])
		}
	}
	return out
}

// TestLambda preprocesses input records and delivers output rows with a
// real function (a Lambda Runtime API bootstrap) that fails a record's
// first delivery.
func TestLambda(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go tool to build the function")
	}
	s := testutil.Start(t, server.Config{AccountID: account})
	lc := lambda.New(lambda.Options{Region: region, BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), Retryer: testutil.ConnRetryer()})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	code, err := pipeline.Package(ctx, "testdata/kdafunc", "provided.al2023", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("kda"), Runtime: ltypes.Runtime("provided.al2023"), Handler: aws.String("bootstrap"),
		Role: aws.String("arn:aws:iam::" + account + ":role/test"), Code: &ltypes.FunctionCode{ZipFile: code},
	}); err != nil {
		t.Fatal(err)
	}
	w := lambda.NewFunctionActiveV2Waiter(lc, func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 100*time.Millisecond
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("kda")}, 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	fns := &lambdaFunctions{c: lc}
	fnARN := "arn:aws:lambda:" + region + ":" + account + ":function:kda"

	e := newEnv(t)
	e.createStream(t, "in", 1)
	e.createStream(t, "errors", 1)
	// The function upper-cases the records, so the schema reads upper-case
	// names.
	in := tickerInput("in")
	in.InputSchema.RecordColumns[0].Mapping = aws.String("$.TICKER")
	in.InputSchema.RecordColumns[1].Mapping = aws.String("$.PRICE")
	in.InputProcessingConfigurationDescription = &types.InputProcessingConfigurationDescription{
		InputLambdaProcessorDescription: &types.InputLambdaProcessorDescription{ResourceARN: aws.String(fnARN)}}
	e.put(t, "in", `{"ticker":"amzn","price":11}`, `drop`, `fail`, `{"ticker":"rtry","price":12}`, `{"ticker":"msft","price":13}`)
	c := host.Config{Name: "lambda", Code: filterCode, Start: types.InputStartingPositionTrimHorizon, Functions: fns,
		Inputs: []types.InputDescription{in},
		Outputs: []types.OutputDescription{
			{Name: aws.String("DESTINATION_SQL_STREAM"), LambdaOutputDescription: &types.LambdaOutputDescription{ResourceARN: aws.String(fnARN + ":$LATEST")},
				DestinationSchema: &types.DestinationSchema{RecordFormatType: types.RecordFormatTypeJson}},
			streamOutput("error_stream", "errors"),
		}}
	e.run(t, c)
	e.waitMetric(t, "kinesisanalytics_LambdaDelivery_OkRecords", "lambda", 3)
	e.waitMetric(t, "kinesisanalytics_LambdaDelivery_DeliveryFailedRecords", "lambda", 1)
	got := fns.deliveries(t)
	want := map[string][]string{"AMZN": {"Ok"}, "MSFT": {"Ok"}, "RTRY": {"DeliveryFailed", "+Ok"}}
	for k, v := range want {
		if strings.Join(got[k], ",") != strings.Join(v, ",") {
			t.Errorf("deliveries of %s: %q, want %q (all: %q)", k, got[k], v, got)
		}
	}
	errs := decode(t, e.waitRecords(t, "errors", 1))
	if errs[0]["ERROR_NAME"] != "Lambda_ProcessingFailed" {
		t.Errorf("error row %v", errs[0])
	}
	e.waitMetric(t, "kinesisanalytics_InputProcessing_DroppedRecords", "lambda", 1)
	e.waitMetric(t, "kinesisanalytics_InputProcessing_OkRecords", "lambda", 3)
}
