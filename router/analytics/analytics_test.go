package analytics_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	ka "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	"github.com/aws/smithy-go"
	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
)

const (
	role    = "arn:aws:iam::000000000000:role/kda"
	account = "000000000000"
)

type env struct {
	t   *testing.T
	dir string
	url string
	ka  *ka.Client
	k   *kinesis.Client
}

// newEnv starts a whole kinesin server (streams, Firehose, functions,
// analytics) with a short time unit.
func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	s := testutil.Start(t, server.Config{DataDir: dir, TriggerTimeUnit: 20 * time.Millisecond})
	return &env{t: t, dir: dir, url: s.URL(), k: testutil.Kinesis(s.URL()), ka: ka.New(ka.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		Retryer:     testutil.ConnRetryer(),
	})}
}

func ptr[T any](v T) *T { return &v }

func streamARN(name string) string {
	return "arn:aws:kinesis:us-east-1:" + account + ":stream/" + name
}

func appARN(name string) string {
	return "arn:aws:kinesisanalytics:us-east-1:" + account + ":application/" + name
}

// tickerInput is a JSON input of the stock ticker example.
func tickerInput(stream string) types.Input {
	return types.Input{
		NamePrefix:          aws.String("SOURCE_SQL_STREAM"),
		KinesisStreamsInput: &types.KinesisStreamsInput{ResourceARN: aws.String(streamARN(stream)), RoleARN: aws.String(role)},
		InputSchema: &types.SourceSchema{
			RecordFormat: &types.RecordFormat{RecordFormatType: types.RecordFormatTypeJson,
				MappingParameters: &types.MappingParameters{JSONMappingParameters: &types.JSONMappingParameters{RecordRowPath: aws.String("$")}}},
			RecordEncoding: aws.String("UTF-8"),
			RecordColumns: []types.RecordColumn{
				{Name: aws.String("TICKER"), SqlType: aws.String("VARCHAR(4)"), Mapping: aws.String("$.ticker")},
				{Name: aws.String("PRICE"), SqlType: aws.String("DOUBLE"), Mapping: aws.String("$.price")},
			},
		},
	}
}

func streamOutput(stream string) types.Output {
	return types.Output{
		Name:                 aws.String("DESTINATION_SQL_STREAM"),
		KinesisStreamsOutput: &types.KinesisStreamsOutput{ResourceARN: aws.String(streamARN(stream)), RoleARN: aws.String(role)},
		DestinationSchema:    &types.DestinationSchema{RecordFormatType: types.RecordFormatTypeJson},
	}
}

