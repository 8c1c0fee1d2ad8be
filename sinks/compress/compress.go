package compress

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zip"
)

// CompressionFormat values of the Firehose API.
const (
	Uncompressed = "UNCOMPRESSED"
	GZIP         = "GZIP"
	ZIP          = "ZIP"
	Snappy       = "Snappy"
	HadoopSnappy = "HADOOP_SNAPPY"
)

// Formats lists every valid CompressionFormat.
var Formats = []string{Uncompressed, GZIP, ZIP, Snappy, HadoopSnappy}

// ErrUnknownFormat is returned for a format outside Formats.
var ErrUnknownFormat = errors.New("compress: unknown compression format")

// DefaultEntryName names the single ZIP entry when no EntryName is given.
const DefaultEntryName = "data"

// Valid reports whether format is a Firehose CompressionFormat. Values are
// case-sensitive, as in the API ("Snappy", not "SNAPPY"). "" is not valid;
// the API's default is UNCOMPRESSED.
func Valid(format string) bool {
	switch format {
	case Uncompressed, GZIP, ZIP, Snappy, HadoopSnappy:
		return true
	}
	return false
}

// Extension returns the file extension, with its dot, that Firehose puts
// at the end of object names for format; "" for UNCOMPRESSED and unknown
// formats.
func Extension(format string) string {
	switch format {
	case GZIP:
		return ".gz"
	case ZIP:
		return ".zip"
	case Snappy, HadoopSnappy:
		return ".snappy"
	}
	return ""
}

// Option configures Writer.
type Option func(*options)

type options struct {
	entryName string
}

// EntryName sets the name of the single ZIP entry (for example the object
// name without ".zip"). Other formats ignore it.
func EntryName(name string) Option { return func(o *options) { o.entryName = name } }

// Writer returns a writer that compresses into w. Close flushes the
// encoding's trailer; it does not close w.
func Writer(format string, w io.Writer, opts ...Option) (io.WriteCloser, error) {
	o := options{entryName: DefaultEntryName}
	for _, opt := range opts {
		opt(&o)
	}
	switch format {
	case Uncompressed:
		return nopCloser{w}, nil
	case GZIP:
		return gzip.NewWriter(w), nil
	case ZIP:
		zw := zip.NewWriter(w)
		ew, err := zw.Create(o.entryName)
		if err != nil {
			return nil, fmt.Errorf("compress: zip entry: %w", err)
		}
		return &zipWriter{zw: zw, w: ew}, nil
	case Snappy:
		return snappy.NewBufferedWriter(w), nil
	case HadoopSnappy:
		return newHadoopWriter(w), nil
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownFormat, format)
}

// Reader returns a reader of the data compressed in r. ZIP reads r to the
// end (the directory is at the end) and returns the first entry.
func Reader(format string, r io.Reader) (io.ReadCloser, error) {
	switch format {
	case Uncompressed:
		return io.NopCloser(r), nil
	case GZIP:
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("compress: gzip: %w", err)
		}
		return zr, nil
	case ZIP:
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("compress: zip: %w", err)
		}
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return nil, fmt.Errorf("compress: zip: %w", err)
		}
		if len(zr.File) == 0 {
			return nil, errors.New("compress: zip: archive has no entry")
		}
		rc, err := zr.File[0].Open()
		if err != nil {
			return nil, fmt.Errorf("compress: zip: %w", err)
		}
		return rc, nil
	case Snappy:
		return io.NopCloser(snappy.NewReader(r)), nil
	case HadoopSnappy:
		return io.NopCloser(&hadoopReader{r: r}), nil
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownFormat, format)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

type zipWriter struct {
	zw *zip.Writer
	w  io.Writer
}

func (z *zipWriter) Write(p []byte) (int, error) { return z.w.Write(p) }
func (z *zipWriter) Close() error                { return z.zw.Close() }
