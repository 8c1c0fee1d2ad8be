package splunk

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"

	"github.com/kinesin/kinesin/internal/awserr"
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
	minRetry, maxRetry           = 0, 7200
	minAckTimeout, maxAckTimeout = 180, 600
	maxEndpointLen, maxTokenLen  = 2048, 2048
	maxSecretARNLen, maxRoleLen  = 2048, 512
)

// OutputType is the !{firehose:error-output-type} of this destination's
// failures.
const OutputType = "splunk-failed"

// BufferingHints is SplunkBufferingHints.
type BufferingHints struct {
	IntervalInSeconds *int64 `json:"IntervalInSeconds,omitempty"`
	SizeInMBs         *int64 `json:"SizeInMBs,omitempty"`
}

// RetryOptions is SplunkRetryOptions.
type RetryOptions struct {
	DurationInSeconds *int64 `json:"DurationInSeconds,omitempty"`
}

// SecretsManagerConfiguration is AWS's SecretsManagerConfiguration; only
// Enabled=false is accepted.
type SecretsManagerConfiguration struct {
	SecretARN *string `json:"SecretARN,omitempty"`
	RoleARN   *string `json:"RoleARN,omitempty"`
	Enabled   *bool   `json:"Enabled,omitempty"`
}

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
	if c.BufferingHints == nil {
		c.BufferingHints = &BufferingHints{}
	}
	if c.BufferingHints.IntervalInSeconds == nil {
		c.BufferingHints.IntervalInSeconds = ptr(int64(DefaultIntervalInSeconds))
	}
	if c.BufferingHints.SizeInMBs == nil {
		c.BufferingHints.SizeInMBs = ptr(int64(DefaultSizeInMBs))
	}
	if c.RetryOptions == nil {
		c.RetryOptions = &RetryOptions{}
	}
	if c.RetryOptions.DurationInSeconds == nil {
		c.RetryOptions.DurationInSeconds = ptr(int64(DefaultRetryDurationInSeconds))
	}
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

var (
	secretARNPattern = `arn:.*:secretsmanager:[a-zA-Z0-9\-]+:\d{12}:secret:[a-zA-Z0-9\-/_+=.@]+`
	roleARNPattern   = `arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+`
	secretARNRe      = regexp.MustCompile(`^(?:` + secretARNPattern + `)$`)
	roleARNRe        = regexp.MustCompile(`^(?:` + roleARNPattern + `)$`)
)

