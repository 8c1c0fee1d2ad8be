package compress

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zip"
)

func compressBytes(t testing.TB, format string, data []byte, opts ...Option) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := Writer(format, &buf, opts...)
	if err != nil {
		t.Fatal(err)
	}
	// Write in uneven pieces to exercise buffering.
	for rest := data; len(rest) > 0; {
		n := min(len(rest), 1+len(rest)/3)
		if _, err := w.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decompressBytes(t testing.TB, format string, data []byte) []byte {
	t.Helper()
	r, err := Reader(format, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func testInputs() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 1<<20+17)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	text := bytes.Repeat([]byte(`{"ticker":"AMZN","price":123.45}`+"\n"), 30000)
	return map[string][]byte{
		"empty":   {},
		"one":     {'x'},
		"random":  random,
		"text":    text,
		"block":   text[:hadoopBlockSize],
		"block+1": text[:hadoopBlockSize+1],
	}
}

func TestRoundTrip(t *testing.T) {
	for _, format := range Formats {
		for name, data := range testInputs() {
			t.Run(format+"/"+name, func(t *testing.T) {
				c := compressBytes(t, format, data)
				if got := decompressBytes(t, format, c); !bytes.Equal(got, data) {
					t.Fatalf("round trip changed data: %d bytes in, %d out", len(data), len(got))
				}
			})
		}
	}
}

func TestValidExtension(t *testing.T) {
	tests := []struct {
		format string
		valid  bool
		ext    string
	}{
		{"UNCOMPRESSED", true, ""},
		{"GZIP", true, ".gz"},
		{"ZIP", true, ".zip"},
		{"Snappy", true, ".snappy"},
		{"HADOOP_SNAPPY", true, ".snappy"},
		{"SNAPPY", false, ""},
		{"gzip", false, ""},
		{"", false, ""},
	}
	for _, tt := range tests {
		if got := Valid(tt.format); got != tt.valid {
			t.Errorf("Valid(%q) = %v", tt.format, got)
		}
		if got := Extension(tt.format); got != tt.ext {
			t.Errorf("Extension(%q) = %q, want %q", tt.format, got, tt.ext)
		}
		if !tt.valid {
			if _, err := Writer(tt.format, io.Discard); !errors.Is(err, ErrUnknownFormat) {
				t.Errorf("Writer(%q) err = %v", tt.format, err)
			}
			if _, err := Reader(tt.format, bytes.NewReader(nil)); !errors.Is(err, ErrUnknownFormat) {
				t.Errorf("Reader(%q) err = %v", tt.format, err)
			}
		}
	}
}

func TestMagic(t *testing.T) {
	data := []byte("hello hello hello")
	tests := []struct {
		format string
		prefix []byte
	}{
		{GZIP, []byte{0x1f, 0x8b}},
		{ZIP, []byte("PK\x03\x04")},
		{Snappy, []byte("\xff\x06\x00\x00sNaPpY")},
		{HadoopSnappy, []byte{0, 0, 0, byte(len(data))}},
		{Uncompressed, data},
	}
	for _, tt := range tests {
		if c := compressBytes(t, tt.format, data); !bytes.HasPrefix(c, tt.prefix) {
			t.Errorf("%s output starts % x, want % x", tt.format, c[:min(len(c), 12)], tt.prefix)
		}
	}
}

func TestZipEntryName(t *testing.T) {
	for _, tt := range []struct {
		opts []Option
		want string
	}{
		{nil, DefaultEntryName},
		{[]Option{EntryName("s-1-2018-08-27-10-30-05-uuid")}, "s-1-2018-08-27-10-30-05-uuid"},
	} {
		c := compressBytes(t, ZIP, []byte("abc"), tt.opts...)
		zr, err := zip.NewReader(bytes.NewReader(c), int64(len(c)))
		if err != nil {
			t.Fatal(err)
		}
		if len(zr.File) != 1 || zr.File[0].Name != tt.want {
			t.Errorf("entries = %v, want one named %q", zr.File, tt.want)
		}
	}
}

// decodeHadoopIndependently reads Hadoop's block framing straight from the
// documented layout, without the package's reader.
func decodeHadoopIndependently(t *testing.T, b []byte) []byte {
	t.Helper()
	var out []byte
	for len(b) > 0 {
		if len(b) < 4 {
			t.Fatalf("truncated block header")
		}
		ulen := int(binary.BigEndian.Uint32(b))
		b = b[4:]
		got := 0
		for got < ulen {
			if len(b) < 4 {
				t.Fatalf("truncated chunk header")
			}
			clen := int(binary.BigEndian.Uint32(b))
			b = b[4:]
			if clen > len(b) {
				t.Fatalf("chunk length %d beyond data %d", clen, len(b))
			}
			dec, err := snappy.DecodeStrict(nil, b[:clen])
			if err != nil {
				t.Fatalf("raw snappy chunk: %v", err)
			}
			b = b[clen:]
			got += len(dec)
			out = append(out, dec...)
		}
		if got != ulen {
			t.Fatalf("block decoded to %d bytes, header says %d", got, ulen)
		}
	}
	return out
}

func TestHadoopSnappyLayout(t *testing.T) {
	for name, data := range testInputs() {
		t.Run(name, func(t *testing.T) {
			c := compressBytes(t, HadoopSnappy, data)
			if got := decodeHadoopIndependently(t, c); !bytes.Equal(got, data) {
				t.Fatalf("independent decode differs")
			}
			if len(data) == 0 && len(c) != 0 {
				t.Errorf("empty input gave %d bytes", len(c))
			}
		})
	}
}

func TestHadoopSnappyReaderMultiChunk(t *testing.T) {
	// A block split into two chunks (as Hadoop writes when the compressor
	// output exceeds its buffer) and a zero-length block.
	a, b := []byte("first chunk "), []byte("second chunk")
	var s []byte
	s = binary.BigEndian.AppendUint32(s, uint32(len(a)+len(b)))
	for _, p := range [][]byte{a, b} {
		enc := snappy.Encode(nil, p)
		s = binary.BigEndian.AppendUint32(s, uint32(len(enc)))
		s = append(s, enc...)
	}
	s = binary.BigEndian.AppendUint32(s, 0)
	if got := decompressBytes(t, HadoopSnappy, s); string(got) != "first chunk second chunk" {
		t.Errorf("got %q", got)
	}
}

func TestCorrupt(t *testing.T) {
	enc := snappy.Encode(nil, []byte("hello"))
	hdr := func(vals ...uint32) []byte {
		var b []byte
		for _, v := range vals {
			b = binary.BigEndian.AppendUint32(b, v)
		}
		return b
	}
	tests := []struct {
		name   string
		format string
		data   []byte
	}{
		{"hadoop truncated header", HadoopSnappy, []byte{0, 0}},
		{"hadoop missing chunk", HadoopSnappy, hdr(5)},
		{"hadoop truncated chunk", HadoopSnappy, append(hdr(5, uint32(len(enc))), enc[:2]...)},
		{"hadoop chunk too big for block", HadoopSnappy, append(hdr(3, uint32(len(enc))), enc...)},
		{"hadoop zero chunk", HadoopSnappy, hdr(5, 0)},
		{"hadoop garbage chunk", HadoopSnappy, append(hdr(5, 3), 0xff, 0xff, 0xff)},
		{"snappy garbage", Snappy, []byte("not snappy")},
		{"gzip garbage", GZIP, []byte("not gzip at all")},
		{"zip garbage", ZIP, []byte("not zip")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Reader(tt.format, bytes.NewReader(tt.data))
			if err == nil {
				_, err = io.ReadAll(r)
			}
			if err == nil {
				t.Fatal("want error")
			}
		})
	}
}

func fuzzReader(f *testing.F, format string) {
	for _, s := range [][]byte{nil, []byte("a"), []byte("hello hello hello hello")} {
		f.Add(compressBytes(f, format, s))
	}
	f.Add([]byte{0, 0, 0, 5, 0, 0, 0, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Reader(format, bytes.NewReader(b))
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(r, 16<<20))
		_ = r.Close()
	})
}

func FuzzReaderHadoopSnappy(f *testing.F) { fuzzReader(f, HadoopSnappy) }
func FuzzReaderSnappy(f *testing.F)       { fuzzReader(f, Snappy) }
func FuzzReaderGZIP(f *testing.F)         { fuzzReader(f, GZIP) }
func FuzzReaderZIP(f *testing.F)          { fuzzReader(f, ZIP) }
