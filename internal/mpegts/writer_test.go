package mpegts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/media"
	"github.com/kinesin/kinesin/internal/mkv"
)

// segments is a stream read from MKV: its tracks and, per cluster, the
// samples of every track.
type segments struct {
	tracks  []media.Track
	samples [][][]media.Sample // [cluster][track][sample]
}

func readMKV(t testing.TB, b []byte) segments {
	t.Helper()
	r := mkv.NewReader(bytes.NewReader(b), mkv.ReaderOptions{})
	var s segments
	for {
		c, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		h, err := r.Header()
		if err != nil {
			t.Fatal(err)
		}
		if s.tracks == nil {
			if s.tracks, err = media.Tracks(h); err != nil {
				t.Fatal(err)
			}
		}
		s.samples = append(s.samples, media.Samples(h, s.tracks, []*mkv.Cluster{c}))
	}
	if len(s.samples) == 0 {
		t.Fatal("no clusters")
	}
	return s
}

func fixture(t testing.TB, name string) segments {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "mkv", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return readMKV(t, b)
}

// verify checks that info (one segment or several) carries exactly samples
// (per segment, per track), as the Writer should have written them.
func verify(t *testing.T, info *tsInfo, tracks []media.Track, samples ...[][]media.Sample) {
	t.Helper()
	if info.pats != len(samples) || info.pmts != len(samples) {
		t.Errorf("%d PATs and %d PMTs for %d segments", info.pats, info.pmts, len(samples))
	}
	pids := make([]uint16, len(tracks))
	next := map[uint16]int{}
	for i, tr := range tracks {
		pids[i] = PIDVideo
		if tr.Kind == "audio" {
			pids[i] = PIDAudio
		}
		want := byte(streamTypeH264)
		if tr.Kind == "audio" {
			want = streamTypeAAC
		}
		if info.streams[pids[i]] != want {
			t.Fatalf("PMT streams %v: no stream type %#x on PID %#x", info.streams, want, pids[i])
		}
	}
	if info.pcrPID != pids[0] && tracks[0].Kind == "video" {
		t.Errorf("PCR PID %#x", info.pcrPID)
	}
	byPID := map[uint16][]pes{}
	for _, p := range info.pes {
		byPID[p.pid] = append(byPID[p.pid], p)
	}
	lastDTS := map[uint16]int64{}
	for _, seg := range samples {
		for i, tr := range tracks {
			for _, s := range seg[i] {
				pid := pids[i]
				k := next[pid]
				next[pid]++
				if k >= len(byPID[pid]) {
					t.Fatalf("PID %#x: %d PES, more samples", pid, len(byPID[pid]))
				}
				p := byPID[pid][k]
				where := fmt.Sprintf("PID %#x PES %d", pid, k)
				if p.pts != (ticks(s.PTS)+offsetTicks)&mask33 || p.dts != (ticks(s.DTS)+offsetTicks)&mask33 {
					t.Fatalf("%s: PTS %d DTS %d for sample PTS %v DTS %v", where, p.pts, p.dts, s.PTS, s.DTS)
				}
				if p.dts > p.pts {
					t.Errorf("%s: DTS %d after PTS %d", where, p.dts, p.pts)
				}
				if d, ok := lastDTS[pid]; ok && p.dts <= d {
					t.Errorf("%s: DTS %d not after %d", where, p.dts, d)
				}
				lastDTS[pid] = p.dts
				if pid == info.pcrPID {
					if p.pcr < 0 || p.pcr > p.dts {
						t.Errorf("%s: PCR %d, DTS %d", where, p.pcr, p.dts)
					}
				} else if p.pcr >= 0 {
					t.Errorf("%s: PCR on a PID that does not carry it", where)
				}
				if tr.Kind == "audio" {
					if p.streamID != 0xC0 || len(p.data) != 7+len(s.Data) || !bytes.Equal(p.data[7:], s.Data) ||
						p.data[0] != 0xFF || p.data[1]&0xF0 != 0xF0 ||
						int(p.data[3]&3)<<11|int(p.data[4])<<3|int(p.data[5]>>5) != len(p.data) {
						t.Fatalf("%s: not an ADTS frame of the sample", where)
					}
					continue
				}
				types := nalTypes(p.data)
				if p.streamID != 0xE0 || len(types) == 0 || types[0] != 9 {
					t.Fatalf("%s: NAL types %v: no AUD first", where, types)
				}
				if p.rai != s.Keyframe {
					t.Errorf("%s: random_access_indicator %v, keyframe %v", where, p.rai, s.Keyframe)
				}
				if s.Keyframe && (len(types) < 4 || types[1] != 7 || types[2] != 8 || !bytes.Contains(types, []byte{5})) {
					t.Errorf("%s: keyframe NAL types %v", where, types)
				}
			}
		}
	}
	for pid, n := range next {
		if n != len(byPID[pid]) {
			t.Errorf("PID %#x: %d PES for %d samples", pid, len(byPID[pid]), n)
		}
	}
}

