package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesisvideo"

	"github.com/kinesin/kinesin/bench/internal/cpu"
	"github.com/kinesin/kinesin/internal/mkv"
	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/videoclient"
)

// warmup is the start of each session that is not measured.
const warmup = 2 * time.Second

type options struct {
	duration   time.Duration
	rate       float64 // bytes per second of the ingest phase
	cameras    int
	cameraBits float64 // bits per second of each camera
	phases     string
	cpuprofile string
}

func main() {
	var o options
	var rateMB float64
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "length of each phase")
	flag.Float64Var(&rateMB, "rate", 12.5, "ingest phase: MB/s of the one PutMedia session (AWS's per-stream limit is 12.5)")
	flag.IntVar(&o.cameras, "cameras", 20, "cameras phase: concurrent PutMedia sessions")
	flag.Float64Var(&o.cameraBits, "camera-mbit", 2, "cameras phase: Mbit/s of each camera")
	flag.StringVar(&o.phases, "phases", "ingest,cameras", "phases to run, comma-separated")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the run to FILE")
	flag.Parse()
	o.rate = rateMB * 1e6
	o.cameraBits *= 1e6
	if o.cpuprofile != "" {
		if f, err := os.Create(o.cpuprofile); err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "videoload:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(o options) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "videoload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("videoload %s: %d CPUs, %s, loadavg %s\n", time.Now().UTC().Format(time.RFC3339), runtime.NumCPU(), runtime.Version(), strings.TrimSpace(string(load)))
	srv, err := server.Start(ctx, server.Config{Listen: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"),
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		return err
	}
	defer srv.Close(context.Background())
	kv := kinesisvideo.New(kinesisvideo.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("x", "x", ""),
	})
	client := &videoclient.Client{Endpoint: srv.URL(), HTTP: &http.Client{}}
	for _, phase := range strings.Split(o.phases, ",") {
		switch phase {
		case "ingest":
			// 1080p noise at a fixed quantiser: about 12 MB per 1 s GOP.
			clip, err := makeClip(dir, "ingest", "testsrc2=size=1920x1080:rate=30,noise=alls=30:allf=t+u",
				"-preset", "ultrafast", "-qp", "29", "-g", "30", "-cluster_time_limit", "1100")
			if err != nil {
				return err
			}
			if err := ingest(ctx, o, kv, client, clip); err != nil {
				return fmt.Errorf("ingest: %w", err)
			}
		case "cameras":
			clip, err := makeClip(dir, "camera", "testsrc2=size=640x360:rate=30",
				"-preset", "veryfast", "-b:v", fmt.Sprint(int(o.cameraBits)), "-maxrate", fmt.Sprint(int(o.cameraBits)),
				"-bufsize", fmt.Sprint(int(o.cameraBits)), "-g", "60", "-cluster_time_limit", "2100")
			if err != nil {
				return err
			}
			if err := cameras(ctx, o, kv, client, clip); err != nil {
				return fmt.Errorf("cameras: %w", err)
			}
		default:
			return fmt.Errorf("unknown phase %q", phase)
		}
	}
	return nil
}

// clip is a short real H.264 recording, looped by the producers.
type clip struct {
	header   *mkv.Header
	clusters []*mkv.Cluster
	bytes    int64
	duration time.Duration
}

