package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/mkv"
)

func TestParseStartSelector(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		in, want string // want: the selector's JSON, or "error"
	}{
		{"now", `{"StartSelectorType":"NOW"}`},
		{"earliest", `{"StartSelectorType":"EARLIEST"}`},
		{"fragment:9134", `{"StartSelectorType":"FRAGMENT_NUMBER","AfterFragmentNumber":"9134"}`},
		{"continuation:tok", `{"StartSelectorType":"CONTINUATION_TOKEN","ContinuationToken":"tok"}`},
		{"producer:10m", `{"StartSelectorType":"PRODUCER_TIMESTAMP","StartTimestamp":1767322445.000}`},
		{"server:2026-01-02T03:00:00.250Z", `{"StartSelectorType":"SERVER_TIMESTAMP","StartTimestamp":1767322800.250}`},
		{"fragment:", "error"},
		{"producer:yesterday", "error"},
		{"server:+1m", `{"StartSelectorType":"SERVER_TIMESTAMP","StartTimestamp":1767323105.000}`},
		{"latest", "error"},
	} {
		sel, err := parseStartSelector(c.in, now)
		if c.want == "error" {
			if err == nil {
				t.Errorf("%s: no error", c.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		b, _ := json.Marshal(sel)
		if string(b) != c.want {
			t.Errorf("%s: %s, want %s", c.in, b, c.want)
		}
	}
}

func TestEpochJSON(t *testing.T) {
	var f fragment
	if err := json.Unmarshal([]byte(`{"FragmentNumber":"1","ProducerTimestamp":1767322445.123,"ServerTimestamp":1767322446}`), &f); err != nil {
		t.Fatal(err)
	}
	if got := time.Time(f.ProducerTimestamp); !got.Equal(time.UnixMilli(1767322445123)) {
		t.Errorf("ProducerTimestamp = %v", got)
	}
	if got := time.Time(f.ServerTimestamp); !got.Equal(time.Unix(1767322446, 0)) {
		t.Errorf("ServerTimestamp = %v", got)
	}
}

func TestTimeRange(t *testing.T) {
	now := time.Unix(1000, 0)
	r, err := timeRange("10s", "now", now)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r)
	if string(b) != `{"StartTimestamp":990.000,"EndTimestamp":1000.000}` {
		t.Errorf("range = %s", b)
	}
	if r, err := timeRange("now", "+1m", now); err != nil || time.Time(*r.EndTimestamp) != now.Add(time.Minute) {
		t.Errorf("+1m: %v %v", r, err)
	}
	if _, err := timeRange("soon", "", now); err == nil || !strings.HasPrefix(err.Error(), `--start "soon": want`) {
		t.Errorf("err = %v", err)
	}
}

// TestCopyFragments cuts a concatenation of MKV chunks after --max-fragments
// clusters, byte for byte as received.
func TestCopyFragments(t *testing.T) {
	data, err := os.ReadFile("../../internal/mkv/testdata/pipe.mkv")
	if err != nil {
		t.Fatal(err)
	}
	var out, progress bytes.Buffer
	n, err := copyFragments(&out, bytes.NewReader(data), 0, &progress)
	if err != nil || n != 3 || !bytes.Equal(out.Bytes(), data) {
		t.Fatalf("copy all: n=%d err=%v, %d of %d bytes", n, err, out.Len(), len(data))
	}
	if lines := strings.Count(progress.String(), "\n"); lines != 3 {
		t.Errorf("progress:\n%s", progress.String())
	}
	out.Reset()
	n, err = copyFragments(&out, bytes.NewReader(data), 2, io.Discard)
	if err != nil || n != 2 || !bytes.HasPrefix(data, out.Bytes()) || out.Len() >= len(data) {
		t.Fatalf("copy 2: n=%d err=%v, %d of %d bytes", n, err, out.Len(), len(data))
	}
	// What was written reads back as exactly two clusters.
	r := mkv.NewReader(bytes.NewReader(out.Bytes()), mkv.ReaderOptions{})
	for i := range 3 {
		_, err := r.Next()
		if (i < 2) != (err == nil) {
			t.Fatalf("cluster %d of the cut stream: %v", i, err)
		}
	}
}

func TestFragmentSizes(t *testing.T) {
	data, err := os.ReadFile("../../internal/mkv/testdata/video.mkv")
	if err != nil {
		t.Fatal(err)
	}
	s := newFragmentSizes(bytes.NewReader(data))
	if got, _ := io.ReadAll(s); !bytes.Equal(got, data) {
		t.Fatal("the upload is not the input")
	}
	r := mkv.NewReader(bytes.NewReader(data), mkv.ReaderOptions{})
	for {
		c, err := r.Next()
		if err != nil {
			break
		}
		if n, ok := s.size(int64(c.Timecode)); !ok || n != c.Size {
			t.Errorf("size at %d = %d, %t; want %d", c.Timecode, n, ok, c.Size)
		}
	}
	// Input that is not MKV still passes through.
	junk := bytes.Repeat([]byte("junk"), 100000)
	s = newFragmentSizes(bytes.NewReader(junk))
	if got, _ := io.ReadAll(s); !bytes.Equal(got, junk) {
		t.Fatal("non-MKV upload was not passed through")
	}
}

func TestOpenMediaWithoutFFmpeg(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clip.mp4")
	if err := os.WriteFile(path, []byte("\x00\x00\x00\x20ftypisom"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := openMedia(t.Context(), path, nil, "no-such-ffmpeg-here")
	if err == nil || !strings.Contains(err.Error(), "is not Matroska (MKV); kinesin remuxes other formats with ffmpeg, which was not found") {
		t.Errorf("err = %v", err)
	}
	mkvPath := "../../internal/mkv/testdata/video.mkv"
	body, wait, err := openMedia(t.Context(), mkvPath, nil, "no-such-ffmpeg-here")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(body)
	body.Close()
	want, _ := os.ReadFile(mkvPath)
	if !bytes.Equal(got, want) || wait() != nil {
		t.Error("an MKV file is not sent as is")
	}
}

func needFFmpeg(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("ffmpeg is required in CI: %v", err)
		}
		t.Skipf("ffmpeg not installed: %v", err)
	}
	return bin
}

// TestVideoCommands runs the video commands against an in-process server:
// create, ls, describe, put (an MP4 through ffmpeg, and MKV from stdin),
// fragments, get, play, clip and rm.
func TestVideoCommands(t *testing.T) {
	ffmpeg := needFFmpeg(t)
	e := newEnv(t)
	dir := t.TempDir()
	mp4 := filepath.Join(dir, "in.mp4")
	if out, err := exec.Command(ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=3:size=320x180:rate=30",
		"-c:v", "libx264", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-pix_fmt", "yuv420p", mp4).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}

	arn := strings.TrimSpace(e.must("", "video", "create", "cam1", "--retention-hours", "2", "--media-type", "video/h264", "--tag", "site=berlin"))
	if !regexp.MustCompile(`^arn:aws:kinesisvideo:us-east-1:\d{12}:stream/cam1/\d+$`).MatchString(arn) {
		t.Errorf("create printed %q", arn)
	}
	if out := e.must("", "video", "ls"); !regexp.MustCompile(`(?m)^cam1\s+ACTIVE\s+video/h264\s+2h\s`).MatchString(out) {
		t.Errorf("ls:\n%s", out)
	}
	desc := e.must("", "video", "describe", "cam1")
	for _, want := range []string{"ARN:", arn, "Media type:", "Retention:", "Tag:", "site=berlin"} {
		if !strings.Contains(desc, want) {
			t.Errorf("describe lacks %q:\n%s", want, desc)
		}
	}

	out, errw, err := e.run("", "video", "put", "cam1", mp4)
	if err != nil {
		t.Fatalf("put: %v\n%s%s", describeErr(err), out, errw)
	}
	if out != "3 fragments persisted\n" || strings.Count(errw, " PERSISTED ") != 3 {
		t.Errorf("put printed %q, stderr:\n%s", out, errw)
	}
	mkvData, err := os.ReadFile("../../internal/mkv/testdata/pipe.mkv")
	if err != nil {
		t.Fatal(err)
	}
	if out := e.must(string(mkvData), "video", "put", "cam1", "-", "-q"); out != "3 fragments persisted\n" {
		t.Errorf("put - printed %q", out)
	}

	frags := e.must("", "video", "fragments", "cam1")
	rows := strings.Split(strings.TrimSpace(frags), "\n")
	if len(rows) != 7 || !strings.HasPrefix(rows[0], "FRAGMENT NUMBER") {
		t.Errorf("fragments:\n%s", frags)
	}

	got := filepath.Join(dir, "got.mkv")
	out, errw, err = e.run("", "video", "get", "cam1", "--start-selector", "earliest", "--max-fragments", "4", "-o", got)
	if err != nil {
		t.Fatalf("get: %v\n%s%s", describeErr(err), out, errw)
	}
	data, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	r := mkv.NewReader(bytes.NewReader(data), mkv.ReaderOptions{})
	for {
		c, err := r.Next()
		if err != nil {
			break
		}
		n++
		found := false
		for _, tag := range c.Tags {
			found = found || tag.Name == mkv.TagFragmentNumber
		}
		if !found {
			t.Errorf("fragment %d lacks %s", n, mkv.TagFragmentNumber)
		}
	}
	if n != 4 || !strings.Contains(errw, "4 fragments") {
		t.Errorf("get wrote %d fragments; stderr:\n%s", n, errw)
	}

	url := strings.TrimSpace(e.must("", "video", "play", "cam1", "--mode", "ON_DEMAND", "--start", "1h", "--end", "now"))
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "#EXTM3U") {
		t.Errorf("GET %s: %s\n%s", url, resp.Status, body)
	}
	if url := e.must("", "video", "play", "cam1", "--dash", "--mode", "LIVE_REPLAY", "--start", "1h"); !strings.Contains(url, "getDASHManifest.mpd") {
		t.Errorf("play --dash printed %q", url)
	}
	// MPEG-TS segments: the media playlist names getTSFragment.ts.
	url = strings.TrimSpace(e.must("", "video", "play", "cam1", "--ts", "--show-timestamps", "--mode", "ON_DEMAND", "--start", "1h", "--end", "now"))
	master := httpGet(t, url)
	media := ""
	for _, l := range strings.Split(master, "\n") {
		if strings.Contains(l, "getHLSMediaPlaylist.m3u8") {
			media = l
		}
	}
	if media == "" {
		t.Fatalf("master playlist:\n%s", master)
	}
	if !strings.HasPrefix(media, "http") {
		media = url[:strings.LastIndex(url[:strings.Index(url, "?")], "/")+1] + media
	}
	if pl := httpGet(t, media); !strings.Contains(pl, "getTSFragment.ts") || !strings.Contains(pl, "#EXT-X-PROGRAM-DATE-TIME") {
		t.Errorf("media playlist of --ts --show-timestamps:\n%s", pl)
	}

	clip := filepath.Join(dir, "clip.mp4")
	e.must("", "video", "clip", "cam1", "--start", "1h", "--end", "+1m", "-o", clip)
	if b, err := os.ReadFile(clip); err != nil || len(b) < 8 || string(b[4:8]) != "ftyp" {
		t.Errorf("clip: %v, %d bytes", err, len(b))
	}

	if out := e.must("", "video", "rm", "cam1", "--wait"); !strings.Contains(out, "video stream cam1 is deleted") {
		t.Errorf("rm printed %q", out)
	}
	if _, _, err := e.run("", "video", "describe", "cam1"); err == nil || !strings.Contains(describeErr(err), "ResourceNotFoundException") {
		t.Errorf("describe after rm: %v", err)
	}
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, b)
	}
	return string(b)
}

