package video

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	kv "github.com/aws/aws-sdk-go-v2/service/kinesisvideo"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kinesin/kinesin/internal/mkv"
	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/videostore"
)

// env is one service on a real router.Server and a real JetStream.
type env struct {
	t     testing.TB
	svc   *Service
	store *videostore.Store
	url   string
	kv    *kv.Client
	reg   *prometheus.Registry
}

func newEnv(t testing.TB, tune ...func(*Service)) *env {
	t.Helper()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	nc := natstest.Conn(t)
	ctx := context.Background()
	store, err := videostore.Open(ctx, nc, videostore.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	srv := router.New(router.Config{Listen: "127.0.0.1:0", Logger: log})
	reg := prometheus.NewRegistry()
	svc, err := New(ctx, nc, store, Config{Logger: log, Endpoint: func() string { return "http://" + srv.Addr() }}, NewMetrics(reg))
	if err != nil {
		t.Fatal(err)
	}
	svc.idleAck, svc.idleTags = 300*time.Millisecond, 300*time.Millisecond
	for _, f := range tune {
		f(svc)
	}
	svc.Register(srv)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		svc.Close()
		store.Close()
	})
	url := "http://" + srv.Addr()
	client := kv.New(kv.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), RetryMaxAttempts: 1})
	return &env{t: t, svc: svc, store: store, url: url, kv: client, reg: reg}
}

// eventually polls cond until it holds or timeout passes.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// create makes an ACTIVE stream and returns its ARN.
func (e *env) create(name string) string {
	e.t.Helper()
	out, err := e.kv.CreateStream(context.Background(), &kv.CreateStreamInput{StreamName: aws.String(name), MediaType: aws.String("video/h264")})
	if err != nil {
		e.t.Fatal(err)
	}
	eventually(e.t, 10*time.Second, name+" ACTIVE", func() bool {
		d, err := e.kv.DescribeStream(context.Background(), &kv.DescribeStreamInput{StreamName: aws.String(name)})
		return err == nil && d.StreamInfo.Status == "ACTIVE"
	})
	return *out.StreamARN
}

// post sends a JSON data-plane request.
func (e *env) post(op string, in any) *http.Response {
	e.t.Helper()
	b, _ := json.Marshal(in)
	resp, err := http.Post(e.url+"/"+op, "application/json", bytes.NewReader(b))
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

// call sends a JSON request and decodes a 200 answer into out, or returns
// the error code and status.
func (e *env) call(op string, in, out any) (code string, status int) {
	e.t.Helper()
	resp := e.post(op, in)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return resp.Header.Get("x-amzn-ErrorType"), resp.StatusCode
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s: %v: %s", op, err, b)
		}
	}
	return "", 200
}

type testAck struct {
	EventType        string
	FragmentTimecode int64
	FragmentNumber   string
	ErrorId          int
}

// putSession is a PutMedia request under way.
type putSession struct {
	resp *http.Response
	dec  *json.Decoder
	pw   *io.PipeWriter
}

// putMedia starts PutMedia with body read from the returned pipe writer
// (chunked, as producers send it).
func (e *env) putMedia(name string, headers map[string]string) (*putSession, error) {
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", e.url+"/putMedia", pr)
	req.Header.Set("x-amzn-stream-name", name)
	req.Header.Set("x-amzn-fragment-timecode-type", "RELATIVE")
	req.Header.Set("x-amzn-producer-start-timestamp", strconv.FormatFloat(float64(time.Now().UnixMilli())/1000, 'f', 3, 64))
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	type result struct {
		resp *http.Response
		err  error
	}
	got := make(chan result, 1)
	go func() {
		// A new connection: the router streams a stream route's body only
		// on a connection that starts with it (on a reused one it reads
		// the body whole first, and this helper sends the body only once
		// the response headers are in).
		resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
		got <- result{resp, err}
	}()
	// The response headers come before the body is read; the request body
	// is written by the caller meanwhile.
	select {
	case r := <-got:
		if r.err != nil {
			pw.Close()
			return nil, r.err
		}
		return &putSession{resp: r.resp, dec: json.NewDecoder(bufio.NewReader(r.resp.Body)), pw: pw}, nil
	case <-time.After(10 * time.Second):
		pw.Close()
		return nil, errors.New("no PutMedia response headers")
	}
}

// next returns the next acknowledgement that is not IDLE.
func (p *putSession) next() (testAck, error) {
	for {
		var a testAck
		if err := p.dec.Decode(&a); err != nil {
			return a, err
		}
		if a.EventType != "IDLE" {
			return a, nil
		}
	}
}

func (p *putSession) close() {
	p.pw.Close()
	p.resp.Body.Close()
}

