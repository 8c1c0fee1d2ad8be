//go:build unix

package images

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/mkv"
)

// fakeFFmpeg writes a shell script that stands in for ffmpeg.
func fakeFFmpeg(t *testing.T, script string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ffmpeg")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

var testHeader = &mkv.Header{DocType: "matroska", TimecodeScale: mkv.DefaultTimecodeScale,
	Tracks: []mkv.Track{{Number: 1, Type: mkv.TrackTypeVideo, CodecID: "V_MPEG4/ISO/AVC", Video: &mkv.Video{PixelWidth: 16, PixelHeight: 16}}}}

func TestFFmpegStderrInError(t *testing.T) {
	s := New(nil, nil, Config{})
	ff := fakeFFmpeg(t, "cat >/dev/null; echo 'pipe:0: Invalid data found when processing input' >&2; exit 1")
	_, err := s.ffmpegRun(t.Context(), ff, &request{format: FormatJPEG, quality: 80}, testHeader,
		[]*mkv.Cluster{{Frames: []mkv.Frame{{Track: 1, Keyframe: true, Data: []byte{0, 0, 0, 1, 0x65}}}}}, []int64{0})
	if err == nil || !strings.Contains(err.Error(), "Invalid data found when processing input") {
		t.Fatalf("error %v, want ffmpeg's stderr in it", err)
	}
}

// TestFFmpegKilledWithRequest checks that ffmpeg does not outlive the
// request's context.
func TestFFmpegKilledWithRequest(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	ff := fakeFFmpeg(t, "echo $$ > '"+pidFile+"'; exec sleep 60")
	s := New(nil, nil, Config{Concurrency: 1})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() { // cancel once the fake ffmpeg runs
		defer cancel()
		for range 1000 {
			if b, err := os.ReadFile(pidFile); err == nil && strings.HasSuffix(string(b), "\n") {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	start := time.Now()
	_, err := s.ffmpegRun(ctx, ff, &request{format: FormatPNG}, testHeader, nil, []int64{0})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want the context's", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("returned after %v", d)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Fatalf("ffmpeg (pid %d) still runs", pid)
	}
	// The semaphore slot was given back.
	select {
	case s.sem <- struct{}{}:
		<-s.sem
	default:
		t.Fatal("semaphore slot not released")
	}
}
