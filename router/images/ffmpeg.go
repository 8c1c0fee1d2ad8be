package images

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kinesin/kinesin/internal/mkv"
)

// maxOutputBytes bounds what one ffmpeg process may write (images of one
// page).
const maxOutputBytes = 512 << 20

// startError is a failure to run ffmpeg at all (as opposed to media it
// cannot decode).
type startError struct{ err error }

func (e *startError) Error() string { return "images: starting ffmpeg: " + e.err.Error() }
func (e *startError) Unwrap() error { return e.err }

// ffmpegArgs builds the command line: the MKV on stdin, decoded with the
// input timestamps kept (-copyts) so that the select filter can pick the
// frames by their presentation time in milliseconds; showinfo reports the
// pts of every frame that passes, in output order, on stderr.
func ffmpegArgs(req *request, want []int64) []string {
	var sel strings.Builder
	sel.WriteString("select='")
	for i, pts := range want {
		if i > 0 {
			sel.WriteByte('+')
		}
		fmt.Fprintf(&sel, `eq(pts\,%d)`, pts)
	}
	sel.WriteString("',showinfo")
	switch {
	case req.width > 0 && req.height > 0:
		fmt.Fprintf(&sel, ",scale=%d:%d", req.width, req.height)
	case req.width > 0:
		fmt.Fprintf(&sel, ",scale=%d:-1", req.width)
	case req.height > 0:
		fmt.Fprintf(&sel, ",scale=-1:%d", req.height)
	}
	args := []string{"-hide_banner", "-nostats", "-loglevel", "info",
		"-copyts", "-f", "matroska", "-i", "pipe:0",
		"-map", "0:v:0", "-an", "-sn", "-dn",
		"-vf", sel.String(), "-vsync", "0", "-f", "image2pipe"}
	if req.format == FormatPNG {
		args = append(args, "-c:v", "png", "-pix_fmt", "rgb24")
	} else {
		args = append(args, "-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-q:v", strconv.Itoa(qscale(req.quality)))
	}
	return append(args, "pipe:1")
}

// qscale maps JPEGQuality 1..100 (100 best) to ffmpeg's mjpeg -q:v 31..2
// (2 best).
func qscale(quality int) int {
	return 2 + ((100-quality)*29+49)/99
}

// ffmpegRun decodes clusters (one segment with hdr) and returns the images
// of the frames whose pts (ms) are in want.
func (s *Service) ffmpegRun(ctx context.Context, ffmpeg string, req *request, hdr *mkv.Header, clusters []*mkv.Cluster, want []int64) (map[int64][]byte, error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.sem }()

	cmd := exec.CommandContext(ctx, ffmpeg, ffmpegArgs(req, want)...)
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, &startError{err}
	}
	var out limitedBuffer
	out.max = maxOutputBytes
	log := &stderrLog{}
	cmd.Stdout = &out
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		return nil, &startError{err}
	}
	werr := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				werr <- fmt.Errorf("images: writing ffmpeg input: panic: %v", p)
			}
		}()
		bw := bufio.NewWriterSize(stdin, 256<<10)
		w := mkv.NewWriter(bw)
		err := w.WriteHeader(hdr)
		for _, c := range clusters {
			if err != nil {
				break
			}
			err = w.WriteCluster(c)
		}
		if err == nil {
			err = bw.Flush()
		}
		if cerr := stdin.Close(); err == nil {
			err = cerr
		}
		werr <- err
	}()
	err = cmd.Wait()
	if wErr := <-werr; err == nil && wErr != nil && !errors.Is(wErr, io.ErrClosedPipe) {
		err = fmt.Errorf("images: writing ffmpeg input: %w", wErr)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	got := map[int64][]byte{}
	imgs, serr := split(out.Bytes(), req.format)
	pts := log.pts
	for i := 0; i < len(imgs) && i < len(pts); i++ {
		got[pts[i]] = imgs[i]
	}
	switch {
	case err != nil:
		return got, fmt.Errorf("images: ffmpeg: %w: %s", err, log.tail())
	case out.over:
		return got, fmt.Errorf("images: ffmpeg wrote more than %d bytes", maxOutputBytes)
	case serr != nil:
		return got, fmt.Errorf("images: ffmpeg output: %w", serr)
	case len(imgs) != len(pts):
		return got, fmt.Errorf("images: ffmpeg wrote %d images for %d frames: %s", len(imgs), len(pts), log.tail())
	}
	return got, nil
}

// limitedBuffer keeps up to max bytes and drops the rest (so that ffmpeg
// never blocks on a full pipe).
type limitedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		b.over = true
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// showinfoRE matches the first line showinfo logs for each frame.
var showinfoRE = regexp.MustCompile(`\] n:\s*\d+ pts:\s*(-?\d+)`)

// stderrLog reads ffmpeg's stderr: the pts of the frames showinfo saw, and
// the last lines of everything else for error messages.
type stderrLog struct {
	partial []byte
	pts     []int64
	lines   []string
}

const tailLines = 12

func (l *stderrLog) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			if len(l.partial) < 4096 {
				l.partial = append(l.partial, p...)
			}
			break
		}
		l.line(string(append(l.partial, p[:i]...)))
		l.partial = l.partial[:0]
		p = p[i+1:]
	}
	return n, nil
}

func (l *stderrLog) line(s string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return
	}
	if strings.Contains(s, "Parsed_showinfo") {
		if m := showinfoRE.FindStringSubmatch(s); m != nil {
			if v, err := strconv.ParseInt(m[1], 10, 64); err == nil {
				l.pts = append(l.pts, v)
			}
		}
		return
	}
	l.lines = append(l.lines, s)
	if len(l.lines) > tailLines {
		l.lines = l.lines[len(l.lines)-tailLines:]
	}
}

func (l *stderrLog) tail() string {
	if len(l.partial) > 0 {
		l.line(string(l.partial))
		l.partial = nil
	}
	return strings.Join(l.lines, "; ")
}
