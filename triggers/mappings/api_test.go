package mappings_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/kinesin/kinesin/internal/testutil"
	"github.com/kinesin/kinesin/triggers/mappings"
)

// TestLifecycle walks one mapping through every operation and state, on a
// kinesin whose runner settles each change.
func TestLifecycle(t *testing.T) {
	e := startShared(t, withRunner)
	src := e.stream(t, "src")
	e.function(t, "fn")

	before := time.Now().Add(-time.Second)
	created := e.create(t, "fn", src)
	id := aws.ToString(created.UUID)
	if aws.ToString(created.EventSourceMappingArn) != "arn:aws:lambda:us-east-1:123456789012:event-source-mapping:"+id ||
		aws.ToString(created.FunctionArn) != functionARN("fn") || aws.ToString(created.EventSourceArn) != src ||
		aws.ToString(created.State) != "Creating" || aws.ToString(created.StateTransitionReason) != "User action" ||
		aws.ToString(created.LastProcessingResult) != "No records processed" ||
		aws.ToInt32(created.BatchSize) != 100 || aws.ToInt32(created.MaximumBatchingWindowInSeconds) != 0 ||
		aws.ToInt32(created.ParallelizationFactor) != 1 || aws.ToInt32(created.MaximumRecordAgeInSeconds) != -1 ||
		aws.ToInt32(created.MaximumRetryAttempts) != -1 || aws.ToInt32(created.TumblingWindowInSeconds) != 0 ||
		aws.ToBool(created.BisectBatchOnFunctionError) || created.StartingPosition != ltypes.EventSourcePositionTrimHorizon ||
		created.StartingPositionTimestamp != nil || created.FilterCriteria != nil ||
		created.DestinationConfig == nil || created.DestinationConfig.OnFailure == nil || created.DestinationConfig.OnFailure.Destination != nil ||
		created.FunctionResponseTypes == nil || len(created.FunctionResponseTypes) != 0 ||
		created.LastModified == nil || created.LastModified.Before(before) || created.LastModified.After(time.Now().Add(time.Second)) {
		t.Fatalf("create answered %+v", created)
	}
	if m := e.stored(t, id); m.FunctionName != "fn" || m.Qualifier != "" || m.StreamName != "src" || m.ConsumerName != "" || !m.Enabled || m.Generation != 1 {
		t.Fatalf("stored %+v", m)
	}

	// The wire shape, as Lambda writes it.
	status, body := e.do(t, "GET", mappings.Path+"/"+id, "")
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &raw); status != 200 || err != nil {
		t.Fatalf("get: %d %s", status, body)
	}
	if string(raw["DestinationConfig"]) != `{"OnFailure":{}}` || string(raw["FunctionResponseTypes"]) != `[]` ||
		raw["FilterCriteria"] != nil || raw["kinesinStreamName"] != nil || !strings.Contains(string(raw["LastModified"]), ".") {
		t.Fatalf("get body %s", body)
	}
	e.await(t, id, "Enabled")

	upd, err := e.lam.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{
		UUID: aws.String(id), BatchSize: aws.Int32(7), MaximumBatchingWindowInSeconds: aws.Int32(2),
		ParallelizationFactor: aws.Int32(3), MaximumRecordAgeInSeconds: aws.Int32(60), MaximumRetryAttempts: aws.Int32(4),
		BisectBatchOnFunctionError: aws.Bool(true), TumblingWindowInSeconds: aws.Int32(30),
		FunctionResponseTypes: []ltypes.FunctionResponseType{ltypes.FunctionResponseTypeReportBatchItemFailures},
		FilterCriteria:        &ltypes.FilterCriteria{Filters: []ltypes.Filter{{Pattern: aws.String(`{"data":{"k":["v"]}}`)}}},
		DestinationConfig:     &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(e.stream(t, "dlq"))}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(upd.State) != "Updating" || aws.ToInt32(upd.BatchSize) != 7 || aws.ToInt32(upd.MaximumBatchingWindowInSeconds) != 2 ||
		aws.ToInt32(upd.ParallelizationFactor) != 3 || aws.ToInt32(upd.MaximumRecordAgeInSeconds) != 60 ||
		aws.ToInt32(upd.MaximumRetryAttempts) != 4 || !aws.ToBool(upd.BisectBatchOnFunctionError) ||
		aws.ToInt32(upd.TumblingWindowInSeconds) != 30 || len(upd.FunctionResponseTypes) != 1 ||
		len(upd.FilterCriteria.Filters) != 1 || aws.ToString(upd.DestinationConfig.OnFailure.Destination) != streamARN("dlq") ||
		!upd.LastModified.After(*created.LastModified) && !upd.LastModified.Equal(*created.LastModified) {
		t.Fatalf("update answered %+v", upd)
	}
	if m := e.stored(t, id); m.Generation != 2 || m.OnFailure() != streamARN("dlq") || !m.ReportsBatchItemFailures() {
		t.Fatalf("stored %+v", m)
	}
	e.await(t, id, "Enabled")

	// Empty FilterCriteria and OnFailure clear them.
	upd, err = e.lam.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(id),
		FilterCriteria: &ltypes.FilterCriteria{}, DestinationConfig: &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{}},
		FunctionResponseTypes: []ltypes.FunctionResponseType{}})
	if err != nil || upd.FilterCriteria != nil || upd.DestinationConfig.OnFailure.Destination != nil || aws.ToInt32(upd.BatchSize) != 7 {
		t.Fatalf("clear: %v %+v", err, upd)
	}
	e.await(t, id, "Enabled")

	for _, c := range []struct {
		enabled bool
		state   string
		settled string
	}{{false, "Disabling", "Disabled"}, {false, "Updating", "Disabled"}, {true, "Enabling", "Enabled"}} {
		upd, err := e.lam.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(id), Enabled: aws.Bool(c.enabled)})
		if err != nil || aws.ToString(upd.State) != c.state {
			t.Fatalf("Enabled=%v: %v %+v", c.enabled, err, upd)
		}
		e.await(t, id, c.settled)
	}

	del, err := e.lam.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(id)})
	if err != nil || aws.ToString(del.State) != "Deleting" || aws.ToString(del.UUID) != id || aws.ToInt32(del.BatchSize) != 7 {
		t.Fatalf("delete: %v %+v", err, del)
	}
	// The runner removes a deleted mapping.
	e.await(t, id, "")

	for _, err := range []error{
		func() error {
			_, err := e.lam.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(id)})
			return err
		}(),
		func() error {
			_, err := e.lam.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(id)})
			return err
		}(),
		func() error {
			_, err := e.lam.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(id), Enabled: aws.Bool(true)})
			return err
		}(),
		func() error {
			_, err := e.lam.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String("not a uuid")})
			return err
		}(),
	} {
		ae := apiError(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")
		if _, ok := ae.(*ltypes.ResourceNotFoundException); !ok {
			t.Fatalf("SDK did not type the error: %T", ae)
		}
	}
}