const filterCode = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker, price FROM "SOURCE_SQL_STREAM_001" WHERE price > 100;`

func (e *env) create(name string, in *ka.CreateApplicationInput) {
	e.t.Helper()
	in.ApplicationName = aws.String(name)
	if _, err := e.ka.CreateApplication(context.Background(), in); err != nil {
		e.t.Fatalf("create %s: %v", name, err)
	}
}

func (e *env) describe(name string) *types.ApplicationDetail {
	e.t.Helper()
	out, err := e.ka.DescribeApplication(context.Background(), &ka.DescribeApplicationInput{ApplicationName: aws.String(name)})
	if err != nil {
		e.t.Fatalf("describe %s: %v", name, err)
	}
	return out.ApplicationDetail
}

func (e *env) waitStatus(name string, want types.ApplicationStatus) *types.ApplicationDetail {
	e.t.Helper()
	var d *types.ApplicationDetail
	testutil.Eventually(e.t, 20*time.Second, name+" "+string(want), func() bool {
		d = e.describe(name)
		return d.ApplicationStatus == want
	})
	return d
}

// wantErr checks that err is the AWS error code with a message matching
// msg (a regexp; "" skips the message).
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	if msg != "" && !regexp.MustCompile(msg).MatchString(ae.ErrorMessage()) {
		t.Fatalf("%s message %q does not match %q", code, ae.ErrorMessage(), msg)
	}
}

func TestCreateDescribeList(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	out, err := e.ka.CreateApplication(ctx, &ka.CreateApplicationInput{
		ApplicationName: aws.String("tickers"), ApplicationDescription: aws.String("filter expensive ticks"),
		Inputs: []types.Input{tickerInput("in")}, Outputs: []types.Output{streamOutput("out")},
		ApplicationCode: aws.String(filterCode),
		CloudWatchLoggingOptions: []types.CloudWatchLoggingOption{{
			LogStreamARN: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:kda:log-stream:app"), RoleARN: aws.String(role)}},
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	sum := out.ApplicationSummary
	if *sum.ApplicationName != "tickers" || *sum.ApplicationARN != appARN("tickers") || sum.ApplicationStatus != types.ApplicationStatusReady {
		t.Fatalf("summary %+v", sum)
	}
	d := e.describe("tickers")
	if d.ApplicationStatus != types.ApplicationStatusReady || *d.ApplicationVersionId != 1 || *d.ApplicationCode != filterCode ||
		*d.ApplicationDescription != "filter expensive ticks" || d.CreateTimestamp == nil || time.Since(*d.CreateTimestamp) > time.Minute {
		t.Fatalf("detail %+v", d)
	}
	if len(d.InputDescriptions) != 1 {
		t.Fatalf("inputs %+v", d.InputDescriptions)
	}
	in := d.InputDescriptions[0]
	if *in.InputId != "1.1" || *in.NamePrefix != "SOURCE_SQL_STREAM" || strings.Join(in.InAppStreamNames, ",") != "SOURCE_SQL_STREAM_001" ||
		*in.InputParallelism.Count != 1 || *in.KinesisStreamsInputDescription.ResourceARN != streamARN("in") ||
		len(in.InputSchema.RecordColumns) != 2 || in.InputStartingPositionConfiguration == nil || in.InputStartingPositionConfiguration.InputStartingPosition != "" {
		t.Fatalf("input %+v", in)
	}
	if len(d.OutputDescriptions) != 1 || *d.OutputDescriptions[0].OutputId != "1.1" || *d.OutputDescriptions[0].Name != "DESTINATION_SQL_STREAM" ||
		*d.OutputDescriptions[0].KinesisStreamsOutputDescription.ResourceARN != streamARN("out") ||
		d.OutputDescriptions[0].DestinationSchema.RecordFormatType != types.RecordFormatTypeJson {
		t.Fatalf("outputs %+v", d.OutputDescriptions)
	}
	if len(d.CloudWatchLoggingOptionDescriptions) != 1 || *d.CloudWatchLoggingOptionDescriptions[0].CloudWatchLoggingOptionId != "1.1" {
		t.Fatalf("logging %+v", d.CloudWatchLoggingOptionDescriptions)
	}

	// Parallelism: NamePrefix_001 … _003.
	par := tickerInput("in")
	par.InputParallelism = &types.InputParallelism{Count: aws.Int32(3)}
	e.create("wide", &ka.CreateApplicationInput{Inputs: []types.Input{par}})
	if got := strings.Join(e.describe("wide").InputDescriptions[0].InAppStreamNames, ","); got != "SOURCE_SQL_STREAM_001,SOURCE_SQL_STREAM_002,SOURCE_SQL_STREAM_003" {
		t.Fatalf("in-application streams %s", got)
	}
	e.create("bare", &ka.CreateApplicationInput{})

	list, err := e.ka.ListApplications(ctx, &ka.ListApplicationsInput{Limit: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.ApplicationSummaries) != 2 || *list.ApplicationSummaries[0].ApplicationName != "bare" ||
		*list.ApplicationSummaries[1].ApplicationName != "tickers" || !*list.HasMoreApplications {
		t.Fatalf("list %+v", list)
	}
	list, err = e.ka.ListApplications(ctx, &ka.ListApplicationsInput{ExclusiveStartApplicationName: aws.String("tickers")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.ApplicationSummaries) != 1 || *list.ApplicationSummaries[0].ApplicationName != "wide" || *list.HasMoreApplications {
		t.Fatalf("second page %+v", list)
	}
}

func TestErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.create("app", &ka.CreateApplicationInput{Inputs: []types.Input{tickerInput("in")}, ApplicationCode: aws.String(filterCode)})
	tooMany := make([]types.Tag, 51)
	for i := range tooMany {
		tooMany[i] = types.Tag{Key: aws.String(fmt.Sprint("k", i))}
	}
	noSource := tickerInput("in")
	noSource.KinesisStreamsInput = nil
	badSchema := tickerInput("in")
	badSchema.InputSchema.RecordColumns[1].SqlType = aws.String("NOTATYPE")
	twoDest := streamOutput("out")
	twoDest.LambdaOutput = &types.LambdaOutput{ResourceARN: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f"), RoleARN: aws.String(role)}
	cases := []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"create without name", func() error {
			_, err := e.ka.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("")})
			return err
		}, "ValidationException", `^2 validation errors detected: Value '' at 'applicationName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[a-zA-Z0-9_\.-\]\+; Value '' at 'applicationName' failed to satisfy constraint: Member must have length greater than or equal to 1$`},
		{"bad name", func() error {
			_, err := e.ka.DescribeApplication(ctx, &ka.DescribeApplicationInput{ApplicationName: aws.String("a b")})
			return err
		}, "ValidationException", `Value 'a b' at 'applicationName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[a-zA-Z0-9_\.-\]\+`},
		{"parallelism", func() error {
			in := tickerInput("in")
			in.InputParallelism = &types.InputParallelism{Count: aws.Int32(65)}
			_, err := e.ka.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("p"), Inputs: []types.Input{in}})
			return err
		}, "ValidationException", `Value '65' at 'inputs\.1\.member\.inputParallelism\.count' failed to satisfy constraint: Member must have value less than or equal to 64`},
		{"bad role", func() error {
			_, err := e.ka.AddApplicationOutput(ctx, &ka.AddApplicationOutputInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(1),
				Output: &types.Output{Name: aws.String("X"), DestinationSchema: &types.DestinationSchema{RecordFormatType: types.RecordFormatTypeCsv},
					KinesisStreamsOutput: &types.KinesisStreamsOutput{ResourceARN: aws.String(streamARN("o")), RoleARN: aws.String("role")}}})
			return err
		}, "ValidationException", `Value 'role' at 'output\.kinesisStreamsOutput\.roleARN'`},
		{"list limit", func() error {
			_, err := e.ka.ListApplications(ctx, &ka.ListApplicationsInput{Limit: aws.Int32(51)})
			return err
		}, "ValidationException", `Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50`},
		{"describe missing", func() error {
			_, err := e.ka.DescribeApplication(ctx, &ka.DescribeApplicationInput{ApplicationName: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", `^Application nope not found$`},
		{"duplicate", func() error {
			_, err := e.ka.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("app")})
			return err
		}, "ResourceInUseException", `^Application app already exists$`},
		{"no source", func() error {
			_, err := e.ka.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("x"), Inputs: []types.Input{noSource}})
			return err
		}, "InvalidArgumentException", `KinesisStreamsInput or KinesisFirehoseInput`},
		{"two inputs", func() error {
			_, err := e.ka.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("x"), Inputs: []types.Input{tickerInput("a"), tickerInput("b")}})
			return err
		}, "InvalidArgumentException", `one streaming source`},
		{"bad sql type", func() error {
			_, err := e.ka.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("x"), Inputs: []types.Input{badSchema}})
			return err
		}, "InvalidArgumentException", `InputSchema`},
		{"two destinations", func() error {
			_, err := e.ka.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("x"), Outputs: []types.Output{twoDest}})
			return err
		}, "InvalidArgumentException", `Exactly one of`},
		{"code", func() error {
			_, err := e.ka.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("x"), Inputs: []types.Input{tickerInput("in")},
				ApplicationCode: aws.String("CREATE OR REPLACE STREAM \"D\" (a INTEGER);\nSELECT STREAM FROM WHERE;")})
			return err
		}, "CodeValidationException", `^\d+:\d+: `},
		{"syntax without inputs", func() error {
			_, err := e.ka.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("x"),
				ApplicationCode: aws.String("CREATE OR REPLACE STREAM \"D\" (a INTEGER);\nCREATE PUMP;")})
			return err
		}, "CodeValidationException", `^2:\d+: `},
		{"too many tags", func() error {
			_, err := e.ka.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("x"), Tags: tooMany})
			return err
		}, "TooManyTagsException", ``},
		{"stale version", func() error {
			_, err := e.ka.UpdateApplication(ctx, &ka.UpdateApplicationInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(7),
				ApplicationUpdate: &types.ApplicationUpdate{ApplicationCodeUpdate: aws.String(filterCode)}})
			return err
		}, "ConcurrentModificationException", `is 1, not 7`},
		{"update missing app", func() error {
			_, err := e.ka.UpdateApplication(ctx, &ka.UpdateApplicationInput{ApplicationName: aws.String("nope"), CurrentApplicationVersionId: aws.Int64(1),
				ApplicationUpdate: &types.ApplicationUpdate{}})
			return err
		}, "ResourceNotFoundException", ``},
		{"delete missing output", func() error {
			_, err := e.ka.DeleteApplicationOutput(ctx, &ka.DeleteApplicationOutputInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(1), OutputId: aws.String("9.9")})
			return err
		}, "ResourceNotFoundException", `Output 9\.9 not found`},
		{"start unknown input", func() error {
			_, err := e.ka.StartApplication(ctx, &ka.StartApplicationInput{ApplicationName: aws.String("app"), InputConfigurations: []types.InputConfiguration{{
				Id: aws.String("2.1"), InputStartingPositionConfiguration: &types.InputStartingPositionConfiguration{InputStartingPosition: types.InputStartingPositionNow}}}})
			return err
		}, "ResourceNotFoundException", `Input 2\.1 not found`},
		{"start with an output the code lacks", func() error {
			out := streamOutput("out")
			out.Name = aws.String("OTHER_STREAM")
			e.create("noout", &ka.CreateApplicationInput{Inputs: []types.Input{tickerInput("in")}, Outputs: []types.Output{out}, ApplicationCode: aws.String(filterCode)})
			_, err := e.ka.StartApplication(ctx, &ka.StartApplicationInput{ApplicationName: aws.String("noout"), InputConfigurations: []types.InputConfiguration{{
				Id: aws.String("1.1"), InputStartingPositionConfiguration: &types.InputStartingPositionConfiguration{InputStartingPosition: types.InputStartingPositionNow}}}})
			return err
		}, "InvalidApplicationConfigurationException", `OTHER_STREAM`},
		{"delete wrong timestamp", func() error {
			_, err := e.ka.DeleteApplication(ctx, &ka.DeleteApplicationInput{ApplicationName: aws.String("app"), CreateTimestamp: aws.Time(time.Unix(1, 0))})
			return err
		}, "InvalidArgumentException", `CreateTimestamp`},
		{"tag unknown arn", func() error {
			_, err := e.ka.TagResource(ctx, &ka.TagResourceInput{ResourceARN: aws.String(appARN("nope")), Tags: []types.Tag{{Key: aws.String("a")}}})
			return err
		}, "ResourceNotFoundException", ``},
		{"tag bad arn", func() error {
			_, err := e.ka.ListTagsForResource(ctx, &ka.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/x")})
			return err
		}, "ValidationException", `at 'resourceARN' failed to satisfy constraint: Member must satisfy regular expression pattern`},
		{"discover nothing", func() error {
			_, err := e.ka.DiscoverInputSchema(ctx, &ka.DiscoverInputSchemaInput{})
			return err
		}, "InvalidArgumentException", `ResourceARN or S3Configuration`},
		{"discover missing stream", func() error {
			_, err := e.ka.DiscoverInputSchema(ctx, &ka.DiscoverInputSchemaInput{ResourceARN: aws.String(streamARN("nope")), RoleARN: aws.String(role)})
			return err
		}, "ResourceNotFoundException", `Stream nope`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.call(), tc.code, tc.msg) })
	}
}