// Constraints records the model constraint violations of c (required
// members, lengths, ranges, enums, patterns) under path, in the order of
// AWS's model, for a ValidationException.
func (c *Config) Constraints(v *awserr.Violations, path string) {
	if c.HECEndpoint == nil {
		v.Null(path + ".hECEndpoint")
	}
	if c.HECEndpointType == nil {
		v.Null(path + ".hECEndpointType")
	}
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
	maxLen(v, m.HECEndpoint, path+".hECEndpoint", maxEndpointLen)
	enum(v, m.HECEndpointType, path+".hECEndpointType", EndpointRaw, EndpointEvent)
	maxLen(v, m.HECToken, path+".hECToken", maxTokenLen)
	between(v, m.AckTimeout, path+".hECAcknowledgmentTimeoutInSeconds", minAckTimeout, maxAckTimeout)
	if m.Retry != nil {
		between(v, m.Retry.DurationInSeconds, path+".retryOptions.durationInSeconds", minRetry, maxRetry)
	}
	enum(v, m.S3BackupMode, path+".s3BackupMode", BackupFailedEventsOnly, BackupAllEvents)
	if m.Buffering != nil {
		between(v, m.Buffering.IntervalInSeconds, path+".bufferingHints.intervalInSeconds", minInterval, maxInterval)
		between(v, m.Buffering.SizeInMBs, path+".bufferingHints.sizeInMBs", minSize, maxSize)
	}
	if s := m.Secrets; s != nil {
		p := path + ".secretsManagerConfiguration"
		if s.SecretARN != nil {
			minLen(v, s.SecretARN, p+".secretARN", 1)
			maxLen(v, s.SecretARN, p+".secretARN", maxSecretARNLen)
			if !secretARNRe.MatchString(*s.SecretARN) {
				v.Add(*s.SecretARN, p+".secretARN", awserr.Pattern(secretARNPattern))
			}
		}
		if s.RoleARN != nil {
			minLen(v, s.RoleARN, p+".roleARN", 1)
			maxLen(v, s.RoleARN, p+".roleARN", maxRoleLen)
			if !roleARNRe.MatchString(*s.RoleARN) {
				v.Add(*s.RoleARN, p+".roleARN", awserr.Pattern(roleARNPattern))
			}
		}
		if s.Enabled == nil {
			v.Null(p + ".enabled")
		}
	}
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
	if s := c.SecretsManagerConfiguration; s != nil && s.Enabled != nil && *s.Enabled {
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
	if u.HECEndpoint != nil {
		n.HECEndpoint = u.HECEndpoint
	}
	if u.HECEndpointType != nil {
		n.HECEndpointType = u.HECEndpointType
	}
	if u.HECToken != nil {
		n.HECToken = u.HECToken
	}
	if u.HECAcknowledgmentTimeoutInSeconds != nil {
		n.HECAcknowledgmentTimeoutInSeconds = u.HECAcknowledgmentTimeoutInSeconds
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
	if u.BufferingHints != nil {
		b := BufferingHints{}
		if c.BufferingHints != nil {
			b = *c.BufferingHints
		}
		if u.BufferingHints.IntervalInSeconds != nil {
			b.IntervalInSeconds = u.BufferingHints.IntervalInSeconds
		}
		if u.BufferingHints.SizeInMBs != nil {
			b.SizeInMBs = u.BufferingHints.SizeInMBs
		}
		n.BufferingHints = &b
	}
	if u.S3BackupMode != nil {
		if c.S3BackupMode != nil && *c.S3BackupMode == BackupAllEvents && *u.S3BackupMode == BackupFailedEventsOnly {
			return c, errors.New("S3BackupMode cannot be updated from AllEvents to FailedEventsOnly.")
		}
		n.S3BackupMode = u.S3BackupMode
	}
	if u.ProcessingConfiguration != nil {
		n.ProcessingConfiguration = u.ProcessingConfiguration
	}
	if u.CloudWatchLoggingOptions != nil {
		n.CloudWatchLoggingOptions = u.CloudWatchLoggingOptions
	}
	if u.SecretsManagerConfiguration != nil {
		n.SecretsManagerConfiguration = u.SecretsManagerConfiguration
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
	d := Description{
		HECEndpoint:                       c.HECEndpoint,
		HECEndpointType:                   c.HECEndpointType,
		HECToken:                          c.HECToken,
		HECAcknowledgmentTimeoutInSeconds: c.HECAcknowledgmentTimeoutInSeconds,
		RetryOptions:                      &r,
		S3BackupMode:                      c.S3BackupMode,
		BufferingHints:                    &b,
	}
	if s := c.SecretsManagerConfiguration; s != nil {
		sc := *s
		d.SecretsManagerConfiguration = &sc
	}
	return d
}

// Buffering answers the buffering hints, AWS's defaults applied, in MiB
// and seconds.
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

func ptr[T any](v T) *T { return &v }

func maxLen(v *awserr.Violations, s *string, path string, n int) {
	if s != nil && len(*s) > n {
		v.Add(*s, path, awserr.MaxLen(n))
	}
}

func minLen(v *awserr.Violations, s *string, path string, n int) {
	if s != nil && len(*s) < n {
		v.Add(*s, path, awserr.MinLen(n))
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

func enum(v *awserr.Violations, s *string, path string, values ...string) {
	if s == nil {
		return
	}
	for _, x := range values {
		if *s == x {
			return
		}
	}
	v.Add(*s, path, awserr.Enum(values...))
}
