package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/spf13/cobra"

	"github.com/kinesin/kinesin/internal/pipeline"
)

// PutRecordBatch limits (AWS): per request 500 records and 4 MiB, per
// record 1,000 KiB of data.
const (
	maxFirehoseBatchRecords = 500
	maxFirehoseBatchBytes   = 4 << 20
	maxFirehoseRecordBytes  = 1000 << 10
)

// newFirehoseClient builds a Firehose client for cfg.
func newFirehoseClient(cfg clientConfig) (*firehose.Client, error) {
	awsCfg, endpoint, err := awsConfig(cfg)
	if err != nil {
		return nil, err
	}
	return firehose.NewFromConfig(awsCfg, func(o *firehose.Options) { o.BaseEndpoint = aws.String(endpoint) }), nil
}

// firehoseClient returns the Firehose client for the global flags,
// building it once.
func (a *app) firehoseClient() (*firehose.Client, error) {
	if a.fc == nil {
		c, err := newFirehoseClient(a.clientConfig())
		if err != nil {
			return nil, err
		}
		a.fc = c
	}
	return a.fc, nil
}

func newFirehoseCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "firehose",
		Aliases: []string{"delivery-streams", "fh"},
		Short:   "List, describe, put into and delete Firehose delivery streams",
		Long: `A Firehose delivery stream buffers the records put into it (or read from a
Kinesis stream) and delivers them in batches to a destination, such as
objects in an S3 bucket: by size or time, whichever comes first
(BufferingHints), optionally transformed by a function, compressed or
converted on the way. Without an S3 endpoint configured, kinesin writes
the objects under its data directory, s3/BUCKET/KEY.

These commands use the Firehose API any AWS SDK uses (ListDeliveryStreams,
DescribeDeliveryStream, PutRecord, PutRecordBatch, DeleteDeliveryStream)
at --endpoint. Delivery streams are created by declaring them under
delivery_streams: in a pipeline file (kinesin apply, docs/pipeline.md) or
with any AWS SDK or the AWS CLI (aws firehose create-delivery-stream).`,
		Example: `  kinesin apply -f pipeline.yaml          # declares delivery_streams:
  kinesin firehose ls
  kinesin firehose describe clicks
  seq 1 1000 | kinesin firehose put clicks
  kinesin firehose rm clicks`,
	}
	cmd.AddCommand(newFirehoseLsCmd(a), newFirehoseDescribeCmd(a), newFirehosePutCmd(a), newFirehoseRmCmd(a))
	return cmd
}

func newFirehoseLsCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List delivery streams with their status, type and destination",
		Long: `List every delivery stream (ListDeliveryStreams, then DescribeDeliveryStream
for each) as a table: name, status (CREATING, ACTIVE, DELETING, …), type
(DirectPut, or KinesisStreamAsSource for one that reads a stream), the kind
of its destination as the pipeline file names it (extended_s3,
http_endpoint, opensearch, elasticsearch, splunk, redshift) and when it was
created.`,
		Example: `  kinesin firehose ls
  kinesin firehose ls --endpoint http://kinesin.internal:4567`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fc, err := a.firehoseClient()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			names, err := listDeliveryStreams(ctx, fc)
			if err != nil {
				return err
			}
			if len(names) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "no delivery streams")
				return nil
			}
			tw := newTable(cmd.OutOrStdout())
			fmt.Fprintln(tw, "NAME\tSTATUS\tTYPE\tDESTINATION\tCREATED")
			for _, name := range names {
				out, err := fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
				if isFirehoseNotFound(err) {
					continue // deleted since it was listed
				}
				if err != nil {
					return err
				}
				d := out.DeliveryStreamDescription
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, d.DeliveryStreamStatus, cmp.Or(string(d.DeliveryStreamType), "-"),
					destinationKinds(d.Destinations), timestamp(d.CreateTimestamp))
			}
			return tw.Flush()
		},
	}
}

