package mkv

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"
	"time"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readAll reads every cluster of b.
func readAll(t testing.TB, b []byte, opts ReaderOptions) (*Header, []*Cluster) {
	t.Helper()
	r := NewReader(bytes.NewReader(b), opts)
	h, err := r.Header()
	if err != nil {
		t.Fatalf("header: %v", err)
	}
	var cs []*Cluster
	for {
		c, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("cluster %d: %v", len(cs), err)
		}
		cs = append(cs, c)
	}
	if r.Offset() != int64(len(b)) {
		t.Errorf("offset %d, want %d", r.Offset(), len(b))
	}
	return h, cs
}

// unknownSizeClusters rewrites every Cluster of a file to unknown size, as
// live muxers write them.
func unknownSizeClusters(t testing.TB, b []byte) []byte {
	t.Helper()
	var out []byte
	for len(b) > 0 {
		id, n := parseID(b)
		size, m := parseSize(b[n:])
		if n == 0 || m == 0 {
			t.Fatal("bad fixture")
		}
		switch {
		case id == idSegment:
			out = append(out, b[:n+m]...) // descend
			b = b[n+m:]
			continue
		case id == idCluster:
			out = appendID(out, id)
			out = appendSize(out, unknownSize)
		default:
			out = append(out, b[:n+m]...)
		}
		out = append(out, b[n+m:n+m+int(size)]...)
		b = b[n+m+int(size):]
	}
	return out
}

type probePacket struct {
	stream int
	pts    int64
	key    bool
	size   int
}

func readPackets(t *testing.T, name string) []probePacket {
	rows, err := csv.NewReader(bytes.NewReader(readFixture(t, name))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var ps []probePacket
	for _, r := range rows {
		// stream_index,pts,dts,size,flags
		s, _ := strconv.Atoi(r[0])
		pts, _ := strconv.ParseInt(r[1], 10, 64)
		size, _ := strconv.Atoi(r[3])
		ps = append(ps, probePacket{stream: s, pts: pts, key: r[4][0] == 'K', size: size})
	}
	return ps
}

type probeStreams struct {
	Streams []struct {
		Index      int    `json:"index"`
		CodecName  string `json:"codec_name"`
		CodecType  string `json:"codec_type"`
		Width      uint64 `json:"width"`
		Height     uint64 `json:"height"`
		SampleRate string `json:"sample_rate"`
		Channels   uint64 `json:"channels"`
	} `json:"streams"`
}

var codecIDs = map[string]string{"h264": "V_MPEG4/ISO/AVC", "aac": "A_AAC"}

func TestFixtures(t *testing.T) {
	tests := []struct {
		name     string
		clusters int
		unknown  bool
	}{
		{"video", 4, false},
		{"av", 3, false},
		{"pipe", 3, false},
		{"video", 4, true},
		{"av", 3, true},
		{"pipe", 3, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/unknown=%v", tt.name, tt.unknown), func(t *testing.T) {
			b := readFixture(t, tt.name+".mkv")
			if tt.unknown {
				b = unknownSizeClusters(t, b)
			}
			h, cs := readAll(t, b, ReaderOptions{MaxClusterDuration: 10 * time.Second})
			if len(cs) != tt.clusters {
				t.Fatalf("%d clusters, want %d", len(cs), tt.clusters)
			}
			if h.TimecodeScale != 1_000_000 {
				t.Errorf("timecode scale %d", h.TimecodeScale)
			}
			var ps probeStreams
			if err := json.Unmarshal(readFixture(t, tt.name+".streams.json"), &ps); err != nil {
				t.Fatal(err)
			}
			if len(h.Tracks) != len(ps.Streams) {
				t.Fatalf("%d tracks, ffprobe %d streams", len(h.Tracks), len(ps.Streams))
			}
			for i, s := range ps.Streams {
				tr := h.Tracks[i]
				if tr.Number != uint64(s.Index+1) || tr.CodecID != codecIDs[s.CodecName] || len(tr.CodecPrivate) == 0 {
					t.Errorf("track %d = %d %q (%d private bytes), ffprobe %+v", i, tr.Number, tr.CodecID, len(tr.CodecPrivate), s)
				}
				switch s.CodecType {
				case "video":
					if tr.Type != TrackTypeVideo || tr.Video == nil || tr.Video.PixelWidth != s.Width || tr.Video.PixelHeight != s.Height {
						t.Errorf("video track %+v %+v, ffprobe %+v", tr, tr.Video, s)
					}
				case "audio":
					if tr.Type != TrackTypeAudio || tr.Audio == nil || strconv.Itoa(int(tr.Audio.SamplingFrequency)) != s.SampleRate || tr.Audio.Channels != s.Channels {
						t.Errorf("audio track %+v %+v, ffprobe %+v", tr, tr.Audio, s)
					}
				}
			}
			// Frames in file order match ffprobe's packets.
			ps2 := readPackets(t, tt.name+".packets.csv")
			var tc TimecodeChecker
			i := 0
			for ci, c := range cs {
				if err := tc.Check(c.Timecode); err != nil {
					t.Error(err)
				}
				if !c.StartsWithKeyframe() {
					t.Errorf("cluster %d does not start with a keyframe", ci)
				}
				if err := c.CheckTracks(h); err != nil {
					t.Errorf("cluster %d: %v", ci, err)
				}
				var sum int64
				for _, f := range c.Frames {
					sum += int64(len(f.Data))
					if i >= len(ps2) {
						t.Fatalf("more frames than ffprobe's %d packets", len(ps2))
					}
					p := ps2[i]
					i++
					got := probePacket{stream: int(f.Track) - 1, pts: int64(c.Timecode) + int64(f.Timecode), key: f.Keyframe, size: len(f.Data)}
					if got != p {
						t.Fatalf("frame %d = %+v, ffprobe %+v", i-1, got, p)
					}
				}
				if c.Size <= sum || (ci < len(cs)-1 && c.Size > sum+int64(len(c.Frames))*16+64) {
					t.Errorf("cluster %d size %d for %d frame bytes", ci, c.Size, sum)
				}
			}
			if i != len(ps2) {
				t.Errorf("%d frames, ffprobe %d packets", i, len(ps2))
			}
		})
	}
}