// TestInUse: a mapping in a transitional state can be neither updated nor
// deleted until a runner settles it. The kinesin serving the API runs no
// mappings, so each state stays until a second kinesin, with a runner,
// comes and goes (env.settle).
func TestInUse(t *testing.T) {
	e := startShared(t, apiOnly)
	src := e.stream(t, "src")
	e.function(t, "fn")
	created := e.create(t, "fn", src)
	id := aws.ToString(created.UUID)
	state := func(want string) {
		t.Helper()
		got, err := e.lam.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(id)})
		if err != nil || aws.ToString(got.State) != want {
			t.Fatalf("get: %v %+v, want %s", err, got, want)
		}
	}
	updateInUse := func() {
		t.Helper()
		_, err := e.lam.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(id), BatchSize: aws.Int32(5)})
		apiError(t, err, "ResourceInUseException", "Cannot update the event source mapping because it is in use.")
	}
	inUse := func() {
		t.Helper()
		updateInUse()
		_, err := e.lam.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(id)})
		apiError(t, err, "ResourceInUseException", "Cannot delete the event source mapping because it is in use.")
	}

	if aws.ToString(created.State) != "Creating" {
		t.Fatalf("create answered %s", aws.ToString(created.State))
	}
	inUse()
	state("Creating")
	e.settle(t, id, "Enabled")

	for _, c := range []struct {
		in      lambda.UpdateEventSourceMappingInput
		state   string
		settled string
	}{
		{lambda.UpdateEventSourceMappingInput{BatchSize: aws.Int32(7)}, "Updating", "Enabled"},
		{lambda.UpdateEventSourceMappingInput{Enabled: aws.Bool(false)}, "Disabling", "Disabled"},
		{lambda.UpdateEventSourceMappingInput{Enabled: aws.Bool(false)}, "Updating", "Disabled"},
		{lambda.UpdateEventSourceMappingInput{Enabled: aws.Bool(true)}, "Enabling", "Enabled"},
	} {
		c.in.UUID = aws.String(id)
		upd, err := e.lam.UpdateEventSourceMapping(ctx, &c.in)
		if err != nil || aws.ToString(upd.State) != c.state {
			t.Fatalf("update to %s: %v %+v", c.state, err, upd)
		}
		inUse()
		state(c.state)
		e.settle(t, id, c.settled)
	}

	// Deleting a mapping being deleted answers it again; updating it is
	// refused.
	for range 2 {
		del, err := e.lam.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(id)})
		if err != nil || aws.ToString(del.State) != "Deleting" || aws.ToString(del.UUID) != id || aws.ToInt32(del.BatchSize) != 7 {
			t.Fatalf("delete: %v %+v", err, del)
		}
	}
	updateInUse()
	state("Deleting")
	e.settle(t, id, "")
}

func TestCreateOptions(t *testing.T) {
	e := startShared(t, withRunner)
	src := e.stream(t, "src")
	dlq := e.stream(t, "dlq")
	e.function(t, "fn")
	at := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	out, err := e.lam.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("fn"), EventSourceArn: aws.String(src), Enabled: aws.Bool(false),
		StartingPosition: ltypes.EventSourcePositionAtTimestamp, StartingPositionTimestamp: &at,
		BatchSize: aws.Int32(10000), MaximumBatchingWindowInSeconds: aws.Int32(300), ParallelizationFactor: aws.Int32(10),
		MaximumRecordAgeInSeconds: aws.Int32(604800), MaximumRetryAttempts: aws.Int32(10000), TumblingWindowInSeconds: aws.Int32(900),
		BisectBatchOnFunctionError: aws.Bool(true),
		FunctionResponseTypes:      []ltypes.FunctionResponseType{ltypes.FunctionResponseTypeReportBatchItemFailures},
		FilterCriteria: &ltypes.FilterCriteria{Filters: []ltypes.Filter{
			{Pattern: aws.String(`{"data":{"n":[{"numeric":[">",1]}]}}`)}, {Pattern: aws.String(`cel:data.n == 0`)}}},
		DestinationConfig: &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(dlq)}},
		Tags:              map[string]string{"team": "a"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !out.StartingPositionTimestamp.Equal(at) || aws.ToInt32(out.BatchSize) != 10000 || aws.ToInt32(out.ParallelizationFactor) != 10 ||
		len(out.FilterCriteria.Filters) != 2 || aws.ToString(out.State) != "Creating" {
		t.Fatalf("create answered %+v", out)
	}
	if m := e.stored(t, aws.ToString(out.UUID)); m.Enabled || m.Tags["team"] != "a" || !m.StartTime().Equal(at) || len(m.Filters()) != 2 {
		t.Fatalf("stored %+v", m)
	}
	e.await(t, aws.ToString(out.UUID), "Disabled")
}

// TestCreateValidation covers each parameter's constraints and Lambda's
// semantic checks, through the SDK.
func TestCreateValidation(t *testing.T) {
	e := startShared(t, apiOnly)
	src := e.stream(t, "src")
	e.stream(t, "dlq")
	e.function(t, "fn")
	future := time.Now().Add(time.Hour)
	past := time.Now().Add(-time.Hour)
	filters := func(p ...string) *ltypes.FilterCriteria {
		fc := &ltypes.FilterCriteria{}
		for _, s := range p {
			fc.Filters = append(fc.Filters, ltypes.Filter{Pattern: aws.String(s)})
		}
		return fc
	}
	onFailure := func(arn string) *ltypes.DestinationConfig {
		return &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(arn)}}
	}
	const (
		val = "ValidationException"
		inv = "InvalidParameterValueException"
	)
	lower := func(path string, n int) string {
		return "1 validation error detected: Value '" + strconv.Itoa(n) + "' at '" + path + "' failed to satisfy constraint: Member must have value greater than or equal to " + strconv.Itoa(n+1)
	}
	upper := func(path string, n int) string {
		return "1 validation error detected: Value '" + strconv.Itoa(n) + "' at '" + path + "' failed to satisfy constraint: Member must have value less than or equal to " + strconv.Itoa(n-1)
	}
	for _, c := range []struct {
		name string
		mod  func(in *lambda.CreateEventSourceMappingInput)
		code string
		msg  string
	}{
		{"batch 0", func(in *lambda.CreateEventSourceMappingInput) { in.BatchSize = aws.Int32(0) }, val, lower("batchSize", 0)},
		{"batch 10001", func(in *lambda.CreateEventSourceMappingInput) { in.BatchSize = aws.Int32(10001) }, val, upper("batchSize", 10001)},
		{"window -1", func(in *lambda.CreateEventSourceMappingInput) { in.MaximumBatchingWindowInSeconds = aws.Int32(-1) }, val, lower("maximumBatchingWindowInSeconds", -1)},
		{"window 301", func(in *lambda.CreateEventSourceMappingInput) { in.MaximumBatchingWindowInSeconds = aws.Int32(301) }, val, upper("maximumBatchingWindowInSeconds", 301)},
		{"parallel 0", func(in *lambda.CreateEventSourceMappingInput) { in.ParallelizationFactor = aws.Int32(0) }, val, lower("parallelizationFactor", 0)},
		{"parallel 11", func(in *lambda.CreateEventSourceMappingInput) { in.ParallelizationFactor = aws.Int32(11) }, val, upper("parallelizationFactor", 11)},
		{"age -2", func(in *lambda.CreateEventSourceMappingInput) { in.MaximumRecordAgeInSeconds = aws.Int32(-2) }, val, lower("maximumRecordAgeInSeconds", -2)},
		{"age 604801", func(in *lambda.CreateEventSourceMappingInput) { in.MaximumRecordAgeInSeconds = aws.Int32(604801) }, val, upper("maximumRecordAgeInSeconds", 604801)},
		{"age 0", func(in *lambda.CreateEventSourceMappingInput) { in.MaximumRecordAgeInSeconds = aws.Int32(0) }, inv,
			"MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)"},
		{"age 59", func(in *lambda.CreateEventSourceMappingInput) { in.MaximumRecordAgeInSeconds = aws.Int32(59) }, inv,
			"MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)"},
		{"retry -2", func(in *lambda.CreateEventSourceMappingInput) { in.MaximumRetryAttempts = aws.Int32(-2) }, val, lower("maximumRetryAttempts", -2)},
		{"retry 10001", func(in *lambda.CreateEventSourceMappingInput) { in.MaximumRetryAttempts = aws.Int32(10001) }, val, upper("maximumRetryAttempts", 10001)},
		{"tumbling -1", func(in *lambda.CreateEventSourceMappingInput) { in.TumblingWindowInSeconds = aws.Int32(-1) }, val, lower("tumblingWindowInSeconds", -1)},
		{"tumbling 901", func(in *lambda.CreateEventSourceMappingInput) { in.TumblingWindowInSeconds = aws.Int32(901) }, val, upper("tumblingWindowInSeconds", 901)},
		{"two violations", func(in *lambda.CreateEventSourceMappingInput) {
			in.BatchSize, in.ParallelizationFactor = aws.Int32(0), aws.Int32(0)
		}, val,
			"2 validation errors detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
				"Value '0' at 'parallelizationFactor' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"response type", func(in *lambda.CreateEventSourceMappingInput) {
			in.FunctionResponseTypes = []ltypes.FunctionResponseType{"Nope"}
		}, val,
			"1 validation error detected: Value '[Nope]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]"},
		{"no starting position", func(in *lambda.CreateEventSourceMappingInput) { in.StartingPosition = "" }, inv,
			"1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null."},
		{"bad starting position", func(in *lambda.CreateEventSourceMappingInput) { in.StartingPosition = "invalid" }, val,
			"1 validation error detected: Value 'invalid' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]"},
		{"at timestamp without it", func(in *lambda.CreateEventSourceMappingInput) {
			in.StartingPosition = ltypes.EventSourcePositionAtTimestamp
		}, inv,
			"Need to specify a timestamp"},
		{"timestamp in the future", func(in *lambda.CreateEventSourceMappingInput) {
			in.StartingPosition, in.StartingPositionTimestamp = ltypes.EventSourcePositionAtTimestamp, &future
		}, inv, "StartingPositionTimestamp cannot be in the future."},
		{"timestamp without at timestamp", func(in *lambda.CreateEventSourceMappingInput) { in.StartingPositionTimestamp = &past }, inv,
			"StartingPositionTimestamp is only allowed with StartingPosition AT_TIMESTAMP."},
		{"no event source", func(in *lambda.CreateEventSourceMappingInput) { in.EventSourceArn = nil }, inv, "Unrecognized event source."},
		{"event source not an ARN", func(in *lambda.CreateEventSourceMappingInput) { in.EventSourceArn = aws.String("src") }, val,
			"1 validation error detected: Value 'src' at 'eventSourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)"},
		{"sqs source", func(in *lambda.CreateEventSourceMappingInput) {
			in.EventSourceArn = aws.String("arn:aws:sqs:us-east-1:123456789012:q")
		}, inv,
			"kinesin supports only Kinesis event sources (arn:aws:kinesis:us-east-1:123456789012:stream/NAME, or a stream consumer ARN under it) and Kinesis Video streams (arn:aws:kinesisvideo:us-east-1:123456789012:stream/NAME/CREATION_TIME), not arn:aws:sqs:us-east-1:123456789012:q."},
		{"dynamodb source", func(in *lambda.CreateEventSourceMappingInput) {
			in.EventSourceArn = aws.String("arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2024-01-01T00:00:00.000")
		}, inv, "kinesin supports only Kinesis event sources …"},
		{"kafka source", func(in *lambda.CreateEventSourceMappingInput) {
			in.EventSourceArn = nil
			in.SelfManagedEventSource = &ltypes.SelfManagedEventSource{Endpoints: map[string][]string{"KAFKA_BOOTSTRAP_SERVERS": {"k:9092"}}}
		}, inv, "kinesin supports only Kinesis event sources: self-managed Apache Kafka is not supported."},
		{"malformed kinesis ARN", func(in *lambda.CreateEventSourceMappingInput) {
			in.EventSourceArn = aws.String("arn:aws:kinesis:us-east-1:123456789012:src")
		}, inv, "Invalid Kinesis event source ARN arn:aws:kinesis:us-east-1:123456789012:src: expected arn:aws:kinesis:REGION:ACCOUNT:stream/NAME or a stream consumer ARN."},
		{"unknown stream", func(in *lambda.CreateEventSourceMappingInput) { in.EventSourceArn = aws.String(streamARN("nope")) }, inv,
			"Stream not found: arn:aws:kinesis:us-east-1:123456789012:stream/nope"},
		{"stream of another region", func(in *lambda.CreateEventSourceMappingInput) {
			in.EventSourceArn = aws.String("arn:aws:kinesis:eu-west-1:123456789012:stream/src")
		}, inv, "Stream not found: arn:aws:kinesis:eu-west-1:123456789012:stream/src"},
		{"stream of another account", func(in *lambda.CreateEventSourceMappingInput) {
			in.EventSourceArn = aws.String("arn:aws:kinesis:us-east-1:999999999999:stream/src")
		}, inv, "Stream not found: arn:aws:kinesis:us-east-1:999999999999:stream/src"},
		{"unknown consumer", func(in *lambda.CreateEventSourceMappingInput) {
			in.EventSourceArn = aws.String(src + "/consumer/c:1700000000")
		}, inv,
			"Stream consumer not found: " + src + "/consumer/c:1700000000"},
		{"unknown function", func(in *lambda.CreateEventSourceMappingInput) { in.FunctionName = aws.String("nope") }, inv, "Function does not exist"},
		{"unknown alias", func(in *lambda.CreateEventSourceMappingInput) { in.FunctionName = aws.String("fn:live") }, inv, "Function does not exist"},
		{"unknown version", func(in *lambda.CreateEventSourceMappingInput) { in.FunctionName = aws.String(functionARN("fn") + ":7") }, inv, "Function does not exist"},
		{"function of another region", func(in *lambda.CreateEventSourceMappingInput) {
			in.FunctionName = aws.String("arn:aws:lambda:eu-west-1:123456789012:function:fn")
		}, inv, "Function does not exist"},
		{"bad function name", func(in *lambda.CreateEventSourceMappingInput) { in.FunctionName = aws.String("a b") }, val,
			"1 validation error detected: Value 'a b' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: …"},
		{"function name too long", func(in *lambda.CreateEventSourceMappingInput) { in.FunctionName = aws.String(strings.Repeat("f", 257)) }, val,
			"1 validation error detected: Value '" + strings.Repeat("f", 257) + "' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"bad filter", func(in *lambda.CreateEventSourceMappingInput) { in.FilterCriteria = filters(`{"data":`) }, inv, "Invalid filter pattern definition."},
		{"empty filter", func(in *lambda.CreateEventSourceMappingInput) { in.FilterCriteria = filters(``) }, inv, "Invalid filter pattern definition."},
		{"bad CEL filter", func(in *lambda.CreateEventSourceMappingInput) { in.FilterCriteria = filters(`cel:data.(`) }, inv, "Invalid filter pattern definition."},
		{"six filters", func(in *lambda.CreateEventSourceMappingInput) {
			in.FilterCriteria = filters("{}", "{}", "{}", "{}", "{}", "{}")
		}, inv,
			"The number of filters (6) exceeds the maximum allowed number of filters (5)."},
		{"filter too long", func(in *lambda.CreateEventSourceMappingInput) {
			in.FilterCriteria = filters(`{}`, `{"data":{"k":["`+strings.Repeat("v", 4100)+`"]}}`)
		}, val, "1 validation error detected: Value at 'filterCriteria.filters.2.member.pattern' failed to satisfy constraint: Member must have length less than or equal to 4096"},
		{"on success", func(in *lambda.CreateEventSourceMappingInput) {
			in.DestinationConfig = &ltypes.DestinationConfig{OnSuccess: &ltypes.OnSuccess{Destination: aws.String(streamARN("dlq"))}}
		}, inv, "Unsupported DestinationConfig parameter for given event source mapping type."},
		{"sqs destination", func(in *lambda.CreateEventSourceMappingInput) {
			in.DestinationConfig = onFailure("arn:aws:sqs:us-east-1:123456789012:q")
		}, inv,
			"The destination ARN arn:aws:sqs:us-east-1:123456789012:q is not supported: kinesin sends the records of discarded batches only to a Kinesis stream (arn:aws:kinesis:us-east-1:123456789012:stream/NAME)."},
		{"consumer destination", func(in *lambda.CreateEventSourceMappingInput) {
			in.DestinationConfig = onFailure(streamARN("dlq") + "/consumer/c:1")
		}, inv,
			"The destination ARN " + streamARN("dlq") + "/consumer/c:1 is not supported: …"},
		{"unknown destination", func(in *lambda.CreateEventSourceMappingInput) { in.DestinationConfig = onFailure(streamARN("nope")) }, inv,
			"The destination ARN " + streamARN("nope") + " is invalid: stream not found."},
		{"source as destination", func(in *lambda.CreateEventSourceMappingInput) { in.DestinationConfig = onFailure(src) }, inv,
			"The destination ARN " + src + " is invalid: it is the event source stream."},
		{"destination not an ARN", func(in *lambda.CreateEventSourceMappingInput) { in.DestinationConfig = onFailure("dlq") }, val,
			"1 validation error detected: Value 'dlq' at 'destinationConfig.onFailure.destination' failed to satisfy constraint: Member must satisfy regular expression pattern: $|kafka://…"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("fn"), EventSourceArn: aws.String(src),
				StartingPosition: ltypes.EventSourcePositionLatest}
			c.mod(in)
			_, err := e.lam.CreateEventSourceMapping(ctx, in)
			apiError(t, err, c.code, c.msg)
		})
	}
	// Nothing was stored, and the edges of every range are accepted.
	if all, _ := e.store.List(ctx); len(all) != 0 {
		t.Fatalf("%d mappings stored by failed creates", len(all))
	}
	_, err := e.lam.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("fn"), EventSourceArn: aws.String(src),
		StartingPosition: ltypes.EventSourcePositionLatest, BatchSize: aws.Int32(1), MaximumRecordAgeInSeconds: aws.Int32(60),
		MaximumRetryAttempts: aws.Int32(-1), ParallelizationFactor: aws.Int32(1), FilterCriteria: filters("{}", "{}", "{}", "{}", `{"data":{"k":["`+strings.Repeat("v", 4000)+`"]}}`)})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRawRequests covers what the SDK validates before sending.
