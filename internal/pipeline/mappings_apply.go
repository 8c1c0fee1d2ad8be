package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Event source mapping states, as the Lambda API reports them.
const (
	stateEnabled  = "Enabled"
	stateDisabled = "Disabled"
	stateEnabling = "Enabling"
	stateDeleting = "Deleting"
)

// mapping converges one event source mapping and returns how many changes
// it made.
//
// The mapping to converge is the one of the same function (name and
// qualifier) on the same source ARN; Lambda keeps at most one. When none
// exists it is created with every field of the file. Otherwise only the
// fields that differ are sent with UpdateEventSourceMapping, after any
// change in progress finished. A different starting position is an error:
// it only applies when a mapping is created, so the file would claim what
// the server cannot do. After a change, mapping waits until the runner has
// settled the mapping on Enabled or Disabled as the file asks.
func (a *applier) mapping(ctx context.Context, m *Mapping) (int, error) {
	changes := 0
	logf := func(format string, args ...any) {
		changes++
		a.log(fmt.Sprintf("mapping %s: ", m.Name()) + fmt.Sprintf(format, args...))
	}
	source := m.SourceARN
	switch {
	case m.Stream != "":
		arn, err := a.streamARN(ctx, m.Stream, "stream")
		if err != nil {
			return 0, err
		}
		source = arn
	case m.VideoStream != "":
		arn, err := a.videoStreamARN(ctx, m.VideoStream)
		if err != nil {
			return 0, err
		}
		source = arn
	}
	onFailure := m.OnFailure
	if onFailure != "" && !strings.HasPrefix(onFailure, "arn:") {
		arn, err := a.streamARN(ctx, onFailure, "on_failure")
		if err != nil {
			return 0, err
		}
		onFailure = arn
	}

	cur, err := a.findMapping(ctx, m.Function, source)
	if err != nil {
		return 0, err
	}
	if cur == nil {
		out, err := a.lc.CreateEventSourceMapping(ctx, createMappingInput(m, source, onFailure))
		var conflict *ltypes.ResourceConflictException
		switch {
		case errors.As(err, &conflict):
			// Created by someone else since we looked: converge that one.
			if cur, _ = a.findMapping(ctx, m.Function, source); cur == nil {
				return 0, err
			}
		case err != nil:
			return 0, err
		default:
			what := ""
			if !m.Enabled {
				what = ", disabled"
			}
			logf("created (UUID %s, %s%s)", aws.ToString(out.UUID), startingPosition(m.StartingPosition, m.StartingTimestamp), what)
			_, err := a.mappingSettled(ctx, aws.ToString(out.UUID), &m.Enabled)
			return changes, err
		}
	}
	uuid := aws.ToString(cur.UUID)
	if err := samePosition(m, cur); err != nil {
		return 0, err
	}
	// Lambda refuses to update a mapping while a change is in progress.
	if cur, err = a.mappingSettled(ctx, uuid, nil); err != nil {
		return 0, err
	}
	in, diffs := updateMappingInput(m, cur, onFailure)
	if len(diffs) == 0 {
		return 0, nil
	}
	if _, err := a.lc.UpdateEventSourceMapping(ctx, in); err != nil {
		return 0, err
	}
	for _, d := range diffs {
		logf("%s", d)
	}
	_, err = a.mappingSettled(ctx, uuid, &m.Enabled)
	return changes, err
}

// streamARN looks up the ARN of the named stream; field says which field
// of the file named it.
func (a *applier) streamARN(ctx context.Context, name, field string) (string, error) {
	if a.c == nil {
		return "", fmt.Errorf("%s %s: there is no Kinesis client to look up the stream's ARN", field, name)
	}
	sum, err := a.describe(ctx, name)
	switch {
	case err != nil:
		return "", fmt.Errorf("%s %s: %w", field, name, err)
	case sum == nil:
		return "", fmt.Errorf("%s %s: the stream does not exist (declare it under streams: or create it first)", field, name)
	}
	return aws.ToString(sum.StreamARN), nil
}

