package splunk

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/sinks/dest"
)

// Endpoint types (HECEndpointType) and S3 backup modes (SplunkS3BackupMode).
const (
	EndpointRaw   = "Raw"
	EndpointEvent = "Event"

	BackupFailedEventsOnly = "FailedEventsOnly"
	BackupAllEvents        = "AllEvents"
)

// AWS's defaults and limits for the Splunk destination.
const (
	DefaultIntervalInSeconds = 60
	DefaultSizeInMBs         = 5
	// DefaultRetryDurationInSeconds is the retry duration when
	// RetryOptions is left out. The API reference does not state it; 3600
	// is what Terraform's AWS provider sends by default.
	DefaultRetryDurationInSeconds = 3600
	DefaultAckTimeoutInSeconds    = 180

	minInterval, maxInterval     = 0, 60
	minSize, maxSize             = 1, 5
	minAckTimeout, maxAckTimeout = 180, 600
	maxEndpointLen, maxTokenLen  = 2048, 2048
)

// OutputType is the !{firehose:error-output-type} of this destination's
// failures.
const OutputType = "splunk-failed"

// BufferingHints is SplunkBufferingHints. The model orders its members
// IntervalInSeconds first, unlike dest.BufferingHints, so it is a type of
// its own; hints and splunkHints convert.
type BufferingHints struct {
	IntervalInSeconds *int64 `json:"IntervalInSeconds,omitempty"`
	SizeInMBs         *int64 `json:"SizeInMBs,omitempty"`
}

func (h *BufferingHints) hints() *dest.BufferingHints {
	if h == nil {
		return nil
	}
	return &dest.BufferingHints{SizeInMBs: h.SizeInMBs, IntervalInSeconds: h.IntervalInSeconds}
}

func splunkHints(h *dest.BufferingHints) *BufferingHints {
	if h == nil {
		return nil
	}
	return &BufferingHints{IntervalInSeconds: h.IntervalInSeconds, SizeInMBs: h.SizeInMBs}
}

// RetryOptions is SplunkRetryOptions.
type RetryOptions = dest.RetryOptions

// SecretsManagerConfiguration is AWS's SecretsManagerConfiguration; only
// Enabled=false is accepted.
type SecretsManagerConfiguration = dest.SecretsManagerConfiguration

// Config is AWS's SplunkDestinationConfiguration as the API receives it.
// S3Configuration, ProcessingConfiguration and CloudWatchLoggingOptions are
// the router's and kept raw.
type Config struct {
	HECEndpoint                       *string                      `json:"HECEndpoint,omitempty"`
	HECEndpointType                   *string                      `json:"HECEndpointType,omitempty"`
	HECToken                          *string                      `json:"HECToken,omitempty"`
	HECAcknowledgmentTimeoutInSeconds *int64                       `json:"HECAcknowledgmentTimeoutInSeconds,omitempty"`
	RetryOptions                      *RetryOptions                `json:"RetryOptions,omitempty"`
	S3BackupMode                      *string                      `json:"S3BackupMode,omitempty"`
	S3Configuration                   json.RawMessage              `json:"S3Configuration,omitempty"`
	ProcessingConfiguration           json.RawMessage              `json:"ProcessingConfiguration,omitempty"`
	CloudWatchLoggingOptions          json.RawMessage              `json:"CloudWatchLoggingOptions,omitempty"`
	BufferingHints                    *BufferingHints              `json:"BufferingHints,omitempty"`
	SecretsManagerConfiguration       *SecretsManagerConfiguration `json:"SecretsManagerConfiguration,omitempty"`
}

// Update is AWS's SplunkDestinationUpdate: every member optional. S3Update
// is the router's (it updates the S3 configuration) and kept raw.
type Update struct {
	HECEndpoint                       *string                      `json:"HECEndpoint,omitempty"`
	HECEndpointType                   *string                      `json:"HECEndpointType,omitempty"`
	HECToken                          *string                      `json:"HECToken,omitempty"`
	HECAcknowledgmentTimeoutInSeconds *int64                       `json:"HECAcknowledgmentTimeoutInSeconds,omitempty"`
	RetryOptions                      *RetryOptions                `json:"RetryOptions,omitempty"`
	S3BackupMode                      *string                      `json:"S3BackupMode,omitempty"`
	S3Update                          json.RawMessage              `json:"S3Update,omitempty"`
	ProcessingConfiguration           json.RawMessage              `json:"ProcessingConfiguration,omitempty"`
	CloudWatchLoggingOptions          json.RawMessage              `json:"CloudWatchLoggingOptions,omitempty"`
	BufferingHints                    *BufferingHints              `json:"BufferingHints,omitempty"`
	SecretsManagerConfiguration       *SecretsManagerConfiguration `json:"SecretsManagerConfiguration,omitempty"`
}