func TestRawRequests(t *testing.T) {
	e := start(t, apiOnly)
	src := e.stream(t, "src")
	e.function(t, "fn")
	for _, c := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", mappings.Path + "/", `{"EventSourceArn":"` + src + `","StartingPosition":"LATEST"}`, 400,
			`"message":"1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null"`},
		{"POST", mappings.Path + "/", `{"FunctionName":"fn","EventSourceArn":"` + src + `","StartingPosition":"LATEST","BatchSize":"x"}`, 400,
			`Could not parse request body into json: Cannot deserialize value of type int64 for field BatchSize`},
		{"POST", mappings.Path + "/", `{`, 400, `"Type":"User"`},
		{"GET", mappings.Path + "/?MaxItems=0", "", 400,
			`"message":"1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"`},
		{"GET", mappings.Path + "/?MaxItems=10001", "", 400, `Member must have value less than or equal to 10000`},
		{"GET", mappings.Path + "/?FunctionName=a%20b", "", 400, `at 'functionName' failed to satisfy constraint`},
		{"PATCH", mappings.Path + "/x", "", 404, `"message":"Unknown operation PATCH /2015-03-31/event-source-mappings/x"`},
		{"GET", mappings.Path + "/x/y", "", 404, `nknown operation`},
		{"GET", mappings.Path + "x", "", 404, `UnknownOperation`},
		{"GET", mappings.ShardsPath + "/x", "", 404, `nknown operation`},
		{"GET", mappings.ShardsPath + "/x/shards", "", 404, `"Message":"The resource you requested does not exist."`},
	} {
		status, body := e.do(t, c.method, c.path, c.body)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s %s: %d %s, want %d …%s…", c.method, c.path, status, body, c.status, c.want)
		}
	}
}

