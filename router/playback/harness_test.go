package playback

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinesin/kinesin/internal/mkv"
	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/video"
	"github.com/kinesin/kinesin/router/videostore"
	"github.com/nats-io/nats.go"
)

// testResolver resolves the streams a test registered, as router/video does.
type testResolver struct {
	mu      sync.Mutex
	streams map[string]videostore.StreamRef
}

func (r *testResolver) add(ref videostore.StreamRef) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.streams == nil {
		r.streams = map[string]videostore.StreamRef{}
	}
	r.streams[ref.Name] = ref
}

func (r *testResolver) Resolve(_ context.Context, name, arn string) (videostore.StreamRef, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "" && arn == "" {
		return videostore.StreamRef{}, video.ErrInvalidArgument.New("Either StreamName or StreamARN must be specified.")
	}
	for _, ref := range r.streams {
		if (name == "" || ref.Name == name) && (arn == "" || ref.ARN == arn) {
			return ref, nil
		}
	}
	return videostore.StreamRef{}, video.ErrResourceNotFound.New("The requested stream is not found or not active.")
}

// env is one kinesin process's playback: a videostore, a Service and a
// router.Server on a shared NATS server.
type env struct {
	t        testing.TB
	nc       *nats.Conn
	store    *videostore.Store
	svc      *Service
	srv      *router.Server
	url      string
	resolver *testResolver
	clock    *clock // the Service's
}

// newEnvs starts a JetStream server and n processes on it.
func newEnvs(t testing.TB, n int) []*env {
	t.Helper()
	ns, _ := natstest.Start(t, true)
	res := &testResolver{}
	out := make([]*env, n)
	for i := range out {
		nc, err := nats.Connect(ns.ClientURL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		out[i] = startEnv(t, nc, res)
	}
	return out
}

func startEnv(t testing.TB, nc *nats.Conn, res *testResolver) *env {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	store, err := videostore.Open(ctx, nc, videostore.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	srv := router.New(router.Config{Listen: "127.0.0.1:0", Logger: log})
	e := &env{t: t, nc: nc, store: store, srv: srv, resolver: res}
	svc, err := New(ctx, nc, store, res, Config{Logger: log, Endpoint: func() string { return e.url }})
	if err != nil {
		t.Fatal(err)
	}
	e.svc, e.clock = svc, &clock{}
	svc.now = e.clock.now
	svc.Register(srv)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	e.url = "http://" + srv.Addr()
	return e
}

// createStream registers a stream with the resolver and the store.
func (e *env) createStream(name string, retention time.Duration) videostore.StreamRef {
	e.t.Helper()
	ref := videostore.StreamRef{ID: "id-" + name, Name: name, Status: "ACTIVE", MediaType: "video/h264", Retention: retention,
		ARN: "arn:aws:kinesisvideo:us-east-1:000000000000:stream/" + name + "/1700000000000"}
	if err := e.store.Create(context.Background(), ref.ID, retention); err != nil {
		e.t.Fatal(err)
	}
	e.resolver.add(ref)
	return ref
}

// call POSTs in as JSON to op and returns the status, body and error type.
func (e *env) call(op string, in any) (int, []byte, string) {
	e.t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := http.Post(e.url+"/"+op, "application/json", bytes.NewReader(b))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, out, resp.Header.Get("x-amzn-ErrorType")
}

// sessionURL calls op (getHLSStreamingSessionURL or
// getDASHStreamingSessionURL) and returns the URL, failing the test on an error.
func (e *env) sessionURL(op string, in map[string]any) string {
	e.t.Helper()
	status, body, code := e.call(op, in)
	if status != 200 {
		e.t.Fatalf("%s: %d %s %s", op, status, code, body)
	}
	var out map[string]string
	if err := json.Unmarshal(body, &out); err != nil {
		e.t.Fatal(err)
	}
	for _, v := range out {
		return v
	}
	e.t.Fatalf("%s: no URL in %s", op, body)
	return ""
}

// get GETs u and returns the status, body and error type.
func get(t *testing.T, u string) (int, []byte, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b, resp.Header.Get("x-amzn-ErrorType")
}

func needFFmpeg(t testing.TB) {
	t.Helper()
	for _, bin := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is needed: %v", bin, err)
			}
			t.Skipf("%s not installed", bin)
		}
	}
}

