package mp4

import (
	"bytes"
	"encoding/json"
	"errors"
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

// need returns the path of a media tool, skipping the test without it
// (failing under CI, which installs ffmpeg).
func need(t testing.TB, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not found: %v", tool, err)
		}
		t.Skipf("%s not found: %v", tool, err)
	}
	return p
}

func readMKV(t testing.TB, path string) (*mkv.Header, []*mkv.Cluster) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := mkv.NewReader(f, mkv.ReaderOptions{})
	var cs []*mkv.Cluster
	for {
		c, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	h, err := r.Header()
	if err != nil {
		t.Fatal(err)
	}
	return h, cs
}

// shift moves all samples so that the earliest decode time is zero (what a
// caller does with its own base).
func shift(ss [][]media.Sample, base time.Duration) {
	for i := range ss {
		for j := range ss[i] {
			ss[i][j].DTS -= base
			ss[i][j].PTS -= base
		}
	}
}

func minDTS(ss [][]media.Sample) time.Duration {
	m := time.Duration(math.MaxInt64)
	for _, s := range ss {
		if len(s) > 0 {
			m = min(m, s[0].DTS)
		}
	}
	return m
}

// probe is what ffprobe -count_frames says about a file.
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

func ffprobe(t *testing.T, path string) probe {
	t.Helper()
	out, err := exec.Command(need(t, "ffprobe"), "-v", "error", "-count_frames",
		"-show_streams", "-show_format", "-of", "json", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", filepath.Base(path), err, out)
	}
	var p probe
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("ffprobe output: %v\n%s", err, out)
	}
	return p
}

func (p probe) duration(t *testing.T) float64 {
	t.Helper()
	d, err := strconv.ParseFloat(p.Format.Duration, 64)
	if err != nil {
		t.Fatalf("duration %q: %v", p.Format.Duration, err)
	}
	return d
}

// sameMedia checks that got has the streams, frame counts and picture sizes
// of want and about its duration.
func sameMedia(t *testing.T, want, got probe) {
	t.Helper()
	if len(got.Streams) != len(want.Streams) {
		t.Fatalf("%d streams, want %d", len(got.Streams), len(want.Streams))
	}
	for i, w := range want.Streams {
		g := got.Streams[i]
		if g.CodecType != w.CodecType || g.CodecName != w.CodecName {
			t.Errorf("stream %d: %s %s, want %s %s", i, g.CodecType, g.CodecName, w.CodecType, w.CodecName)
		}
		if g.Width != w.Width || g.Height != w.Height {
			t.Errorf("stream %d: %dx%d, want %dx%d", i, g.Width, g.Height, w.Width, w.Height)
		}
		if g.NbReadFrames != w.NbReadFrames {
			t.Errorf("stream %d (%s): %s frames, want %s", i, w.CodecType, g.NbReadFrames, w.NbReadFrames)
		}
	}
	if gd, wd := got.duration(t), want.duration(t); math.Abs(gd-wd) > 0.1 {
		t.Errorf("duration %.3f s, want %.3f s", gd, wd)
	}
}

// decodes checks that ffmpeg decodes path without a word at level error.
func decodes(t *testing.T, path string) {
	t.Helper()
	out, err := exec.Command(need(t, "ffmpeg"), "-v", "error", "-i", path, "-f", "null", "-").CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("ffmpeg decoding %s: %v\n%s", filepath.Base(path), err, out)
	}
}

// source is one Matroska input of the ffmpeg tests: a fixture, or made by
// ffmpeg with args.
type source struct {
	name    string
	fixture string
	args    []string
	encoder string // needed to make it
}

var lavfiVideo = []string{"-f", "lavfi", "-i", "testsrc=size=320x180:rate=30"}

var sources = []source{
	{name: "fixture-video", fixture: "video.mkv"},
	{name: "fixture-av", fixture: "av.mkv"},
	{name: "h264", args: append(lavfiVideo, "-t", "2", "-c:v", "libx264", "-bf", "0")},
	{name: "h264-aac", args: append(lavfiVideo, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", "2", "-c:v", "libx264", "-bf", "0", "-c:a", "aac")},
	{name: "h264-bframes-aac", args: append(lavfiVideo, "-f", "lavfi", "-i", "sine=frequency=440",
		"-t", "2", "-c:v", "libx264", "-c:a", "aac", "-ac", "2")},
	{name: "hevc", encoder: "libx265", args: append(lavfiVideo, "-t", "2", "-c:v", "libx265",
		"-x265-params", "log-level=error:keyint=30:min-keyint=30:scenecut=0")},
}

// make returns the path of the source's MKV, making it if needed.
func (s source) make(t *testing.T) string {
	t.Helper()
	if s.fixture != "" {
		return filepath.Join("..", "mkv", "testdata", s.fixture)
	}
	ffmpeg := need(t, "ffmpeg")
	if s.encoder != "" {
		out, _ := exec.Command(ffmpeg, "-hide_banner", "-encoders").Output()
		if !bytes.Contains(out, []byte(" "+s.encoder+" ")) {
			t.Skipf("ffmpeg has no %s", s.encoder)
		}
	}
	path := filepath.Join(t.TempDir(), s.name+".mkv")
	args := append([]string{"-v", "error"}, s.args...)
	if !strings.Contains(strings.Join(s.args, " "), "x265") {
		args = append(args, "-g", "30", "-keyint_min", "30", "-sc_threshold", "0")
	}
	args = append(args, "-pix_fmt", "yuv420p", "-f", "matroska", "-cluster_time_limit", "1100", "-y", path)
	if out, err := exec.Command(ffmpeg, args...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	return path
}

// TestFFmpeg converts Matroska files (fixtures and files ffmpeg makes with
// H.264, H.264 with B-frames, AAC and H.265) with mkv.Reader and media to a
// progressive file and to an init segment followed by one fragment per
// cluster, and checks both with ffprobe (streams, frame counts, picture
// size, duration) and ffmpeg (decoding prints no error).
func TestFFmpeg(t *testing.T) {
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			in := src.make(t)
			want := ffprobe(t, in)
			h, clusters := readMKV(t, in)
			tracks, err := media.Tracks(h)
			if err != nil {
				t.Fatal(err)
			}
			t.Run("file", func(t *testing.T) {
				testFile(t, want, tracks, media.Samples(h, tracks, clusters))
			})
			t.Run("fragments", func(t *testing.T) {
				testFragments(t, want, h, tracks, clusters)
			})
		})
	}
}