func TestDuplicate(t *testing.T) {
	e := start(t, withRunner)
	src := e.stream(t, "src")
	e.function(t, "fn")
	e.function(t, "other")
	first := e.create(t, "fn", src)
	want := `The event source arn (" ` + src + ` ") and function (" fn ") provided mapping already exists. Please update or delete the existing mapping with UUID ` + aws.ToString(first.UUID)
	for _, name := range []string{"fn", functionARN("fn"), account + ":function:fn"} {
		_, err := e.lam.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
			FunctionName: aws.String(name), EventSourceArn: aws.String(src), StartingPosition: ltypes.EventSourcePositionLatest})
		ae := apiError(t, err, "ResourceConflictException", want)
		if _, ok := ae.(*ltypes.ResourceConflictException); !ok {
			t.Fatalf("SDK did not type the error: %T", ae)
		}
	}
	// Another qualifier is another function ARN.
	e.create(t, "fn:$LATEST", src)
	// Moving a mapping onto a function already mapped conflicts too.
	other := e.create(t, "other", src)
	e.await(t, aws.ToString(other.UUID), "Enabled")
	_, err := e.lam.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: other.UUID, FunctionName: aws.String("fn")})
	apiError(t, err, "ResourceConflictException", want)
}

// TestFunctionNames checks the FunctionArn each form of FunctionName
// resolves to, and that updating FunctionName moves the mapping.
func TestFunctionNames(t *testing.T) {
	e := startShared(t, withRunner)
	src := e.stream(t, "src")
	e.function(t, "fn")
	e.function(t, "fn2")
	if _, err := e.lam.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("fn")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.lam.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("fn"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, arn, qualifier string }{
		{"fn", functionARN("fn"), ""},
		{"fn:$LATEST", functionARN("fn") + ":$LATEST", ""},
		{"fn:1", functionARN("fn") + ":1", "1"},
		{account + ":function:fn:live", functionARN("fn") + ":live", "live"},
	} {
		out := e.create(t, c.name, src)
		if aws.ToString(out.FunctionArn) != c.arn {
			t.Errorf("%s: FunctionArn %s, want %s", c.name, aws.ToString(out.FunctionArn), c.arn)
		}
		if m := e.stored(t, aws.ToString(out.UUID)); m.FunctionName != "fn" || m.Qualifier != c.qualifier {
			t.Errorf("%s: stored %+v", c.name, m)
		}
		e.await(t, aws.ToString(out.UUID), "Enabled")
	}
	// The full ARN of the version is the mapping of "fn:1" again.
	_, err := e.lam.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String(functionARN("fn") + ":1"),
		EventSourceArn: aws.String(src), StartingPosition: ltypes.EventSourcePositionLatest})
	apiError(t, err, "ResourceConflictException", "The event source arn …")

	list, err := e.lam.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String(functionARN("fn") + ":live")})
	if err != nil || len(list.EventSourceMappings) != 1 {
		t.Fatalf("list: %v %+v", err, list)
	}
	id := list.EventSourceMappings[0].UUID
	upd, err := e.lam.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: id, FunctionName: aws.String("fn2")})
	if err != nil || aws.ToString(upd.FunctionArn) != functionARN("fn2") {
		t.Fatalf("update: %v %+v", err, upd)
	}
	if m := e.stored(t, aws.ToString(id)); m.FunctionName != "fn2" || m.Qualifier != "" {
		t.Fatalf("stored %+v", m)
	}
	e.await(t, aws.ToString(id), "Enabled")
	_, err = e.lam.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: id, FunctionName: aws.String("gone")})
	apiError(t, err, "InvalidParameterValueException", "Function does not exist")
}