func TestFixtures(t *testing.T) {
	for _, name := range []string{"video.mkv", "av.mkv", "pipe.mkv"} {
		t.Run(name, func(t *testing.T) {
			s := fixture(t, name)
			// One file from one Writer: counters run on.
			var all bytes.Buffer
			w, err := NewWriter(&all, s.tracks)
			if err != nil {
				t.Fatal(err)
			}
			var concat bytes.Buffer
			for i, seg := range s.samples {
				if err := w.WriteSegment(seg); err != nil {
					t.Fatal(err)
				}
				var one bytes.Buffer
				if err := WriteSegment(&one, s.tracks, seg); err != nil {
					t.Fatal(err)
				}
				info, err := checkTS(one.Bytes(), false)
				if err != nil {
					t.Fatalf("segment %d: %v", i, err)
				}
				verify(t, info, s.tracks, seg)
				concat.Write(one.Bytes())
			}
			info, err := checkTS(all.Bytes(), false)
			if err != nil {
				t.Fatal(err)
			}
			verify(t, info, s.tracks, s.samples...)
			if _, err := checkTS(concat.Bytes(), false); err == nil {
				t.Error("independent segments have running continuity counters")
			}
			if info, err = checkTS(concat.Bytes(), true); err != nil {
				t.Fatal(err)
			}
			verify(t, info, s.tracks, s.samples...)
		})
	}
}

func TestCRC(t *testing.T) {
	// The CRC-32/MPEG-2 check value.
	if c := crc32MPEG2([]byte("123456789")); c != 0x0376E6E7 {
		t.Errorf("crc %#x", c)
	}
	if c := crcBitwise([]byte("123456789")); c != 0x0376E6E7 {
		t.Errorf("bitwise crc %#x", c)
	}
}

func TestTicks(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want int64
	}{
		{0, 0},
		{time.Second, 90000},
		{time.Millisecond, 90},
		{-time.Second, -90000},
		{33_366_666, 3003},
		// Times since the Unix epoch do not overflow.
		{time.Duration(1_790_000_000_123) * time.Millisecond, 1_790_000_000_123 * 90},
	} {
		if got := ticks(tc.d); got != tc.want {
			t.Errorf("ticks(%v) = %d, want %d", tc.d, got, tc.want)
		}
	}
}

// TestAudioOnly checks that the PCR moves to the audio PID when there is
// no video.
func TestAudioOnly(t *testing.T) {
	s := fixture(t, "av.mkv")
	tracks := []media.Track{s.tracks[1]}
	var buf bytes.Buffer
	for _, seg := range s.samples {
		buf.Reset()
		if err := WriteSegment(&buf, tracks, seg[1:]); err != nil {
			t.Fatal(err)
		}
		info, err := checkTS(buf.Bytes(), false)
		if err != nil {
			t.Fatal(err)
		}
		if info.pcrPID != PIDAudio {
			t.Errorf("PCR PID %#x", info.pcrPID)
		}
		verify(t, info, tracks, seg[1:])
	}
}

