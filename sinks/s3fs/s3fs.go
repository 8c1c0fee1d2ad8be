package s3fs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/internal/clock"
	"github.com/kinesin/kinesin/sinks/compress"
	"github.com/kinesin/kinesin/sinks/keys"
	"github.com/kinesin/kinesin/sinks/process"
)

// Target is where and how one delivery stream's records are delivered.
type Target struct {
	// Dir is the data directory; objects go to Dir/s3/Bucket/key.
	Dir    string
	Bucket string
	// Prefix is the S3 prefix, with Firehose's expressions (sinks/keys).
	Prefix string
	// Stream and Version name the objects: <stream>-<version>-<time>-<uuid>.
	Stream  string
	Version int
	// Compression is a Firehose CompressionFormat (empty: UNCOMPRESSED).
	Compression string
	// SizeBytes and Interval are the buffering hints; an Interval of 0
	// writes as soon as the records at hand are read.
	SizeBytes int
	Interval  time.Duration
	// Pipeline processes the records of each object before compression
	// (nil: none). Failed records go to the error output.
	Pipeline *process.Pipeline
	// ErrorOutputPrefix is where failed records go (empty:
	// keys.DefaultErrorOutputPrefix of Prefix).
	ErrorOutputPrefix string
	// RecordID names record index of the message stored at stream
	// sequence seq, as the API answered it (nil: any unique string).
	RecordID func(seq uint64, index int) string
}

// Observer hears of every object written (ok) or failed to write, with the
// number of records and their uncompressed bytes.
type Observer func(records, bytes int, ok bool)

// Splitter returns the records stored in one message.
type Splitter func(data []byte) ([][]byte, error)

