package kinesisdest

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"

	"github.com/kinesin/kinesin/internal/awserr"
)

// S3 backup modes (S3BackupMode).
const (
	BackupFailedDataOnly = "FailedDataOnly"
	BackupAllData        = "AllData"
)

// Defaults and limits of the destination.
const (
	DefaultSizeInMBs              = 1
	DefaultIntervalInSeconds      = 0
	DefaultRetryDurationInSeconds = 300

	minSize, maxSize         = 1, 5
	minInterval, maxInterval = 0, 900
	minRetry, maxRetry       = 0, 7200
	maxARNLen, maxRoleLen    = 512, 512
	maxKeyLen                = 256
)

// OutputType is the !{firehose:error-output-type} of this destination's
// failures.
const OutputType = "kinesis-stream-failed"

// ConfigPath and UpdatePath are the members' paths in validation messages
// (CreateDeliveryStream and UpdateDestination).
const (
	ConfigPath = "kinesisStreamDestinationConfiguration"
	UpdatePath = "kinesisStreamDestinationUpdate"
)

var (
	streamARNPattern = `arn:[a-zA-Z0-9\-]+:kinesis:[a-zA-Z0-9\-]+:\d{12}:stream/[a-zA-Z0-9_.\-]{1,128}`
	roleARNPattern   = `arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+`
	streamARNRe      = regexp.MustCompile(`^(?:` + streamARNPattern + `)$`)
	roleARNRe        = regexp.MustCompile(`^(?:` + roleARNPattern + `)$`)
)

// BufferingHints is the destination's buffering: SizeInMBs 1–5 (default
// 1), IntervalInSeconds 0–900 (default 0: records go out as they come).
type BufferingHints struct {
	SizeInMBs         *int64 `json:"SizeInMBs,omitempty"`
	IntervalInSeconds *int64 `json:"IntervalInSeconds,omitempty"`
}

// RetryOptions is how long delivery is retried: 0–7200 s, default 300.
type RetryOptions struct {
	DurationInSeconds *int64 `json:"DurationInSeconds,omitempty"`
}

// Config is kinesin's KinesisStreamDestinationConfiguration as the API
// receives it. S3Configuration, ProcessingConfiguration and
// CloudWatchLoggingOptions are the router's and kept raw.
type Config struct {
	// KinesisStreamARN is the stream delivered to (required).
	KinesisStreamARN *string `json:"KinesisStreamARN,omitempty"`
	// PartitionKey is the partition key of every record (1 to 256
	// characters): all records then go to one shard, in order. Without it
	// each record's Firehose record ID is its key, which spreads records
	// over the shards.
	PartitionKey             *string         `json:"PartitionKey,omitempty"`
	BufferingHints           *BufferingHints `json:"BufferingHints,omitempty"`
	RetryOptions             *RetryOptions   `json:"RetryOptions,omitempty"`
	RoleARN                  *string         `json:"RoleARN,omitempty"`
	S3BackupMode             *string         `json:"S3BackupMode,omitempty"`
	S3Configuration          json.RawMessage `json:"S3Configuration,omitempty"`
	ProcessingConfiguration  json.RawMessage `json:"ProcessingConfiguration,omitempty"`
	CloudWatchLoggingOptions json.RawMessage `json:"CloudWatchLoggingOptions,omitempty"`
}

// Update is KinesisStreamDestinationUpdate: every member optional.
// S3Update is the router's (it updates the S3 configuration) and kept raw.
type Update struct {
	KinesisStreamARN         *string         `json:"KinesisStreamARN,omitempty"`
	PartitionKey             *string         `json:"PartitionKey,omitempty"`
	BufferingHints           *BufferingHints `json:"BufferingHints,omitempty"`
	RetryOptions             *RetryOptions   `json:"RetryOptions,omitempty"`
	RoleARN                  *string         `json:"RoleARN,omitempty"`
	S3BackupMode             *string         `json:"S3BackupMode,omitempty"`
	S3Update                 json.RawMessage `json:"S3Update,omitempty"`
	ProcessingConfiguration  json.RawMessage `json:"ProcessingConfiguration,omitempty"`
	CloudWatchLoggingOptions json.RawMessage `json:"CloudWatchLoggingOptions,omitempty"`
}

// Description is KinesisStreamDestinationDescription as
// DescribeDeliveryStream answers it (it holds no secret). The router fills
// S3DestinationDescription, ProcessingConfiguration and
// CloudWatchLoggingOptions.
type Description struct {
	KinesisStreamARN         *string         `json:"KinesisStreamARN,omitempty"`
	PartitionKey             *string         `json:"PartitionKey,omitempty"`
	BufferingHints           *BufferingHints `json:"BufferingHints,omitempty"`
	RetryOptions             *RetryOptions   `json:"RetryOptions,omitempty"`
	RoleARN                  *string         `json:"RoleARN,omitempty"`
	S3BackupMode             *string         `json:"S3BackupMode,omitempty"`
	S3DestinationDescription any             `json:"S3DestinationDescription,omitempty"`
	ProcessingConfiguration  any             `json:"ProcessingConfiguration,omitempty"`
	CloudWatchLoggingOptions any             `json:"CloudWatchLoggingOptions,omitempty"`
}

// Defaults fills the defaults so that what is stored is complete:
// buffering hints 1 MiB / 0 s, a retry duration of 300 s and the
// FailedDataOnly backup mode. PartitionKey stays absent (record IDs).
func (c *Config) Defaults() {
	if c.BufferingHints == nil {
		c.BufferingHints = &BufferingHints{}
	}
	if c.BufferingHints.SizeInMBs == nil {
		c.BufferingHints.SizeInMBs = ptr(int64(DefaultSizeInMBs))
	}
	if c.BufferingHints.IntervalInSeconds == nil {
		c.BufferingHints.IntervalInSeconds = ptr(int64(DefaultIntervalInSeconds))
	}
	if c.RetryOptions == nil {
		c.RetryOptions = &RetryOptions{}
	}
	if c.RetryOptions.DurationInSeconds == nil {
		c.RetryOptions.DurationInSeconds = ptr(int64(DefaultRetryDurationInSeconds))
	}
	if c.S3BackupMode == nil {
		c.S3BackupMode = ptr(BackupFailedDataOnly)
	}
}

// Constraints records the constraint violations of c (required members,
// lengths, ranges, enums, patterns) under path, for a ValidationException.
func (c *Config) Constraints(v *awserr.Violations, path string) {
	if c.KinesisStreamARN == nil {
		v.Null(path + ".kinesisStreamARN")
	}
	if c.S3Configuration == nil || bytes.Equal(bytes.TrimSpace(c.S3Configuration), []byte("null")) {
		v.Null(path + ".s3Configuration")
	}
	members{c.KinesisStreamARN, c.PartitionKey, c.BufferingHints, c.RetryOptions, c.RoleARN, c.S3BackupMode}.constraints(v, path)
}

// Constraints records the constraint violations of u under path.
func (u *Update) Constraints(v *awserr.Violations, path string) {
	members{u.KinesisStreamARN, u.PartitionKey, u.BufferingHints, u.RetryOptions, u.RoleARN, u.S3BackupMode}.constraints(v, path)
}

// members are the checked members Config and Update share.
type members struct {
	StreamARN, PartitionKey *string
	Buffering               *BufferingHints
	Retry                   *RetryOptions
	RoleARN, S3BackupMode   *string
}

func (m members) constraints(v *awserr.Violations, path string) {
	if m.StreamARN != nil {
		length(v, m.StreamARN, path+".kinesisStreamARN", 1, maxARNLen)
		if !streamARNRe.MatchString(*m.StreamARN) {
			v.Add(*m.StreamARN, path+".kinesisStreamARN", awserr.Pattern(streamARNPattern))
		}
	}
	length(v, m.PartitionKey, path+".partitionKey", 1, maxKeyLen)
	if b := m.Buffering; b != nil {
		between(v, b.SizeInMBs, path+".bufferingHints.sizeInMBs", minSize, maxSize)
		between(v, b.IntervalInSeconds, path+".bufferingHints.intervalInSeconds", minInterval, maxInterval)
	}
	if r := m.Retry; r != nil {
		between(v, r.DurationInSeconds, path+".retryOptions.durationInSeconds", minRetry, maxRetry)
	}
	if m.RoleARN != nil {
		length(v, m.RoleARN, path+".roleARN", 1, maxRoleLen)
		if !roleARNRe.MatchString(*m.RoleARN) {
			v.Add(*m.RoleARN, path+".roleARN", awserr.Pattern(roleARNPattern))
		}
	}
	if s := m.S3BackupMode; s != nil && *s != BackupFailedDataOnly && *s != BackupAllData {
		v.Add(*s, path+".s3BackupMode", awserr.Enum(BackupFailedDataOnly, BackupAllData))
	}
}

// Validate checks c as CreateDeliveryStream does. A constraint violation
// is a ValidationException (*awserr.Error of kind awserr.Validation), to
// be answered as it is; any other error's text is the message of an
// InvalidArgumentException.
func (c *Config) Validate() error {
	var v awserr.Violations
	c.Constraints(&v, ConfigPath)
	if err := v.Err(); err != nil {
		return err
	}
	return nil
}

// Apply returns c with u applied and validated. Members u leaves out keep
// their values; BufferingHints and RetryOptions are merged member by
// member. S3Update is the router's. As for AWS's destinations, the backup
// mode can go from FailedDataOnly to AllData but not back.
func (c Config) Apply(u Update) (Config, error) {
	var v awserr.Violations
	u.Constraints(&v, UpdatePath)
	if err := v.Err(); err != nil {
		return c, err
	}
	n := c
	if u.KinesisStreamARN != nil {
		n.KinesisStreamARN = u.KinesisStreamARN
	}
	if u.PartitionKey != nil {
		n.PartitionKey = u.PartitionKey
	}
	if u.RoleARN != nil {
		n.RoleARN = u.RoleARN
	}
	if u.BufferingHints != nil {
		b := BufferingHints{}
		if c.BufferingHints != nil {
			b = *c.BufferingHints
		}
		if u.BufferingHints.SizeInMBs != nil {
			b.SizeInMBs = u.BufferingHints.SizeInMBs
		}
		if u.BufferingHints.IntervalInSeconds != nil {
			b.IntervalInSeconds = u.BufferingHints.IntervalInSeconds
		}
		n.BufferingHints = &b
	}
	if u.RetryOptions != nil {
		r := RetryOptions{}
		if c.RetryOptions != nil {
			r = *c.RetryOptions
		}
		if u.RetryOptions.DurationInSeconds != nil {
			r.DurationInSeconds = u.RetryOptions.DurationInSeconds
		}
		n.RetryOptions = &r
	}
	if u.S3BackupMode != nil {
		if c.S3BackupMode != nil && *c.S3BackupMode == BackupAllData && *u.S3BackupMode == BackupFailedDataOnly {
			return c, errors.New("S3BackupMode cannot be updated from AllData to FailedDataOnly.")
		}
		n.S3BackupMode = u.S3BackupMode
	}
	if u.ProcessingConfiguration != nil {
		n.ProcessingConfiguration = u.ProcessingConfiguration
	}
	if u.CloudWatchLoggingOptions != nil {
		n.CloudWatchLoggingOptions = u.CloudWatchLoggingOptions
	}
	n.Defaults()
	if err := n.Validate(); err != nil {
		return c, err
	}
	return n, nil
}

// Describe answers c as DescribeDeliveryStream does (defaults applied).
func (c Config) Describe() Description {
	c.Defaults()
	b, r := *c.BufferingHints, *c.RetryOptions
	return Description{
		KinesisStreamARN: c.KinesisStreamARN,
		PartitionKey:     c.PartitionKey,
		BufferingHints:   &b,
		RetryOptions:     &r,
		RoleARN:          c.RoleARN,
		S3BackupMode:     c.S3BackupMode,
	}
}

// Buffering answers the buffering hints, defaults applied, in MiB and
// seconds.
func (c Config) Buffering() (sizeMiB, intervalSeconds int64) {
	sizeMiB, intervalSeconds = DefaultSizeInMBs, DefaultIntervalInSeconds
	if b := c.BufferingHints; b != nil {
		if b.SizeInMBs != nil {
			sizeMiB = *b.SizeInMBs
		}
		if b.IntervalInSeconds != nil {
			intervalSeconds = *b.IntervalInSeconds
		}
	}
	return sizeMiB, intervalSeconds
}

// retryDuration is RetryOptions.DurationInSeconds, default applied.
func (c Config) retryDuration() int64 {
	if r := c.RetryOptions; r != nil && r.DurationInSeconds != nil {
		return *r.DurationInSeconds
	}
	return DefaultRetryDurationInSeconds
}

func ptr[T any](v T) *T { return &v }

func length(v *awserr.Violations, s *string, path string, lo, hi int) {
	switch {
	case s == nil:
	case len(*s) < lo:
		v.Add(*s, path, awserr.MinLen(lo))
	case len(*s) > hi:
		v.Add(*s, path, awserr.MaxLen(hi))
	}
}

func between(v *awserr.Violations, n *int64, path string, lo, hi int64) {
	switch {
	case n == nil:
	case *n < lo:
		v.Add(strconv.FormatInt(*n, 10), path, awserr.MinVal(lo))
	case *n > hi:
		v.Add(strconv.FormatInt(*n, 10), path, awserr.MaxVal(hi))
	}
}
