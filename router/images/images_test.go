package images

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/mkv"
	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/video"
	"github.com/kinesin/kinesin/router/videostore"
)

// base is the producer timestamp of the test media's first frame.
var base = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// serverBase is the server timestamp of the test media's first frame.
var serverBase = base.Add(7 * time.Second)

func needFFmpeg(t testing.TB) {
	t.Helper()
	for _, name := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is required in CI: %v", name, err)
			}
			t.Skipf("%s not installed: %v", name, err)
		}
	}
}

// makeMKV encodes seconds of 320x180 testsrc at 30 fps with a keyframe
// every second, one cluster per second.
func makeMKV(t testing.TB, seconds int, extra ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "src.mkv")
	cmd := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
		"-i", "testsrc=size=320x180:rate=30", "-t", fmt.Sprint(seconds),
		"-c:v", "libx264", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0",
		"-pix_fmt", "yuv420p")
	cmd.Args = append(append(cmd.Args, extra...), "-f", "matroska", "-cluster_time_limit", "1100", "-y", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, b)
	}
	return out
}

// resolver is a test videostore.Resolver over a fixed set of streams.
type resolver map[string]videostore.StreamRef

func (r resolver) Resolve(_ context.Context, name, arn string) (videostore.StreamRef, error) {
	if name == "" && arn == "" {
		return videostore.StreamRef{}, video.ErrInvalidArgument.New("StreamName or StreamARN must be specified.")
	}
	for _, ref := range r {
		if (name == "" || ref.Name == name) && (arn == "" || ref.ARN == arn) {
			return ref, nil
		}
	}
	return videostore.StreamRef{}, video.ErrResourceNotFound.New("The requested stream is not found or not active.")
}

type env struct {
	url   string
	store *videostore.Store
	srv   *router.Server
}

