package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesisvideo"

	"github.com/kinesin/kinesin/internal/mkv"
	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
	"github.com/kinesin/kinesin/internal/videoclient"
)

// TestVideoEndToEnd is a camera's and a viewer's view of Video Streams
// across two kinesin processes on one NATS: ffmpeg encodes H.264 and AAC in
// real time into PutMedia on process A while a LIVE HLS session on process
// B sees each fragment; then B plays the whole recording back over HLS
// (fMP4 and TS), DASH, GetClip and GetMedia, and ffprobe finds every frame.
func TestVideoEndToEnd(t *testing.T) {
	ffmpeg := testutil.NeedTool(t, "ffmpeg")
	testutil.NeedTool(t, "ffprobe")
	ns, _ := natstest.Start(t, true)
	a := testutil.Start(t, server.Config{NATSURL: ns.ClientURL()})
	b := testutil.Start(t, server.Config{NATSURL: ns.ClientURL()})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	kv := testutil.KinesisVideo(a.URL())
	if _, err := kv.CreateStream(ctx, &kinesisvideo.CreateStreamInput{
		StreamName: aws.String("cam"), DataRetentionInHours: aws.Int32(1), MediaType: aws.String("video/h264,audio/aac"),
	}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, "stream ACTIVE", func() bool {
		d, err := testutil.KinesisVideo(b.URL()).DescribeStream(ctx, &kinesisvideo.DescribeStreamInput{StreamName: aws.String("cam")})
		return err == nil && d.StreamInfo.Status == "ACTIVE"
	})
	ep, err := kv.GetDataEndpoint(ctx, &kinesisvideo.GetDataEndpointInput{StreamName: aws.String("cam"), APIName: "PUT_MEDIA"})
	if err != nil || aws.ToString(ep.DataEndpoint) != a.URL() {
		t.Fatalf("data endpoint %v %v", ep, err)
	}

	// 3 s at 30 fps, a 1 s GOP per cluster, encoded in real time.
	enc := exec.CommandContext(ctx, ffmpeg, "-v", "error", "-re",
		"-f", "lavfi", "-i", "testsrc=size=320x180:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
		"-t", "3", "-c:v", "libx264", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-ac", "1", "-f", "matroska", "-cluster_time_limit", "1100", "-")
	var stderr bytes.Buffer
	enc.Stderr = &stderr
	body, err := enc.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := enc.Start(); err != nil {
		t.Fatal(err)
	}
	va := &videoclient.Client{Endpoint: aws.ToString(ep.DataEndpoint), HTTP: http.DefaultClient}
	vb := &videoclient.Client{Endpoint: b.URL(), HTTP: http.DefaultClient}
	acks, err := va.PutMedia(ctx, videoclient.PutMediaInput{
		StreamName: "cam", TimecodeType: "RELATIVE", ProducerStartTimestamp: time.Now(), Body: body,
	})
	if err != nil {
		t.Fatal(err)
	}

	// Process B's live playlist shows fragments while A ingests.
	liveSeen := make(chan int, 1)
	go func() {
		var s struct{ HLSStreamingSessionURL string }
		most := 0
		defer func() { liveSeen <- most }()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) && ctx.Err() == nil {
			if s.HLSStreamingSessionURL == "" {
				if vb.Call(ctx, "getHLSStreamingSessionURL", map[string]any{"StreamName": "cam"}, &s) != nil {
					time.Sleep(20 * time.Millisecond)
					continue
				}
			}
			if pl := mediaPlaylist(ctx, s.HLSStreamingSessionURL); pl != "" {
				most = max(most, strings.Count(pl, "#EXTINF"))
				if most >= 2 {
					return
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()

	var events []string
	numbers := map[string]bool{}
	lastTC := int64(-1)
	for {
		ack, err := acks.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("acks: %v", err)
		}
		switch ack.EventType {
		case "ERROR":
			t.Fatalf("ERROR ack %+v; ffmpeg: %s", ack, stderr.String())
		case "PERSISTED":
			if ack.FragmentTimecode < lastTC || numbers[ack.FragmentNumber] || ack.FragmentNumber == "" {
				t.Fatalf("PERSISTED %+v after timecode %d", ack, lastTC)
			}
			lastTC, numbers[ack.FragmentNumber] = ack.FragmentTimecode, true
		}
		if ack.EventType != "IDLE" {
			events = append(events, ack.EventType)
		}
	}
	if err := enc.Wait(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, stderr.String())
	}
	want := strings.Repeat("BUFFERING RECEIVED PERSISTED ", 3)
	if got := strings.Join(events, " ") + " "; got != want {
		// Acknowledgements of one fragment come in order; those of the
		// next may start before the previous is persisted.
		if strings.Count(got, "PERSISTED") != 3 || strings.Count(got, "BUFFERING") != 3 || strings.Count(got, "RECEIVED") != 3 {
			t.Fatalf("acks %q", got)
		}
	}
	if n := <-liveSeen; n < 2 {
		t.Fatalf("process B's LIVE playlist showed %d fragments while A ingested", n)
	}

	// ListFragments from B.
	var list struct {
		Fragments []struct {
			FragmentNumber               string
			FragmentLengthInMilliseconds int64
			FragmentSizeInBytes          int64
			ServerTimestamp              float64
		}
	}
	if err := vb.Call(ctx, "listFragments", map[string]any{"StreamName": "cam"}, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Fragments) != 3 {
		t.Fatalf("%d fragments listed", len(list.Fragments))
	}
	for _, f := range list.Fragments {
		if !numbers[f.FragmentNumber] || f.FragmentLengthInMilliseconds < 900 || f.FragmentSizeInBytes == 0 {
			t.Fatalf("fragment %+v", f)
		}
	}

	// Playback from B: every frame, the right size, decoded cleanly.
	rng := map[string]any{"FragmentSelectorType": "SERVER_TIMESTAMP", "TimestampRange": map[string]any{
		"StartTimestamp": time.Now().Add(-time.Hour).Unix(), "EndTimestamp": float64(time.Now().UnixMilli()) / 1000}}
	for _, c := range []string{"FRAGMENTED_MP4", "MPEG_TS"} {
		var s struct{ HLSStreamingSessionURL string }
		if err := vb.Call(ctx, "getHLSStreamingSessionURL", map[string]any{"StreamName": "cam", "PlaybackMode": "ON_DEMAND",
			"ContainerFormat": c, "HLSFragmentSelector": rng}, &s); err != nil {
			t.Fatal(err)
		}
		probe(t, ctx, s.HLSStreamingSessionURL, "HLS "+c)
	}
	var d struct{ DASHStreamingSessionURL string }
	if err := vb.Call(ctx, "getDASHStreamingSessionURL", map[string]any{"StreamName": "cam", "PlaybackMode": "ON_DEMAND",
		"DASHFragmentSelector": rng}, &d); err != nil {
		t.Fatal(err)
	}
	probe(t, ctx, d.DASHStreamingSessionURL, "DASH")

	resp, err := vb.Raw(ctx, "getClip", map[string]any{"StreamName": "cam", "ClipFragmentSelector": rng})
	if err != nil {
		t.Fatal(err)
	}
	clip := t.TempDir() + "/clip.mp4"
	saveBody(t, resp, clip)
	probe(t, ctx, clip, "GetClip")

	// GetMedia from the earliest fragment: three chunks with their tags.
	media, err := vb.GetMedia(ctx, "cam", "", videoclient.StartSelector{StartSelectorType: "EARLIEST"})
	if err != nil {
		t.Fatal(err)
	}
	defer media.Close()
	r := mkv.NewReader(media, mkv.ReaderOptions{})
	frames := 0
	for i := range 3 {
		c, err := r.Next()
		if err != nil {
			t.Fatalf("GetMedia chunk %d: %v", i, err)
		}
		tags := map[string]string{}
		for _, tg := range c.Tags {
			tags[tg.Name] = tg.Value
		}
		if !numbers[tags[mkv.TagFragmentNumber]] || tags[mkv.TagServerTimestamp] == "" || tags[mkv.TagProducerTimestamp] == "" {
			t.Fatalf("chunk %d tags %v", i, tags)
		}
		for _, f := range c.Frames {
			if f.Track == 1 {
				frames++
			}
		}
	}
	if frames != 90 {
		t.Fatalf("GetMedia gave %d video frames, want 90", frames)
	}
}

// probe checks with ffprobe and ffmpeg that url (or a file) holds the 3 s
// of 320x180 video the test sent, decodable without errors.
func probe(t *testing.T, ctx context.Context, url, what string) {
	t.Helper()
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
		"-show_entries", "stream=nb_read_frames,width,height", "-of", "csv=p=0", url).CombinedOutput()
	// ffprobe prints an HLS stream once more under its program.
	lines := strings.Fields(string(out))
	if err != nil || len(lines) == 0 || slices.ContainsFunc(lines, func(l string) bool { return l != "320,180,90" }) {
		t.Fatalf("%s: ffprobe %q %v\nmaster:\n%s\nmedia:\n%s", what, out, err, httpGet(ctx, url), mediaPlaylist(ctx, url))
	}
	out, err = exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-i", url, "-f", "null", "-").CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Fatalf("%s: ffmpeg decode: %v\n%s", what, err, out)
	}
}

func mediaPlaylist(ctx context.Context, master string) string {
	m := httpGet(ctx, master)
	for _, l := range strings.Split(m, "\n") {
		if strings.HasPrefix(l, "getHLSMediaPlaylist") {
			return httpGet(ctx, master[:strings.LastIndex(master, "/")+1]+l)
		}
	}
	return ""
}

func httpGet(ctx context.Context, url string) string {
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return ""
	}
	return string(b)
}

func saveBody(t *testing.T, resp *http.Response, path string) {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d %v: %.300s", resp.StatusCode, err, b)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
