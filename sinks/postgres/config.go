package postgres

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/sinks/dest"
)

// OutputType is the !{firehose:error-output-type} of this destination's
// failures. AWS has none for Redshift: when a COPY keeps failing past the
// retry duration, Firehose skips the batch and writes a manifest naming its
// intermediate S3 objects under errors/ of the S3 bucket, for a manual
// backfill. kinesin has no intermediate objects (records go straight into
// PostgreSQL), so it writes the skipped records themselves as failure
// documents, like the other destinations, under this output type.
const OutputType = "redshift-failed"

// Defaults AWS applies.
const (
	DefaultRetrySeconds = 3600
	// Redshift's buffering hints live in its S3Configuration; these are
	// the S3 defaults.
	DefaultBufferSizeMiB         = 5
	DefaultBufferIntervalSeconds = 300
)

// Config is AWS's RedshiftDestinationConfiguration as the API receives it.
// S3Configuration (the intermediate bucket, whose BufferingHints are the
// destination's), S3BackupConfiguration, ProcessingConfiguration and
// CloudWatchLoggingOptions are the router's and kept raw.
//
// ClusterJDBCURL is jdbc:redshift://host:port/database (AWS's form). As an
// extension kinesin also takes jdbc:postgresql://… and postgres:// or
// postgresql:// URLs, and any host (AWS requires a *.redshift.* name); see
// ParseURL.
type Config struct {
	RoleARN                     *string                      `json:"RoleARN,omitempty"`
	ClusterJDBCURL              *string                      `json:"ClusterJDBCURL,omitempty"`
	CopyCommand                 *CopyCommand                 `json:"CopyCommand,omitempty"`
	Username                    *string                      `json:"Username,omitempty"`
	Password                    *string                      `json:"Password,omitempty"`
	RetryOptions                *RetryOptions                `json:"RetryOptions,omitempty"`
	S3Configuration             json.RawMessage              `json:"S3Configuration,omitempty"`
	ProcessingConfiguration     json.RawMessage              `json:"ProcessingConfiguration,omitempty"`
	S3BackupMode                *string                      `json:"S3BackupMode,omitempty"`
	S3BackupConfiguration       json.RawMessage              `json:"S3BackupConfiguration,omitempty"`
	CloudWatchLoggingOptions    json.RawMessage              `json:"CloudWatchLoggingOptions,omitempty"`
	SecretsManagerConfiguration *SecretsManagerConfiguration `json:"SecretsManagerConfiguration,omitempty"`
}

// CopyCommand is AWS's CopyCommand: the table, its columns and the options
// of the Redshift COPY that loads each batch (see ParseCopyOptions for the
// options kinesin understands).
type CopyCommand struct {
	DataTableName    *string `json:"DataTableName,omitempty"`
	DataTableColumns *string `json:"DataTableColumns,omitempty"`
	CopyOptions      *string `json:"CopyOptions,omitempty"`
}

// RetryOptions is AWS's RedshiftRetryOptions.
type RetryOptions = dest.RetryOptions

// SecretsManagerConfiguration is AWS's SecretsManagerConfiguration. kinesin
// has no Secrets Manager: Enabled=true is rejected.
type SecretsManagerConfiguration = dest.SecretsManagerConfiguration

// Update is AWS's RedshiftDestinationUpdate. S3Update and S3BackupUpdate
// are the router's (it merges them into the raw S3 configurations).
type Update struct {
	RoleARN                     *string                      `json:"RoleARN,omitempty"`
	ClusterJDBCURL              *string                      `json:"ClusterJDBCURL,omitempty"`
	CopyCommand                 *CopyCommand                 `json:"CopyCommand,omitempty"`
	Username                    *string                      `json:"Username,omitempty"`
	Password                    *string                      `json:"Password,omitempty"`
	RetryOptions                *RetryOptions                `json:"RetryOptions,omitempty"`
	S3Update                    json.RawMessage              `json:"S3Update,omitempty"`
	ProcessingConfiguration     json.RawMessage              `json:"ProcessingConfiguration,omitempty"`
	S3BackupMode                *string                      `json:"S3BackupMode,omitempty"`
	S3BackupUpdate              json.RawMessage              `json:"S3BackupUpdate,omitempty"`
	CloudWatchLoggingOptions    json.RawMessage              `json:"CloudWatchLoggingOptions,omitempty"`
	SecretsManagerConfiguration *SecretsManagerConfiguration `json:"SecretsManagerConfiguration,omitempty"`
}

