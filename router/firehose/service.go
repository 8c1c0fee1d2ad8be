package firehose

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/awsservice"
	"github.com/kinesin/kinesin/internal/clock"
	"github.com/kinesin/kinesin/internal/kvutil"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/kinesis"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/sinks/convert"
	"github.com/kinesin/kinesin/sinks/delivery"
	"github.com/kinesin/kinesin/sinks/dest"
	"github.com/kinesin/kinesin/sinks/keys"
	"github.com/kinesin/kinesin/sinks/objstore"
	"github.com/kinesin/kinesin/sinks/process"
	"github.com/kinesin/kinesin/sinks/s3"
	"github.com/kinesin/kinesin/sinks/source"
)

// TargetPrefix is the X-Amz-Target prefix of Firehose.
const TargetPrefix = "Firehose_20150804"

// Firehose's error kinds: all client errors answer 400, as the Firehose
// model declares; ServiceUnavailableException is a server fault (503).
var (
	invalidArgument    = awserr.InvalidArgument
	resourceNotFound   = awserr.ResourceNotFound
	resourceInUse      = awserr.ResourceInUse
	limitExceeded      = awserr.LimitExceeded
	serviceUnavailable = awserr.Kind{Code: "ServiceUnavailableException", Status: 503}
)

// Config configures the service.
type Config struct {
	Region    string
	AccountID string
	// DataDir is where the embedded S3 stand-in keeps objects:
	// DataDir/s3/<bucket>/<key>.
	DataDir string
	// TimeUnit is one second of IntervalInSeconds (tests shorten it);
	// default 1s.
	TimeUnit time.Duration
	// Replicas of the KV bucket on a NATS cluster (0: 1).
	Replicas int
	Logger   *slog.Logger
	// Functions invokes the functions of Lambda processors (nil: a
	// ProcessingConfiguration with a Lambda processor is refused).
	Functions process.Invoker
	// Objects stores S3 objects (nil: the data directory,
	// DataDir/s3/<bucket>/<key>).
	Objects objstore.Store
	// Streams is the Kinesis shard store KinesisStreamAsSource delivery
	// streams read (nil: that type is refused); LeaseTTL is how long a
	// process's claim on one of its shards lasts (0: 10 s).
	Streams  *shardstore.Store
	LeaseTTL time.Duration
	// Kinesis puts records for KinesisStream destinations, kinesin's own
	// (nil: such destinations wait).
	Kinesis *kinesis.Service
}

// Service serves Firehose_20150804 and runs this process's delivery loops.
type Service struct {
	cfg     Config
	objects objstore.Store
	st      *store
	log     *slog.Logger
	metrics *Metrics
	api     awsservice.Dispatcher // the operations

	mu    sync.Mutex
	cache map[string]*Meta // the bucket as last watched
	loops map[string]*loop // delivery loops running in this process

	watch *kvutil.Watcher
}

type loop struct {
	version int // the delivery stream version it delivers
	cancel  context.CancelFunc
	done    chan struct{}
}

type call = awsservice.Call

