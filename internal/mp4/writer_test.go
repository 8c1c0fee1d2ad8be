package mp4

import (
	"bytes"
	"encoding/binary"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/media"
)

// Codec private data of the synthetic tracks: an avcC (High 3.1, 4-byte
// lengths, one SPS and PPS of a few bytes), an hvcC header and an AAC LC
// 44.1 kHz stereo AudioSpecificConfig.
var (
	avcC = []byte{1, 0x64, 0, 0x1f, 0xff, 0xe1, 0, 4, 0x67, 0x64, 0, 0x1f, 1, 0, 2, 0x68, 0xee}
	hvcC = append([]byte{1, 1, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 0x5d, 0xf0, 0, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f}, 0)
	asc  = []byte{0x12, 0x10}
)

func testTracks() []media.Track {
	return []media.Track{
		{ID: 1, Kind: "video", CodecID: media.CodecAVC, Private: avcC, Width: 320, Height: 180, Timescale: 90000, LengthSize: 4},
		{ID: 2, Kind: "audio", CodecID: media.CodecAAC, Private: asc, SampleRate: 44100, Channels: 2, Timescale: 44100},
	}
}

// testSamples makes n video frames at 30 fps (a keyframe every 30, sizes
// of videoSize bytes) and the AAC frames of the same span, times from
// start.
func testSamples(start time.Duration, n, videoSize int) [][]media.Sample {
	var v, a []media.Sample
	data := bytes.Repeat([]byte{0xab}, videoSize)
	for i := range n {
		ts := start + time.Duration(i)*time.Second/30
		v = append(v, media.Sample{DTS: ts, PTS: ts, Duration: time.Second / 30, Keyframe: i%30 == 0, Data: data})
	}
	frame := 1024 * time.Second / 44100
	for i := 0; time.Duration(i)*frame < time.Duration(n)*time.Second/30; i++ {
		ts := start + (time.Duration(i) * frame).Round(time.Millisecond)
		a = append(a, media.Sample{DTS: ts, PTS: ts, Duration: frame, Keyframe: true, Data: data[:min(300, len(data))]})
	}
	return [][]media.Sample{v, a}
}

func TestTicks(t *testing.T) {
	for _, tc := range []struct {
		d     time.Duration
		scale uint32
		want  int64
	}{
		{0, 90000, 0},
		{time.Second, 90000, 90000},
		{33 * time.Millisecond, 90000, 2970},
		{-10 * time.Millisecond, 90000, -900},
		{500 * time.Microsecond, 1000, 1}, // half rounds up
		{499 * time.Microsecond, 1000, 0},
		{1_764_000_000_123_456_789, 90000, 1_764_000_000*90000 + 11111},
		{1_764_000_000 * time.Second, 44100, 1_764_000_000 * 44100},
	} {
		if got := ticks(tc.d, tc.scale); got != tc.want {
			t.Errorf("ticks(%v, %d) = %d, want %d", tc.d, tc.scale, got, tc.want)
		}
	}
	for _, tc := range []struct {
		x        int64
		from, to uint32
		want     int64
	}{
		{90000, 90000, 1000, 1000},
		{134144, 44100, 1000, 3042},
		{-45, 90000, 1000, 0},
		{-46, 90000, 1000, -1},
	} {
		if got := rescale(tc.x, tc.from, tc.to); got != tc.want {
			t.Errorf("rescale(%d, %d, %d) = %d, want %d", tc.x, tc.from, tc.to, got, tc.want)
		}
	}
}