func TestOnFragmentStart(t *testing.T) {
	var starts []uint64
	r := NewReader(bytes.NewReader(readFixture(t, "video.mkv")), ReaderOptions{OnFragmentStart: func(tc uint64) { starts = append(starts, tc) }})
	for i := 0; ; i++ {
		c, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(starts) != i+1 || starts[i] != c.Timecode {
			t.Fatalf("starts %v at cluster %d (timecode %d)", starts, i, c.Timecode)
		}
	}
}

func TestLacing(t *testing.T) {
	frames := [][]byte{bytes.Repeat([]byte{1}, 300), bytes.Repeat([]byte{2}, 10), bytes.Repeat([]byte{3}, 700)}
	fixed := [][]byte{{1, 1}, {2, 2}, {3, 3}}
	head := []byte{0x82, 0x00, 0x05} // track 2, timecode 5
	block := func(flags byte, lace []byte, fs [][]byte) []byte {
		b := append(append([]byte{}, head...), flags, byte(len(fs)-1))
		b = append(b, lace...)
		for _, f := range fs {
			b = append(b, f...)
		}
		return b
	}
	xiph := []byte{255, 45, 10} // 300, 10
	// EBML: 300 as a 2-byte size, then 10-300 = -290 as a signed 2-byte vint
	// (raw = -290 + 8191 = 7901 = 0x1EDD, marker 0x40).
	ebml := []byte{0x41, 0x2C, 0x40 | 0x1E, 0xDD}
	tests := []struct {
		name  string
		block []byte
		want  [][]byte
		err   bool
	}{
		{"none", append(append([]byte{}, head...), 0x80, 9, 9), [][]byte{{9, 9}}, false},
		{"xiph", block(0x80|0x02, xiph, frames), frames, false},
		{"ebml", block(0x80|0x06, ebml, frames), frames, false},
		{"fixed", block(0x80|0x04, nil, fixed), fixed, false},
		{"fixed uneven", append(block(0x80|0x04, nil, fixed), 7), nil, true},
		{"xiph truncated", append(append([]byte{}, head...), 0x82, 2, 255, 255), nil, true},
		{"xiph overrun", append(append([]byte{}, head...), 0x82, 1, 200, 1), nil, true},
		{"ebml overrun", append(append([]byte{}, head...), 0x86, 1, 0xC0, 1), nil, true},
		{"short header", []byte{0x81, 0}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseBlock(tt.block, true, 0, nil)
			if tt.err {
				if !errors.Is(err, ErrInvalidMKV) {
					t.Fatalf("err %v, want invalid mkv", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d frames, want %d", len(got), len(tt.want))
			}
			for i, f := range got {
				if f.Track != 2 || f.Timecode != 5 || !f.Keyframe || !bytes.Equal(f.Data, tt.want[i]) {
					t.Errorf("frame %d = %d %d %v %d bytes", i, f.Track, f.Timecode, f.Keyframe, len(f.Data))
				}
			}
		})
	}
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func testHeader(tracks int) *Header {
	h := &Header{TimecodeScale: DefaultTimecodeScale}
	for i := 1; i <= tracks; i++ {
		h.Tracks = append(h.Tracks, Track{Number: uint64(i), Type: TrackTypeVideo, CodecID: "V_MPEG4/ISO/AVC", CodecPrivate: []byte{1}, Video: &Video{PixelWidth: 16, PixelHeight: 16}})
	}
	return h
}

func writeStream(t testing.TB, h *Header, cs ...*Cluster) []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	if err := w.WriteHeader(h); err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if err := w.WriteCluster(c); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func TestErrors(t *testing.T) {
	big := &Cluster{Timecode: 0}
	for i := 0; i < 100; i++ {
		big.Frames = append(big.Frames, Frame{Track: 1, Timecode: int16(i), Keyframe: i == 0, Data: make([]byte, 1000)})
	}
	bigStream := writeStream(t, testHeader(1), big)
	long := &Cluster{Timecode: 0, Frames: []Frame{{Track: 1, Keyframe: true, Data: []byte{1}}, {Track: 1, Timecode: 11000, Data: []byte{2}}}}
	valid := writeStream(t, testHeader(1), &Cluster{Timecode: 0, Frames: []Frame{{Track: 1, Keyframe: true, Data: []byte{1}}}})
	tests := []struct {
		name string
		in   []byte
		opts ReaderOptions
		want *Error
	}{
		{"empty", nil, ReaderOptions{}, ErrInvalidMKV},
		{"garbage", []byte("this is not matroska at all"), ReaderOptions{}, ErrInvalidMKV},
		{"truncated", valid[:len(valid)-1], ReaderOptions{}, ErrInvalidMKV},
		{"header only", valid[:len(valid)-20], ReaderOptions{}, ErrInvalidMKV},
		{"too large", bigStream, ReaderOptions{MaxClusterBytes: 50_000}, ErrFragmentTooLarge},
		{"too large unknown size", unknownSizeClusters(t, bigStream), ReaderOptions{MaxClusterBytes: 50_000}, ErrFragmentTooLarge},
		{"too long", writeStream(t, testHeader(1), long), ReaderOptions{MaxClusterDuration: 10 * time.Second}, ErrFragmentTooLong},
		{"four tracks", writeStream(t, testHeader(4)), ReaderOptions{}, ErrTooManyTracks},
		{"unknown track", writeStream(t, testHeader(1), &Cluster{Frames: []Frame{{Track: 2, Data: []byte{1}}}}), ReaderOptions{}, ErrTrackNumberMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cr := &countingReader{r: bytes.NewReader(tt.in)}
			r := NewReader(cr, tt.opts)
			var err error
			for err == nil {
				_, err = r.Next()
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want code %d", err, tt.want.Code)
			}
			if ErrorCode(err) != tt.want.Code {
				t.Errorf("code %d", ErrorCode(err))
			}
			if _, err2 := r.Next(); err2 != err {
				t.Errorf("error not sticky: %v", err2)
			}
			if tt.want == ErrFragmentTooLarge && r.Offset() > tt.opts.MaxClusterBytes+1000 {
				t.Errorf("read %d bytes past a %d byte limit", r.Offset(), tt.opts.MaxClusterBytes)
			}
		})
	}
	if ErrorCode(io.ErrClosedPipe) != 5000 {
		t.Error("non-mkv error code")
	}
}

func TestReadError(t *testing.T) {
	valid := writeStream(t, testHeader(1), &Cluster{Frames: []Frame{{Track: 1, Keyframe: true, Data: []byte{1}}}})
	r := NewReader(io.MultiReader(bytes.NewReader(valid[:30]), errReader{}), ReaderOptions{})
	_, err := r.Next()
	if ErrorCode(err) != CodeReadError || !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("err %v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestTimecodeChecker(t *testing.T) {
	var c TimecodeChecker
	for _, tc := range []uint64{0, 1000, 1000, 2000} {
		if err := c.Check(tc); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Check(1999); !errors.Is(err, ErrTimecodeBackwards) || ErrorCode(err) != 4004 {
		t.Fatalf("err %v", err)
	}
}

func TestUnknownElementsSkipped(t *testing.T) {
	// A Void and an unknown element between the tracks and the cluster, and
	// a CRC-32 inside the cluster.
	h := testHeader(1)
	var buf bytes.Buffer
	w := NewWriter(&buf)
	if err := w.WriteHeader(h); err != nil {
		t.Fatal(err)
	}
	buf.Write(appendBytesElem(nil, idVoid, make([]byte, 100)))
	buf.Write(appendBytesElem(nil, 0x1F000000|0x123456, make([]byte, 5)))
	var body []byte
	body = appendBytesElem(body, 0xBF, []byte{1, 2, 3, 4})
	body = appendUintElem(body, idTimecode, 7)
	body = appendBytesElem(body, idSimpleBlock, []byte{0x81, 0, 1, 0x80, 42})
	buf.Write(appendMaster(nil, idCluster, body))
	_, cs := readAll(t, buf.Bytes(), ReaderOptions{})
	if len(cs) != 1 || cs[0].Timecode != 7 || len(cs[0].Frames) != 1 || cs[0].Frames[0].Data[0] != 42 {
		t.Fatalf("clusters %+v", cs)
	}
}

func BenchmarkReader(b *testing.B) {
	one := readFixture(b, "av.mkv")
	// The fixture's clusters repeated after one header: about 4 MB.
	hdrEnd := bytes.Index(one, []byte{0x1F, 0x43, 0xB6, 0x75})
	clusters := one[hdrEnd:]
	if cue := bytes.Index(clusters, []byte{0x1C, 0x53, 0xBB, 0x6B}); cue > 0 {
		clusters = clusters[:cue]
	}
	in := append([]byte{}, one[:hdrEnd]...)
	for len(in) < 4<<20 {
		in = append(in, clusters...)
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(in), ReaderOptions{})
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