func TestAddUpdateDelete(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.create("app", &ka.CreateApplicationInput{})
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.ka.AddApplicationInput(ctx, &ka.AddApplicationInputInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(1), Input: ptr(tickerInput("in"))}))
	must(e.ka.AddApplicationOutput(ctx, &ka.AddApplicationOutputInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(2), Output: ptr(streamOutput("out"))}))
	must(e.ka.AddApplicationReferenceDataSource(ctx, &ka.AddApplicationReferenceDataSourceInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(3),
		ReferenceDataSource: &types.ReferenceDataSource{TableName: aws.String("COMPANIES"),
			S3ReferenceDataSource: &types.S3ReferenceDataSource{BucketARN: aws.String("arn:aws:s3:::ref"), FileKey: aws.String("companies.csv"), ReferenceRoleARN: aws.String(role)},
			ReferenceSchema: &types.SourceSchema{
				RecordFormat: &types.RecordFormat{RecordFormatType: types.RecordFormatTypeCsv, MappingParameters: &types.MappingParameters{
					CSVMappingParameters: &types.CSVMappingParameters{RecordColumnDelimiter: aws.String(","), RecordRowDelimiter: aws.String("\n")}}},
				RecordColumns: []types.RecordColumn{{Name: aws.String("TICKER"), SqlType: aws.String("VARCHAR(4)")}, {Name: aws.String("NAME"), SqlType: aws.String("VARCHAR(32)")}}}}}))
	fn := "arn:aws:lambda:us-east-1:000000000000:function:pre"
	must(e.ka.AddApplicationInputProcessingConfiguration(ctx, &ka.AddApplicationInputProcessingConfigurationInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(4),
		InputId: aws.String("2.1"), InputProcessingConfiguration: &types.InputProcessingConfiguration{InputLambdaProcessor: &types.InputLambdaProcessor{ResourceARN: aws.String(fn), RoleARN: aws.String(role)}}}))
	must(e.ka.AddApplicationCloudWatchLoggingOption(ctx, &ka.AddApplicationCloudWatchLoggingOptionInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(5),
		CloudWatchLoggingOption: &types.CloudWatchLoggingOption{LogStreamARN: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s"), RoleARN: aws.String(role)}}))
	d := e.describe("app")
	if *d.ApplicationVersionId != 6 || *d.InputDescriptions[0].InputId != "2.1" || *d.OutputDescriptions[0].OutputId != "3.1" ||
		*d.ReferenceDataSourceDescriptions[0].ReferenceId != "4.1" || *d.ReferenceDataSourceDescriptions[0].S3ReferenceDataSourceDescription.FileKey != "companies.csv" ||
		*d.InputDescriptions[0].InputProcessingConfigurationDescription.InputLambdaProcessorDescription.ResourceARN != fn ||
		*d.CloudWatchLoggingOptionDescriptions[0].CloudWatchLoggingOptionId != "6.1" {
		b, _ := json.Marshal(d)
		t.Fatalf("after adds: %s", b)
	}
	// A second streaming source, reference or processing configuration is refused.
	_, err := e.ka.AddApplicationInput(ctx, &ka.AddApplicationInputInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(6), Input: ptr(tickerInput("in2"))})
	wantErr(t, err, "InvalidArgumentException", "already has a streaming source")

	// Update: code, input schema and parallelism, output destination, reference, logging.
	must(e.ka.UpdateApplication(ctx, &ka.UpdateApplicationInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(6),
		ApplicationUpdate: &types.ApplicationUpdate{
			ApplicationCodeUpdate: aws.String(filterCode),
			InputUpdates: []types.InputUpdate{{InputId: aws.String("2.1"),
				InputParallelismUpdate: &types.InputParallelismUpdate{CountUpdate: aws.Int32(2)}}},
			OutputUpdates: []types.OutputUpdate{{OutputId: aws.String("3.1"),
				KinesisStreamsOutputUpdate: &types.KinesisStreamsOutputUpdate{ResourceARNUpdate: aws.String(streamARN("out2"))}}},
			ReferenceDataSourceUpdates: []types.ReferenceDataSourceUpdate{{ReferenceId: aws.String("4.1"), TableNameUpdate: aws.String("CO")}},
			CloudWatchLoggingOptionUpdates: []types.CloudWatchLoggingOptionUpdate{{CloudWatchLoggingOptionId: aws.String("6.1"),
				LogStreamARNUpdate: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:t")}},
		}}))
	d = e.describe("app")
	in := d.InputDescriptions[0]
	if *d.ApplicationVersionId != 7 || *d.ApplicationCode != filterCode || strings.Join(in.InAppStreamNames, ",") != "SOURCE_SQL_STREAM_001,SOURCE_SQL_STREAM_002" ||
		*d.OutputDescriptions[0].KinesisStreamsOutputDescription.ResourceARN != streamARN("out2") ||
		*d.OutputDescriptions[0].KinesisStreamsOutputDescription.RoleARN != role || *d.ReferenceDataSourceDescriptions[0].TableName != "CO" ||
		!strings.HasSuffix(*d.CloudWatchLoggingOptionDescriptions[0].LogStreamARN, ":t") {
		b, _ := json.Marshal(d)
		t.Fatalf("after update: %s", b)
	}
	// The code reads SOURCE_SQL_STREAM_001, which a new prefix would remove.
	_, err = e.ka.UpdateApplication(ctx, &ka.UpdateApplicationInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(7),
		ApplicationUpdate: &types.ApplicationUpdate{InputUpdates: []types.InputUpdate{{InputId: aws.String("2.1"), NamePrefixUpdate: aws.String("OTHER")}}}})
	wantErr(t, err, "CodeValidationException", `^\d+:\d+: `)

	// Deletes.
	v := *e.describe("app").ApplicationVersionId
	must(e.ka.DeleteApplicationOutput(ctx, &ka.DeleteApplicationOutputInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(v), OutputId: aws.String("3.1")}))
	must(e.ka.DeleteApplicationReferenceDataSource(ctx, &ka.DeleteApplicationReferenceDataSourceInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(v + 1), ReferenceId: aws.String("4.1")}))
	must(e.ka.DeleteApplicationInputProcessingConfiguration(ctx, &ka.DeleteApplicationInputProcessingConfigurationInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(v + 2), InputId: aws.String("2.1")}))
	must(e.ka.DeleteApplicationCloudWatchLoggingOption(ctx, &ka.DeleteApplicationCloudWatchLoggingOptionInput{ApplicationName: aws.String("app"), CurrentApplicationVersionId: aws.Int64(v + 3), CloudWatchLoggingOptionId: aws.String("6.1")}))
	d = e.describe("app")
	if *d.ApplicationVersionId != v+4 || len(d.OutputDescriptions) != 0 || len(d.ReferenceDataSourceDescriptions) != 0 ||
		len(d.CloudWatchLoggingOptionDescriptions) != 0 || d.InputDescriptions[0].InputProcessingConfigurationDescription != nil {
		b, _ := json.Marshal(d)
		t.Fatalf("after deletes: %s", b)
	}

	// DeleteApplication takes the CreateTimestamp DescribeApplication shows.
	must(e.ka.DeleteApplication(ctx, &ka.DeleteApplicationInput{ApplicationName: aws.String("app"), CreateTimestamp: d.CreateTimestamp}))
	testutil.Eventually(t, 10*time.Second, "app deleted", func() bool {
		_, err := e.ka.DescribeApplication(ctx, &ka.DescribeApplicationInput{ApplicationName: aws.String("app")})
		var nf *types.ResourceNotFoundException
		return errors.As(err, &nf)
	})
}

