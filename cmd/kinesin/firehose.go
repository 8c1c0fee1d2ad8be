package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// firehoseClient returns the Firehose client for the global flags,
// building it once.
func (a *app) firehoseClient() (*firehose.Client, error) {
	return lazyClient(a, &a.fc, firehose.NewFromConfig)
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
				return printRaw(cmd.OutOrStdout(), "DescribeDeliveryStream", body)
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

// printRaw prints the JSON answer body of operation op indented (the
// describe commands' --json).
func printRaw(w io.Writer, op string, body []byte) error {
	var b bytes.Buffer
	if err := json.Indent(&b, body, "", "  "); err != nil {
		return fmt.Errorf("%s answered JSON that does not parse: %w", op, err)
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
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
		d := searchDestination{o.DomainARN, o.ClusterEndpoint, o.IndexName, string(o.IndexRotationPeriod), nil,
			o.ProcessingConfiguration, string(o.S3BackupMode), o.S3DestinationDescription}
		if b := o.BufferingHints; b != nil {
			d.buffering = []*int32{b.SizeInMBs, b.IntervalInSeconds}
		}
		d.print(sub, s3)
	case dest.ElasticsearchDestinationDescription != nil:
		o := dest.ElasticsearchDestinationDescription
		d := searchDestination{o.DomainARN, o.ClusterEndpoint, o.IndexName, string(o.IndexRotationPeriod), nil,
			o.ProcessingConfiguration, string(o.S3BackupMode), o.S3DestinationDescription}
		if b := o.BufferingHints; b != nil {
			d.buffering = []*int32{b.SizeInMBs, b.IntervalInSeconds}
		}
		d.print(sub, s3)
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

// searchDestination is what printDestination shows of an OpenSearch or
// Elasticsearch destination, whose descriptions have the same members under
// different types.
type searchDestination struct {
	domainARN, clusterEndpoint, index *string
	rotation                          string
	buffering                         []*int32 // size, interval; nil: no hints
	processing                        *ftypes.ProcessingConfiguration
	backupMode                        string
	backup                            *ftypes.S3DestinationDescription
}

func (d searchDestination) print(sub func(k, format string, args ...any), s3 func(string, *ftypes.S3DestinationDescription)) {
	sub("Domain", "%s", cmp.Or(aws.ToString(d.domainARN), aws.ToString(d.clusterEndpoint)))
	sub("Index", "%s (rotation %s)", aws.ToString(d.index), cmp.Or(d.rotation, "OneDay"))
	if d.buffering != nil {
		sub("Buffering", "%s", buffering(d.buffering[0], d.buffering[1]))
	}
	sub("Processing", "%s", processing(d.processing))
	sub("S3 backup", "%s", cmp.Or(d.backupMode, "FailedDocumentsOnly"))
	s3("Backup ", d.backup)
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
		delimiter string
		batch     batchFlags
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
			p := newFirehosePutter(fc, name, []byte(delimiter))
			if len(args) == 2 {
				rec, _, err := p.entry([]byte(args[1]))
				if err != nil {
					return err
				}
				out, err := fc.PutRecord(ctx, &firehose.PutRecordInput{
					DeliveryStreamName: aws.String(name),
					Record:             &rec,
				})
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), aws.ToString(out.RecordId))
				return nil
			}
			var in io.Reader = cmd.InOrStdin()
			if len(args) > 2 {
				p.records = args[1:]
				in = nil
			}
			return p.putAll(cmd, batch, name, in)
		},
	}
	cmd.Flags().StringVar(&delimiter, "delimiter", "\n", "appended to every record (Firehose adds nothing between records)")
	batch.add(cmd)
	return cmd
}

// recordBatchPutter is the part of the Firehose client the batch sender
// uses; tests substitute a server that rejects records.
type recordBatchPutter interface {
	PutRecordBatch(ctx context.Context, in *firehose.PutRecordBatchInput, optFns ...func(*firehose.Options)) (*firehose.PutRecordBatchOutput, error)
}

// newFirehosePutter makes a batchPutter of PutRecordBatch batches into the
// delivery stream, with delimiter appended to every record.
func newFirehosePutter(api recordBatchPutter, stream string, delimiter []byte) *batchPutter[ftypes.Record] {
	return &batchPutter[ftypes.Record]{
		maxBatchRecords: maxFirehoseBatchRecords,
		maxBatchBytes:   maxFirehoseBatchBytes,
		maxLineBytes:    maxFirehoseRecordBytes,
		lineLimit:       "1,000 KiB",
		entry: func(data []byte) (ftypes.Record, int, error) {
			data = append(data, delimiter...)
			if len(data) > maxFirehoseRecordBytes {
				return ftypes.Record{}, 0, fmt.Errorf("a record of %d bytes is over the 1,000 KiB limit", len(data))
			}
			return ftypes.Record{Data: data}, len(data), nil
		},
		dataBytes: func(r ftypes.Record) int { return len(r.Data) },
		put: func(ctx context.Context, records []ftypes.Record) ([]ftypes.Record, string, error) {
			out, err := api.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(stream), Records: records})
			if err != nil {
				return nil, "", err
			}
			if len(out.RequestResponses) != len(records) {
				return nil, "", fmt.Errorf("PutRecordBatch answered %d results for %d records", len(out.RequestResponses), len(records))
			}
			var failed []ftypes.Record
			var lastErr string
			if aws.ToInt32(out.FailedPutCount) > 0 {
				for i, r := range out.RequestResponses {
					if aws.ToString(r.ErrorCode) != "" {
						failed = append(failed, records[i])
						lastErr = aws.ToString(r.ErrorCode) + ": " + aws.ToString(r.ErrorMessage)
					}
				}
			}
			return failed, lastErr, nil
		},
		backoff:    100 * time.Millisecond,
		maxBackoff: 5 * time.Second,
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
			return deleting(ctx, cmd.OutOrStdout(), "delivery stream "+name, wait, isFirehoseNotFound, func() error {
				_, err := fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
				return err
			})
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "delete even if Firehose cannot clean up after it (AllowForceDelete)")
	cmd.Flags().BoolVar(&wait, "wait", false, "return only once the delivery stream is gone")
	return cmd
}