// Description is AWS's RedshiftDestinationDescription. Password is left
// out, as AWS leaves it out. The router fills S3DestinationDescription,
// S3BackupDescription, ProcessingConfiguration and CloudWatchLoggingOptions.
type Description struct {
	RoleARN                     *string                      `json:"RoleARN,omitempty"`
	ClusterJDBCURL              *string                      `json:"ClusterJDBCURL,omitempty"`
	CopyCommand                 *CopyCommand                 `json:"CopyCommand,omitempty"`
	Username                    *string                      `json:"Username,omitempty"`
	RetryOptions                *RetryOptions                `json:"RetryOptions,omitempty"`
	S3DestinationDescription    any                          `json:"S3DestinationDescription,omitempty"`
	ProcessingConfiguration     any                          `json:"ProcessingConfiguration,omitempty"`
	S3BackupMode                *string                      `json:"S3BackupMode,omitempty"`
	S3BackupDescription         any                          `json:"S3BackupDescription,omitempty"`
	CloudWatchLoggingOptions    any                          `json:"CloudWatchLoggingOptions,omitempty"`
	SecretsManagerConfiguration *SecretsManagerConfiguration `json:"SecretsManagerConfiguration,omitempty"`
}

// Defaults fills AWS's defaults: RetryOptions.DurationInSeconds 3600,
// S3BackupMode Disabled.
func (c *Config) Defaults() {
	c.RetryOptions = c.RetryOptions.Defaulted(DefaultRetrySeconds)
	if c.S3BackupMode == nil {
		m := "Disabled"
		c.S3BackupMode = &m
	}
}

// Constraints of the Firehose model.
const (
	path = "redshiftDestinationConfiguration"
	// AWS's ClusterJDBCURL pattern, for reference; kinesin takes any host
	// (see ParseURL), so it is not enforced.
	awsJDBCPattern = `jdbc:(redshift|postgresql)://((?!-)[A-Za-z0-9-]{1,63}(?<!-)\.)+(redshift(-serverless)?)\.([a-zA-Z0-9\.\-]+):\d{1,5}/[a-zA-Z0-9_$-]+`
)

var _ = awsJDBCPattern

