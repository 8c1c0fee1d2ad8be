package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

func TestFirehosePutterBatches(t *testing.T) {
	for _, c := range []struct {
		name      string
		input     string
		records   []string
		wantCalls []int
	}{
		{name: "count limit", input: lines(1201, 10), wantCalls: []int{500, 500, 201}},
		// 600 KiB lines: 6 fit in 4 MiB with their newlines, the 7th does not.
		{name: "size limit", input: lines(10, 600<<10), wantCalls: []int{6, 4}},
		{name: "one line without newline", input: "only", wantCalls: []int{1}},
		{name: "empty input", input: "", wantCalls: nil},
		{name: "arguments", records: []string{"a", "b\nc"}, wantCalls: []int{2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeAPI{}
			p := newTestFirehosePutter(f)
			var err error
			if c.records != nil {
				p.records = c.records
				err = p.run(context.Background(), nil)
			} else {
				err = p.run(context.Background(), strings.NewReader(c.input))
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(f.calls) != fmt.Sprint(c.wantCalls) {
				t.Errorf("records per call = %v, want %v", f.calls, c.wantCalls)
			}
			for _, s := range f.sizes {
				if s > maxFirehoseBatchBytes {
					t.Errorf("a call of %d bytes", s)
				}
			}
			for data := range f.got {
				if !strings.HasSuffix(data, "\n") {
					t.Errorf("record %.20q lacks the delimiter", data)
				}
			}
			if c.records != nil && (f.got["a\n"] != 1 || f.got["b\nc\n"] != 1) {
				t.Errorf("stored %v", f.got)
			}
		})
	}
}

func TestFirehosePutterRecordTooLong(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"ok\n" + strings.Repeat("x", maxFirehoseRecordBytes+10) + "\n", "line 2 of standard input is longer than the 1,000 KiB record limit"},
		// Fits as a line, but not with its newline.
		{strings.Repeat("x", maxFirehoseRecordBytes) + "\n", "line 1 of standard input: a record of 1024001 bytes is over the 1,000 KiB limit"},
	} {
		p := newTestFirehosePutter(&fakeAPI{})
		if err := p.run(context.Background(), strings.NewReader(c.in)); err == nil || err.Error() != c.want {
			t.Errorf("err = %v, want %q", err, c.want)
		}
	}
}

// newFirehoseEnv is newEnv with the server's data directory, where the
// embedded S3 stand-in writes objects, and a Firehose client.
func newFirehoseEnv(t *testing.T) (*env, string, *firehose.Client) {
	t.Helper()
	e := newEnv(t)
	fc, err := newClient(clientConfig{Endpoint: e.url, Region: "us-east-1"}, firehose.NewFromConfig)
	if err != nil {
		t.Fatal(err)
	}
	return e, e.dir, fc
}

// delivered returns the lines of every object under s3/BUCKET/PREFIX of
// the data directory, sorted.
func delivered(dir, bucket, prefix string) []string {
	var got []string
	_ = filepath.WalkDir(filepath.Join(dir, "s3", bucket, prefix), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err == nil {
			got = append(got, strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")...)
		}
		return nil
	})
	slices.Sort(got)
	return got
}

// wantRows fails the test unless the describe output desc has every line.
func wantRows(t *testing.T, desc string, lines ...string) {
	t.Helper()
	for _, line := range lines {
		if !slices.Contains(rows(desc), line) {
			t.Errorf("describe lacks %q:\n%s", line, desc)
		}
	}
}