// Compressor returns the object-name extension of a compression format
// (sinks/compress: UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY) and a
// function that compresses a whole object named name.
func Compressor(format string) (ext string, compressObject func(name string, b []byte) ([]byte, error), err error) {
	if format == "" {
		format = compress.Uncompressed
	}
	if !compress.Valid(format) {
		return "", nil, fmt.Errorf("s3fs: compression %s: %w", format, compress.ErrUnknownFormat)
	}
	return compress.Extension(format), func(name string, b []byte) ([]byte, error) {
		var out bytes.Buffer
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

// Key is an object's key: the delivery stream's Prefix rendered at t (the
// arrival time of the oldest record in the object, UTC; sinks/keys adds
// YYYY/MM/dd/HH/ when the prefix has no timestamp expression) followed
// by <stream>-<version>-YYYY-MM-dd-HH-mm-ss-<uuid><ext>.
func Key(prefix *keys.Prefix, stream string, version int, t time.Time, ext string) (string, error) {
	t = t.UTC()
	p, err := prefix.Render(t, keys.Vars{})
	if err != nil {
		return "", err
	}
	return p + keys.ObjectName(stream, version, t, keys.RandomUUID(), ext), nil
}

// ErrorKey is the key of an error-output object: errPrefix rendered at t
// with outputType followed by the same object name as Key.
func ErrorKey(errPrefix *keys.Prefix, stream string, version int, t time.Time, outputType string) (string, error) {
	t = t.UTC()
	p, err := errPrefix.Render(t, keys.Vars{ErrorOutputType: outputType})
	if err != nil {
		return "", err
	}
	return p + keys.ObjectName(stream, version, t, keys.RandomUUID(), ""), nil
}

// ObjectPath is the file that holds key in bucket under dir.
func ObjectPath(dir, bucket, key string) string {
	return filepath.Join(dir, "s3", bucket, filepath.FromSlash(key))
}

// WriteObject writes data as bucket/key: to a temporary file in the same
// directory, synced, then renamed into place, so a reader never sees half
// an object.
func WriteObject(dir, bucket, key string, data []byte) error {
	if strings.Contains(key, "..") || strings.HasPrefix(key, "/") {
		return fmt.Errorf("s3fs: unsafe key %q", key)
	}
	path := ObjectPath(dir, bucket, key)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("s3fs: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("s3fs: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("s3fs: write %s/%s: %w", bucket, key, err)
	}
	return nil
}

// fetchBatch is how many stored messages one pull asks for.
const fetchBatch = 64

// idlePoll is how long a pull waits when nothing is buffered.
const idlePoll = time.Second

// Run delivers cons's messages to t until ctx ends. Buffered messages that
// are not yet written when ctx ends are negatively acknowledged, so that
// the next loop (here or in another process) gets them at once.
func Run(ctx context.Context, cons jetstream.Consumer, t Target, split Splitter, observe Observer, log *slog.Logger) error {
	ext, compress, err := Compressor(t.Compression)
	if err != nil {
		return err
	}
	prefix, err := keys.Parse(t.Prefix)
	if err != nil {
		return fmt.Errorf("s3fs: prefix: %w", err)
	}
	errPrefixText := t.ErrorOutputPrefix
	if errPrefixText == "" {
		errPrefixText = keys.DefaultErrorOutputPrefix(t.Prefix)
	}
	errPrefix, err := keys.ParseErrorOutput(errPrefixText)
	if err != nil {
		return fmt.Errorf("s3fs: error output prefix: %w", err)
	}
	if log == nil {
		log = slog.Default()
	}
	recordID := t.RecordID
	if recordID == nil {
		run := keys.RandomUUID()
		recordID = func(seq uint64, index int) string { return fmt.Sprintf("%s-%d-%d", run, seq, index) }
	}
	if observe == nil {
		observe = func(int, int, bool) {}
	}
	var (
		msgs    []jetstream.Msg
		recs    []process.Record
		size    int       // bytes of recs' data
		oldest  time.Time // arrival time of the oldest buffered record
		started time.Time // when this buffer began, on this process's clock
	)
	reset := func() {
		clear(recs)
		msgs, recs, size, oldest = msgs[:0], recs[:0], 0, time.Time{}
	}
	flush := func() {
		if len(msgs) == 0 {
			return
		}
		_, failed, err := deliver(ctx, t, recs, oldest, prefix, errPrefix, ext, compress)
		if err != nil {
			if ctx.Err() != nil {
				return // the deferred Nak hands the records on at once
			}
			log.Error("firehose: delivery to S3 failed", "stream", t.Stream, "bucket", t.Bucket, "err", err)
			observe(len(recs), size, false)
			for _, m := range msgs {
				_ = m.NakWithDelay(5 * time.Second)
			}
			reset()
			return
		}
		if failed > 0 {
			log.Warn("firehose: records failed processing", "stream", t.Stream, "failed", failed)
		}
		observe(len(recs), size, true)
		for _, m := range msgs {
			_ = m.Ack()
		}
		reset()
	}
	defer func() {
		for _, m := range msgs {
			_ = m.Nak()
		}
	}()
	for ctx.Err() == nil {
		var batch jetstream.MessageBatch
		switch {
		case len(msgs) == 0:
			batch, err = cons.Fetch(fetchBatch, jetstream.FetchMaxWait(idlePoll))
		case t.Interval <= 0:
			batch, err = cons.FetchNoWait(fetchBatch)
		default:
			wait := time.Until(started.Add(t.Interval))
			if wait <= 0 {
				flush()
				continue
			}
			batch, err = cons.Fetch(fetchBatch, jetstream.FetchMaxWait(max(wait, 5*time.Millisecond)))
		}
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			log.Warn("firehose: fetch", "stream", t.Stream, "err", err)
			clock.Sleep(ctx, idlePoll)
			continue
		}
		got := 0
		for m := range batch.Messages() {
			got++
			parts, err := split(m.Data())
			if err != nil {
				log.Error("firehose: dropping undecodable stored batch", "stream", t.Stream, "err", err)
				_ = m.Term()
				continue
			}
			if len(msgs) == 0 {
				started = time.Now()
			}
			at := time.Now()
			if md, err := m.Metadata(); err == nil {
				at = md.Timestamp
			}
			if oldest.IsZero() || at.Before(oldest) {
				oldest = at
			}
			var seq uint64
			if md, err := m.Metadata(); err == nil {
				seq = md.Sequence.Stream
			}
			for i, r := range parts {
				recs = append(recs, process.Record{ID: recordID(seq, i), Data: r, Arrival: at})
				size += len(r)
			}
			msgs = append(msgs, m)
			if size >= t.SizeBytes {
				flush()
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && !errors.Is(err, context.Canceled) && ctx.Err() == nil {
			log.Warn("firehose: fetch", "stream", t.Stream, "err", err)
		}
		if len(msgs) > 0 && (t.Interval <= 0 && got == 0 || t.Interval > 0 && time.Since(started) >= t.Interval) {
			flush()
		}
		if t.Interval <= 0 && got > 0 && len(msgs) > 0 {
			continue // read on; write when a pull finds nothing more
		}
	}
	return nil
}

// deliver processes recs (when t has a Pipeline) and writes the object of
// the records to deliver and, when some failed, the error-output object of
// their failure documents. It answers how many records were delivered and
// how many failed; an error means nothing is to be acknowledged.
func deliver(ctx context.Context, t Target, recs []process.Record, oldest time.Time, prefix, errPrefix *keys.Prefix,
	ext string, compress func(string, []byte) ([]byte, error)) (ok, failed int, err error) {
	var res process.Result
	if t.Pipeline != nil {
		if res, err = t.Pipeline.Process(ctx, recs); err != nil {
			return 0, 0, err
		}
	} else {
		res.Ok = make([]process.OkRecord, len(recs))
		for i, r := range recs {
			res.Ok[i] = process.OkRecord{ID: r.ID, Data: r.Data, Arrival: r.Arrival}
		}
	}
	if len(res.Ok) > 0 {
		n := 0
		for _, r := range res.Ok {
			n += len(r.Data)
		}
		data := bytes.NewBuffer(make([]byte, 0, n))
		for _, r := range res.Ok {
			data.Write(r.Data)
		}
		key, err := Key(prefix, t.Stream, t.Version, oldest, ext)
		var body []byte
		if err == nil {
			body, err = compress(path.Base(key), data.Bytes())
		}
		if err == nil {
			err = WriteObject(t.Dir, t.Bucket, key, body)
		}
		if err != nil {
			return 0, 0, err
		}
	}
	if len(res.Failed) > 0 {
		// One object per error output type (processing-failed, …).
		byType := map[string]*bytes.Buffer{}
		var types []string
		for _, f := range res.Failed {
			typ := f.OutputType
			if typ == "" {
				typ = process.OutputProcessingFailed
			}
			b := byType[typ]
			if b == nil {
				b = &bytes.Buffer{}
				byType[typ] = b
				types = append(types, typ)
			}
			doc, err := f.MarshalJSON()
			if err != nil {
				return 0, 0, err
			}
			b.Write(doc)
			b.WriteByte('\n')
		}
		for _, typ := range types {
			key, err := ErrorKey(errPrefix, t.Stream, t.Version, oldest, typ)
			if err == nil {
				err = WriteObject(t.Dir, t.Bucket, key, byType[typ].Bytes())
			}
			if err != nil {
				return 0, 0, err
			}
		}
	}
	return len(res.Ok), len(res.Failed), nil
}