// findMapping returns the mapping of function on source, or nil when there
// is none. A mapping being deleted is waited out and counts as none.
func (a *applier) findMapping(ctx context.Context, function, source string) (*ltypes.EventSourceMappingConfiguration, error) {
	var found []ltypes.EventSourceMappingConfiguration
	p := lambda.NewListEventSourceMappingsPaginator(a.lc, &lambda.ListEventSourceMappingsInput{EventSourceArn: aws.String(source)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range page.EventSourceMappings {
			if aws.ToString(c.EventSourceArn) == source && FunctionOf(aws.ToString(c.FunctionArn)) == function {
				found = append(found, c)
			}
		}
	}
	var live []ltypes.EventSourceMappingConfiguration
	for _, c := range found {
		if aws.ToString(c.State) != stateDeleting {
			live = append(live, c)
			continue
		}
		if err := a.mappingGone(ctx, aws.ToString(c.UUID)); err != nil {
			return nil, err
		}
	}
	switch len(live) {
	case 0:
		return nil, nil
	case 1:
		return &live[0], nil
	}
	uuids := make([]string, len(live))
	for i, c := range live {
		uuids[i] = aws.ToString(c.UUID)
	}
	return nil, fmt.Errorf("%d mappings of this function on this source exist (%s); delete all but one", len(live), strings.Join(uuids, ", "))
}

// FunctionOf returns "NAME" or "NAME:QUALIFIER" of a function ARN
// (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]), or the string
// itself when it is not one.
func FunctionOf(arn string) string {
	if _, rest, ok := strings.Cut(arn, ":function:"); ok && strings.HasPrefix(arn, "arn:") {
		return rest
	}
	return arn
}

func createMappingInput(m *Mapping, source, onFailure string) *lambda.CreateEventSourceMappingInput {
	in := &lambda.CreateEventSourceMappingInput{
		FunctionName:                   aws.String(m.Function),
		EventSourceArn:                 aws.String(source),
		StartingPosition:               ltypes.EventSourcePosition(m.StartingPosition),
		BatchSize:                      aws.Int32(int32(m.BatchSize)),
		MaximumBatchingWindowInSeconds: aws.Int32(int32(m.BatchingWindowSeconds)),
		ParallelizationFactor:          aws.Int32(int32(m.ParallelizationFactor)),
		MaximumRetryAttempts:           aws.Int32(int32(m.MaximumRetryAttempts)),
		MaximumRecordAgeInSeconds:      aws.Int32(int32(m.MaximumRecordAgeSeconds)),
		BisectBatchOnFunctionError:     aws.Bool(m.BisectOnError),
		TumblingWindowInSeconds:        aws.Int32(int32(m.TumblingWindowSeconds)),
		Enabled:                        aws.Bool(m.Enabled),
	}
	if m.StartingPosition == AtTimestamp {
		in.StartingPositionTimestamp = aws.Time(m.StartingTimestamp)
	}
	if m.ReportBatchItemFailures {
		in.FunctionResponseTypes = []ltypes.FunctionResponseType{ltypes.FunctionResponseTypeReportBatchItemFailures}
	}
	if len(m.Filters) > 0 {
		in.FilterCriteria = filterCriteria(m.Filters)
	}
	if onFailure != "" {
		in.DestinationConfig = &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(onFailure)}}
	}
	return in
}

func filterCriteria(patterns []string) *ltypes.FilterCriteria {
	fc := &ltypes.FilterCriteria{Filters: []ltypes.Filter{}}
	for _, p := range patterns {
		fc.Filters = append(fc.Filters, ltypes.Filter{Pattern: aws.String(p)})
	}
	return fc
}

