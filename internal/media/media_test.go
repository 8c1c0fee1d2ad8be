package media

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/mkv"
)

func readFixture(t *testing.T, name string) (*mkv.Header, []*mkv.Cluster) {
	t.Helper()
	f, err := os.Open("../mkv/testdata/" + name + ".mkv")
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

// packets reads ffprobe's packet list of a fixture: per stream, the
// presentation times in milliseconds in file order, and key flags.
func packets(t *testing.T, name string) map[int][]int64 {
	t.Helper()
	f, err := os.Open("../mkv/testdata/" + name + ".packets.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[int][]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.Split(sc.Text(), ",")
		idx, _ := strconv.Atoi(p[0])
		pts, _ := strconv.ParseInt(p[1], 10, 64)
		out[idx] = append(out[idx], pts)
	}
	return out
}

func TestSamplesMatchFFprobe(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tracks []string
		codecs []string
	}{
		{"video", []string{"video"}, []string{"avc1.64000b"}},
		{"av", []string{"video", "audio"}, []string{"avc1.64000b", "mp4a.40.2"}},
		{"pipe", []string{"video"}, []string{"avc1.64000b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, cs := readFixture(t, tc.name)
			tracks, err := Tracks(h)
			if err != nil {
				t.Fatal(err)
			}
			if len(tracks) != len(tc.tracks) {
				t.Fatalf("%d tracks, want %d", len(tracks), len(tc.tracks))
			}
			for i, tr := range tracks {
				if tr.Kind != tc.tracks[i] || tr.Codec != tc.codecs[i] {
					t.Errorf("track %d: %s %s, want %s %s", i, tr.Kind, tr.Codec, tc.tracks[i], tc.codecs[i])
				}
				if tr.Kind == "video" && (tr.Width != 160 || tr.Height != 90 || tr.LengthSize != 4) {
					t.Errorf("video %dx%d length size %d", tr.Width, tr.Height, tr.LengthSize)
				}
				if tr.Kind == "audio" && (tr.SampleRate != 44100 || tr.Channels != 1 || tr.Timescale != 44100) {
					t.Errorf("audio %d Hz %d ch", tr.SampleRate, tr.Channels)
				}
			}
			samples := Samples(h, tracks, cs)
			want := packets(t, tc.name)
			for i := range tracks {
				s := samples[i]
				if len(s) != len(want[i]) {
					t.Fatalf("track %d: %d samples, ffprobe %d", i, len(s), len(want[i]))
				}
				keys := 0
				for j := range s {
					if s[j].PTS != time.Duration(want[i][j])*time.Millisecond {
						t.Fatalf("track %d sample %d: PTS %v, ffprobe %d ms", i, j, s[j].PTS, want[i][j])
					}
					if s[j].DTS > s[j].PTS {
						t.Fatalf("track %d sample %d: DTS %v after PTS %v", i, j, s[j].DTS, s[j].PTS)
					}
					if j > 0 && s[j].DTS <= s[j-1].DTS && tracks[i].Kind == "video" {
						t.Fatalf("track %d sample %d: DTS %v not after %v", i, j, s[j].DTS, s[j-1].DTS)
					}
					if s[j].Duration <= 0 {
						t.Fatalf("track %d sample %d: duration %v", i, j, s[j].Duration)
					}
					if s[j].Keyframe {
						keys++
					}
				}
				if tracks[i].Kind == "video" && keys != len(cs) {
					t.Errorf("%d keyframes in %d clusters", keys, len(cs))
				}
			}
		})
	}
}

func TestTracksRefusesOtherCodecs(t *testing.T) {
	h := &mkv.Header{Tracks: []mkv.Track{{Number: 1, CodecID: "V_VP8"}}}
	if _, err := Tracks(h); err == nil || !strings.Contains(err.Error(), "V_VP8") {
		t.Fatalf("err %v", err)
	}
	h = &mkv.Header{Tracks: []mkv.Track{{Number: 1, CodecID: CodecAVC, CodecPrivate: []byte{1, 2}}}}
	if _, err := Tracks(h); err == nil {
		t.Fatal("bad avcC accepted")
	}
}

func TestHEVCCodecString(t *testing.T) {
	// Main profile, level 3.1, as x265 writes it.
	b := make([]byte, 23)
	b[0], b[1] = 1, 0x01
	b[2] = 0x60 // compat flags 1 and 2
	b[6] = 0x90 // progressive, frame only
	b[12] = 93
	b[21] = 0x03
	ls, codec, err := hevcConfig(b)
	if err != nil || ls != 4 || codec != "hvc1.1.6.L93.90" {
		t.Fatalf("%d %q %v", ls, codec, err)
	}
}
