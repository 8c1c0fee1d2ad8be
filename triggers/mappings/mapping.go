package mappings

import (
	"time"

	"github.com/kinesin/kinesin/router/awsproto"
	"github.com/kinesin/kinesin/triggers/filter"
	"github.com/kinesin/kinesin/triggers/reader"
)

// States of a mapping, as Lambda names them.
const (
	StateCreating  = "Creating"
	StateEnabling  = "Enabling"
	StateEnabled   = "Enabled"
	StateDisabling = "Disabling"
	StateDisabled  = "Disabled"
	StateUpdating  = "Updating"
	StateDeleting  = "Deleting"
)

// Starting positions.
const (
	TrimHorizon = "TRIM_HORIZON"
	Latest      = "LATEST"
	AtTimestamp = "AT_TIMESTAMP"
)

// ReportBatchItemFailures is the one FunctionResponseTypes value.
const ReportBatchItemFailures = "ReportBatchItemFailures"

// LastProcessingResult values, as Lambda words them.
const (
	ResultNoRecords        = "No records processed"
	ResultOK               = "OK"
	ResultFunctionError    = "PROBLEM: Function call failed"
	ResultFunctionNotFound = "PROBLEM: Function not found"
	ResultThrottled        = "PROBLEM: Function throttled"
	ResultStreamNotFound   = "PROBLEM: Stream not found"
	ResultDestination      = "PROBLEM: Failed to deliver to the on-failure destination"
)

// Filter is one FilterCriteria filter.
type Filter struct {
	Pattern string `json:"Pattern"`
}

// FilterCriteria is a mapping's filters (at most 5, ORed).
type FilterCriteria struct {
	Filters []Filter `json:"Filters"`
}

// Destination is one side of a DestinationConfig.
type Destination struct {
	Destination string `json:"Destination,omitempty"`
}

// DestinationConfig says where records that failed go (OnFailure); OnSuccess
// is not supported for stream sources by Lambda either.
type DestinationConfig struct {
	OnFailure *Destination `json:"OnFailure,omitempty"`
	OnSuccess *Destination `json:"OnSuccess,omitempty"`
}

// Configuration is EventSourceMappingConfiguration as Lambda's API returns
// it for a Kinesis source.
type Configuration struct {
	UUID                           string              `json:"UUID"`
	EventSourceMappingArn          string              `json:"EventSourceMappingArn,omitempty"`
	BatchSize                      int                 `json:"BatchSize"`
	BisectBatchOnFunctionError     bool                `json:"BisectBatchOnFunctionError"`
	DestinationConfig              *DestinationConfig  `json:"DestinationConfig,omitempty"`
	EventSourceArn                 string              `json:"EventSourceArn"`
	FilterCriteria                 *FilterCriteria     `json:"FilterCriteria,omitempty"`
	FunctionArn                    string              `json:"FunctionArn"`
	FunctionResponseTypes          []string            `json:"FunctionResponseTypes"`
	LastModified                   awsproto.Timestamp  `json:"LastModified"`
	LastProcessingResult           string              `json:"LastProcessingResult"`
	MaximumBatchingWindowInSeconds int                 `json:"MaximumBatchingWindowInSeconds"`
	MaximumRecordAgeInSeconds      int                 `json:"MaximumRecordAgeInSeconds"`
	MaximumRetryAttempts           int                 `json:"MaximumRetryAttempts"`
	ParallelizationFactor          int                 `json:"ParallelizationFactor"`
	StartingPosition               string              `json:"StartingPosition"`
	StartingPositionTimestamp      *awsproto.Timestamp `json:"StartingPositionTimestamp,omitempty"`
	State                          string              `json:"State"`
	StateTransitionReason          string              `json:"StateTransitionReason"`
	TumblingWindowInSeconds        int                 `json:"TumblingWindowInSeconds"`
}