func TestTags(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.create("app", &ka.CreateApplicationInput{Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	arn := aws.String(appARN("app"))
	if _, err := e.ka.TagResource(ctx, &ka.TagResourceInput{ResourceARN: arn, Tags: []types.Tag{{Key: aws.String("b")}, {Key: aws.String("a"), Value: aws.String("2")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ka.UntagResource(ctx, &ka.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"b", "zz"}}); err != nil {
		t.Fatal(err)
	}
	out, err := e.ka.ListTagsForResource(ctx, &ka.ListTagsForResourceInput{ResourceARN: arn})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tags) != 1 || *out.Tags[0].Key != "a" || *out.Tags[0].Value != "2" {
		t.Fatalf("tags %+v", out.Tags)
	}
	many := make([]types.Tag, 50)
	for i := range many {
		many[i] = types.Tag{Key: aws.String(fmt.Sprint("k", i))}
	}
	_, err = e.ka.TagResource(ctx, &ka.TagResourceInput{ResourceARN: arn, Tags: many})
	var tm *types.TooManyTagsException
	if !errors.As(err, &tm) {
		t.Fatalf("51 tags: %v", err)
	}
}

func putJSON(t *testing.T, c *kinesis.Client, stream string, rows ...string) {
	t.Helper()
	var entries []ktypes.PutRecordsRequestEntry
	for i, r := range rows {
		entries = append(entries, ktypes.PutRecordsRequestEntry{Data: []byte(r), PartitionKey: aws.String(fmt.Sprint("k", i))})
	}
	out, err := c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
	if err != nil || *out.FailedRecordCount != 0 {
		t.Fatalf("put: %v %+v", err, out)
	}
}

func TestDiscoverInputSchema(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	testutil.CreateStream(t, e.k, "ticks", 2)
	var rows []string
	for i := range 20 {
		rows = append(rows, fmt.Sprintf(`{"ticker":"T%d","price":%d.5,"qty":%d,"venue":{"name":"X"}}`, i%3, 100+i, i))
	}
	putJSON(t, e.k, "ticks", rows...)
	for _, pos := range []types.InputStartingPosition{types.InputStartingPositionTrimHorizon, types.InputStartingPositionNow} {
		out, err := e.ka.DiscoverInputSchema(ctx, &ka.DiscoverInputSchemaInput{ResourceARN: aws.String(streamARN("ticks")), RoleARN: aws.String(role),
			InputStartingPositionConfiguration: &types.InputStartingPositionConfiguration{InputStartingPosition: pos}})
		if err != nil {
			t.Fatalf("%s: %v", pos, err)
		}
		s := out.InputSchema
		if s.RecordFormat.RecordFormatType != types.RecordFormatTypeJson || *s.RecordFormat.MappingParameters.JSONMappingParameters.RecordRowPath != "$" ||
			*s.RecordEncoding != "UTF-8" || len(out.RawInputRecords) != 20 || len(out.ParsedInputRecords) != 20 {
			t.Fatalf("%s: %+v", pos, out)
		}
		cols := map[string]string{}
		for _, c := range s.RecordColumns {
			cols[*c.Name] = *c.SqlType + " " + aws.ToString(c.Mapping)
		}
		if cols["ticker"] != "VARCHAR(4) $.ticker" || cols["price"] != "REAL $.price" || cols["qty"] != "INTEGER $.qty" || cols["name"] != "VARCHAR(4) $.venue.name" {
			t.Fatalf("%s: columns %v", pos, cols)
		}
	}

	// An S3 object (the filesystem object store of the data directory).
	if err := os.MkdirAll(filepath.Join(e.dir, "s3", "ref"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.dir, "s3", "ref", "companies.csv"), []byte("ticker,name\nAMZN,Amazon\nMSFT,Microsoft\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := e.ka.DiscoverInputSchema(ctx, &ka.DiscoverInputSchemaInput{S3Configuration: &types.S3Configuration{
		BucketARN: aws.String("arn:aws:s3:::ref"), FileKey: aws.String("companies.csv"), RoleARN: aws.String(role)}})
	if err != nil {
		t.Fatal(err)
	}
	if out.InputSchema.RecordFormat.RecordFormatType != types.RecordFormatTypeCsv || len(out.InputSchema.RecordColumns) != 2 {
		b, _ := json.Marshal(out)
		t.Fatalf("s3: %s", b)
	}
	_, err = e.ka.DiscoverInputSchema(ctx, &ka.DiscoverInputSchemaInput{S3Configuration: &types.S3Configuration{
		BucketARN: aws.String("arn:aws:s3:::ref"), FileKey: aws.String("missing.csv"), RoleARN: aws.String(role)}})
	wantErr(t, err, "ResourceNotFoundException", "missing.csv")

	// Nothing to sample.
	testutil.CreateStream(t, e.k, "empty", 1)
	_, err = e.ka.DiscoverInputSchema(ctx, &ka.DiscoverInputSchemaInput{ResourceARN: aws.String(streamARN("empty")), RoleARN: aws.String(role),
		InputStartingPositionConfiguration: &types.InputStartingPositionConfiguration{InputStartingPosition: types.InputStartingPositionTrimHorizon}})
	var ue *types.UnableToDetectSchemaException
	if !errors.As(err, &ue) {
		t.Fatalf("empty stream: %v", err)
	}
	// Records that are neither JSON nor delimited text: the sampled records come back.
	testutil.CreateStream(t, e.k, "junk", 1)
	putJSON(t, e.k, "junk", "\xff\xfe", "\xc3")
	_, err = e.ka.DiscoverInputSchema(ctx, &ka.DiscoverInputSchemaInput{ResourceARN: aws.String(streamARN("junk")), RoleARN: aws.String(role),
		InputStartingPositionConfiguration: &types.InputStartingPositionConfiguration{InputStartingPosition: types.InputStartingPositionTrimHorizon}})
	if !errors.As(err, &ue) {
		t.Fatalf("junk stream: %v", err)
	}
	if len(ue.RawInputRecords) != 2 {
		t.Fatalf("junk stream: raw records %q", ue.RawInputRecords)
	}
}

// readAll reads every record of a stream so far.
func readAll(t *testing.T, c *kinesis.Client, stream string) []string {
	t.Helper()
	ctx := context.Background()
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, sh := range shards.Shards {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: sh.ShardId, ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range r.Records {
			out = append(out, string(rec.Data))
		}
	}
	return out
}

// TestEndToEnd runs the filter example through the API: records put to one
// stream come out of another, filtered by the application's SQL.
func TestEndToEnd(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	testutil.CreateStream(t, e.k, "ticks", 1)
	testutil.CreateStream(t, e.k, "expensive", 1)
	e.create("filter", &ka.CreateApplicationInput{Inputs: []types.Input{tickerInput("ticks")}, Outputs: []types.Output{streamOutput("expensive")},
		ApplicationCode: aws.String(filterCode)})
	putJSON(t, e.k, "ticks", `{"ticker":"AMZN","price":180.5}`, `{"ticker":"IBM","price":99}`)
	_, err := e.ka.StartApplication(ctx, &ka.StartApplicationInput{ApplicationName: aws.String("filter"), InputConfigurations: []types.InputConfiguration{{
		Id: aws.String("1.1"), InputStartingPositionConfiguration: &types.InputStartingPositionConfiguration{InputStartingPosition: types.InputStartingPositionTrimHorizon}}}})
	if err != nil {
		t.Fatal(err)
	}
	d := e.waitStatus("filter", types.ApplicationStatusRunning)
	if d.InputDescriptions[0].InputStartingPositionConfiguration.InputStartingPosition != types.InputStartingPositionTrimHorizon {
		t.Fatalf("starting position %+v", d.InputDescriptions[0].InputStartingPositionConfiguration)
	}
	_, err = e.ka.StartApplication(ctx, &ka.StartApplicationInput{ApplicationName: aws.String("filter"), InputConfigurations: []types.InputConfiguration{}})
	wantErr(t, err, "ResourceInUseException", "")
	putJSON(t, e.k, "ticks", `{"ticker":"MSFT","price":420}`, `{"ticker":"F","price":12}`)
	var got []string
	testutil.Eventually(t, 30*time.Second, "two expensive ticks in the output stream", func() bool {
		got = readAll(t, e.k, "expensive")
		return len(got) >= 2
	})
	want := []map[string]any{{"TICKER": "AMZN", "PRICE": 180.5}, {"TICKER": "MSFT", "PRICE": 420.0}}
	if len(got) != 2 {
		t.Fatalf("output %q", got)
	}
	for i, r := range got {
		var row map[string]any
		if err := json.Unmarshal([]byte(r), &row); err != nil {
			t.Fatalf("output record %q: %v", r, err)
		}
		if fmt.Sprint(row["TICKER"], row["PRICE"]) != fmt.Sprint(want[i]["TICKER"], want[i]["PRICE"]) {
			t.Fatalf("output record %d = %s, want %v", i, r, want[i])
		}
	}
	if _, err := e.ka.StopApplication(ctx, &ka.StopApplicationInput{ApplicationName: aws.String("filter")}); err != nil {
		t.Fatal(err)
	}
	e.waitStatus("filter", types.ApplicationStatusReady)
}

// TestRawRequests sends what the SDKs refuse to send.
func TestRawRequests(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ op, body, want string }{
		{"UpdateApplication", `{"ApplicationName":"app"}`,
			`{"__type":"ValidationException","message":"2 validation errors detected: Value null at 'currentApplicationVersionId' failed to satisfy constraint: Member must not be null; Value null at 'applicationUpdate' failed to satisfy constraint: Member must not be null"}`},
		{"StartApplication", `{"ApplicationName":"app","InputConfigurations":[{"Id":"1.1","InputStartingPositionConfiguration":{"InputStartingPosition":"LATEST"}}]}`,
			`{"__type":"ValidationException","message":"1 validation error detected: Value 'LATEST' at 'inputConfigurations.1.member.inputStartingPositionConfiguration.inputStartingPosition' failed to satisfy constraint: Member must satisfy enum value set: [NOW, TRIM_HORIZON, LAST_STOPPED_POINT]"}`},
		{"CreateApplication", `{"ApplicationName":5}`, `{"__type":"SerializationException","message":"class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"}`},
		{"NoSuchOperation", `{}`, `{"__type":"UnknownOperationException"}`},
	} {
		req, _ := http.NewRequest("POST", e.url, strings.NewReader(tc.body))
		req.Header.Set("X-Amz-Target", "KinesisAnalytics_20150814."+tc.op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || string(b) != tc.want {
			t.Errorf("%s %s: %d %s, want %s", tc.op, tc.body, resp.StatusCode, b, tc.want)
		}
	}
}

// TestEndToEndAggregate counts ticks per ticker in one-second tumbling
// windows and writes the counts to a stream and, through Firehose, to S3
// objects in the data directory.
func TestEndToEndAggregate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	testutil.CreateStream(t, e.k, "ticks", 2)
	testutil.CreateStream(t, e.k, "counts", 1)
	fh := firehose.New(firehose.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), Retryer: testutil.ConnRetryer()})
	if _, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("counts-fh"),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::counts"), RoleARN: aws.String(role),
			BufferingHints: &fhtypes.BufferingHints{IntervalInSeconds: aws.Int32(10), SizeInMBs: aws.Int32(1)}}}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, "delivery stream ACTIVE", func() bool {
		out, err := fh.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("counts-fh")})
		return err == nil && out.DeliveryStreamDescription.DeliveryStreamStatus == fhtypes.DeliveryStreamStatusActive
	})
	code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), ticks INTEGER);
