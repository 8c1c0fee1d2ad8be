package s3

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/kinesin/kinesin/sinks/compress"
	"github.com/kinesin/kinesin/sinks/convert"
	"github.com/kinesin/kinesin/sinks/dest"
	"github.com/kinesin/kinesin/sinks/keys"
)

// Putter stores objects (sinks/objstore.Store is one).
type Putter interface {
	Put(ctx context.Context, bucket, key string, body []byte) error
}

// Config is what the destination needs of an S3 destination configuration.
type Config struct {
	Bucket string
	// Prefix and ErrorOutputPrefix are Firehose's, with expressions. An
	// empty ErrorOutputPrefix is keys.DefaultErrorOutputPrefix(Prefix).
	Prefix            string
	ErrorOutputPrefix string
	// Stream and Version name the objects: <stream>-<version>-<time>-<uuid>.
	Stream  string
	Version int
	// Compression is a CompressionFormat (empty: UNCOMPRESSED).
	Compression string
	// Converter converts records to Parquet (nil: no conversion).
	Converter *convert.Converter
	// Extension, when set, replaces the object names' extension
	// (FileExtension); Location is the time zone of prefixes and object
	// names (CustomTimeZone; nil: UTC).
	Extension string
	Location  *time.Location
	// Converted hears how many records each conversion converted and
	// failed (nil: nobody).
	Converted func(ok, failed int)
}

// Destination writes objects to one bucket.
type Destination struct {
	cfg        Config
	store      Putter
	opt        dest.Options
	prefix     *keys.Prefix
	errPrefix  *keys.Prefix
	ext        string
	compressor func(name string, b []byte) ([]byte, error)
}

var _ dest.Destination = (*Destination)(nil)

