package httpendpoint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/sinks/dest"
)

// Defaults and limits of HttpEndpointDestinationConfiguration (Firehose
// API reference).
const (
	DefaultSizeInMBs         = 5
	DefaultIntervalInSeconds = 300
	DefaultRetrySeconds      = 300

	maxURLLen         = 1000
	maxNameLen        = 256
	maxAccessKeyLen   = 4096
	maxAttributes     = 50
	maxAttrNameLen    = 256
	maxAttrValueLen   = 1024
	maxRoleARNLen     = 512
	minSizeInMBs      = 1
	maxSizeInMBs      = 64
	maxIntervalSecond = 900
)

// S3 backup modes and content encodings.
const (
	FailedDataOnly = "FailedDataOnly"
	AllData        = "AllData"

	EncodingNone = "NONE"
	EncodingGzip = "GZIP"
)

// Model patterns, written as AWS prints them in validation messages.
const (
	urlPattern      = "https://.*"
	nonBlankPattern = `^(?!\s*$).+`
	anyPattern      = ".*"
	// secretARNPattern is SecretsManagerConfiguration.SecretARN's.
	secretARNPattern = dest.SecretARNPattern
)

// Config is AWS's HttpEndpointDestinationConfiguration as
// CreateDeliveryStream receives it. S3Configuration,
// ProcessingConfiguration and CloudWatchLoggingOptions are the router's and
// kept raw.
type Config struct {
	EndpointConfiguration       *EndpointConfiguration       `json:"EndpointConfiguration,omitempty"`
	BufferingHints              *BufferingHints              `json:"BufferingHints,omitempty"`
	RequestConfiguration        *RequestConfiguration        `json:"RequestConfiguration,omitempty"`
	RetryOptions                *RetryOptions                `json:"RetryOptions,omitempty"`
	RoleARN                     *string                      `json:"RoleARN,omitempty"`
	S3BackupMode                *string                      `json:"S3BackupMode,omitempty"`
	S3Configuration             json.RawMessage              `json:"S3Configuration,omitempty"`
	ProcessingConfiguration     json.RawMessage              `json:"ProcessingConfiguration,omitempty"`
	CloudWatchLoggingOptions    json.RawMessage              `json:"CloudWatchLoggingOptions,omitempty"`
	SecretsManagerConfiguration *SecretsManagerConfiguration `json:"SecretsManagerConfiguration,omitempty"`
}

// EndpointConfiguration is AWS's HttpEndpointConfiguration.
type EndpointConfiguration struct {
	Url       *string `json:"Url,omitempty"`
	Name      *string `json:"Name,omitempty"`
	AccessKey *string `json:"AccessKey,omitempty"`
}

// BufferingHints is AWS's HttpEndpointBufferingHints.
type BufferingHints = dest.BufferingHints

// RequestConfiguration is AWS's HttpEndpointRequestConfiguration.
type RequestConfiguration struct {
	ContentEncoding  *string           `json:"ContentEncoding,omitempty"`
	CommonAttributes []CommonAttribute `json:"CommonAttributes,omitempty"`
}

// CommonAttribute is AWS's HttpEndpointCommonAttribute.
type CommonAttribute struct {
	AttributeName  *string `json:"AttributeName,omitempty"`
	AttributeValue *string `json:"AttributeValue,omitempty"`
}

// RetryOptions is AWS's HttpEndpointRetryOptions.
type RetryOptions = dest.RetryOptions

// SecretsManagerConfiguration is AWS's SecretsManagerConfiguration.
// kinesin has no Secrets Manager: Enabled=true is refused.
type SecretsManagerConfiguration = dest.SecretsManagerConfiguration

// Update is AWS's HttpEndpointDestinationUpdate. S3Update is the router's
// (it updates S3Configuration); Apply leaves it alone.
type Update struct {
	EndpointConfiguration       *EndpointConfiguration       `json:"EndpointConfiguration,omitempty"`
	BufferingHints              *BufferingHints              `json:"BufferingHints,omitempty"`
	CloudWatchLoggingOptions    json.RawMessage              `json:"CloudWatchLoggingOptions,omitempty"`
	RequestConfiguration        *RequestConfiguration        `json:"RequestConfiguration,omitempty"`
	ProcessingConfiguration     json.RawMessage              `json:"ProcessingConfiguration,omitempty"`
	RoleARN                     *string                      `json:"RoleARN,omitempty"`
	RetryOptions                *RetryOptions                `json:"RetryOptions,omitempty"`
	S3BackupMode                *string                      `json:"S3BackupMode,omitempty"`
	S3Update                    json.RawMessage              `json:"S3Update,omitempty"`
	SecretsManagerConfiguration *SecretsManagerConfiguration `json:"SecretsManagerConfiguration,omitempty"`
}

