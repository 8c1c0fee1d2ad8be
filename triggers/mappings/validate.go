package mappings

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kinesin/kinesin/functions"
	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router/awsproto"
	"github.com/kinesin/kinesin/triggers/filter"
)

// Defaults Lambda fills in for a Kinesis source.
const (
	defaultBatchSize = 100
	// defaultVideoBatchSize is kinesin's default for a Kinesis Video
	// source: a fragment event is small, but each fragment a function
	// fetches is up to 50 MB.
	defaultVideoBatchSize = 10
	defaultRecordAge      = -1
	defaultRetryAttempts  = -1
	defaultParallelism    = 1
)

// settings are the members CreateEventSourceMapping and
// UpdateEventSourceMapping share. Integers are int64 so that any JSON
// number decodes and out-of-range values get Lambda's constraint message.
type settings struct {
	FunctionName                   *string            `json:"FunctionName"`
	Enabled                        *bool              `json:"Enabled"`
	BatchSize                      *int64             `json:"BatchSize"`
	MaximumBatchingWindowInSeconds *int64             `json:"MaximumBatchingWindowInSeconds"`
	ParallelizationFactor          *int64             `json:"ParallelizationFactor"`
	DestinationConfig              *DestinationConfig `json:"DestinationConfig"`
	MaximumRecordAgeInSeconds      *int64             `json:"MaximumRecordAgeInSeconds"`
	BisectBatchOnFunctionError     *bool              `json:"BisectBatchOnFunctionError"`
	MaximumRetryAttempts           *int64             `json:"MaximumRetryAttempts"`
	TumblingWindowInSeconds        *int64             `json:"TumblingWindowInSeconds"`
	FunctionResponseTypes          []string           `json:"FunctionResponseTypes"`
	FilterCriteria                 *FilterCriteria    `json:"FilterCriteria"`
}

// createInput is CreateEventSourceMapping's body.
type createInput struct {
	settings
	EventSourceArn            *string             `json:"EventSourceArn"`
	StartingPosition          *string             `json:"StartingPosition"`
	StartingPositionTimestamp *awsproto.Timestamp `json:"StartingPositionTimestamp"`
	Tags                      map[string]string   `json:"Tags"`
	// SelfManagedEventSource is decoded only to say that Kafka is not
	// supported rather than that the event source is missing.
	SelfManagedEventSource json.RawMessage `json:"SelfManagedEventSource"`
}

// updateInput is UpdateEventSourceMapping's body.
type updateInput struct {
	settings
}

// decodeBody reads a JSON request body (empty means {}) as Lambda does.
func decodeBody(body []byte, v any) error {
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		msg := err.Error()
		if errors.As(err, &te) {
			// The embedded settings struct is no member of the wire shape.
			field := strings.TrimPrefix(te.Field, "settings.")
			msg = "Cannot deserialize value of type " + te.Type.String() + " for field " + field
		}
		return functions.InvalidParameter.New("Could not parse request body into json: %s", msg)
	}
	return nil
}

// check records the model constraints of the shared members, which Lambda
// answers with ValidationException.
func (in *settings) check(v *awserr.Violations) {
	if in.FunctionName != nil && len(*in.FunctionName) > 256 {
		v.Add(*in.FunctionName, "functionName", awserr.MaxLen(256))
	}
	checkRange(v, in.BatchSize, "batchSize", 1, 10000)
	checkRange(v, in.MaximumBatchingWindowInSeconds, "maximumBatchingWindowInSeconds", 0, 300)
	checkRange(v, in.ParallelizationFactor, "parallelizationFactor", 1, 10)
	checkRange(v, in.MaximumRecordAgeInSeconds, "maximumRecordAgeInSeconds", -1, 604800)
	checkRange(v, in.MaximumRetryAttempts, "maximumRetryAttempts", -1, 10000)
	checkRange(v, in.TumblingWindowInSeconds, "tumblingWindowInSeconds", 0, 900)
	if d := in.DestinationConfig; d != nil {
		checkDestination(v, d.OnFailure, "destinationConfig.onFailure.destination")
		checkDestination(v, d.OnSuccess, "destinationConfig.onSuccess.destination")
	}
	if len(in.FunctionResponseTypes) > 1 {
		v.Add(awserr.ListValue(in.FunctionResponseTypes), "functionResponseTypes", awserr.MaxLen(1))
	}
	for _, t := range in.FunctionResponseTypes {
		if t != ReportBatchItemFailures {
			v.Add(awserr.ListValue(in.FunctionResponseTypes), "functionResponseTypes",
				"Member must satisfy constraint: [Member must satisfy enum value set: ["+ReportBatchItemFailures+"]]")
			break
		}
	}
}

