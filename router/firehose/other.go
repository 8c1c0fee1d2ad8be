package firehose

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/sinks/dest"
	"github.com/kinesin/kinesin/sinks/httpendpoint"
	"github.com/kinesin/kinesin/sinks/kinesisdest"
	"github.com/kinesin/kinesin/sinks/opensearch"
	"github.com/kinesin/kinesin/sinks/postgres"
	"github.com/kinesin/kinesin/sinks/splunk"
)

// Destinations other than S3. Each keeps its AWS-shaped configuration in
// its sinks package; the router stores it, describes it, and runs it with
// its S3 configuration as the error output (and backup).

// Destination kinds, as Firehose's CloudWatch metrics name them.
const (
	KindS3           = "S3"
	KindHTTPEndpoint = "HttpEndpoint"
	KindOpenSearch   = "AmazonOpenSearchService"
	KindES           = "Elasticsearch"
	KindSplunk       = "Splunk"
	KindRedshift     = "Redshift"
	// KindKinesisStream is kinesin's own destination: a kinesin stream.
	KindKinesisStream = "KinesisStream"
)

// Other is a delivery stream's destination when it is not S3: exactly one
// member is set. Backup is its S3Configuration (the error output and, in
// the "all" backup modes, a copy of everything).
type Other struct {
	HTTP       *httpendpoint.Config `json:"http,omitempty"`
	OpenSearch *opensearch.Config   `json:"opensearch,omitempty"`
	ES         *opensearch.Config   `json:"elasticsearch,omitempty"`
	Splunk     *splunk.Config       `json:"splunk,omitempty"`
	Redshift   *postgres.Config     `json:"redshift,omitempty"`
	Kinesis    *kinesisdest.Config  `json:"kinesis,omitempty"`
	Backup     Destination          `json:"backup"`
	// SourceBackup is Redshift's S3BackupConfiguration (S3BackupMode
	// Enabled): the records as received.
	SourceBackup *Destination `json:"source_backup,omitempty"`
}

// Kind names the destination.
func (o *Other) Kind() string {
	switch {
	case o.HTTP != nil:
		return KindHTTPEndpoint
	case o.OpenSearch != nil:
		return KindOpenSearch
	case o.ES != nil:
		return KindES
	case o.Splunk != nil:
		return KindSplunk
	case o.Kinesis != nil:
		return KindKinesisStream
	}
	return KindRedshift
}

// otherConfig is what the router needs of every destination package's
// configuration.
type otherConfig interface {
	validate() error
	s3Raw() json.RawMessage
	processingRaw() json.RawMessage
	buffering(backup Destination) (sizeMiB, intervalSeconds int64)
	// backupAll reports whether S3BackupMode sends every record to the backup.
	backupAll() bool
	describe(s3 s3Out, processing *processingConfig) (member string, desc any)
	build(s *Service, o dest.Options) (dest.Destination, error)
}

func (o *Other) config() otherConfig {
	switch {
	case o.HTTP != nil:
		return httpConf{o.HTTP}
	case o.OpenSearch != nil:
		return osConf{o.OpenSearch}
	case o.ES != nil:
		return osConf{o.ES}
	case o.Splunk != nil:
		return splunkConf{o.Splunk}
	case o.Kinesis != nil:
		return kinesisConf{o.Kinesis}
	}
	return redshiftConf{o.Redshift}
}

// configError answers a destination package's validation error as the
// API error it carries, else as an InvalidArgumentException.
func configError(err error) error {
	var ae *awserr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return invalidArgument.New("%s", err.Error())
}

type httpConf struct{ c *httpendpoint.Config }