// Description is AWS's HttpEndpointDestinationDescription. The access key
// is left out, as AWS leaves it out. The router fills
// S3DestinationDescription, ProcessingConfiguration and
// CloudWatchLoggingOptions.
type Description struct {
	EndpointConfiguration       *EndpointDescription         `json:"EndpointConfiguration,omitempty"`
	BufferingHints              *BufferingHints              `json:"BufferingHints,omitempty"`
	CloudWatchLoggingOptions    any                          `json:"CloudWatchLoggingOptions,omitempty"`
	ProcessingConfiguration     any                          `json:"ProcessingConfiguration,omitempty"`
	RequestConfiguration        *RequestConfiguration        `json:"RequestConfiguration,omitempty"`
	RetryOptions                *RetryOptions                `json:"RetryOptions,omitempty"`
	RoleARN                     *string                      `json:"RoleARN,omitempty"`
	S3BackupMode                *string                      `json:"S3BackupMode,omitempty"`
	S3DestinationDescription    any                          `json:"S3DestinationDescription,omitempty"`
	SecretsManagerConfiguration *SecretsManagerConfiguration `json:"SecretsManagerConfiguration,omitempty"`
}

// EndpointDescription is AWS's HttpEndpointDescription: Url and Name, no
// AccessKey.
type EndpointDescription struct {
	Url  *string `json:"Url,omitempty"`
	Name *string `json:"Name,omitempty"`
}

// Defaults fills AWS's defaults: buffering 5 MiB / 300 s, retries for
// 300 s, ContentEncoding NONE, S3BackupMode FailedDataOnly.
func (c *Config) Defaults() {
	c.BufferingHints = c.BufferingHints.Defaulted(DefaultSizeInMBs, DefaultIntervalInSeconds)
	c.RetryOptions = c.RetryOptions.Defaulted(DefaultRetrySeconds)
	if c.RequestConfiguration == nil {
		c.RequestConfiguration = &RequestConfiguration{}
	}
	if c.RequestConfiguration.ContentEncoding == nil {
		c.RequestConfiguration.ContentEncoding = ptr(EncodingNone)
	}
	if c.S3BackupMode == nil {
		c.S3BackupMode = ptr(FailedDataOnly)
	}
}

// createPath and updatePath are where the API's validation messages place
// this destination's members.
const (
	createPath = "httpEndpointDestinationConfiguration"
	updatePath = "httpEndpointDestinationUpdate"
)

// Validate checks c as CreateDeliveryStream does: the model's constraints
// first (a *ConfigError of kind ValidationException), then the rules
// between members (kind InvalidArgumentException).
func (c *Config) Validate() error {
	var v awserr.Violations
	if v.Required(c.EndpointConfiguration != nil, createPath+".endpointConfiguration") {
		checkEndpoint(&v, c.EndpointConfiguration, createPath+".endpointConfiguration")
	}
	checkMembers(&v, createPath, c.BufferingHints, c.RequestConfiguration, c.RetryOptions, c.RoleARN, c.S3BackupMode, c.SecretsManagerConfiguration)
	if len(bytes.TrimSpace(c.S3Configuration)) == 0 || string(bytes.TrimSpace(c.S3Configuration)) == "null" {
		v.Null(createPath + ".s3Configuration")
	}
	if err := validationError(&v); err != nil {
		return err
	}
	return c.checkRules()
}

// checkRules are the checks AWS answers with InvalidArgumentException.
func (c *Config) checkRules() error {
	if e := c.EndpointConfiguration; e != nil && e.Url != nil {
		u, err := url.Parse(*e.Url)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return invalidArgument("EndpointConfiguration.Url is not a valid https URL.")
		}
	}
	if c.SecretsManagerConfiguration.IsEnabled() {
		return invalidArgument("SecretsManagerConfiguration with Enabled set to true is not supported by kinesin (there is no Secrets Manager); " +
			"set Enabled to false and give the access key in EndpointConfiguration.AccessKey.")
	}
	if r := c.RequestConfiguration; r != nil {
		seen := make(map[string]bool, len(r.CommonAttributes))
		for _, a := range r.CommonAttributes {
			if a.AttributeName == nil {
				continue
			}
			if seen[*a.AttributeName] {
				return invalidArgument("RequestConfiguration.CommonAttributes has the attribute name %q more than once.", *a.AttributeName)
			}
			seen[*a.AttributeName] = true
		}
	}
	return nil
}

