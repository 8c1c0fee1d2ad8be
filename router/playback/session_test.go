package playback

import (
	"bytes"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/mkv"
	"github.com/kinesin/kinesin/router/videostore"
)

const fixture = "../../internal/mkv/testdata/video.mkv" // 160x90, four 1 s clusters

// clock is a settable Service.now: the real time until set.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		return time.Now()
	}
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func TestSessionErrors(t *testing.T) {
	e := newEnvs(t, 1)[0]
	ref := e.createStream("cam", time.Hour)
	e.createStream("noretention", 0)
	e.createStream("empty", time.Hour)
	stale := e.createStream("stale", time.Hour)
	hs, cs := clusters(t, fixture)
	now := time.Now()
	base := now.Add(-10 * time.Second).Truncate(time.Millisecond)
	for i := range cs {
		e.appendCluster(ref.ID, hs[i], cs[i], base, 0, "s")
		e.appendCluster(stale.ID, hs[i], cs[i], base.Add(-time.Hour), 0, "s")
	}
	for name, change := range map[string]func(*mkv.Track){
		"vp8":    func(t *mkv.Track) { t.CodecID = "V_VP8" },
		"nocpd":  func(t *mkv.Track) { t.CodecPrivate = nil },
		"badcpd": func(t *mkv.Track) { t.CodecPrivate = []byte{1, 2} },
	} {
		h := *hs[0]
		h.Tracks = append([]mkv.Track(nil), h.Tracks...)
		change(&h.Tracks[0])
		odd := e.createStream(name, time.Hour)
		e.appendCluster(odd.ID, &h, cs[0], base, 0, "s")
	}
	rng := func(start, end time.Time) map[string]any {
		return map[string]any{"StartTimestamp": epoch(start), "EndTimestamp": epoch(end)}
	}
	sel := func(kind string, r map[string]any) map[string]any {
		return map[string]any{"FragmentSelectorType": kind, "TimestampRange": r}
	}
	hls, dash, clip := "getHLSStreamingSessionURL", "getDASHStreamingSessionURL", "getClip"
	tests := []struct {
		name, op string
		in       map[string]any
		status   int
		code     string
		msg      string
	}{
		{"unknown stream", hls, map[string]any{"StreamName": "nope"}, 404, "ResourceNotFoundException", ""},
		{"no stream", hls, map[string]any{}, 400, "InvalidArgumentException", "StreamName"},
		{"no retention", hls, map[string]any{"StreamName": "noretention"}, 400, "NoDataRetentionException", ""},
		{"no retention dash", dash, map[string]any{"StreamName": "noretention"}, 400, "NoDataRetentionException", ""},
		{"live on empty stream", hls, map[string]any{"StreamName": "empty"}, 404, "ResourceNotFoundException", "No fragments found"},
		{"live on stale stream", dash, map[string]any{"StreamName": "stale"}, 404, "ResourceNotFoundException", "No fragments found"},
		{"live with range", hls, map[string]any{"StreamName": "cam", "HLSFragmentSelector": sel("SERVER_TIMESTAMP", rng(base, now))}, 400, "InvalidArgumentException", "LIVE"},
		{"on demand without selector", hls, map[string]any{"StreamName": "cam", "PlaybackMode": "ON_DEMAND"}, 400, "InvalidArgumentException", "HLSFragmentSelector"},
		{"live replay without range", dash, map[string]any{"StreamName": "cam", "PlaybackMode": "LIVE_REPLAY",
			"DASHFragmentSelector": map[string]any{"FragmentSelectorType": "PRODUCER_TIMESTAMP"}}, 400, "InvalidArgumentException", "DASHFragmentSelector"},
		{"on demand without end", hls, map[string]any{"StreamName": "cam", "PlaybackMode": "ON_DEMAND",
			"HLSFragmentSelector": sel("PRODUCER_TIMESTAMP", map[string]any{"StartTimestamp": epoch(base)})}, 400, "InvalidArgumentException", "EndTimestamp"},
		{"end before start", hls, map[string]any{"StreamName": "cam", "PlaybackMode": "ON_DEMAND",
			"HLSFragmentSelector": sel("PRODUCER_TIMESTAMP", rng(now, base))}, 400, "InvalidArgumentException", "later than"},
		{"range over a day", hls, map[string]any{"StreamName": "cam", "PlaybackMode": "ON_DEMAND",
			"HLSFragmentSelector": sel("PRODUCER_TIMESTAMP", rng(base.Add(-25*time.Hour), base))}, 400, "InvalidArgumentException", "24 hours"},
		{"server end in the future", hls, map[string]any{"StreamName": "cam", "PlaybackMode": "ON_DEMAND",
			"HLSFragmentSelector": sel("SERVER_TIMESTAMP", rng(base, now.Add(time.Hour)))}, 400, "InvalidArgumentException", "past"},
		{"expires too short", hls, map[string]any{"StreamName": "cam", "Expires": 299}, 400, "InvalidArgumentException",
			"Value '299' at 'expires' failed to satisfy constraint: Member must have value greater than or equal to 300"},
		{"too many results", hls, map[string]any{"StreamName": "cam", "MaxMediaPlaylistFragmentResults": 5001}, 400, "InvalidArgumentException", "less than or equal to 5000"},
		{"bad mode", hls, map[string]any{"StreamName": "cam", "PlaybackMode": "VOD"}, 400, "InvalidArgumentException", "[LIVE, LIVE_REPLAY, ON_DEMAND]"},
		{"bad container", hls, map[string]any{"StreamName": "cam", "ContainerFormat": "MKV"}, 400, "InvalidArgumentException", "containerFormat"},
		{"bad timestamp", hls, map[string]any{"StreamName": "cam", "PlaybackMode": "ON_DEMAND",
			"HLSFragmentSelector": sel("PRODUCER_TIMESTAMP", map[string]any{"StartTimestamp": "yesterday"})}, 400, "InvalidArgumentException", "yesterday"},
		{"nothing in range", hls, map[string]any{"StreamName": "cam", "PlaybackMode": "ON_DEMAND",
			"HLSFragmentSelector": sel("PRODUCER_TIMESTAMP", rng(base.Add(-time.Hour), base.Add(-time.Minute)))}, 404, "ResourceNotFoundException", "No fragments found"},
		{"clip without selector", clip, map[string]any{"StreamName": "cam"}, 400, "InvalidArgumentException", "clipFragmentSelector"},
		{"clip without end", clip, map[string]any{"StreamName": "cam", "ClipFragmentSelector": sel("PRODUCER_TIMESTAMP",
			map[string]any{"StartTimestamp": epoch(base)})}, 400, "InvalidArgumentException", "endTimestamp"},
		{"clip no retention", clip, map[string]any{"StreamName": "noretention", "ClipFragmentSelector": sel("PRODUCER_TIMESTAMP", rng(base, now))}, 400, "NoDataRetentionException", ""},
		{"clip nothing in range", clip, map[string]any{"StreamName": "cam", "ClipFragmentSelector": sel("PRODUCER_TIMESTAMP",
			rng(base.Add(-time.Hour), base.Add(-time.Minute)))}, 404, "ResourceNotFoundException", ""},
		{"unsupported codec", hls, map[string]any{"StreamName": "vp8"}, 400, "UnsupportedStreamMediaTypeException", "V_VP8"},
		{"no codec private data", dash, map[string]any{"StreamName": "nocpd"}, 400, "MissingCodecPrivateDataException", ""},
		{"bad codec private data", hls, map[string]any{"StreamName": "badcpd"}, 400, "InvalidCodecPrivateDataException", ""},
		{"live ok", hls, map[string]any{"StreamName": "cam"}, 200, "", ""},
		{"on demand ok", dash, map[string]any{"StreamARN": ref.ARN, "PlaybackMode": "ON_DEMAND", "DASHFragmentSelector": sel("SERVER_TIMESTAMP", rng(base, now))}, 200, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body, code := e.call(tc.op, tc.in)
			if status != tc.status || code != tc.code || !bytes.Contains(body, []byte(tc.msg)) {
				t.Errorf("%d %s %s, want %d %s with %q", status, code, body, tc.status, tc.code, tc.msg)
			}
			if status != 200 && !bytes.HasPrefix(body, []byte(`{"Message":`)) {
				t.Errorf("error body %s", body)
			}
		})
	}
}

