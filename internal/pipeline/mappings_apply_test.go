package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/kinesin/kinesin/internal/pipeline"
	"github.com/kinesin/kinesin/internal/testutil"
)

// TestApplyMappings applies a file with a stream, a function and a mapping
// between them, then changes every setting of the mapping and back, and
// checks that each apply logs exactly the differences, that applying again
// changes nothing, and that records put on the stream reach the function.
func TestApplyMappings(t *testing.T) {
	c := startServer(t)
	ctx := context.Background()
	dir := t.TempDir()
	// lambda-noop answers a KinesisEvent with batchItemFailures; built once
	// so that every apply finds the same code.
	code, err := pipeline.Package(ctx, "../../examples/functions/lambda-noop", "provided.al2023", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "echo.zip"), code, 0o644); err != nil {
		t.Fatal(err)
	}
	const head = `streams:
  - name: orders
  - name: failed
functions:
  - name: echo
    runtime: provided.al2023
    path: echo.zip
`
	v1 := head + `event_source_mappings:
  - function: echo
    stream: orders
`
	lines := apply(t, c, dir, v1)
	if len(lines) != 5 {
		t.Fatalf("apply logged:\n%s", strings.Join(lines, "\n"))
	}
	created := regexp.MustCompile(`^mapping orders → echo: created \(UUID ([0-9a-f-]{36}), TRIM_HORIZON\)$`).FindStringSubmatch(lines[3])
	if created == nil || lines[4] != "4 resources changed" {
		t.Fatalf("apply logged:\n%s", strings.Join(lines, "\n"))
	}
	uuid := created[1]
	unchanged := []string{"stream orders: unchanged", "stream failed: unchanged", "function echo: unchanged", "mapping orders → echo: unchanged", "no changes"}
	wantLines(t, apply(t, c, dir, v1), unchanged...)

	// The mapping runs: a record put now reaches the function.
	if _, err := c.Kinesis.PutRecord(ctx, &kinesis.PutRecordInput{
		StreamName: aws.String("orders"), PartitionKey: aws.String("k"), Data: []byte(`{"type":"order"}`),
	}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 30*time.Second, "LastProcessingResult OK", func() bool {
		return get(t, c, uuid).LastProcessingResult != nil && *get(t, c, uuid).LastProcessingResult == "OK"
	})

	v2 := head + `event_source_mappings:
  - function: echo
    stream: orders
    batch_size: 10
    batching_window_seconds: 1
    parallelization_factor: 2
    maximum_retry_attempts: 3
    maximum_record_age_seconds: 3600
    bisect_on_error: true
    report_batch_item_failures: true
    tumbling_window_seconds: 60
    filters:
      - '{"data":{"type":["order"]}}'
      - 'cel:data.amount > 100'
    on_failure: failed
    enabled: false
`
	wantLines(t, apply(t, c, dir, v2),
		"stream orders: unchanged", "stream failed: unchanged", "function echo: unchanged",
		"mapping orders → echo: batch_size 100 → 10",
		"mapping orders → echo: batching_window_seconds 0 → 1",
		"mapping orders → echo: parallelization_factor 1 → 2",
		"mapping orders → echo: maximum_retry_attempts -1 → 3",
		"mapping orders → echo: maximum_record_age_seconds -1 → 3600",
		"mapping orders → echo: tumbling_window_seconds 0 → 60",
		"mapping orders → echo: bisect_on_error false → true",
		"mapping orders → echo: report_batch_item_failures false → true",
		`mapping orders → echo: filters none → ["{\"data\":{\"type\":[\"order\"]}}", "cel:data.amount > 100"]`,
		"mapping orders → echo: on_failure none → arn:aws:kinesis:us-east-1:000000000000:stream/failed",
		"mapping orders → echo: enabled true → false",
		"1 resource changed")
	wantLines(t, apply(t, c, dir, v2), unchanged...)
	m := get(t, c, uuid)
	if aws.ToString(m.State) != "Disabled" || aws.ToInt32(m.BatchSize) != 10 || m.FilterCriteria == nil || len(m.FilterCriteria.Filters) != 2 ||
		aws.ToString(m.DestinationConfig.OnFailure.Destination) != "arn:aws:kinesis:us-east-1:000000000000:stream/failed" {
		t.Errorf("mapping after apply: %+v", m)
	}

	// Back to the defaults: filters and destination are removed.
	wantLines(t, apply(t, c, dir, v1),
		"stream orders: unchanged", "stream failed: unchanged", "function echo: unchanged",
		"mapping orders → echo: batch_size 10 → 100",
		"mapping orders → echo: batching_window_seconds 1 → 0",
		"mapping orders → echo: parallelization_factor 2 → 1",
		"mapping orders → echo: maximum_retry_attempts 3 → -1",
		"mapping orders → echo: maximum_record_age_seconds 3600 → -1",
		"mapping orders → echo: tumbling_window_seconds 60 → 0",
		"mapping orders → echo: bisect_on_error true → false",
		"mapping orders → echo: report_batch_item_failures true → false",
		`mapping orders → echo: filters ["{\"data\":{\"type\":[\"order\"]}}", "cel:data.amount > 100"] → none`,
		"mapping orders → echo: on_failure arn:aws:kinesis:us-east-1:000000000000:stream/failed → none",
		"mapping orders → echo: enabled false → true",
		"1 resource changed")
	wantLines(t, apply(t, c, dir, v1), unchanged...)
	if m := get(t, c, uuid); aws.ToString(m.State) != "Enabled" || m.FilterCriteria != nil {
		t.Errorf("mapping after apply: %+v", m)
	}

	// The starting position cannot change: apply says so and stops.
	v3 := strings.Replace(v1, "stream: orders\n", "stream: orders\n    starting_position: LATEST\n", 1)
	if err := os.WriteFile(filepath.Join(dir, "pipeline.yaml"), []byte(v3), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := pipeline.Load(filepath.Join(dir, "pipeline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	err = f.Apply(ctx, c, nil)
	want := "pipeline: mapping orders → echo: starting_position is LATEST in the file but TRIM_HORIZON for the existing mapping " + uuid +
		", and a mapping's starting position cannot change: keep TRIM_HORIZON in the file, or delete the mapping (kinesin mappings rm " + uuid + ") and apply again"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("apply with another starting position: %v\nwant: %s…", err, want)
	}

	// Deleted behind apply's back: apply creates it again.
	if _, err := c.Lambda.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(uuid)}); err != nil {
		t.Fatal(err)
	}
	lines = apply(t, c, dir, v1)
	if len(lines) != 5 || !strings.HasPrefix(lines[3], "mapping orders → echo: created (UUID ") || strings.Contains(lines[3], uuid) {
		t.Errorf("apply after delete logged:\n%s", strings.Join(lines, "\n"))
	}
}