// Apply returns c with u applied, as UpdateDestination merges: members u
// leaves out keep their values (inside EndpointConfiguration,
// BufferingHints, RequestConfiguration and SecretsManagerConfiguration too,
// member by member; CommonAttributes, when given, replace the list). The
// result has its defaults filled and is validated. u.S3Update is the
// router's to apply to S3Configuration.
func (c Config) Apply(u Update) (Config, error) {
	var v awserr.Violations
	if u.EndpointConfiguration != nil {
		checkEndpoint(&v, u.EndpointConfiguration, updatePath+".endpointConfiguration")
	}
	checkMembers(&v, updatePath, u.BufferingHints, u.RequestConfiguration, u.RetryOptions, u.RoleARN, u.S3BackupMode, u.SecretsManagerConfiguration)
	if err := validationError(&v); err != nil {
		return c, err
	}

	n := c.clone()
	if e := u.EndpointConfiguration; e != nil {
		if n.EndpointConfiguration == nil {
			n.EndpointConfiguration = &EndpointConfiguration{}
		}
		dest.Replace(&n.EndpointConfiguration.Url, e.Url)
		dest.Replace(&n.EndpointConfiguration.Name, e.Name)
		dest.Replace(&n.EndpointConfiguration.AccessKey, e.AccessKey)
	}
	n.BufferingHints = n.BufferingHints.Merged(u.BufferingHints)
	if r := u.RequestConfiguration; r != nil {
		if n.RequestConfiguration == nil {
			n.RequestConfiguration = &RequestConfiguration{}
		}
		dest.Replace(&n.RequestConfiguration.ContentEncoding, r.ContentEncoding)
		if r.CommonAttributes != nil {
			n.RequestConfiguration.CommonAttributes = append([]CommonAttribute(nil), r.CommonAttributes...)
		}
	}
	n.RetryOptions = n.RetryOptions.Merged(u.RetryOptions)
	n.SecretsManagerConfiguration = n.SecretsManagerConfiguration.Merged(u.SecretsManagerConfiguration)
	dest.Replace(&n.RoleARN, u.RoleARN)
	dest.Replace(&n.S3BackupMode, u.S3BackupMode)
	dest.ReplaceRaw(&n.ProcessingConfiguration, u.ProcessingConfiguration)
	dest.ReplaceRaw(&n.CloudWatchLoggingOptions, u.CloudWatchLoggingOptions)
	n.Defaults()
	if err := n.Validate(); err != nil {
		return c, err
	}
	return n, nil
}

// Describe answers c as DescribeDeliveryStream does, without the access
// key.
func (c Config) Describe() Description {
	n := c.clone()
	d := Description{
		BufferingHints:              n.BufferingHints,
		RequestConfiguration:        n.RequestConfiguration,
		RetryOptions:                n.RetryOptions,
		RoleARN:                     n.RoleARN,
		S3BackupMode:                n.S3BackupMode,
		SecretsManagerConfiguration: n.SecretsManagerConfiguration,
	}
	if e := n.EndpointConfiguration; e != nil {
		d.EndpointConfiguration = &EndpointDescription{Url: e.Url, Name: e.Name}
	}
	return d
}

// Buffering answers the buffering hints in MiB and seconds, AWS's defaults
// for missing ones.
func (c Config) Buffering() (sizeMiB, intervalSeconds int64) {
	return c.BufferingHints.Values(DefaultSizeInMBs, DefaultIntervalInSeconds)
}

// retrySeconds is RetryOptions.DurationInSeconds, default 300.
func (c Config) retrySeconds() int64 { return c.RetryOptions.Seconds(DefaultRetrySeconds) }

func (c Config) gzip() bool {
	r := c.RequestConfiguration
	return r != nil && r.ContentEncoding != nil && *r.ContentEncoding == EncodingGzip
}