func makeClip(dir, name, source string, args ...string) (*clip, error) {
	path := filepath.Join(dir, name+".mkv")
	cmd := append([]string{"-v", "error", "-y", "-f", "lavfi", "-i", source, "-t", "4", "-c:v", "libx264",
		"-keyint_min", "30", "-sc_threshold", "0", "-bf", "0", "-pix_fmt", "yuv420p"}, args...)
	cmd = append(cmd, "-f", "matroska", path)
	if out, err := exec.Command("ffmpeg", cmd...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ffmpeg (install it: apt-get install ffmpeg): %v: %s", err, out)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := mkv.NewReader(f, mkv.ReaderOptions{})
	c := &clip{}
	for {
		cl, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		c.clusters = append(c.clusters, cl)
		c.bytes += cl.Size
	}
	if c.header, err = r.Header(); err != nil {
		return nil, err
	}
	c.duration = 4 * time.Second
	return c, nil
}

// sent is when a fragment's last byte left the producer.
type sent struct {
	timecode uint64
	at       time.Time
	bytes    int
}

// produce writes the clip's clusters in a loop to w until ctx ends,
// pacing bytes at rate (bytes/s) and giving each cluster a timecode
// (milliseconds from the start) that advances with the wall clock.
func produce(ctx context.Context, w io.Writer, c *clip, rate float64, out chan<- sent) error {
	// One writer into buf: the header goes out first, then each cluster
	// is encoded whole and paced out in pieces.
	var buf bytes.Buffer
	mw := mkv.NewWriter(&buf)
	if err := mw.WriteHeader(c.header); err != nil {
		return err
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return err
	}
	start := time.Now()
	var total float64
	for i := 0; ctx.Err() == nil; i++ {
		src := c.clusters[i%len(c.clusters)]
		cl := *src
		cl.Timecode = uint64(total / rate * 1000)
		buf.Reset()
		if err := mw.WriteCluster(&cl); err != nil {
			return err
		}
		b := buf.Bytes()
		for len(b) > 0 {
			n := min(len(b), 64<<10)
			if _, err := w.Write(b[:n]); err != nil {
				return err
			}
			b = b[n:]
			total += float64(n)
			if wait := time.Until(start.Add(time.Duration(total / rate * float64(time.Second)))); wait > 0 {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
					return nil
				}
			}
		}
		out <- sent{timecode: cl.Timecode, at: time.Now(), bytes: buf.Len()}
	}
	return nil
}

func createStream(ctx context.Context, kv *kinesisvideo.Client, name string) error {
	if _, err := kv.CreateStream(ctx, &kinesisvideo.CreateStreamInput{StreamName: aws.String(name), DataRetentionInHours: aws.Int32(1)}); err != nil {
		return err
	}
	for range 500 {
		d, err := kv.DescribeStream(ctx, &kinesisvideo.DescribeStreamInput{StreamName: aws.String(name)})
		if err == nil && d.StreamInfo.Status == "ACTIVE" {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("stream %s never became ACTIVE", name)
}

// session is one producer's PutMedia upload with its acknowledgements.
type session struct {
	// warm is when measuring starts: fragments whose last byte was sent
	// before it (the first couple of seconds: connection, stream and
	// playlist session set-up) are not counted.
	warm      time.Time
	mu        sync.Mutex
	sent      map[uint64]sent      // by timecode
	numbers   map[string]time.Time // fragment number → last byte sent
	persisted []time.Duration
	errs      []string
	bytes     int64
}

func runSession(ctx context.Context, client *videoclient.Client, stream string, c *clip, rate float64) (*session, error) {
	s := &session{sent: map[uint64]sent{}, numbers: map[string]time.Time{}, warm: time.Now().Add(warmup)}
	pr, pw := io.Pipe()
	acks, err := client.PutMedia(ctx, videoclient.PutMediaInput{StreamName: stream, TimecodeType: "RELATIVE",
		ProducerStartTimestamp: time.Now(), Body: pr})
	if err != nil {
		return nil, err
	}
	sentc := make(chan sent, 16)
	go func() {
		err := produce(ctx, pw, c, rate, sentc)
		if err != nil && ctx.Err() == nil {
			s.mu.Lock()
			s.errs = append(s.errs, "producer: "+err.Error())
			s.mu.Unlock()
		}
		close(sentc)
		pw.CloseWithError(err)
	}()
	go func() {
		for x := range sentc {
			s.mu.Lock()
			s.sent[x.timecode] = x
			s.bytes += int64(x.bytes)
			s.mu.Unlock()
		}
	}()
	go func() {
		defer acks.Close()
		for {
			a, err := acks.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) && ctx.Err() == nil {
					s.mu.Lock()
					s.errs = append(s.errs, "acknowledgements: "+err.Error())
					s.mu.Unlock()
				}
				return
			}
			now := time.Now()
			s.mu.Lock()
			switch a.EventType {
			case "PERSISTED":
				if x, ok := s.sent[uint64(a.FragmentTimecode)]; ok && x.at.After(s.warm) {
					s.persisted = append(s.persisted, now.Sub(x.at))
					s.numbers[a.FragmentNumber] = x.at
				}
			case "ERROR":
				s.errs = append(s.errs, fmt.Sprintf("fragment %d: error %d", a.FragmentTimecode, a.ErrorId))
			}
			s.mu.Unlock()
		}
	}()
	return s, nil
}