func testFile(t *testing.T, want probe, tracks []media.Track, samples [][]media.Sample) {
	var buf bytes.Buffer
	if err := WriteFile(&buf, tracks, samples); err != nil {
		t.Fatal(err)
	}
	bs, err := parseBoxes(buf.Bytes(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 3 || bs[0].typ != "ftyp" || bs[1].typ != "moov" || bs[2].typ != "mdat" {
		t.Fatalf("top-level boxes: %v", bs)
	}
	traks := find(bs, "moov", "trak")
	if len(traks) != len(tracks) {
		t.Fatalf("%d traks, want %d", len(traks), len(tracks))
	}
	// The chunks of all tracks tile the mdat payload.
	mdat := bs[2]
	var total int64
	for i, trak := range traks {
		stsz := find(trak.children, "mdia", "minf", "stbl", "stsz")
		if len(stsz) != 1 || int(u32(stsz[0].payload, 8)) != len(samples[i]) {
			t.Fatalf("track %d: stsz %v", i, stsz)
		}
		for j := range samples[i] {
			total += int64(u32(stsz[0].payload, 12+4*j))
		}
		stco := find(trak.children, "mdia", "minf", "stbl", "stco")
		if len(stco) != 1 {
			t.Fatalf("track %d: %d stco", i, len(stco))
		}
		for j := range int(u32(stco[0].payload, 4)) {
			off := int(u32(stco[0].payload, 8+4*j))
			if off < mdat.off+8 || off >= mdat.off+mdat.size {
				t.Fatalf("track %d: chunk %d at %d outside mdat", i, j, off)
			}
		}
	}
	if total != int64(len(mdat.payload)) {
		t.Fatalf("samples of %d bytes, mdat of %d", total, len(mdat.payload))
	}
	out := filepath.Join(t.TempDir(), "out.mp4")
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sameMedia(t, want, ffprobe(t, out))
	decodes(t, out)
}

func testFragments(t *testing.T, want probe, h *mkv.Header, tracks []media.Track, clusters []*mkv.Cluster) {
	base := minDTS(media.Samples(h, tracks, clusters))
	var file bytes.Buffer
	if err := WriteInit(&file, tracks); err != nil {
		t.Fatal(err)
	}
	initBoxes, err := parseBoxes(file.Bytes(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(find(initBoxes, "moov", "mvex", "trex")); n != len(tracks) {
		t.Fatalf("%d trex, want %d", n, len(tracks))
	}
	last := map[uint32]uint64{}
	for i, c := range clusters {
		ss := media.Samples(h, tracks, []*mkv.Cluster{c})
		shift(ss, base)
		var frag bytes.Buffer
		if err := WriteFragment(&frag, uint32(i+1), tracks, ss); err != nil {
			t.Fatal(err)
		}
		info, err := checkFragment(frag.Bytes())
		if err != nil {
			t.Fatalf("fragment %d: %v", i+1, err)
		}
		if info.seq != uint32(i+1) {
			t.Errorf("fragment %d: sequence number %d", i+1, info.seq)
		}
		for j, tr := range tracks {
			if info.count[tr.ID] != len(ss[j]) {
				t.Errorf("fragment %d track %d: %d samples, want %d", i+1, tr.ID, info.count[tr.ID], len(ss[j]))
			}
			if len(ss[j]) == 0 {
				continue
			}
			if d, ok := last[tr.ID]; ok && info.tfdt[tr.ID] <= d {
				t.Errorf("fragment %d track %d: tfdt %d after %d", i+1, tr.ID, info.tfdt[tr.ID], d)
			}
			last[tr.ID] = info.tfdt[tr.ID]
		}
		file.Write(frag.Bytes())
	}
	out := filepath.Join(t.TempDir(), "out.mp4")
	if err := os.WriteFile(out, file.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sameMedia(t, want, ffprobe(t, out))
	decodes(t, out)
}