// clone is a deep copy, so that Apply and Describe never share memory with
// the stored configuration.
func (c Config) clone() Config {
	n := c
	if e := c.EndpointConfiguration; e != nil {
		x := *e
		x.Url, x.Name, x.AccessKey = dest.Clone(e.Url), dest.Clone(e.Name), dest.Clone(e.AccessKey)
		n.EndpointConfiguration = &x
	}
	n.BufferingHints = c.BufferingHints.Clone()
	if r := c.RequestConfiguration; r != nil {
		x := RequestConfiguration{ContentEncoding: dest.Clone(r.ContentEncoding)}
		if r.CommonAttributes != nil {
			x.CommonAttributes = make([]CommonAttribute, len(r.CommonAttributes))
			for i, a := range r.CommonAttributes {
				x.CommonAttributes[i] = CommonAttribute{AttributeName: dest.Clone(a.AttributeName), AttributeValue: dest.Clone(a.AttributeValue)}
			}
		}
		n.RequestConfiguration = &x
	}
	n.RetryOptions = c.RetryOptions.Clone()
	n.SecretsManagerConfiguration = c.SecretsManagerConfiguration.Clone()
	n.RoleARN, n.S3BackupMode = dest.Clone(c.RoleARN), dest.Clone(c.S3BackupMode)
	n.S3Configuration = cloneRaw(c.S3Configuration)
	n.ProcessingConfiguration = cloneRaw(c.ProcessingConfiguration)
	n.CloudWatchLoggingOptions = cloneRaw(c.CloudWatchLoggingOptions)
	return n
}

// checkEndpoint checks HttpEndpointConfiguration's members. Url, AccessKey
// are sensitive in the model, so their values stay out of the messages.
func checkEndpoint(v *awserr.Violations, e *EndpointConfiguration, path string) {
	if v.Required(e.Url != nil, path+".url") {
		s := *e.Url
		// kinesin accepts http:// too (local endpoints); AWS only https://.
		if !lineOnly(s) || !(strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) {
			v.Hidden(path+".url", awserr.Pattern(urlPattern))
		}
		v.LengthHidden(e.Url, path+".url", 1, maxURLLen)
	}
	if e.Name != nil && !nonBlank(*e.Name) {
		v.Add(*e.Name, path+".name", awserr.Pattern(nonBlankPattern))
	}
	v.Length(e.Name, path+".name", 1, maxNameLen)
	if e.AccessKey != nil && !lineOnly(*e.AccessKey) {
		v.Hidden(path+".accessKey", awserr.Pattern(anyPattern))
	}
	v.LengthHidden(e.AccessKey, path+".accessKey", 0, maxAccessKeyLen)
}

// checkMembers checks the members Config and Update share.
func checkMembers(v *awserr.Violations, path string, b *BufferingHints, r *RequestConfiguration, ro *RetryOptions, roleARN, backup *string, sm *SecretsManagerConfiguration) {
	if b != nil {
		v.Range(b.SizeInMBs, path+".bufferingHints.sizeInMBs", minSizeInMBs, maxSizeInMBs)
		v.Range(b.IntervalInSeconds, path+".bufferingHints.intervalInSeconds", 0, maxIntervalSecond)
	}
	if r != nil {
		v.OneOf(r.ContentEncoding, path+".requestConfiguration.contentEncoding", EncodingNone, EncodingGzip)
		p := path + ".requestConfiguration.commonAttributes"
		if len(r.CommonAttributes) > maxAttributes {
			v.Add(awserr.ObjectListValue("HttpEndpointCommonAttribute", len(r.CommonAttributes)), p, awserr.MaxLen(maxAttributes))
		}
		for i, a := range r.CommonAttributes {
			m := fmt.Sprintf("%s.%d.member", p, i+1)
			if v.Required(a.AttributeName != nil, m+".attributeName") {
				if !nonBlank(*a.AttributeName) {
					v.Hidden(m+".attributeName", awserr.Pattern(nonBlankPattern))
				}
				v.LengthHidden(a.AttributeName, m+".attributeName", 1, maxAttrNameLen)
			}
			if v.Required(a.AttributeValue != nil, m+".attributeValue") {
				if !lineOnly(*a.AttributeValue) {
					v.Hidden(m+".attributeValue", awserr.Pattern(anyPattern))
				}
				v.LengthHidden(a.AttributeValue, m+".attributeValue", 0, maxAttrValueLen)
			}
		}
	}
	ro.Check(v, path+".retryOptions")
	v.Match(roleARN, path+".roleARN", dest.RoleARNRe, dest.RoleARNPattern)
	v.Length(roleARN, path+".roleARN", 1, maxRoleARNLen)
	v.OneOf(backup, path+".s3BackupMode", FailedDataOnly, AllData)
	sm.Check(v, path+".secretsManagerConfiguration")
}

func ptr[T any](v T) *T { return &v }

func cloneRaw(r json.RawMessage) json.RawMessage {
	if r == nil {
		return nil
	}
	return append(json.RawMessage(nil), r...)
}
