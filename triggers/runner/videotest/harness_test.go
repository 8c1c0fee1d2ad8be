package videotest_test

// The harness: one NATS server per test; a fragment store, a stream
// resolver, a function registry with the WebAssembly engine, the mapping
// API, and runners ("processes") sharing them.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kinesin/kinesin/functions"
	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/internal/mkv"
	"github.com/kinesin/kinesin/internal/natstest"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/router/shardstore"
	"github.com/kinesin/kinesin/router/videostore"
	"github.com/kinesin/kinesin/runtime/wasm"
	"github.com/kinesin/kinesin/triggers/lease"
	"github.com/kinesin/kinesin/triggers/mappings"
	"github.com/kinesin/kinesin/triggers/reader"
	"github.com/kinesin/kinesin/triggers/runner"
)

const (
	region   = "us-east-1"
	account  = "000000000000"
	endpoint = "http://kinesin.test:4567"
	wait     = 20 * time.Second
)

var ctx = context.Background()

// wasmCache is the WebAssembly engine's compilation cache shared by every
// test, so that the probe is compiled once.
var wasmCache string

func TestMain(m *testing.M) {
	var err error
	if wasmCache, err = os.MkdirTemp("", "videotest-wasm-cache-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(wasmCache)
	os.Exit(code)
}

// probeCode is testdata/videoprobe built as WebAssembly once.
var probeCode struct {
	sync.Once
	code []byte
	err  error
}

func probe(t *testing.T) []byte {
	t.Helper()
	probeCode.Do(func() {
		// As `kinesin functions deploy` builds a Go function for wasm.
		out := filepath.Join(wasmCache, "videoprobe.wasm")
		cmd := exec.Command("go", "build", "-buildmode=c-shared", "-trimpath", "-buildvcs=false", "-o", out, ".")
		cmd.Dir = filepath.Join("..", "testdata", "videoprobe")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		if log, err := cmd.CombinedOutput(); err != nil {
			probeCode.err = fmt.Errorf("%w\n%s", err, log)
			return
		}
		probeCode.code, probeCode.err = os.ReadFile(out)
	})
	if probeCode.err != nil {
		t.Fatalf("build testdata/videoprobe: %v", probeCode.err)
	}
	return probeCode.code
}

// ---------------------------------------------------------------- resolver

// resolver is the test's videostore.Resolver: streams by name.
type resolver struct {
	mu      sync.Mutex
	streams map[string]videostore.StreamRef
}

func (r *resolver) Resolve(_ context.Context, name, arn string) (videostore.StreamRef, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ref := range r.streams {
		if (name == "" || ref.Name == name) && (arn == "" || ref.ARN == arn) {
			return ref, nil
		}
	}
	return videostore.StreamRef{}, awserr.Kind{Code: "ResourceNotFoundException", Status: 404}.New("The requested stream is not found or not active.")
}

// ---------------------------------------------------------------- functions

// invocation is one call a function got.
type invocation struct {
	Records []record
}

type record struct {
	EventSource    string `json:"eventSource"`
	EventSourceARN string `json:"eventSourceARN"`
	EventName      string `json:"eventName"`
	EventVersion   string `json:"eventVersion"`
	AWSRegion      string `json:"awsRegion"`
	EventID        string `json:"eventID"`
	KinesisVideo   struct {
		StreamName                   string  `json:"streamName"`
		FragmentNumber               string  `json:"fragmentNumber"`
		ProducerTimestamp            float64 `json:"producerTimestamp"`
		ServerTimestamp              float64 `json:"serverTimestamp"`
		FragmentLengthInMilliseconds int64   `json:"fragmentLengthInMilliseconds"`
		FragmentSizeInBytes          int64   `json:"fragmentSizeInBytes"`
		DataEndpoint                 string  `json:"dataEndpoint"`
	} `json:"kinesisVideo"`
}

// recorder is the runners' Functions: the real registry, recording each
// event it passes on, by function.
type recorder struct {
	*functions.Service
	mu    sync.Mutex
	calls map[string][]invocation
	raw   map[string][][]byte
}

func (r *recorder) Invoke(ctx context.Context, name, qualifier string, payload []byte) ([]byte, string, error) {
	var inv invocation
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	err := dec.Decode(&inv)
	r.mu.Lock()
	if err != nil {
		inv.Records = append(inv.Records, record{EventID: "UNDECODABLE: " + err.Error()})
	}
	r.calls[name] = append(r.calls[name], inv)
	r.raw[name] = append(r.raw[name], append([]byte(nil), payload...))
	r.mu.Unlock()
	return r.Service.Invoke(ctx, name, qualifier, payload)
}

// calls returns what function name got so far.
func (e *env) calls(name string) []invocation {
	e.fns.mu.Lock()
	defer e.fns.mu.Unlock()
	return append([]invocation(nil), e.fns.calls[name]...)
}

// ---------------------------------------------------------------- destinations

// destinations records on-failure records.
type destinations struct {
	mu   sync.Mutex
	recs map[string][][]byte
}

func (d *destinations) PutRecord(_ context.Context, arn, key string, data []byte) (string, string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.recs[arn] = append(d.recs[arn], append([]byte(nil), data...))
	return "shardId-000000000000", "1", nil
}

func (e *env) onFailure(arn string) [][]byte {
	e.dest.mu.Lock()
	defer e.dest.mu.Unlock()
	return append([][]byte(nil), e.dest.recs[arn]...)
}

// ---------------------------------------------------------------- env

// registrar captures the routes a service registers.
type registrar map[string]router.Handler

func (r registrar) HandlePath(_, prefix string, h router.Handler) { r[prefix] = h }

// env is one test's kinesin: shared storage and services, and processes.
type env struct {
	t       *testing.T
	nc      *nats.Conn
	js      jetstream.JetStream
	video   *videostore.Store
	kinesis *shardstore.Store
	streams *resolver
	fns     *recorder
	dest    *destinations
	maps    *mappings.Store
	routes  registrar
	// first is the first process's runner: the API's.
	first *runner.Runner
	n     atomic.Int32
}

func newEnv(t *testing.T) *env {
	t.Helper()
	_, nc := natstest.Start(t, false)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, nc: nc, js: js, streams: &resolver{streams: map[string]videostore.StreamRef{}},
		dest: &destinations{recs: map[string][][]byte{}}, routes: registrar{}}
	if e.video, err = videostore.Open(ctx, nc, videostore.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.video.Close)
	if e.kinesis, err = shardstore.Open(ctx, nc, shardstore.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.kinesis.Close)
	eng, err := wasm.New(wasm.Config{CacheDir: wasmCache, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Close(context.Background()) })
	reg, err := functions.New(js, functions.Engines{functions.EngineWasm: eng}, functions.Config{
		Region: region, AccountID: account, CodeDir: t.TempDir(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	reg.Register(e.routes)
	e.fns = &recorder{Service: reg, calls: map[string][]invocation{}, raw: map[string][][]byte{}}
	if e.maps, err = mappings.OpenStore(ctx, js, 0); err != nil {
		t.Fatal(err)
	}
	e.first = e.process(t)
	api := mappings.New(e.maps, mappings.Config{
		Region: region, AccountID: account, Streams: e.kinesis, VideoStreams: e.streams,
		Functions: reg, Runner: e.first, Logger: quiet(),
	})
	api.Register(e.routes)
	return e
}

func quiet() *slog.Logger {
	level := slog.LevelError
	if os.Getenv("KINESIN_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// process starts a runner, as one more kinesin process would; it is closed
// at the end of the test (or earlier by the test: Close is idempotent).
func (e *env) process(t *testing.T) *runner.Runner {
	t.Helper()
	leases, err := lease.Open(ctx, e.js, lease.Options{Owner: fmt.Sprintf("p%d", e.n.Add(1)), TTL: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	cps, err := reader.OpenCheckpoints(ctx, e.js, reader.CheckpointOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := runner.New(runner.Config{
		Streams: e.kinesis, Mappings: e.maps, Checkpoints: cps, Leases: leases,
		Functions: e.fns, Destinations: e.dest, Region: region, AccountID: account,
		Video: e.video, VideoStreams: e.streams, DataEndpoint: func() string { return endpoint },
		Logger: quiet(),
	})
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// call sends one API request to the captured routes.
func (e *env) call(method, path string, body any) (int, []byte) {
	e.t.Helper()
	resp := e.serve(method, path, body)
	return resp.Status, resp.Body
}

// serve sends one API request to the captured routes and returns the
// response.
func (e *env) serve(method, path string, body any) *router.Response {
	e.t.Helper()
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			e.t.Fatal(err)
		}
	}
	for prefix, h := range e.routes {
		if path == prefix || strings.HasPrefix(path, prefix+"/") {
			return h.Serve(&router.Request{Ctx: ctx, Method: method, Path: path, Body: b,
				Header: func(string) string { return "" }})
		}
	}
	e.t.Fatalf("no route for %s", path)
	return nil
}

// function deploys the probe with environment vars and waits until it is
// Active; it returns its name.
func (e *env) function(t *testing.T, name string, vars map[string]string) string {
	t.Helper()
	status, body := e.call("POST", "/2015-03-31/functions", map[string]any{
		"FunctionName": name, "Runtime": "wasm", "Handler": "handle", "Timeout": 30,
		"Role":        "arn:aws:iam::" + account + ":role/probe",
		"Code":        map[string]any{"ZipFile": base64.StdEncoding.EncodeToString(probe(t))},
		"Environment": map[string]any{"Variables": vars},
	})
	if status != 201 {
		t.Fatalf("CreateFunction %s: %d %s", name, status, body)
	}
	eventually(t, 2*time.Minute, "function "+name+" Active", func() bool {
		_, body := e.call("GET", "/2015-03-31/functions/"+name+"/configuration", nil)
		var c struct{ State string }
		_ = json.Unmarshal(body, &c)
		if c.State == "Failed" {
			t.Fatalf("function %s failed: %s", name, body)
		}
		return c.State == "Active"
	})
	return name
}

// videoStream creates a stream's storage and makes it resolvable; it
// returns its ARN.
func (e *env) videoStream(t *testing.T, name string) string {
	t.Helper()
	ref := videostore.StreamRef{
		ID: "id_" + name, Name: name, ARN: "arn:aws:kinesisvideo:" + region + ":" + account + ":stream/" + name + "/1700000000000",
		MediaType: "video/h264", Status: "ACTIVE", Retention: 24 * time.Hour,
	}
	if err := e.video.Create(ctx, ref.ID, ref.Retention); err != nil {
		t.Fatal(err)
	}
	e.streams.mu.Lock()
	e.streams.streams[name] = ref
	e.streams.mu.Unlock()
	return ref.ARN
}

// deleteVideoStream deletes a stream (its followers end) and forgets it.
func (e *env) deleteVideoStream(t *testing.T, name string) {
	t.Helper()
	e.streams.mu.Lock()
	ref := e.streams.streams[name]
	delete(e.streams.streams, name)
	e.streams.mu.Unlock()
	if err := e.video.Delete(ctx, ref.ID); err != nil {
		t.Fatal(err)
	}
}

// kinesisStream creates a Kinesis stream (an on-failure destination) and
// returns its ARN.
func (e *env) kinesisStream(t *testing.T, name string) string {
	t.Helper()
	st := &shardstore.Stream{Name: name, Status: shardstore.StatusActive, RetentionHours: 24, Created: time.Now(),
		Shards: []shardstore.Shard{{Index: 0}}, NextShard: 1}
	if err := e.kinesis.Create(ctx, st); err != nil {
		t.Fatal(err)
	}
	return "arn:aws:kinesis:" + region + ":" + account + ":stream/" + name
}

// ---------------------------------------------------------------- media

// fixture is internal/mkv/testdata/video.mkv read once: its header and
// clusters (each a fragment).
var fixture struct {
	sync.Once
	h        *mkv.Header
	clusters []*mkv.Cluster
	err      error
}

func clusters(t *testing.T) (*mkv.Header, []*mkv.Cluster) {
	t.Helper()
	fixture.Do(func() {
		f, err := os.Open(filepath.Join("..", "..", "..", "internal", "mkv", "testdata", "video.mkv"))
		if err != nil {
			fixture.err = err
			return
		}
		defer f.Close()
		r := mkv.NewReader(f, mkv.ReaderOptions{})
		if fixture.h, err = r.Header(); err != nil {
			fixture.err = err
			return
		}
		for {
			c, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				fixture.err = err
				return
			}
			fixture.clusters = append(fixture.clusters, c)
		}
	})
	if fixture.err != nil {
		t.Fatalf("read video.mkv: %v", fixture.err)
	}
	return fixture.h, fixture.clusters
}

// producerBase is the producer time of the first fragment appended.
var producerBase = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// appendFragments appends n fragments to stream name (the fixture's
// clusters, cycled) and returns them as stored.
func (e *env) appendFragments(t *testing.T, name string, n int) []videostore.Fragment {
	t.Helper()
	h, cs := clusters(t)
	e.streams.mu.Lock()
	ref := e.streams.streams[name]
	e.streams.mu.Unlock()
	first, last, err := e.video.Bounds(ctx, ref.ID)
	if err != nil {
		t.Fatal(err)
	}
	_ = first
	out := make([]videostore.Fragment, 0, n)
	for i := range n {
		k := int(last) + i
		// Server timestamps are compared in milliseconds (AT_TIMESTAMP):
		// each fragment gets a millisecond of its own.
		for len(out) > 0 && time.Now().UnixMilli() <= out[len(out)-1].ServerTimestamp.UnixMilli() {
			time.Sleep(100 * time.Microsecond)
		}
		f, err := e.video.Append(ctx, ref.ID, videostore.Fragment{
			ProducerTimestamp: producerBase.Add(time.Duration(k) * time.Second),
			Session:           "s1", Keyframe: true,
		}, h, cs[k%len(cs)])
		if err != nil {
			t.Fatalf("append fragment %d: %v", k, err)
		}
		out = append(out, f)
	}
	return out
}

// ---------------------------------------------------------------- mappings

// createMapping creates a mapping through the API; fields are added to
// FunctionName and EventSourceArn. It returns the mapping's UUID.
func (e *env) createMapping(t *testing.T, fn, source string, fields map[string]any) string {
	t.Helper()
	in := map[string]any{"FunctionName": fn, "EventSourceArn": source}
	for k, v := range fields {
		in[k] = v
	}
	status, body := e.call("POST", mappings.Path, in)
	if status != 202 {
		t.Fatalf("CreateEventSourceMapping: %d %s", status, body)
	}
	var c mappings.Configuration
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	return c.UUID
}

func (e *env) mapping(t *testing.T, id string) mappings.Configuration {
	t.Helper()
	status, body := e.call("GET", mappings.Path+"/"+id, nil)
	var c mappings.Configuration
	if err := json.Unmarshal(body, &c); status != 200 || err != nil {
		t.Fatalf("GetEventSourceMapping %s: %d %s", id, status, body)
	}
	return c
}

// delivered is every fragment number fn got, in call order (retries
// included).
func (e *env) delivered(fn string) []string {
	var out []string
	for _, inv := range e.calls(fn) {
		for _, r := range inv.Records {
			out = append(out, r.EventID)
		}
	}
	return out
}

// awaitDelivered waits until fn got exactly want (in order), and checks
// that nothing more comes soon after.
func (e *env) awaitDelivered(t *testing.T, fn string, want []videostore.Fragment) {
	t.Helper()
	numbers := make([]string, len(want))
	for i, f := range want {
		numbers[i] = f.Number
	}
	eventually(t, wait, fmt.Sprintf("%s gets %d fragments", fn, len(want)), func() bool {
		return len(e.delivered(fn)) >= len(numbers)
	})
	got := e.delivered(fn)
	if strings.Join(got, ",") != strings.Join(numbers, ",") {
		t.Fatalf("%s got fragments\n %v\nwant\n %v", fn, got, numbers)
	}
}

func numbers(fs []videostore.Fragment) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Number
	}
	return out
}

// eventually polls cond until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