// Open builds the service on JetStream, creating its KV bucket if needed.
func Open(ctx context.Context, js jetstream.JetStream, cfg Config, m *Metrics) (*Service, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.TimeUnit <= 0 {
		cfg.TimeUnit = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DataDir == "" {
		return nil, errors.New("firehose: no data directory")
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	st, err := openStore(ctx, js, cfg.Replicas)
	if err != nil {
		return nil, err
	}
	objects := cfg.Objects
	if objects == nil {
		objects = objstore.NewFS(cfg.DataDir)
	}
	s := &Service{cfg: cfg, objects: objects, st: st, log: cfg.Logger, metrics: m, cache: map[string]*Meta{}, loops: map[string]*loop{}}
	s.api = awsservice.Dispatcher{Name: "firehose", Log: s.log, Marshal: marshalOut, Ops: map[string]awsservice.Op{
		"CreateDeliveryStream":      s.create,
		"DescribeDeliveryStream":    s.describe,
		"ListDeliveryStreams":       s.list,
		"DeleteDeliveryStream":      s.delete,
		"PutRecord":                 s.putRecord,
		"PutRecordBatch":            s.putRecordBatch,
		"TagDeliveryStream":         s.tag,
		"UntagDeliveryStream":       s.untag,
		"ListTagsForDeliveryStream": s.listTags,
		"UpdateDestination":         s.updateDestination,
	}}
	return s, nil
}

// Register adds the service's operations to the HTTP tier.
func (s *Service) Register(srv interface {
	HandleTarget(prefix string, h router.Handler)
}) {
	srv.HandleTarget(TargetPrefix, router.HandlerFunc(s.Serve))
}

// Start watches the bucket: it finishes creations and deletions (also ones
// a process that died left unfinished) and runs a delivery loop for every
// ACTIVE delivery stream. It returns once the current state is applied.
func (s *Service) Start(ctx context.Context) error {
	w, err := kvutil.Watch(ctx, s.st.KV, s.apply)
	if err != nil {
		return fmt.Errorf("firehose: %w", err)
	}
	s.watch = w
	return nil
}

// Close stops the watcher and this process's delivery loops; records they
// buffered go back to the stream for the next loop.
func (s *Service) Close() {
	if s.watch != nil {
		s.watch.Stop()
	}
	s.mu.Lock()
	loops := s.loops
	s.loops = map[string]*loop{}
	s.mu.Unlock()
	for _, l := range loops {
		l.cancel()
		<-l.done
	}
}

// apply acts on one change of the bucket.
func (s *Service) apply(ctx context.Context, e jetstream.KeyValueEntry) {
	name := e.Key()
	if e.Operation() != jetstream.KeyValuePut {
		s.mu.Lock()
		delete(s.cache, name)
		s.mu.Unlock()
		s.stopLoop(name)
		return
	}
	m, err := s.st.Decode(e.Value())
	if err != nil {
		s.log.Error("firehose: bad delivery stream record", "name", name, "err", err)
		return
	}
	s.mu.Lock()
	s.cache[name] = m
	s.mu.Unlock()
	switch m.Status {
	case StatusCreating:
		if _, err := s.st.ensureStream(ctx, name); err != nil {
			s.log.Error("firehose: create", "name", name, "err", err)
			return
		}
		_, err := s.st.Update(ctx, name, func(m *Meta) error {
			if m.Status != StatusCreating {
				return errSkip
			}
			m.Status = StatusActive
			return nil
		})
		if err != nil && !errors.Is(err, errSkip) && !errors.Is(err, errNotFound) && ctx.Err() == nil {
			s.log.Error("firehose: activate", "name", name, "err", err)
		}
	case StatusActive:
		s.startLoop(m)
	case StatusDeleting:
		s.stopLoop(name)
		if m.Source != nil {
			if err := source.Delete(ctx, s.st.js, name); err != nil {
				s.log.Error("firehose: delete source checkpoints", "name", name, "err", err)
			}
		}
		if err := s.st.deleteStream(ctx, name); err != nil {
			s.log.Error("firehose: delete", "name", name, "err", err)
			return
		}
		if err := s.st.KV.Delete(ctx, name, jetstream.LastRevision(e.Revision())); err != nil && !kvutil.IsConflictOrGone(err) && ctx.Err() == nil {
			s.log.Error("firehose: delete", "name", name, "err", err)
		}
	}
}

var errSkip = errors.New("firehose: nothing to do")

// startLoop runs m's delivery loop; a loop of an older version of m (its
// destination was updated) is stopped first, handing its buffered
// records to the new one.
func (s *Service) startLoop(m *Meta) {
	s.mu.Lock()
	if l := s.loops[m.Name]; l != nil {
		if l.version == m.Version {
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		s.stopLoop(m.Name)
		s.mu.Lock()
		if s.loops[m.Name] != nil {
			s.mu.Unlock()
			return
		}
	}
	defer s.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	l := &loop{version: m.Version, cancel: cancel, done: make(chan struct{})}
	s.loops[m.Name] = l
	go func() {
		defer close(l.done)
		s.deliver(ctx, m)
	}()
}

func (s *Service) stopLoop(name string) {
	s.mu.Lock()
	l := s.loops[name]
	delete(s.loops, name)
	s.mu.Unlock()
	if l != nil {
		l.cancel()
		<-l.done
	}
}

// deliver runs the delivery of one delivery stream until ctx ends.
func (s *Service) deliver(ctx context.Context, m *Meta) {
	if m.Source != nil {
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.pump(ctx, m)
		}()
		defer func() { <-done }()
	}
	d := m.Destination
	kind := KindS3
	size, interval := d.SizeInMBs, d.IntervalInSeconds
	if m.Other != nil {
		kind, d = m.Other.Kind(), m.Other.Backup
		size, interval = m.Other.config().buffering(d)
	}
	c := delivery.Config{
		Stream: m.Name, SizeBytes: int(size) << 20, Interval: time.Duration(interval) * s.cfg.TimeUnit,
		Split:    DecodeMsg,
		RecordID: func(seq uint64, index int) string { return recordID(m.Name, seq, index) },
		Logger:   s.log,
		Observe:  func(st delivery.Stats) { s.metrics.delivered(m.Name, kind, st) },
		Processed: func(_, ok, failed, dropped int, d time.Duration) {
			s.metrics.processed(m.Name, ok, failed, dropped, d)
		},
		Partitions: func(n int) { s.metrics.PartitionCount.WithLabelValues(m.Name).Set(float64(n)) },
	}
	if d.Processing != nil {
		// Records are never delivered unprocessed: while the configuration
		// does not compile here (it did when the stream was created), they
		// wait in the record stream.
		for {
			p, err := process.Compile(*d.Processing, s.cfg.Functions)
			if err == nil {
				c.Pipeline = p
				break
			}
			s.log.Error("firehose: processing configuration does not compile, delivery waits", "name", m.Name, "err", err)
			if !clock.Sleep(ctx, 10*time.Second) {
				return
			}
		}
	}
	if err := s.destinations(m, &c); err != nil {
		s.log.Error("firehose: destination", "name", m.Name, "err", err)
		return
	}
	defer func() { _ = c.Destination.Close() }()
	for ctx.Err() == nil {
		err := s.runConsumer(ctx, m.Name, c)
		if err != nil && ctx.Err() == nil {
			s.log.Error("firehose: delivery loop", "name", m.Name, "err", err)
			clock.Sleep(ctx, s.cfg.TimeUnit)
		}
	}
}

// destinations sets the destination, error output and backups of c.
func (s *Service) destinations(m *Meta, c *delivery.Config) error {
	opt := dest.Options{Stream: m.Name, StreamARN: s.arn(m.Name), TimeUnit: s.cfg.TimeUnit, Logger: s.log}
	if o := m.Other; o != nil {
		backup, err := s.s3Destination(m, o.Backup)
		if err != nil {
			return err
		}
		c.Errors = backup
		if o.config().backupAll() {
			c.Backup = backup
		}
		if o.SourceBackup != nil {
			if c.SourceBackup, err = s.s3Destination(m, *o.SourceBackup); err != nil {
				return err
			}
		}
		c.Destination, err = o.config().build(s, opt)
		return err
	}
	d := m.Destination
	primary, err := s.s3Destination(m, d)
	if err != nil {
		return err
	}
	c.Destination, c.Errors = primary, primary
	if d.Backup != nil && d.BackupMode == "Enabled" {
		if c.SourceBackup, err = s.s3Destination(m, *d.Backup); err != nil {
			return err
		}
	}
	if d.DynamicPartitioning() {
		p, err := keys.Parse(d.Prefix)
		if err != nil {
			return err
		}
		c.Partition = p.PartitionKeys()
	}
	return nil
}

// s3Destination builds the S3 destination d of m.
func (s *Service) s3Destination(m *Meta, d Destination) (*s3.Destination, error) {
	cfg := s3.Config{Bucket: d.Bucket(), Prefix: d.Prefix, ErrorOutputPrefix: d.ErrorOutputPrefix, Stream: m.Name,
		Version: m.Version, Compression: d.CompressionFormat, Extension: d.FileExtension,
		Converted: func(ok, failed int) {
			s.metrics.ConversionRecords.WithLabelValues(m.Name, "Succeed").Add(float64(ok))
			s.metrics.ConversionRecords.WithLabelValues(m.Name, "Failed").Add(float64(failed))
		}}
	if d.CustomTimeZone != "" {
		loc, err := time.LoadLocation(d.CustomTimeZone)
		if err != nil {
			return nil, err
		}
		cfg.Location = loc
	}
	if d.Conversion != nil {
		cc, err := compileConversion(d.Conversion)
		if err != nil {
			return nil, err
		}
		if cc != nil {
			if cfg.Converter, err = convert.Compile(*cc); err != nil {
				return nil, err
			}
		}
	}
	return s3.New(cfg, s.objects, dest.Options{Stream: m.Name, StreamARN: s.arn(m.Name), TimeUnit: s.cfg.TimeUnit, Logger: s.log})
}

func (s *Service) runConsumer(ctx context.Context, name string, c delivery.Config) error {
	stream, err := s.st.js.Stream(ctx, StreamName(name))
	if err != nil {
		return err
	}
	// Held messages are marked in progress by the loop; the ack wait is
	// how long records a crashed process had buffered wait for
	// redelivery.
	c.AckWait = max(10*s.cfg.TimeUnit, 2*time.Second)
	cons, err := stream.CreateOrUpdateConsumer(ctx, deliveryConsumer(c.AckWait))
	if err != nil {
		return err
	}
	return delivery.Run(ctx, cons, c)
}

// Serve handles one Firehose request.
func (s *Service) Serve(r *router.Request) *router.Response { return s.api.Serve(r) }

// ARN of a delivery stream.
func (s *Service) arn(name string) string {
	return "arn:aws:firehose:" + s.cfg.Region + ":" + s.cfg.AccountID + ":deliverystream/" + name
}

// notFound is AWS's answer for a delivery stream it does not hold (or
// one that cannot take records yet).
func (s *Service) notFound(name string) error {
	return resourceNotFound.New("Firehose %s under account %s not found.", name, s.cfg.AccountID)
}

func (s *Service) storeErr(name string, err error) error {
	switch {
	case errors.Is(err, errNotFound):
		return s.notFound(name)
	case errors.As(err, new(*awserr.Error)):
		return err
	}
	return err
}

func (s *Service) create(c *call) (any, error) {
	in, err := awsservice.Input(c, checkCreate)
	if err != nil {
		return nil, err
	}
	typ := TypeDirectPut
	if in.DeliveryStreamType != nil {
		typ = *in.DeliveryStreamType
	}
	src, err := s.buildSource(c.Ctx, typ, in)
	if err != nil {
		return nil, err
	}
	if in.SnowflakeDestinationConfiguration != nil || in.IcebergDestinationConfiguration != nil {
		return nil, invalidArgument.New("Snowflake and Iceberg destinations are not supported by kinesin.")
	}
	other, err := s.buildOther(in)
	if err != nil {
		return nil, err
	}
	if in.DeliveryStreamEncryptionConfigurationInput != nil {
		return nil, invalidArgument.New("Server-side encryption of delivery streams is not supported yet.")
	}
	var d Destination
	if other == nil {
		dst := in.ExtendedS3DestinationConfiguration
		if dst == nil {
			dst = in.S3DestinationConfiguration
		} else if in.S3DestinationConfiguration != nil {
			return nil, invalidArgument.New("Only one destination configuration can be provided.")
		}
		if dst == nil {
			return nil, invalidArgument.New("A destination configuration must be provided.")
		}
		if d, err = s.buildS3(dst, in.ExtendedS3DestinationConfiguration != nil); err != nil {
			return nil, err
		}
	}
	m := &Meta{Name: *in.DeliveryStreamName, Status: StatusCreating, Type: typ, Version: 1,
		Created: time.Now().UTC(), Destination: d, Other: other, Source: src, Tags: mergeTags(nil, in.Tags)}
	if src != nil {
		src.Start = m.Created
	}
	ok, err := s.st.Create(c.Ctx, m.Name, m)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, resourceInUse.New("Firehose %s under accountId %s already exists", m.Name, s.cfg.AccountID)
	}
	return createOut{DeliveryStreamARN: s.arn(m.Name)}, nil
}

func (s *Service) describe(c *call) (any, error) {
	in, err := awsservice.Input(c, checkDescribe)
	if err != nil {
		return nil, err
	}
	m, _, err := s.st.Get(c.Ctx, *in.DeliveryStreamName)
	if err != nil {
		return nil, s.storeErr(*in.DeliveryStreamName, err)
	}
	out := describeOut{DeliveryStreamDescription: descriptionOut{
		DeliveryStreamName: m.Name, DeliveryStreamARN: s.arn(m.Name), DeliveryStreamStatus: m.Status,
		DeliveryStreamType: m.Type, DeliveryStreamEncryptionConfiguration: streamEncryptionOut{Status: "DISABLED"},
		VersionId: fmt.Sprint(m.Version), CreateTimestamp: ts(m.Created),
	}}
	if m.Source != nil {
		out.DeliveryStreamDescription.Source = &sourceOut{KinesisStreamSourceDescription: kinesisSourceOut{
			KinesisStreamARN: m.Source.StreamARN, RoleARN: m.Source.RoleARN, DeliveryStartTimestamp: ts(m.Source.Start)}}
	}
	if o := m.Other; o != nil {
		member, desc := o.config().describe(o.Backup.describe(), processingOut(o.Backup.Processing))
		out.DeliveryStreamDescription.Destinations = []destinationOut{{DestinationId: destinationID, other: map[string]any{member: desc}}}
		return out, nil
	}
	d := m.Destination
	s3 := d.describe()
	ext := extendedS3Out{s3Out: s3, S3BackupMode: d.BackupMode, ProcessingConfiguration: processingOut(d.Processing),
		DataFormatConversionConfiguration: d.Conversion, DynamicPartitioningConfiguration: d.Dynamic,
		FileExtension: d.FileExtension, CustomTimeZone: d.CustomTimeZone}
	if ext.S3BackupMode == "" {
		ext.S3BackupMode = "Disabled"
	}
	if d.Backup != nil {
		b := d.Backup.describe()
		ext.S3BackupDescription = &b
	}
	out.DeliveryStreamDescription.Destinations = []destinationOut{{DestinationId: destinationID, S3DestinationDescription: &s3,
		ExtendedS3DestinationDescription: &ext}}
	return out, nil
}

// destinationID is the id of a delivery stream's one destination.
const destinationID = "destinationId-000000000001"

// describe is the S3DestinationDescription of d.
func (d Destination) describe() s3Out {
	return s3Out{RoleARN: d.RoleARN, BucketARN: d.BucketARN, Prefix: d.Prefix, ErrorOutputPrefix: d.ErrorOutputPrefix,
		BufferingHints:          hintsOut{SizeInMBs: d.SizeInMBs, IntervalInSeconds: d.IntervalInSeconds},
		CompressionFormat:       d.CompressionFormat,
		EncryptionConfiguration: encryptionOut{NoEncryptionConfig: "NoEncryption"}}
}

// buildS3 checks an S3 or ExtendedS3 destination configuration as
// Firehose does and answers it as stored, with defaults filled in.
func (s *Service) buildS3(dst *s3Config, extended bool) (Destination, error) {
	d := Destination{BucketARN: *dst.BucketARN, RoleARN: *dst.RoleARN, SizeInMBs: 5, IntervalInSeconds: 300, CompressionFormat: "UNCOMPRESSED"}
	if dst.Prefix != nil {
		d.Prefix = *dst.Prefix
	}
	if dst.ErrorOutputPrefix != nil {
		d.ErrorOutputPrefix = *dst.ErrorOutputPrefix
	}
	if dst.CompressionFormat != nil {
		d.CompressionFormat = *dst.CompressionFormat
	}
	if !extended {
		if dst.ProcessingConfiguration != nil || dst.DataFormatConversionConfiguration != nil || dst.DynamicPartitioningConfiguration != nil ||
			dst.S3BackupMode != nil || dst.S3BackupConfiguration != nil || dst.FileExtension != nil || dst.CustomTimeZone != nil {
			return d, invalidArgument.New("Only ExtendedS3DestinationConfiguration takes processing, format conversion, dynamic partitioning, backup, FileExtension and CustomTimeZone.")
		}
	}
	conv, err := compileConversion(dst.DataFormatConversionConfiguration)
	if err != nil {
		return d, err
	}
	if conv != nil {
		d.Conversion = dst.DataFormatConversionConfiguration
		if d.CompressionFormat != "UNCOMPRESSED" {
			return d, invalidArgument.New("CompressionFormat must be UNCOMPRESSED when DataFormatConversionConfiguration is enabled; ParquetSerDe.Compression compresses the files.")
		}
	}
	if dp := dst.DynamicPartitioningConfiguration; dp != nil {
		d.Dynamic = dp
		if r := dp.RetryOptions; r != nil && r.DurationInSeconds != nil && (*r.DurationInSeconds < 0 || *r.DurationInSeconds > 7200) {
			return d, invalidArgument.New("DynamicPartitioningConfiguration.RetryOptions.DurationInSeconds must be between 0 and 7200.")
		}
	}
	if conv != nil || d.DynamicPartitioning() {
		d.SizeInMBs = 128
	}
	if h := dst.BufferingHints; h != nil {
		if h.SizeInMBs != nil {
			d.SizeInMBs = *h.SizeInMBs
		}
		if h.IntervalInSeconds != nil {
			d.IntervalInSeconds = *h.IntervalInSeconds
		}
	}
	if (conv != nil || d.DynamicPartitioning()) && d.SizeInMBs < 64 {
		return d, invalidArgument.New("BufferingHints.SizeInMBs must be at least 64 when DataFormatConversion or DynamicPartitioning is enabled.")
	}
	if err := validatePrefixes(d.Prefix, d.ErrorOutputPrefix, d.DynamicPartitioning()); err != nil {
		return d, err
	}
	if dst.FileExtension != nil {
		if !fileExtRe.MatchString(*dst.FileExtension) || len(*dst.FileExtension) > 128 {
			return d, invalidArgument.New("FileExtension must start with a period and contain only 0-9, a-z and !-_.*'() characters.")
		}
		d.FileExtension = *dst.FileExtension
	}
	if dst.CustomTimeZone != nil && *dst.CustomTimeZone != "" {
		if _, err := time.LoadLocation(*dst.CustomTimeZone); err != nil || len(*dst.CustomTimeZone) > 50 {
			return d, invalidArgument.New("CustomTimeZone %s is not a valid time zone.", *dst.CustomTimeZone)
		}
		d.CustomTimeZone = *dst.CustomTimeZone
	}
	if d.Processing, err = s.compileProcessing(dst.ProcessingConfiguration); err != nil {
		return d, err
	}
	if extended {
		d.BackupMode = "Disabled"
	}
	if dst.S3BackupMode != nil {
		d.BackupMode = *dst.S3BackupMode
	}
	if d.BackupMode == "Enabled" {
		if dst.S3BackupConfiguration == nil {
			return d, invalidArgument.New("S3BackupConfiguration is required when S3BackupMode is Enabled.")
		}
		b, err := s.buildS3(dst.S3BackupConfiguration, false)
		if err != nil {
			return d, err
		}
		d.Backup = &b
	}
	return d, nil
}

// compileProcessing checks a ProcessingConfiguration (nil: none) and
// answers it as stored.
func (s *Service) compileProcessing(pc *processingConfig) (*process.Config, error) {
	if pc == nil {
		return nil, nil
	}
	cfg := &process.Config{Enabled: pc.Enabled != nil && *pc.Enabled}
	for _, p := range pc.Processors {
		proc := process.Processor{Type: p.Type}
		for _, prm := range p.Parameters {
			proc.Parameters = append(proc.Parameters, process.Parameter{ParameterName: prm.ParameterName, ParameterValue: prm.ParameterValue})
		}
		cfg.Processors = append(cfg.Processors, proc)
	}
	if _, err := process.Compile(*cfg, s.cfg.Functions); err != nil {
		return nil, err
	}
	return cfg, nil
}

var fileExtRe = regexp.MustCompile(`^$|^\.[0-9a-z!\-_.*'()]+$`)

// processingOut is the stored ProcessingConfiguration as the API shows it.
func processingOut(cfg *process.Config) *processingConfig {
	if cfg == nil {
		return nil
	}
	enabled := cfg.Enabled
	out := &processingConfig{Enabled: &enabled, Processors: []processor{}}
	for _, p := range cfg.Processors {
		proc := processor{Type: p.Type}
		for _, prm := range p.Parameters {
			proc.Parameters = append(proc.Parameters, parameter{ParameterName: prm.ParameterName, ParameterValue: prm.ParameterValue})
		}
		out.Processors = append(out.Processors, proc)
	}
	return out
}

func (s *Service) list(c *call) (any, error) {
	in, err := awsservice.Input(c, checkList)
	if err != nil {
		return nil, err
	}
	all, err := s.st.List(c.Ctx)
	if err != nil {
		return nil, err
	}
	if in.DeliveryStreamType != nil {
		all = slices.DeleteFunc(all, func(m *Meta) bool { return m.Type != *in.DeliveryStreamType })
	}
	limit := 10
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	page, more := awsservice.Page(all, metaName, in.ExclusiveStartDeliveryStreamName, limit)
	out := listOut{DeliveryStreamNames: []string{}, HasMoreDeliveryStreams: more}
	for _, m := range page {
		out.DeliveryStreamNames = append(out.DeliveryStreamNames, m.Name)
	}
	return out, nil
}

func metaName(m *Meta) string { return m.Name }

func (s *Service) delete(c *call) (any, error) {
	in, err := awsservice.Input(c, func(v *awserr.Violations, in *deleteIn) {
		checkName(v, in.DeliveryStreamName, "deliveryStreamName", true)
	})
	if err != nil {
		return nil, err
	}
	_, err = s.st.Update(c.Ctx, *in.DeliveryStreamName, func(m *Meta) error {
		m.Status = StatusDeleting
		return nil
	})
	return nil, s.storeErr(*in.DeliveryStreamName, err)
}

// active returns the delivery stream name when it takes records.
func (s *Service) active(ctx context.Context, name string) error {
	s.mu.Lock()
	m := s.cache[name]
	s.mu.Unlock()
	// The watched copy may lag the bucket: a delivery stream that turned
	// ACTIVE (or was created by another process) a moment ago is read
	// again. One that is being deleted may take records for as long as
	// the copy lags; its record stream goes with it.
	if m == nil || m.Status != StatusActive {
		var err error
		if m, _, err = s.st.Get(ctx, name); err != nil {
			return s.storeErr(name, err)
		}
	}
	if m.Status != StatusActive {
		return s.notFound(name)
	}
	if m.Source != nil {
		return errNotDirectPut
	}
	return nil
}

// put stores records as one batch and returns its stream sequence.
func (s *Service) put(ctx context.Context, name string, records [][]byte) (uint64, error) {
	if err := s.active(ctx, name); err != nil {
		return 0, err
	}
	seq, err := s.st.append(ctx, name, records)
	if errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, jetstream.ErrStreamNotFound) {
		return 0, s.notFound(name)
	}
	if err != nil {
		s.log.Error("firehose: store records", "name", name, "err", err)
		return 0, serviceUnavailable.New("Slow down.")
	}
	s.metrics.incoming(name, records)
	return seq, nil
}

