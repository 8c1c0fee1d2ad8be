package durability

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesisvideo"
	kvtypes "github.com/aws/aws-sdk-go-v2/service/kinesisvideo/types"

	"github.com/kinesin/kinesin/internal/mkv"
	"github.com/kinesin/kinesin/internal/testutil"
	"github.com/kinesin/kinesin/internal/videoclient"
)

// framesPerFragment is what ffmpeg puts in each cluster: a 1 s GOP at 30 fps.
const framesPerFragment = 30

// TestKill9VideoLosesNoPersistedFragment streams real H.264 into PutMedia,
// kills the server with SIGKILL in the middle of the upload once some
// fragments are PERSISTED, and restarts it on the same data dir. Every
// fragment acknowledged PERSISTED is still listed and comes back whole;
// fragments only RECEIVED or BUFFERING may be there or not, but nothing
// half-written is listed. A new session then gets greater fragment
// numbers, and ON_DEMAND HLS over the whole stream plays every frame.
func TestKill9VideoLosesNoPersistedFragment(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	ffmpeg := testutil.NeedTool(t, "ffmpeg")
	ffprobe := testutil.NeedTool(t, "ffprobe")
	bin := testutil.BuildKinesin(t)
	dir := t.TempDir()
	addr := testutil.FreeAddr(t)
	args := []string{"--data-dir", dir, "--sync", "always"}
	cmd := testutil.Serve(t, bin, addr, args...)
	url := "http://" + addr
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	begin := time.Now()

	const stream = "doorbell"
	kv := testutil.KinesisVideo(url)
	if _, err := kv.CreateStream(ctx, &kinesisvideo.CreateStreamInput{StreamName: aws.String(stream),
		DataRetentionInHours: aws.Int32(1), MediaType: aws.String("video/h264")}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, ctx, kv, stream)
	ep, err := kv.GetDataEndpoint(ctx, &kinesisvideo.GetDataEndpointInput{StreamName: aws.String(stream), APIName: kvtypes.APINamePutMedia})
	if err != nil {
		t.Fatal(err)
	}
	vc := &videoclient.Client{Endpoint: aws.ToString(ep.DataEndpoint), HTTP: &http.Client{}}

	// Session 1: 8 s in real time, cut short by the kill. The kill comes
	// once 3 fragments are PERSISTED, right after the next one is RECEIVED:
	// while the server is storing it.
	up := startUpload(t, ctx, ffmpeg, vc, stream, 8)
	select {
	case <-up.armed:
	case <-up.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for 3 PERSISTED acknowledgements and a RECEIVED one; ffmpeg: %s", up.stderr.String())
	}
	if n, done, bad := up.state(); done || bad != "" {
		t.Fatalf("session 1 ended before the kill with %d PERSISTED: %s; ffmpeg: %s", n, bad, up.stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	persisted, bad := up.stop()
	if bad != "" && !strings.HasPrefix(bad, "acks: ") { // the broken connection is expected
		t.Fatalf("session 1: %s", bad)
	}
	received := up.receivedCount()
	t.Logf("session 1: %d fragments PERSISTED and %d RECEIVED before kill -9", len(persisted), received)

	testutil.Serve(t, bin, addr, args...)
	waitActive(t, ctx, kv, stream)

	// Every PERSISTED fragment is listed, and every listed one is whole.
	listed := listFragments(t, ctx, vc, stream)
	for _, n := range persisted {
		if !listed[n] {
			t.Fatalf("fragment %s was PERSISTED before kill -9 but is not listed after the restart (listed: %v)", n, keys(listed))
		}
	}
	checkMedia(t, ctx, vc, stream, keys(listed))
	t.Logf("after the restart: %d fragments listed, every one whole (%d only RECEIVED survived)", len(listed), len(listed)-len(persisted))

	// Session 2 on the restarted server: greater fragment numbers.
	up = startUpload(t, ctx, ffmpeg, vc, stream, 3)
	testutil.Eventually(t, 20*time.Second, "session 2 to end", func() bool {
		_, done, _ := up.state()
		return done
	})
	if err := up.enc.Wait(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, up.stderr.String())
	}
	second, bad := up.stop()
	if bad != "" || len(second) != 3 {
		t.Fatalf("session 2: %d PERSISTED, want 3; %s", len(second), bad)
	}
	for _, n := range second {
		for old := range listed {
			if compareNumbers(n, old) <= 0 {
				t.Fatalf("fragment %s of the session after the restart is not greater than earlier fragment %s", n, old)
			}
		}
	}
	all := listFragments(t, ctx, vc, stream)
	if len(all) != len(listed)+len(second) {
		t.Fatalf("%d fragments listed after session 2, want %d + %d", len(all), len(listed), len(second))
	}
	checkMedia(t, ctx, vc, stream, keys(all))

	// ON_DEMAND HLS over the whole stream plays every frame of every
	// fragment. The range selects by producer timestamps, which are
	// accurate here (RELATIVE to the real start of each session). Server
	// timestamps are arrival times: consecutive fragments overlap or leave
	// gaps, as AWS documents for SERVER_TIMESTAMP, and players bridge them
	// at the discontinuity markers, which ffmpeg's HLS demuxer ignores for
	// fMP4 (it drops the overlapping frames).
	rng := map[string]any{"FragmentSelectorType": "PRODUCER_TIMESTAMP", "TimestampRange": map[string]any{
		"StartTimestamp": videoclient.EpochSeconds(begin.Add(-time.Minute)), "EndTimestamp": videoclient.EpochSeconds(time.Now().Add(time.Minute))}}
	want := fmt.Sprintf("320,180,%d", framesPerFragment*len(all))
	for _, container := range []string{"FRAGMENTED_MP4", "MPEG_TS"} {
		var s struct{ HLSStreamingSessionURL string }
		if err := vc.Call(ctx, "getHLSStreamingSessionURL", map[string]any{"StreamName": stream, "PlaybackMode": "ON_DEMAND",
			"ContainerFormat": container, "HLSFragmentSelector": rng}, &s); err != nil {
			t.Fatalf("GetHLSStreamingSessionURL %s: %v", container, err)
		}
		out, err := exec.CommandContext(ctx, ffprobe, "-v", "error", "-count_frames", "-select_streams", "v:0",
			"-show_entries", "stream=nb_read_frames,width,height", "-of", "csv=p=0", s.HLSStreamingSessionURL).CombinedOutput()
		// The HLS demuxer lists the stream once more under its program.
		lines := strings.Fields(string(out))
		if err != nil || len(lines) == 0 || slices.ContainsFunc(lines, func(l string) bool { return l != want }) {
			t.Fatalf("ON_DEMAND HLS (%s) over %d fragments: ffprobe %q (%v), want %q", container, len(all), out, err, want)
		}
	}
	t.Logf("HLS plays %d fragments (%d frames) in %v", len(all), framesPerFragment*len(all), time.Since(begin).Round(time.Millisecond))
}

// upload is one PutMedia session fed by ffmpeg encoding H.264 in real time.
type upload struct {
	enc    *exec.Cmd
	stderr testutil.SyncBuffer
	cancel context.CancelFunc
	done   chan struct{} // closed when the acknowledgements end
	armed  chan struct{} // signalled on a RECEIVED acknowledgement after 3 PERSISTED

	mu        sync.Mutex
	persisted []string
	received  int
	bad       string // the first ERROR acknowledgement or error reading them
}

// startUpload starts ffmpeg (secs seconds of 320x180 testsrc at 30 fps,
// a 1 s GOP per cluster) piped into a PutMedia session, and reads its
// acknowledgements.
func startUpload(t *testing.T, ctx context.Context, ffmpeg string, vc *videoclient.Client, stream string, secs int) *upload {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	up := &upload{cancel: cancel, done: make(chan struct{}), armed: make(chan struct{}, 1)}
	up.enc = exec.CommandContext(ctx, ffmpeg, "-v", "error", "-re",
		"-f", "lavfi", "-i", "testsrc=size=320x180:rate=30", "-t", strconv.Itoa(secs),
		"-c:v", "libx264", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-pix_fmt", "yuv420p",
		"-f", "matroska", "-cluster_time_limit", "1100", "-")
	up.enc.Stderr = &up.stderr
	body, err := up.enc.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := up.enc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = up.enc.Wait() })
	acks, err := vc.PutMedia(ctx, videoclient.PutMediaInput{StreamName: stream, TimecodeType: "RELATIVE",
		ProducerStartTimestamp: time.Now(), Body: body})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(up.done)
		defer acks.Close()
		for {
			a, err := acks.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			up.mu.Lock()
			switch {
			case err != nil:
				if up.bad == "" {
					up.bad = "acks: " + err.Error()
				}
			case a.EventType == "ERROR":
				if up.bad == "" {
					up.bad = fmt.Sprintf("ERROR acknowledgement %+v", a)
				}
			case a.EventType == "RECEIVED":
				up.received++
				if len(up.persisted) >= 3 {
					select {
					case up.armed <- struct{}{}:
					default:
					}
				}
			case a.EventType == "PERSISTED":
				up.persisted = append(up.persisted, a.FragmentNumber)
			}
			up.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return up
}

