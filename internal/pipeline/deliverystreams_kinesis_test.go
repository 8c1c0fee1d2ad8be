package pipeline

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// TestOwnDestination: kinesis_stream, a destination only kinesin has, is
// sent whole as KinesisStreamDestinationConfiguration (create) and
// KinesisStreamDestinationUpdate (update, S3Configuration as S3Update),
// and read back from the raw KinesisStreamDestinationDescription.
func TestOwnDestination(t *testing.T) {
	kind := kindOf("kinesis_stream")
	if kind == nil || !kind.own() || kindOf("extended_s3").own() {
		t.Fatal("kinesis_stream is not an own kind, or extended_s3 is")
	}
	d := &DeliveryStream{Name: "tee", Destination: "kinesis_stream", Config: map[string]any{
		"KinesisStreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/copy",
		"PartitionKey":     "k",
		"BufferingHints":   map[string]any{"SizeInMBs": int64(2)},
		"S3Configuration":  map[string]any{"BucketARN": "arn:aws:s3:::b", "RoleARN": "arn:aws:iam::000000000000:role/r"},
	}}

	var bodies []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("body %s: %v", b, err)
		}
		bodies = append(bodies, m)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), "CreateDeliveryStream") {
			io.WriteString(w, `{"DeliveryStreamARN":"arn:aws:firehose:us-east-1:000000000000:deliverystream/tee"}`)
			return
		}
		io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	fc := firehose.New(firehose.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""), RetryMaxAttempts: 1})

	in, err := createDeliveryInput(d, kind, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fc.CreateDeliveryStream(context.Background(), in, withExtras(d, kind, kind.createAs, nil)); err != nil {
		t.Fatal(err)
	}
	desc := &ftypes.DeliveryStreamDescription{VersionId: aws.String("1"), Destinations: []ftypes.DestinationDescription{{DestinationId: aws.String("destinationId-000000000001")}}}
	up, err := updateDestinationInput(d, kind, desc, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fc.UpdateDestination(context.Background(), up, withExtras(d, kind, kind.updateAs, updatedAs)); err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 2 {
		t.Fatalf("%d requests", len(bodies))
	}
	got, _ := json.Marshal(bodies[0]["KinesisStreamDestinationConfiguration"])
	want := `{"BufferingHints":{"SizeInMBs":2},"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/copy","PartitionKey":"k","S3Configuration":{"BucketARN":"arn:aws:s3:::b","RoleARN":"arn:aws:iam::000000000000:role/r"}}`
	if string(got) != want {
		t.Errorf("create sent\n %s\nwant\n %s", got, want)
	}
	if bodies[0]["DeliveryStreamName"] != "tee" || bodies[0]["ExtendedS3DestinationConfiguration"] != nil {
		t.Errorf("create body %v", bodies[0])
	}
	got, _ = json.Marshal(bodies[1]["KinesisStreamDestinationUpdate"])
	want = strings.Replace(want, "S3Configuration", "S3Update", 1)
	if string(got) != want || bodies[1]["DestinationId"] != "destinationId-000000000001" || bodies[1]["CurrentDeliveryStreamVersionId"] != "1" {
		t.Errorf("update sent %v\nwant KinesisStreamDestinationUpdate %s", bodies[1], want)
	}

	for _, c := range []struct {
		raw   string
		kind  string
		diffs int
	}{
		{`{"DeliveryStreamDescription":{"Destinations":[{"DestinationId":"d","KinesisStreamDestinationDescription":{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/copy","PartitionKey":"k","BufferingHints":{"SizeInMBs":2,"IntervalInSeconds":0},"RetryOptions":{"DurationInSeconds":300},"S3BackupMode":"FailedDataOnly","S3DestinationDescription":{"BucketARN":"arn:aws:s3:::b","RoleARN":"arn:aws:iam::000000000000:role/r","Prefix":""}}}]}}`, "kinesis_stream", 0},
		{`{"DeliveryStreamDescription":{"Destinations":[{"DestinationId":"d","KinesisStreamDestinationDescription":{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/copy","BufferingHints":{"SizeInMBs":1},"S3DestinationDescription":{"BucketARN":"arn:aws:s3:::b","RoleARN":"arn:aws:iam::000000000000:role/r"}}}]}}`, "kinesis_stream", 2},
		{`{"DeliveryStreamDescription":{"Destinations":[{"DestinationId":"d","ExtendedS3DestinationDescription":{}}]}}`, "", 0},
		{`{`, "", 0},
	} {
		k, have := ownDestination([]byte(c.raw))
		if k != c.kind {
			t.Errorf("%s: kind %q", c.raw, k)
			continue
		}
		if k == "" {
			continue
		}
		if diffs := diffShape(k, d.Config, have); len(diffs) != c.diffs {
			t.Errorf("%s: diffs %q", c.raw, diffs)
		}
	}
}
