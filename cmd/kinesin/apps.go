package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
	katypes "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/spf13/cobra"

	"github.com/kinesin/kinesin/internal/pipeline"
)

// analyticsClient returns the Kinesis Analytics (SQL applications)
// client for the global flags, building it once.
func (a *app) analyticsClient() (*kinesisanalytics.Client, error) {
	return lazyClient(a, &a.ac, kinesisanalytics.NewFromConfig)
}

func newAppsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "apps",
		Aliases: []string{"applications", "analytics"},
		Short:   "Create, start, stop, list, describe and delete streaming SQL applications",
		Long: `A streaming SQL application (Kinesis Data Analytics for SQL) reads a stream
as the in-application stream SOURCE_SQL_STREAM_001, runs its SQL code over
the rows as they arrive (filters, tumbling, sliding and stagger windows,
joins, anomaly detection) and writes the rows its pumps insert into
in-application streams such as DESTINATION_SQL_STREAM to a Kinesis stream,
a Firehose delivery stream or a function.

The application's lifecycle is AWS's: create (READY), start (STARTING, then
RUNNING, reading from NOW, TRIM_HORIZON or LAST_STOPPED_POINT), stop
(STOPPING, then READY, its state checkpointed so a later start from
LAST_STOPPED_POINT continues where it stopped), delete.

These commands use the Kinesis Analytics API (KinesisAnalytics_20150814)
any AWS SDK uses, at --endpoint, so aws kinesisanalytics create-application
and start-application work the same. Applications can also be declared
under applications: in a pipeline file (kinesin apply, docs/pipeline.md).
To try a query on a stream without creating an application, use kinesin sql.`,
		Example: `  kinesin apps create ticker-stats --code stats.sql --input-stream ticker --output stats --start
  kinesin apps ls
  kinesin apps describe ticker-stats
  kinesin apps stop ticker-stats
  kinesin apps start ticker-stats --from LAST_STOPPED_POINT
  kinesin apps rm ticker-stats`,
	}
	cmd.AddCommand(newAppsCreateCmd(a), newAppsStartCmd(a), newAppsStopCmd(a), newAppsLsCmd(a), newAppsDescribeCmd(a), newAppsRmCmd(a))
	return cmd
}

func isAppNotFound(err error) bool {
	var nf *katypes.ResourceNotFoundException
	return errors.As(err, &nf)
}

// listApplications pages through ListApplications by the last name.
func listApplications(ctx context.Context, ac *kinesisanalytics.Client) ([]katypes.ApplicationSummary, error) {
	var apps []katypes.ApplicationSummary
	in := &kinesisanalytics.ListApplicationsInput{Limit: aws.Int32(50)}
	for {
		out, err := ac.ListApplications(ctx, in)
		if err != nil {
			return nil, err
		}
		apps = append(apps, out.ApplicationSummaries...)
		if !aws.ToBool(out.HasMoreApplications) || len(out.ApplicationSummaries) == 0 {
			return apps, nil
		}
		in = &kinesisanalytics.ListApplicationsInput{Limit: aws.Int32(50), ExclusiveStartApplicationName: apps[len(apps)-1].ApplicationName}
	}
}

func newAppsLsCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List applications with their status, version, input and outputs",
		Long: `List every application (ListApplications, then DescribeApplication for
each) as a table: name, status (READY, STARTING, RUNNING, STOPPING,
UPDATING, DELETING), version, the stream or delivery stream it reads and
where its outputs go (stream:NAME, firehose:NAME, function:NAME).`,
		Example: `  kinesin apps ls`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ac, err := a.analyticsClient()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			apps, err := listApplications(ctx, ac)
			if err != nil {
				return err
			}
			if len(apps) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "no applications")
				return nil
			}
			tw := newTable(cmd.OutOrStdout())
			fmt.Fprintln(tw, "NAME\tSTATUS\tVERSION\tINPUT\tOUTPUTS")
			for _, s := range apps {
				out, err := ac.DescribeApplication(ctx, &kinesisanalytics.DescribeApplicationInput{ApplicationName: s.ApplicationName})
				if isAppNotFound(err) {
					continue // deleted since it was listed
				}
				if err != nil {
					return err
				}
				d := out.ApplicationDetail
				var ins, outs []string
				for _, in := range d.InputDescriptions {
					ins = append(ins, inputSource(in))
				}
				for _, o := range d.OutputDescriptions {
					outs = append(outs, outputTarget(o))
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", aws.ToString(d.ApplicationName), d.ApplicationStatus,
					aws.ToInt64(d.ApplicationVersionId), orDefault(strings.Join(ins, ","), "-"), orDefault(strings.Join(outs, ","), "-"))
			}
			return tw.Flush()
		},
	}
}

// resourceName is the last part of an ARN: the name of a stream
// (…:stream/NAME), delivery stream (…:deliverystream/NAME) or function
// (…:function:NAME).
func resourceName(arn string) string {
	if i := strings.LastIndexAny(arn, "/:"); i >= 0 && strings.HasPrefix(arn, "arn:") {
		return arn[i+1:]
	}
	return arn
}

func inputSource(in katypes.InputDescription) string {
	switch {
	case in.KinesisStreamsInputDescription != nil:
		return "stream:" + resourceName(aws.ToString(in.KinesisStreamsInputDescription.ResourceARN))
	case in.KinesisFirehoseInputDescription != nil:
		return "firehose:" + resourceName(aws.ToString(in.KinesisFirehoseInputDescription.ResourceARN))
	}
	return "?"
}

// outputDest is the kind (stream, firehose or function) and ARN of an
// output's destination; "", "" when it has none.
func outputDest(o katypes.OutputDescription) (kind, arn string) {
	switch {
	case o.KinesisStreamsOutputDescription != nil:
		return "stream", aws.ToString(o.KinesisStreamsOutputDescription.ResourceARN)
	case o.KinesisFirehoseOutputDescription != nil:
		return "firehose", aws.ToString(o.KinesisFirehoseOutputDescription.ResourceARN)
	case o.LambdaOutputDescription != nil:
		return "function", aws.ToString(o.LambdaOutputDescription.ResourceARN)
	}
	return "", ""
}

func outputTarget(o katypes.OutputDescription) string {
	kind, arn := outputDest(o)
	if kind == "" {
		return "?"
	}
	return kind + ":" + resourceName(arn)
}

func outputARN(o katypes.OutputDescription) string {
	_, arn := outputDest(o)
	return arn
}

func newAppsDescribeCmd(a *app) *cobra.Command {
	var raw bool
	cmd := &cobra.Command{
		Use:   "describe NAME",
		Short: "Show an application's code, input, outputs and reference data",
		Long: `Show an application (DescribeApplication): status, version (UpdateApplication
needs it), when it was created and last updated, its input (the stream or
delivery stream read, the in-application stream names, the record format
and columns with their mappings, the starting position of the last start),
its outputs (in-application stream → destination, record format), its
reference tables and its SQL code.

--json prints the DescribeApplication answer itself, as the server sent it
(indented), for scripts and for the members this summary leaves out.`,
		Example: `  kinesin apps describe ticker-stats
  kinesin apps describe ticker-stats --json | jq -r .ApplicationDetail.ApplicationCode`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ac, err := a.analyticsClient()
			if err != nil {
				return err
			}
			var body []byte
			out, err := ac.DescribeApplication(cmd.Context(), &kinesisanalytics.DescribeApplicationInput{ApplicationName: aws.String(args[0])},
				func(o *kinesisanalytics.Options) {
					if raw {
						o.APIOptions = append(o.APIOptions, captureBody(&body))
					}
				})
			if err != nil {
				return err
			}
			if raw {
				return printRaw(cmd.OutOrStdout(), "DescribeApplication", body)
			}
			return printApplication(cmd.OutOrStdout(), out.ApplicationDetail)
		},
	}
	cmd.Flags().BoolVar(&raw, "json", false, "print the DescribeApplication answer as JSON")
	return cmd
}