// TestFirehoseCommands drives ls, describe, put and rm against a server
// with a delivery stream created through the SDK, and finds what was put
// in objects under the data directory.
func TestFirehoseCommands(t *testing.T) {
	e, dir, fc := newFirehoseEnv(t)
	ctx := context.Background()

	if out, errw, err := e.run("", "firehose", "ls"); err != nil || out != "" || errw != "no delivery streams\n" {
		t.Fatalf("empty ls: %q %q %v", out, errw, err)
	}
	if _, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("clicks"),
		ExtendedS3DestinationConfiguration: &ftypes.ExtendedS3DestinationConfiguration{
			BucketARN:         aws.String("arn:aws:s3:::lake"),
			RoleARN:           aws.String("arn:aws:iam::000000000000:role/firehose"),
			Prefix:            aws.String("clicks/"),
			ErrorOutputPrefix: aws.String("errors/"),
			BufferingHints:    &ftypes.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(0)},
		},
	}); err != nil {
		t.Fatal(describeErr(err))
	}
	row := regexp.MustCompile(`^clicks ACTIVE DirectPut extended_s3 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
	checkFor(t, 10*time.Second, func() (bool, string) {
		out := e.must("", "firehose", "ls")
		r := rows(out)
		return len(r) == 2 && r[0] == "NAME STATUS TYPE DESTINATION CREATED" && row.MatchString(r[1]), out
	})

	wantRows(t, e.must("", "firehose", "describe", "clicks"),
		"Name: clicks",
		"ARN: arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks",
		"Status: ACTIVE",
		"Type: DirectPut",
		"Version: 1",
		"Destination: destinationId-000000000001 (extended_s3)",
		"Bucket: arn:aws:s3:::lake",
		"Prefix: clicks/",
		"Error prefix: errors/",
		"Buffering: 1 MiB or 0s, whichever comes first",
		"Compression: UNCOMPRESSED",
		"Processing: none",
		"Role: arn:aws:iam::000000000000:role/firehose",
	)
	var raw struct {
		DeliveryStreamDescription struct {
			DeliveryStreamName string
			Destinations       []map[string]any
		}
	}
	out := e.must("", "firehose", "describe", "clicks", "--json")
	if err := json.Unmarshal([]byte(out), &raw); err != nil || raw.DeliveryStreamDescription.DeliveryStreamName != "clicks" ||
		len(raw.DeliveryStreamDescription.Destinations) != 1 || !strings.HasPrefix(out, "{\n  \"DeliveryStreamDescription\": {") {
		t.Errorf("describe --json: %v\n%s", err, out)
	}

	// One record, several as arguments, and 1234 lines in 3 batches.
	out = e.must("", "firehose", "put", "clicks", "one")
	if strings.TrimSpace(out) == "" || strings.Count(out, "\n") != 1 {
		t.Errorf("put one printed %q, want the record id", out)
	}
	out = e.must("", "firehose", "put", "clicks", "two", "three")
	if !regexp.MustCompile(`^put 2 records \(10 B\) into clicks with 1 request, 0 retried, in .*\n$`).MatchString(out) {
		t.Errorf("put two: %q", out)
	}
	var in strings.Builder
	want := []string{"one", "three", "two"}
	for i := range 1234 {
		fmt.Fprintf(&in, "line %04d\n", i)
		want = append(want, fmt.Sprintf("line %04d", i))
	}
	slices.Sort(want)
	out = e.must(in.String(), "firehose", "put", "clicks")
	if !regexp.MustCompile(`^put 1234 records \(.*\) into clicks with 3 requests, 0 retried, in .*\n$`).MatchString(out) {
		t.Errorf("put stdin: %q", out)
	}
	// Firehose delivers at least once: a batch may arrive twice.
	checkFor(t, 30*time.Second, func() (bool, string) {
		got := delivered(dir, "lake", "clicks")
		distinct := slices.Compact(slices.Clone(got))
		return slices.Equal(distinct, want), fmt.Sprintf("%d distinct lines delivered (%d in all), want %d", len(distinct), len(got), len(want))
	})

	// Problems the server reports.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"describe", "nope"}, "DescribeDeliveryStream: ResourceNotFoundException"},
		{[]string{"put", "nope", "x"}, "PutRecord: ResourceNotFoundException"},
		{[]string{"rm", "nope"}, "DeleteDeliveryStream: ResourceNotFoundException"},
	} {
		if _, _, err := e.run("", append([]string{"firehose"}, c.args...)...); err == nil || !strings.Contains(describeErr(err), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}

	out = e.must("", "firehose", "rm", "clicks", "--wait")
	if out != "deleting delivery stream clicks\ndelivery stream clicks is deleted\n" {
		t.Errorf("rm printed %q", out)
	}
	if out, errw, err := e.run("", "firehose", "ls"); err != nil || out != "" || errw != "no delivery streams\n" {
		t.Errorf("ls after rm: %q %q %v", out, errw, err)
	}
}

// TestFirehoseApply applies a file with a delivery stream that reads a
// stream through the apply command, which builds the Firehose client, and
// describes it.
func TestFirehoseApply(t *testing.T) {
	e, _, _ := newFirehoseEnv(t)
	path := filepath.Join(t.TempDir(), "pipeline.yaml")
	src := `streams:
  - name: orders
delivery_streams:
  - name: orders-to-lake
    source: orders
    extended_s3:
      BucketARN: arn:aws:s3:::lake
      RoleARN: arn:aws:iam::000000000000:role/firehose
      CompressionFormat: GZIP
      ProcessingConfiguration:
        Enabled: true
        Processors:
          - Type: AppendDelimiterToRecord
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := e.must("", "apply", "-f", path)
	want := "stream orders: created (provisioned, 1 shard)\n" +
		"delivery stream orders-to-lake: created (orders → extended_s3 arn:aws:s3:::lake)\n" +
		"delivery stream orders-to-lake: ACTIVE\n2 resources changed\n"
	if out != want {
		t.Errorf("apply:\n%s\nwant:\n%s", out, want)
	}
	if out := e.must("", "apply", "-f", path); out != "stream orders: unchanged\ndelivery stream orders-to-lake: unchanged\nno changes\n" {
		t.Errorf("second apply:\n%s", out)
	}
	wantRows(t, e.must("", "firehose", "describe", "orders-to-lake"),
		"Type: KinesisStreamAsSource",
		"Source: orders (arn:aws:kinesis:us-east-1:000000000000:stream/orders)",
		"Prefix: none (YYYY/MM/dd/HH/)",
		"Buffering: 5 MiB or 300s, whichever comes first",
		"Compression: GZIP",
		"Processing: enabled: AppendDelimiterToRecord",
	)
	if r := rows(e.must("", "firehose", "ls")); len(r) != 2 || !strings.HasPrefix(r[1], "orders-to-lake ACTIVE KinesisStreamAsSource extended_s3 ") {
		t.Errorf("ls: %q", r)
	}
}