// TestInBandParameters checks a sample that carries its own AUD, SPS and
// PPS: they are not doubled, and the AUD stays first.
func TestInBandParameters(t *testing.T) {
	s := fixture(t, "video.mkv")
	tr := s.tracks[0]
	cfg := tr.AVC
	sample := s.samples[0][0][0]
	lp := func(nals ...[]byte) []byte {
		var b []byte
		for _, n := range nals {
			b = append(b, 0, 0, 0, byte(len(n)))
			b = append(b, n...)
		}
		return b
	}
	own := append(lp([]byte{9, 0x10}, cfg.SPS[0], cfg.PPS[0]), sample.Data...)
	for _, tc := range []struct {
		name    string
		private bool
		data    []byte
	}{
		{"in band", true, own},
		{"no avcC", false, own},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := tr
			if !tc.private {
				tr.Private, tr.AVC = nil, nil
			}
			smp := sample
			smp.Data = tc.data
			var buf bytes.Buffer
			if err := WriteSegment(&buf, []media.Track{tr}, [][]media.Sample{{smp}}); err != nil {
				t.Fatal(err)
			}
			info, err := checkTS(buf.Bytes(), false)
			if err != nil {
				t.Fatal(err)
			}
			types := nalTypes(info.pes[0].data)
			if !bytes.HasPrefix(types, []byte{9, 7, 8}) || bytes.Count(types, []byte{7}) != 1 || bytes.Count(types, []byte{9}) != 1 {
				t.Errorf("NAL types %v", types)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	s := fixture(t, "av.mkv")
	video, audio := s.tracks[0], s.tracks[1]
	hevc := video
	hevc.CodecID, hevc.AVC = media.CodecHEVC, nil
	opus := audio
	opus.CodecID, opus.AAC = "A_OPUS", nil
	badAVC := video
	badAVC.AVC, badAVC.Private = nil, []byte{1, 2}
	good := s.samples[0]
	truncated := []media.Sample{{Keyframe: true, Data: []byte{0, 0, 0, 9, 0x65}}}
	huge := []media.Sample{{Data: make([]byte, 9000)}}
	for _, tc := range []struct {
		name        string
		tracks      []media.Track
		samples     [][]media.Sample
		unsupported bool
		want        string
	}{
		{"no tracks", nil, nil, false, "no tracks"},
		{"hevc", []media.Track{hevc}, [][]media.Sample{good[0]}, true, "H.265"},
		{"opus", []media.Track{video, opus}, good, true, "A_OPUS"},
		{"bad avcC", []media.Track{badAVC}, good[:1], false, "avc"},
		{"sample count", []media.Track{video, audio}, good[:1], false, "samples for 1 tracks"},
		{"truncated NAL", []media.Track{video}, [][]media.Sample{truncated}, false, "truncated"},
		{"AAC too large", []media.Track{audio}, [][]media.Sample{huge}, false, "ADTS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := WriteSegment(io.Discard, tc.tracks, tc.samples)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "mpegts: ") {
				t.Fatalf("err %v, want one containing %q", err, tc.want)
			}
			if errors.Is(err, ErrUnsupportedCodec) != tc.unsupported {
				t.Errorf("errors.Is(ErrUnsupportedCodec) = %v", !tc.unsupported)
			}
		})
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(b []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(b), nil
}

func TestWriteError(t *testing.T) {
	s := fixture(t, "av.mkv")
	err := WriteSegment(&failWriter{}, s.tracks, s.samples[0])
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err %v", err)
	}
}

// requireTool returns the path of an installed tool; without it the test
// is skipped, or fails under CI.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required under CI: %v", name, err)
		}
		t.Skipf("%s not on PATH", name)
	}
	return p
}

func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("%s %s: %v: %s", filepath.Base(name), strings.Join(args, " "), err, stderr.String())
	}
	return out
}

