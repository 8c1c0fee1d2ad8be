package s3

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/sinks/compress"
	"github.com/kinesin/kinesin/sinks/keys"
)

func TestKey(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("x", 3600))
	for _, tc := range []struct{ prefix, ext, want string }{
		{"", "", "2026/03/04/04/s-1-2026-03-04-04-06-07-"},
		{"logs/", ".gz", "logs/2026/03/04/04/s-1-2026-03-04-04-06-07-"},
		{"y=!{timestamp:yyyy}/", ".gz", "y=2026/s-1-2026-03-04-04-06-07-"},
	} {
		p, err := keys.Parse(tc.prefix)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Key(p, "s", 1, at.UTC(), nil, tc.ext)
		if err != nil || !strings.HasPrefix(got, tc.want) || !strings.HasSuffix(got, tc.ext) || len(got) != len(tc.want)+36+len(tc.ext) {
			t.Errorf("Key(%q) = %s, %v; want %s<uuid>%s", tc.prefix, got, err, tc.want, tc.ext)
		}
	}
}

func TestCompressor(t *testing.T) {
	for _, tc := range []struct {
		format, ext string
		ok          bool
	}{{"", "", true}, {"UNCOMPRESSED", "", true}, {"GZIP", ".gz", true}, {"ZIP", ".zip", true},
		{"Snappy", ".snappy", true}, {"HADOOP_SNAPPY", ".snappy", true}, {"LZ4", "", false}} {
		ext, compressObject, err := Compressor(tc.format)
		if (err == nil) != tc.ok || ext != tc.ext {
			t.Fatalf("%s: ext %q err %v", tc.format, ext, err)
		}
		if !tc.ok {
			continue
		}
		out, err := compressObject("obj"+ext, []byte("hello"))
		if err != nil {
			t.Fatal(err)
		}
		format := tc.format
		if format == "" {
			format = compress.Uncompressed
		}
		r, err := compress.Reader(format, bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		back, _ := io.ReadAll(r)
		if string(back) != "hello" {
			t.Fatalf("%s: %q", tc.format, back)
		}
	}
}