func given(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

// Validate checks c as AWS does: the model's constraints first (an
// error whose text is a ValidationException's "N validation errors
// detected: …"), then the semantic rules (an InvalidArgumentException's
// message). Call Defaults first.
func (c *Config) Validate() error {
	var v awserr.Violations
	v.Required(c.RoleARN != nil, path+".roleARN")
	v.Length(c.RoleARN, path+".roleARN", 1, 512)
	v.Match(c.RoleARN, path+".roleARN", dest.RoleARNRe, dest.RoleARNPattern)
	v.Required(c.ClusterJDBCURL != nil, path+".clusterJDBCURL")
	v.Length(c.ClusterJDBCURL, path+".clusterJDBCURL", 1, 512)
	if cc := c.CopyCommand; v.Required(cc != nil, path+".copyCommand") {
		v.Required(cc.DataTableName != nil, path+".copyCommand.dataTableName")
		v.Length(cc.DataTableName, path+".copyCommand.dataTableName", 1, 512)
		v.Length(cc.DataTableColumns, path+".copyCommand.dataTableColumns", 0, 204800)
		v.Length(cc.CopyOptions, path+".copyCommand.copyOptions", 0, 204800)
	}
	v.Length(c.Username, path+".username", 1, 512)
	if c.Password != nil {
		// The password is not echoed.
		if cons := awserr.LengthConstraint(*c.Password, 6, 512); cons != "" {
			v.Add("******", path+".password", cons)
		}
	}
	c.RetryOptions.Check(&v, path+".retryOptions")
	v.OneOf(c.S3BackupMode, path+".s3BackupMode", "Disabled", "Enabled")
	v.Required(given(c.S3Configuration), path+".s3Configuration")
	c.SecretsManagerConfiguration.Check(&v, path+".secretsManagerConfiguration")
	if err := v.Err(); err != nil {
		return err
	}

	// Semantic rules.
	if _, err := ParseURL(*c.ClusterJDBCURL); err != nil {
		return fmt.Errorf("ClusterJDBCURL %q is not valid: %v", *c.ClusterJDBCURL, err)
	}
	if c.SecretsManagerConfiguration.IsEnabled() {
		return errors.New("SecretsManagerConfiguration with Enabled true is not supported by kinesin: give Username and Password")
	}
	if c.Username == nil || c.Password == nil {
		return errors.New("Username and Password are required when SecretsManagerConfiguration is not enabled")
	}
	if c.S3BackupMode != nil && *c.S3BackupMode == "Enabled" && !given(c.S3BackupConfiguration) {
		return errors.New("S3BackupConfiguration is required when S3BackupMode is Enabled")
	}
	if _, err := parseColumnList(c.CopyCommand.DataTableColumns); err != nil {
		return fmt.Errorf("CopyCommand.DataTableColumns: %v", err)
	}
	return nil
}

// Apply answers c with u applied (members u gives replace c's; a given
// CopyCommand replaces the whole CopyCommand, as AWS does), defaulted and
// validated. S3Update and S3BackupUpdate are left to the router. Once
// S3BackupMode is Enabled it cannot go back to Disabled.
func (c Config) Apply(u Update) (Config, error) {
	n := c
	dest.Replace(&n.RoleARN, u.RoleARN)
	dest.Replace(&n.ClusterJDBCURL, u.ClusterJDBCURL)
	dest.Replace(&n.CopyCommand, u.CopyCommand)
	dest.Replace(&n.Username, u.Username)
	dest.Replace(&n.Password, u.Password)
	dest.Replace(&n.RetryOptions, u.RetryOptions)
	if given(u.ProcessingConfiguration) {
		n.ProcessingConfiguration = u.ProcessingConfiguration
	}
	if given(u.CloudWatchLoggingOptions) {
		n.CloudWatchLoggingOptions = u.CloudWatchLoggingOptions
	}
	dest.Replace(&n.SecretsManagerConfiguration, u.SecretsManagerConfiguration)
	if u.S3BackupMode != nil {
		if c.S3BackupMode != nil && *c.S3BackupMode == "Enabled" && *u.S3BackupMode == "Disabled" {
			return c, errors.New("S3BackupMode cannot be changed from Enabled to Disabled")
		}
		n.S3BackupMode = u.S3BackupMode
	}
	n.Defaults()
	if err := n.Validate(); err != nil {
		return c, err
	}
	return n, nil
}

// Describe answers the description DescribeDeliveryStream gives, without
// the password.
func (c Config) Describe() Description {
	d := Description{
		RoleARN:                     c.RoleARN,
		ClusterJDBCURL:              c.ClusterJDBCURL,
		CopyCommand:                 c.CopyCommand,
		Username:                    c.Username,
		RetryOptions:                c.RetryOptions,
		S3BackupMode:                c.S3BackupMode,
		SecretsManagerConfiguration: c.SecretsManagerConfiguration,
	}
	return d
}

// Buffering answers AWS's default buffering hints for Redshift (5 MiB,
// 300 s). The real hints are those of the S3Configuration, which the
// router parses; it passes them to BufferingFrom.
func (c Config) Buffering() (sizeMiB, intervalSeconds int64) {
	return c.BufferingFrom(nil, nil)
}

// BufferingFrom answers the buffering hints from the S3Configuration's
// BufferingHints (SizeInMBs, IntervalInSeconds), AWS's defaults (5 MiB,
// 300 s) standing in for members not given.
func (c Config) BufferingFrom(s3SizeMiB, s3IntervalSeconds *int64) (sizeMiB, intervalSeconds int64) {
	h := dest.BufferingHints{SizeInMBs: s3SizeMiB, IntervalInSeconds: s3IntervalSeconds}
	return h.Values(DefaultBufferSizeMiB, DefaultBufferIntervalSeconds)
}

// retrySeconds is the configured retry duration (default applied).
func (c Config) retrySeconds() int64 { return c.RetryOptions.Seconds(DefaultRetrySeconds) }
