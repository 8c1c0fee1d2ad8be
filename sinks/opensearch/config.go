package opensearch

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/sinks/dest"
	"github.com/kinesin/kinesin/sinks/keys"
)

// Kind tells which of Firehose's two shapes of this destination a Config
// came from. The members are the same; only the names of the API members
// (and of the failure output type) differ.
type Kind int

const (
	// OpenSearchService is AmazonopensearchserviceDestinationConfiguration
	// (the zero value).
	OpenSearchService Kind = iota
	// Elasticsearch is the older ElasticsearchDestinationConfiguration.
	Elasticsearch
)

// Enum values of the Firehose_20150804 model.
const (
	NoRotation = "NoRotation"
	OneHour    = "OneHour"
	OneDay     = "OneDay"
	OneWeek    = "OneWeek"
	OneMonth   = "OneMonth"

	FailedDocumentsOnly = "FailedDocumentsOnly"
	AllDocuments        = "AllDocuments"

	FirehoseDefault = "FIREHOSE_DEFAULT"
	NoDocumentID    = "NO_DOCUMENT_ID"
)

// Defaults of the model.
const (
	DefaultIntervalInSeconds = 300
	DefaultSizeInMBs         = 5
	DefaultRetrySeconds      = 300
)

// BufferingHints is AmazonopensearchserviceBufferingHints (or
// ElasticsearchBufferingHints). The model orders its members
// IntervalInSeconds first, unlike dest.BufferingHints, so it is a type of
// its own; hints and openSearchHints convert.
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

func openSearchHints(h *dest.BufferingHints) *BufferingHints {
	if h == nil {
		return nil
	}
	return &BufferingHints{IntervalInSeconds: h.IntervalInSeconds, SizeInMBs: h.SizeInMBs}
}

// RetryOptions is AmazonopensearchserviceRetryOptions (or
// ElasticsearchRetryOptions).
type RetryOptions = dest.RetryOptions

// DocumentIDOptions is DocumentIdOptions.
type DocumentIDOptions struct {
	DefaultDocumentIdFormat *string `json:"DefaultDocumentIdFormat,omitempty"`
}

// Config is AmazonopensearchserviceDestinationConfiguration (or, with Kind
// Elasticsearch, ElasticsearchDestinationConfiguration) as
// CreateDeliveryStream receives it. S3Configuration, S3BackupMode,
// ProcessingConfiguration and CloudWatchLoggingOptions are the router's;
// they are kept as received.
//
// kinesin delivers to ClusterEndpoint, the http(s) URL of any OpenSearch or
// Elasticsearch compatible server. A user and password in the URL
// (https://user:pass@host:9200) are sent as HTTP basic authentication (a
// kinesin extension: Amazon OpenSearch Service signs requests with the
// role instead). A DomainARN cannot be resolved and is rejected.
type Config struct {
	// Kind is not an API member: the router sets it from the member the
	// configuration came in.
	Kind Kind `json:"-"`

	RoleARN                  *string            `json:"RoleARN,omitempty"`
	DomainARN                *string            `json:"DomainARN,omitempty"`
	ClusterEndpoint          *string            `json:"ClusterEndpoint,omitempty"`
	IndexName                *string            `json:"IndexName,omitempty"`
	TypeName                 *string            `json:"TypeName,omitempty"`
	IndexRotationPeriod      *string            `json:"IndexRotationPeriod,omitempty"`
	BufferingHints           *BufferingHints    `json:"BufferingHints,omitempty"`
	RetryOptions             *RetryOptions      `json:"RetryOptions,omitempty"`
	S3BackupMode             *string            `json:"S3BackupMode,omitempty"`
	S3Configuration          json.RawMessage    `json:"S3Configuration,omitempty"`
	ProcessingConfiguration  json.RawMessage    `json:"ProcessingConfiguration,omitempty"`
	CloudWatchLoggingOptions json.RawMessage    `json:"CloudWatchLoggingOptions,omitempty"`
	VpcConfiguration         json.RawMessage    `json:"VpcConfiguration,omitempty"`
	DocumentIdOptions        *DocumentIDOptions `json:"DocumentIdOptions,omitempty"`
}

