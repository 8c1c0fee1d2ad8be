package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kinesin/kinesin/internal/pipeline"
	"github.com/kinesin/kinesin/triggers/mappings"
	"github.com/kinesin/kinesin/triggers/reader"
)

func newMappingsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "mappings",
		Aliases: []string{"mapping", "esm"},
		Short:   "Connect streams to functions (event source mappings)",
		Long: `An event source mapping reads a stream and invokes a function with batches
of its records, as AWS Lambda's event source mappings for Kinesis do: it
reads every shard from its starting position, keeps a checkpoint per shard,
retries a failed batch (whole, bisected, or from the first failed record
the function reports) and finally gives records up to an on-failure
destination. A mapping runs in one kinesin process at a time per shard,
whichever holds the shard's lease.

These commands use the Lambda API any AWS SDK uses
(CreateEventSourceMapping, ListEventSourceMappings, GetEventSourceMapping,
DeleteEventSourceMapping) at --endpoint; describe adds kinesin's per-shard
progress. To keep mappings declared in a file instead, see kinesin apply
and docs/mappings.md.`,
		Example: `  kinesin mappings create --function enrich --stream orders
  kinesin mappings create --function enrich --stream orders --batch-size 500 \
      --filter '{"data":{"type":["order"]}}' --report-batch-item-failures --wait
  kinesin mappings ls
  kinesin mappings describe 6e1c0a5e-0c7a-4b8e-9d8f-3f2a1b0c9d8e
  kinesin mappings rm --function enrich --stream orders`,
	}
	cmd.AddCommand(newMappingsCreateCmd(a), newMappingsLsCmd(a), newMappingsDescribeCmd(a), newMappingsRmCmd(a))
	return cmd
}

// secondsFlag is a duration flag in whole seconds, as the Lambda API counts
// them. It takes "30", "30s" or "5m"; with unlimited, also -1 (or
// "unlimited") for no limit.
type secondsFlag struct {
	v         int32
	unlimited bool
}

var _ pflag.Value = (*secondsFlag)(nil)

func (s *secondsFlag) String() string {
	if s.v < 0 {
		return "-1"
	}
	return (time.Duration(s.v) * time.Second).String()
}

func (s *secondsFlag) Type() string { return "seconds" }

func (s *secondsFlag) Set(v string) error {
	if s.unlimited && (v == "-1" || strings.EqualFold(v, "unlimited")) {
		s.v = -1
		return nil
	}
	if n, err := strconv.ParseInt(v, 10, 32); err == nil && n >= 0 {
		s.v = int32(n)
		return nil
	}
	d, err := time.ParseDuration(v)
	switch {
	case err != nil || d < 0:
		if s.unlimited {
			return errors.New("want seconds (30), a duration (5m) or -1 for no limit")
		}
		return errors.New("want seconds (30) or a duration (5m)")
	case d%time.Second != 0:
		return errors.New("must be whole seconds")
	case d/time.Second > 1<<31-1:
		return errors.New("too long")
	}
	s.v = int32(d / time.Second)
	return nil
}

// streamOrARN resolves a stream name to its ARN (DescribeStreamSummary),
// so that ARNs carry the region and account the server reports. ARNs pass
// unchanged.
func (a *app) streamOrARN(ctx context.Context, s string) (string, error) {
	if strings.HasPrefix(s, "arn:") {
		return s, nil
	}
	c, err := a.client()
	if err != nil {
		return "", err
	}
	out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(s)})
	if err != nil {
		return "", fmt.Errorf("stream %s: %w", s, err)
	}
	return aws.ToString(out.StreamDescriptionSummary.StreamARN), nil
}

// parseStartingPosition accepts the Lambda names in any case, with - or _.
func parseStartingPosition(s string) (ltypes.EventSourcePosition, error) {
	p := ltypes.EventSourcePosition(strings.ToUpper(strings.ReplaceAll(s, "-", "_")))
	switch p {
	case ltypes.EventSourcePositionTrimHorizon, ltypes.EventSourcePositionLatest, ltypes.EventSourcePositionAtTimestamp:
		return p, nil
	}
	return "", fmt.Errorf("--starting-position %q: want TRIM_HORIZON, LATEST or AT_TIMESTAMP", s)
}

