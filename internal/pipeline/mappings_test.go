package pipeline

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// renderMappings prints the mappings of a parse result for the golden
// files of testdata/parse.
func renderMappings(b *bytes.Buffer, ms []Mapping) {
	for _, m := range ms {
		ts := "-"
		if !m.StartingTimestamp.IsZero() {
			ts = m.StartingTimestamp.UTC().Format(time.RFC3339Nano)
		}
		fmt.Fprintf(b, "mapping %q line=%d function=%q stream=%q source_arn=%q starting_position=%s starting_timestamp=%s "+
			"batch_size=%d batching_window_seconds=%d parallelization_factor=%d maximum_retry_attempts=%d "+
			"maximum_record_age_seconds=%d bisect_on_error=%t report_batch_item_failures=%t tumbling_window_seconds=%d "+
			"filters=%q on_failure=%q enabled=%t\n",
			m.Name(), m.Line, m.Function, m.Stream, m.SourceARN, m.StartingPosition, ts,
			m.BatchSize, m.BatchingWindowSeconds, m.ParallelizationFactor, m.MaximumRetryAttempts,
			m.MaximumRecordAgeSeconds, m.BisectOnError, m.ReportBatchItemFailures, m.TumblingWindowSeconds,
			m.Filters, m.OnFailure, m.Enabled)
		if m.VideoStream != "" {
			fmt.Fprintf(b, "  video_stream=%q\n", m.VideoStream)
		}
		if m.Filters == nil {
			b.WriteString("BUG: nil Filters\n")
		}
	}
}

func TestParseTimestamp(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // RFC 3339 in UTC, "" for an error
	}{
		{"2025-01-31T08:00:00Z", "2025-01-31T08:00:00Z"},
		{"2025-01-31T08:00:00.5+01:00", "2025-01-31T07:00:00.5Z"},
		{"2025-01-31 08:00:00Z", "2025-01-31T08:00:00Z"},
		{"2025-01-31", "2025-01-31T00:00:00Z"},
		{"2025-01-31T08:00:00", ""},
		{"yesterday", ""},
		{"1700000000", ""},
	} {
		got, err := parseTimestamp(c.in)
		switch {
		case c.want == "" && err == nil:
			t.Errorf("parseTimestamp(%q) = %v, want an error", c.in, got)
		case c.want != "" && err != nil:
			t.Errorf("parseTimestamp(%q): %v", c.in, err)
		case c.want != "" && got.UTC().Format(time.RFC3339Nano) != c.want:
			t.Errorf("parseTimestamp(%q) = %v, want %s", c.in, got.UTC(), c.want)
		}
	}
}