// state is the number of PERSISTED acknowledgements so far, whether they
// ended, and what went wrong.
func (u *upload) state() (persisted int, done bool, bad string) {
	select {
	case <-u.done:
		done = true
	default:
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.persisted), done, u.bad
}

// receivedCount is the number of RECEIVED acknowledgements.
func (u *upload) receivedCount() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.received
}

// stop ends ffmpeg and the session and returns the fragment numbers
// acknowledged PERSISTED.
func (u *upload) stop() ([]string, string) {
	u.cancel()
	<-u.done
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.persisted, u.bad
}

func waitActive(t *testing.T, ctx context.Context, kv *kinesisvideo.Client, stream string) {
	t.Helper()
	testutil.Eventually(t, 20*time.Second, stream+" ACTIVE", func() bool {
		d, err := kv.DescribeStream(ctx, &kinesisvideo.DescribeStreamInput{StreamName: aws.String(stream)})
		return err == nil && d.StreamInfo.Status == kvtypes.StatusActive
	})
}

// listFragments returns the fragment numbers ListFragments lists, all pages.
func listFragments(t *testing.T, ctx context.Context, vc *videoclient.Client, stream string) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	in := map[string]any{"StreamName": stream}
	for {
		var out struct {
			Fragments []struct {
				FragmentNumber      string
				FragmentSizeInBytes int64
			}
			NextToken string
		}
		if err := vc.Call(ctx, "listFragments", in, &out); err != nil {
			t.Fatalf("ListFragments: %v", err)
		}
		for _, f := range out.Fragments {
			if got[f.FragmentNumber] || f.FragmentSizeInBytes <= 0 {
				t.Fatalf("ListFragments: fragment %+v listed twice or empty", f)
			}
			got[f.FragmentNumber] = true
		}
		if out.NextToken == "" {
			return got
		}
		in["NextToken"] = out.NextToken
	}
}