// New checks c and builds the destination.
func New(c Config, store Putter, o dest.Options) (*Destination, error) {
	ext, compressor, err := Compressor(c.Compression)
	if err != nil {
		return nil, err
	}
	if c.Converter != nil {
		ext = c.Converter.Extension() + ext
	}
	if c.Extension != "" {
		ext = c.Extension
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	prefix, err := keys.Parse(c.Prefix)
	if err != nil {
		return nil, fmt.Errorf("s3: prefix: %w", err)
	}
	ep := c.ErrorOutputPrefix
	if ep == "" {
		ep = keys.DefaultErrorOutputPrefix(c.Prefix)
	}
	errPrefix, err := keys.ParseErrorOutput(ep)
	if err != nil {
		return nil, fmt.Errorf("s3: error output prefix: %w", err)
	}
	return &Destination{cfg: c, store: store, opt: o, prefix: prefix, errPrefix: errPrefix, ext: ext, compressor: compressor}, nil
}

// Compressor returns the object-name extension of a compression format
// (sinks/compress: UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY) and a
// function that compresses a whole object named name.
func Compressor(format string) (ext string, compressObject func(name string, b []byte) ([]byte, error), err error) {
	if format == "" {
		format = compress.Uncompressed
	}
	if !compress.Valid(format) {
		return "", nil, fmt.Errorf("s3: compression %s: %w", format, compress.ErrUnknownFormat)
	}
	if format == compress.Uncompressed {
		return "", func(_ string, b []byte) ([]byte, error) { return b, nil }, nil
	}
	return compress.Extension(format), func(name string, b []byte) ([]byte, error) {
		var out bytes.Buffer
		out.Grow(len(b)/4 + 512)
		w, err := compress.Writer(format, &out, compress.EntryName(strings.TrimSuffix(name, compress.Extension(format))))
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(b); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return out.Bytes(), nil
	}, nil
}

// Key is an object's key: prefix rendered at t (the arrival time of the
// oldest record in the object, in the stream's time zone) with the
// partition keys, followed by <stream>-<version>-YYYY-MM-dd-HH-mm-ss-<uuid><ext>.
func Key(prefix *keys.Prefix, stream string, version int, t time.Time, partition map[string]string, ext string) (string, error) {
	p, err := prefix.Render(t, keys.Vars{PartitionKeys: partition})
	if err != nil {
		return "", err
	}
	return p + keys.ObjectName(stream, version, t, keys.RandomUUID(), ext), nil
}

// ErrorKey is the key of an error-output object: errPrefix rendered at t
// with outputType followed by the same object name as Key.
func ErrorKey(errPrefix *keys.Prefix, stream string, version int, t time.Time, outputType string) (string, error) {
	p, err := errPrefix.Render(t, keys.Vars{ErrorOutputType: outputType})
	if err != nil {
		return "", err
	}
	return p + keys.ObjectName(stream, version, t, keys.RandomUUID(), ""), nil
}

// Deliver writes b as one object. Records that fail conversion are
// answered as Failures (format-conversion-failed); the rest are written.
func (d *Destination) Deliver(ctx context.Context, b dest.Batch) ([]dest.Failure, error) {
	key, err := Key(d.prefix, d.cfg.Stream, d.cfg.Version, b.Oldest.In(d.cfg.Location), b.Partition, d.ext)
	if err != nil {
		return nil, fmt.Errorf("s3: key: %w", err)
	}
	var (
		body   []byte
		failed []dest.Failure
	)
	if d.cfg.Converter == nil && d.cfg.Compression != "" && d.cfg.Compression != compress.Uncompressed && len(b.Records) > 0 {
		// Compress the records as they are, without first copying them
		// into one uncompressed object.
		body, err = d.compressRecords(path.Base(key), b.Records)
	} else {
		var data []byte
		if data, failed, err = d.body(b); err == nil && data != nil {
			body, err = d.compressor(path.Base(key), data)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("s3: %s: %w", key, err)
	}
	if body == nil {
		return failed, nil
	}
	if err := d.put(ctx, key, body); err != nil {
		return nil, err
	}
	return failed, nil
}

// compressRecords compresses the concatenation of recs as object name.
func (d *Destination) compressRecords(name string, recs []dest.Record) ([]byte, error) {
	n := 0
	for _, r := range recs {
		n += len(r.Data)
	}
	var out bytes.Buffer
	out.Grow(n/4 + 4096)
	format := d.cfg.Compression
	w, err := compress.Writer(format, &out, compress.EntryName(strings.TrimSuffix(name, compress.Extension(format))))
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if _, err := w.Write(r.Data); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// body is the uncompressed object of b (nil when no record is left).
func (d *Destination) body(b dest.Batch) ([]byte, []dest.Failure, error) {
	if d.cfg.Converter == nil {
		if len(b.Records) == 0 {
			return nil, nil, nil
		}
		data := make([]byte, 0, b.Bytes())
		for _, r := range b.Records {
			data = append(data, r.Data...)
		}
		return data, nil, nil
	}
	recs := make([][]byte, len(b.Records))
	for i, r := range b.Records {
		recs[i] = r.Data
	}
	var out bytes.Buffer
	bad, err := d.cfg.Converter.Convert(recs, &out)
	if err != nil {
		return nil, nil, fmt.Errorf("s3: %w", err)
	}
	if d.cfg.Converted != nil {
		d.cfg.Converted(len(recs)-len(bad), len(bad))
	}
	var failed []dest.Failure
	now := time.Now()
	for _, f := range bad {
		failed = append(failed, dest.Failure{Record: b.Records[f.Index], OutputType: keys.FormatConversionFailed,
			ErrorCode: f.Code, ErrorMessage: f.Message, AttemptsMade: 1, AttemptEnding: now})
	}
	if out.Len() == 0 {
		return nil, failed, nil
	}
	return out.Bytes(), failed, nil
}

// put stores one object, retrying with backoff until it is stored or ctx
// ends.
func (d *Destination) put(ctx context.Context, key string, body []byte) error {
	var lastErr error
	_, err := dest.Retry{Duration: 1<<63 - 1, Initial: d.opt.Seconds(1), Max: d.opt.Seconds(30)}.Do(ctx, func(n int) (bool, error) {
		err := d.store.Put(ctx, d.cfg.Bucket, key, body)
		if err != nil && ctx.Err() == nil {
			d.opt.Log().Warn("firehose: S3 write failed, retrying", "stream", d.cfg.Stream, "bucket", d.cfg.Bucket, "key", key, "attempt", n, "err", err)
		}
		lastErr = err
		return err == nil, err
	})
	if err != nil {
		return fmt.Errorf("s3: put %s/%s: %w", d.cfg.Bucket, key, lastErr)
	}
	return nil
}

// WriteErrors writes failures to the error output: one object of
// newline-separated failure documents per error-output-type, named at the
// time t.
func (d *Destination) WriteErrors(ctx context.Context, t time.Time, failures []dest.Failure) error {
	byType := map[string]*bytes.Buffer{}
	var types []string
	for _, f := range failures {
		b := byType[f.OutputType]
		if b == nil {
			b = &bytes.Buffer{}
			byType[f.OutputType] = b
			types = append(types, f.OutputType)
		}
		doc, err := f.MarshalJSON()
		if err != nil {
			return fmt.Errorf("s3: failure document: %w", err)
		}
		b.Write(doc)
		b.WriteByte('\n')
	}
	for _, typ := range types {
		key, err := ErrorKey(d.errPrefix, d.cfg.Stream, d.cfg.Version, t.In(d.cfg.Location), typ)
		if err != nil {
			return fmt.Errorf("s3: error key: %w", err)
		}
		if err := d.put(ctx, key, byType[typ].Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// Close does nothing; the store outlives the destination.
func (d *Destination) Close() error { return nil }