CREATE OR REPLACE PUMP "COUNT_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker, COUNT(*) AS ticks FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND);`
	toFirehose := types.Output{Name: aws.String("DESTINATION_SQL_STREAM"),
		KinesisFirehoseOutput: &types.KinesisFirehoseOutput{ResourceARN: aws.String("arn:aws:firehose:us-east-1:" + account + ":deliverystream/counts-fh"), RoleARN: aws.String(role)},
		DestinationSchema:     &types.DestinationSchema{RecordFormatType: types.RecordFormatTypeCsv}}
	e.create("counter", &ka.CreateApplicationInput{Inputs: []types.Input{tickerInput("ticks")},
		Outputs: []types.Output{streamOutput("counts"), toFirehose}, ApplicationCode: aws.String(code)})
	var rows []string
	for i := range 30 {
		rows = append(rows, fmt.Sprintf(`{"ticker":"T%d","price":%d}`, i%3, i))
	}
	putJSON(t, e.k, "ticks", rows...)
	if _, err := e.ka.StartApplication(ctx, &ka.StartApplicationInput{ApplicationName: aws.String("counter"), InputConfigurations: []types.InputConfiguration{{
		Id: aws.String("1.1"), InputStartingPositionConfiguration: &types.InputStartingPositionConfiguration{InputStartingPosition: types.InputStartingPositionTrimHorizon}}}}); err != nil {
		t.Fatal(err)
	}
	// Window boundaries may split the 30 rows; the counts add up to 10 a ticker.
	sums := func(records []string) map[string]float64 {
		s := map[string]float64{}
		for _, r := range records {
			var row map[string]any
			if err := json.Unmarshal([]byte(r), &row); err != nil {
				t.Fatalf("output record %q: %v", r, err)
			}
			n, _ := row["TICKS"].(float64)
			s[fmt.Sprint(row["TICKER"])] += n
		}
		return s
	}
	testutil.Eventually(t, 30*time.Second, "counts of 10 per ticker in the output stream", func() bool {
		s := sums(readAll(t, e.k, "counts"))
		return s["T0"] == 10 && s["T1"] == 10 && s["T2"] == 10
	})
	testutil.Eventually(t, 30*time.Second, "counts delivered to S3 as CSV", func() bool {
		var lines []string
		_ = filepath.WalkDir(filepath.Join(e.dir, "s3", "counts"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".tmp-") {
				b, _ := os.ReadFile(p)
				lines = append(lines, strings.Fields(string(b))...)
			}
			return nil
		})
		n := map[string]int{}
		for _, l := range lines {
			ticker, count, _ := strings.Cut(l, ",")
			c := 0
			fmt.Sscan(count, &c)
			n[ticker] += c
		}
		return n["T0"] == 10 && n["T1"] == 10 && n["T2"] == 10
	})
	if _, err := e.ka.StopApplication(ctx, &ka.StopApplicationInput{ApplicationName: aws.String("counter")}); err != nil {
		t.Fatal(err)
	}
	e.waitStatus("counter", types.ApplicationStatusReady)
}