// setup starts NATS, a store with stream "cam" holding the fragments of
// a seconds-long testsrc video (plus "empty", "noretention"), and a router
// serving GetImages.
func setup(t testing.TB, seconds int, cfg Config) *env {
	t.Helper()
	ctx := t.Context()
	nc := natstest.Conn(t)
	store, err := videostore.Open(ctx, nc, videostore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	refs := resolver{
		"cam":         {ID: "cam", Name: "cam", ARN: "arn:aws:kinesisvideo:us-east-1:000000000000:stream/cam/1", Retention: time.Hour},
		"empty":       {ID: "empty", Name: "empty", Retention: time.Hour},
		"noretention": {ID: "noretention", Name: "noretention"},
		"av":          {ID: "av", Name: "av", Retention: time.Hour},
		"audio":       {ID: "audio", Name: "audio", Retention: time.Hour},
	}
	for id, ref := range refs {
		if err := store.Create(ctx, id, ref.Retention); err != nil {
			t.Fatal(err)
		}
	}
	if seconds > 0 {
		appendFile(t, store, "cam", makeMKV(t, seconds))
	}
	srv := router.New(router.Config{Listen: "127.0.0.1:0"})
	New(store, refs, cfg).Register(srv)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return &env{url: "http://" + srv.Addr(), store: store, srv: srv}
}

// appendFile stores every cluster of the MKV file as a fragment whose
// producer timestamp is base plus the cluster's timecode.
func appendFile(t testing.TB, store *videostore.Store, id, path string) {
	t.Helper()
	appendTracks(t, store, id, path, 0)
}

// appendTracks is appendFile keeping only the tracks of type kind (all
// when 0).
func appendTracks(t testing.TB, store *videostore.Store, id, path string, kind uint64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := mkv.NewReader(f, mkv.ReaderOptions{})
	for {
		c, err := r.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		h, err := r.Header()
		if err != nil {
			t.Fatal(err)
		}
		if kind != 0 {
			keep := *h
			keep.Tracks = nil
			nums := map[uint64]bool{}
			for _, tr := range h.Tracks {
				if tr.Type == kind {
					keep.Tracks = append(keep.Tracks, tr)
					nums[tr.Number] = true
				}
			}
			h = &keep
			kc := *c
			kc.Frames = nil
			for _, fr := range c.Frames {
				if nums[fr.Track] {
					kc.Frames = append(kc.Frames, fr)
				}
			}
			c = &kc
		}
		off := time.Duration(c.Timecode * h.TimecodeScale)
		_, err = store.Append(t.Context(), id, videostore.Fragment{
			ProducerTimestamp: base.Add(off),
			ServerTimestamp:   serverBase.Add(off),
			Session:           "s1",
			Keyframe:          c.StartsWithKeyframe(),
		}, h, c)
		if err != nil {
			t.Fatal(err)
		}
	}
}

// call posts a GetImages body and returns the status, error code and
// body.
func call(t testing.TB, url string, body any) (int, string, []byte) {
	t.Helper()
	var b []byte
	switch v := body.(type) {
	case string:
		b = []byte(v)
	default:
		var err error
		if b, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.Post(url+"/getImages", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), out
}

func epoch(t time.Time) json.Number {
	return json.Number(fmt.Sprintf("%d.%03d", t.Unix(), t.Nanosecond()/1e6))
}

func getImages(t testing.TB, url string, in map[string]any) Output {
	t.Helper()
	status, code, body := call(t, url, in)
	if status != http.StatusOK {
		t.Fatalf("GetImages: %d %s: %s", status, code, body)
	}
	var out Output
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("GetImages response %s: %v", body, err)
	}
	return out
}

func decode(t testing.TB, format string, img Image) image.Image {
	t.Helper()
	if img.Error != "" || img.ImageContent == "" {
		t.Fatalf("image at %v: Error %q, %d bytes of content", img.TimeStamp.Time, img.Error, len(img.ImageContent))
	}
	raw, err := base64.StdEncoding.DecodeString(img.ImageContent)
	if err != nil {
		t.Fatal(err)
	}
	var m image.Image
	if format == FormatPNG {
		m, err = png.Decode(bytes.NewReader(raw))
	} else {
		m, err = jpeg.Decode(bytes.NewReader(raw))
	}
	if err != nil {
		t.Fatalf("image at %v: %v", img.TimeStamp.Time, err)
	}
	return m
}

func TestGetImages(t *testing.T) {
	needFFmpeg(t)
	e := setup(t, 4, Config{})
	cases := []struct {
		name          string
		in            map[string]any
		n             int
		width, height int
	}{
		{"jpeg", map[string]any{"Format": "JPEG"}, 6, 320, 180},
		{"jpeg quality and size", map[string]any{"Format": "JPEG", "FormatConfig": map[string]string{"JPEGQuality": "20"},
			"WidthPixels": 64, "HeightPixels": 64}, 6, 64, 64},
		{"png", map[string]any{"Format": "PNG"}, 6, 320, 180},
		{"png height only keeps the aspect ratio", map[string]any{"Format": "PNG", "HeightPixels": 90}, 6, 160, 90},
		{"server timestamps", map[string]any{"Format": "JPEG", "ImageSelectorType": "SERVER_TIMESTAMP",
			"StartTimestamp": epoch(serverBase), "EndTimestamp": epoch(serverBase.Add(3 * time.Second))}, 6, 320, 180},
		{"range shorter than the interval", map[string]any{"Format": "JPEG", "EndTimestamp": epoch(base.Add(100 * time.Millisecond))}, 1, 320, 180},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := map[string]any{"StreamName": "cam", "ImageSelectorType": "PRODUCER_TIMESTAMP",
				"StartTimestamp": epoch(base), "EndTimestamp": epoch(base.Add(3 * time.Second)), "SamplingInterval": 500}
			for k, v := range tc.in {
				in[k] = v
			}
			out := getImages(t, e.url, in)
			if len(out.Images) != tc.n || out.NextToken != "" {
				t.Fatalf("got %d images, NextToken %q; want %d", len(out.Images), out.NextToken, tc.n)
			}
			start := base
			if in["ImageSelectorType"] == ServerTimestamp {
				start = serverBase
			}
			for i, img := range out.Images {
				if want := start.Add(time.Duration(i) * 500 * time.Millisecond); !img.TimeStamp.Equal(want) {
					t.Errorf("image %d TimeStamp %v, want %v", i, img.TimeStamp.Time, want)
				}
				m := decode(t, in["Format"].(string), img)
				if b := m.Bounds(); b.Dx() != tc.width || b.Dy() != tc.height {
					t.Errorf("image %d is %dx%d, want %dx%d", i, b.Dx(), b.Dy(), tc.width, tc.height)
				}
			}
		})
	}
}