func (h httpConf) validate() error                { h.c.Defaults(); return h.c.Validate() }
func (h httpConf) s3Raw() json.RawMessage         { return h.c.S3Configuration }
func (h httpConf) processingRaw() json.RawMessage { return h.c.ProcessingConfiguration }
func (h httpConf) buffering(Destination) (int64, int64) {
	return h.c.Buffering()
}
func (h httpConf) backupAll() bool {
	return h.c.S3BackupMode != nil && *h.c.S3BackupMode == httpendpoint.AllData
}
func (h httpConf) describe(s3 s3Out, p *processingConfig) (string, any) {
	d := h.c.Describe()
	d.S3DestinationDescription, d.ProcessingConfiguration = s3, procAny(p)
	return "HttpEndpointDestinationDescription", d
}
func (h httpConf) build(_ *Service, o dest.Options) (dest.Destination, error) {
	return httpendpoint.New(*h.c, o)
}

type osConf struct{ c *opensearch.Config }

func (h osConf) validate() error                { h.c.Defaults(); return h.c.Validate() }
func (h osConf) s3Raw() json.RawMessage         { return h.c.S3Configuration }
func (h osConf) processingRaw() json.RawMessage { return h.c.ProcessingConfiguration }
func (h osConf) buffering(Destination) (int64, int64) {
	return h.c.Buffering()
}
func (h osConf) backupAll() bool {
	return h.c.S3BackupMode != nil && *h.c.S3BackupMode == "AllDocuments"
}
func (h osConf) describe(s3 s3Out, p *processingConfig) (string, any) {
	d := h.c.Describe()
	d.S3DestinationDescription, d.ProcessingConfiguration = s3, procAny(p)
	return h.c.Kind.DescriptionMember(), d
}
func (h osConf) build(_ *Service, o dest.Options) (dest.Destination, error) {
	return opensearch.New(*h.c, o)
}

type splunkConf struct{ c *splunk.Config }

func (h splunkConf) validate() error                { h.c.Defaults(); return h.c.Validate() }
func (h splunkConf) s3Raw() json.RawMessage         { return h.c.S3Configuration }
func (h splunkConf) processingRaw() json.RawMessage { return h.c.ProcessingConfiguration }
func (h splunkConf) buffering(Destination) (int64, int64) {
	return h.c.Buffering()
}
func (h splunkConf) backupAll() bool {
	return h.c.S3BackupMode != nil && *h.c.S3BackupMode == splunk.BackupAllEvents
}
func (h splunkConf) describe(s3 s3Out, p *processingConfig) (string, any) {
	d := h.c.Describe()
	d.S3DestinationDescription, d.ProcessingConfiguration = s3, procAny(p)
	return "SplunkDestinationDescription", d
}
func (h splunkConf) build(_ *Service, o dest.Options) (dest.Destination, error) {
	return splunk.New(*h.c, o)
}

type redshiftConf struct{ c *postgres.Config }

func (h redshiftConf) validate() error                { h.c.Defaults(); return h.c.Validate() }
func (h redshiftConf) s3Raw() json.RawMessage         { return h.c.S3Configuration }
func (h redshiftConf) processingRaw() json.RawMessage { return h.c.ProcessingConfiguration }
func (h redshiftConf) buffering(b Destination) (int64, int64) {
	return h.c.BufferingFrom(&b.SizeInMBs, &b.IntervalInSeconds)
}
func (h redshiftConf) backupAll() bool { return false }
func (h redshiftConf) describe(s3 s3Out, p *processingConfig) (string, any) {
	d := h.c.Describe()
	d.S3DestinationDescription, d.ProcessingConfiguration = s3, procAny(p)
	return "RedshiftDestinationDescription", d
}
func (h redshiftConf) build(_ *Service, o dest.Options) (dest.Destination, error) {
	return postgres.New(*h.c, o)
}

type kinesisConf struct{ c *kinesisdest.Config }

