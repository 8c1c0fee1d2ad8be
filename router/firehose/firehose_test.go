package firehose_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	fh "github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/smithy-go"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/internal/testutil"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/firehose"
)

// unit is the tests' TimeUnit: IntervalInSeconds 100 is one second.
const unit = 10 * time.Millisecond

type harness struct {
	t    *testing.T
	nc   *nats.Conn
	dir  string
	svc  *firehose.Service
	m    *firehose.Metrics
	http *router.Server
	c    *fh.Client
}

// start runs the service with its own HTTP tier on nc, objects under dir.
func start(t *testing.T, nc *nats.Conn, dir string) *harness {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	m := firehose.NewMetrics(prometheus.NewRegistry())
	svc, err := firehose.Open(context.Background(), js, firehose.Config{DataDir: dir, TimeUnit: unit, Logger: log}, m)
	if err != nil {
		t.Fatal(err)
	}
	srv := router.New(router.Config{Listen: "127.0.0.1:0", MaxBodyBytes: 32 << 20, Logger: log})
	svc.Register(srv)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, nc: nc, dir: dir, svc: svc, m: m, http: srv, c: fh.New(fh.Options{
		Region: "us-east-1", BaseEndpoint: aws.String("http://" + srv.Addr()),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		Retryer:     testutil.ConnRetryer(),
	})}
	t.Cleanup(h.stop)
	return h
}

func (h *harness) stop() {
	if h.svc == nil {
		return
	}
	h.svc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = h.http.Shutdown(ctx)
	h.svc = nil
}

func newHarness(t *testing.T) *harness {
	return start(t, natstest.Conn(t), t.TempDir())
}

func (h *harness) create(name string, s3 *types.ExtendedS3DestinationConfiguration) {
	h.t.Helper()
	ctx := context.Background()
	if _, err := h.c.CreateDeliveryStream(ctx, &fh.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String(name), ExtendedS3DestinationConfiguration: s3,
	}); err != nil {
		h.t.Fatalf("create %s: %v", name, err)
	}
	testutil.Eventually(h.t, 10*time.Second, name+" ACTIVE", func() bool {
		out, err := h.c.DescribeDeliveryStream(ctx, &fh.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
		return err == nil && out.DeliveryStreamDescription.DeliveryStreamStatus == types.DeliveryStreamStatusActive
	})
}

func s3conf(bucket string, sizeMB, interval int32, compression types.CompressionFormat) *types.ExtendedS3DestinationConfiguration {
	return &types.ExtendedS3DestinationConfiguration{
		BucketARN: aws.String("arn:aws:s3:::" + bucket), RoleARN: aws.String("arn:aws:iam::000000000000:role/firehose"),
		BufferingHints:    &types.BufferingHints{SizeInMBs: aws.Int32(sizeMB), IntervalInSeconds: aws.Int32(interval)},
		CompressionFormat: compression,
	}
}

// objects lists the keys of bucket, sorted, skipping temporary files.
func (h *harness) objects(bucket string) []string {
	root := filepath.Join(h.dir, "s3", bucket)
	var keys []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".tmp-") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		keys = append(keys, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(keys)
	return keys
}

func (h *harness) read(bucket, key string) []byte {
	h.t.Helper()
	b, err := os.ReadFile(filepath.Join(h.dir, "s3", bucket, filepath.FromSlash(key)))
	if err != nil {
		h.t.Fatal(err)
	}
	if strings.HasSuffix(key, ".gz") {
		r, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			h.t.Fatal(err)
		}
		if b, err = io.ReadAll(r); err != nil {
			h.t.Fatal(err)
		}
	}
	return b
}

// content concatenates every object of bucket in key order.
func (h *harness) content(bucket string) []byte {
	var all []byte
	for _, k := range h.objects(bucket) {
		all = append(all, h.read(bucket, k)...)
	}
	return all
}

func awsCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func awsMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

var keyRe = regexp.MustCompile(`^logs/\d{4}/\d{2}/\d{2}/\d{2}/orders-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.gz$`)