// listDeliveryStreams pages through ListDeliveryStreams by the last name.
func listDeliveryStreams(ctx context.Context, fc *firehose.Client) ([]string, error) {
	var names []string
	in := &firehose.ListDeliveryStreamsInput{Limit: aws.Int32(100)}
	for {
		out, err := fc.ListDeliveryStreams(ctx, in)
		if err != nil {
			return nil, err
		}
		names = append(names, out.DeliveryStreamNames...)
		if !aws.ToBool(out.HasMoreDeliveryStreams) || len(out.DeliveryStreamNames) == 0 {
			return names, nil
		}
		in = &firehose.ListDeliveryStreamsInput{Limit: aws.Int32(100), ExclusiveStartDeliveryStreamName: aws.String(names[len(names)-1])}
	}
}

func destinationKinds(ds []ftypes.DestinationDescription) string {
	var kinds []string
	for i := range ds {
		kind, _ := pipeline.DestinationOf(&ds[i])
		kinds = append(kinds, cmp.Or(kind, "other"))
	}
	if len(kinds) == 0 {
		return "-"
	}
	return strings.Join(kinds, ",")
}

func timestamp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func isFirehoseNotFound(err error) bool {
	var nf *ftypes.ResourceNotFoundException
	return errors.As(err, &nf)
}