// parseStartingTimestamp takes an RFC 3339 time, a date (midnight UTC) or
// a duration meaning that long before now.
func parseStartingTimestamp(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d).Truncate(time.Second), nil
	}
	return time.Time{}, fmt.Errorf("--starting-timestamp %q: want an RFC 3339 time (2025-06-01T12:00:00Z), a date (2025-06-01) or a duration ago (15m)", s)
}

type createMappingOpts struct {
	function, stream, sourceARN string
	position, timestamp         string
	batchSize                   int32
	parallelization             int32
	retries                     int32
	window, maxAge, tumbling    secondsFlag
	bisect, reportFailures      bool
	filters                     []string
	onFailure                   string
	disabled, wait              bool
}

func newMappingsCreateCmd(a *app) *cobra.Command {
	o := createMappingOpts{maxAge: secondsFlag{v: -1, unlimited: true}}
	cmd := &cobra.Command{
		Use:   "create --function NAME (--stream NAME | --source-arn ARN)",
		Short: "Create an event source mapping from a stream to a function",
		Long: `Create an event source mapping (CreateEventSourceMapping) that invokes the
function with batches of the stream's records, and print its UUID and
state. --stream NAME is looked up (DescribeStreamSummary) to get the ARN
with the server's region and account; --source-arn takes a stream ARN, or a
stream consumer ARN to read through enhanced fan-out. Lambda keeps one
mapping per function and stream: creating a second one fails with
ResourceConflictException.

The mapping starts in state Creating; a kinesin process picks it up and
moves it to Enabled (Disabled with --disabled) within moments. --wait
returns only then.

--starting-position says where the mapping starts reading each shard:
TRIM_HORIZON (the default here, unlike AWS where it is required: the oldest
record kept, so records put before the mapping existed are processed too),
LATEST (only records put after the mapping is created) or AT_TIMESTAMP
(records put at or after --starting-timestamp, which alone implies it). It
matters only when the mapping is created: afterwards each shard continues
from its checkpoint, and it cannot be changed.

Flags left out take Lambda's defaults: batch size 100, no batching window,
parallelization 1, retries and record age unlimited (-1), no bisecting, no
partial batch responses, no tumbling window, no filters, no on-failure
destination. Durations take seconds (30) or Go durations (5m).

--filter PATTERN (up to 5, ORed) passes only records whose data matches:
Lambda's JSON filter syntax on data, such as {"data":{"type":["order"]}},
or kinesin's "cel:" and a CEL expression over data, such as
"cel:data.amount > 100". Records that match no filter are skipped.

--on-failure takes a stream name or an ARN: when a batch is given up on
(retries or record age exhausted), a record describing it (Lambda's
OnFailure record: shard, sequence number range, reason; not the data) is
sent there.`,
		Example: `  kinesin mappings create --function enrich --stream orders
  kinesin mappings create --function enrich:live --stream orders --starting-position latest \
      --batch-size 500 --batching-window 2s --parallelization 4 --wait
  kinesin mappings create --function enrich --stream orders --retries 3 --bisect \
      --report-batch-item-failures --on-failure orders-failed
  kinesin mappings create --function audit --stream orders --starting-timestamp 2025-06-01T00:00:00Z \
      --filter '{"data":{"type":["refund"]}}' --filter 'cel:data.amount > 1000'
  kinesin mappings create --function enrich \
      --source-arn arn:aws:kinesis:us-east-1:000000000000:stream/orders --disabled`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lc, err := a.lambdaClient()
			if err != nil {
				return err
			}
			in, err := createMappingInput(cmd, a, &o)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			out, err := lc.CreateEventSourceMapping(ctx, in)
			if err != nil {
				return err
			}
			uuid, state := aws.ToString(out.UUID), aws.ToString(out.State)
			fmt.Fprintf(cmd.ErrOrStderr(), "created mapping %s: %s → %s (%s)\n", uuid, sourceName(aws.ToString(out.EventSourceArn)),
				pipeline.FunctionOf(aws.ToString(out.FunctionArn)), out.StartingPosition)
			if o.wait {
				cfg, err := waitMappingSettled(ctx, lc, uuid)
				if err != nil {
					return err
				}
				state = aws.ToString(cfg.State)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\n", uuid, state)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.function, "function", "", "function to invoke: NAME, NAME:VERSION, NAME:ALIAS or an ARN (required)")
	f.StringVar(&o.stream, "stream", "", "name of the stream to read")
	f.StringVar(&o.sourceARN, "source-arn", "", "ARN of the stream (or stream consumer) to read, in place of --stream")
	f.StringVar(&o.position, "starting-position", "TRIM_HORIZON", "TRIM_HORIZON, LATEST or AT_TIMESTAMP")
	f.StringVar(&o.timestamp, "starting-timestamp", "", "start time for AT_TIMESTAMP: RFC 3339, a date, or a duration ago (1h); implies AT_TIMESTAMP")
	f.Int32Var(&o.batchSize, "batch-size", 100, "most records per invocation, 1–10000")
	f.Var(&o.window, "batching-window", "gather records this long before invoking with a smaller batch, 0–300s")
	f.Int32Var(&o.parallelization, "parallelization", 1, "batches of one shard processed at once, 1–10 (order kept per partition key)")
	f.Int32Var(&o.retries, "retries", -1, "retries of a failed batch before giving it up, -1 (until the records expire) to 10000")
	f.Var(&o.maxAge, "max-record-age", "give up on records older than this, -1 (no limit) or 60s–168h")
	f.BoolVar(&o.bisect, "bisect", false, "split a failed batch in two and retry the halves")
	f.BoolVar(&o.reportFailures, "report-batch-item-failures", false, "the function reports failed records (batchItemFailures); retry from the first of them")
	f.Var(&o.tumbling, "tumbling-window", "aggregate across batches in tumbling windows of this length, 0–900s")
	f.StringArrayVar(&o.filters, "filter", nil, `filter pattern (repeatable, ORed): JSON such as '{"data":{"type":["order"]}}' or 'cel:EXPR'`)
	f.StringVar(&o.onFailure, "on-failure", "", "stream name or ARN that receives a record for each batch given up on")
	f.BoolVar(&o.disabled, "disabled", false, "create the mapping disabled (it reads nothing until enabled)")
	f.BoolVar(&o.wait, "wait", false, "return only once the mapping is Enabled (or Disabled)")
	_ = cmd.MarkFlagRequired("function")
	cmd.MarkFlagsOneRequired("stream", "source-arn")
	cmd.MarkFlagsMutuallyExclusive("stream", "source-arn")
	return cmd
}

// createMappingInput turns the flags into the request. Flags not given are
// left out, so that the server applies Lambda's defaults.
func createMappingInput(cmd *cobra.Command, a *app, o *createMappingOpts) (*lambda.CreateEventSourceMappingInput, error) {
	ctx, changed := cmd.Context(), cmd.Flags().Changed
	pos, err := parseStartingPosition(o.position)
	if err != nil {
		return nil, err
	}
	in := &lambda.CreateEventSourceMappingInput{FunctionName: aws.String(o.function)}
	switch {
	case o.timestamp != "" && changed("starting-position") && pos != ltypes.EventSourcePositionAtTimestamp:
		return nil, fmt.Errorf("--starting-timestamp goes with --starting-position AT_TIMESTAMP, not %s", pos)
	case o.timestamp != "":
		t, err := parseStartingTimestamp(o.timestamp, time.Now())
		if err != nil {
			return nil, err
		}
		pos, in.StartingPositionTimestamp = ltypes.EventSourcePositionAtTimestamp, aws.Time(t)
	case pos == ltypes.EventSourcePositionAtTimestamp:
		return nil, errors.New("--starting-position AT_TIMESTAMP needs --starting-timestamp")
	}
	in.StartingPosition = pos
	if o.sourceARN != "" {
		in.EventSourceArn = aws.String(o.sourceARN)
	} else {
		arn, err := a.streamOrARN(ctx, o.stream)
		if err != nil {
			return nil, err
		}
		in.EventSourceArn = aws.String(arn)
	}
	if changed("batch-size") {
		in.BatchSize = aws.Int32(o.batchSize)
	}
	if changed("batching-window") {
		in.MaximumBatchingWindowInSeconds = aws.Int32(o.window.v)
	}
	if changed("parallelization") {
		in.ParallelizationFactor = aws.Int32(o.parallelization)
	}
	if changed("retries") {
		in.MaximumRetryAttempts = aws.Int32(o.retries)
	}
	if changed("max-record-age") {
		in.MaximumRecordAgeInSeconds = aws.Int32(o.maxAge.v)
	}
	if changed("bisect") {
		in.BisectBatchOnFunctionError = aws.Bool(o.bisect)
	}
	if o.reportFailures {
		in.FunctionResponseTypes = []ltypes.FunctionResponseType{ltypes.FunctionResponseTypeReportBatchItemFailures}
	}
	if changed("tumbling-window") {
		in.TumblingWindowInSeconds = aws.Int32(o.tumbling.v)
	}
	if len(o.filters) > 0 {
		in.FilterCriteria = &ltypes.FilterCriteria{}
		for _, p := range o.filters {
			in.FilterCriteria.Filters = append(in.FilterCriteria.Filters, ltypes.Filter{Pattern: aws.String(p)})
		}
	}
	if o.onFailure != "" {
		arn, err := a.streamOrARN(ctx, o.onFailure)
		if err != nil {
			return nil, fmt.Errorf("--on-failure: %w", err)
		}
		in.DestinationConfig = &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(arn)}}
	}
	if o.disabled {
		in.Enabled = aws.Bool(false)
	}
	return in, nil
}