// putAll uploads data in one session and returns every acknowledgement
// but IDLE ones, until the server ends the response.
func (e *env) putAll(name string, data []byte, headers map[string]string) []testAck {
	e.t.Helper()
	s, err := e.putMedia(name, headers)
	if err != nil {
		e.t.Fatal(err)
	}
	defer s.close()
	if s.resp.StatusCode != 200 {
		b, _ := io.ReadAll(s.resp.Body)
		e.t.Fatalf("PutMedia: %d %s", s.resp.StatusCode, b)
	}
	if !s.resp.Close {
		e.t.Fatal("PutMedia's connection stays open for another request")
	}
	go func() {
		_, _ = s.pw.Write(data)
		s.pw.Close()
	}()
	var acks []testAck
	for {
		a, err := s.next()
		if err == io.EOF {
			return acks
		}
		if err != nil {
			e.t.Fatalf("acks: %v (after %v)", err, acks)
		}
		acks = append(acks, a)
	}
}

// checkAcks checks that each fragment is acknowledged BUFFERING, RECEIVED,
// PERSISTED in that order, with increasing fragment numbers, and returns
// the numbers.
func checkAcks(t testing.TB, acks []testAck, fragments int) []string {
	t.Helper()
	state := map[int64]string{}
	var numbers []string
	for _, a := range acks {
		switch a.EventType {
		case "BUFFERING":
			if state[a.FragmentTimecode] != "" {
				t.Fatalf("BUFFERING twice for %d: %+v", a.FragmentTimecode, acks)
			}
		case "RECEIVED":
			if state[a.FragmentTimecode] != "BUFFERING" {
				t.Fatalf("RECEIVED before BUFFERING for %d: %+v", a.FragmentTimecode, acks)
			}
		case "PERSISTED":
			if state[a.FragmentTimecode] != "RECEIVED" {
				t.Fatalf("PERSISTED before RECEIVED for %d: %+v", a.FragmentTimecode, acks)
			}
			if a.FragmentNumber == "" {
				t.Fatalf("PERSISTED without a number: %+v", a)
			}
			if n := len(numbers); n > 0 && !numberLess(numbers[n-1], a.FragmentNumber) {
				t.Fatalf("fragment numbers not increasing: %v then %s", numbers, a.FragmentNumber)
			}
			numbers = append(numbers, a.FragmentNumber)
		default:
			t.Fatalf("unexpected ack %+v", a)
		}
		state[a.FragmentTimecode] = a.EventType
	}
	if len(numbers) != fragments {
		t.Fatalf("%d fragments persisted, want %d: %+v", len(numbers), fragments, acks)
	}
	return numbers
}

func numberLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// clusters counts the clusters of an MKV file.
func clusters(t testing.TB, data []byte) (n, frames int) {
	t.Helper()
	r := mkv.NewReader(bytes.NewReader(data), mkv.ReaderOptions{})
	for {
		c, err := r.Next()
		if err == io.EOF {
			return n, frames
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		frames += len(c.Frames)
	}
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../internal/mkv/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// needFFmpeg skips (or, on CI, fails) a test when ffmpeg or ffprobe is
// missing.
func needFFmpeg(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s not found", tool)
			}
			t.Skipf("%s not found", tool)
		}
	}
}

// ffmpegEpoch is where ffmpegMKV's timestamps start, in seconds since the
// epoch, as ABSOLUTE producers write them.
const ffmpegEpoch = 1700000000

// ffmpegMKV makes seconds of 320x180 H.264 test video as MKV with a
// cluster per 1 s GOP.
func ffmpegMKV(t *testing.T, seconds int) []byte {
	t.Helper()
	needFFmpeg(t)
	out := t.TempDir() + "/in.mkv"
	cmd := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=30", "-t", strconv.Itoa(seconds),
		"-c:v", "libx264", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-pix_fmt", "yuv420p",
		"-output_ts_offset", strconv.Itoa(ffmpegEpoch), "-f", "matroska", "-cluster_time_limit", "1100", "-y", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ffprobeGOPs returns the span in milliseconds (first to last packet pts)
// of each keyframe-started group of packets of an MKV file, as ffprobe
// sees it.
func ffprobeGOPs(t *testing.T, data []byte) []int64 {
	t.Helper()
	f := t.TempDir() + "/probe.mkv"
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-show_packets", "-show_entries", "packet=pts,flags", "-of", "csv=p=0", f).Output()
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	var spans []int64
	var lo, hi int64
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		parts := strings.Split(line, ",")
		pts, err := strconv.ParseInt(parts[0], 10, 64)
		if err != nil {
			t.Fatalf("ffprobe line %q", line)
		}
		if strings.HasPrefix(parts[1], "K") {
			if len(spans) > 0 || hi > 0 {
				spans = append(spans, hi-lo)
			}
			lo, hi = pts, pts
			continue
		}
		lo, hi = min(lo, pts), max(hi, pts)
	}
	return append(spans, hi-lo)
}

func errCode(err error) string {
	var api interface{ ErrorCode() string }
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return fmt.Sprint(err)
}