// TestDiscoverSamples checks which records discovery samples: the first
// 100 (TRIM_HORIZON) or the last 100 (NOW) of many stored batches.
func TestDiscoverSamples(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	testutil.CreateStream(t, e.k, "many", 1)
	for i := range 130 {
		if _, err := e.k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("many"), PartitionKey: aws.String("k"),
			Data: []byte(fmt.Sprintf(`{"n":%d}`, i))}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		pos         types.InputStartingPosition
		first, last string
	}{
		{types.InputStartingPositionTrimHorizon, `{"n":0}`, `{"n":99}`},
		{types.InputStartingPositionNow, `{"n":30}`, `{"n":129}`},
	} {
		out, err := e.ka.DiscoverInputSchema(ctx, &ka.DiscoverInputSchemaInput{ResourceARN: aws.String(streamARN("many")), RoleARN: aws.String(role),
			InputStartingPositionConfiguration: &types.InputStartingPositionConfiguration{InputStartingPosition: tc.pos}})
		if err != nil {
			t.Fatal(err)
		}
		raw := out.RawInputRecords
		if len(raw) != 100 || raw[0] != tc.first || raw[99] != tc.last {
			t.Fatalf("%s: %d records, %q … %q", tc.pos, len(raw), raw[0], raw[len(raw)-1])
		}
	}
}