func TestCreatePutDeliverGzip(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	conf := s3conf("bkt", 5, 0, types.CompressionFormatGzip)
	conf.Prefix = aws.String("logs/")
	out, err := h.c.CreateDeliveryStream(ctx, &fh.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("orders"), ExtendedS3DestinationConfiguration: conf})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.DeliveryStreamARN), "arn:aws:firehose:us-east-1:000000000000:deliverystream/orders"; got != want {
		t.Fatalf("ARN %s, want %s", got, want)
	}
	h.create("orders2", s3conf("other", 5, 300, ""))
	testutil.Eventually(t, 10*time.Second, "ACTIVE", func() bool {
		d, err := h.c.DescribeDeliveryStream(ctx, &fh.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("orders")})
		return err == nil && d.DeliveryStreamDescription.DeliveryStreamStatus == types.DeliveryStreamStatusActive
	})
	d, err := h.c.DescribeDeliveryStream(ctx, &fh.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	desc := d.DeliveryStreamDescription
	if aws.ToString(desc.VersionId) != "1" || desc.DeliveryStreamType != types.DeliveryStreamTypeDirectPut || len(desc.Destinations) != 1 ||
		aws.ToString(desc.Destinations[0].DestinationId) != "destinationId-000000000001" || aws.ToBool(desc.HasMoreDestinations) || desc.CreateTimestamp == nil {
		t.Fatalf("description %+v", desc)
	}
	x := desc.Destinations[0].ExtendedS3DestinationDescription
	if x == nil || aws.ToString(x.BucketARN) != "arn:aws:s3:::bkt" || x.CompressionFormat != types.CompressionFormatGzip ||
		aws.ToInt32(x.BufferingHints.SizeInMBs) != 5 || aws.ToInt32(x.BufferingHints.IntervalInSeconds) != 0 || aws.ToString(x.Prefix) != "logs/" {
		t.Fatalf("destination %+v", x)
	}
	d2, _ := h.c.DescribeDeliveryStream(ctx, &fh.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("orders2")})
	if x := d2.DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription; aws.ToInt32(x.BufferingHints.IntervalInSeconds) != 300 ||
		x.CompressionFormat != types.CompressionFormatUncompressed {
		t.Fatalf("defaults %+v", x)
	}

	var want []byte
	var recs []types.Record
	for i := range 10 {
		r := []byte(strings.Repeat(string(rune('a'+i)), 10) + "\n")
		want = append(want, r...)
		recs = append(recs, types.Record{Data: r})
	}
	pb, err := h.c.PutRecordBatch(ctx, &fh.PutRecordBatchInput{DeliveryStreamName: aws.String("orders"), Records: recs})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(pb.FailedPutCount) != 0 || len(pb.RequestResponses) != 10 {
		t.Fatalf("batch answer %+v", pb)
	}
	seen := map[string]bool{}
	for _, r := range pb.RequestResponses {
		if len(aws.ToString(r.RecordId)) < 56 || seen[aws.ToString(r.RecordId)] {
			t.Fatalf("record id %q", aws.ToString(r.RecordId))
		}
		seen[aws.ToString(r.RecordId)] = true
	}
	pr, err := h.c.PutRecord(ctx, &fh.PutRecordInput{DeliveryStreamName: aws.String("orders"), Record: &types.Record{Data: []byte("last\n")}})
	if err != nil || len(aws.ToString(pr.RecordId)) < 56 {
		t.Fatalf("put record: %v %+v", err, pr)
	}
	want = append(want, "last\n"...)
	testutil.Eventually(t, 10*time.Second, "objects", func() bool { return bytes.Equal(h.content("bkt"), want) })
	for _, k := range h.objects("bkt") {
		if !keyRe.MatchString(k) {
			t.Fatalf("key %s does not match %s", k, keyRe)
		}
	}
	if got := counter(h.m.IncomingRecords.WithLabelValues("orders")); got != 11 {
		t.Errorf("IncomingRecords %v", got)
	}
	if got := counter(h.m.IncomingBytes.WithLabelValues("orders")); got != float64(len(want)) {
		t.Errorf("IncomingBytes %v", got)
	}
	testutil.Eventually(t, 5*time.Second, "delivery metrics", func() bool {
		return counter(h.m.Records.WithLabelValues("orders", "S3")) == 11 &&
			counter(h.m.Bytes.WithLabelValues("orders", "S3")) == float64(len(want)) &&
			counter(h.m.Success.WithLabelValues("orders", "S3", "true")) >= 1
	})
}