// TestVideoPutErrors: a stream that does not exist, and an ERROR
// acknowledgement, end put with a non-zero status and AWS's words.
func TestVideoPutErrors(t *testing.T) {
	e := newEnv(t)
	mkvData, err := os.ReadFile("../../internal/mkv/testdata/pipe.mkv")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.run(string(mkvData), "video", "put", "nope", "-"); err == nil || !strings.Contains(describeErr(err), "ResourceNotFoundException") {
		t.Errorf("put to a missing stream: %v", err)
	}
	e.must("", "video", "create", "cam2")
	// Cut the MKV in the middle of its second cluster and follow with junk:
	// the server answers the broken fragment with ERROR 4006 or 4000.
	bad := append(append([]byte{}, mkvData[:len(mkvData)/2]...), bytes.Repeat([]byte{0xff}, 64)...)
	_, _, err = e.run(string(bad), "video", "put", "cam2", "-")
	if err == nil || !regexp.MustCompile(`ERROR 40\d\d [A-Z_]+: `).MatchString(err.Error()) {
		t.Errorf("put of broken MKV: %v", err)
	}
	// A file ffmpeg cannot read: its error, not the server's, is the one
	// to show.
	needFFmpeg(t)
	junk := filepath.Join(t.TempDir(), "junk.mp4")
	if err := os.WriteFile(junk, bytes.Repeat([]byte("not a video "), 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.run("", "video", "put", "cam2", junk)
	if err == nil || !strings.Contains(err.Error(), "ffmpeg remuxing "+junk+" to MKV: exit status") {
		t.Errorf("put of a file ffmpeg cannot read: %v", err)
	}
}

// FuzzCopyFragments: whatever GetMedia sends, get writes a prefix of it,
// all of it when it reads to the end without a limit, and never panics.
func FuzzCopyFragments(f *testing.F) {
	for _, name := range []string{"pipe.mkv", "video.mkv"} {
		data, err := os.ReadFile("../../internal/mkv/testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, 0)
		f.Add(data[:len(data)/3], 1)
	}
	f.Add([]byte{0x1a, 0x45, 0xdf, 0xa3, 0x80}, 0)
	f.Fuzz(func(t *testing.T, data []byte, max int) {
		max = max & 7
		var out bytes.Buffer
		_, err := copyFragments(&out, bytes.NewReader(data), max, io.Discard)
		if !bytes.HasPrefix(data, out.Bytes()) {
			t.Fatalf("wrote %d bytes that are not a prefix of the input", out.Len())
		}
		if err == nil && max == 0 && out.Len() != len(data) {
			t.Fatalf("read to the end but wrote %d of %d bytes", out.Len(), len(data))
		}
	})
}
