package mappings_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

func videoARN(name string) string {
	return "arn:aws:kinesisvideo:" + region + ":" + account + ":stream/" + name + "/1700000000000"
}

// TestCreateVideoMappingErrors: CreateEventSourceMapping's answers for a
// Kinesis Video stream source, checked before the stream is looked up (a
// mapping that passes them is created in triggers/runner/videotest).
func TestCreateVideoMappingErrors(t *testing.T) {
	e := start(t, apiOnly)
	e.function(t, "fn")
	dlq := e.stream(t, "dlq")
	src := videoARN("cam")
	const inv, val = "InvalidParameterValueException", "ValidationException"
	filters := func(ps ...string) *ltypes.FilterCriteria {
		fc := &ltypes.FilterCriteria{}
		for _, p := range ps {
			fc.Filters = append(fc.Filters, ltypes.Filter{Pattern: aws.String(p)})
		}
		return fc
	}
	for _, c := range []struct {
		name      string
		mod       func(in *lambda.CreateEventSourceMappingInput)
		code, msg string
	}{
		{"unknown stream", func(in *lambda.CreateEventSourceMappingInput) {}, inv, "Stream not found: " + src},
		{"stream of another region", func(in *lambda.CreateEventSourceMappingInput) {
			in.EventSourceArn = aws.String("arn:aws:kinesisvideo:eu-west-1:" + account + ":stream/cam/1700000000000")
		}, inv, "Stream not found: arn:aws:kinesisvideo:eu-west-1:" + account + ":stream/cam/1700000000000"},
		{"no creation time", func(in *lambda.CreateEventSourceMappingInput) {
			in.EventSourceArn = aws.String("arn:aws:kinesisvideo:" + region + ":" + account + ":stream/cam")
		}, inv, "Invalid Kinesis Video event source ARN arn:aws:kinesisvideo:" + region + ":" + account + ":stream/cam: expected arn:aws:kinesisvideo:REGION:ACCOUNT:stream/NAME/CREATION_TIME."},
		{"bad creation time", func(in *lambda.CreateEventSourceMappingInput) {
			in.EventSourceArn = aws.String("arn:aws:kinesisvideo:" + region + ":" + account + ":stream/cam/x1")
		}, inv, "Invalid Kinesis Video event source ARN …"},
		{"bad stream name", func(in *lambda.CreateEventSourceMappingInput) {
			in.EventSourceArn = aws.String("arn:aws:kinesisvideo:" + region + ":" + account + ":stream/c a m/1")
		}, inv, "Invalid Kinesis Video event source ARN …"},
		{"not a stream", func(in *lambda.CreateEventSourceMappingInput) {
			in.EventSourceArn = aws.String("arn:aws:kinesisvideo:" + region + ":" + account + ":channel/cam/1")
		}, inv, "Invalid Kinesis Video event source ARN …"},
		{"no starting position", func(in *lambda.CreateEventSourceMappingInput) { in.StartingPosition = "" }, inv,
			"1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null."},
		{"at timestamp without it", func(in *lambda.CreateEventSourceMappingInput) {
			in.StartingPosition = ltypes.EventSourcePositionAtTimestamp
		}, inv, "Need to specify a timestamp"},
		{"batch size 0", func(in *lambda.CreateEventSourceMappingInput) { in.BatchSize = aws.Int32(0) }, val,
			"1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"batch size 10001", func(in *lambda.CreateEventSourceMappingInput) { in.BatchSize = aws.Int32(10001) }, val,
			"1 validation error detected: Value '10001' at 'batchSize' failed to satisfy constraint: Member must have value less than or equal to 10000"},
		{"batching window 301", func(in *lambda.CreateEventSourceMappingInput) { in.MaximumBatchingWindowInSeconds = aws.Int32(301) }, val,
			"1 validation error detected: Value '301' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 300"},
		{"parallelization", func(in *lambda.CreateEventSourceMappingInput) { in.ParallelizationFactor = aws.Int32(2) }, inv,
			"ParallelizationFactor must be 1 for a Kinesis Video stream event source: its fragments are read in order by a single reader."},
		{"tumbling window", func(in *lambda.CreateEventSourceMappingInput) { in.TumblingWindowInSeconds = aws.Int32(60) }, inv,
			"TumblingWindowInSeconds is not supported for a Kinesis Video stream event source."},
		{"record age 59", func(in *lambda.CreateEventSourceMappingInput) { in.MaximumRecordAgeInSeconds = aws.Int32(59) }, inv,
			"MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)"},
		{"bad response type", func(in *lambda.CreateEventSourceMappingInput) {
			in.FunctionResponseTypes = []ltypes.FunctionResponseType{"Nope"}
		}, val, "1 validation error detected: Value '[Nope]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]"},
		{"bad filter", func(in *lambda.CreateEventSourceMappingInput) { in.FilterCriteria = filters(`{"kinesisVideo":`) }, inv,
			"Invalid filter pattern definition."},
		{"filter value not a list", func(in *lambda.CreateEventSourceMappingInput) { in.FilterCriteria = filters(`{"eventName":"x"}`) }, inv,
			"Invalid filter pattern definition."},
		{"on success", func(in *lambda.CreateEventSourceMappingInput) {
			in.DestinationConfig = &ltypes.DestinationConfig{OnSuccess: &ltypes.OnSuccess{Destination: aws.String(dlq)}}
		}, inv, "Unsupported DestinationConfig parameter for given event source mapping type."},
		{"sqs destination", func(in *lambda.CreateEventSourceMappingInput) {
			in.DestinationConfig = &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String("arn:aws:sqs:" + region + ":" + account + ":q")}}
		}, inv, "The destination ARN arn:aws:sqs:" + region + ":" + account + ":q is not supported: …"},
		{"unknown destination", func(in *lambda.CreateEventSourceMappingInput) {
			in.DestinationConfig = &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(streamARN("nope"))}}
		}, inv, "The destination ARN " + streamARN("nope") + " is invalid: stream not found."},
		{"unknown function", func(in *lambda.CreateEventSourceMappingInput) { in.FunctionName = aws.String("nope") }, inv, "Function does not exist"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("fn"), EventSourceArn: aws.String(src),
				StartingPosition: ltypes.EventSourcePositionLatest}
			c.mod(in)
			_, err := e.lam.CreateEventSourceMapping(ctx, in)
			apiError(t, err, c.code, c.msg)
		})
	}
	// The Kinesis-only message names the video form too.
	_, err := e.lam.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("fn"),
		EventSourceArn: aws.String("arn:aws:sqs:us-east-1:123456789012:q"), StartingPosition: ltypes.EventSourcePositionLatest})
	if ae := apiError(t, err, inv, "kinesin supports only Kinesis event sources …"); !strings.Contains(ae.ErrorMessage(), "arn:aws:kinesisvideo:") {
		t.Fatalf("message does not name video streams: %s", ae.ErrorMessage())
	}
}