// Mapping is a stored mapping: its API configuration and what kinesin
// resolved from it when it was created or last updated.
type Mapping struct {
	Configuration
	// FunctionName is the function's bare name; Qualifier its version or
	// alias ("" for $LATEST), both taken from the FunctionName the user gave.
	FunctionName string `json:"kinesinFunctionName"`
	Qualifier    string `json:"kinesinQualifier,omitempty"`
	// StreamName is the Kinesis stream read; ConsumerName is set when
	// EventSourceArn is a registered stream consumer (enhanced fan-out).
	StreamName   string `json:"kinesinStreamName"`
	ConsumerName string `json:"kinesinConsumerName,omitempty"`
	// Video is set when EventSourceArn is a Kinesis Video stream
	// (StreamName is then the video stream's name): the function gets
	// an event per new fragment (kinesin's extension).
	Video bool `json:"kinesinVideo,omitempty"`
	// Enabled is the Enabled parameter: the runner settles a transitional
	// State on Enabled or Disabled by it.
	Enabled bool              `json:"kinesinEnabled"`
	Tags    map[string]string `json:"kinesinTags,omitempty"`
	// Generation grows with every configuration change (Update); runners
	// restart their shard workers when it changes.
	Generation int `json:"kinesinGeneration"`
	// Revision is the KV revision the mapping was read at (0: not stored).
	Revision uint64 `json:"-"`
}

// Filters returns the filter patterns (nil when none).
func (m *Mapping) Filters() []string {
	if m.FilterCriteria == nil {
		return nil
	}
	out := make([]string, len(m.FilterCriteria.Filters))
	for i, f := range m.FilterCriteria.Filters {
		out[i] = f.Pattern
	}
	return out
}

// VideoEventSource is the eventSource of the events of a Kinesis Video
// stream mapping.
const VideoEventSource = "kinesin:kinesisvideo"

// CompileFilters compiles the mapping's filters as its runner applies
// them: to a Kinesis record's data, or to a whole video fragment event
// record.
func (m *Mapping) CompileFilters() (*filter.Filter, error) {
	return compileFilters(m.Filters(), m.Video)
}

func compileFilters(patterns []string, video bool) (*filter.Filter, error) {
	if video {
		return filter.CompileRecord(patterns)
	}
	return filter.Compile(patterns)
}

// OnFailure returns the on-failure destination ARN ("" when none).
func (m *Mapping) OnFailure() string {
	if m.DestinationConfig == nil || m.DestinationConfig.OnFailure == nil {
		return ""
	}
	return m.DestinationConfig.OnFailure.Destination
}

// ReportsBatchItemFailures says whether FunctionResponseTypes has
// ReportBatchItemFailures.
func (m *Mapping) ReportsBatchItemFailures() bool {
	for _, t := range m.FunctionResponseTypes {
		if t == ReportBatchItemFailures {
			return true
		}
	}
	return false
}

// Transitional says whether State waits for a runner to settle it.
func (m *Mapping) Transitional() bool {
	switch m.State {
	case StateCreating, StateEnabling, StateDisabling, StateUpdating, StateDeleting:
		return true
	}
	return false
}

// StartTime is StartingPositionTimestamp as a time (zero when unset).
func (m *Mapping) StartTime() time.Time {
	if m.StartingPositionTimestamp == nil {
		return time.Time{}
	}
	return m.StartingPositionTimestamp.Time()
}

// ShardStatus is one shard's progress, kinesin's extension shown by
// `kinesin mappings describe`.
type ShardStatus struct {
	ShardID string `json:"ShardId"`
	// Checkpoint is the sequence number of the last record handled (""
	// before the first).
	Checkpoint string `json:"Checkpoint,omitempty"`
	Finished   bool   `json:"Finished"`
	// Owner is the kinesin process holding the shard's lease ("" when
	// none).
	Owner string `json:"Owner,omitempty"`
	// IteratorAgeMilliseconds is how old the next unprocessed record is (0
	// when caught up).
	IteratorAgeMilliseconds int64 `json:"IteratorAgeMilliseconds"`
	// Counters since the mapping was created (all processes).
	Stats reader.Stats `json:"Stats"`
}
