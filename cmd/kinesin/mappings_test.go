package main

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kinesin/kinesin/triggers/mappings"
	"github.com/kinesin/kinesin/triggers/reader"
)

func TestSecondsFlag(t *testing.T) {
	for _, c := range []struct {
		in        string
		unlimited bool
		want      int32
		err       bool
	}{
		{"0", false, 0, false},
		{"30", false, 30, false},
		{"30s", false, 30, false},
		{"5m", false, 300, false},
		{"1h30m", false, 5400, false},
		{"1.5s", false, 0, true},
		{"-1", false, 0, true},
		{"-1", true, -1, false},
		{"unlimited", true, -1, false},
		{"-5s", true, 0, true},
		{"soon", false, 0, true},
	} {
		s := secondsFlag{unlimited: c.unlimited}
		err := s.Set(c.in)
		switch {
		case c.err && err == nil:
			t.Errorf("Set(%q) = %d, want an error", c.in, s.v)
		case !c.err && err != nil:
			t.Errorf("Set(%q): %v", c.in, err)
		case !c.err && s.v != c.want:
			t.Errorf("Set(%q) = %d, want %d", c.in, s.v, c.want)
		}
	}
}

func TestStartingPosition(t *testing.T) {
	for in, want := range map[string]string{
		"TRIM_HORIZON": "TRIM_HORIZON", "trim-horizon": "TRIM_HORIZON", "latest": "LATEST", "at_timestamp": "AT_TIMESTAMP",
		"beginning": "",
	} {
		got, err := parseStartingPosition(in)
		if string(got) != want || (err != nil) != (want == "") {
			t.Errorf("parseStartingPosition(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]string{
		"2025-05-01T08:00:00Z":      "2025-05-01T08:00:00Z",
		"2025-05-01T08:00:00+02:00": "2025-05-01T06:00:00Z",
		"2025-05-01":                "2025-05-01T00:00:00Z",
		"90m":                       "2025-06-01T10:30:00Z",
		"yesterday":                 "",
		"-1h":                       "",
	} {
		got, err := parseStartingTimestamp(in, now)
		if (err != nil) != (want == "") || (err == nil && got.UTC().Format(time.RFC3339) != want) {
			t.Errorf("parseStartingTimestamp(%q) = %v, %v; want %q", in, got, err, want)
		}
	}
}

func TestMappingNames(t *testing.T) {
	const stream = "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
	const consumer = stream + "/consumer/app:1700000000"
	for arn, want := range map[string]string{
		stream:                      "orders",
		consumer:                    "orders (consumer app)",
		"arn:aws:sqs:us-east-1:0:q": "arn:aws:sqs:us-east-1:0:q",
	} {
		if got := sourceName(arn); got != want {
			t.Errorf("sourceName(%q) = %q, want %q", arn, got, want)
		}
	}
	if !sameSource(stream, "orders") || !sameSource(consumer, "orders") || !sameSource(stream, stream) ||
		sameSource(stream, "order") || sameSource(consumer, stream) {
		t.Error("sameSource")
	}
	const fn = "arn:aws:lambda:us-east-1:000000000000:function:enrich"
	if !sameFunction(fn, "enrich") || !sameFunction(fn+":live", "enrich:live") || !sameFunction(fn, fn) ||
		sameFunction(fn+":live", "enrich") || sameFunction(fn, "enrich:live") || sameFunction(fn, fn+":live") {
		t.Error("sameFunction")
	}
}

func TestPrintShards(t *testing.T) {
	var b bytes.Buffer
	err := printShards(&b, []mappings.ShardStatus{
		{ShardID: "shardId-000000000000", Checkpoint: "49650000000000000000000000001", Finished: true,
			Stats: reader.Stats{Records: 10, Invocations: 3, Errors: 1, Retried: 4, Filtered: 2}},
		{ShardID: "shardId-000000000001", Owner: "host-12-ab", IteratorAgeMilliseconds: 1500,
			Stats: reader.Stats{Records: 5, Invocations: 1, Throttles: 2, Dropped: 1, OnFailure: 1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"SHARD CHECKPOINT FINISHED OWNER ITERATOR AGE RECORDS INVOCATIONS ERRORS THROTTLES RETRIED FILTERED DROPPED ON-FAILURE",
		"shardId-000000000000 49650000000000000000000000001 yes - 0s 10 3 1 0 4 2 0 0",
		"shardId-000000000001 - no host-12-ab 1.5s 5 1 0 2 0 0 1 1",
		"TOTAL (2 shards) 1/2 1.5s 15 4 1 2 4 2 1 1",
	}
	if got := rows(b.String()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", b.String(), strings.Join(want, "\n"))
	}
	b.Reset()
	if err := printShards(&b, nil); err != nil || b.String() != "no shards read yet\n" {
		t.Errorf("no shards: %q %v", b.String(), err)
	}
}

// TestMappingsCommands drives create, ls, describe and rm against a server
// with the API and the runner, with a Lambda-runtime function that
// answers KinesisEvents.
func TestMappingsCommands(t *testing.T) {
	e := newEnv(t)
	e.must("", "streams", "create", "orders", "--shards", "2", "--wait")
	e.must("", "streams", "create", "failed", "--wait")
	e.must("", "functions", "deploy", "echo", "../../examples/functions/lambda-noop", "--runtime", "provided.al2023")

	if out, errw, err := e.run("", "mappings", "ls"); err != nil || out != "" || errw != "no event source mappings\n" {
		t.Fatalf("empty ls: %q %q %v", out, errw, err)
	}
	out, errw, err := e.run("", "mappings", "create", "--function", "echo", "--stream", "orders", "--batch-size", "10",
		"--batching-window", "1s", "--retries", "3", "--max-record-age", "1h", "--bisect", "--report-batch-item-failures",
		"--filter", `{"data":{"type":["order"]}}`, "--on-failure", "failed", "--wait")
	if err != nil {
		t.Fatalf("create: %v\n%s", describeErr(err), errw)
	}
	m := regexp.MustCompile(`^([0-9a-f-]{36})\tEnabled\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("create printed %q", out)
	}
	uuid := m[1]
	if want := "created mapping " + uuid + ": orders → echo (TRIM_HORIZON)\n"; errw != want {
		t.Errorf("create said %q, want %q", errw, want)
	}

	want := []string{"UUID FUNCTION SOURCE STATE LAST RESULT BATCH SIZE", uuid + " echo orders Enabled No records processed 10"}
	if got := rows(e.must("", "mappings", "ls")); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ls:\n%s", strings.Join(got, "\n"))
	}
	for _, filter := range [][]string{{"--function", "echo"}, {"--stream", "orders"}, {"--stream", "arn:aws:kinesis:us-east-1:000000000000:stream/orders"}} {
		if got := rows(e.must("", append([]string{"mappings", "ls"}, filter...)...)); len(got) != 2 {
			t.Errorf("ls %v: %q", filter, got)
		}
	}
	for _, filter := range [][]string{{"--function", "other"}, {"--stream", "failed"}, {"--function", "echo:live"}} {
		if out, errw, err := e.run("", append([]string{"mappings", "ls"}, filter...)...); err != nil || out != "" || errw != "no event source mappings\n" {
			t.Errorf("ls %v: %q %q %v", filter, out, errw, err)
		}
	}

	desc := e.must("", "mappings", "describe", uuid)
	for _, line := range []string{
		"UUID: " + uuid,
		"Function: arn:aws:lambda:us-east-1:000000000000:function:echo",
		"Source: arn:aws:kinesis:us-east-1:000000000000:stream/orders",
		"Starting position: TRIM_HORIZON",
		"Batch size: 10",
		"Batching window: 1s",
		"Parallelization: 1",
		"Retries: 3",
		"Max record age: 1h0m0s",
		"Bisect on error: true",
		"Batch item failures: reported by the function",
		"Tumbling window: none",
		`Filter 1: {"data":{"type":["order"]}}`,
		"On failure: arn:aws:kinesis:us-east-1:000000000000:stream/failed",
	} {
		if !strings.Contains(strings.Join(rows(desc), "\n"), line) {
			t.Errorf("describe lacks %q:\n%s", line, desc)
		}
	}

	// Two records pass the filter and reach the function; one is skipped.
	for _, data := range []string{`{"type":"order","n":1}`, `{"type":"refund"}`, `{"type":"order","n":2}`} {
		if _, err := e.kc.PutRecord(context.Background(), &kinesis.PutRecordInput{
			StreamName: aws.String("orders"), PartitionKey: aws.String("k"), Data: []byte(data),
		}); err != nil {
			t.Fatal(err)
		}
	}
	total := regexp.MustCompile(`(?m)^TOTAL \(2 shards\) 0/2 \S+ 2 [12] 0 0 0 1 0 0$`)
	shard := regexp.MustCompile(`(?m)^shardId-00000000000[01] \d+ no \S+ \S+ 2 [12] 0 0 0 1 0 0$`)
	checkFor(t, 30*time.Second, func() (bool, string) {
		out := strings.Join(rows(e.must("", "mappings", "describe", uuid)), "\n")
		return total.MatchString(out) && shard.MatchString(out) && strings.Contains(out, "Last result: OK"), out
	})

	// Lambda keeps one mapping per function and stream.
	if _, _, err := e.run("", "mappings", "create", "--function", "echo", "--stream", "orders"); err == nil ||
		!strings.Contains(describeErr(err), "CreateEventSourceMapping: ResourceConflictException: ") {
		t.Errorf("second create: %v", err)
	}
	// Problems the CLI or the server catch.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--function", "echo"}, "at least one of the flags in the group [stream source-arn] is required"},
		{[]string{"--function", "echo", "--stream", "orders", "--source-arn", "arn:aws:kinesis:us-east-1:000000000000:stream/orders"}, "were all set"},
		{[]string{"--function", "echo", "--stream", "missing"}, "stream missing: DescribeStreamSummary: ResourceNotFoundException"},
		{[]string{"--function", "echo", "--stream", "failed", "--starting-position", "AT_TIMESTAMP"}, "--starting-position AT_TIMESTAMP needs --starting-timestamp"},
		{[]string{"--function", "echo", "--stream", "failed", "--starting-position", "latest", "--starting-timestamp", "1h"}, "--starting-timestamp goes with --starting-position AT_TIMESTAMP, not LATEST"},
		{[]string{"--function", "echo", "--stream", "failed", "--batching-window", "1.5s"}, `invalid argument "1.5s" for "--batching-window" flag: must be whole seconds`},
		{[]string{"--function", "nope", "--stream", "failed"}, "InvalidParameterValueException"},
		{[]string{"--function", "echo", "--stream", "failed", "--filter", `{"data":`}, "InvalidParameterValueException: Invalid filter pattern definition."},
		{[]string{"--function", "echo", "--stream", "failed", "--max-record-age", "30"}, "InvalidParameterValueException: MaximumRecordAgeInSeconds must be either -1"},
	} {
		_, _, err := e.run("", append([]string{"mappings", "create"}, c.args...)...)
		if err == nil || !strings.Contains(describeErr(err), c.want) {
			t.Errorf("create %v: %v, want %q", c.args, err, c.want)
		}
	}

	// A second mapping, disabled, read from a timestamp.
	out = e.must("", "mappings", "create", "--function", "echo", "--stream", "failed", "--starting-timestamp", "1h", "--disabled", "--wait")
	if !strings.HasSuffix(out, "\tDisabled\n") {
		t.Errorf("create --disabled printed %q", out)
	}
	uuid2 := strings.Fields(out)[0]
	if desc := e.must("", "mappings", "describe", uuid2); !regexp.MustCompile(`Starting position:\s+AT_TIMESTAMP \d{4}-`).MatchString(desc) {
		t.Errorf("describe:\n%s", desc)
	}

	if _, _, err := e.run("", "mappings", "rm"); err == nil || !strings.Contains(err.Error(), "give the mapping's UUID, or --function and --stream") {
		t.Errorf("rm without a mapping: %v", err)
	}
	if _, _, err := e.run("", "mappings", "rm", "--function", "echo", "--stream", "clicks"); err == nil ||
		err.Error() != "no event source mapping of function echo on stream clicks" {
		t.Errorf("rm of a missing mapping: %v", err)
	}
	if _, _, err := e.run("", "mappings", "describe", "00000000-0000-0000-0000-000000000000"); err == nil ||
		!strings.Contains(describeErr(err), "ResourceNotFoundException") {
		t.Errorf("describe of a missing mapping: %v", err)
	}
	out = e.must("", "mappings", "rm", "--function", "echo", "--stream", "orders")
	if out != fmt.Sprintf("deleting mapping %s (orders → echo)\n", uuid) {
		t.Errorf("rm printed %q", out)
	}
	out = e.must("", "mappings", "rm", uuid2, "--wait")
	if out != fmt.Sprintf("deleting mapping %s (failed → echo)\nmapping %s is deleted\n", uuid2, uuid2) {
		t.Errorf("rm --wait printed %q", out)
	}
	checkFor(t, 30*time.Second, func() (bool, string) {
		out, errw, err := e.run("", "mappings", "ls")
		return err == nil && out == "", out + errw
	})
}