func newFirehoseDescribeCmd(a *app) *cobra.Command {
	var raw bool
	cmd := &cobra.Command{
		Use:   "describe NAME",
		Short: "Show a delivery stream's source and destination",
		Long: `Show a delivery stream (DescribeDeliveryStream): status, type, version id
(UpdateDestination needs it), when it was created and last updated, the
stream it reads if it is of type KinesisStreamAsSource, and its
destination. For an S3 destination that is the bucket, the prefix of the
objects and of the error output, the buffering hints (the object is
written when either is reached), compression, record processing (the
processors and their parameters), format conversion, dynamic partitioning
and the S3 backup mode; other destinations show their endpoint, index or
table, buffering and backup.

--json prints the DescribeDeliveryStream answer itself, as the server sent
it (indented), for scripts and for the members this summary leaves out.`,
		Example: `  kinesin firehose describe clicks
  kinesin firehose describe clicks --json | jq '.DeliveryStreamDescription.VersionId'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fc, err := a.firehoseClient()
			if err != nil {
				return err
			}
			in := &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(args[0])}
			var body []byte
			out, err := fc.DescribeDeliveryStream(cmd.Context(), in, func(o *firehose.Options) {
				if raw {
					o.APIOptions = append(o.APIOptions, captureBody(&body))
				}
			})
			if err != nil {
				return err
			}
			if raw {
				var b bytes.Buffer
				if err := json.Indent(&b, body, "", "  "); err != nil {
					return fmt.Errorf("DescribeDeliveryStream answered JSON that does not parse: %w", err)
				}
				b.WriteByte('\n')
				_, err := cmd.OutOrStdout().Write(b.Bytes())
				return err
			}
			return printDeliveryStream(cmd.OutOrStdout(), out.DeliveryStreamDescription)
		},
	}
	cmd.Flags().BoolVar(&raw, "json", false, "print the DescribeDeliveryStream answer as JSON")
	return cmd
}

// captureBody keeps a copy of the HTTP response body in *body, ahead of
// the SDK's deserializer, which reads it after this middleware returns.
func captureBody(body *[]byte) func(*middleware.Stack) error {
	return func(st *middleware.Stack) error {
		return st.Deserialize.Add(middleware.DeserializeMiddlewareFunc("kinesinCaptureBody",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleDeserialize(ctx, in)
				if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp.Body != nil {
					b, rerr := io.ReadAll(resp.Body)
					_ = resp.Body.Close()
					if rerr != nil && err == nil {
						err = rerr
					}
					*body = b
					resp.Body = io.NopCloser(bytes.NewReader(b))
				}
				return out, md, err
			}), middleware.After)
	}
}

func printDeliveryStream(w io.Writer, d *ftypes.DeliveryStreamDescription) error {
	if d == nil {
		return errors.New("DescribeDeliveryStream answered without a description")
	}
	tw := newTable(w)
	row := func(k, format string, args ...any) {
		fmt.Fprintf(tw, "%s:\t"+format+"\n", append([]any{k}, args...)...)
	}
	row("Name", "%s", aws.ToString(d.DeliveryStreamName))
	row("ARN", "%s", aws.ToString(d.DeliveryStreamARN))
	status := string(d.DeliveryStreamStatus)
	if fd := d.FailureDescription; fd != nil {
		status += fmt.Sprintf(" (%s: %s)", fd.Type, aws.ToString(fd.Details))
	}
	row("Status", "%s", status)
	row("Type", "%s", cmp.Or(string(d.DeliveryStreamType), "-"))
	row("Version", "%s", cmp.Or(aws.ToString(d.VersionId), "-"))
	row("Created", "%s", timestamp(d.CreateTimestamp))
	if d.LastUpdateTimestamp != nil {
		row("Last updated", "%s", timestamp(d.LastUpdateTimestamp))
	}
	if s := d.Source; s != nil && s.KinesisStreamSourceDescription != nil {
		arn := aws.ToString(s.KinesisStreamSourceDescription.KinesisStreamARN)
		src := arn
		if name, _ := streamOfARN(arn); name != "" {
			src = name + " (" + arn + ")"
		}
		row("Source", "%s", src)
		if t := s.KinesisStreamSourceDescription.DeliveryStartTimestamp; t != nil {
			row("Delivery start", "%s", timestamp(t))
		}
	}
	if e := d.DeliveryStreamEncryptionConfiguration; e != nil && e.Status != "" {
		enc := string(e.Status)
		if e.KeyType != "" {
			enc += " (" + string(e.KeyType) + ")"
		}
		row("Encryption", "%s", enc)
	}
	for i := range d.Destinations {
		dest := &d.Destinations[i]
		kind, _ := pipeline.DestinationOf(dest)
		row("Destination", "%s (%s)", aws.ToString(dest.DestinationId), cmp.Or(kind, "other"))
		printDestination(row, dest)
	}
	if len(d.Destinations) == 0 {
		row("Destination", "none")
	}
	return tw.Flush()
}

// printDestination writes the rows of one destination, indented under
// the Destination row.
func printDestination(row func(k, format string, args ...any), dest *ftypes.DestinationDescription) {
	sub := func(k, format string, args ...any) { row("  "+k, format, args...) }
	s3 := func(prefix string, s *ftypes.S3DestinationDescription) {
		if s == nil {
			return
		}
		sub(prefix+"bucket", "%s", aws.ToString(s.BucketARN))
		if p := aws.ToString(s.Prefix); p != "" {
			sub(prefix+"prefix", "%s", p)
		}
	}
	switch {
	case dest.ExtendedS3DestinationDescription != nil:
		e := dest.ExtendedS3DestinationDescription
		sub("Bucket", "%s", aws.ToString(e.BucketARN))
		sub("Prefix", "%s", orDefault(aws.ToString(e.Prefix), "none (YYYY/MM/dd/HH/)"))
		sub("Error prefix", "%s", orDefault(aws.ToString(e.ErrorOutputPrefix), "none"))
		sub("Buffering", "%s", buffering(hints(e.BufferingHints)))
		sub("Compression", "%s", cmp.Or(string(e.CompressionFormat), "UNCOMPRESSED"))
		if ext := aws.ToString(e.FileExtension); ext != "" {
			sub("File extension", "%s", ext)
		}
		sub("Processing", "%s", processing(e.ProcessingConfiguration))
		if c := e.DataFormatConversionConfiguration; c != nil {
			sub("Format conversion", "%s", enabled(c.Enabled, true))
		}
		if c := e.DynamicPartitioningConfiguration; c != nil {
			sub("Dynamic partitioning", "%s", enabled(c.Enabled, false))
		}
		sub("S3 backup", "%s", cmp.Or(string(e.S3BackupMode), "Disabled"))
		s3("Backup ", e.S3BackupDescription)
		sub("Role", "%s", aws.ToString(e.RoleARN))
	case dest.HttpEndpointDestinationDescription != nil:
		h := dest.HttpEndpointDestinationDescription
		if ec := h.EndpointConfiguration; ec != nil {
			sub("URL", "%s", aws.ToString(ec.Url))
			if n := aws.ToString(ec.Name); n != "" {
				sub("Endpoint name", "%s", n)
			}
		}
		if b := h.BufferingHints; b != nil {
			sub("Buffering", "%s", buffering(b.SizeInMBs, b.IntervalInSeconds))
		}
		if r := h.RequestConfiguration; r != nil && r.ContentEncoding != "" {
			sub("Content encoding", "%s", r.ContentEncoding)
		}
		if r := h.RetryOptions; r != nil {
			sub("Retry", "%s", seconds(aws.ToInt32(r.DurationInSeconds), "none"))
		}
		sub("Processing", "%s", processing(h.ProcessingConfiguration))
		sub("S3 backup", "%s", cmp.Or(string(h.S3BackupMode), "FailedDataOnly"))
		s3("Backup ", h.S3DestinationDescription)
	case dest.AmazonopensearchserviceDestinationDescription != nil:
		o := dest.AmazonopensearchserviceDestinationDescription
		sub("Domain", "%s", cmp.Or(aws.ToString(o.DomainARN), aws.ToString(o.ClusterEndpoint)))
		sub("Index", "%s (rotation %s)", aws.ToString(o.IndexName), cmp.Or(string(o.IndexRotationPeriod), "OneDay"))
		if b := o.BufferingHints; b != nil {
			sub("Buffering", "%s", buffering(b.SizeInMBs, b.IntervalInSeconds))
		}
		sub("Processing", "%s", processing(o.ProcessingConfiguration))
		sub("S3 backup", "%s", cmp.Or(string(o.S3BackupMode), "FailedDocumentsOnly"))
		s3("Backup ", o.S3DestinationDescription)
	case dest.ElasticsearchDestinationDescription != nil:
		o := dest.ElasticsearchDestinationDescription
		sub("Domain", "%s", cmp.Or(aws.ToString(o.DomainARN), aws.ToString(o.ClusterEndpoint)))
		sub("Index", "%s (rotation %s)", aws.ToString(o.IndexName), cmp.Or(string(o.IndexRotationPeriod), "OneDay"))
		if b := o.BufferingHints; b != nil {
			sub("Buffering", "%s", buffering(b.SizeInMBs, b.IntervalInSeconds))
		}
		sub("Processing", "%s", processing(o.ProcessingConfiguration))
		sub("S3 backup", "%s", cmp.Or(string(o.S3BackupMode), "FailedDocumentsOnly"))
		s3("Backup ", o.S3DestinationDescription)
	case dest.SplunkDestinationDescription != nil:
		s := dest.SplunkDestinationDescription
		sub("HEC endpoint", "%s (%s)", aws.ToString(s.HECEndpoint), cmp.Or(string(s.HECEndpointType), "Raw"))
		if t := s.HECAcknowledgmentTimeoutInSeconds; t != nil {
			sub("Ack timeout", "%s", seconds(*t, "none"))
		}
		if b := s.BufferingHints; b != nil {
			sub("Buffering", "%s", buffering(b.SizeInMBs, b.IntervalInSeconds))
		}
		sub("Processing", "%s", processing(s.ProcessingConfiguration))
		sub("S3 backup", "%s", cmp.Or(string(s.S3BackupMode), "FailedEventsOnly"))
		s3("Backup ", s.S3DestinationDescription)
	case dest.RedshiftDestinationDescription != nil:
		r := dest.RedshiftDestinationDescription
		sub("Cluster", "%s", aws.ToString(r.ClusterJDBCURL))
		if c := r.CopyCommand; c != nil {
			sub("Table", "%s", aws.ToString(c.DataTableName))
		}
		if u := aws.ToString(r.Username); u != "" {
			sub("User", "%s", u)
		}
		sub("Processing", "%s", processing(r.ProcessingConfiguration))
		s3("Staging ", r.S3DestinationDescription)
		sub("S3 backup", "%s", cmp.Or(string(r.S3BackupMode), "Disabled"))
	case dest.S3DestinationDescription != nil:
		s := dest.S3DestinationDescription
		sub("Bucket", "%s", aws.ToString(s.BucketARN))
		sub("Prefix", "%s", orDefault(aws.ToString(s.Prefix), "none (YYYY/MM/dd/HH/)"))
		sub("Error prefix", "%s", orDefault(aws.ToString(s.ErrorOutputPrefix), "none"))
		sub("Buffering", "%s", buffering(hints(s.BufferingHints)))
		sub("Compression", "%s", cmp.Or(string(s.CompressionFormat), "UNCOMPRESSED"))
	default:
		sub("Kind", "not shown here (see --json)")
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func hints(b *ftypes.BufferingHints) (size, interval *int32) {
	if b == nil {
		return nil, nil
	}
	return b.SizeInMBs, b.IntervalInSeconds
}

// buffering renders buffering hints as "5 MiB or 300s", the defaults
// filled in as Firehose fills them.
func buffering(size, interval *int32) string {
	s, i := int32(5), int32(300)
	if size != nil {
		s = *size
	}
	if interval != nil {
		i = *interval
	}
	return fmt.Sprintf("%d MiB or %ds, whichever comes first", s, i)
}

func enabled(b *bool, def bool) string {
	if b == nil && def || aws.ToBool(b) {
		return "enabled"
	}
	return "disabled"
}

// processing renders a ProcessingConfiguration as "enabled: Lambda
// (LambdaArn=…, NumberOfRetries=3), AppendDelimiterToRecord".
func processing(p *ftypes.ProcessingConfiguration) string {
	if p == nil || len(p.Processors) == 0 {
		return "none"
	}
	var procs []string
	for _, pr := range p.Processors {
		s := string(pr.Type)
		var params []string
		for _, pa := range pr.Parameters {
			params = append(params, string(pa.ParameterName)+"="+aws.ToString(pa.ParameterValue))
		}
		if len(params) > 0 {
			s += " (" + strings.Join(params, ", ") + ")"
		}
		procs = append(procs, s)
	}
	return enabled(p.Enabled, true) + ": " + strings.Join(procs, ", ")
}

func newFirehosePutCmd(a *app) *cobra.Command {
	var (
		delimiter  string
		maxRetries int
		linger     time.Duration
	)
	cmd := &cobra.Command{
		Use:   "put NAME [DATA...]",
		Short: "Put records into a delivery stream",
		Long: `Put records into a DirectPut delivery stream. With one DATA, it is one
record (PutRecord) and the record id is printed; with several, each is a
record. Without DATA, every line of standard input (without its line
ending) becomes a record.

Firehose writes records into an object back to back, adding nothing
between them, so each record gets --delimiter appended: a newline unless
set otherwise (--delimiter '' for none, as the AWS API does).

Several records go out with PutRecordBatch in batches of at most 500
records and 4 MiB (a record is at most 1,000 KiB). A batch goes out when it
is full or when no new line arrived for --linger, so a slow producer
(tail -f app.log | kinesin firehose put logs) is not held back. Records the
server rejects (FailedPutCount, such as ServiceUnavailableException) are
retried with exponential backoff up to --max-retries times. Progress goes
to standard error, a summary to standard output. The records reach the
destination once the delivery stream's buffering hints say so.`,
		Example: `  kinesin firehose put clicks '{"page":"/","ms":12}'
  kinesin firehose put clicks '{"n":1}' '{"n":2}' '{"n":3}'
  seq 1 100000 | kinesin firehose put numbers
  tail -f /var/log/app.log | kinesin firehose put logs
  kinesin firehose put raw --delimiter '' "$(cat blob.bin)"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fc, err := a.firehoseClient()
			if err != nil {
				return err
			}
			ctx, name := cmd.Context(), args[0]
			if len(args) == 2 {
				data := append([]byte(args[1]), delimiter...)
				if len(data) > maxFirehoseRecordBytes {
					return fmt.Errorf("a record of %d bytes is over the 1,000 KiB limit", len(data))
				}
				out, err := fc.PutRecord(ctx, &firehose.PutRecordInput{
					DeliveryStreamName: aws.String(name),
					Record:             &ftypes.Record{Data: data},
				})
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), aws.ToString(out.RecordId))
				return nil
			}
			p := &firehosePutter{
				api:        fc,
				stream:     name,
				delimiter:  []byte(delimiter),
				maxRetries: maxRetries,
				backoff:    100 * time.Millisecond,
				maxBackoff: 5 * time.Second,
				linger:     linger,
				progress:   newProgress(cmd.ErrOrStderr()),
			}
			start := time.Now()
			var in io.Reader = cmd.InOrStdin()
			if len(args) > 2 {
				p.records = args[1:]
				in = nil
			}
			err = p.run(ctx, in)
			p.progress.done()
			if err != nil {
				if ctx.Err() != nil {
					return fmt.Errorf("interrupted after %d records", p.sent)
				}
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "put %d record%s (%s) into %s with %d request%s, %d retried, in %s\n",
				p.sent, plural(p.sent), byteSize(p.bytes), name, p.requests, plural(p.requests), p.retried,
				time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&delimiter, "delimiter", "\n", "appended to every record (Firehose adds nothing between records)")
	f.IntVar(&maxRetries, "max-retries", 10, "how often to retry records the server rejected before giving up")
	f.DurationVar(&linger, "linger", 100*time.Millisecond, "send a partial batch after this long without new input")
	return cmd
}

// batchPutter is the part of the Firehose client the batch sender uses;
// tests substitute a server that rejects records.
type batchPutter interface {
	PutRecordBatch(ctx context.Context, in *firehose.PutRecordBatchInput, optFns ...func(*firehose.Options)) (*firehose.PutRecordBatchOutput, error)
}

// firehosePutter turns lines (or records given as arguments) into
// PutRecordBatch batches.
type firehosePutter struct {
	api        batchPutter
	stream     string
	delimiter  []byte
	records    []string // given as arguments; nil: read lines
	maxRetries int
	backoff    time.Duration // first pause before a retry, doubled each time
	maxBackoff time.Duration
	linger     time.Duration
	progress   *progress

	sent, retried, requests int
	bytes                   int64
}

// read sends the records to out: p.records, or the lines of in.
func (p *firehosePutter) read(ctx context.Context, in io.Reader, out chan<- []byte) error {
	send := func(b []byte) error {
		select {
		case out <- b:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if in == nil {
		for _, r := range p.records {
			if err := send([]byte(r)); err != nil {
				return err
			}
		}
		return nil
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), maxFirehoseRecordBytes+1)
	n := 0
	for sc.Scan() {
		n++
		if err := send(bytes.Clone(sc.Bytes())); err != nil {
			return err
		}
	}
	err := sc.Err()
	if errors.Is(err, bufio.ErrTooLong) {
		err = fmt.Errorf("line %d of standard input is longer than the 1,000 KiB record limit", n+1)
	}
	return err
}

func (p *firehosePutter) run(ctx context.Context, in io.Reader) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lines := make(chan []byte, 1024)
	readErr := make(chan error, 1)
	go func() {
		err := p.read(ctx, in, lines)
		readErr <- err // before close, so the reader of lines finds it
		close(lines)
	}()

	var (
		batch []ftypes.Record
		size  int
		n     int
	)
	what := "line %d of standard input"
	if in == nil {
		what = "record %d"
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	flush := func() error {
		timer.Stop()
		if len(batch) == 0 {
			return nil
		}
		err := p.send(ctx, batch)
		batch, size = nil, 0
		return err
	}
	for {
		select {
		case data, ok := <-lines:
			if !ok {
				if err := <-readErr; err != nil {
					return err
				}
				return flush()
			}
			n++
			data = append(data, p.delimiter...)
			if len(data) > maxFirehoseRecordBytes {
				return fmt.Errorf(what+": a record of %d bytes is over the 1,000 KiB limit", n, len(data))
			}
			if len(batch) == maxFirehoseBatchRecords || size+len(data) > maxFirehoseBatchBytes {
				if err := flush(); err != nil {
					return err
				}
			}
			batch = append(batch, ftypes.Record{Data: data})
			size += len(data)
			if len(batch) == 1 {
				timer.Reset(p.linger)
			}
		case <-timer.C:
			if err := flush(); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// send puts one batch, retrying the records the server rejected (with
// exponential backoff and jitter) until all are in or retries run out.
// Errors of the whole call end it: the SDK already retried those that can
// be retried.
func (p *firehosePutter) send(ctx context.Context, batch []ftypes.Record) error {
	pending := batch
	pause := p.backoff
	for attempt := 0; ; attempt++ {
		out, err := p.api.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(p.stream), Records: pending})
		p.requests++
		if err != nil {
			return err
		}
		if len(out.RequestResponses) != len(pending) {
			return fmt.Errorf("PutRecordBatch answered %d results for %d records", len(out.RequestResponses), len(pending))
		}
		var failed []ftypes.Record
		var lastErr string
		if aws.ToInt32(out.FailedPutCount) > 0 {
			for i, r := range out.RequestResponses {
				if aws.ToString(r.ErrorCode) != "" {
					failed = append(failed, pending[i])
					lastErr = aws.ToString(r.ErrorCode) + ": " + aws.ToString(r.ErrorMessage)
				}
			}
		}
		for i, r := range out.RequestResponses {
			if aws.ToString(r.ErrorCode) == "" {
				p.sent++
				p.bytes += int64(len(pending[i].Data))
			}
		}
		p.progress.update(p.sent, p.bytes)
		if len(failed) == 0 {
			return nil
		}
		if attempt >= p.maxRetries {
			return fmt.Errorf("%d record%s still rejected after %d retries (last: %s)", len(failed), plural(len(failed)), p.maxRetries, lastErr)
		}
		p.retried += len(failed)
		pending = failed
		// Equal jitter: half the pause fixed, half random.
		d := pause/2 + rand.N(pause/2+1)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
		pause = min(2*pause, p.maxBackoff)
	}
}

func newFirehoseRmCmd(a *app) *cobra.Command {
	var force, wait bool
	cmd := &cobra.Command{
		Use:     "rm NAME",
		Aliases: []string{"delete"},
		Short:   "Delete a delivery stream",
		Long: `Delete a delivery stream (DeleteDeliveryStream). Records it still buffers
are not delivered; objects already delivered stay where they are, and a
stream it reads is left alone. --force deletes it even when Firehose could
not clean up after it (AllowForceDelete). With --wait the command returns
once the delivery stream no longer exists.`,
		Example: `  kinesin firehose rm clicks
  kinesin firehose rm clicks --wait`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fc, err := a.firehoseClient()
			if err != nil {
				return err
			}
			ctx, name := cmd.Context(), args[0]
			in := &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String(name)}
			if force {
				in.AllowForceDelete = aws.Bool(true)
			}
			if _, err := fc.DeleteDeliveryStream(ctx, in); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "deleting delivery stream %s\n", name)
			if !wait {
				return nil
			}
			err = pollUntil(ctx, func() (bool, error) {
				_, err := fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
				if isFirehoseNotFound(err) {
					return true, nil
				}
				return false, err
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "delivery stream %s is deleted\n", name)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "delete even if Firehose cannot clean up after it (AllowForceDelete)")
	cmd.Flags().BoolVar(&wait, "wait", false, "return only once the delivery stream is gone")
	return cmd
}