// TestTwoProcesses runs two services on one NATS server: a delivery
// stream created through one takes records through the other, and the
// loops of both deliver each record once between them.
func TestTwoProcesses(t *testing.T) {
	nc := natstest.Conn(t)
	dir := t.TempDir()
	a, b := start(t, nc, dir), start(t, nc, dir)
	ctx := context.Background()
	a.create("shared", s3conf("s", 128, 0, ""))
	var want []string
	for i := range 40 {
		c := a.c
		if i%2 == 1 {
			c = b.c
		}
		r := strings.Repeat(string(rune('A'+i%26)), 3) + "\n"
		want = append(want, r)
		testutil.Eventually(t, 5*time.Second, "put", func() bool {
			_, err := c.PutRecord(ctx, &fh.PutRecordInput{DeliveryStreamName: aws.String("shared"), Record: &types.Record{Data: []byte(r)}})
			return err == nil
		})
	}
	sort.Strings(want)
	testutil.Eventually(t, 10*time.Second, "every record once", func() bool {
		got := strings.SplitAfter(string(a.content("s")), "\n")
		got = got[:len(got)-1]
		sort.Strings(got)
		return strings.Join(got, "") == strings.Join(want, "")
	})
}

func TestBufferingBySize(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.create("big", s3conf("b", 1, 900, "")) // the interval never fires within the test
	rec := bytes.Repeat([]byte("x"), 100<<10)
	var want []byte
	for range 5 { // 5 batches of 3 × 100 KiB: 1.5 MiB
		recs := []types.Record{{Data: rec}, {Data: rec}, {Data: rec}}
		if _, err := h.c.PutRecordBatch(ctx, &fh.PutRecordBatchInput{DeliveryStreamName: aws.String("big"), Records: recs}); err != nil {
			t.Fatal(err)
		}
		want = append(want, bytes.Repeat(rec, 3)...)
	}
	// The first MiB is written once it is reached; the rest waits for the
	// interval (9 s here), so one object appears well before it.
	testutil.Eventually(t, 5*time.Second, "a size-triggered object", func() bool { return len(h.objects("b")) >= 1 })
	objs := h.objects("b")
	if n := len(h.read("b", objs[0])); n < 1<<20 || n > 1<<20+300<<10 {
		t.Fatalf("first object has %d bytes", n)
	}
	// Put one more MiB: a second size-triggered object.
	for range 4 {
		recs := []types.Record{{Data: rec}, {Data: rec}, {Data: rec}}
		if _, err := h.c.PutRecordBatch(ctx, &fh.PutRecordBatchInput{DeliveryStreamName: aws.String("big"), Records: recs}); err != nil {
			t.Fatal(err)
		}
		want = append(want, bytes.Repeat(rec, 3)...)
	}
	testutil.Eventually(t, 5*time.Second, "two objects", func() bool { return len(h.objects("b")) >= 2 })
}