// TestLive follows a live HLS session and a live DASH session as fragments
// arrive: the newest MaxMediaPlaylistFragmentResults fragments, the media
// sequence, a discontinuity at a new PutMedia session, and a fragment
// showing in the very next playlist after it is stored.
func TestLive(t *testing.T) {
	e := newEnvs(t, 1)[0]
	ref := e.createStream("live", time.Hour)
	hs, cs := clusters(t, fixture)
	base := time.Now().Add(-5 * time.Second).Truncate(time.Millisecond)
	for i := range cs {
		e.appendCluster(ref.ID, hs[i], cs[i], base, 20*time.Millisecond, "s1")
	}
	master := e.sessionURL("getHLSStreamingSessionURL", map[string]any{"StreamName": "live", "MaxMediaPlaylistFragmentResults": 3,
		"DiscontinuityMode": "ON_DISCONTINUITY", "HLSFragmentSelector": map[string]any{"FragmentSelectorType": "PRODUCER_TIMESTAMP"}})
	status, body, _ := get(t, master)
	if status != 200 || !bytes.Contains(body, []byte(`CODECS="avc1.`)) || !bytes.Contains(body, []byte("RESOLUTION=160x90")) {
		t.Fatalf("master playlist: %d\n%s", status, body)
	}
	token := sessionToken(t, master)
	media := e.url + "/hls/v1/getHLSMediaPlaylist.m3u8?SessionToken=" + token
	playlist := func() string {
		t.Helper()
		status, body, code := get(t, media)
		if status != 200 {
			t.Fatalf("media playlist: %d %s %s", status, code, body)
		}
		return string(body)
	}
	p := playlist()
	for _, want := range []string{"#EXT-X-MEDIA-SEQUENCE:2\n", "FragmentNumber=" + videostore.FormatNumber(2), "FragmentNumber=" + videostore.FormatNumber(4)} {
		if !strings.Contains(p, want) {
			t.Errorf("%q missing from\n%s", want, p)
		}
	}
	if strings.Contains(p, "FragmentNumber="+videostore.FormatNumber(1)) || strings.Contains(p, "ENDLIST") || strings.Contains(p, "#EXT-X-DISCONTINUITY\n") {
		t.Errorf("live window of 3 wrong:\n%s", p)
	}
	// A new PutMedia session continues the stream: shown at once, after a
	// discontinuity.
	e.appendCluster(ref.ID, hs[0], cs[0], base.Add(4*time.Second), 20*time.Millisecond, "s2")
	p = playlist()
	if !strings.Contains(p, "#EXT-X-MEDIA-SEQUENCE:3\n") || !strings.Contains(p, "#EXT-X-DISCONTINUITY\n#EXTINF:") ||
		!strings.Contains(p, "FragmentNumber="+videostore.FormatNumber(5)) {
		t.Errorf("after a new fragment:\n%s", p)
	}

	// Fragments of the session.
	status, body, _ = get(t, e.url+"/hls/v1/getMP4InitFragment.mp4?SessionToken="+token)
	if status != 200 || len(body) < 8 || string(body[4:8]) != "ftyp" {
		t.Errorf("init fragment: %d %q", status, body[:min(len(body), 64)])
	}
	status, body, _ = get(t, e.url+"/hls/v1/getMP4MediaFragment.mp4?FragmentNumber="+videostore.FormatNumber(5)+"&SessionToken="+token)
	if status != 200 || len(body) < 8 || string(body[4:8]) != "moof" {
		t.Errorf("media fragment: %d %q", status, body[:min(len(body), 64)])
	}
	for _, tc := range []struct {
		path   string
		status int
		code   string
	}{
		{"/hls/v1/getTSFragment.ts?FragmentNumber=" + videostore.FormatNumber(5) + "&SessionToken=" + token, 400, "InvalidArgumentException"},
		{"/hls/v1/getMP4MediaFragment.mp4?SessionToken=" + token, 400, "InvalidArgumentException"},
		{"/hls/v1/getMP4MediaFragment.mp4?FragmentNumber=abc&SessionToken=" + token, 400, "InvalidArgumentException"},
		{"/hls/v1/getMP4MediaFragment.mp4?FragmentNumber=" + videostore.FormatNumber(99) + "&SessionToken=" + token, 404, "ResourceNotFoundException"},
		{"/hls/v1/getMP4MediaFragment.mp4?FragmentNumber=1&TrackNumber=7&SessionToken=" + token, 400, "InvalidArgumentException"},
		{"/dash/v1/getDASHManifest.mpd?SessionToken=" + token, 400, "InvalidArgumentException"},
		{"/hls/v1/nothing.m3u8?SessionToken=" + token, 404, "ResourceNotFoundException"},
	} {
		if status, body, code := get(t, e.url+tc.path); status != tc.status || code != tc.code {
			t.Errorf("GET %s: %d %s %s, want %d %s", tc.path[:40], status, code, body, tc.status, tc.code)
		}
	}

	// Live DASH: a dynamic manifest on the wall clock.
	mpd := e.sessionURL("getDASHStreamingSessionURL", map[string]any{"StreamName": "live", "DisplayFragmentNumber": "ALWAYS", "MaxManifestFragmentResults": 2})
	status, body, _ = get(t, mpd)
	m := string(body)
	for _, want := range []string{`type="dynamic"`, `availabilityStartTime="1970-01-01T00:00:00Z"`, `minimumUpdatePeriod=`, `startNumber="4"`,
		`width="160" height="90"`, `kvs:fn="` + videostore.FormatNumber(5) + `"`, `FragmentNumber=$Number$`} {
		if status != 200 || !strings.Contains(m, want) {
			t.Errorf("%q missing from manifest %d\n%s", want, status, m)
		}
	}
	// DASH's $Number$ is the fragment's sequence number.
	dtoken := sessionToken(t, mpd)
	status, body, _ = get(t, e.url+"/dash/v1/getMP4MediaFragment.mp4?TrackNumber=1&FragmentNumber=5&SessionToken="+dtoken)
	if status != 200 || len(body) < 8 || string(body[4:8]) != "moof" {
		t.Errorf("DASH media fragment: %d %q", status, body[:min(len(body), 64)])
	}
}

