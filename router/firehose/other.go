package firehose

import (
	"cmp"
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
		return &pkgConfig[httpendpoint.Config, httpendpoint.Description, *httpendpoint.Config]{c: o.HTTP, member: "HttpEndpointDestinationDescription",
			all: httpendpoint.AllData, make: func(_ *Service, c httpendpoint.Config, opt dest.Options) (dest.Destination, error) {
				return httpendpoint.New(c, opt)
			},
			fill: func(d *httpendpoint.Description, s3 s3Out, p any) {
				d.S3DestinationDescription, d.ProcessingConfiguration = s3, p
			}}
	case o.OpenSearch != nil || o.ES != nil:
		c := cmp.Or(o.OpenSearch, o.ES)
		return &pkgConfig[opensearch.Config, opensearch.Description, *opensearch.Config]{c: c, member: c.Kind.DescriptionMember(),
			all: "AllDocuments", make: func(_ *Service, c opensearch.Config, opt dest.Options) (dest.Destination, error) {
				return opensearch.New(c, opt)
			},
			fill: func(d *opensearch.Description, s3 s3Out, p any) {
				d.S3DestinationDescription, d.ProcessingConfiguration = s3, p
			}}
	case o.Splunk != nil:
		return &pkgConfig[splunk.Config, splunk.Description, *splunk.Config]{c: o.Splunk, member: "SplunkDestinationDescription",
			all: splunk.BackupAllEvents, make: func(_ *Service, c splunk.Config, opt dest.Options) (dest.Destination, error) {
				return splunk.New(c, opt)
			},
			fill: func(d *splunk.Description, s3 s3Out, p any) {
				d.S3DestinationDescription, d.ProcessingConfiguration = s3, p
			}}
	case o.Kinesis != nil:
		return &pkgConfig[kinesisdest.Config, kinesisdest.Description, *kinesisdest.Config]{c: o.Kinesis, member: "KinesisStreamDestinationDescription",
			all: kinesisdest.BackupAllData, make: func(s *Service, c kinesisdest.Config, opt dest.Options) (dest.Destination, error) {
				if s.cfg.Kinesis == nil {
					return nil, errors.New("firehose: no Kinesis service in this process for a KinesisStream destination")
				}
				return kinesisdest.NewWith(c, opt, kinesisdest.ServicePutter(s.cfg.Kinesis))
			},
			fill: func(d *kinesisdest.Description, s3 s3Out, p any) {
				d.S3DestinationDescription, d.ProcessingConfiguration = s3, p
			}}
	}
	r := o.Redshift
	return &pkgConfig[postgres.Config, postgres.Description, *postgres.Config]{c: r, member: "RedshiftDestinationDescription",
		// Redshift's S3BackupMode Enabled backs up the source records
		// (Other.SourceBackup), not the delivered ones.
		all: "", make: func(_ *Service, c postgres.Config, opt dest.Options) (dest.Destination, error) {
			return postgres.New(c, opt)
		},
		// Redshift's buffering hints are its S3Configuration's.
		buffer: func(b Destination) (int64, int64) { return r.BufferingFrom(&b.SizeInMBs, &b.IntervalInSeconds) },
		fill: func(d *postgres.Description, s3 s3Out, p any) {
			d.S3DestinationDescription, d.ProcessingConfiguration = s3, p
		}}
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

// destConfig is what every destination package's *Config has.
type destConfig[C, D any] interface {
	*C
	Defaults()
	Validate() error
	Buffering() (sizeMiB, intervalSeconds int64)
	Describe() D
}

// pkgConfig adapts a destination package's configuration to otherConfig.
type pkgConfig[C, D any, P destConfig[C, D]] struct {
	c      P
	member string // the DestinationDescription member of D
	all    string // the S3BackupMode that backs up every record ("": none)
	make   func(s *Service, c C, o dest.Options) (dest.Destination, error)
	fill   func(d *D, s3 s3Out, processing any)
	buffer func(backup Destination) (int64, int64) // nil: the package's Buffering
}

// routerMembers are the members every destination configuration keeps for
// the router, read through JSON so one adapter serves all packages.
type routerMembers struct {
	S3Configuration         json.RawMessage
	ProcessingConfiguration json.RawMessage
	S3BackupMode            *string
}

func (p *pkgConfig[C, D, P]) members() routerMembers {
	var m routerMembers
	if b, err := json.Marshal(p.c); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m
}

func (p *pkgConfig[C, D, P]) validate() error {
	p.c.Defaults()
	return p.c.Validate()
}
func (p *pkgConfig[C, D, P]) s3Raw() json.RawMessage { return p.members().S3Configuration }
func (p *pkgConfig[C, D, P]) processingRaw() json.RawMessage {
	return p.members().ProcessingConfiguration
}
func (p *pkgConfig[C, D, P]) buffering(b Destination) (int64, int64) {
	if p.buffer != nil {
		return p.buffer(b)
	}
	return p.c.Buffering()
}
func (p *pkgConfig[C, D, P]) backupAll() bool {
	m := p.members().S3BackupMode
	return p.all != "" && m != nil && *m == p.all
}
func (p *pkgConfig[C, D, P]) describe(s3 s3Out, proc *processingConfig) (string, any) {
	d := p.c.Describe()
	p.fill(&d, s3, procAny(proc))
	return p.member, d
}
func (p *pkgConfig[C, D, P]) build(s *Service, o dest.Options) (dest.Destination, error) {
	return p.make(s, *p.c, o)
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