func TestBufferingByInterval(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.create("tick", s3conf("t", 128, 20, "")) // 20 × 10ms
	start := time.Now()
	if _, err := h.c.PutRecord(ctx, &fh.PutRecordInput{DeliveryStreamName: aws.String("tick"), Record: &types.Record{Data: []byte("one")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.c.PutRecord(ctx, &fh.PutRecordInput{DeliveryStreamName: aws.String("tick"), Record: &types.Record{Data: []byte("two")}}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 5*time.Second, "object", func() bool { return string(h.content("t")) == "onetwo" })
	if time.Since(start) < 20*unit {
		t.Fatalf("delivered after %v, before the interval", time.Since(start))
	}
}

func TestRestartDeliversStoredRecords(t *testing.T) {
	nc := natstest.Conn(t)
	dir := t.TempDir()
	h := start(t, nc, dir)
	ctx := context.Background()
	h.create("keep", s3conf("k", 128, 300, types.CompressionFormatGzip)) // 3 s
	for _, r := range []string{"a", "b", "c"} {
		if _, err := h.c.PutRecord(ctx, &fh.PutRecordInput{DeliveryStreamName: aws.String("keep"), Record: &types.Record{Data: []byte(r)}}); err != nil {
			t.Fatal(err)
		}
	}
	h.stop()
	if n := len(h.objects("k")); n != 0 {
		t.Fatalf("%d objects before the interval", n)
	}
	h2 := start(t, nc, dir)
	testutil.Eventually(t, 10*time.Second, "delivery after restart", func() bool { return string(h2.content("k")) == "abc" })
}

func TestPutRecordBatchLimits(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.create("lim", s3conf("l", 5, 300, ""))
	put := func(recs []types.Record) error {
		_, err := h.c.PutRecordBatch(ctx, &fh.PutRecordBatchInput{DeliveryStreamName: aws.String("lim"), Records: recs})
		return err
	}
	many := make([]types.Record, 501)
	for i := range many {
		many[i] = types.Record{Data: []byte("x")}
	}
	if err := put(many); awsCode(err) != "ValidationException" || !strings.Contains(awsMessage(err), "at 'records' failed to satisfy constraint: Member must have length less than or equal to 500") {
		t.Fatalf("501 records: %v", err)
	}
	big := bytes.Repeat([]byte("y"), 1000*1024+1)
	err := put([]types.Record{{Data: []byte("ok")}, {Data: big}})
	if awsCode(err) != "ValidationException" || !strings.Contains(awsMessage(err), "Value 'java.nio.HeapByteBuffer[pos=0 lim=1024001 cap=1024001]' at 'records.2.member.data' failed to satisfy constraint: Member must have length less than or equal to 1024000") {
		t.Fatalf("record over 1,000 KiB: %v", err)
	}
	fine := bytes.Repeat([]byte("z"), 1000*1024)
	if err := put([]types.Record{{Data: fine}, {Data: fine}, {Data: fine}, {Data: fine}, {Data: fine}}); awsCode(err) != "InvalidArgumentException" {
		t.Fatalf("batch over 4 MiB: %v", err)
	}
	if err := put([]types.Record{{Data: fine}, {Data: fine}, {Data: fine}, {Data: fine}}); err != nil {
		t.Fatalf("batch of 4,000 KiB: %v", err)
	}
	if err := put([]types.Record{}); awsCode(err) != "ValidationException" {
		t.Fatalf("empty batch: %v", err)
	}
}

func TestErrors(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	_, err := h.c.PutRecord(ctx, &fh.PutRecordInput{DeliveryStreamName: aws.String("nope"), Record: &types.Record{Data: []byte("x")}})
	if awsCode(err) != "ResourceNotFoundException" || awsMessage(err) != "Firehose nope under account 000000000000 not found." {
		t.Fatalf("put to unknown stream: %v", err)
	}
	_, err = h.c.PutRecordBatch(ctx, &fh.PutRecordBatchInput{DeliveryStreamName: aws.String("nope"), Records: []types.Record{{Data: []byte("x")}}})
	if awsCode(err) != "ResourceNotFoundException" {
		t.Fatalf("batch to unknown stream: %v", err)
	}
	_, err = h.c.DescribeDeliveryStream(ctx, &fh.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("nope")})
	if awsCode(err) != "ResourceNotFoundException" {
		t.Fatalf("describe unknown: %v", err)
	}
	_, err = h.c.DeleteDeliveryStream(ctx, &fh.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("nope")})
	if awsCode(err) != "ResourceNotFoundException" {
		t.Fatalf("delete unknown: %v", err)
	}
	bad := s3conf("b", 0, 901, "")
	_, err = h.c.CreateDeliveryStream(ctx, &fh.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("bad"), ExtendedS3DestinationConfiguration: bad})
	want := "2 validation errors detected: Value '0' at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
		"Value '901' at 'extendedS3DestinationConfiguration.bufferingHints.intervalInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900"
	if awsCode(err) != "ValidationException" || awsMessage(err) != want {
		t.Fatalf("bad hints: %v", err)
	}
	noErrPrefix := s3conf("b", 5, 60, types.CompressionFormatSnappy)
	noErrPrefix.Prefix = aws.String("y=!{timestamp:yyyy}/")
	_, err = h.c.CreateDeliveryStream(ctx, &fh.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("z"), ExtendedS3DestinationConfiguration: noErrPrefix})
	if awsCode(err) != "InvalidArgumentException" || !strings.Contains(awsMessage(err), "ErrorOutputPrefix") {
		t.Fatalf("prefix with expressions and no ErrorOutputPrefix: %v", err)
	}
	_, err = h.c.CreateDeliveryStream(ctx, &fh.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("k"), DeliveryStreamType: types.DeliveryStreamTypeKinesisStreamAsSource,
		ExtendedS3DestinationConfiguration: s3conf("b", 5, 60, "")})
	if awsCode(err) != "InvalidArgumentException" || !strings.Contains(awsMessage(err), "KinesisStreamSourceConfiguration with KinesisStreamARN and RoleARN is required") {
		t.Fatalf("kinesis source: %v", err)
	}
	_, err = h.c.CreateDeliveryStream(ctx, &fh.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("bad name")})
	if awsCode(err) != "ValidationException" {
		t.Fatalf("bad name: %v", err)
	}
	h.create("dup", s3conf("b", 5, 60, ""))
	_, err = h.c.CreateDeliveryStream(ctx, &fh.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("dup"), ExtendedS3DestinationConfiguration: s3conf("b", 5, 60, "")})
	if awsCode(err) != "ResourceInUseException" {
		t.Fatalf("duplicate: %v", err)
	}
}

