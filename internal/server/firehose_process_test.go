package server_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/kinesin/kinesin/internal/pipeline"
	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
)

// deliverProcessed creates delivery stream name with processors, puts
// data and returns the bodies of the objects delivered to bucket "lake".
func deliverProcessed(t *testing.T, ctx context.Context, url, dir, name string, procs []ftypes.Processor, data []string, wantObjects int) []string {
	t.Helper()
	fc := firehose.New(firehose.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("t", "t", ""), Retryer: testutil.ConnRetryer()})
	if _, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String(name),
		ExtendedS3DestinationConfiguration: &ftypes.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::lake"), RoleARN: aws.String("arn:aws:iam::000000000000:role/f"),
			Prefix:                  aws.String(name + "/"),
			BufferingHints:          &ftypes.BufferingHints{IntervalInSeconds: aws.Int32(0), SizeInMBs: aws.Int32(1)},
			ProcessingConfiguration: &ftypes.ProcessingConfiguration{Enabled: aws.Bool(true), Processors: procs},
		},
	}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, "ACTIVE", func() bool {
		out, err := fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
		return err == nil && out.DeliveryStreamDescription.DeliveryStreamStatus == ftypes.DeliveryStreamStatusActive
	})
	out, err := fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	pc := out.DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription.ProcessingConfiguration
	if pc == nil || !aws.ToBool(pc.Enabled) || len(pc.Processors) != len(procs) || pc.Processors[0].Type != procs[0].Type {
		t.Fatalf("described processing configuration %+v", pc)
	}
	var recs []ftypes.Record
	for _, d := range data {
		recs = append(recs, ftypes.Record{Data: []byte(d)})
	}
	put, err := fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(name), Records: recs})
	if err != nil || aws.ToInt32(put.FailedPutCount) != 0 {
		t.Fatalf("put: %v %+v", err, put)
	}
	var objects []string
	testutil.Eventually(t, 30*time.Second, "objects delivered", func() bool {
		objects, _ = filepath.Glob(filepath.Join(dir, "s3", "lake", name, "*", "*", "*", "*", name+"-1-*"))
		return len(objects) >= wantObjects
	})
	var bodies []string
	for _, o := range objects {
		b, err := os.ReadFile(o)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, string(b))
	}
	return bodies
}

// TestFirehoseLambdaProcessor transforms records with a wasm function on
// their way to S3: go-transform upper-cases records and drops empty ones.
func TestFirehoseLambdaProcessor(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := testutil.Start(t, server.Config{DataDir: dir, TriggerTimeUnit: 10 * time.Millisecond})
	code, err := pipeline.Package(ctx, "../../examples/functions/go-transform", "wasm", nil)
	if err != nil {
		t.Fatal(err)
	}
	lc := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("t", "t", ""), Retryer: testutil.ConnRetryer()})
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("upper"), Runtime: ltypes.Runtime("wasm"),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Handler: aws.String("main"), Code: &ltypes.FunctionCode{ZipFile: code}}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 30*time.Second, "function Active", func() bool {
		out, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("upper")})
		return err == nil && out.Configuration.State == ltypes.StateActive
	})
	procs := []ftypes.Processor{{Type: ftypes.ProcessorTypeLambda, Parameters: []ftypes.ProcessorParameter{{
		ParameterName: ftypes.ProcessorParameterNameLambdaArn, ParameterValue: aws.String("arn:aws:lambda:us-east-1:000000000000:function:upper")}}}}
	bodies := deliverProcessed(t, ctx, s.URL(), dir, "upper", procs, []string{"abc", "", "xyz"}, 1)
	if len(bodies) != 1 || bodies[0] != "ABCXYZ" {
		t.Fatalf("objects %q", bodies)
	}
	if errs, _ := filepath.Glob(filepath.Join(dir, "s3", "lake", "processing-failed", "*")); len(errs) != 0 {
		t.Fatalf("error output %v", errs)
	}
}

// TestFirehoseAppendDelimiter ends every delivered record with a newline.
func TestFirehoseAppendDelimiter(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := testutil.Start(t, server.Config{DataDir: dir, TriggerTimeUnit: 10 * time.Millisecond})
	procs := []ftypes.Processor{{Type: ftypes.ProcessorTypeAppendDelimiterToRecord}}
	bodies := deliverProcessed(t, ctx, s.URL(), dir, "lines", procs, []string{"a", "b", "c"}, 1)
	if len(bodies) != 1 || bodies[0] != "a\nb\nc\n" {
		t.Fatalf("objects %q", bodies)
	}
}