func ingest(ctx context.Context, o options, kv *kinesisvideo.Client, client *videoclient.Client, c *clip) error {
	stream := "ingest"
	if err := createStream(ctx, kv, stream); err != nil {
		return err
	}
	var hls struct{ HLSStreamingSessionURL string }
	if err := client.Call(ctx, "getHLSStreamingSessionURL", map[string]any{"StreamName": stream, "PlaybackMode": "LIVE"}, &hls); err != nil {
		// LIVE needs at least one fragment on AWS; start polling once one is in.
		hls.HLSStreamingSessionURL = ""
	}
	pctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	cpu0, t0 := cpu.Process(), time.Now()
	s, err := runSession(pctx, client, stream, c, o.rate)
	if err != nil {
		return err
	}
	live := pollPlaylist(pctx, client, stream, s)
	<-pctx.Done()
	elapsed, used := time.Since(t0), cpu.Process()-cpu0
	time.Sleep(500 * time.Millisecond) // the last acknowledgements
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Printf("\ningest: 1 PutMedia session for %v, target %.1f MB/s\n", o.duration, o.rate/1e6)
	fmt.Printf("  sent        %.1f MB/s (%d fragments of ~%.1f MB)\n", float64(s.bytes)/elapsed.Seconds()/1e6, len(s.sent), float64(s.bytes)/float64(max(1, len(s.sent)))/1e6)
	fmt.Printf("  PERSISTED   after last byte: %s\n", dist(s.persisted))
	fmt.Printf("  live HLS    in playlist after last byte: %s\n", dist(live()))
	fmt.Printf("  process CPU %.0f%% of one core (producer included)\n", 100*used.Seconds()/elapsed.Seconds())
	if len(s.errs) > 0 {
		return fmt.Errorf("%d errors, first: %s", len(s.errs), s.errs[0])
	}
	return nil
}