// TestGetImagesExactFrame checks that each sampling time gets the frame at
// or before it, compared pixel for pixel with what ffmpeg decodes from the
// source file: at 30 fps, 1510 ms is frame 45 (1500 ms), 2000 ms frame 60,
// 2490 ms frame 74 (2467 ms) and 2980 ms frame 89 (2967 ms).
func TestGetImagesExactFrame(t *testing.T) {
	needFFmpeg(t)
	t.Run("fragments start with keyframes", func(t *testing.T) {
		e := setup(t, 0, Config{})
		src := makeMKV(t, 3)
		appendFile(t, e.store, "cam", src)
		checkFrames(t, e, src)
	})
	// Each 1 s GOP stored as two fragments, the second starting with a P
	// frame (frame 45 is its first), which needs the one before it.
	t.Run("fragments without keyframes", func(t *testing.T) {
		e := setup(t, 0, Config{})
		src := makeMKV(t, 3, "-bf", "0")
		appendHalves(t, e.store, "cam", src)
		checkFrames(t, e, src)
	})
}

func checkFrames(t *testing.T, e *env, src string) {
	frames := []int{45, 60, 74, 89}
	out := getImages(t, e.url, map[string]any{"StreamName": "cam", "ImageSelectorType": "PRODUCER_TIMESTAMP",
		"StartTimestamp": epoch(base.Add(1510 * time.Millisecond)), "EndTimestamp": epoch(base.Add(3 * time.Second)),
		"SamplingInterval": 490, "Format": "PNG"})
	if len(out.Images) != len(frames) {
		t.Fatalf("%d images, want %d", len(out.Images), len(frames))
	}
	dir := t.TempDir()
	var sel []string
	for _, n := range frames {
		sel = append(sel, fmt.Sprintf(`eq(n\,%d)`, n))
	}
	cmd := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-i", src,
		"-vf", "select="+strings.Join(sel, "+"), "-vsync", "0", "-pix_fmt", "rgb24", "-y", filepath.Join(dir, "%d.png"))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, b)
	}
	for i, n := range frames {
		got := decode(t, FormatPNG, out.Images[i])
		rb, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%d.png", i+1)))
		if err != nil {
			t.Fatal(err)
		}
		want, err := png.Decode(bytes.NewReader(rb))
		if err != nil {
			t.Fatal(err)
		}
		if !samePixels(got, want) {
			t.Errorf("image %d at %v is not frame %d", i, out.Images[i].TimeStamp.Time, n)
		}
		if samePixels(got, decode(t, FormatPNG, out.Images[(i+1)%len(frames)])) {
			t.Errorf("image %d equals image %d", i, (i+1)%len(frames))
		}
	}
}

// appendHalves stores each cluster of the MKV file as two fragments, split
// in the middle of its frames.
func appendHalves(t *testing.T, store *videostore.Store, id, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := mkv.NewReader(f, mkv.ReaderOptions{})
	for {
		c, err := r.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		h, err := r.Header()
		if err != nil {
			t.Fatal(err)
		}
		n := len(c.Frames) / 2
		second := &mkv.Cluster{Timecode: c.Timecode + uint64(c.Frames[n].Timecode)}
		for _, fr := range c.Frames[n:] {
			fr.Timecode -= c.Frames[n].Timecode
			second.Frames = append(second.Frames, fr)
		}
		first := &mkv.Cluster{Timecode: c.Timecode, Frames: c.Frames[:n]}
		for _, part := range []*mkv.Cluster{first, second} {
			off := time.Duration(part.Timecode * h.TimecodeScale)
			_, err = store.Append(t.Context(), id, videostore.Fragment{
				ProducerTimestamp: base.Add(off), ServerTimestamp: serverBase.Add(off),
				Session: "s1", Keyframe: part.StartsWithKeyframe(),
			}, h, part)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				return false
			}
		}
	}
	return true
}

