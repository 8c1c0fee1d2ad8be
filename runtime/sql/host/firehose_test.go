package host_test

import (
	"context"
	"encoding/binary"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	fh "github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/firehose"
	"github.com/kinesin/kinesin/runtime/sql/host"
)

// publishBatch appends records to a delivery stream's record stream as
// router/firehose frames them ((uvarint length, bytes)*).
func (e *env) publishBatch(t *testing.T, deliveryStream string, records ...string) {
	t.Helper()
	var b []byte
	for _, r := range records {
		b = binary.AppendUvarint(b, uint64(len(r)))
		b = append(b, r...)
	}
	if _, err := e.js.Publish(context.Background(), firehose.Subject(deliveryStream), b); err != nil {
		t.Fatal(err)
	}
}

// TestFirehoseInput reads a delivery stream's record stream, kept by
// interest as the delivery consumer ("s3" here, acknowledging at once)
// and the application's consumer need: what the application has not
// checkpointed stays, and a restart from LAST_STOPPED_POINT goes on after
// the last checkpointed batch.
func TestFirehoseInput(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s, err := e.js.CreateStream(ctx, jetstream.StreamConfig{Name: firehose.StreamName("orders"),
		Subjects: []string{firehose.Subject("orders")}, Retention: jetstream.InterestPolicy, Storage: jetstream.MemoryStorage})
	if err != nil {
		t.Fatal(err)
	}
	s3, err := s.CreateConsumer(ctx, jetstream.ConsumerConfig{Durable: "s3", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	cc, err := s3.Consume(func(m jetstream.Msg) { _ = m.Ack() })
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Stop()
	e.createStream(t, "out", 1)
	in := tickerInput("unused")
	in.KinesisStreamsInputDescription = nil
	in.KinesisFirehoseInputDescription = &types.KinesisFirehoseInputDescription{
		ResourceARN: aws.String("arn:aws:firehose:" + region + ":" + account + ":deliverystream/orders")}
	cfg := host.Config{Name: "fh", Code: filterCode, RunID: "1", Start: types.InputStartingPositionTrimHorizon,
		Inputs: []types.InputDescription{in}, Outputs: []types.OutputDescription{streamOutput("DESTINATION_SQL_STREAM", "out")}}
	r1 := e.run(t, cfg)
	// The application's consumer must exist before records come: the
	// delivery consumer's acknowledgement alone removes them.
	eventually(t, 10*time.Second, "the application's consumer", func() bool {
		info, err := s.Info(ctx)
		return err == nil && info.State.Consumers == 2
	})
	e.publishBatch(t, "orders", `{"ticker":"A","price":11}`, `{"ticker":"B","price":1}`)
	e.publishBatch(t, "orders", `{"ticker":"C","price":12}`)
	e.waitRecords(t, "out", 2)
	e.waitMetric(t, "kinesisanalytics_InputRecords", "fh", 3)
	r1.stop(t)

	e.publishBatch(t, "orders", `{"ticker":"D","price":13}`)
	c2 := cfg
	c2.RunID, c2.Start = "2", types.InputStartingPositionLastStoppedPoint
	e.run(t, c2)
	got := decode(t, e.waitRecords(t, "out", 3))
	if got[2]["TICKER"] != "D" {
		t.Fatalf("got %v", got)
	}
	e.waitMetric(t, "kinesisanalytics_InputRecords", "fh", 1)
}

// TestFirehoseOutput writes an application's output to a real delivery
// stream (router/firehose, S3 destination on the filesystem).
func TestFirehoseOutput(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	dir := t.TempDir()
	svc, err := firehose.Open(ctx, e.js, firehose.Config{DataDir: dir, TimeUnit: 10 * time.Millisecond, Logger: e.log,
		Region: region, AccountID: account}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := router.New(router.Config{Listen: "127.0.0.1:0", Logger: e.log})
	svc.Register(srv)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close(); _ = srv.Shutdown(context.Background()) })
	c := fh.New(fh.Options{Region: region, BaseEndpoint: aws.String("http://" + srv.Addr()),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := c.CreateDeliveryStream(ctx, &fh.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("results"),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::dest"), RoleARN: aws.String("arn:aws:iam::" + account + ":role/r"),
			BufferingHints: &fhtypes.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(1)}}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "delivery stream ACTIVE", func() bool {
		d, err := c.DescribeDeliveryStream(ctx, &fh.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("results")})
		return err == nil && d.DeliveryStreamDescription.DeliveryStreamStatus == fhtypes.DeliveryStreamStatusActive
	})

	e.createStream(t, "in", 1)
	e.put(t, "in", `{"ticker":"A","price":11}`, `{"ticker":"B","price":1}`, `{"ticker":"C","price":12}`)
	e.run(t, host.Config{Name: "tofh", Code: filterCode, Start: types.InputStartingPositionTrimHorizon, Firehose: svc,
		Inputs: []types.InputDescription{tickerInput("in")},
		Outputs: []types.OutputDescription{{Name: aws.String("DESTINATION_SQL_STREAM"),
			KinesisFirehoseOutputDescription: &types.KinesisFirehoseOutputDescription{
				ResourceARN: aws.String("arn:aws:firehose:" + region + ":" + account + ":deliverystream/results")},
			DestinationSchema: &types.DestinationSchema{RecordFormatType: types.RecordFormatTypeCsv}}}})
	var body string
	eventually(t, 20*time.Second, "objects in the bucket", func() bool {
		body = ""
		_ = filepath.WalkDir(filepath.Join(dir, "s3", "dest"), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".tmp-") {
				b, _ := os.ReadFile(p)
				body += string(b)
			}
			return nil
		})
		return strings.Count(body, "\n") >= 2
	})
	if body != "A,11.0\nC,12.0\n" && body != "A,11\nC,12\n" {
		t.Fatalf("delivered %q", body)
	}
}