type probe struct {
	Streams []struct {
		CodecType    string `json:"codec_type"`
		CodecName    string `json:"codec_name"`
		Width        int    `json:"width"`
		Height       int    `json:"height"`
		NbReadFrames string `json:"nb_read_frames"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
}

// checkProbe has ffprobe count the frames of the TS file at path and check
// its streams and duration.
func checkProbe(t *testing.T, ffprobe, path string, tracks []media.Track, samples ...[][]media.Sample) {
	t.Helper()
	out := run(t, ffprobe, "-v", "error", "-count_frames", "-show_entries",
		"stream=codec_type,codec_name,width,height,nb_read_frames:format=duration", "-of", "json", path)
	var p probe
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("ffprobe output %s: %v", out, err)
	}
	if len(p.Streams) != len(tracks) {
		t.Fatalf("ffprobe %s: %d streams, want %d", filepath.Base(path), len(p.Streams), len(tracks))
	}
	start, end := time.Duration(math.MaxInt64), time.Duration(math.MinInt64)
	for i, tr := range tracks {
		n := 0
		for _, seg := range samples {
			n += len(seg[i])
			for _, s := range seg[i] {
				start, end = min(start, s.PTS), max(end, s.PTS+s.Duration)
			}
		}
		ps := p.Streams[i]
		if ps.CodecType != tr.Kind || ps.NbReadFrames != strconv.Itoa(n) {
			t.Errorf("%s stream %d: %s with %s frames, want %s with %d", filepath.Base(path), i, ps.CodecType, ps.NbReadFrames, tr.Kind, n)
		}
		if tr.Kind == "video" && (ps.CodecName != "h264" || ps.Width != tr.Width || ps.Height != tr.Height) {
			t.Errorf("%s: video %s %dx%d, want h264 %dx%d", filepath.Base(path), ps.CodecName, ps.Width, ps.Height, tr.Width, tr.Height)
		}
		if tr.Kind == "audio" && ps.CodecName != "aac" {
			t.Errorf("%s: audio codec %s", filepath.Base(path), ps.CodecName)
		}
	}
	d, err := strconv.ParseFloat(p.Format.Duration, 64)
	if want := (end - start).Seconds(); err != nil || math.Abs(d-want) > 0.05 {
		t.Errorf("%s: duration %s, want %.3f", filepath.Base(path), p.Format.Duration, want)
	}
}

// decodeAll has ffmpeg decode the TS files at paths (in one run) without a
// word on stderr.
func decodeAll(t *testing.T, ffmpeg string, paths []string) {
	t.Helper()
	args := []string{"-v", "error"}
	for _, p := range paths {
		args = append(args, "-i", p)
	}
	for i := range paths {
		args = append(args, "-map", strconv.Itoa(i))
	}
	// -enc_time_base -1: ffmpeg's command line otherwise rounds each frame's
	// time, less the file's start time, to its 1/frame-rate encoder time
	// base; Matroska's millisecond times land two frames on one tick when
	// the audio starts off the video's frame grid (a segment whose first
	// audio frame precedes its keyframe), and ffmpeg then complains of
	// "non monotonically increasing dts to muxer" about its own output.
	args = append(args, "-enc_time_base", "-1", "-f", "null", "-")
	run(t, ffmpeg, args...)
}

// TestFFmpeg remuxes MKV made by ffmpeg (H.264 with and without B-frames,
// with and without AAC) to TS and has ffprobe and ffmpeg read it: one file
// per cluster, one file of all clusters from one Writer, and the per-cluster
// files concatenated.
func TestFFmpeg(t *testing.T) {
	ffmpeg := requireTool(t, "ffmpeg")
	ffprobe := requireTool(t, "ffprobe")
	src := []string{"-f", "lavfi", "-i", "testsrc=size=320x180:rate=30"}
	sine := []string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"}
	x264 := []string{"-c:v", "libx264", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-pix_fmt", "yuv420p"}
	for _, tc := range []struct {
		name string
		args [][]string
	}{
		{"video", [][]string{src, x264, {"-bf", "0"}}},
		{"bframes", [][]string{src, x264, {"-bf", "3"}}},
		{"av", [][]string{src, sine, x264, {"-c:a", "aac", "-b:a", "64k", "-ac", "2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			mkvPath := filepath.Join(dir, "in.mkv")
			var args []string
			for _, a := range tc.args {
				args = append(args, a...)
			}
			args = append(append([]string{"-v", "error"}, args...), "-t", "3", "-f", "matroska", "-cluster_time_limit", "1100", "-y", mkvPath)
			run(t, ffmpeg, args...)
			b, err := os.ReadFile(mkvPath)
			if err != nil {
				t.Fatal(err)
			}
			s := readMKV(t, b)
			if tc.name == "bframes" && !hasReordering(s) {
				t.Fatal("no B-frames in the test media")
			}
			var all, concat bytes.Buffer
			var paths []string
			w, err := NewWriter(&all, s.tracks)
			if err != nil {
				t.Fatal(err)
			}
			for i, seg := range s.samples {
				if err := w.WriteSegment(seg); err != nil {
					t.Fatal(err)
				}
				var one bytes.Buffer
				if err := WriteSegment(&one, s.tracks, seg); err != nil {
					t.Fatal(err)
				}
				concat.Write(one.Bytes())
				path := filepath.Join(dir, fmt.Sprintf("segment%d.ts", i))
				if err := os.WriteFile(path, one.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				checkProbe(t, ffprobe, path, s.tracks, seg)
				paths = append(paths, path)
			}
			for name, b := range map[string][]byte{"all.ts": all.Bytes(), "concat.ts": concat.Bytes()} {
				path := filepath.Join(dir, name)
				if err := os.WriteFile(path, b, 0o644); err != nil {
					t.Fatal(err)
				}
				checkProbe(t, ffprobe, path, s.tracks, s.samples...)
				paths = append(paths, path)
			}
			decodeAll(t, ffmpeg, paths)
		})
	}
}

// hasReordering reports whether some video sample's DTS differs from its
// PTS.
func hasReordering(s segments) bool {
	for _, seg := range s.samples {
		for i, tr := range s.tracks {
			for _, smp := range seg[i] {
				if tr.Kind == "video" && smp.DTS != smp.PTS {
					return true
				}
			}
		}
	}
	return false
}

// TestEpochTimes writes samples timed since the Unix epoch, as callers may
// pass them: the 33-bit timestamps wrap, consistently.
func TestEpochTimes(t *testing.T) {
	s := fixture(t, "av.mkv")
	base := time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC).Sub(time.Unix(0, 0))
	for _, seg := range s.samples {
		shifted := make([][]media.Sample, len(seg))
		for i := range seg {
			for _, smp := range seg[i] {
				smp.PTS += base
				smp.DTS += base
				shifted[i] = append(shifted[i], smp)
			}
		}
		var buf bytes.Buffer
		if err := WriteSegment(&buf, s.tracks, shifted); err != nil {
			t.Fatal(err)
		}
		info, err := checkTS(buf.Bytes(), false)
		if err != nil {
			t.Fatal(err)
		}
		verify(t, info, s.tracks, shifted)
	}
}