func TestGetImagesNoMedia(t *testing.T) {
	needFFmpeg(t)
	e := setup(t, 2, Config{})
	// 2 s before the media to 1 s into it, then from past its end.
	out := getImages(t, e.url, map[string]any{"StreamName": "cam", "ImageSelectorType": "PRODUCER_TIMESTAMP",
		"StartTimestamp": epoch(base.Add(-2 * time.Second)), "EndTimestamp": epoch(base.Add(2 * time.Second)),
		"SamplingInterval": 1000, "Format": "JPEG"})
	var errs []string
	for _, img := range out.Images {
		errs = append(errs, img.Error)
	}
	if got, want := strings.Join(errs, ","), "NO_MEDIA,NO_MEDIA,,"; got != want {
		t.Fatalf("errors %q, want %q", got, want)
	}
	decode(t, FormatJPEG, out.Images[2])
	decode(t, FormatJPEG, out.Images[3])

	out = getImages(t, e.url, map[string]any{"StreamName": "cam", "ImageSelectorType": "PRODUCER_TIMESTAMP",
		"StartTimestamp": epoch(base.Add(2100 * time.Millisecond)), "EndTimestamp": epoch(base.Add(5 * time.Second)),
		"SamplingInterval": 1000, "Format": "JPEG"})
	if len(out.Images) != 3 {
		t.Fatalf("%d images, want 3", len(out.Images))
	}
	for _, img := range out.Images {
		if img.Error != errNoMedia || img.ImageContent != "" {
			t.Errorf("image at %v: Error %q, want NO_MEDIA", img.TimeStamp.Time, img.Error)
		}
	}

	out = getImages(t, e.url, map[string]any{"StreamName": "empty", "ImageSelectorType": "SERVER_TIMESTAMP",
		"StartTimestamp": epoch(base), "EndTimestamp": epoch(base.Add(time.Second)), "Format": "PNG"})
	if len(out.Images) != 1 || out.Images[0].Error != errNoMedia {
		t.Fatalf("empty stream: %+v", out.Images)
	}
}

func TestGetImagesPages(t *testing.T) {
	needFFmpeg(t)
	e := setup(t, 4, Config{})
	in := map[string]any{"StreamARN": "arn:aws:kinesisvideo:us-east-1:000000000000:stream/cam/1",
		"ImageSelectorType": "PRODUCER_TIMESTAMP", "StartTimestamp": epoch(base), "EndTimestamp": epoch(base.Add(4 * time.Second)),
		"SamplingInterval": 200, "Format": "JPEG", "MaxResults": 7}
	var all []Image
	pages := 0
	for {
		out := getImages(t, e.url, in)
		pages++
		all = append(all, out.Images...)
		if out.NextToken == "" {
			break
		}
		if pages > 10 {
			t.Fatal("too many pages")
		}
		in["NextToken"] = out.NextToken
	}
	if pages != 3 || len(all) != 20 {
		t.Fatalf("%d pages, %d images; want 3 pages of 20 images", pages, len(all))
	}
	for i, img := range all {
		if want := base.Add(time.Duration(i) * 200 * time.Millisecond); !img.TimeStamp.Equal(want) {
			t.Errorf("image %d at %v, want %v", i, img.TimeStamp.Time, want)
		}
		decode(t, FormatJPEG, img)
	}

	// Without MaxResults a page holds 25 images.
	in = map[string]any{"StreamName": "cam", "ImageSelectorType": "PRODUCER_TIMESTAMP", "StartTimestamp": epoch(base),
		"EndTimestamp": epoch(base.Add(6 * time.Second)), "SamplingInterval": 200, "Format": "JPEG"}
	out := getImages(t, e.url, in)
	if len(out.Images) != 25 || out.NextToken == "" {
		t.Fatalf("%d images, NextToken %q; want 25 and a token", len(out.Images), out.NextToken)
	}
	in["NextToken"] = out.NextToken
	out = getImages(t, e.url, in)
	if len(out.Images) != 5 || out.NextToken != "" {
		t.Fatalf("second page: %d images, NextToken %q; want 5 and none", len(out.Images), out.NextToken)
	}
}