// makeMKV encodes seconds of 320x180 30 fps test video (with AAC audio when
// audio) into an MKV of one cluster per 1 s GOP.
func makeMKV(t *testing.T, seconds int, audio bool) string {
	t.Helper()
	needFFmpeg(t)
	out := filepath.Join(t.TempDir(), "src.mkv")
	args := []string{"-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=30"}
	if audio {
		args = append(args, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100")
	}
	args = append(args, "-t", strconv.Itoa(seconds), "-c:v", "libx264", "-g", "30", "-keyint_min", "30",
		"-sc_threshold", "0", "-pix_fmt", "yuv420p")
	if audio {
		args = append(args, "-c:a", "aac", "-b:a", "32k", "-ac", "1")
	}
	args = append(args, "-f", "matroska", "-cluster_time_limit", "1100", "-y", out)
	if b, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, b)
	}
	return out
}

// clusters reads an MKV file's clusters and the header of each.
func clusters(t testing.TB, file string) ([]*mkv.Header, []*mkv.Cluster) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := mkv.NewReader(f, mkv.ReaderOptions{})
	var hs []*mkv.Header
	var cs []*mkv.Cluster
	for {
		c, err := r.Next()
		if err == io.EOF {
			return hs, cs
		}
		if err != nil {
			t.Fatal(err)
		}
		h, err := r.Header()
		if err != nil {
			t.Fatal(err)
		}
		hs, cs = append(hs, h), append(cs, c)
	}
}

// appendCluster stores c as a fragment whose producer timestamp is base
// plus the cluster's timecode and whose server timestamp is serverLag later.
func (e *env) appendCluster(id string, h *mkv.Header, c *mkv.Cluster, base time.Time, serverLag time.Duration, session string) videostore.Fragment {
	e.t.Helper()
	ts := base.Add(time.Duration(c.Timecode) * time.Duration(h.TimecodeScale))
	frag, err := e.store.Append(context.Background(), id, videostore.Fragment{
		ProducerTimestamp: ts, ServerTimestamp: ts.Add(serverLag), Session: session, Keyframe: c.StartsWithKeyframe(),
	}, h, c)
	if err != nil {
		e.t.Fatal(err)
	}
	return frag
}

// appendMKV stores every cluster of the MKV file (see appendCluster).
func (e *env) appendMKV(id, file string, base time.Time, serverLag time.Duration, session string) []videostore.Fragment {
	e.t.Helper()
	hs, cs := clusters(e.t, file)
	var out []videostore.Fragment
	for i := range cs {
		out = append(out, e.appendCluster(id, hs[i], cs[i], base, serverLag, session))
	}
	return out
}

// probe is what ffprobe reports of a URL or file.
type probe struct {
	Streams []struct {
		CodecType    string `json:"codec_type"`
		CodecName    string `json:"codec_name"`
		Width        int    `json:"width"`
		Height       int    `json:"height"`
		NbReadFrames string `json:"nb_read_frames"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
}

func (p probe) video(t *testing.T) (frames, width, height int) {
	t.Helper()
	for _, s := range p.Streams {
		if s.CodecType == "video" {
			n, _ := strconv.Atoi(s.NbReadFrames)
			return n, s.Width, s.Height
		}
	}
	t.Fatalf("no video stream in %+v", p)
	return
}

func (p probe) duration() float64 {
	d, _ := strconv.ParseFloat(p.Format.Duration, 64)
	return d
}

func ffprobe(t *testing.T, src string) probe {
	t.Helper()
	cmd := exec.Command("ffprobe", "-v", "error", "-count_frames", "-show_streams", "-show_format", "-of", "json", src)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", src, err, stderr.String())
	}
	var p probe
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// decodeClean decodes src with ffmpeg and fails on anything it reports.
func decodeClean(t *testing.T, src string) {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", src, "-f", "null", "-").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("ffmpeg decoding %s: %v\n%s", src, err, out)
	}
}

// epoch renders t as the SDKs send timestamps: epoch seconds.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }
