package kinesisdest

import (
	"bytes"
	"encoding/json"
	"regexp"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/sinks/dest"
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
	streamARNRe      = regexp.MustCompile(`^(?:` + streamARNPattern + `)$`)
)

// BufferingHints is the destination's buffering: SizeInMBs 1–5 (default
// 1), IntervalInSeconds 0–900 (default 0: records go out as they come).
type BufferingHints = dest.BufferingHints

// RetryOptions is how long delivery is retried: 0–7200 s, default 300.
type RetryOptions = dest.RetryOptions

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
	c.BufferingHints = c.BufferingHints.Defaulted(DefaultSizeInMBs, DefaultIntervalInSeconds)
	c.RetryOptions = c.RetryOptions.Defaulted(DefaultRetryDurationInSeconds)
	if c.S3BackupMode == nil {
		c.S3BackupMode = ptr(BackupFailedDataOnly)
	}
}

// Constraints records the constraint violations of c (required members,
// lengths, ranges, enums, patterns) under path, for a ValidationException.
func (c *Config) Constraints(v *awserr.Violations, path string) {
	v.Required(c.KinesisStreamARN != nil, path+".kinesisStreamARN")
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
	v.Length(m.StreamARN, path+".kinesisStreamARN", 1, maxARNLen)
	v.Match(m.StreamARN, path+".kinesisStreamARN", streamARNRe, streamARNPattern)
	v.Length(m.PartitionKey, path+".partitionKey", 1, maxKeyLen)
	if b := m.Buffering; b != nil {
		v.Range(b.SizeInMBs, path+".bufferingHints.sizeInMBs", minSize, maxSize)
		v.Range(b.IntervalInSeconds, path+".bufferingHints.intervalInSeconds", minInterval, maxInterval)
	}
	m.Retry.Check(v, path+".retryOptions")
	v.Length(m.RoleARN, path+".roleARN", 1, maxRoleLen)
	v.Match(m.RoleARN, path+".roleARN", dest.RoleARNRe, dest.RoleARNPattern)
	v.OneOf(m.S3BackupMode, path+".s3BackupMode", BackupFailedDataOnly, BackupAllData)
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
	dest.Replace(&n.KinesisStreamARN, u.KinesisStreamARN)
	dest.Replace(&n.PartitionKey, u.PartitionKey)
	dest.Replace(&n.RoleARN, u.RoleARN)
	n.BufferingHints = c.BufferingHints.Merged(u.BufferingHints)
	n.RetryOptions = c.RetryOptions.Merged(u.RetryOptions)
	if err := dest.CheckBackupModeUpdate(c.S3BackupMode, u.S3BackupMode, BackupAllData, BackupFailedDataOnly); err != nil {
		return c, err
	}
	dest.Replace(&n.S3BackupMode, u.S3BackupMode)
	dest.ReplaceRaw(&n.ProcessingConfiguration, u.ProcessingConfiguration)
	dest.ReplaceRaw(&n.CloudWatchLoggingOptions, u.CloudWatchLoggingOptions)
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
	return c.BufferingHints.Values(DefaultSizeInMBs, DefaultIntervalInSeconds)
}

// retryDuration is RetryOptions.DurationInSeconds, default applied.
func (c Config) retryDuration() int64 {
	return c.RetryOptions.Seconds(DefaultRetryDurationInSeconds)
}

func ptr[T any](v T) *T { return &v }
