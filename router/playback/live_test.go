package playback

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestLivePlayer plays a LIVE HLS session (the defaults: server
// timestamps, fMP4, a discontinuity between fragments) with ffmpeg while
// fragments keep arriving: ffmpeg must follow the playlist past the
// fragments that existed when it started and decode without a complaint.
func TestLivePlayer(t *testing.T) {
	needFFmpeg(t)
	e := newEnvs(t, 1)[0]
	src := makeMKV(t, 6, false)
	ref := e.createStream("live", time.Hour)
	hs, cs := clusters(t, src)
	base := time.Now().Add(-3 * time.Second).Truncate(time.Millisecond)
	for i := range 3 {
		e.appendCluster(ref.ID, hs[i], cs[i], base, 0, "s")
	}
	u := e.sessionURL("getHLSStreamingSessionURL", map[string]any{"StreamName": "live"})
	// ffmpeg goes through a proxy that tells when it first reads the
	// media playlist: the live source starts then.
	target, _ := url.Parse(e.url)
	var playlists atomic.Int32
	proxy := httputil.NewSingleHostReverseProxy(target)
	ps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "getHLSMediaPlaylist.m3u8") {
			playlists.Add(1)
		}
		proxy.ServeHTTP(w, r)
	}))
	defer ps.Close()
	u = ps.URL + strings.TrimPrefix(u, e.url)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// ffmpeg starts 3 fragments from the live edge; 4.5 s of output needs
	// fragments that are stored after it started.
	cmd := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-i", u, "-t", "4.5", "-f", "null", "-")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for playlists.Load() == 0 {
		select {
		case err := <-done:
			t.Fatalf("ffmpeg ended before reading the playlist: %v\n%s", err, out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	// The camera: one 1 s fragment a second.
	camera := time.NewTicker(time.Second)
	defer camera.Stop()
	var err error
	ended := false
	for i := 3; i < len(cs) && !ended; i++ {
		select {
		case err = <-done: // done once it has played 4.5 s: more than the 3 s there at the start
			ended = true
		case <-camera.C:
			e.appendCluster(ref.ID, hs[i], cs[i], base, 0, "s")
		}
	}
	if !ended {
		err = <-done
	}
	if err != nil || strings.TrimSpace(out.String()) != "" {
		t.Errorf("ffmpeg: %v\n%s", err, out.String())
	}
}