func (s *Service) putRecord(c *call) (any, error) {
	in, err := awsservice.Input(c, checkPutRecord)
	if err != nil {
		return nil, err
	}
	name := *in.DeliveryStreamName
	seq, err := s.put(c.Ctx, name, [][]byte{*in.Record.Data})
	if err != nil {
		return nil, err
	}
	return putRecordOut{RecordId: recordID(name, seq, 0)}, nil
}

func (s *Service) putRecordBatch(c *call) (any, error) {
	in, err := inputPutBatch(c)
	if err != nil {
		return nil, err
	}
	name := *in.DeliveryStreamName
	records := make([][]byte, len(in.Records))
	total := 0
	for i, r := range in.Records {
		records[i] = *r.Data
		total += len(*r.Data)
	}
	if total > maxBatchBytes {
		return nil, invalidArgument.New("Records size exceeds 4 MB limit")
	}
	// One append stores the whole batch, so it succeeds or fails as a
	// whole: a failure is the call's error, never a per-record one.
	seq, err := s.put(c.Ctx, name, records)
	if err != nil {
		return nil, err
	}
	return rawOut(encodePutBatchOut(name, seq, len(records))), nil
}

// mergeTags adds (or overwrites) tags in order of first appearance.
func mergeTags(have []Tag, add []tag) []Tag {
	tags := make([]Tag, len(add))
	for i, t := range add {
		tags[i] = Tag{Key: *t.Key}
		if t.Value != nil {
			tags[i].Value = *t.Value
		}
	}
	return awsservice.MergeTags(have, tags, tagKey)
}

