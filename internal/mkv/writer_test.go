package mkv

import (
	"bytes"
	"io"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, name := range []string{"video.mkv", "av.mkv", "pipe.mkv"} {
		t.Run(name, func(t *testing.T) {
			h, cs := readAll(t, readFixture(t, name), ReaderOptions{})
			out := writeStream(t, h, cs...)
			h2, cs2 := readAll(t, out, ReaderOptions{})
			h.Duration = 0 // not a property the writer keeps unless set
			h2.Duration = 0
			h.MuxingApp, h.WritingApp = h2.MuxingApp, h2.WritingApp
			if !reflect.DeepEqual(h, h2) {
				t.Errorf("header\n%+v\nwant\n%+v", h2, h)
			}
			if len(cs) != len(cs2) {
				t.Fatalf("%d clusters, want %d", len(cs2), len(cs))
			}
			for i := range cs {
				cs2[i].Size = cs[i].Size
				cs[i].Tags = nil // ffmpeg's own Tags are not clusters' content
				if !reflect.DeepEqual(cs[i], cs2[i]) {
					t.Errorf("cluster %d differs", i)
				}
			}
		})
	}
}

func TestWriterBlockGroups(t *testing.T) {
	c := &Cluster{Timecode: 100, Frames: []Frame{
		{Track: 1, Keyframe: true, Data: []byte{1}},
		{Track: 2, Timecode: 3, Keyframe: true, Duration: 20, Data: []byte{2, 2}},
		{Track: 2, Timecode: -4, Duration: 200, Data: make([]byte, 300)},
		{Track: 1, Timecode: 33, Data: []byte{3}},
	}}
	_, cs := readAll(t, writeStream(t, testHeader(2), c), ReaderOptions{})
	cs[0].Size = 0
	if !reflect.DeepEqual(cs[0], c) {
		t.Errorf("got %+v\nwant %+v", cs[0], c)
	}
}

func BenchmarkWriter(b *testing.B) {
	h, cs := readAll(b, readFixture(b, "av.mkv"), ReaderOptions{})
	w := NewWriter(io.Discard)
	if err := w.WriteHeader(h); err != nil {
		b.Fatal(err)
	}
	var n int64
	for _, c := range cs {
		n += c.Size
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range cs {
			if err := w.WriteCluster(c); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestGetMediaChunks(t *testing.T) {
	h, cs := readAll(t, readFixture(t, "av.mkv"), ReaderOptions{})
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for i, c := range cs {
		n := strconv.Itoa(i)
		before := []SimpleTag{{TagFragmentNumber, "9100000000000000000000000000000000000000" + n}, {TagServerTimestamp, "1700000000.12" + n}, {TagProducerTimestamp, "1700000000.0" + n}}
		after := []SimpleTag{{TagMillisBehindNow, "0"}, {TagContinuationToken, "9100000000000000000000000000000000000000" + n}}
		if err := w.WriteChunk(h, before, c, after); err != nil {
			t.Fatal(err)
		}
	}
	r := NewReader(&buf, ReaderOptions{})
	for i := 0; ; i++ {
		c, err := r.Next()
		if err == io.EOF {
			if i != len(cs) {
				t.Fatalf("%d chunks, want %d", i, len(cs))
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		want := 3
		if i > 0 {
			want = 5 // the previous chunk's trailing tags come first
		}
		if len(c.Tags) != want || c.Tags[want-3].Name != TagFragmentNumber || !strings.HasSuffix(c.Tags[want-3].Value, strconv.Itoa(i)) {
			t.Errorf("chunk %d tags %v", i, c.Tags)
		}
		if c.Timecode != cs[i].Timecode || len(c.Frames) != len(cs[i].Frames) {
			t.Errorf("chunk %d cluster differs", i)
		}
	}
	if tt := r.TrailingTags(); len(tt) != 2 || tt[1].Name != TagContinuationToken {
		t.Errorf("trailing tags %v", tt)
	}
}

// TestFFprobeAcceptsWriter checks that ffprobe decodes what the Writer
// writes (GetMedia output); skipped where ffprobe is not installed.
func TestFFprobeAcceptsWriter(t *testing.T) {
	probe, err := exec.LookPath("ffprobe")
	if err != nil {
		t.Skip("ffprobe not on PATH")
	}
	h, cs := readAll(t, readFixture(t, "av.mkv"), ReaderOptions{})
	var buf bytes.Buffer
	w := NewWriter(&buf)
	if err := w.WriteHeader(h); err != nil {
		t.Fatal(err)
	}
	frames := 0
	for i, c := range cs {
		frames += len(c.Frames)
		if err := w.WriteTags([]SimpleTag{{TagFragmentNumber, strconv.Itoa(i)}}); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteCluster(c); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(probe, "-v", "error", "-show_packets", "-show_entries", "packet=stream_index", "-of", "csv=p=0", "-")
	cmd.Stdin = &buf
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("ffprobe: %v: %s", err, stderr.String())
	}
	if n := strings.Count(string(out), "\n"); n != frames {
		t.Errorf("ffprobe saw %d packets, want %d", n, frames)
	}
}