// TestInactiveFunction: Lambda lets a mapping name a function that is not
// Active: still Pending (its code being validated), or Failed.
func TestInactiveFunction(t *testing.T) {
	e := start(t, apiOnly)
	src := e.stream(t, "src")
	state := func(name string) string {
		t.Helper()
		out, err := e.lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return string(out.Configuration.State)
	}
	// okModule validates in microseconds: the function is most likely,
	// not certainly, still Pending when the mapping is created.
	e.deploy(t, "pending", okModule)
	e.create(t, "pending", src)
	t.Logf("function was %s when mapped", state("pending"))

	// The engine refuses a module without kinesin's ABI: Failed.
	e.deploy(t, "failed", []byte("\x00asm\x01\x00\x00\x00"))
	testutil.Eventually(t, 30*time.Second, "function Failed", func() bool { return state("failed") == "Failed" })
	e.create(t, "failed", src)
}

func TestList(t *testing.T) {
	t.Parallel() // long: beside TestServer, which mostly waits for the AWS CLI
	e := start(t, apiOnly)
	s1, s2 := e.stream(t, "s1"), e.stream(t, "s2")
	e.function(t, "fn")
	e.function(t, "fn2")
	if _, err := e.lam.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("fn")}); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{} // filter → UUIDs
	add := func(fn, src string, keys ...string) {
		id := aws.ToString(e.create(t, fn, src).UUID)
		for _, k := range append(keys, "all") {
			want[k] = append(want[k], id)
		}
	}
	add("fn", s1, "s1", "fn", "fn-unqualified")
	add("fn", s2, "s2", "fn", "fn-unqualified")
	add("fn:1", s1, "s1", "fn", "fn:1")
	add("fn2", s1, "s1", "fn2")
	add("fn2", s2, "s2", "fn2")
	for i := range 101 { // more than one page of the most Lambda answers
		add("fn2", e.stream(t, "many"+strconv.Itoa(i)), "many")
	}
	for k := range want {
		slices.Sort(want[k])
	}
	list := func(in *lambda.ListEventSourceMappingsInput) []string {
		t.Helper()
		var ids []string
		p := lambda.NewListEventSourceMappingsPaginator(e.lam, in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(out.EventSourceMappings); n > 100 || in.MaxItems != nil && n > int(*in.MaxItems) {
				t.Fatalf("page of %d, MaxItems %v", n, in.MaxItems)
			}
			for _, m := range out.EventSourceMappings {
				ids = append(ids, aws.ToString(m.UUID))
			}
		}
		return ids
	}
	for _, c := range []struct {
		name string
		in   lambda.ListEventSourceMappingsInput
		want string
	}{
		{"all", lambda.ListEventSourceMappingsInput{}, "all"},
		{"all by 10000", lambda.ListEventSourceMappingsInput{MaxItems: aws.Int32(10000)}, "all"},
		{"all by 1", lambda.ListEventSourceMappingsInput{MaxItems: aws.Int32(1)}, "all"},
		{"all by 2", lambda.ListEventSourceMappingsInput{MaxItems: aws.Int32(2)}, "all"},
		{"s1", lambda.ListEventSourceMappingsInput{EventSourceArn: aws.String(s1)}, "s1"},
		{"s2 by 1", lambda.ListEventSourceMappingsInput{EventSourceArn: aws.String(s2), MaxItems: aws.Int32(1)}, "s2"},
		{"fn by name", lambda.ListEventSourceMappingsInput{FunctionName: aws.String("fn")}, "fn"},
		{"fn by ARN", lambda.ListEventSourceMappingsInput{FunctionName: aws.String(functionARN("fn"))}, "fn"},
		{"fn:1", lambda.ListEventSourceMappingsInput{FunctionName: aws.String(functionARN("fn") + ":1")}, "fn:1"},
		{"fn on s1 by 1", lambda.ListEventSourceMappingsInput{FunctionName: aws.String("fn"), EventSourceArn: aws.String(s1), MaxItems: aws.Int32(1)}, "fn-s1"},
		{"unknown function", lambda.ListEventSourceMappingsInput{FunctionName: aws.String("doesnotexist")}, "none"},
		{"other region", lambda.ListEventSourceMappingsInput{FunctionName: aws.String("arn:aws:lambda:eu-west-1:123456789012:function:fn")}, "none"},
		{"unknown source", lambda.ListEventSourceMappingsInput{EventSourceArn: aws.String("arn:aws:sqs:us-east-1:123456789012:q")}, "none"},
	} {
		exp := want[c.want]
		if c.want == "fn-s1" {
			for _, id := range want["fn"] {
				if slices.Contains(want["s1"], id) {
					exp = append(exp, id)
				}
			}
		}
		if got := list(&c.in); !slices.Equal(got, exp) {
			t.Errorf("%s: got %v, want %v", c.name, got, exp)
		}
	}
	// An empty answer is an empty list, not null.
	status, body := e.do(t, "GET", mappings.Path+"/?FunctionName=doesnotexist", "")
	if status != 200 || body != `{"EventSourceMappings":[]}` {
		t.Fatalf("empty list: %d %s", status, body)
	}
}