// pollPlaylist polls a LIVE HLS media playlist of stream every 5 ms and
// records, for each fragment number that appears, the time since its last
// byte was sent.
func pollPlaylist(ctx context.Context, client *videoclient.Client, stream string, s *session) func() []time.Duration {
	var mu sync.Mutex
	var lat []time.Duration
	seen := map[string]bool{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var media string
		for ctx.Err() == nil {
			if media == "" {
				var out struct{ HLSStreamingSessionURL string }
				if client.Call(ctx, "getHLSStreamingSessionURL", map[string]any{"StreamName": stream, "PlaybackMode": "LIVE"}, &out) == nil {
					if master, err := get(ctx, out.HLSStreamingSessionURL); err == nil {
						for _, l := range strings.Split(master, "\n") {
							if strings.HasPrefix(l, "getHLSMediaPlaylist") {
								media = out.HLSStreamingSessionURL[:strings.LastIndex(out.HLSStreamingSessionURL, "/")+1] + l
							}
						}
					}
				}
				time.Sleep(5 * time.Millisecond)
				continue
			}
			pl, err := get(ctx, media)
			now := time.Now()
			if err == nil {
				for _, l := range strings.Split(pl, "\n") {
					_, rest, ok := strings.Cut(l, "FragmentNumber=")
					if !ok {
						continue
					}
					num, _, _ := strings.Cut(rest, "&")
					if seen[num] {
						continue
					}
					seen[num] = true
					s.mu.Lock()
					at, ok := s.numbers[num]
					s.mu.Unlock()
					if ok {
						mu.Lock()
						lat = append(lat, now.Sub(at))
						mu.Unlock()
					} else {
						// Seen before its PERSISTED ack arrived: look it up again later.
						delete(seen, num)
					}
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	return func() []time.Duration {
		<-done
		mu.Lock()
		defer mu.Unlock()
		return lat
	}
}

func get(ctx context.Context, url string) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("%s: %d %s", url, resp.StatusCode, b)
	}
	return string(b), err
}

func cameras(ctx context.Context, o options, kv *kinesisvideo.Client, client *videoclient.Client, c *clip) error {
	rate := o.cameraBits / 8
	// Baseline: the same producers into a sink that discards the bytes.
	sink, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Answer at once, as PutMedia does, then read the upload.
		rc := http.NewResponseController(w)
		rc.EnableFullDuplex()
		w.WriteHeader(http.StatusOK)
		rc.Flush()
		io.Copy(io.Discard, r.Body)
	})}
	go hs.Serve(sink)
	defer hs.Close()
	base, _, err := camerasRun(ctx, o, &videoclient.Client{Endpoint: "http://" + sink.Addr().String(), HTTP: &http.Client{}}, c, rate, "")
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	for i := range o.cameras {
		if err := createStream(ctx, kv, fmt.Sprintf("camera-%d", i)); err != nil {
			return err
		}
	}
	total, sessions, err := camerasRun(ctx, o, client, c, rate, "camera-")
	if err != nil {
		return err
	}
	var persisted []time.Duration
	var errs []string
	var bytes int64
	for _, s := range sessions {
		s.mu.Lock()
		persisted = append(persisted, s.persisted...)
		errs = append(errs, s.errs...)
		bytes += s.bytes
		s.mu.Unlock()
	}
	secs := o.duration.Seconds()
	fmt.Printf("\ncameras: %d PutMedia sessions × %.1f Mbit/s for %v (%.1f MB/s in all)\n", o.cameras, o.cameraBits/1e6, o.duration, float64(bytes)/secs/1e6)
	fmt.Printf("  process CPU %.0f%% of one core; producers alone (baseline) %.0f%%; kinesin %.0f%% of one core (%.1f%% of the machine's %d)\n",
		100*total.Seconds()/secs, 100*base.Seconds()/secs, 100*(total-base).Seconds()/secs,
		100*(total-base).Seconds()/secs/float64(runtime.NumCPU()), runtime.NumCPU())
	fmt.Printf("  PERSISTED   after last byte: %s\n", dist(persisted))
	if len(errs) > 0 {
		return fmt.Errorf("%d errors, first: %s", len(errs), errs[0])
	}
	return nil
}

// camerasRun runs o.cameras paced sessions for o.duration and returns the
// process CPU they used. With prefix "", every session goes to the sink.
func camerasRun(ctx context.Context, o options, client *videoclient.Client, c *clip, rate float64, prefix string) (time.Duration, []*session, error) {
	pctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	cpu0 := cpu.Process()
	var sessions []*session
	for i := range o.cameras {
		s, err := runSession(pctx, client, fmt.Sprintf("%s%d", prefix, i), c, rate)
		if err != nil {
			return 0, nil, err
		}
		sessions = append(sessions, s)
	}
	<-pctx.Done()
	used := cpu.Process() - cpu0
	time.Sleep(500 * time.Millisecond)
	return used, sessions, nil
}

func dist(d []time.Duration) string {
	if len(d) == 0 {
		return "no samples"
	}
	d = slices.Clone(d)
	slices.Sort(d)
	q := func(p float64) time.Duration {
		return d[min(len(d)-1, int(p*float64(len(d))))].Round(100 * time.Microsecond)
	}
	return fmt.Sprintf("p50 %v  p99 %v  max %v  (n=%d)", q(0.5), q(0.99), d[len(d)-1].Round(100*time.Microsecond), len(d))
}