// waitMappingSettled polls until the mapping leaves its transitional state
// (Creating, Enabling, Disabling, Updating) and returns it.
func waitMappingSettled(ctx context.Context, lc *lambda.Client, uuid string) (*lambda.GetEventSourceMappingOutput, error) {
	var last *lambda.GetEventSourceMappingOutput
	err := pollUntil(ctx, func() (bool, error) {
		out, err := lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
		if err != nil {
			return false, err
		}
		last = out
		switch aws.ToString(out.State) {
		case mappings.StateEnabled, mappings.StateDisabled:
			return true, nil
		case mappings.StateDeleting:
			return false, fmt.Errorf("mapping %s is being deleted", uuid)
		}
		return false, nil
	})
	return last, err
}

func newMappingsLsCmd(a *app) *cobra.Command {
	var function, stream string
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List event source mappings",
		Long: `List the event source mappings (ListEventSourceMappings) as a table: UUID,
function, source stream, state, the result of the last batch processed
(OK, "No records processed" or a PROBLEM) and batch size.

--function keeps those of one function (NAME, NAME:QUALIFIER or an ARN);
--stream those of one stream (a name or an ARN).`,
		Example: `  kinesin mappings ls
  kinesin mappings ls --function enrich
  kinesin mappings ls --stream orders`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lc, err := a.lambdaClient()
			if err != nil {
				return err
			}
			ms, err := findMappings(cmd.Context(), lc, function, stream)
			if err != nil {
				return err
			}
			if len(ms) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "no event source mappings")
				return nil
			}
			tw := newTable(cmd.OutOrStdout())
			fmt.Fprintln(tw, "UUID\tFUNCTION\tSOURCE\tSTATE\tLAST RESULT\tBATCH SIZE")
			for _, m := range ms {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", aws.ToString(m.UUID), pipeline.FunctionOf(aws.ToString(m.FunctionArn)),
					sourceName(aws.ToString(m.EventSourceArn)), aws.ToString(m.State), cmp.Or(aws.ToString(m.LastProcessingResult), "-"),
					aws.ToInt32(m.BatchSize))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&function, "function", "", "only the mappings of this function")
	cmd.Flags().StringVar(&stream, "stream", "", "only the mappings reading this stream (name or ARN)")
	return cmd
}

