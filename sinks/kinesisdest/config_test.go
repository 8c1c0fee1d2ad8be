package kinesisdest

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kinesin/kinesin/internal/awserr"
)

const s3cfg = `{"BucketARN":"arn:aws:s3:::b","RoleARN":"arn:aws:iam::000000000000:role/r"}`

func parse(t *testing.T, s string) Config {
	t.Helper()
	var c Config
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name, cfg, want string // want: "" valid, else a piece of the message
	}{
		{"minimal", `{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/out","S3Configuration":` + s3cfg + `}`, ""},
		{"full", `{"KinesisStreamARN":"arn:aws:kinesis:eu-west-1:123456789012:stream/a.b-c_d","PartitionKey":"k","BufferingHints":{"SizeInMBs":5,"IntervalInSeconds":900},
			"RetryOptions":{"DurationInSeconds":7200},"RoleARN":"arn:aws:iam::000000000000:role/r","S3BackupMode":"AllData","S3Configuration":` + s3cfg + `}`, ""},
		{"no stream", `{"S3Configuration":` + s3cfg + `}`, "Value null at 'kinesisStreamDestinationConfiguration.kinesisStreamARN' failed to satisfy constraint: Member must not be null"},
		{"no s3", `{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/out"}`, "Value null at 'kinesisStreamDestinationConfiguration.s3Configuration'"},
		{"null s3", `{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/out","S3Configuration":null}`, "s3Configuration' failed to satisfy constraint: Member must not be null"},
		{"not a stream ARN", `{"KinesisStreamARN":"arn:aws:s3:::b","S3Configuration":` + s3cfg + `}`, "Value 'arn:aws:s3:::b' at 'kinesisStreamDestinationConfiguration.kinesisStreamARN' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"empty key", `{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/out","PartitionKey":"","S3Configuration":` + s3cfg + `}`, "partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"long key", `{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/out","PartitionKey":"` + strings.Repeat("k", 257) + `","S3Configuration":` + s3cfg + `}`, "Member must have length less than or equal to 256"},
		{"size 0", `{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/out","BufferingHints":{"SizeInMBs":0},"S3Configuration":` + s3cfg + `}`, "Value '0' at 'kinesisStreamDestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"size 6", `{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/out","BufferingHints":{"SizeInMBs":6},"S3Configuration":` + s3cfg + `}`, "Member must have value less than or equal to 5"},
		{"interval 901", `{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/out","BufferingHints":{"IntervalInSeconds":901},"S3Configuration":` + s3cfg + `}`, "bufferingHints.intervalInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{"retry 7201", `{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/out","RetryOptions":{"DurationInSeconds":7201},"S3Configuration":` + s3cfg + `}`, "retryOptions.durationInSeconds' failed to satisfy constraint: Member must have value less than or equal to 7200"},
		{"bad role", `{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/out","RoleARN":"role","S3Configuration":` + s3cfg + `}`, "roleARN' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"bad mode", `{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/out","S3BackupMode":"Enabled","S3Configuration":` + s3cfg + `}`, "Value 'Enabled' at 'kinesisStreamDestinationConfiguration.s3BackupMode' failed to satisfy constraint: Member must satisfy enum value set: [FailedDataOnly, AllData]"},
		{"two problems", `{"BufferingHints":{"SizeInMBs":9},"S3Configuration":` + s3cfg + `}`, "2 validation errors detected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := parse(t, tc.cfg)
			err := c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Kind != awserr.Validation || !strings.Contains(ae.Message, tc.want) {
				t.Fatalf("want ValidationException with %q, got %v", tc.want, err)
			}
		})
	}
}

func TestDefaultsDescribeBuffering(t *testing.T) {
	c := parse(t, `{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/out","S3Configuration":`+s3cfg+`,"ProcessingConfiguration":{"Enabled":false}}`)
	if s, i := c.Buffering(); s != 1 || i != 0 {
		t.Fatalf("Buffering %d %d", s, i)
	}
	b, _ := json.Marshal(c.Describe())
	want := `{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/out","BufferingHints":{"SizeInMBs":1,"IntervalInSeconds":0},"RetryOptions":{"DurationInSeconds":300},"S3BackupMode":"FailedDataOnly"}`
	if string(b) != want {
		t.Fatalf("Describe\n got %s\nwant %s", b, want)
	}
	c.Defaults()
	b, _ = json.Marshal(c)
	want = `{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/out","BufferingHints":{"SizeInMBs":1,"IntervalInSeconds":0},"RetryOptions":{"DurationInSeconds":300},"S3BackupMode":"FailedDataOnly","S3Configuration":` + s3cfg + `,"ProcessingConfiguration":{"Enabled":false}}`
	if string(b) != want {
		t.Fatalf("Defaults\n got %s\nwant %s", b, want)
	}
	c = parse(t, `{"PartitionKey":"k","BufferingHints":{"SizeInMBs":3,"IntervalInSeconds":60}}`)
	if s, i := c.Buffering(); s != 3 || i != 60 {
		t.Fatalf("Buffering %d %d", s, i)
	}
	if d := c.Describe(); *d.PartitionKey != "k" || *d.BufferingHints.SizeInMBs != 3 {
		t.Fatalf("Describe %+v", d)
	}
}

func TestApply(t *testing.T) {
	base := parse(t, `{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/out","BufferingHints":{"SizeInMBs":2},"S3Configuration":`+s3cfg+`}`)
	base.Defaults()
	for _, tc := range []struct {
		name, update string
		want         string // Describe's JSON after the update
		err          string
	}{
		{"nothing", `{}`,
			`{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/out","BufferingHints":{"SizeInMBs":2,"IntervalInSeconds":0},"RetryOptions":{"DurationInSeconds":300},"S3BackupMode":"FailedDataOnly"}`, ""},
		{"merge", `{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/other","PartitionKey":"p","BufferingHints":{"IntervalInSeconds":5},"RetryOptions":{"DurationInSeconds":0},"RoleARN":"arn:aws:iam::000000000000:role/x","S3BackupMode":"AllData","S3Update":{"Prefix":"p/"}}`,
			`{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/other","PartitionKey":"p","BufferingHints":{"SizeInMBs":2,"IntervalInSeconds":5},"RetryOptions":{"DurationInSeconds":0},"RoleARN":"arn:aws:iam::000000000000:role/x","S3BackupMode":"AllData"}`, ""},
		{"bad arn", `{"KinesisStreamARN":"nope"}`, "", "Value 'nope' at 'kinesisStreamDestinationUpdate.kinesisStreamARN'"},
		{"bad size", `{"BufferingHints":{"SizeInMBs":0}}`, "", "kinesisStreamDestinationUpdate.bufferingHints.sizeInMBs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var u Update
			if err := json.Unmarshal([]byte(tc.update), &u); err != nil {
				t.Fatal(err)
			}
			n, err := base.Apply(u)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("want error %q, got %v", tc.err, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(n.Describe())
			if string(b) != tc.want {
				t.Fatalf("\n got %s\nwant %s", b, tc.want)
			}
		})
	}
	all := base
	all.S3BackupMode = ptr(BackupAllData)
	if _, err := all.Apply(Update{S3BackupMode: ptr(BackupFailedDataOnly)}); err == nil || err.Error() != "S3BackupMode cannot be updated from AllData to FailedDataOnly." {
		t.Fatalf("AllData → FailedDataOnly: %v", err)
	}
	if _, err := base.Apply(Update{BufferingHints: &BufferingHints{SizeInMBs: ptr(int64(4))}}); err != nil || *base.BufferingHints.SizeInMBs != 2 {
		t.Fatalf("Apply changed its receiver: %v", err)
	}
}

func TestChunks(t *testing.T) {
	mk := func(sizes ...int) []pending {
		ps := make([]pending, len(sizes))
		for i, n := range sizes {
			ps[i] = pending{i: i, entry: Entry{PartitionKey: "k", Data: make([]byte, n-1)}}
		}
		return ps
	}
	lens := func(cs [][]pending) []int {
		var out []int
		for _, c := range cs {
			out = append(out, len(c))
		}
		return out
	}
	for _, tc := range []struct {
		name string
		in   []pending
		want []int
	}{
		{"empty", nil, nil},
		{"one", mk(10), []int{1}},
		{"big alone", mk(10, 1<<20+1, 10), []int{1, 1, 1}},
		{"big first", mk(1<<20+1, 10, 10), []int{1, 2}},
		{"5 MiB", mk(1<<20, 1<<20, 1<<20, 1<<20, 1<<20, 1), []int{5, 1}},
		{"500", make([]pending, 1000), []int{500, 500}},
	} {
		if got := lens(chunks(tc.in)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: chunks %v, want %v", tc.name, got, tc.want)
		}
	}
}