func TestGetImagesErrors(t *testing.T) {
	e := setup(t, 0, Config{})
	valid := func(over map[string]any) map[string]any {
		in := map[string]any{"StreamName": "cam", "ImageSelectorType": "PRODUCER_TIMESTAMP",
			"StartTimestamp": epoch(base), "EndTimestamp": epoch(base.Add(3 * time.Second)), "Format": "JPEG"}
		for k, v := range over {
			if v == nil {
				delete(in, k)
			} else {
				in[k] = v
			}
		}
		return in
	}
	cases := []struct {
		name   string
		body   any
		status int
		code   string
		msg    string // a part of the message
	}{
		{"not json", "{", 400, "SerializationException", ""},
		{"wrong type", `{"Format": 3}`, 400, "SerializationException", ""},
		{"missing members", map[string]any{"StreamName": "cam"}, 400, "InvalidArgumentException",
			"4 validation errors detected: Value null at 'imageSelectorType' failed to satisfy constraint: Member must not be null"},
		{"bad enums", valid(map[string]any{"ImageSelectorType": "NOW", "Format": "GIF"}), 400, "InvalidArgumentException",
			"Value 'NOW' at 'imageSelectorType' failed to satisfy constraint: Member must satisfy enum value set: [PRODUCER_TIMESTAMP, SERVER_TIMESTAMP]"},
		{"bad stream name", valid(map[string]any{"StreamName": "a b"}), 400, "InvalidArgumentException", "at 'streamName'"},
		{"width too large", valid(map[string]any{"WidthPixels": 3841}), 400, "InvalidArgumentException",
			"Value '3841' at 'widthPixels' failed to satisfy constraint: Member must have value less than or equal to 3840"},
		{"height zero", valid(map[string]any{"HeightPixels": 0}), 400, "InvalidArgumentException", "at 'heightPixels'"},
		{"max results", valid(map[string]any{"MaxResults": 101}), 400, "InvalidArgumentException", "at 'maxResults'"},
		{"format config key", valid(map[string]any{"FormatConfig": map[string]string{"Quality": "5"}}), 400, "InvalidArgumentException", "enum value set: [JPEGQuality]"},
		{"jpeg quality", valid(map[string]any{"FormatConfig": map[string]string{"JPEGQuality": "101"}}), 400, "InvalidArgumentException", "JPEGQuality"},
		{"no stream", valid(map[string]any{"StreamName": nil}), 400, "InvalidArgumentException", "StreamName or StreamARN"},
		{"end before start", valid(map[string]any{"EndTimestamp": epoch(base.Add(-time.Second))}), 400, "InvalidArgumentException", "EndTimestamp"},
		{"range over 300 s", valid(map[string]any{"EndTimestamp": epoch(base.Add(301 * time.Second))}), 400, "InvalidArgumentException", "300 seconds"},
		{"interval under 200 ms", valid(map[string]any{"SamplingInterval": 199}), 400, "InvalidArgumentException", "SamplingInterval"},
		{"foreign token", valid(map[string]any{"NextToken": "djE6MToxOjI6MzpmYWxzZQ=="}), 400, "InvalidArgumentException", "NextToken"},
		{"bad token", valid(map[string]any{"NextToken": "not a token"}), 400, "InvalidArgumentException", "at 'nextToken'"},
		{"unknown stream", valid(map[string]any{"StreamName": "nope"}), 404, "ResourceNotFoundException", "not found"},
		{"no retention", valid(map[string]any{"StreamName": "noretention"}), 400, "NoDataRetentionException", "retain"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, code, body := call(t, e.url, tc.body)
			var msg struct{ Message string }
			if err := json.Unmarshal(body, &msg); err != nil {
				t.Fatalf("body %s: %v", body, err)
			}
			if status != tc.status || code != tc.code || !strings.Contains(msg.Message, tc.msg) {
				t.Fatalf("got %d %s %q, want %d %s containing %q", status, code, msg.Message, tc.status, tc.code, tc.msg)
			}
		})
	}
}