// updateMappingInput compares the file's mapping with the server's and
// returns an update of the fields that differ, with one line per
// difference, worded with the file's field names.
func updateMappingInput(m *Mapping, cur *ltypes.EventSourceMappingConfiguration, onFailure string) (*lambda.UpdateEventSourceMappingInput, []string) {
	in := &lambda.UpdateEventSourceMappingInput{UUID: cur.UUID}
	var diffs []string
	ints := []struct {
		name string
		have *int32
		want int
		set  **int32
	}{
		{"batch_size", cur.BatchSize, m.BatchSize, &in.BatchSize},
		{"batching_window_seconds", cur.MaximumBatchingWindowInSeconds, m.BatchingWindowSeconds, &in.MaximumBatchingWindowInSeconds},
		{"parallelization_factor", cur.ParallelizationFactor, m.ParallelizationFactor, &in.ParallelizationFactor},
		{"maximum_retry_attempts", cur.MaximumRetryAttempts, m.MaximumRetryAttempts, &in.MaximumRetryAttempts},
		{"maximum_record_age_seconds", cur.MaximumRecordAgeInSeconds, m.MaximumRecordAgeSeconds, &in.MaximumRecordAgeInSeconds},
		{"tumbling_window_seconds", cur.TumblingWindowInSeconds, m.TumblingWindowSeconds, &in.TumblingWindowInSeconds},
	}
	for _, f := range ints {
		if have := int(aws.ToInt32(f.have)); have != f.want {
			*f.set = aws.Int32(int32(f.want))
			diffs = append(diffs, fmt.Sprintf("%s %d → %d", f.name, have, f.want))
		}
	}
	if have := aws.ToBool(cur.BisectBatchOnFunctionError); have != m.BisectOnError {
		in.BisectBatchOnFunctionError = aws.Bool(m.BisectOnError)
		diffs = append(diffs, fmt.Sprintf("bisect_on_error %t → %t", have, m.BisectOnError))
	}
	if have := slices.Contains(cur.FunctionResponseTypes, ltypes.FunctionResponseTypeReportBatchItemFailures); have != m.ReportBatchItemFailures {
		in.FunctionResponseTypes = []ltypes.FunctionResponseType{}
		if m.ReportBatchItemFailures {
			in.FunctionResponseTypes = append(in.FunctionResponseTypes, ltypes.FunctionResponseTypeReportBatchItemFailures)
		}
		diffs = append(diffs, fmt.Sprintf("report_batch_item_failures %t → %t", have, m.ReportBatchItemFailures))
	}
	var have []string
	if cur.FilterCriteria != nil {
		for _, f := range cur.FilterCriteria.Filters {
			have = append(have, aws.ToString(f.Pattern))
		}
	}
	if !slices.Equal(have, m.Filters) {
		// An empty FilterCriteria removes the filters.
		in.FilterCriteria = filterCriteria(m.Filters)
		diffs = append(diffs, fmt.Sprintf("filters %s → %s", quoteList(have), quoteList(m.Filters)))
	}
	haveDest := ""
	if cur.DestinationConfig != nil && cur.DestinationConfig.OnFailure != nil {
		haveDest = aws.ToString(cur.DestinationConfig.OnFailure.Destination)
	}
	if haveDest != onFailure {
		// An OnFailure without a Destination removes it.
		in.DestinationConfig = &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{}}
		if onFailure != "" {
			in.DestinationConfig.OnFailure.Destination = aws.String(onFailure)
		}
		diffs = append(diffs, fmt.Sprintf("on_failure %s → %s", orNone(haveDest), orNone(onFailure)))
	}
	state := aws.ToString(cur.State)
	if enabled := state == stateEnabled || state == stateEnabling; enabled != m.Enabled {
		in.Enabled = aws.Bool(m.Enabled)
		diffs = append(diffs, fmt.Sprintf("enabled %t → %t", enabled, m.Enabled))
	}
	return in, diffs
}