// checkMedia fetches numbers with GetMediaForFragmentList and checks that
// each comes back once, in order, as a complete MKV fragment of
// framesPerFragment video frames starting with a keyframe.
func checkMedia(t *testing.T, ctx context.Context, vc *videoclient.Client, stream string, numbers []string) {
	t.Helper()
	resp, err := vc.Raw(ctx, "getMediaForFragmentList", map[string]any{"StreamName": stream, "Fragments": numbers})
	if err != nil {
		t.Fatalf("GetMediaForFragmentList: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GetMediaForFragmentList: %d %v: %.300s", resp.StatusCode, err, body)
	}
	r := mkv.NewReader(bytes.NewReader(body), mkv.ReaderOptions{})
	for i, n := range numbers {
		c, err := r.Next()
		if err != nil {
			t.Fatalf("GetMediaForFragmentList: fragment %s (%d of %d): %v", n, i+1, len(numbers), err)
		}
		h, err := r.Header()
		if err != nil {
			t.Fatal(err)
		}
		tag := ""
		for _, tg := range c.Tags {
			if tg.Name == mkv.TagFragmentNumber {
				tag = tg.Value
			}
		}
		frames := 0
		for _, f := range c.Frames {
			if tr := h.Track(f.Track); tr != nil && tr.Type == mkv.TrackTypeVideo {
				frames++
			}
		}
		if tag != n || frames != framesPerFragment || !c.StartsWithKeyframe() {
			t.Fatalf("GetMediaForFragmentList: fragment %s came back as %s with %d video frames (want %d), keyframe first %v",
				n, tag, frames, framesPerFragment, c.StartsWithKeyframe())
		}
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("GetMediaForFragmentList: after %d fragments: %v", len(numbers), err)
	}
}

// compareNumbers compares two decimal fragment numbers.
func compareNumbers(a, b string) int {
	x, okx := new(big.Int).SetString(a, 10)
	y, oky := new(big.Int).SetString(b, 10)
	if !okx || !oky {
		return strings.Compare(a, b)
	}
	return x.Cmp(y)
}

// keys returns the fragment numbers of m in increasing order.
func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, compareNumbers)
	return out
}