func checkRange(v *awserr.Violations, n *int64, path string, lo, hi int64) {
	switch {
	case n == nil:
	case *n < lo:
		v.Add(strconv.FormatInt(*n, 10), path, awserr.MinVal(lo))
	case *n > hi:
		v.Add(strconv.FormatInt(*n, 10), path, awserr.MaxVal(hi))
	}
}

func checkDestination(v *awserr.Violations, d *Destination, path string) {
	switch {
	case d == nil:
	case len(d.Destination) > 350:
		v.Add(d.Destination, path, awserr.MaxLen(350))
	case !destinationRe.MatchString(d.Destination):
		v.Add(d.Destination, path, awserr.Pattern(destinationPattern))
	}
}

// check records the model constraints of CreateEventSourceMapping.
func (in *createInput) check(v *awserr.Violations) {
	if in.FunctionName == nil {
		v.Null("functionName")
	}
	if in.EventSourceArn != nil && !arnRe.MatchString(*in.EventSourceArn) {
		v.Add(*in.EventSourceArn, "eventSourceArn", awserr.Pattern(arnPattern))
	}
	in.settings.check(v)
	if p := in.StartingPosition; p != nil && *p != "" && *p != TrimHorizon && *p != Latest && *p != AtTimestamp {
		v.Add(*p, "startingPosition", awserr.Enum(Latest, AtTimestamp, TrimHorizon))
	}
}

// Semantic checks, answered with InvalidParameterValueException in the
// order Lambda makes them.

// checkOnSuccess refuses an OnSuccess destination, which Lambda supports
// only for Kafka sources.
func checkOnSuccess(d *DestinationConfig) error {
	if d != nil && d.OnSuccess != nil {
		return functions.InvalidParameter.New("Unsupported DestinationConfig parameter for given event source mapping type.")
	}
	return nil
}

// checkStart checks StartingPosition and its timestamp against now.
func checkStart(pos *string, ts *awsproto.Timestamp, now time.Time) error {
	if pos == nil || *pos == "" {
		return functions.InvalidParameter.New("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.")
	}
	switch {
	case *pos == AtTimestamp && ts == nil:
		return functions.InvalidParameter.New("Need to specify a timestamp")
	case *pos != AtTimestamp && ts != nil:
		return functions.InvalidParameter.New("StartingPositionTimestamp is only allowed with StartingPosition AT_TIMESTAMP.")
	case ts != nil && ts.Time().After(now):
		return functions.InvalidParameter.New("StartingPositionTimestamp cannot be in the future.")
	}
	return nil
}

// checkRecordAge applies the rule the model's range (-1 to 604800) does
// not express: 0 to 59 are refused.
func checkRecordAge(n *int64) error {
	if n != nil && *n >= 0 && *n < 60 {
		return functions.InvalidParameter.New("MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)")
	}
	return nil
}

// checkFilters compiles the patterns as the runner will, so that a
// mapping is never stored with filters that cannot run.
func checkFilters(fc *FilterCriteria, video bool) error {
	if fc == nil {
		return nil
	}
	patterns := make([]string, len(fc.Filters))
	for i, f := range fc.Filters {
		patterns[i] = f.Pattern
	}
	if _, err := compileFilters(patterns, video); err != nil {
		var fe *filter.Error
		if !errors.As(err, &fe) {
			return err
		}
		// A pattern too long breaks a model constraint, which the filter
		// package words as Lambda's ValidationException does.
		if fe.Index >= 0 && utf8.RuneCountInString(patterns[fe.Index]) > filter.MaxPatternLength {
			return functions.Validation.New("%s", fe.Message)
		}
		return functions.InvalidParameter.New("%s", fe.Message)
	}
	return nil
}

// checkVideo refuses the settings that have no meaning for a Kinesis Video
// source, whose fragments are read in one order by one reader.
func checkVideo(in *settings) error {
	if n := in.ParallelizationFactor; n != nil && *n > 1 {
		return functions.InvalidParameter.New("ParallelizationFactor must be 1 for a Kinesis Video stream event source: its fragments are read in order by a single reader.")
	}
	if n := in.TumblingWindowInSeconds; n != nil && *n > 0 {
		return functions.InvalidParameter.New("TumblingWindowInSeconds is not supported for a Kinesis Video stream event source.")
	}
	return nil
}

// normalFilters is nil for no filters, so that responses omit
// FilterCriteria as Lambda does.
func normalFilters(fc *FilterCriteria) *FilterCriteria {
	if fc == nil || len(fc.Filters) == 0 {
		return nil
	}
	return &FilterCriteria{Filters: append([]Filter(nil), fc.Filters...)}
}

// normalDestination always has OnFailure, so that responses carry
// {"OnFailure":{}} when there is none, as Lambda's do.
func normalDestination(d *DestinationConfig) *DestinationConfig {
	out := &DestinationConfig{OnFailure: &Destination{}}
	if d != nil && d.OnFailure != nil {
		out.OnFailure.Destination = d.OnFailure.Destination
	}
	return out
}