// Description is AWS's SplunkDestinationDescription. AWS answers HECToken
// in the description (the API model has it and nothing marks it
// sensitive), so it is not left out. The router fills
// S3DestinationDescription, ProcessingConfiguration and
// CloudWatchLoggingOptions.
type Description struct {
	HECEndpoint                       *string                      `json:"HECEndpoint,omitempty"`
	HECEndpointType                   *string                      `json:"HECEndpointType,omitempty"`
	HECToken                          *string                      `json:"HECToken,omitempty"`
	HECAcknowledgmentTimeoutInSeconds *int64                       `json:"HECAcknowledgmentTimeoutInSeconds,omitempty"`
	RetryOptions                      *RetryOptions                `json:"RetryOptions,omitempty"`
	S3BackupMode                      *string                      `json:"S3BackupMode,omitempty"`
	S3DestinationDescription          any                          `json:"S3DestinationDescription,omitempty"`
	ProcessingConfiguration           any                          `json:"ProcessingConfiguration,omitempty"`
	CloudWatchLoggingOptions          any                          `json:"CloudWatchLoggingOptions,omitempty"`
	BufferingHints                    *BufferingHints              `json:"BufferingHints,omitempty"`
	SecretsManagerConfiguration       *SecretsManagerConfiguration `json:"SecretsManagerConfiguration,omitempty"`
}

// Defaults fills AWS's defaults so that what is stored is complete:
// buffering hints 60 s / 5 MiB, a retry duration of 3600 s, an
// acknowledgement timeout of 180 s and the FailedEventsOnly backup mode.
func (c *Config) Defaults() {
	c.BufferingHints = splunkHints(c.BufferingHints.hints().Defaulted(DefaultSizeInMBs, DefaultIntervalInSeconds))
	c.RetryOptions = c.RetryOptions.Defaulted(DefaultRetryDurationInSeconds)
	if c.HECAcknowledgmentTimeoutInSeconds == nil {
		c.HECAcknowledgmentTimeoutInSeconds = ptr(int64(DefaultAckTimeoutInSeconds))
	}
	if c.S3BackupMode == nil {
		c.S3BackupMode = ptr(BackupFailedEventsOnly)
	}
}

// ConfigPath and UpdatePath are the members' paths in AWS's validation
// messages (CreateDeliveryStream and UpdateDestination).
const (
	ConfigPath = "splunkDestinationConfiguration"
	UpdatePath = "splunkDestinationUpdate"
)

// secretARNPattern is SecretsManagerConfiguration.SecretARN's pattern as
// the messages show it.
const secretARNPattern = dest.SecretARNPattern

// Constraints records the model constraint violations of c (required
// members, lengths, ranges, enums, patterns) under path, in the order of
// AWS's model, for a ValidationException.
func (c *Config) Constraints(v *awserr.Violations, path string) {
	v.Required(c.HECEndpoint != nil, path+".hECEndpoint")
	v.Required(c.HECEndpointType != nil, path+".hECEndpointType")
	if c.S3Configuration == nil || bytes.Equal(bytes.TrimSpace(c.S3Configuration), []byte("null")) {
		v.Null(path + ".s3Configuration")
	}
	members{
		HECEndpoint: c.HECEndpoint, HECEndpointType: c.HECEndpointType, HECToken: c.HECToken,
		AckTimeout: c.HECAcknowledgmentTimeoutInSeconds, Retry: c.RetryOptions, S3BackupMode: c.S3BackupMode,
		Buffering: c.BufferingHints, Secrets: c.SecretsManagerConfiguration,
	}.constraints(v, path)
}

// Constraints records the model constraint violations of u under path.
func (u *Update) Constraints(v *awserr.Violations, path string) {
	members{
		HECEndpoint: u.HECEndpoint, HECEndpointType: u.HECEndpointType, HECToken: u.HECToken,
		AckTimeout: u.HECAcknowledgmentTimeoutInSeconds, Retry: u.RetryOptions, S3BackupMode: u.S3BackupMode,
		Buffering: u.BufferingHints, Secrets: u.SecretsManagerConfiguration,
	}.constraints(v, path)
}

// members are the checked members Config and Update share.
type members struct {
	HECEndpoint, HECEndpointType, HECToken *string
	AckTimeout                             *int64
	Retry                                  *RetryOptions
	S3BackupMode                           *string
	Buffering                              *BufferingHints
	Secrets                                *SecretsManagerConfiguration
}