// Update is AmazonopensearchserviceDestinationUpdate (or
// ElasticsearchDestinationUpdate): every member optional. S3Update,
// ProcessingConfiguration and CloudWatchLoggingOptions are the router's.
type Update struct {
	RoleARN                  *string            `json:"RoleARN,omitempty"`
	DomainARN                *string            `json:"DomainARN,omitempty"`
	ClusterEndpoint          *string            `json:"ClusterEndpoint,omitempty"`
	IndexName                *string            `json:"IndexName,omitempty"`
	TypeName                 *string            `json:"TypeName,omitempty"`
	IndexRotationPeriod      *string            `json:"IndexRotationPeriod,omitempty"`
	BufferingHints           *BufferingHints    `json:"BufferingHints,omitempty"`
	RetryOptions             *RetryOptions      `json:"RetryOptions,omitempty"`
	S3Update                 json.RawMessage    `json:"S3Update,omitempty"`
	ProcessingConfiguration  json.RawMessage    `json:"ProcessingConfiguration,omitempty"`
	CloudWatchLoggingOptions json.RawMessage    `json:"CloudWatchLoggingOptions,omitempty"`
	DocumentIdOptions        *DocumentIDOptions `json:"DocumentIdOptions,omitempty"`
}

// Description is AmazonopensearchserviceDestinationDescription (or
// ElasticsearchDestinationDescription) as DescribeDeliveryStream answers
// it. The router fills S3DestinationDescription, ProcessingConfiguration
// and CloudWatchLoggingOptions. A password in ClusterEndpoint is masked.
type Description struct {
	RoleARN                  *string            `json:"RoleARN,omitempty"`
	DomainARN                *string            `json:"DomainARN,omitempty"`
	ClusterEndpoint          *string            `json:"ClusterEndpoint,omitempty"`
	IndexName                *string            `json:"IndexName,omitempty"`
	TypeName                 *string            `json:"TypeName,omitempty"`
	IndexRotationPeriod      *string            `json:"IndexRotationPeriod,omitempty"`
	BufferingHints           *BufferingHints    `json:"BufferingHints,omitempty"`
	RetryOptions             *RetryOptions      `json:"RetryOptions,omitempty"`
	S3BackupMode             *string            `json:"S3BackupMode,omitempty"`
	S3DestinationDescription any                `json:"S3DestinationDescription,omitempty"`
	ProcessingConfiguration  any                `json:"ProcessingConfiguration,omitempty"`
	CloudWatchLoggingOptions any                `json:"CloudWatchLoggingOptions,omitempty"`
	DocumentIdOptions        *DocumentIDOptions `json:"DocumentIdOptions,omitempty"`
}

// ConfigurationMember is the CreateDeliveryStream member a Config of kind
// k comes in.
func (k Kind) ConfigurationMember() string {
	if k == Elasticsearch {
		return "ElasticsearchDestinationConfiguration"
	}
	return "AmazonopensearchserviceDestinationConfiguration"
}

// UpdateMember is the UpdateDestination member an Update of kind k comes in.
func (k Kind) UpdateMember() string {
	if k == Elasticsearch {
		return "ElasticsearchDestinationUpdate"
	}
	return "AmazonopensearchserviceDestinationUpdate"
}

// DescriptionMember is the DestinationDescription member a Description of
// kind k goes in.
func (k Kind) DescriptionMember() string {
	if k == Elasticsearch {
		return "ElasticsearchDestinationDescription"
	}
	return "AmazonopensearchserviceDestinationDescription"
}

// OutputType is the !{firehose:error-output-type} of this destination's
// failures: "AmazonOpenSearchService-failed", or "elasticsearch-failed" for
// an ElasticsearchDestinationConfiguration.
func (k Kind) OutputType() string {
	if k == Elasticsearch {
		return keys.ElasticsearchFailed
	}
	return keys.AmazonOpenSearchServiceFailed
}

// OutputType is c.Kind.OutputType().
func (c Config) OutputType() string { return c.Kind.OutputType() }

// path is the validation-message path of a member of the configuration.
func (k Kind) path(update bool) string {
	m := k.ConfigurationMember()
	if update {
		m = k.UpdateMember()
	}
	return strings.ToLower(m[:1]) + m[1:]
}

func ptr[T any](v T) *T { return &v }

// Defaults fills AWS's defaults: IndexRotationPeriod OneDay, BufferingHints
// 300 s / 5 MB, RetryOptions 300 s, S3BackupMode FailedDocumentsOnly.
func (c *Config) Defaults() {
	if c.IndexRotationPeriod == nil {
		c.IndexRotationPeriod = ptr(OneDay)
	}
	c.BufferingHints = openSearchHints(c.BufferingHints.hints().Defaulted(DefaultSizeInMBs, DefaultIntervalInSeconds))
	c.RetryOptions = c.RetryOptions.Defaulted(DefaultRetrySeconds)
	if c.S3BackupMode == nil {
		c.S3BackupMode = ptr(FailedDocumentsOnly)
	}
}