// TestApplyMappingErrors: a mapping whose stream or function is missing
// fails with a message that names it.
func TestApplyMappingErrors(t *testing.T) {
	c := startServer(t)
	dir := t.TempDir()
	for _, tc := range []struct{ src, want string }{
		{"event_source_mappings:\n  - function: nope\n    stream: missing\n",
			"pipeline: mapping missing → nope: stream missing: the stream does not exist (declare it under streams: or create it first)"},
		{"streams:\n  - name: s\nevent_source_mappings:\n  - function: nope\n    stream: s\n    on_failure: gone\n",
			"pipeline: mapping s → nope: on_failure gone: the stream does not exist (declare it under streams: or create it first)"},
		{"streams:\n  - name: s\nevent_source_mappings:\n  - function: nope\n    stream: s\n",
			"pipeline: mapping s → nope: operation error Lambda: CreateEventSourceMapping"},
	} {
		path := filepath.Join(dir, "pipeline.yaml")
		if err := os.WriteFile(path, []byte(tc.src), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := pipeline.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err = f.Apply(ctx, c, nil)
		cancel()
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("apply:\n%s\ngot  %v\nwant %s…", tc.src, err, tc.want)
		}
	}
}

func get(t *testing.T, c pipeline.Clients, uuid string) *ltypes.EventSourceMappingConfiguration {
	t.Helper()
	out, err := c.Lambda.GetEventSourceMapping(context.Background(), &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	if err != nil {
		t.Fatal(err)
	}
	return &ltypes.EventSourceMappingConfiguration{
		UUID: out.UUID, State: out.State, BatchSize: out.BatchSize, FilterCriteria: out.FilterCriteria,
		DestinationConfig: out.DestinationConfig, LastProcessingResult: out.LastProcessingResult,
	}
}