func TestTimes(t *testing.T) {
	ms := func(v ...int) []media.Sample {
		var out []media.Sample
		for _, x := range v {
			d := time.Duration(x) * time.Millisecond
			out = append(out, media.Sample{DTS: d, PTS: d})
		}
		return out
	}
	video, audio := testTracks()[0], testTracks()[1]
	aac := func(n int, gapAt int) []media.Sample {
		var out []media.Sample
		for i := range n {
			k := i
			if gapAt > 0 && i >= gapAt {
				k += 3 // three frames lost
			}
			d := (time.Duration(k) * 1024 * time.Second / 44100).Round(time.Millisecond)
			out = append(out, media.Sample{DTS: d, PTS: d})
		}
		return out
	}
	bframes := ms(0, 33, 67, 100)
	for i, p := range []int{33, 100, 67, 133} { // I P B B reordered
		bframes[i].PTS = time.Duration(p) * time.Millisecond
	}
	for _, tc := range []struct {
		name    string
		track   media.Track
		samples []media.Sample
		dur     []uint32
		cto     []int32
		err     string
	}{
		{name: "constant", track: video, samples: ms(0, 33, 66), dur: []uint32{2970, 2970, 2970}, cto: []int32{0, 0, 0}},
		{name: "last is the median", track: video, samples: ms(0, 33, 67, 100, 133),
			dur: []uint32{2970, 3060, 2970, 2970, 2970}, cto: []int32{0, 0, 0, 0, 0}},
		{name: "single with duration", track: video,
			samples: []media.Sample{{DTS: time.Second, PTS: time.Second, Duration: 40 * time.Millisecond}},
			dur:     []uint32{3600}, cto: []int32{0}},
		{name: "single without duration", track: video, samples: ms(5), dur: []uint32{3000}, cto: []int32{0}},
		{name: "b-frames", track: video, samples: bframes,
			dur: []uint32{2970, 3060, 2970, 2970}, cto: []int32{2970, 6030, 0, 2970}},
		{name: "aac snapped", track: audio, samples: aac(50, 0),
			dur: slices.Repeat([]uint32{1024}, 50), cto: make([]int32, 50)},
		{name: "aac with a gap", track: audio, samples: aac(5, 2),
			dur: []uint32{1014, 4102, 1014, 1058, 1014}, cto: make([]int32, 5)},
		{name: "backwards", track: video, samples: ms(0, 33, 20), err: "before the previous one"},
		{name: "empty", track: video},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tt trackTimes
			err := tt.compute(&tc.track, tc.samples)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tt.dur, tc.dur) || !slices.Equal(tt.cto, tc.cto) {
				t.Errorf("durations %v, offsets %v; want %v, %v", tt.dur, tt.cto, tc.dur, tc.cto)
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	samples := testSamples(0, 3, 10)
	with := func(f func(*media.Track)) []media.Track {
		ts := testTracks()
		f(&ts[1])
		return ts
	}
	for _, tc := range []struct {
		name    string
		tracks  []media.Track
		samples [][]media.Sample
		err     string
	}{
		{"no tracks", nil, nil, "no tracks"},
		{"samples per track", testTracks(), samples[:1], "1 sample lists for 2 tracks"},
		{"id 0", with(func(t *media.Track) { t.ID = 0 }), samples, "track id 0"},
		{"id twice", with(func(t *media.Track) { t.ID = 1 }), samples, "used twice"},
		{"timescale", with(func(t *media.Track) { t.Timescale = 0 }), samples, "timescale 0"},
		{"codec", with(func(t *media.Track) { t.CodecID = "A_OPUS" }), samples, `codec "A_OPUS" is not supported`},
		{"private", with(func(t *media.Track) { t.Private = nil }), samples, "codec private data of 0 bytes"},
		{"size", with(func(t *media.Track) { t.Width = 70000 }), samples, "picture size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check := func(what string, err error) {
				t.Helper()
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "mp4: ") {
					t.Errorf("%s: error %v, want %q", what, err, tc.err)
				}
			}
			check("WriteFragment", WriteFragment(io.Discard, 1, tc.tracks, tc.samples))
			check("WriteFile", WriteFile(io.Discard, tc.tracks, tc.samples))
			if tc.name != "samples per track" {
				check("WriteInit", WriteInit(io.Discard, tc.tracks))
			}
		})
	}
	if err := WriteFile(io.Discard, testTracks(), make([][]media.Sample, 2)); err == nil || !strings.Contains(err.Error(), "no samples") {
		t.Errorf("WriteFile without samples: %v", err)
	}
}