// Constraints of the Firehose_20150804 model.
var (
	domainARNRe = regexp.MustCompile(`^arn:.*:es:[a-zA-Z0-9\-]+:\d{12}:domain/[a-z][-0-9a-z]{2,27}$`)
	// AWS's pattern is https:.*; kinesin also accepts plain http.
	endpointRe = regexp.MustCompile(`^https?:.*$`)
)

const (
	domainARNPattern = `arn:.*:es:[a-zA-Z0-9\-]+:\d{12}:domain/[a-z][-0-9a-z]{2,27}`
	endpointPattern  = `https?:.*`
)

// ConfigError is what Validate and Apply answer: its text is the message
// of the AWS error, and errors.As finds the *awserr.Error (a
// ValidationException for model constraints, an InvalidArgumentException
// for the rules Firehose checks itself).
type ConfigError struct{ Err *awserr.Error }

func (e *ConfigError) Error() string { return e.Err.Message }
func (e *ConfigError) Unwrap() error { return e.Err }

func invalidArgument(format string, a ...any) error {
	return &ConfigError{awserr.InvalidArgument.New(format, a...)}
}

// Validate checks c as CreateDeliveryStream does: the model's constraints
// first (all violations, as one ValidationException), then Firehose's own
// rules (exactly one of DomainARN and ClusterEndpoint) and kinesin's
// limits (no DomainARN, no VpcConfiguration).
func (c *Config) Validate() error { return c.validate(c.Kind.path(false), true) }

func (c *Config) validate(p string, creating bool) error {
	var v awserr.Violations
	v.Required(c.RoleARN != nil, p+".roleARN")
	v.Match(c.RoleARN, p+".roleARN", dest.RoleARNRe, dest.RoleARNPattern)
	v.Length(c.RoleARN, p+".roleARN", 1, 512)
	v.Match(c.DomainARN, p+".domainARN", domainARNRe, domainARNPattern)
	v.Length(c.DomainARN, p+".domainARN", 1, 512)
	checkEndpoint(&v, c.ClusterEndpoint, p+".clusterEndpoint")
	v.Required(c.IndexName != nil, p+".indexName")
	v.Length(c.IndexName, p+".indexName", 1, 80)
	v.Length(c.TypeName, p+".typeName", 0, 100)
	v.OneOf(c.IndexRotationPeriod, p+".indexRotationPeriod", NoRotation, OneHour, OneDay, OneWeek, OneMonth)
	if h := c.BufferingHints; h != nil {
		v.Range(h.IntervalInSeconds, p+".bufferingHints.intervalInSeconds", 0, 900)
		v.Range(h.SizeInMBs, p+".bufferingHints.sizeInMBs", 1, 100)
	}
	c.RetryOptions.Check(&v, p+".retryOptions")
	v.OneOf(c.S3BackupMode, p+".s3BackupMode", FailedDocumentsOnly, AllDocuments)
	if creating && isNull(c.S3Configuration) {
		v.Null(p + ".s3Configuration")
	}
	if d := c.DocumentIdOptions; d != nil {
		v.Required(d.DefaultDocumentIdFormat != nil, p+".documentIdOptions.defaultDocumentIdFormat")
		v.OneOf(d.DefaultDocumentIdFormat, p+".documentIdOptions.defaultDocumentIdFormat", FirehoseDefault, NoDocumentID)
	}
	if err := v.Err(); err != nil {
		return &ConfigError{err}
	}

	hasDomain, hasEndpoint := c.DomainARN != nil, c.ClusterEndpoint != nil
	switch {
	case hasDomain && hasEndpoint:
		return invalidArgument("Specify either DomainARN or ClusterEndpoint, not both.")
	case !hasDomain && !hasEndpoint:
		return invalidArgument("Either DomainARN or ClusterEndpoint must be specified.")
	case hasDomain:
		return invalidArgument("DomainARN %s cannot be resolved: kinesin has no Amazon OpenSearch Service domains. "+
			"Specify ClusterEndpoint, the http(s) URL of an OpenSearch or Elasticsearch compatible server, instead.", *c.DomainARN)
	}
	if _, err := parseEndpoint(*c.ClusterEndpoint); err != nil {
		return invalidArgument("ClusterEndpoint %s is not valid: %v", redact(*c.ClusterEndpoint), err)
	}
	if !isNull(c.VpcConfiguration) {
		return invalidArgument("VpcConfiguration is not supported by kinesin: the cluster is reached at ClusterEndpoint directly.")
	}
	return nil
}