// findMappings lists every mapping, keeping those of function and stream
// when given. It filters here rather than with ListEventSourceMappings'
// parameters so that names, qualified names and ARNs all work alike.
func findMappings(ctx context.Context, lc *lambda.Client, function, stream string) ([]ltypes.EventSourceMappingConfiguration, error) {
	var out []ltypes.EventSourceMappingConfiguration
	p := lambda.NewListEventSourceMappingsPaginator(lc, &lambda.ListEventSourceMappingsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, m := range page.EventSourceMappings {
			if function != "" && !sameFunction(aws.ToString(m.FunctionArn), function) {
				continue
			}
			if stream != "" && !sameSource(aws.ToString(m.EventSourceArn), stream) {
				continue
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// sameFunction says whether the mapping's function ARN is the function the
// user named: by ARN, by NAME:QUALIFIER, or by NAME for an unqualified one.
func sameFunction(arn, want string) bool {
	if strings.HasPrefix(want, "arn:") {
		return arn == want
	}
	return pipeline.FunctionOf(arn) == want
}

// sameSource says whether the mapping reads the stream the user named, by
// name or by ARN.
func sameSource(arn, want string) bool {
	if strings.HasPrefix(want, "arn:") {
		return arn == want
	}
	name, _ := streamOfARN(arn)
	return name == want
}

// streamOfARN returns the stream name and consumer name (if any) of a
// Kinesis stream or consumer ARN.
func streamOfARN(arn string) (stream, consumer string) {
	_, rest, ok := strings.Cut(arn, ":stream/")
	if !ok || !strings.HasPrefix(arn, "arn:") {
		return "", ""
	}
	stream, c, ok := strings.Cut(rest, "/consumer/")
	if ok {
		consumer, _, _ = strings.Cut(c, ":")
	}
	return stream, consumer
}

// sourceName is how tables show a source: the stream name, with the
// consumer when there is one, or the ARN when it is not a stream's.
func sourceName(arn string) string {
	stream, consumer := streamOfARN(arn)
	switch {
	case stream == "":
		return arn
	case consumer != "":
		return stream + " (consumer " + consumer + ")"
	}
	return stream
}

func newMappingsDescribeCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "describe UUID",
		Short: "Show a mapping's configuration and each shard's progress",
		Long: `Show an event source mapping's configuration (GetEventSourceMapping) and
the progress of each shard it reads, from kinesin's extension beside the
Lambda API (GET /kinesin/v1/event-source-mappings/UUID/shards):

  CHECKPOINT    sequence number of the last record handled (- before any)
  FINISHED      a closed shard (after a split or merge) read to its end
  OWNER         the kinesin process holding the shard's lease (- when none)
  ITERATOR AGE  how far behind the newest record the mapping is
  RECORDS       records handled, filtered ones excluded
  INVOCATIONS   function calls, retries included
  ERRORS        calls that failed (function errors, partial failures)
  THROTTLES     calls refused for lack of capacity (concurrency)
  RETRIED       records sent again after a failure
  FILTERED      records that matched no filter, skipped
  DROPPED       records given up on (retries exhausted or too old)
  ON-FAILURE    records described to the on-failure destination

Counters add up the work of every kinesin process since the mapping was
created. The TOTAL line sums them, with the largest iterator age.`,
		Example: `  kinesin mappings describe 6e1c0a5e-0c7a-4b8e-9d8f-3f2a1b0c9d8e
  kinesin mappings describe $(kinesin mappings ls --function enrich | awk 'NR==2 {print $1}')`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lc, err := a.lambdaClient()
			if err != nil {
				return err
			}
			ctx, uuid := cmd.Context(), args[0]
			m, err := lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
			if err != nil {
				return err
			}
			var shards struct{ Shards []mappings.ShardStatus }
			serr := a.extensionGet(ctx, "/kinesin/v1/event-source-mappings/"+url.PathEscape(uuid)+"/shards", &shards)
			w := cmd.OutOrStdout()
			if err := printMapping(w, m); err != nil {
				return err
			}
			if serr != nil {
				return fmt.Errorf("shard progress: %w", serr)
			}
			fmt.Fprintln(w)
			return printShards(w, shards.Shards)
		},
	}
}

func printMapping(w io.Writer, m *lambda.GetEventSourceMappingOutput) error {
	tw := newTable(w)
	row := func(k, format string, args ...any) {
		fmt.Fprintf(tw, "%s:\t"+format+"\n", append([]any{k}, args...)...)
	}
	row("UUID", "%s", aws.ToString(m.UUID))
	if arn := aws.ToString(m.EventSourceMappingArn); arn != "" {
		row("ARN", "%s", arn)
	}
	row("Function", "%s", aws.ToString(m.FunctionArn))
	row("Source", "%s", aws.ToString(m.EventSourceArn))
	state := aws.ToString(m.State)
	if r := aws.ToString(m.StateTransitionReason); r != "" {
		state += " (" + r + ")"
	}
	row("State", "%s", state)
	row("Last result", "%s", cmp.Or(aws.ToString(m.LastProcessingResult), "-"))
	pos := string(m.StartingPosition)
	if t := m.StartingPositionTimestamp; t != nil {
		pos += " " + t.UTC().Format(time.RFC3339)
	}
	row("Starting position", "%s", pos)
	row("Batch size", "%d", aws.ToInt32(m.BatchSize))
	row("Batching window", "%s", seconds(aws.ToInt32(m.MaximumBatchingWindowInSeconds), "none"))
	row("Parallelization", "%d", aws.ToInt32(m.ParallelizationFactor))
	if r := aws.ToInt32(m.MaximumRetryAttempts); r < 0 {
		row("Retries", "until the records expire")
	} else {
		row("Retries", "%d", r)
	}
	if age := aws.ToInt32(m.MaximumRecordAgeInSeconds); age < 0 {
		row("Max record age", "no limit")
	} else {
		row("Max record age", "%s", seconds(age, "none"))
	}
	row("Bisect on error", "%t", aws.ToBool(m.BisectBatchOnFunctionError))
	if slices.Contains(m.FunctionResponseTypes, ltypes.FunctionResponseTypeReportBatchItemFailures) {
		row("Batch item failures", "reported by the function")
	} else {
		row("Batch item failures", "not reported (a batch fails as a whole)")
	}
	row("Tumbling window", "%s", seconds(aws.ToInt32(m.TumblingWindowInSeconds), "none"))
	var filters []string
	if m.FilterCriteria != nil {
		for _, f := range m.FilterCriteria.Filters {
			filters = append(filters, aws.ToString(f.Pattern))
		}
	}
	if len(filters) == 0 {
		row("Filters", "none")
	}
	for i, f := range filters {
		row(fmt.Sprintf("Filter %d", i+1), "%s", f)
	}
	onFailure := "none"
	if d := m.DestinationConfig; d != nil && d.OnFailure != nil {
		onFailure = cmp.Or(aws.ToString(d.OnFailure.Destination), "none")
	}
	row("On failure", "%s", onFailure)
	if t := m.LastModified; t != nil {
		row("Last modified", "%s", t.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
}

// seconds renders a count of seconds as a duration, or zero as none.
func seconds(s int32, zero string) string {
	if s == 0 {
		return zero
	}
	return (time.Duration(s) * time.Second).String()
}

func printShards(w io.Writer, shards []mappings.ShardStatus) error {
	if len(shards) == 0 {
		fmt.Fprintln(w, "no shards read yet")
		return nil
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "SHARD\tCHECKPOINT\tFINISHED\tOWNER\tITERATOR AGE\tRECORDS\tINVOCATIONS\tERRORS\tTHROTTLES\tRETRIED\tFILTERED\tDROPPED\tON-FAILURE")
	stats := func(s reader.Stats) string {
		return fmt.Sprintf("%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d", s.Records, s.Invocations, s.Errors, s.Throttles, s.Retried, s.Filtered, s.Dropped, s.OnFailure)
	}
	var total reader.Stats
	var maxAge int64
	finished := 0
	for _, s := range shards {
		fin := "no"
		if s.Finished {
			fin = "yes"
			finished++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ShardID, cmp.Or(s.Checkpoint, "-"), fin, cmp.Or(s.Owner, "-"),
			age(s.IteratorAgeMilliseconds), stats(s.Stats))
		total.Add(s.Stats)
		maxAge = max(maxAge, s.IteratorAgeMilliseconds)
	}
	fmt.Fprintf(tw, "TOTAL (%d shard%s)\t\t%d/%d\t\t%s\t%s\n", len(shards), plural(len(shards)), finished, len(shards), age(maxAge), stats(total))
	return tw.Flush()
}

func age(ms int64) string {
	return (time.Duration(ms) * time.Millisecond).String()
}

func newMappingsRmCmd(a *app) *cobra.Command {
	var function, stream string
	var wait bool
	cmd := &cobra.Command{
		Use:   "rm (UUID | --function NAME --stream NAME)",
		Short: "Delete an event source mapping",
		Long: `Delete an event source mapping (DeleteEventSourceMapping), by UUID or by its
function and stream. Its readers stop and its checkpoints are removed: a
new mapping of the same function and stream starts again from its own
starting position. The stream and the function are left alone. A mapping
being created or updated is deleted once that is done. With --wait the
command returns once the mapping no longer exists.`,
		Example: `  kinesin mappings rm 6e1c0a5e-0c7a-4b8e-9d8f-3f2a1b0c9d8e
  kinesin mappings rm --function enrich --stream orders --wait`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 1 && (function != "" || stream != ""):
				return errors.New("give a UUID or --function and --stream, not both")
			case len(args) == 0 && (function == "" || stream == ""):
				return errors.New("give the mapping's UUID, or --function and --stream")
			}
			lc, err := a.lambdaClient()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var uuid string
			if len(args) == 1 {
				uuid = args[0]
			} else {
				ms, err := findMappings(ctx, lc, function, stream)
				if err != nil {
					return err
				}
				switch len(ms) {
				case 0:
					return fmt.Errorf("no event source mapping of function %s on stream %s", function, stream)
				case 1:
					uuid = aws.ToString(ms[0].UUID)
				default:
					var uuids []string
					for _, m := range ms {
						uuids = append(uuids, aws.ToString(m.UUID))
					}
					return fmt.Errorf("%d mappings of function %s on stream %s (%s): give the UUID", len(ms), function, stream, strings.Join(uuids, ", "))
				}
			}
			out, err := lc.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(uuid)})
			var inUse *ltypes.ResourceInUseException
			if errors.As(err, &inUse) {
				// Being created or updated: delete it once that is done.
				if _, err := waitMappingSettled(ctx, lc, uuid); err != nil {
					return err
				}
				out, err = lc.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(uuid)})
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "deleting mapping %s (%s → %s)\n", uuid, sourceName(aws.ToString(out.EventSourceArn)),
				pipeline.FunctionOf(aws.ToString(out.FunctionArn)))
			if !wait {
				return nil
			}
			err = pollUntil(ctx, func() (bool, error) {
				_, err := lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
				var nf *ltypes.ResourceNotFoundException
				if errors.As(err, &nf) {
					return true, nil
				}
				return false, err
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "mapping %s is deleted\n", uuid)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&function, "function", "", "find the mapping by function (with --stream)")
	f.StringVar(&stream, "stream", "", "find the mapping by stream name or ARN (with --function)")
	f.BoolVar(&wait, "wait", false, "return only once the mapping is gone")
	return cmd
}

// extensionGet GETs one of kinesin's JSON extensions beside the AWS APIs
// and decodes the answer into v.
func (a *app) extensionGet(ctx context.Context, path string, v any) error {
	_, endpoint, err := awsConfig(a.clientConfig())
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(endpoint, "/")+path, nil)
	if err != nil {
		return err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if a.insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for by --insecure
	}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: time.Minute}).Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the server (%v); is `kinesin serve` running? Set --endpoint or KINESIN_ENDPOINT", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		// Lambda's error shape: {"Type":…,"Message"|"message":…}.
		var e map[string]any
		_ = json.Unmarshal(body, &e)
		upper, _ := e["Message"].(string)
		lower, _ := e["message"].(string)
		msg := cmp.Or(upper, lower, strings.TrimSpace(string(body)), resp.Status)
		if code := resp.Header.Get("X-Amzn-ErrorType"); code != "" {
			code, _, _ = strings.Cut(code, ":")
			return fmt.Errorf("%s: %s", code, msg)
		}
		return fmt.Errorf("GET %s: %s: %s", path, resp.Status, msg)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}