func quoteList(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func startingPosition(pos string, ts time.Time) string {
	if pos == AtTimestamp {
		return pos + " " + ts.UTC().Format(time.RFC3339)
	}
	return pos
}

// samePosition reports a starting position in the file that differs from
// the existing mapping's: Lambda sets it only when a mapping is created.
func samePosition(m *Mapping, cur *ltypes.EventSourceMappingConfiguration) error {
	have := string(cur.StartingPosition)
	var haveTS time.Time
	if cur.StartingPositionTimestamp != nil {
		haveTS = *cur.StartingPositionTimestamp
	}
	same := have == m.StartingPosition
	if same && have == AtTimestamp {
		d := haveTS.Sub(m.StartingTimestamp)
		same = d > -time.Second && d < time.Second
	}
	if same {
		return nil
	}
	uuid := aws.ToString(cur.UUID)
	return fmt.Errorf("starting_position is %s in the file but %s for the existing mapping %s, and a mapping's starting position cannot change: "+
		"keep %s in the file, or delete the mapping (kinesin mappings rm %s) and apply again to start over from the new position",
		startingPosition(m.StartingPosition, m.StartingTimestamp), startingPosition(have, haveTS), uuid, startingPosition(have, haveTS), uuid)
}

// transitional says whether a mapping's state waits for the runner.
func transitional(state string) bool {
	switch state {
	case stateEnabled, stateDisabled:
		return false
	}
	return true
}

// mappingSettled polls until the mapping is Enabled or Disabled and returns
// its configuration. With want, it fails unless the state is the one asked
// for (Enabled when *want).
func (a *applier) mappingSettled(ctx context.Context, uuid string, want *bool) (*ltypes.EventSourceMappingConfiguration, error) {
	var last *lambda.GetEventSourceMappingOutput
	err := poll(ctx, func() (bool, error) {
		out, err := a.lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
		var nf *ltypes.ResourceNotFoundException
		switch {
		case errors.As(err, &nf):
			return false, fmt.Errorf("mapping %s was deleted meanwhile", uuid)
		case err != nil:
			return false, err
		}
		last = out
		state := aws.ToString(out.State)
		if state == stateDeleting {
			return false, fmt.Errorf("mapping %s is being deleted", uuid)
		}
		return !transitional(state), nil
	})
	if err != nil {
		if last != nil && ctx.Err() != nil {
			return nil, fmt.Errorf("waiting for mapping %s to be Enabled or Disabled (state %s): %w", uuid, aws.ToString(last.State), err)
		}
		return nil, err
	}
	cfg := configOf(last)
	if want != nil {
		wantState := stateDisabled
		if *want {
			wantState = stateEnabled
		}
		if state := aws.ToString(cfg.State); state != wantState {
			msg := fmt.Sprintf("mapping %s is %s, not %s", uuid, state, wantState)
			if r := aws.ToString(cfg.StateTransitionReason); r != "" {
				msg += ": " + r
			}
			return nil, errors.New(msg)
		}
	}
	return cfg, nil
}

// mappingGone polls until the mapping no longer exists.
func (a *applier) mappingGone(ctx context.Context, uuid string) error {
	return poll(ctx, func() (bool, error) {
		_, err := a.lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
		var nf *ltypes.ResourceNotFoundException
		if errors.As(err, &nf) {
			return true, nil
		}
		return false, err
	})
}

// configOf turns GetEventSourceMapping's output into the configuration
// type that ListEventSourceMappings returns, for the fields apply reads.
func configOf(o *lambda.GetEventSourceMappingOutput) *ltypes.EventSourceMappingConfiguration {
	return &ltypes.EventSourceMappingConfiguration{
		UUID:                           o.UUID,
		BatchSize:                      o.BatchSize,
		BisectBatchOnFunctionError:     o.BisectBatchOnFunctionError,
		DestinationConfig:              o.DestinationConfig,
		EventSourceArn:                 o.EventSourceArn,
		FilterCriteria:                 o.FilterCriteria,
		FunctionArn:                    o.FunctionArn,
		FunctionResponseTypes:          o.FunctionResponseTypes,
		LastProcessingResult:           o.LastProcessingResult,
		MaximumBatchingWindowInSeconds: o.MaximumBatchingWindowInSeconds,
		MaximumRecordAgeInSeconds:      o.MaximumRecordAgeInSeconds,
		MaximumRetryAttempts:           o.MaximumRetryAttempts,
		ParallelizationFactor:          o.ParallelizationFactor,
		StartingPosition:               o.StartingPosition,
		StartingPositionTimestamp:      o.StartingPositionTimestamp,
		State:                          o.State,
		StateTransitionReason:          o.StateTransitionReason,
		TumblingWindowInSeconds:        o.TumblingWindowInSeconds,
	}
}