func (m members) constraints(v *awserr.Violations, path string) {
	v.Length(m.HECEndpoint, path+".hECEndpoint", 0, maxEndpointLen)
	v.OneOf(m.HECEndpointType, path+".hECEndpointType", EndpointRaw, EndpointEvent)
	v.Length(m.HECToken, path+".hECToken", 0, maxTokenLen)
	v.Range(m.AckTimeout, path+".hECAcknowledgmentTimeoutInSeconds", minAckTimeout, maxAckTimeout)
	m.Retry.Check(v, path+".retryOptions")
	v.OneOf(m.S3BackupMode, path+".s3BackupMode", BackupFailedEventsOnly, BackupAllEvents)
	if m.Buffering != nil {
		v.Range(m.Buffering.IntervalInSeconds, path+".bufferingHints.intervalInSeconds", minInterval, maxInterval)
		v.Range(m.Buffering.SizeInMBs, path+".bufferingHints.sizeInMBs", minSize, maxSize)
	}
	m.Secrets.Check(v, path+".secretsManagerConfiguration")
}

// Validate checks c as CreateDeliveryStream does. A model constraint
// violation is answered as AWS's ValidationException: an *awserr.Error of
// kind awserr.Validation, to be answered as it is. Any other error's text
// is the message of an InvalidArgumentException.
func (c *Config) Validate() error {
	var v awserr.Violations
	c.Constraints(&v, ConfigPath)
	if err := v.Err(); err != nil {
		return err
	}
	return c.semantics()
}

// semantics are the rules beyond the model's constraints.
func (c *Config) semantics() error {
	if c.SecretsManagerConfiguration.IsEnabled() {
		return errors.New("SecretsManagerConfiguration with Enabled set to true is not supported: kinesin has no Secrets Manager; give the HECToken instead.")
	}
	if c.HECToken == nil {
		return errors.New("HECToken is required when SecretsManagerConfiguration is not enabled.")
	}
	return nil
}

// Apply returns c with u applied and validated. Members u leaves out keep
// their values; BufferingHints and RetryOptions are merged member by
// member. S3Update is the router's. As in AWS, the backup mode can go from
// FailedEventsOnly to AllEvents but not back.
func (c Config) Apply(u Update) (Config, error) {
	var v awserr.Violations
	u.Constraints(&v, UpdatePath)
	if err := v.Err(); err != nil {
		return c, err
	}
	n := c
	dest.Replace(&n.HECEndpoint, u.HECEndpoint)
	dest.Replace(&n.HECEndpointType, u.HECEndpointType)
	dest.Replace(&n.HECToken, u.HECToken)
	dest.Replace(&n.HECAcknowledgmentTimeoutInSeconds, u.HECAcknowledgmentTimeoutInSeconds)
	n.RetryOptions = c.RetryOptions.Merged(u.RetryOptions)
	if u.BufferingHints != nil {
		n.BufferingHints = splunkHints(c.BufferingHints.hints().Merged(u.BufferingHints.hints()))
	}
	if err := dest.CheckBackupModeUpdate(c.S3BackupMode, u.S3BackupMode, BackupAllEvents, BackupFailedEventsOnly); err != nil {
		return c, err
	}
	dest.Replace(&n.S3BackupMode, u.S3BackupMode)
	dest.ReplaceRaw(&n.ProcessingConfiguration, u.ProcessingConfiguration)
	dest.ReplaceRaw(&n.CloudWatchLoggingOptions, u.CloudWatchLoggingOptions)
	dest.Replace(&n.SecretsManagerConfiguration, u.SecretsManagerConfiguration)
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
	d := Description{
		HECEndpoint:                       c.HECEndpoint,
		HECEndpointType:                   c.HECEndpointType,
		HECToken:                          c.HECToken,
		HECAcknowledgmentTimeoutInSeconds: c.HECAcknowledgmentTimeoutInSeconds,
		RetryOptions:                      &r,
		S3BackupMode:                      c.S3BackupMode,
		BufferingHints:                    &b,
	}
	d.SecretsManagerConfiguration = c.SecretsManagerConfiguration.Clone()
	return d
}

// Buffering answers the buffering hints, AWS's defaults applied, in MiB
// and seconds.
func (c Config) Buffering() (sizeMiB, intervalSeconds int64) {
	return c.BufferingHints.hints().Values(DefaultSizeInMBs, DefaultIntervalInSeconds)
}

func ptr[T any](v T) *T { return &v }