func TestFunctionOf(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:lambda:us-east-1:000000000000:function:enrich":      "enrich",
		"arn:aws:lambda:us-east-1:000000000000:function:enrich:live": "enrich:live",
		"arn:aws:lambda:us-east-1:000000000000:function:enrich:7":    "enrich:7",
		"enrich":      "enrich",
		"enrich:live": "enrich:live",
	} {
		if got := FunctionOf(in); got != want {
			t.Errorf("FunctionOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestVideoMappingFilters: a video stream source's filters name the
// fragment event record's keys, which a Kinesis source's may not.
func TestVideoMappingFilters(t *testing.T) {
	pattern := `'{"kinesisVideo":{"fragmentSizeInBytes":[{"numeric":[">",0]}]}}'`
	src := "event_source_mappings:\n  - function: f\n    video_stream: cam\n    filters:\n      - " + pattern + "\n"
	if _, err := Parse("p.yaml", []byte(src)); err != nil {
		t.Fatalf("video mapping refused: %v", err)
	}
	src = "event_source_mappings:\n  - function: f\n    stream: s\n    filters:\n      - " + pattern + "\n"
	_, err := Parse("p.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "p.yaml:5: event_source_mappings[0].filters[0]: invalid filter pattern for a Kinesis stream source") {
		t.Fatalf("Kinesis mapping with a record pattern: %v", err)
	}
}

// TestFilterChecks pins that the file is checked by the runner's filter
// compiler, with messages that say what is wrong.
func TestFilterChecks(t *testing.T) {
	src := "event_source_mappings:\n  - function: f\n    stream: s\n    filters:\n" +
		"      - '{\"data\":{\"type\":[\"order\"]}}'\n" +
		"      - 'cel:data.amount > 100'\n" +
		"      - '{\"data\":'\n" +
		"      - 'cel:data.amount >'\n" +
		"      - '{\"meta\":{\"a\":[1]}}'\n" +
		"      - '" + strings.Repeat("x", 4097) + "'\n"
	_, err := Parse("p.yaml", []byte(src))
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{
		"p.yaml:5: event_source_mappings[0].filters: must have at most 5 items",
		"p.yaml:7: event_source_mappings[0].filters[2]: invalid filter pattern: ",
		"p.yaml:8: event_source_mappings[0].filters[3]: invalid filter pattern: ",
		"p.yaml:9: event_source_mappings[0].filters[4]: invalid filter pattern for a Kinesis stream source: ",
		"p.yaml:10: event_source_mappings[0].filters[5]: must be at most 4096 characters long",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("error %d = %q, want it to start with %q", i, lines[i], w)
		}
	}
}

// TestUpdateMappingInput: only the fields that differ are sent, each with
// one line in the file's words; removing filters and the destination sends
// the empty values that remove them.
func TestUpdateMappingInput(t *testing.T) {
	const dest = "arn:aws:kinesis:us-east-1:000000000000:stream/failed"
	cur := &ltypes.EventSourceMappingConfiguration{
		UUID: aws.String("u"), State: aws.String(stateEnabled),
		BatchSize: aws.Int32(100), MaximumBatchingWindowInSeconds: aws.Int32(0), ParallelizationFactor: aws.Int32(1),
		MaximumRetryAttempts: aws.Int32(-1), MaximumRecordAgeInSeconds: aws.Int32(-1), TumblingWindowInSeconds: aws.Int32(0),
		BisectBatchOnFunctionError: aws.Bool(false),
		FunctionResponseTypes:      []ltypes.FunctionResponseType{ltypes.FunctionResponseTypeReportBatchItemFailures},
		FilterCriteria:             &ltypes.FilterCriteria{Filters: []ltypes.Filter{{Pattern: aws.String("{}")}}},
		DestinationConfig:          &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(dest)}},
	}
	same := Mapping{BatchSize: 100, ParallelizationFactor: 1, MaximumRetryAttempts: -1, MaximumRecordAgeSeconds: -1,
		ReportBatchItemFailures: true, Filters: []string{"{}"}, OnFailure: dest, Enabled: true}
	if in, diffs := updateMappingInput(&same, cur, dest); len(diffs) != 0 || in.BatchSize != nil || in.FilterCriteria != nil || in.Enabled != nil {
		t.Errorf("no change: %q %+v", diffs, in)
	}

	m := Mapping{BatchSize: 10, ParallelizationFactor: 1, MaximumRetryAttempts: 3, MaximumRecordAgeSeconds: -1,
		BisectOnError: true, Filters: []string{}, Enabled: false}
	in, diffs := updateMappingInput(&m, cur, "")
	want := []string{
		"batch_size 100 → 10",
		"maximum_retry_attempts -1 → 3",
		"bisect_on_error false → true",
		"report_batch_item_failures true → false",
		`filters ["{}"] → none`,
		"on_failure " + dest + " → none",
		"enabled true → false",
	}
	if strings.Join(diffs, "\n") != strings.Join(want, "\n") {
		t.Errorf("diffs:\n%s\nwant:\n%s", strings.Join(diffs, "\n"), strings.Join(want, "\n"))
	}
	switch {
	case aws.ToInt32(in.BatchSize) != 10, aws.ToInt32(in.MaximumRetryAttempts) != 3, !aws.ToBool(in.BisectBatchOnFunctionError),
		in.ParallelizationFactor != nil, in.MaximumRecordAgeInSeconds != nil,
		in.FunctionResponseTypes == nil || len(in.FunctionResponseTypes) != 0,
		in.FilterCriteria == nil || in.FilterCriteria.Filters == nil || len(in.FilterCriteria.Filters) != 0,
		in.DestinationConfig == nil || in.DestinationConfig.OnFailure == nil || in.DestinationConfig.OnFailure.Destination != nil,
		in.Enabled == nil || *in.Enabled:
		t.Errorf("update input: %+v", in)
	}
}
