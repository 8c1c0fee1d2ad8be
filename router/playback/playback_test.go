package playback

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPlayers plays ffmpeg-made H.264 through every playback path with
// ffprobe and ffmpeg: the frame count, resolution and duration must be the
// source's and decoding must be silent. The second process (another
// Service on the same NATS) serves the sessions the first one minted.
func TestPlayers(t *testing.T) {
	needFFmpeg(t)
	for _, audio := range []bool{false, true} {
		name := "video"
		if audio {
			name = "av"
		}
		t.Run(name, func(t *testing.T) {
			envs := newEnvs(t, 2)
			e, other := envs[0], envs[1]
			src := makeMKV(t, 3, audio)
			want := ffprobe(t, src)
			wantFrames, wantW, wantH := want.video(t)
			ref := e.createStream("cam", 24*time.Hour)
			base := time.Now().Add(-20 * time.Second).Truncate(time.Millisecond)
			frags := e.appendMKV(ref.ID, src, base, 30*time.Millisecond, "s1")
			if len(frags) < 3 {
				t.Fatalf("%d fragments, want 3", len(frags))
			}
			rng := map[string]any{"StartTimestamp": epoch(base), "EndTimestamp": epoch(base.Add(10 * time.Second))}
			sel := map[string]any{"FragmentSelectorType": "PRODUCER_TIMESTAMP", "TimestampRange": rng}
			check := func(t *testing.T, src string, p probe) {
				t.Helper()
				tolerance := 0.15
				if strings.Contains(src, ".mpd") {
					// ffmpeg 5.1's DASH demuxer keeps whole seconds of
					// mediaPresentationDuration.
					tolerance = 1.1
				}
				frames, w, h := p.video(t)
				if frames != wantFrames || w != wantW || h != wantH {
					t.Errorf("%s: %d frames %dx%d, want %d frames %dx%d", src, frames, w, h, wantFrames, wantW, wantH)
				}
				if d, wd := p.duration(), want.duration(); math.Abs(d-wd) > tolerance {
					t.Errorf("%s: duration %.3f, want %.3f", src, d, wd)
				}
				if audio && len(p.Streams) != 2 {
					t.Errorf("%s: %d streams, want video and audio", src, len(p.Streams))
				}
			}
			for _, tc := range []struct {
				name, op string
				in       map[string]any
			}{
				{"hls-fmp4", "getHLSStreamingSessionURL", map[string]any{"StreamName": "cam", "PlaybackMode": "ON_DEMAND", "HLSFragmentSelector": sel}},
				{"hls-ts", "getHLSStreamingSessionURL", map[string]any{"StreamARN": ref.ARN, "PlaybackMode": "ON_DEMAND", "HLSFragmentSelector": sel, "ContainerFormat": "MPEG_TS"}},
				{"dash", "getDASHStreamingSessionURL", map[string]any{"StreamName": "cam", "PlaybackMode": "ON_DEMAND", "DASHFragmentSelector": sel}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					u := e.sessionURL(tc.op, tc.in)
					if !strings.HasPrefix(u, e.url+"/") {
						t.Fatalf("URL %s is not on %s", u, e.url)
					}
					check(t, u, ffprobe(t, u))
					decodeClean(t, u)
					if !audio {
						// Another process serves the same session.
						u2 := other.url + strings.TrimPrefix(u, e.url)
						check(t, u2, ffprobe(t, u2))
					}
				})
			}
			t.Run("clip", func(t *testing.T) {
				status, body, code := e.call("getClip", map[string]any{"StreamName": "cam", "ClipFragmentSelector": sel})
				if status != 200 {
					t.Fatalf("GetClip: %d %s %s", status, code, body)
				}
				f := filepath.Join(t.TempDir(), "clip.mp4")
				if err := os.WriteFile(f, body, 0o644); err != nil {
					t.Fatal(err)
				}
				check(t, f, ffprobe(t, f))
				decodeClean(t, f)
			})
		})
	}
}
