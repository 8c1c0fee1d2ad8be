package playback

import (
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/router/videostore"
)

// frags builds n contiguous 1 s fragments from seq first, 1 s apart.
func frags(first uint64, n int, t0 time.Time) []videostore.Fragment {
	var out []videostore.Fragment
	for i := range n {
		seq := first + uint64(i)
		ts := t0.Add(time.Duration(i) * time.Second)
		out = append(out, videostore.Fragment{Number: videostore.FormatNumber(seq), Seq: seq, ProducerTimestamp: ts,
			ServerTimestamp: ts.Add(10 * time.Millisecond), Duration: 967 * time.Millisecond, Size: 1000, Session: "a", HeaderHash: 7})
	}
	return out
}

func TestMediaPlaylist(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	n := func(seq uint64) string { return videostore.FormatNumber(seq) }
	tests := []struct {
		name    string
		sess    session
		list    func() fragmentList
		want    []string // lines that must appear, in this order
		notWant []string
	}{
		{
			name: "live window",
			sess: session{Mode: modeLive, Kind: kindProducer, Container: containerFMP4, Disc: never, Max: 3},
			list: func() fragmentList { return fragmentList{frags: frags(8, 3, t0)} },
			want: []string{"#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:1", "#EXT-X-MEDIA-SEQUENCE:8",
				`#EXT-X-MAP:URI="getMP4InitFragment.mp4?SessionToken=TOK"`,
				"#EXTINF:1.000,", "getMP4MediaFragment.mp4?FragmentNumber=" + n(8) + "&SessionToken=TOK",
				"#EXTINF:1.000,", "getMP4MediaFragment.mp4?FragmentNumber=" + n(9) + "&SessionToken=TOK",
				"#EXTINF:1.000,", "getMP4MediaFragment.mp4?FragmentNumber=" + n(10) + "&SessionToken=TOK"},
			notWant: []string{"#EXT-X-ENDLIST", "#EXT-X-PLAYLIST-TYPE", "#EXT-X-DISCONTINUITY", "#EXT-X-PROGRAM-DATE-TIME"},
		},
		{
			name: "on demand vod",
			sess: session{Mode: modeOnDemand, Kind: kindProducer, Container: containerFMP4, Disc: never, Max: 1000},
			list: func() fragmentList { return fragmentList{frags: frags(1, 2, t0), complete: true} },
			want: []string{"#EXT-X-MEDIA-SEQUENCE:1", "#EXT-X-PLAYLIST-TYPE:VOD", "#EXTINF:1.000,", "#EXTINF:1.000,", "#EXT-X-ENDLIST"},
		},
		{
			name:    "ts",
			sess:    session{Mode: modeOnDemand, Kind: kindProducer, Container: containerTS, Disc: never, Max: 1000},
			list:    func() fragmentList { return fragmentList{frags: frags(1, 1, t0), complete: true} },
			want:    []string{"#EXT-X-VERSION:3", "#EXTINF:0.967,", "getTSFragment.ts?FragmentNumber=" + n(1) + "&SessionToken=TOK", "#EXT-X-ENDLIST"},
			notWant: []string{"#EXT-X-MAP"},
		},
		{
			name: "always",
			sess: session{Mode: modeLive, Kind: kindServer, Container: containerFMP4, Disc: always, Max: 5},
			list: func() fragmentList { return fragmentList{frags: frags(4, 3, t0)} },
			want: []string{"#EXT-X-MEDIA-SEQUENCE:4", "#EXT-X-DISCONTINUITY-SEQUENCE:4", "#EXTINF", "#EXT-X-DISCONTINUITY", "#EXTINF", "#EXT-X-DISCONTINUITY", "#EXTINF"},
		},
		{
			name: "program date time",
			sess: session{Mode: modeLive, Kind: kindServer, Container: containerFMP4, Disc: never, ShowTS: true, Max: 5},
			list: func() fragmentList { return fragmentList{frags: frags(1, 2, t0)} },
			want: []string{"#EXT-X-PROGRAM-DATE-TIME:2026-01-02T03:04:05.010Z", "#EXTINF", "#EXT-X-PROGRAM-DATE-TIME:2026-01-02T03:04:06.010Z"},
		},
		{
			name: "on discontinuity: new session",
			sess: session{Mode: modeLive, Kind: kindProducer, Container: containerFMP4, Disc: onDiscontinuity, Max: 5},
			list: func() fragmentList {
				f := frags(1, 3, t0)
				f[2].Session = "b"
				return fragmentList{frags: f}
			},
			want: []string{"FragmentNumber=" + n(2), "#EXT-X-DISCONTINUITY", "FragmentNumber=" + n(3)},
		},
		{
			name: "on discontinuity: gap, and new codec data",
			sess: session{Mode: modeLive, Kind: kindProducer, Container: containerFMP4, Disc: onDiscontinuity, Max: 5},
			list: func() fragmentList {
				f := frags(1, 4, t0)
				f[2].ProducerTimestamp = f[2].ProducerTimestamp.Add(500 * time.Millisecond)
				f[3].ProducerTimestamp = f[3].ProducerTimestamp.Add(500 * time.Millisecond)
				f[3].HeaderHash = 8
				return fragmentList{frags: f}
			},
			want: []string{"FragmentNumber=" + n(2), "#EXT-X-DISCONTINUITY", "FragmentNumber=" + n(3),
				"#EXT-X-DISCONTINUITY", `#EXT-X-MAP:URI="getMP4InitFragment.mp4?FragmentNumber=` + n(4) + `&SessionToken=TOK"`, "FragmentNumber=" + n(4)},
		},
		{
			name:    "on discontinuity: contiguous",
			sess:    session{Mode: modeLive, Kind: kindProducer, Container: containerFMP4, Disc: onDiscontinuity, Max: 5},
			list:    func() fragmentList { return fragmentList{frags: frags(1, 4, t0)} },
			notWant: []string{"#EXT-X-DISCONTINUITY"},
		},
		{
			name: "target duration rounds up",
			sess: session{Mode: modeOnDemand, Kind: kindProducer, Container: containerFMP4, Disc: never, Max: 5},
			list: func() fragmentList {
				f := frags(1, 1, t0)
				f[0].Duration = 2100 * time.Millisecond
				return fragmentList{frags: f, complete: true}
			},
			want: []string{"#EXT-X-TARGETDURATION:3", "#EXTINF:2.100,"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := renderMediaPlaylist(&tc.sess, "TOK", tc.list())
			lines := strings.Split(got, "\n")
			i := 0
			for _, w := range tc.want {
				for i < len(lines) && !matchLine(lines[i], w) {
					i++
				}
				if i == len(lines) {
					t.Fatalf("%q missing (in order) from\n%s", w, got)
				}
				i++
			}
			for _, nw := range tc.notWant {
				if strings.Contains(got, nw) {
					t.Errorf("%q in\n%s", nw, got)
				}
			}
		})
	}
}

func TestDurations(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	sess := &session{Kind: kindProducer}
	f := frags(1, 3, t0)
	got := durations(sess, f)
	// Each plays until the next starts; the last gets the same 33 ms slack.
	want := []time.Duration{time.Second, time.Second, time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("durations = %v, want %v", got, want)
		}
	}
	f[2].ProducerTimestamp = f[2].ProducerTimestamp.Add(5 * time.Second) // a gap: not stretched over it
	if got := durations(sess, f); got[1] != 967*time.Millisecond {
		t.Errorf("duration before a gap = %v, want 967ms", got[1])
	}
}

// matchLine: a tag matches a line it starts, anything else one it is in.
func matchLine(line, w string) bool {
	if strings.HasPrefix(w, "#") {
		return strings.HasPrefix(line, w)
	}
	return strings.Contains(line, w)
}