// TestApplicationLimit: an account has at most 50 applications.
func TestApplicationLimit(t *testing.T) {
	e := newEnv(t)
	for i := range 50 {
		e.create(fmt.Sprint("app", i), &ka.CreateApplicationInput{})
	}
	_, err := e.ka.CreateApplication(context.Background(), &ka.CreateApplicationInput{ApplicationName: aws.String("one-more")})
	wantErr(t, err, "LimitExceededException", "50")
	_, err = e.ka.CreateApplication(context.Background(), &ka.CreateApplicationInput{ApplicationName: aws.String("app7")})
	wantErr(t, err, "ResourceInUseException", "")
}

// TestTwoProcesses runs an application with two kinesin processes on one
// NATS server: both watch it, one runs it (each output row once), and
// either answers the API.
func TestTwoProcesses(t *testing.T) {
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), MaxPayload: 8 << 20, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats not ready")
	}
	t.Cleanup(ns.Shutdown) // after the servers' cleanups
	var envs []*env
	for range 2 {
		dir := t.TempDir()
		s := testutil.Start(t, server.Config{DataDir: dir, NATSURL: ns.ClientURL(), TriggerTimeUnit: 20 * time.Millisecond, LeaseTTL: 2 * time.Second})
		envs = append(envs, &env{t: t, dir: dir, url: s.URL(), k: testutil.Kinesis(s.URL()), ka: ka.New(ka.Options{
			Region: "us-east-1", BaseEndpoint: aws.String(s.URL()),
			Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), Retryer: testutil.ConnRetryer()})})
	}
	a, b := envs[0], envs[1]
	ctx := context.Background()
	testutil.CreateStream(t, a.k, "ticks", 2)
	testutil.CreateStream(t, a.k, "expensive", 1)
	a.create("filter", &ka.CreateApplicationInput{Inputs: []types.Input{tickerInput("ticks")}, Outputs: []types.Output{streamOutput("expensive")},
		ApplicationCode: aws.String(filterCode)})
	if _, err := b.ka.StartApplication(ctx, &ka.StartApplicationInput{ApplicationName: aws.String("filter"), InputConfigurations: []types.InputConfiguration{{
		Id: aws.String("1.1"), InputStartingPositionConfiguration: &types.InputStartingPositionConfiguration{InputStartingPosition: types.InputStartingPositionTrimHorizon}}}}); err != nil {
		t.Fatal(err)
	}
	a.waitStatus("filter", types.ApplicationStatusRunning)
	var rows []string
	for i := range 20 {
		rows = append(rows, fmt.Sprintf(`{"ticker":"T%d","price":%d}`, i, 90+i))
	}
	putJSON(t, b.k, "ticks", rows...)
	testutil.Eventually(t, 30*time.Second, "nine expensive ticks", func() bool { return len(readAll(t, a.k, "expensive")) >= 9 })
	if _, err := a.ka.StopApplication(ctx, &ka.StopApplicationInput{ApplicationName: aws.String("filter")}); err != nil {
		t.Fatal(err)
	}
	b.waitStatus("filter", types.ApplicationStatusReady)
	if got := readAll(t, b.k, "expensive"); len(got) != 9 {
		t.Fatalf("%d output records, want 9 (one process runs the application): %q", len(got), got)
	}
}