func TestWriteInit(t *testing.T) {
	tracks := append(testTracks(), media.Track{ID: 3, Kind: "video", CodecID: media.CodecHEVC, Private: hvcC, Width: 64, Height: 48, Timescale: 90000})
	var buf bytes.Buffer
	if err := WriteInit(&buf, tracks); err != nil {
		t.Fatal(err)
	}
	bs, err := parseBoxes(buf.Bytes(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 || bs[0].typ != "ftyp" || bs[1].typ != "moov" {
		t.Fatalf("boxes %v", bs)
	}
	if brands := string(bs[0].payload); !strings.HasPrefix(brands, "iso5") || !strings.Contains(brands[8:], "iso6") {
		t.Errorf("ftyp %q", brands)
	}
	entries := find(bs, "moov", "trak", "mdia", "minf", "stbl", "stsd")
	if len(entries) != 3 {
		t.Fatalf("%d stsd", len(entries))
	}
	for i, want := range []struct{ entry, config string }{{"avc1", "avcC"}, {"mp4a", "esds"}, {"hvc1", "hvcC"}} {
		e := entries[i].children
		if len(e) != 1 || e[0].typ != want.entry || len(e[0].children) != 1 || e[0].children[0].typ != want.config {
			t.Fatalf("track %d: sample entry %v", i+1, e)
		}
		cfg := e[0].children[0].payload
		if !bytes.Contains(cfg, tracks[i].Private) {
			t.Errorf("track %d: %s %x lacks %x", i+1, want.config, cfg, tracks[i].Private)
		}
		if want.entry != "mp4a" {
			if w, h := binary.BigEndian.Uint16(e[0].payload[24:]), binary.BigEndian.Uint16(e[0].payload[26:]); int(w) != tracks[i].Width || int(h) != tracks[i].Height {
				t.Errorf("track %d: %dx%d", i+1, w, h)
			}
		}
	}
	// esds: ES_Descriptor > DecoderConfigDescriptor (AAC, audio stream) > DecoderSpecificInfo.
	esds := entries[1].children[0].children[0].payload
	want := []byte{0, 0, 0, 0, 3, 0x80, 0x80, 0x80, 0x22, 0, 2, 0, 4, 0x80, 0x80, 0x80, 0x14, 0x40, 0x15}
	if !bytes.HasPrefix(esds, want) || !bytes.Contains(esds, []byte{5, 0x80, 0x80, 0x80, 2, 0x12, 0x10, 6, 0x80, 0x80, 0x80, 1, 2}) {
		t.Errorf("esds %x", esds)
	}
	if n := len(find(bs, "moov", "mvex", "trex")); n != 3 {
		t.Errorf("%d trex", n)
	}
}

func TestWriteFragment(t *testing.T) {
	t.Run("negative decode time", func(t *testing.T) {
		ss := testSamples(-50*time.Millisecond, 3, 10)
		var buf bytes.Buffer
		if err := WriteFragment(&buf, 7, testTracks(), ss); err != nil {
			t.Fatal(err)
		}
		info, err := checkFragment(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if info.seq != 7 || info.tfdt[1] != 0 || info.tfdt[2] != 0 {
			t.Errorf("%+v", info)
		}
	})
	t.Run("track without samples", func(t *testing.T) {
		ss := testSamples(time.Second, 3, 10)
		ss[0] = nil
		var buf bytes.Buffer
		if err := WriteFragment(&buf, 1, testTracks(), ss); err != nil {
			t.Fatal(err)
		}
		info, err := checkFragment(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := info.tfdt[1]; ok || info.tfdt[2] != 44100 {
			t.Errorf("%+v", info)
		}
	})
	t.Run("flags and offsets", func(t *testing.T) {
		ss := testSamples(time.Second, 31, 10)
		ss[0][1].PTS += 100 * time.Millisecond
		var buf bytes.Buffer
		if err := WriteFragment(&buf, 1, testTracks(), ss); err != nil {
			t.Fatal(err)
		}
		bs, err := parseBoxes(buf.Bytes(), 0)
		if err != nil {
			t.Fatal(err)
		}
		truns := find(bs, "moof", "traf", "trun")
		if len(truns) != 2 || truns[0].payload[0] != 1 {
			t.Fatalf("truns %v", truns)
		}
		v, err := parseTrun(truns[0].payload)
		if err != nil {
			t.Fatal(err)
		}
		if v.flags[0] != flagsSync || v.flags[1] != flagsNonSync || v.flags[30] != flagsSync || v.ctos[1] != 9000 || v.ctos[2] != 0 {
			t.Errorf("video flags %x, offsets %v", v.flags, v.ctos)
		}
		a, err := parseTrun(truns[1].payload)
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range a.flags {
			if f != flagsSync || a.durations[i] != 1024 {
				t.Fatalf("audio sample %d: flags %x duration %d", i, f, a.durations[i])
			}
		}
	})
}

// TestWriteFragmentAllocs checks that writing a fragment allocates nothing
// per sample.
func TestWriteFragmentAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts vary under the race detector")
	}
	tracks, ss := testTracks(), testSamples(time.Hour, 300, 1000)
	allocs := testing.AllocsPerRun(20, func() {
		if err := WriteFragment(io.Discard, 1, tracks, ss); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 2 {
		t.Errorf("%.1f allocations per fragment of %d samples", allocs, len(ss[0])+len(ss[1]))
	}
}

func BenchmarkWriteFragment(b *testing.B) {
	// Two seconds of 30 fps video of 20 kB frames (about 5 Mbit/s) and AAC.
	tracks, ss := testTracks(), testSamples(time.Hour, 60, 20_000)
	var n int64
	for _, s := range ss {
		for _, x := range s {
			n += int64(len(x.Data))
		}
	}
	var buf bytes.Buffer
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := WriteFragment(&buf, 1, tracks, ss); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteFile(b *testing.B) {
	tracks, ss := testTracks(), testSamples(time.Hour, 600, 20_000)
	var n int64
	for _, s := range ss {
		for _, x := range s {
			n += int64(len(x.Data))
		}
	}
	var buf bytes.Buffer
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := WriteFile(&buf, tracks, ss); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzWrite writes fragments and files of samples whose times, flags and
// sizes come from the input, and checks that whatever the writers accept
// parses back with the runs covering the mdat.
func FuzzWrite(f *testing.F) {
	f.Add([]byte{33, 0, 1, 10, 34, 0, 0, 20, 33, 5, 0, 3, 23, 0, 1, 4})
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{255, 255, 255, 255, 0, 128, 1, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		tracks := testTracks()
		ss := make([][]media.Sample, 2)
		payload := bytes.Repeat([]byte{1}, 256)
		var dts [2]time.Duration
		for i := 0; i+4 <= len(data) && i < 4*500; i += 4 {
			k := int(data[i+2] & 1)
			dts[k] += time.Duration(int8(data[i])) * time.Millisecond
			ss[k] = append(ss[k], media.Sample{
				DTS: dts[k], PTS: dts[k] + time.Duration(int8(data[i+1]))*time.Millisecond,
				Keyframe: data[i+2]&2 != 0, Duration: time.Duration(data[i+2]>>2) * time.Millisecond,
				Data: payload[:data[i+3]],
			})
		}
		var buf bytes.Buffer
		if err := WriteFragment(&buf, 1, tracks, ss); err == nil {
			info, err := checkFragment(buf.Bytes())
			if err != nil {
				t.Fatalf("fragment: %v", err)
			}
			for i, tr := range tracks {
				if info.count[tr.ID] != len(ss[i]) {
					t.Fatalf("track %d: %d samples, want %d", tr.ID, info.count[tr.ID], len(ss[i]))
				}
			}
		}
		buf.Reset()
		if err := WriteFile(&buf, tracks, ss); err == nil {
			if _, err := parseBoxes(buf.Bytes(), 0); err != nil {
				t.Fatalf("file: %v", err)
			}
		}
	})
}

func TestWriteFileLayout(t *testing.T) {
	tracks, ss := testTracks(), testSamples(time.Hour, 60, 100) // two seconds
	ss[0][1].PTS += 100 * time.Millisecond
	var buf bytes.Buffer
	if err := WriteFile(&buf, tracks, ss); err != nil {
		t.Fatal(err)
	}
	bs, err := parseBoxes(buf.Bytes(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if brands := string(bs[0].payload); brands != "isom\x00\x00\x02\x00isomiso2mp41avc1" {
		t.Errorf("ftyp %q", brands)
	}
	stbl := find(bs, "moov", "trak", "mdia", "minf", "stbl")
	var types [2][]string
	for i, s := range stbl {
		for _, c := range s.children {
			types[i] = append(types[i], c.typ)
		}
	}
	if want := []string{"stsd", "stts", "ctts", "stss", "stsc", "stsz", "stco"}; !slices.Equal(types[0], want) {
		t.Errorf("video tables %v, want %v", types[0], want)
	}
	if want := []string{"stsd", "stts", "stsc", "stsz", "stco"}; !slices.Equal(types[1], want) {
		t.Errorf("audio tables %v, want %v", types[1], want)
	}
	// Chunks of half a second alternate between the tracks.
	type chunkAt struct{ off, track int }
	var chunks []chunkAt
	for i, s := range stbl {
		stco := find(s.children, "stco")[0].payload
		for j := range int(u32(stco, 4)) {
			chunks = append(chunks, chunkAt{int(u32(stco, 8+4*j)), i})
		}
	}
	slices.SortFunc(chunks, func(a, b chunkAt) int { return a.off - b.off })
	if len(chunks) != 8 {
		t.Fatalf("%d chunks, want 8", len(chunks))
	}
	for i, c := range chunks {
		if c.track != i%2 {
			t.Fatalf("chunks %v do not alternate", chunks)
		}
	}
	if mdat := bs[2]; chunks[0].off != mdat.off+8 {
		t.Errorf("first chunk at %d, mdat payload at %d", chunks[0].off, mdat.off+8)
	}
	stss := find(stbl[0].children, "stss")[0].payload
	if u32(stss, 4) != 2 || u32(stss, 8) != 1 || u32(stss, 12) != 31 {
		t.Errorf("stss %x", stss)
	}
	// Both tracks start together: one edit each.
	for i, s := range find(bs, "moov", "trak", "edts", "elst") {
		if n := u32(s.payload, 4); n != 1 {
			t.Errorf("track %d: %d edits", i+1, n)
		}
	}
}

// TestWriteFileEdits checks that a track starting later than another
// begins with an empty edit, and that a video track whose decoding starts
// before its presentation (B-frames) skips that lead.
func TestWriteFileEdits(t *testing.T) {
	tracks, ss := testTracks(), testSamples(time.Hour, 30, 10)
	for i := range ss[0] {
		ss[0][i].DTS += 150 * time.Millisecond // decoded from 150 ms after the audio
		ss[0][i].PTS += 200 * time.Millisecond // and presented 50 ms after decoding
	}
	var buf bytes.Buffer
	if err := WriteFile(&buf, tracks, ss); err != nil {
		t.Fatal(err)
	}
	bs, err := parseBoxes(buf.Bytes(), 0)
	if err != nil {
		t.Fatal(err)
	}
	elst := find(bs, "moov", "trak", "edts", "elst")
	if len(elst) != 2 {
		t.Fatalf("%d elst", len(elst))
	}
	// video: 200 ms empty, then 1 s from media time 50 ms (4500 ticks)
	v := elst[0].payload
	if u32(v, 4) != 2 || u32(v, 8) != 200 || int32(u32(v, 12)) != -1 || u32(v, 20) != 1000 || u32(v, 24) != 4500 {
		t.Errorf("video elst %x", v)
	}
	a := elst[1].payload
	if u32(a, 4) != 1 || u32(a, 12) != 0 {
		t.Errorf("audio elst %x", a)
	}
	mvhd := find(bs, "moov", "mvhd")[0].payload
	if d := u32(mvhd, 16); d != 1200 {
		t.Errorf("movie duration %d ms, want 1200", d)
	}
}

func TestSampleTablesCo64(t *testing.T) {
	tracks, ss := testTracks(), testSamples(0, 3, 10)
	var tt trackTimes
	if err := tt.compute(&tracks[0], ss[0]); err != nil {
		t.Fatal(err)
	}
	chunks := []chunk{{track: 0, first: 0, count: 2}, {track: 0, first: 2, count: 1, off: 20}}
	var b builder
	sampleTables(&b, &tracks[0], ss[0], &tt, chunks, []int{0, 1}, 1<<33, true)
	bs, err := parseBoxes(b.b, 0)
	if err != nil {
		t.Fatal(err)
	}
	co64 := find(bs, "co64")
	if len(co64) != 1 || u32(co64[0].payload, 4) != 2 ||
		binary.BigEndian.Uint64(co64[0].payload[8:]) != 1<<33 || binary.BigEndian.Uint64(co64[0].payload[16:]) != 1<<33+20 {
		t.Fatalf("co64 %v", co64)
	}
	stsc := find(bs, "stsc")[0].payload
	if u32(stsc, 4) != 2 || u32(stsc, 8) != 1 || u32(stsc, 12) != 2 || u32(stsc, 20) != 2 || u32(stsc, 24) != 1 {
		t.Errorf("stsc %x", stsc)
	}
}