func printApplication(w io.Writer, d *katypes.ApplicationDetail) error {
	if d == nil {
		return errors.New("DescribeApplication answered without an application")
	}
	tw := newTable(w)
	row := func(k, format string, args ...any) {
		fmt.Fprintf(tw, "%s:\t"+format+"\n", append([]any{k}, args...)...)
	}
	sub := func(k, format string, args ...any) { row("  "+k, format, args...) }
	row("Name", "%s", aws.ToString(d.ApplicationName))
	row("ARN", "%s", aws.ToString(d.ApplicationARN))
	row("Status", "%s", d.ApplicationStatus)
	row("Version", "%d", aws.ToInt64(d.ApplicationVersionId))
	if s := aws.ToString(d.ApplicationDescription); s != "" {
		row("Description", "%s", s)
	}
	row("Created", "%s", timestamp(d.CreateTimestamp))
	if d.LastUpdateTimestamp != nil {
		row("Last updated", "%s", timestamp(d.LastUpdateTimestamp))
	}
	for _, in := range d.InputDescriptions {
		row("Input", "%s %s → %s", aws.ToString(in.InputId), inputSource(in), cmp.Or(strings.Join(in.InAppStreamNames, ", "), aws.ToString(in.NamePrefix)+"_001"))
		switch {
		case in.KinesisStreamsInputDescription != nil:
			sub("Resource", "%s", aws.ToString(in.KinesisStreamsInputDescription.ResourceARN))
		case in.KinesisFirehoseInputDescription != nil:
			sub("Resource", "%s", aws.ToString(in.KinesisFirehoseInputDescription.ResourceARN))
		}
		if p := in.InputParallelism; p != nil && p.Count != nil {
			sub("Parallelism", "%d", *p.Count)
		}
		if p := in.InputProcessingConfigurationDescription; p != nil && p.InputLambdaProcessorDescription != nil {
			sub("Preprocessing", "%s", aws.ToString(p.InputLambdaProcessorDescription.ResourceARN))
		}
		printSchema(sub, in.InputSchema)
		if sp := in.InputStartingPositionConfiguration; sp != nil && sp.InputStartingPosition != "" {
			sub("Starting position", "%s", sp.InputStartingPosition)
		}
	}
	if len(d.InputDescriptions) == 0 {
		row("Input", "none")
	}
	for _, o := range d.OutputDescriptions {
		format := "-"
		if ds := o.DestinationSchema; ds != nil {
			format = string(ds.RecordFormatType)
		}
		row("Output", "%s %s → %s (%s)", aws.ToString(o.OutputId), aws.ToString(o.Name), outputTarget(o), format)
		sub("Resource", "%s", outputARN(o))
	}
	for _, r := range d.ReferenceDataSourceDescriptions {
		src := "-"
		if s := r.S3ReferenceDataSourceDescription; s != nil {
			src = aws.ToString(s.BucketARN) + " " + aws.ToString(s.FileKey)
		}
		row("Reference", "%s %s ← %s", aws.ToString(r.ReferenceId), aws.ToString(r.TableName), src)
		printSchema(sub, r.ReferenceSchema)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	code := strings.TrimRight(aws.ToString(d.ApplicationCode), "\n")
	if code == "" {
		_, err := fmt.Fprintln(w, "Code: none")
		return err
	}
	_, err := fmt.Fprintf(w, "Code:\n  %s\n", strings.ReplaceAll(code, "\n", "\n  "))
	return err
}

// printSchema writes a source schema: the record format and one row per
// column (NAME TYPE, with its mapping).
func printSchema(sub func(k, format string, args ...any), s *katypes.SourceSchema) {
	if s == nil {
		return
	}
	if f := s.RecordFormat; f != nil {
		format := string(f.RecordFormatType)
		if mp := f.MappingParameters; mp != nil {
			switch {
			case mp.JSONMappingParameters != nil:
				format += " (row path " + aws.ToString(mp.JSONMappingParameters.RecordRowPath) + ")"
			case mp.CSVMappingParameters != nil:
				format += fmt.Sprintf(" (rows %q, columns %q)", aws.ToString(mp.CSVMappingParameters.RecordRowDelimiter), aws.ToString(mp.CSVMappingParameters.RecordColumnDelimiter))
			}
		}
		sub("Format", "%s", format)
	}
	for _, c := range s.RecordColumns {
		col := aws.ToString(c.Name) + " " + aws.ToString(c.SqlType)
		if m := aws.ToString(c.Mapping); m != "" {
			col += " ← " + m
		}
		sub("Column", "%s", col)
	}
}

type createAppOpts struct {
	code, description   string
	inputStream, schema string
	namePrefix          string
	parallelism         int32
	outputs, firehoses  []string
	functions           []string
	format              string
	roleARN             string
	start, wait         bool
	from                string
	discoverFrom        string
	readCode            func() ([]byte, error)
	stdout, stderr      io.Writer
}

func newAppsCreateCmd(a *app) *cobra.Command {
	var o createAppOpts
	cmd := &cobra.Command{
		Use:   "create NAME --code FILE --input-stream STREAM [--output [IN_APP=]STREAM]...",
		Short: "Create an application from SQL code, an input stream and outputs",
		Long: `Create an application (CreateApplication) that runs the SQL code of --code
(a file, or - for standard input) over the records of the Kinesis stream
--input-stream, which the code reads as the in-application stream
SOURCE_SQL_STREAM_001 (--name-prefix changes SOURCE_SQL_STREAM).

The input's schema (record format and columns) comes from --schema, a JSON
file holding AWS's SourceSchema (RecordFormat, RecordEncoding,
RecordColumns) or a whole DiscoverInputSchema answer; without it the
server infers it from the records already in the stream
(DiscoverInputSchema from TRIM_HORIZON, or --discover-from NOW), so put a
few records first.

Each --output IN_APP=STREAM writes the rows of the in-application stream
IN_APP to the Kinesis stream STREAM (IN_APP defaults to
DESTINATION_SQL_STREAM); --output-firehose IN_APP=NAME writes them to a
Firehose delivery stream and --output-function IN_APP=NAME to a function
(AWS's LambdaOutput). Rows are written as JSON records unless --format CSV.
Streams, delivery streams and functions may also be given as ARNs.
At most three outputs, as on AWS.

The application is created READY; --start starts it right away (reading
from --from, default NOW) and --wait waits until it is RUNNING.`,
		Example: `  kinesin apps create ticker-stats --code stats.sql --input-stream ticker --output stats
  kinesin apps create ticker-stats --code stats.sql --input-stream ticker \
      --output DESTINATION_SQL_STREAM=stats --output-firehose ERRORS=errors-to-s3 --start --wait
  kinesin apps create alerts --code - --input-stream ticker --schema schema.json --output alerts <<'EOF'
  CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price DOUBLE);
  CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ticker, price FROM "SOURCE_SQL_STREAM_001" WHERE price > 100;
  EOF`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ac, err := a.analyticsClient()
			if err != nil {
				return err
			}
			o.readCode = func() ([]byte, error) {
				if o.code == "-" {
					return io.ReadAll(cmd.InOrStdin())
				}
				return os.ReadFile(o.code)
			}
			o.stdout, o.stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			return a.createApp(cmd.Context(), ac, args[0], &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.code, "code", "", "file with the application's SQL code (- for standard input)")
	f.StringVar(&o.description, "description", "", "description of the application")
	f.StringVar(&o.inputStream, "input-stream", "", "Kinesis stream the application reads (name or ARN)")
	f.StringVar(&o.schema, "schema", "", "JSON file with the input's SourceSchema (default: discovered from the stream)")
	f.StringVar(&o.discoverFrom, "discover-from", "TRIM_HORIZON", "where discovery samples the stream: TRIM_HORIZON or NOW")
	f.StringVar(&o.namePrefix, "name-prefix", "SOURCE_SQL_STREAM", "name prefix of the in-application input stream")
	f.Int32Var(&o.parallelism, "parallelism", 0, "in-application input streams (InputParallelism; 0: the server's default, 1)")
	f.StringArrayVar(&o.outputs, "output", nil, "[IN_APP=]STREAM: write an in-application stream to a Kinesis stream (repeatable)")
	f.StringArrayVar(&o.firehoses, "output-firehose", nil, "[IN_APP=]NAME: write an in-application stream to a Firehose delivery stream")
	f.StringArrayVar(&o.functions, "output-function", nil, "[IN_APP=]NAME: write an in-application stream to a function (LambdaOutput)")
	f.StringVar(&o.format, "format", "JSON", "record format of the outputs: JSON or CSV")
	f.StringVar(&o.roleARN, "role-arn", pipeline.DefaultAnalyticsRoleARN, "RoleARN sent with inputs and outputs (kinesin does not check it)")
	f.BoolVar(&o.start, "start", false, "start the application once created")
	f.StringVar(&o.from, "from", "NOW", "with --start: where to start reading: NOW, TRIM_HORIZON or LAST_STOPPED_POINT")
	f.BoolVar(&o.wait, "wait", false, "with --start: return once the application is RUNNING")
	_ = cmd.MarkFlagRequired("code")
	_ = cmd.MarkFlagRequired("input-stream")
	return cmd
}

// parseOutputFlag splits [IN_APP=]NAME.
func parseOutputFlag(flag, v string) (inApp, name string, err error) {
	inApp, name, ok := strings.Cut(v, "=")
	if !ok {
		inApp, name = "DESTINATION_SQL_STREAM", v
	}
	if inApp == "" || name == "" {
		return "", "", fmt.Errorf("--%s %q: want [IN_APP_STREAM=]NAME, such as DESTINATION_SQL_STREAM=stats", flag, v)
	}
	return inApp, name, nil
}

// parseStartingPositionFlag accepts NOW, TRIM_HORIZON and
// LAST_STOPPED_POINT in any case, with - or _; "latest" means NOW.
func parseStartingPositionFlag(flag, s string) (katypes.InputStartingPosition, error) {
	p := katypes.InputStartingPosition(strings.ToUpper(strings.ReplaceAll(s, "-", "_")))
	if p == "LATEST" {
		p = katypes.InputStartingPositionNow
	}
	switch p {
	case katypes.InputStartingPositionNow, katypes.InputStartingPositionTrimHorizon, katypes.InputStartingPositionLastStoppedPoint:
		return p, nil
	}
	return "", fmt.Errorf("--%s %q: want NOW, TRIM_HORIZON or LAST_STOPPED_POINT", flag, s)
}

// readSchema reads a SourceSchema from JSON with AWS's member names: the
// schema itself, or a DiscoverInputSchema answer holding it as InputSchema.
func readSchema(data []byte) (*katypes.SourceSchema, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, err
	}
	if in, ok := probe["InputSchema"]; ok {
		data = in
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s katypes.SourceSchema
	if err := dec.Decode(&s); err != nil {
		return nil, err
	}
	if len(s.RecordColumns) == 0 || s.RecordFormat == nil {
		return nil, errors.New("want a SourceSchema with RecordFormat and RecordColumns")
	}
	return &s, nil
}

func (a *app) createApp(ctx context.Context, ac *kinesisanalytics.Client, name string, o *createAppOpts) error {
	code, err := o.readCode()
	if err != nil {
		return fmt.Errorf("--code: %w", err)
	}
	format := katypes.RecordFormatType(strings.ToUpper(o.format))
	if format != katypes.RecordFormatTypeJson && format != katypes.RecordFormatTypeCsv {
		return fmt.Errorf("--format %q: want JSON or CSV", o.format)
	}
	var start katypes.InputStartingPosition
	if o.start {
		if start, err = parseStartingPositionFlag("from", o.from); err != nil {
			return err
		}
	}
	discoverFrom, err := parseStartingPositionFlag("discover-from", o.discoverFrom)
	if err != nil {
		return err
	}
	if len(o.outputs)+len(o.firehoses)+len(o.functions) > 3 {
		return errors.New("at most three outputs (--output, --output-firehose, --output-function), as on AWS")
	}
	streamARN, err := a.streamOrARN(ctx, o.inputStream)
	if err != nil {
		return err
	}
	in := katypes.Input{
		NamePrefix:          aws.String(o.namePrefix),
		KinesisStreamsInput: &katypes.KinesisStreamsInput{ResourceARN: aws.String(streamARN), RoleARN: aws.String(o.roleARN)},
	}
	if o.parallelism > 0 {
		in.InputParallelism = &katypes.InputParallelism{Count: aws.Int32(o.parallelism)}
	}
	if o.schema != "" {
		data, err := os.ReadFile(o.schema)
		if err != nil {
			return fmt.Errorf("--schema: %w", err)
		}
		if in.InputSchema, err = readSchema(data); err != nil {
			return fmt.Errorf("--schema %s: %w", o.schema, err)
		}
	} else {
		out, err := ac.DiscoverInputSchema(ctx, &kinesisanalytics.DiscoverInputSchemaInput{
			ResourceARN:                        aws.String(streamARN),
			RoleARN:                            aws.String(o.roleARN),
			InputStartingPositionConfiguration: &katypes.InputStartingPositionConfiguration{InputStartingPosition: discoverFrom},
		})
		if err != nil {
			return fmt.Errorf("discovering the schema of %s (put records into it first, or give --schema): %w", o.inputStream, err)
		}
		in.InputSchema = out.InputSchema
		var cols []string
		for _, c := range out.InputSchema.RecordColumns {
			cols = append(cols, aws.ToString(c.Name)+" "+aws.ToString(c.SqlType))
		}
		fmt.Fprintf(o.stderr, "discovered %s columns of %s: %s\n", formatOf(out.InputSchema), o.inputStream, strings.Join(cols, ", "))
	}
	var outputs []katypes.Output
	for _, kind := range []struct {
		flag  string
		vals  []string
		build func(inApp, arn string) katypes.Output
	}{
		{"output", o.outputs, func(inApp, arn string) katypes.Output {
			return katypes.Output{Name: aws.String(inApp), KinesisStreamsOutput: &katypes.KinesisStreamsOutput{ResourceARN: aws.String(arn), RoleARN: aws.String(o.roleARN)}}
		}},
		{"output-firehose", o.firehoses, func(inApp, arn string) katypes.Output {
			return katypes.Output{Name: aws.String(inApp), KinesisFirehoseOutput: &katypes.KinesisFirehoseOutput{ResourceARN: aws.String(arn), RoleARN: aws.String(o.roleARN)}}
		}},
		{"output-function", o.functions, func(inApp, arn string) katypes.Output {
			return katypes.Output{Name: aws.String(inApp), LambdaOutput: &katypes.LambdaOutput{ResourceARN: aws.String(arn), RoleARN: aws.String(o.roleARN)}}
		}},
	} {
		for _, v := range kind.vals {
			inApp, target, err := parseOutputFlag(kind.flag, v)
			if err != nil {
				return err
			}
			arn, err := a.resolveARN(ctx, kind.flag, target)
			if err != nil {
				return err
			}
			out := kind.build(inApp, arn)
			out.DestinationSchema = &katypes.DestinationSchema{RecordFormatType: format}
			outputs = append(outputs, out)
		}
	}
	req := &kinesisanalytics.CreateApplicationInput{
		ApplicationName: aws.String(name),
		ApplicationCode: aws.String(string(code)),
		Inputs:          []katypes.Input{in},
		Outputs:         outputs,
	}
	if o.description != "" {
		req.ApplicationDescription = aws.String(o.description)
	}
	out, err := ac.CreateApplication(ctx, req)
	if err != nil {
		return err
	}
	status := katypes.ApplicationStatusReady
	if s := out.ApplicationSummary; s != nil && s.ApplicationStatus != "" {
		status = s.ApplicationStatus
	}
	fmt.Fprintf(o.stdout, "created application %s (%s)\n", name, status)
	if !o.start {
		return nil
	}
	return startApp(ctx, ac, name, start, o.wait, o.stdout)
}

func formatOf(s *katypes.SourceSchema) string {
	if s == nil || s.RecordFormat == nil {
		return "?"
	}
	return string(s.RecordFormat.RecordFormatType)
}

// resolveARN turns the name of an output's destination into its ARN:
// a stream (DescribeStreamSummary), a delivery stream
// (DescribeDeliveryStream) or a function (GetFunction). ARNs pass
// unchanged.
func (a *app) resolveARN(ctx context.Context, flag, name string) (string, error) {
	if strings.HasPrefix(name, "arn:") {
		return name, nil
	}
	switch flag {
	case "output-firehose":
		fc, err := a.firehoseClient()
		if err != nil {
			return "", err
		}
		out, err := fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
		if err != nil {
			return "", fmt.Errorf("delivery stream %s: %w", name, err)
		}
		return aws.ToString(out.DeliveryStreamDescription.DeliveryStreamARN), nil
	case "output-function":
		lc, err := a.lambdaClient()
		if err != nil {
			return "", err
		}
		out, err := lc.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
		if err != nil {
			return "", fmt.Errorf("function %s: %w", name, err)
		}
		return aws.ToString(out.FunctionArn), nil
	}
	return a.streamOrARN(ctx, name)
}

func newAppsStartCmd(a *app) *cobra.Command {
	var (
		from string
		wait bool
	)
	cmd := &cobra.Command{
		Use:   "start NAME",
		Short: "Start an application",
		Long: `Start a READY application (StartApplication). --from says where it starts
reading its input: NOW (records put from now on, the default), TRIM_HORIZON
(every record the stream still holds) or LAST_STOPPED_POINT (where it
stopped last time, with the window state it had, so no result is lost or
doubled). The application goes STARTING, then RUNNING; --wait returns once
it is RUNNING.`,
		Example: `  kinesin apps start ticker-stats
  kinesin apps start ticker-stats --from TRIM_HORIZON --wait
  kinesin apps start ticker-stats --from LAST_STOPPED_POINT`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pos, err := parseStartingPositionFlag("from", from)
			if err != nil {
				return err
			}
			ac, err := a.analyticsClient()
			if err != nil {
				return err
			}
			return startApp(cmd.Context(), ac, args[0], pos, wait, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&from, "from", "NOW", "where to start reading: NOW, TRIM_HORIZON or LAST_STOPPED_POINT")
	cmd.Flags().BoolVar(&wait, "wait", false, "return once the application is RUNNING")
	return cmd
}

// startApp starts every input of the application from pos.
func startApp(ctx context.Context, ac *kinesisanalytics.Client, name string, pos katypes.InputStartingPosition, wait bool, stdout io.Writer) error {
	out, err := ac.DescribeApplication(ctx, &kinesisanalytics.DescribeApplicationInput{ApplicationName: aws.String(name)})
	if err != nil {
		return err
	}
	var configs []katypes.InputConfiguration
	for _, in := range out.ApplicationDetail.InputDescriptions {
		configs = append(configs, katypes.InputConfiguration{
			Id:                                 in.InputId,
			InputStartingPositionConfiguration: &katypes.InputStartingPositionConfiguration{InputStartingPosition: pos},
		})
	}
	if len(configs) == 0 {
		return fmt.Errorf("application %s has no input to start", name)
	}
	if _, err := ac.StartApplication(ctx, &kinesisanalytics.StartApplicationInput{ApplicationName: aws.String(name), InputConfigurations: configs}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "starting application %s from %s\n", name, pos)
	if !wait {
		return nil
	}
	if err := waitAppStatus(ctx, ac, name, katypes.ApplicationStatusRunning); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "application %s is RUNNING\n", name)
	return nil
}

// waitAppStatus polls until the application has status want.
func waitAppStatus(ctx context.Context, ac *kinesisanalytics.Client, name string, want katypes.ApplicationStatus) error {
	var last katypes.ApplicationStatus
	err := pollUntil(ctx, func() (bool, error) {
		out, err := ac.DescribeApplication(ctx, &kinesisanalytics.DescribeApplicationInput{ApplicationName: aws.String(name)})
		if err != nil {
			return false, err
		}
		last = out.ApplicationDetail.ApplicationStatus
		if last == katypes.ApplicationStatusDeleting {
			return false, fmt.Errorf("application %s is being deleted", name)
		}
		// A start that fails goes back to READY; waiting for RUNNING
		// then would never end.
		if want == katypes.ApplicationStatusRunning && last == katypes.ApplicationStatusReady {
			return false, fmt.Errorf("application %s went back to READY instead of RUNNING (see the server's log)", name)
		}
		return last == want, nil
	})
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("waiting for %s (status %s): %w", want, cmp.Or(string(last), "unknown"), err)
	}
	return err
}

func newAppsStopCmd(a *app) *cobra.Command {
	var wait bool
	cmd := &cobra.Command{
		Use:   "stop NAME",
		Short: "Stop an application",
		Long: `Stop a RUNNING application (StopApplication). It checkpoints its position in
the input and its window state, goes STOPPING, then READY; --wait returns
once it is READY. Start it again with --from LAST_STOPPED_POINT to continue
where it stopped.`,
		Example: `  kinesin apps stop ticker-stats --wait`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ac, err := a.analyticsClient()
			if err != nil {
				return err
			}
			ctx, name := cmd.Context(), args[0]
			if _, err := ac.StopApplication(ctx, &kinesisanalytics.StopApplicationInput{ApplicationName: aws.String(name)}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "stopping application %s\n", name)
			if !wait {
				return nil
			}
			if err := waitAppStatus(ctx, ac, name, katypes.ApplicationStatusReady); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "application %s is READY\n", name)
			return nil
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "return once the application is READY")
	return cmd
}