func TestListDeleteTags(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, n := range []string{"c", "a", "b"} {
		h.create(n, s3conf("b", 5, 60, ""))
	}
	l, err := h.c.ListDeliveryStreams(ctx, &fh.ListDeliveryStreamsInput{Limit: aws.Int32(2)})
	if err != nil || strings.Join(l.DeliveryStreamNames, ",") != "a,b" || !aws.ToBool(l.HasMoreDeliveryStreams) {
		t.Fatalf("list: %v %+v", err, l)
	}
	l, err = h.c.ListDeliveryStreams(ctx, &fh.ListDeliveryStreamsInput{ExclusiveStartDeliveryStreamName: aws.String("b"), DeliveryStreamType: types.DeliveryStreamTypeDirectPut})
	if err != nil || strings.Join(l.DeliveryStreamNames, ",") != "c" || aws.ToBool(l.HasMoreDeliveryStreams) {
		t.Fatalf("list after b: %v %+v", err, l)
	}

	if _, err := h.c.TagDeliveryStream(ctx, &fh.TagDeliveryStreamInput{DeliveryStreamName: aws.String("a"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}, {Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.c.UntagDeliveryStream(ctx, &fh.UntagDeliveryStreamInput{DeliveryStreamName: aws.String("a"), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := h.c.ListTagsForDeliveryStream(ctx, &fh.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String("a")})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" || aws.ToString(tags.Tags[0].Value) != "dev" || aws.ToBool(tags.HasMoreTags) {
		t.Fatalf("tags: %v %+v", err, tags)
	}
	many := make([]types.Tag, 50)
	for i := range many {
		many[i] = types.Tag{Key: aws.String(strings.Repeat("k", i+1)), Value: aws.String("v")}
	}
	if _, err := h.c.TagDeliveryStream(ctx, &fh.TagDeliveryStreamInput{DeliveryStreamName: aws.String("a"), Tags: many}); awsCode(err) != "LimitExceededException" {
		t.Fatalf("51 tags: %v", err)
	}

	if _, err := h.c.DeleteDeliveryStream(ctx, &fh.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("b")}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, "b gone", func() bool {
		_, err := h.c.DescribeDeliveryStream(ctx, &fh.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("b")})
		return awsCode(err) == "ResourceNotFoundException"
	})
	_, err = h.c.PutRecord(ctx, &fh.PutRecordInput{DeliveryStreamName: aws.String("b"), Record: &types.Record{Data: []byte("x")}})
	if awsCode(err) != "ResourceNotFoundException" {
		t.Fatalf("put to deleted: %v", err)
	}
	js, _ := jetstream.New(h.nc)
	if _, err := js.Stream(ctx, firehose.StreamName("b")); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Fatalf("record stream of b: %v", err)
	}
}

func counter(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return -1
	}
	return m.GetCounter().GetValue()
}