func tagKey(t Tag) string { return t.Key }

// maxTags is how many tags a delivery stream can have.
const maxTags = 50

func (s *Service) tag(c *call) (any, error) {
	in, err := awsservice.Input(c, checkTag)
	if err != nil {
		return nil, err
	}
	name := *in.DeliveryStreamName
	_, err = s.st.Update(c.Ctx, name, func(m *Meta) error {
		tags := mergeTags(append([]Tag(nil), m.Tags...), in.Tags)
		if len(tags) > maxTags {
			return limitExceeded.New("Firehose %s under account %s would have more than %d tags.", name, s.cfg.AccountID, maxTags)
		}
		m.Tags = tags
		return nil
	})
	return nil, s.storeErr(name, err)
}

func (s *Service) untag(c *call) (any, error) {
	in, err := awsservice.Input(c, checkUntag)
	if err != nil {
		return nil, err
	}
	name := *in.DeliveryStreamName
	_, err = s.st.Update(c.Ctx, name, func(m *Meta) error {
		m.Tags = awsservice.DropTags(m.Tags, tagKey, in.TagKeys)
		return nil
	})
	return nil, s.storeErr(name, err)
}

func (s *Service) listTags(c *call) (any, error) {
	in, err := awsservice.Input(c, checkListTags)
	if err != nil {
		return nil, err
	}
	m, _, err := s.st.Get(c.Ctx, *in.DeliveryStreamName)
	if err != nil {
		return nil, s.storeErr(*in.DeliveryStreamName, err)
	}
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	out := listTagsOut{Tags: []tagOut{}}
	started := in.ExclusiveStartTagKey == nil
	for _, t := range m.Tags {
		if !started {
			started = t.Key == *in.ExclusiveStartTagKey
			continue
		}
		if len(out.Tags) == limit {
			out.HasMoreTags = true
			break
		}
		out.Tags = append(out.Tags, tagOut{Key: t.Key, Value: t.Value})
	}
	return out, nil
}