func TestUpdateValidation(t *testing.T) {
	e := startShared(t, withRunner)
	src := e.stream(t, "src")
	e.function(t, "fn")
	id := e.create(t, "fn", src).UUID
	e.await(t, aws.ToString(id), "Enabled")
	for _, c := range []struct {
		name string
		mod  func(in *lambda.UpdateEventSourceMappingInput)
		code string
		msg  string
	}{
		{"batch 0", func(in *lambda.UpdateEventSourceMappingInput) { in.BatchSize = aws.Int32(0) }, "ValidationException",
			"1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"parallel 11", func(in *lambda.UpdateEventSourceMappingInput) { in.ParallelizationFactor = aws.Int32(11) }, "ValidationException",
			"1 validation error detected: Value '11' at 'parallelizationFactor' failed to satisfy constraint: Member must have value less than or equal to 10"},
		{"age 30", func(in *lambda.UpdateEventSourceMappingInput) { in.MaximumRecordAgeInSeconds = aws.Int32(30) }, "InvalidParameterValueException",
			"MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)"},
		{"filter", func(in *lambda.UpdateEventSourceMappingInput) {
			in.FilterCriteria = &ltypes.FilterCriteria{Filters: []ltypes.Filter{{Pattern: aws.String("[]")}}}
		}, "InvalidParameterValueException", "Invalid filter pattern definition."},
		{"on success", func(in *lambda.UpdateEventSourceMappingInput) {
			in.DestinationConfig = &ltypes.DestinationConfig{OnSuccess: &ltypes.OnSuccess{Destination: aws.String(src)}}
		}, "InvalidParameterValueException", "Unsupported DestinationConfig parameter for given event source mapping type."},
		{"destination", func(in *lambda.UpdateEventSourceMappingInput) {
			in.DestinationConfig = &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(streamARN("nope"))}}
		}, "InvalidParameterValueException", "The destination ARN " + streamARN("nope") + " is invalid: stream not found."},
		{"unknown mapping", func(in *lambda.UpdateEventSourceMappingInput) {
			in.UUID = aws.String("00000000-0000-4000-8000-000000000000")
		},
			"ResourceNotFoundException", "The resource you requested does not exist."},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := &lambda.UpdateEventSourceMappingInput{UUID: id}
			c.mod(in)
			_, err := e.lam.UpdateEventSourceMapping(ctx, in)
			apiError(t, err, c.code, c.msg)
		})
	}
	if m := e.stored(t, aws.ToString(id)); m.Generation != 1 || m.State != mappings.StateEnabled {
		t.Fatalf("failed updates changed the mapping: %+v", m)
	}
}

func TestConsumerSource(t *testing.T) {
	e := startShared(t, apiOnly)
	src := e.stream(t, "src")
	e.function(t, "fn")
	reg, err := e.kin.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(src), ConsumerName: aws.String("efo")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(reg.Consumer.ConsumerARN)
	out := e.create(t, "fn", arn)
	if aws.ToString(out.EventSourceArn) != arn {
		t.Fatalf("EventSourceArn %s", aws.ToString(out.EventSourceArn))
	}
	if m := e.stored(t, aws.ToString(out.UUID)); m.StreamName != "src" || m.ConsumerName != "efo" {
		t.Fatalf("stored %+v", m)
	}
	// The stream itself is another event source.
	e.create(t, "fn", src)
	wrong := strings.TrimSuffix(arn, arn[strings.LastIndexByte(arn, ':'):]) + ":1"
	_, err = e.lam.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("fn"),
		EventSourceArn: aws.String(wrong), StartingPosition: ltypes.EventSourcePositionLatest})
	apiError(t, err, "InvalidParameterValueException", "Stream consumer not found: "+wrong)
}