// TestProcessingConfiguration checks processors at create time with
// sinks/process and describes the configuration back.
func TestProcessingConfiguration(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	bad := s3conf("b", 5, 60, "")
	bad.ProcessingConfiguration = &types.ProcessingConfiguration{Enabled: aws.Bool(true),
		Processors: []types.Processor{{Type: "Nonsense"}}}
	_, err := h.c.CreateDeliveryStream(ctx, &fh.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("bad"), ExtendedS3DestinationConfiguration: bad})
	if awsCode(err) != "InvalidArgumentException" || !strings.Contains(awsMessage(err), `Processor type "Nonsense" at index 0`) {
		t.Fatalf("unknown processor type: %v", err)
	}
	// No function invoker in this harness: a Lambda processor is refused.
	lam := s3conf("b", 5, 60, "")
	lam.ProcessingConfiguration = &types.ProcessingConfiguration{Enabled: aws.Bool(true), Processors: []types.Processor{{
		Type: types.ProcessorTypeLambda, Parameters: []types.ProcessorParameter{{ParameterName: types.ProcessorParameterNameLambdaArn,
			ParameterValue: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f")}}}}}
	_, err = h.c.CreateDeliveryStream(ctx, &fh.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("lam"), ExtendedS3DestinationConfiguration: lam})
	if awsCode(err) != "InvalidArgumentException" {
		t.Fatalf("lambda without invoker: %v", err)
	}
	good := s3conf("b", 5, 60, "")
	good.ProcessingConfiguration = &types.ProcessingConfiguration{Enabled: aws.Bool(true),
		Processors: []types.Processor{{Type: types.ProcessorTypeAppendDelimiterToRecord}}}
	h.create("good", good)
	out, err := h.c.DescribeDeliveryStream(ctx, &fh.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("good")})
	if err != nil {
		t.Fatal(err)
	}
	pc := out.DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription.ProcessingConfiguration
	if pc == nil || !aws.ToBool(pc.Enabled) || len(pc.Processors) != 1 || pc.Processors[0].Type != types.ProcessorTypeAppendDelimiterToRecord {
		t.Fatalf("described %+v", pc)
	}
}

// TestProcessingFailedOutput delivers the records a processor fails under
// the default error output prefix, one failure document a line, and the
// others as usual.
func TestProcessingFailedOutput(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	c := s3conf("e", 1, 0, "")
	c.ProcessingConfiguration = &types.ProcessingConfiguration{Enabled: aws.Bool(true), Processors: []types.Processor{{
		Type: types.ProcessorTypeMetadataExtraction, Parameters: []types.ProcessorParameter{
			{ParameterName: types.ProcessorParameterNameMetadataExtractionQuery, ParameterValue: aws.String("{k: .k}")},
			{ParameterName: types.ProcessorParameterNameJsonParsingEngine, ParameterValue: aws.String("JQ-1.6")}}}}}
	h.create("fails", c)
	out, err := h.c.PutRecordBatch(ctx, &fh.PutRecordBatchInput{DeliveryStreamName: aws.String("fails"),
		Records: []types.Record{{Data: []byte(`{"k":"a"}`)}, {Data: []byte("oops")}}})
	if err != nil || aws.ToInt32(out.FailedPutCount) != 0 {
		t.Fatalf("put: %v", err)
	}
	var keys []string
	testutil.Eventually(t, 10*time.Second, "two objects", func() bool {
		keys = h.objects("e")
		return len(keys) >= 2
	})
	var okKey, errKey string
	for _, k := range keys {
		if strings.HasPrefix(k, "processing-failed/") {
			errKey = k
		} else {
			okKey = k
		}
	}
	if okKey == "" || errKey == "" || !strings.Contains(errKey, "/fails-1-") {
		t.Fatalf("keys %v", keys)
	}
	if got := string(h.read("e", okKey)); got != `{"k":"a"}` {
		t.Fatalf("object %q", got)
	}
	lines := strings.Split(strings.TrimSuffix(string(h.read("e", errKey)), "\n"), "\n")
	var doc struct {
		RawData   []byte `json:"rawData"`
		ErrorCode string `json:"errorCode"`
	}
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &doc) != nil || string(doc.RawData) != "oops" || doc.ErrorCode == "" {
		t.Fatalf("error output %q", lines)
	}
}