func (h kinesisConf) validate() error                { h.c.Defaults(); return h.c.Validate() }
func (h kinesisConf) s3Raw() json.RawMessage         { return h.c.S3Configuration }
func (h kinesisConf) processingRaw() json.RawMessage { return h.c.ProcessingConfiguration }
func (h kinesisConf) buffering(Destination) (int64, int64) {
	return h.c.Buffering()
}
func (h kinesisConf) backupAll() bool {
	return h.c.S3BackupMode != nil && *h.c.S3BackupMode == kinesisdest.BackupAllData
}
func (h kinesisConf) describe(s3 s3Out, p *processingConfig) (string, any) {
	d := h.c.Describe()
	d.S3DestinationDescription, d.ProcessingConfiguration = s3, procAny(p)
	return "KinesisStreamDestinationDescription", d
}
func (h kinesisConf) build(s *Service, o dest.Options) (dest.Destination, error) {
	if s.cfg.Kinesis == nil {
		return nil, errors.New("firehose: no Kinesis service in this process for a KinesisStream destination")
	}
	return kinesisdest.NewWith(*h.c, o, kinesisdest.ServicePutter(s.cfg.Kinesis))
}

// procAny is p as an optional member: nil stays absent.
func procAny(p *processingConfig) any {
	if p == nil {
		return nil
	}
	return p
}

// buildOther checks the non-S3 destination of in (nil when it has none)
// and answers it as stored.
func (s *Service) buildOther(in *createIn) (*Other, error) {
	o := &Other{HTTP: in.HttpEndpointDestinationConfiguration, OpenSearch: in.AmazonopensearchserviceDestinationConfiguration,
		ES: in.ElasticsearchDestinationConfiguration, Splunk: in.SplunkDestinationConfiguration, Redshift: in.RedshiftDestinationConfiguration,
		Kinesis: in.KinesisStreamDestinationConfiguration}
	n := 0
	for _, set := range []bool{o.HTTP != nil, o.OpenSearch != nil, o.ES != nil, o.Splunk != nil, o.Redshift != nil, o.Kinesis != nil} {
		if set {
			n++
		}
	}
	if n == 0 {
		return nil, nil
	}
	if n > 1 || in.S3DestinationConfiguration != nil || in.ExtendedS3DestinationConfiguration != nil {
		return nil, invalidArgument.New("Only one destination configuration can be provided.")
	}
	if o.OpenSearch != nil {
		o.OpenSearch.Kind = opensearch.OpenSearchService
	}
	if o.ES != nil {
		o.ES.Kind = opensearch.Elasticsearch
	}
	cfg := o.config()
	if err := cfg.validate(); err != nil {
		return nil, configError(err)
	}
	backup, err := s.rawS3(cfg.s3Raw(), "S3Configuration")
	if err != nil {
		return nil, err
	}
	if backup == nil {
		return nil, invalidArgument.New("S3Configuration is required for %s destinations.", o.Kind())
	}
	o.Backup = *backup
	if raw := cfg.processingRaw(); len(raw) > 0 && string(raw) != "null" {
		var pc processingConfig
		if err := json.Unmarshal(raw, &pc); err != nil {
			return nil, invalidArgument.New("ProcessingConfiguration is malformed: %v", err)
		}
		if o.Backup.Processing, err = s.compileProcessing(&pc); err != nil {
			return nil, err
		}
	}
	if r := o.Redshift; r != nil && r.S3BackupMode != nil && *r.S3BackupMode == "Enabled" {
		if o.SourceBackup, err = s.rawS3(r.S3BackupConfiguration, "S3BackupConfiguration"); err != nil {
			return nil, err
		}
		if o.SourceBackup == nil {
			return nil, invalidArgument.New("S3BackupConfiguration is required when S3BackupMode is Enabled.")
		}
	}
	return o, nil
}

// rawS3 decodes and checks an S3DestinationConfiguration kept raw by a
// destination package (nil when absent).
func (s *Service) rawS3(raw json.RawMessage, member string) (*Destination, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var c s3Config
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, invalidArgument.New("%s is malformed: %v", member, err)
	}
	var v awserr.Violations
	checkS3(&v, &c, lowerFirst(member))
	if err := v.Err(); err != nil {
		return nil, err
	}
	d, err := s.buildS3(&c, false)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