// Apply returns c with u applied (members u leaves out are kept; a
// ClusterEndpoint replaces a DomainARN and the other way round; an empty
// TypeName removes the type name), defaults filled and validated.
func (c Config) Apply(u Update) (Config, error) {
	n := c.clone()
	dest.Replace(&n.RoleARN, u.RoleARN)
	if u.DomainARN != nil {
		n.DomainARN, n.ClusterEndpoint = ptr(*u.DomainARN), nil
	}
	if u.ClusterEndpoint != nil {
		n.ClusterEndpoint = ptr(*u.ClusterEndpoint)
		if u.DomainARN == nil {
			n.DomainARN = nil
		}
	}
	dest.Replace(&n.IndexName, u.IndexName)
	if u.TypeName != nil {
		n.TypeName = ptr(*u.TypeName)
		if *u.TypeName == "" {
			n.TypeName = nil
		}
	}
	dest.Replace(&n.IndexRotationPeriod, u.IndexRotationPeriod)
	if u.BufferingHints != nil {
		n.BufferingHints = openSearchHints(n.BufferingHints.hints().Merged(u.BufferingHints.hints()))
	}
	n.RetryOptions = n.RetryOptions.Merged(u.RetryOptions)
	dest.ReplaceRaw(&n.ProcessingConfiguration, u.ProcessingConfiguration)
	dest.ReplaceRaw(&n.CloudWatchLoggingOptions, u.CloudWatchLoggingOptions)
	if d := u.DocumentIdOptions; d != nil {
		n.DocumentIdOptions = &DocumentIDOptions{DefaultDocumentIdFormat: d.DefaultDocumentIdFormat}
	}
	n.Defaults()
	if err := n.validate(n.Kind.path(true), false); err != nil {
		return c, err
	}
	return n, nil
}

// clone copies c deeply enough that Apply never changes c, with the
// defaults filled.
func (c Config) clone() Config {
	n := c
	n.BufferingHints = openSearchHints(c.BufferingHints.hints().Clone())
	n.RetryOptions = c.RetryOptions.Clone()
	n.Defaults()
	return n
}

// Describe answers c as DescribeDeliveryStream does, defaults filled and a
// password in ClusterEndpoint masked.
func (c Config) Describe() Description {
	c = c.clone()
	d := Description{
		RoleARN:             c.RoleARN,
		DomainARN:           c.DomainARN,
		IndexName:           c.IndexName,
		TypeName:            c.TypeName,
		IndexRotationPeriod: c.IndexRotationPeriod,
		BufferingHints:      c.BufferingHints,
		RetryOptions:        c.RetryOptions,
		S3BackupMode:        c.S3BackupMode,
		DocumentIdOptions:   c.DocumentIdOptions,
	}
	if c.ClusterEndpoint != nil {
		d.ClusterEndpoint = ptr(redact(*c.ClusterEndpoint))
	}
	return d
}

// Buffering answers the buffering hints, defaults applied, in MiB and
// seconds.
func (c Config) Buffering() (sizeMiB, intervalSeconds int64) {
	c = c.clone()
	return *c.BufferingHints.SizeInMBs, *c.BufferingHints.IntervalInSeconds
}

// BacksUpAllDocuments reports whether S3BackupMode is AllDocuments: the
// delivery loop then writes every source record to the S3 backup, not only
// the failed documents.
func (c Config) BacksUpAllDocuments() bool {
	return c.S3BackupMode != nil && *c.S3BackupMode == AllDocuments
}

// parseEndpoint checks a ClusterEndpoint: an absolute http or https URL with
// a host, no query or fragment.
func parseEndpoint(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("the scheme must be http or https")
	}
	if u.Host == "" {
		return nil, errors.New("the URL has no host")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("the URL must have no query or fragment")
	}
	return u, nil
}

// redact masks the password of an endpoint URL.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}

func isNull(m json.RawMessage) bool {
	s := strings.TrimSpace(string(m))
	return s == "" || s == "null"
}

// checkEndpoint checks ClusterEndpoint as the model does, its password
// masked in the messages.
func checkEndpoint(v *awserr.Violations, s *string, path string) {
	if s == nil {
		return
	}
	shown := redact(*s)
	if !endpointRe.MatchString(*s) {
		v.Add(shown, path, awserr.Pattern(endpointPattern))
	}
	if c := awserr.LengthConstraint(*s, 1, 512); c != "" {
		v.Add(shown, path, c)
	}
}