// TestLiveReplay: fragments are added as the ones before them have had the
// time to play since the session was created, and the playlist ends at the
// end of the range.
func TestLiveReplay(t *testing.T) {
	e := newEnvs(t, 1)[0]
	ref := e.createStream("replay", time.Hour)
	hs, cs := clusters(t, fixture)
	base := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	for i := range cs {
		e.appendCluster(ref.ID, hs[i], cs[i], base, 0, "s1")
	}
	c := e.clock
	created := time.Now()
	c.set(created)
	master := e.sessionURL("getHLSStreamingSessionURL", map[string]any{"StreamName": "replay", "PlaybackMode": "LIVE_REPLAY",
		"HLSFragmentSelector": map[string]any{"FragmentSelectorType": "PRODUCER_TIMESTAMP", "TimestampRange": map[string]any{
			"StartTimestamp": epoch(base), "EndTimestamp": epoch(base.Add(2500 * time.Millisecond))}}})
	media := strings.Replace(master, "getHLSMasterPlaylist", "getHLSMediaPlaylist", 1)
	count := func() (int, bool) {
		t.Helper()
		status, body, code := get(t, media)
		if status != 200 {
			t.Fatalf("media playlist: %d %s %s", status, code, body)
		}
		return strings.Count(string(body), "#EXTINF"), bytes.Contains(body, []byte("#EXT-X-ENDLIST"))
	}
	for _, step := range []struct {
		at    time.Duration
		n     int
		ended bool
	}{{0, 1, false}, {1500 * time.Millisecond, 2, false}, {time.Minute, 3, true}} {
		c.set(created.Add(step.at))
		if n, ended := count(); n != step.n || ended != step.ended {
			t.Errorf("at +%v: %d fragments (ended %v), want %d (%v)", step.at, n, ended, step.n, step.ended)
		}
	}

	// DASH: a dynamic manifest whose timeline starts when the session was
	// created.
	c.set(created)
	mpd := e.sessionURL("getDASHStreamingSessionURL", map[string]any{"StreamName": "replay", "PlaybackMode": "LIVE_REPLAY",
		"DASHFragmentSelector": map[string]any{"FragmentSelectorType": "PRODUCER_TIMESTAMP", "TimestampRange": map[string]any{
			"StartTimestamp": epoch(base)}}})
	c.set(created.Add(1500 * time.Millisecond))
	status, body, _ := get(t, mpd)
	m := string(body)
	ast := `availabilityStartTime="` + created.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z") + `"`
	if status != 200 || !strings.Contains(m, `type="dynamic"`) || !strings.Contains(m, ast) || strings.Count(m, "<S ") != 2 {
		t.Errorf("LIVE_REPLAY manifest (want %s and 2 segments): %d\n%s", ast, status, m)
	}
}

// TestTokens: a session token is checked on every GET, by any process.
func TestTokens(t *testing.T) {
	envs := newEnvs(t, 2)
	e, other := envs[0], envs[1]
	ref := e.createStream("cam", time.Hour)
	hs, cs := clusters(t, fixture)
	base := time.Now().Add(-10 * time.Second).Truncate(time.Millisecond)
	for i := range cs {
		e.appendCluster(ref.ID, hs[i], cs[i], base, 0, "s")
	}
	master := e.sessionURL("getHLSStreamingSessionURL", map[string]any{"StreamName": "cam", "Expires": 300})
	token := sessionToken(t, master)
	payload, mac, _ := strings.Cut(token, ".")
	forged := payload + "." + strings.Repeat("A", len(mac))
	for _, tc := range []struct {
		name, token string
		expired     bool
		status      int
		code        string
	}{
		{"valid", token, false, 200, ""},
		{"missing", "", false, 400, "InvalidArgumentException"},
		{"garbage", "not-a-token", false, 400, "InvalidArgumentException"},
		{"forged", forged, false, 403, "NotAuthorizedException"},
		{"expired", token, true, 403, "NotAuthorizedException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, x := range []*env{e, other} {
				x.clock.set(time.Time{})
				if tc.expired {
					x.clock.set(time.Now().Add(301 * time.Second))
				}
				status, body, code := get(t, x.url+"/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken="+url.QueryEscape(tc.token))
				if status != tc.status || code != tc.code {
					t.Errorf("%d %s %s, want %d %s", status, code, body, tc.status, tc.code)
				}
			}
		})
	}
}

func sessionToken(t *testing.T, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return p.Query().Get("SessionToken")
}