func newAppsRmCmd(a *app) *cobra.Command {
	var wait bool
	cmd := &cobra.Command{
		Use:     "rm NAME",
		Aliases: []string{"delete"},
		Short:   "Delete an application",
		Long: `Delete an application (DeleteApplication, with the creation time
DescribeApplication reports, as AWS requires). A running application is
stopped first by the server. Its input and output streams are left alone.
With --wait the command returns once the application no longer exists.`,
		Example: `  kinesin apps rm ticker-stats --wait`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ac, err := a.analyticsClient()
			if err != nil {
				return err
			}
			ctx, name := cmd.Context(), args[0]
			out, err := ac.DescribeApplication(ctx, &kinesisanalytics.DescribeApplicationInput{ApplicationName: aws.String(name)})
			if err != nil {
				return err
			}
			created := out.ApplicationDetail.CreateTimestamp
			if created == nil {
				created = aws.Time(time.Time{})
			}
			if _, err := ac.DeleteApplication(ctx, &kinesisanalytics.DeleteApplicationInput{ApplicationName: aws.String(name), CreateTimestamp: created}); err != nil {
				return err
			}
			return deleting(ctx, cmd.OutOrStdout(), "application "+name, wait, isAppNotFound, func() error {
				_, err := ac.DescribeApplication(ctx, &kinesisanalytics.DescribeApplicationInput{ApplicationName: aws.String(name)})
				return err
			})
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "return only once the application is gone")
	return cmd
}