func TestGetImagesWithoutFFmpeg(t *testing.T) {
	e := setup(t, 0, Config{FFmpeg: filepath.Join(t.TempDir(), "ffmpeg")})
	status, code, body := call(t, e.url, map[string]any{"StreamName": "cam", "ImageSelectorType": "PRODUCER_TIMESTAMP",
		"StartTimestamp": epoch(base), "EndTimestamp": epoch(base), "Format": "JPEG"})
	if status != http.StatusNotImplemented || code != "NotImplemented" || !strings.Contains(string(body), "apt-get install ffmpeg") {
		t.Fatalf("got %d %s %s", status, code, body)
	}
}

func TestTimestampJSON(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		out  string
	}{
		{`1700000000`, time.Unix(1700000000, 0), `1700000000`},
		{`1700000000.5`, time.Unix(1700000000, 500e6), `1700000000.500`},
		{`1700000000.123`, time.Unix(1700000000, 123e6), `1700000000.123`},
		{`1.7e9`, time.Unix(1700000000, 0), `1700000000`},
		{`"2023-11-14T22:13:20.25Z"`, time.Unix(1700000000, 250e6), `1700000000.250`},
	} {
		var ts Timestamp
		if err := json.Unmarshal([]byte(tc.in), &ts); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if !ts.Equal(tc.want) {
			t.Errorf("%s: %v, want %v", tc.in, ts.Time, tc.want)
		}
		b, _ := json.Marshal(ts)
		if string(b) != tc.out {
			t.Errorf("%s: marshalled %s, want %s", tc.in, b, tc.out)
		}
	}
}

func TestQScale(t *testing.T) {
	for q, want := range map[int]int{100: 2, 1: 31, 80: 8, 50: 17} {
		if got := qscale(q); got != want {
			t.Errorf("qscale(%d) = %d, want %d", q, got, want)
		}
	}
}

// TestGetImagesAudio reads images from a stream with audio and video (the
// audio is left out of ffmpeg's input) and answers MEDIA_ERROR for an
// audio-only stream, as AWS does.
func TestGetImagesAudio(t *testing.T) {
	needFFmpeg(t)
	e := setup(t, 0, Config{})
	av := filepath.Join("..", "..", "internal", "mkv", "testdata", "av.mkv")
	appendFile(t, e.store, "av", av)
	appendTracks(t, e.store, "audio", av, mkv.TrackTypeAudio)
	// The video starts 23 ms after the audio: the frame at or before 0 ms
	// is missing, so the sampling starts at 100 ms.
	in := map[string]any{"StreamName": "av", "ImageSelectorType": "PRODUCER_TIMESTAMP",
		"StartTimestamp": epoch(base.Add(100 * time.Millisecond)), "EndTimestamp": epoch(base.Add(3 * time.Second)),
		"SamplingInterval": 1000, "Format": "PNG"}
	out := getImages(t, e.url, in)
	if len(out.Images) != 3 {
		t.Fatalf("%d images, want 3", len(out.Images))
	}
	for _, img := range out.Images {
		if b := decode(t, FormatPNG, img).Bounds(); b.Dx() != 160 || b.Dy() != 90 {
			t.Errorf("image is %dx%d, want 160x90", b.Dx(), b.Dy())
		}
	}
	in["StreamName"] = "audio"
	out = getImages(t, e.url, in)
	for _, img := range out.Images {
		if img.Error != errMediaError {
			t.Errorf("audio only at %v: Error %q, want MEDIA_ERROR", img.TimeStamp.Time, img.Error)
		}
	}
}