// TestShards covers kinesin's report of a mapping's shards: checkpoint,
// owner and counters while a runner reads them, nothing once the stream
// is gone.
func TestShards(t *testing.T) {
	e := start(t, withRunner)
	src := e.stream(t, "src")
	e.function(t, "fn")
	var last string
	for i := range 3 {
		out, err := e.kin.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("src"),
			PartitionKey: aws.String("k"), Data: []byte(strconv.Itoa(i))})
		if err != nil {
			t.Fatal(err)
		}
		last = aws.ToString(out.SequenceNumber)
	}
	id := aws.ToString(e.create(t, "fn", src).UUID)
	var shards []mappings.ShardStatus
	testutil.Eventually(t, 30*time.Second, "the records delivered", func() bool {
		shards = e.shards(t, id)
		return len(shards) == 1 && shards[0].Checkpoint == last
	})
	if s := shards[0]; s.ShardID != "shardId-000000000000" || s.Owner == "" || s.Finished || s.IteratorAgeMilliseconds != 0 ||
		s.Stats.Records != 3 || s.Stats.Invocations < 1 || s.Stats.Errors != 0 {
		t.Fatalf("shard %+v", s)
	}
	got, err := e.lam.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(id)})
	if err != nil || aws.ToString(got.LastProcessingResult) != "OK" {
		t.Fatalf("get: %v %+v", err, got)
	}

	// A mapping whose stream was deleted has no shards to report.
	if _, err := e.kin.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("src")}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 30*time.Second, "no shards", func() bool {
		status, body := e.do(t, "GET", mappings.ShardsPath+"/"+id+"/shards", "")
		return status == 200 && body == `{"Shards":[]}`
	})
}

// TestStartingPositions: creating a LATEST or AT_TIMESTAMP mapping fixes
// where it starts before the call returns, however late a runner comes:
// records put earlier are not delivered, records put after are.
// TRIM_HORIZON delivers both.
func TestStartingPositions(t *testing.T) {
	e := startShared(t, apiOnly)
	src := e.stream(t, "src")
	put := func(n int) (last string) {
		t.Helper()
		for i := range n {
			out, err := e.kin.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("src"),
				PartitionKey: aws.String("k"), Data: []byte(strconv.Itoa(i))})
			if err != nil {
				t.Fatal(err)
			}
			last = aws.ToString(out.SequenceNumber)
		}
		return last
	}
	put(3)
	// AT_TIMESTAMP just after the old records arrived.
	it, err := e.kin.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("src"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := e.kin.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil || len(recs.Records) != 3 {
		t.Fatalf("get records: %v %+v", err, recs)
	}
	at := recs.Records[2].ApproximateArrivalTimestamp.Add(time.Millisecond)
	testutil.Eventually(t, time.Second, "the timestamp past", func() bool { return time.Now().After(at) })

	want := map[string]int64{} // UUID → records delivered
	for _, c := range []struct {
		fn  string
		pos ltypes.EventSourcePosition
		at  *time.Time
		n   int64
	}{
		{"trim", ltypes.EventSourcePositionTrimHorizon, nil, 5},
		{"latest", ltypes.EventSourcePositionLatest, nil, 2},
		{"at", ltypes.EventSourcePositionAtTimestamp, &at, 2},
	} {
		e.function(t, c.fn)
		out, err := e.lam.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String(c.fn),
			EventSourceArn: aws.String(src), StartingPosition: c.pos, StartingPositionTimestamp: c.at})
		if err != nil {
			t.Fatalf("%s: %v", c.fn, err)
		}
		want[aws.ToString(out.UUID)] = c.n
	}
	last := put(2)

	// Only now does a kinesin run the mappings.
	testutil.Start(t, sharedConfig(t, e.nats, withRunner))
	for id, n := range want {
		var shards []mappings.ShardStatus
		testutil.Eventually(t, 30*time.Second, "records delivered by "+id, func() bool {
			shards = e.shards(t, id)
			return len(shards) == 1 && shards[0].Checkpoint == last
		})
		if got := shards[0].Stats.Records; got != n {
			t.Errorf("mapping %s delivered %d records, want %d", id, got, n)
		}
	}
}

// TestServer runs create, get, list and update through the AWS CLI when it
// is installed.
func TestServer(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil || testing.Short() {
		t.Skip("no AWS CLI")
	}
	t.Parallel()
	e := start(t, withRunner)
	src := e.stream(t, "src")
	e.function(t, "fn2")
	cli := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command("aws", append([]string{"--endpoint-url", e.url, "--region", region, "--output", "json", "lambda"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_MAX_ATTEMPTS=1", "AWS_PAGER=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		var v map[string]any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		return v
	}
	created := cli("create-event-source-mapping", "--function-name", "fn2", "--event-source-arn", src,
		"--starting-position", "AT_TIMESTAMP", "--starting-position-timestamp", time.Now().Add(-time.Minute).UTC().Format(time.RFC3339),
		"--batch-size", "10", "--filter-criteria", `{"Filters":[{"Pattern":"{\"data\":{\"k\":[\"v\"]}}"}]}`)
	id := created["UUID"].(string)
	if created["State"] != "Creating" || created["BatchSize"] != 10.0 || created["StartingPosition"] != "AT_TIMESTAMP" {
		t.Fatalf("CLI create: %v", created)
	}
	e.await(t, id, "Enabled")
	got := cli("get-event-source-mapping", "--uuid", id)
	list := cli("list-event-source-mappings", "--function-name", "fn2")
	if got["State"] != "Enabled" || len(list["EventSourceMappings"].([]any)) != 1 {
		t.Fatalf("CLI get %v, list %v", got, list)
	}
	upd := cli("update-event-source-mapping", "--uuid", id, "--no-enabled")
	if upd["State"] != "Disabling" {
		t.Fatalf("CLI update: %v", upd)
	}
	e.await(t, id, "Disabled")
}
