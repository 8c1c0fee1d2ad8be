package runner_test

// Shared helpers of the event source mapping end-to-end tests: a real
// kinesin server, the probe function (testdata/probe) deployed as a Lambda
// bootstrap and as WebAssembly, mappings created through the Lambda API, and
// readers of what the probe saw and of on-failure destinations.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/kinesin/kinesin/internal/pipeline"
	"github.com/kinesin/kinesin/internal/server"
	"github.com/kinesin/kinesin/internal/testutil"
)

const (
	region  = "us-east-1"
	account = "000000000000"
	// unit is the servers' TriggerTimeUnit: one "second" of
	// MaximumRecordAgeInSeconds and TumblingWindowInSeconds.
	unit = 10 * time.Millisecond
	// wait bounds every wait for something the runner should do promptly.
	wait = 10 * time.Second
	// marker starts every line the probe emits (testdata/probe.Marker).
	marker = "PROBE "
)

// Function kinds: the probe as a Lambda bootstrap and as WebAssembly.
const (
	kindLambda = "lambda"
	kindWasm   = "wasm"
)

var ctx = context.Background()

// ---------------------------------------------------------------- servers

// wasmCache is wazero's compilation cache shared by every server of the
// test binary, so that the probe's WebAssembly module is compiled once,
// not once per server (see dataDir).
var wasmCache string

func TestMain(m *testing.M) {
	var err error
	if wasmCache, err = os.MkdirTemp("", "runner-e2e-wasm-cache-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(wasmCache)
	os.Exit(code)
}

// dataDir is a fresh data dir whose compilation cache
// (DataDir/cache/wasm, internal/server/functions.go) is wasmCache. Should
// the layout change, servers just compile the probe again.
func dataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "cache"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(wasmCache, filepath.Join(dir, "cache", "wasm")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// config is the server configuration of these tests.
func config(dataDir string) server.Config {
	level := slog.LevelWarn
	if os.Getenv("KINESIN_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	return server.Config{
		Listen: "127.0.0.1:0", DataDir: dataDir,
		LeaseTTL: time.Second, TriggerTimeUnit: unit,
		Logger: slog.New(&captureHandler{inner: slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}), level: level}),
	}
}

// captured holds the probe lines the WebAssembly engine logged, by
// function name. The wasm engine logs a guest's output line by line at
// Info with a "function" attribute: reading it there is synchronous and
// does not depend on the function log stream (which TestMappingLogs
// checks on its own).
var captured struct {
	sync.Mutex
	lines map[string][]string
}

// captureHandler takes probe lines out of the server's log and passes the
// rest on.
type captureHandler struct {
	inner slog.Handler
	level slog.Level
	attrs []slog.Attr
}

func (h *captureHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || h.inner.Enabled(ctx, l)
}

func (h *captureHandler) Handle(ctx context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, marker) {
		fn := ""
		for _, a := range h.attrs {
			if a.Key == "function" {
				fn = a.Value.String()
			}
		}
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "function" {
				fn = a.Value.String()
			}
			return true
		})
		captured.Lock()
		if captured.lines == nil {
			captured.lines = map[string][]string{}
		}
		captured.lines[fn] = append(captured.lines[fn], r.Message)
		captured.Unlock()
		return nil
	}
	if r.Level < h.level {
		return nil
	}
	return h.inner.Handle(ctx, r)
}

func (h *captureHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &captureHandler{inner: h.inner.WithAttrs(as), level: h.level, attrs: append(slices.Clip(h.attrs), as...)}
}

func (h *captureHandler) WithGroup(name string) slog.Handler {
	return &captureHandler{inner: h.inner.WithGroup(name), level: h.level, attrs: h.attrs}
}

// env is a server and its clients.
type env struct {
	url string
	kin *kinesis.Client
	lam *lambda.Client
}

func newEnv(url string) *env {
	return &env{
		url: url,
		kin: testutil.Kinesis(url),
		lam: lambda.New(lambda.Options{
			Region: region, BaseEndpoint: aws.String(url),
			Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
			Retryer:     testutil.ConnRetryer(),
		}),
	}
}

// startEnv starts a server for one test (stopped at its end). Each test
// has its own, so that a runner stuck on one test's mapping cannot fail
// the others.
func startEnv(t *testing.T) *env {
	t.Helper()
	e, _ := ownServer(t, dataDir(t))
	return e
}

// ownServer starts a server on dataDir; stop stops it (once; it also runs
// at cleanup). A server that does not stop within 20 s is reported and
// left behind, so that the other tests still run and report.
func ownServer(t *testing.T, dataDir string) (e *env, stop func()) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	s, err := server.Start(c, config(dataDir))
	if err != nil {
		t.Fatalf("start kinesin on %s: %v", dataDir, err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			if err := closeServer(s); errors.Is(err, errCloseTimeout) {
				t.Error(err)
			} else if err != nil {
				t.Logf("close kinesin: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return newEnv(s.URL()), stop
}

var errCloseTimeout = errors.New("kinesin's Close did not return within 20s; left running")

// closeServer closes s, giving up after 20 s.
func closeServer(s *server.Server) error {
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Close(c) }()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		return errCloseTimeout
	}
}

// raceEnabled is set by e2e_race_test.go under the race detector, where
// compiling and running the WebAssembly probe takes minutes.
var raceEnabled bool

// forKinds runs f as parallel subtests, once per function kind.
func forKinds(t *testing.T, f func(t *testing.T, e *env, kind string)) {
	t.Helper()
	t.Parallel()
	e := startEnv(t)
	for _, kind := range []string{kindLambda, kindWasm} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			if kind == kindWasm && raceEnabled {
				t.Skip("WebAssembly guests take minutes under -race")
			}
			f(t, e, kind)
		})
	}
}

// names makes resource names unique in a test binary.
var names atomic.Int64

func uniqueName(label string) string {
	return fmt.Sprintf("%s-%d", label, names.Add(1))
}

// ---------------------------------------------------------------- streams

func streamARN(name string) string {
	return "arn:aws:kinesis:" + region + ":" + account + ":stream/" + name
}

// stream creates a stream of n shards and returns its name.
func (e *env) stream(t *testing.T, label string, shards int32) string {
	t.Helper()
	name := uniqueName(label)
	testutil.CreateStream(t, e.kin, name, shards)
	t.Cleanup(func() {
		e.kin.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name), EnforceConsumerDeletion: aws.Bool(true)})
	})
	return name
}

// shardIDs lists a stream's shards.
func (e *env) shardIDs(t *testing.T, stream string) []string {
	t.Helper()
	out, err := e.kin.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatalf("ListShards %s: %v", stream, err)
	}
	var ids []string
	for _, s := range out.Shards {
		ids = append(ids, aws.ToString(s.ShardId))
	}
	return ids
}

// put is one record put: where it went.
type put struct {
	ID, Key, Seq, Shard string
	At                  time.Time // when the put returned
}

// msg is a record's data: the probe's commands plus an id.
type msg map[string]any

func (m msg) id() string { s, _ := m["id"].(string); return s }

// putOne puts one record with PutRecord.
func (e *env) putOne(t *testing.T, stream, key string, m msg) put {
	t.Helper()
	data, _ := json.Marshal(m)
	out, err := e.kin.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), PartitionKey: aws.String(key), Data: data})
	if err != nil {
		t.Fatalf("PutRecord %s: %v", stream, err)
	}
	return put{ID: m.id(), Key: key, Seq: aws.ToString(out.SequenceNumber), Shard: aws.ToString(out.ShardId), At: time.Now()}
}

// entry is one record of putMany.
type entry struct {
	Key  string
	Msg  msg
	Hash string // ExplicitHashKey, optional
	Raw  []byte // data as is instead of Msg
}

// putMany puts records with one PutRecords request (so they are stored
// together and usually read as one batch), retrying records that failed
// before returning, so that per-key order is the order of entries.
func (e *env) putMany(t *testing.T, stream string, entries []entry) []put {
	t.Helper()
	res := make([]put, len(entries))
	todo := make([]int, len(entries))
	for i := range todo {
		todo[i] = i
	}
	for attempt := 0; len(todo) > 0; attempt++ {
		if attempt == 50 {
			t.Fatalf("PutRecords %s: records still failing after %d attempts", stream, attempt)
		}
		in := &kinesis.PutRecordsInput{StreamName: aws.String(stream)}
		for _, i := range todo {
			en := entries[i]
			data := en.Raw
			if data == nil {
				data, _ = json.Marshal(en.Msg)
			}
			r := ktypes.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String(en.Key)}
			if en.Hash != "" {
				r.ExplicitHashKey = aws.String(en.Hash)
			}
			in.Records = append(in.Records, r)
		}
		out, err := e.kin.PutRecords(ctx, in)
		if err != nil {
			t.Fatalf("PutRecords %s: %v", stream, err)
		}
		var again []int
		for j, r := range out.Records {
			i := todo[j]
			if r.ErrorCode != nil {
				again = append(again, i)
				continue
			}
			res[i] = put{ID: entries[i].Msg.id(), Key: entries[i].Key, Seq: aws.ToString(r.SequenceNumber), Shard: aws.ToString(r.ShardId), At: time.Now()}
		}
		todo = again
	}
	return res
}

// readStream reads every record of a stream (all shards, from
// TRIM_HORIZON, until caught up).
func (e *env) readStream(t *testing.T, stream string) []ktypes.Record {
	t.Helper()
	var all []ktypes.Record
	for _, shard := range e.shardIDs(t, stream) {
		it, err := e.kin.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
			StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon,
		})
		if err != nil {
			t.Fatalf("GetShardIterator %s/%s: %v", stream, shard, err)
		}
		iter := it.ShardIterator
		for iter != nil {
			out, err := e.kin.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				t.Fatalf("GetRecords %s/%s: %v", stream, shard, err)
			}
			all = append(all, out.Records...)
			if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
				break
			}
			iter = out.NextShardIterator
		}
	}
	return all
}

// ---------------------------------------------------------------- probe

// probeCode is testdata/probe built once per test binary, per kind.
var probeCode struct {
	sync.Once
	lambda, wasm []byte
	err          error
}

func probe(t *testing.T, kind string) []byte {
	t.Helper()
	probeCode.Do(func() {
		var wg sync.WaitGroup
		var errL, errW error
		var logL, logW bytes.Buffer
		wg.Add(2)
		go func() {
			defer wg.Done()
			probeCode.lambda, errL = pipeline.Package(ctx, filepath.Join("testdata", "probe"), "provided.al2023", &logL)
		}()
		go func() {
			defer wg.Done()
			probeCode.wasm, errW = pipeline.Package(ctx, filepath.Join("testdata", "probe"), pipeline.RuntimeWasm, &logW)
		}()
		wg.Wait()
		if errL != nil {
			errL = fmt.Errorf("%w\n%s", errL, logL.Bytes())
		}
		if errW != nil {
			errW = fmt.Errorf("%w\n%s", errW, logW.Bytes())
		}
		probeCode.err = errors.Join(errL, errW)
	})
	if probeCode.err != nil {
		t.Fatalf("build testdata/probe: %v", probeCode.err)
	}
	if kind == kindWasm {
		warmWasm(t)
		return probeCode.wasm
	}
	return probeCode.lambda
}

// wasmWarm compiles the WebAssembly probe into wasmCache once, so that the
// servers of parallel tests load it instead of all compiling it at once.
var wasmWarm struct {
	sync.Once
	err error
}

func warmWasm(t *testing.T) {
	t.Helper()
	wasmWarm.Do(func() {
		dir, err := os.MkdirTemp("", "runner-e2e-warm-")
		if err != nil {
			wasmWarm.err = err
			return
		}
		defer os.RemoveAll(dir)
		if err := os.MkdirAll(filepath.Join(dir, "cache"), 0o755); err != nil {
			wasmWarm.err = err
			return
		}
		if err := os.Symlink(wasmCache, filepath.Join(dir, "cache", "wasm")); err != nil {
			wasmWarm.err = err
			return
		}
		c, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		cfg := config(dir)
		s, err := server.Start(c, cfg)
		if err != nil {
			wasmWarm.err = err
			return
		}
		defer closeServer(s)
		// Deploying validates, that is compiles, the module: it is done
		// once the function is Active.
		lam := newEnv(s.URL()).lam
		if _, wasmWarm.err = lam.CreateFunction(c, &lambda.CreateFunctionInput{
			FunctionName: aws.String("warm"), Role: aws.String("arn:aws:iam::" + account + ":role/probe"),
			Runtime: ltypes.Runtime("wasm"), Handler: aws.String("handle"),
			Code: &ltypes.FunctionCode{ZipFile: probeCode.wasm},
		}); wasmWarm.err != nil {
			return
		}
		wasmWarm.err = lambda.NewFunctionActiveV2Waiter(lam, func(o *lambda.FunctionActiveV2WaiterOptions) {
			o.MinDelay, o.MaxDelay = 10*time.Millisecond, 100*time.Millisecond
		}).Wait(c, &lambda.GetFunctionInput{FunctionName: aws.String("warm")}, time.Minute)
	})
	if wasmWarm.err != nil {
		t.Fatalf("compile the WebAssembly probe: %v", wasmWarm.err)
	}
}

// fn is a deployed probe.
type fn struct {
	e    *env
	kind string
	name string
	out  string // the Lambda build's output file
}

// deploy creates a probe function of the kind with extra environment
// variables and waits until it is Active.
func (e *env) deploy(t *testing.T, kind string, vars map[string]string) *fn {
	t.Helper()
	f := &fn{e: e, kind: kind, name: uniqueName("probe-" + kind)}
	env := map[string]string{"FUNC_TAG": f.name}
	for k, v := range vars {
		env[k] = v
	}
	if kind == kindLambda {
		f.out = filepath.Join(t.TempDir(), "out.jsonl")
		env["OUT"] = f.out
	}
	in := &lambda.CreateFunctionInput{
		FunctionName: aws.String(f.name),
		Role:         aws.String("arn:aws:iam::" + account + ":role/probe"),
		Code:         &ltypes.FunctionCode{ZipFile: probe(t, kind)},
		Timeout:      aws.Int32(30),
		Environment:  &ltypes.Environment{Variables: env},
	}
	if kind == kindWasm {
		in.Runtime, in.Handler = ltypes.Runtime("wasm"), aws.String("handle")
	} else {
		in.Runtime, in.Handler = ltypes.Runtime("provided.al2023"), aws.String("bootstrap")
	}
	if _, err := e.lam.CreateFunction(ctx, in); err != nil {
		t.Fatalf("CreateFunction %s: %v", f.name, err)
	}
	w := lambda.NewFunctionActiveV2Waiter(e.lam, func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 100*time.Millisecond
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(f.name)}, time.Minute); err != nil {
		t.Fatalf("wait for %s Active: %v", f.name, err)
	}
	t.Cleanup(func() { e.lam.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(f.name)}) })
	return f
}

func (f *fn) arn() string { return "arn:aws:lambda:" + region + ":" + account + ":function:" + f.name }

// invocation is one probe line (testdata/probe.Line).
type invocation struct {
	Fn             string                      `json:"fn"`
	Shard          string                      `json:"shard"`
	Seqs           []string                    `json:"seqs"`
	Keys           []string                    `json:"keys"`
	Data           []string                    `json:"data"`
	Arrivals       []int64                     `json:"arrivals"`
	Window         *struct{ Start, End int64 } `json:"window"`
	State          map[string]string           `json:"state"`
	OutState       map[string]string           `json:"outState"`
	Final          bool                        `json:"final"`
	Early          bool                        `json:"early"`
	EventSourceARN string                      `json:"eventSourceARN"`
	Fields         map[string]any              `json:"fields"`
	Failed         []string                    `json:"failed"`
	Error          string                      `json:"error"`
	T0             int64                       `json:"t0"`
	T1             int64                       `json:"t1"`
}

// ids are the ids of the invocation's records (the raw data when it has
// none).
func (v invocation) ids() []string {
	out := make([]string, len(v.Data))
	for i, d := range v.Data {
		var m msg
		if json.Unmarshal([]byte(d), &m) == nil && m.id() != "" {
			out[i] = m.id()
		} else {
			out[i] = d
		}
	}
	return out
}

func (v invocation) has(id string) bool { return slices.Contains(v.ids(), id) }

func (v invocation) String() string {
	w := ""
	if v.Window != nil {
		w = fmt.Sprintf(" window=[%d,%d) state=%v out=%v final=%v early=%v", v.Window.Start, v.Window.End, v.State, v.OutState, v.Final, v.Early)
	}
	e := ""
	if v.Error != "" {
		e = " ERROR"
	}
	if len(v.Failed) > 0 {
		e += fmt.Sprintf(" failed=%v", v.Failed)
	}
	return fmt.Sprintf("%s %v%s%s", v.Shard, v.ids(), w, e)
}

// invocations is what the probe reported so far, in the order it wrote
// it.
func (f *fn) invocations(t *testing.T) []invocation {
	t.Helper()
	var text []byte
	if f.kind == kindLambda {
		b, err := os.ReadFile(f.out)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		// A line still being written is read next time.
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			text = b[:i+1]
		} else {
			text = nil
		}
	} else {
		captured.Lock()
		text = []byte(strings.Join(captured.lines[f.name], "\n"))
		captured.Unlock()
	}
	var out []invocation
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		i := strings.Index(line, marker)
		if i < 0 {
			continue
		}
		var v invocation
		if err := json.Unmarshal([]byte(line[i+len(marker):]), &v); err != nil {
			t.Fatalf("probe line %q: %v", line, err)
		}
		out = append(out, v)
	}
	return out
}

// logs reads a function's logs (kinesin's logs endpoint, without follow).
func (f *fn) logs(t *testing.T) []byte {
	t.Helper()
	resp, err := http.Get(f.e.url + "/kinesin/v1/functions/" + f.name + "/logs")
	if err != nil {
		t.Fatalf("logs of %s: %v", f.name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("logs of %s: %v", f.name, err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("logs of %s: %s: %s", f.name, resp.Status, b)
	}
	return b
}

// await polls the probe's invocations until cond holds and returns them.
func (f *fn) await(t *testing.T, timeout time.Duration, what string, cond func([]invocation) bool) []invocation {
	t.Helper()
	var got []invocation
	deadline := time.Now().Add(timeout)
	for pause := time.Millisecond; ; pause = min(2*pause, 25*time.Millisecond) {
		got = f.invocations(t)
		if cond(got) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: timed out after %v waiting for %s; invocations so far:\n%s", f.name, timeout, what, dump(got))
		}
		time.Sleep(pause)
	}
}

// awaitIDs waits until every id was delivered at least once in an
// invocation that did not fail.
func (f *fn) awaitIDs(t *testing.T, ids ...string) []invocation {
	t.Helper()
	return f.await(t, wait, fmt.Sprintf("%d records delivered", len(ids)), func(v []invocation) bool {
		seen := delivered(v)
		for _, id := range ids {
			if seen[id] == 0 {
				return false
			}
		}
		return true
	})
}

// delivered counts how often each id reached the function in an
// invocation that succeeded.
func delivered(v []invocation) map[string]int {
	n := map[string]int{}
	for _, inv := range v {
		if inv.Error != "" {
			continue
		}
		for _, id := range inv.ids() {
			n[id]++
		}
	}
	return n
}

// seen counts how often each id reached the function at all.
func seen(v []invocation) map[string]int {
	n := map[string]int{}
	for _, inv := range v {
		for _, id := range inv.ids() {
			n[id]++
		}
	}
	return n
}

func dump(v []invocation) string {
	var b strings.Builder
	for i, inv := range v {
		fmt.Fprintf(&b, "  %2d %s\n", i, inv)
	}
	return b.String()
}

// byStart orders invocations by their start.
func byStart(v []invocation) []invocation {
	v = slices.Clone(v)
	slices.SortStableFunc(v, func(a, b invocation) int { return int(a.T0 - b.T0) })
	return v
}

// seqLess compares sequence numbers as the decimal integers they are.
func seqLess(a, b string) bool {
	x, ok1 := new(big.Int).SetString(a, 10)
	y, ok2 := new(big.Int).SetString(b, 10)
	if !ok1 || !ok2 {
		panic("not a sequence number: " + a + " " + b)
	}
	return x.Cmp(y) < 0
}

// ids makes n ids "prefix-0" … .
func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return out
}

// ---------------------------------------------------------------- mappings

// mapping creates an event source mapping (TRIM_HORIZON unless the input
// says otherwise), waits until it is Enabled and deletes it at cleanup.
func (e *env) mapping(t *testing.T, in *lambda.CreateEventSourceMappingInput) string {
	t.Helper()
	uuid := e.createMapping(t, in)
	e.awaitState(t, uuid, "Enabled")
	return uuid
}

// createMapping creates a mapping without waiting for it to be Enabled.
func (e *env) createMapping(t *testing.T, in *lambda.CreateEventSourceMappingInput) string {
	t.Helper()
	if in.StartingPosition == "" {
		in.StartingPosition = ltypes.EventSourcePositionTrimHorizon
	}
	out, err := e.lam.CreateEventSourceMapping(ctx, in)
	if err != nil {
		t.Fatalf("CreateEventSourceMapping: %v", err)
	}
	uuid := aws.ToString(out.UUID)
	t.Cleanup(func() { e.deleteMapping(t, uuid, false) })
	return uuid
}

// awaitState polls GetEventSourceMapping until the mapping is in state.
func (e *env) awaitState(t *testing.T, uuid, state string) *lambda.GetEventSourceMappingOutput {
	t.Helper()
	var last *lambda.GetEventSourceMappingOutput
	var lastErr error
	deadline := time.Now().Add(wait)
	for pause := time.Millisecond; ; pause = min(2*pause, 25*time.Millisecond) {
		last, lastErr = e.lam.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
		if lastErr == nil && aws.ToString(last.State) == state {
			return last
		}
		if time.Now().After(deadline) {
			if lastErr != nil {
				t.Fatalf("mapping %s: waiting for %s: %v", uuid, state, lastErr)
			}
			t.Fatalf("mapping %s: still %s (%s) after %v, want %s", uuid, aws.ToString(last.State), aws.ToString(last.StateTransitionReason), wait, state)
		}
		time.Sleep(pause)
	}
}

// deleteMapping deletes a mapping and waits until it is gone (the runner
// stopped it). strict reports a mapping that does not go away as an error.
func (e *env) deleteMapping(t *testing.T, uuid string, strict bool) {
	t.Helper()
	_, err := e.lam.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(uuid)})
	var nf *ltypes.ResourceNotFoundException
	if errors.As(err, &nf) {
		return
	}
	if err != nil {
		if strict {
			t.Fatalf("DeleteEventSourceMapping %s: %v", uuid, err)
		}
		t.Logf("DeleteEventSourceMapping %s: %v", uuid, err)
		return
	}
	deadline := time.Now().Add(wait)
	for pause := time.Millisecond; ; pause = min(2*pause, 25*time.Millisecond) {
		_, err := e.lam.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
		if errors.As(err, &nf) {
			return
		}
		if time.Now().After(deadline) {
			if strict {
				t.Fatalf("mapping %s still there %v after DeleteEventSourceMapping (err %v)", uuid, wait, err)
			}
			t.Errorf("mapping %s still there %v after DeleteEventSourceMapping (err %v)", uuid, wait, err)
			return
		}
		time.Sleep(pause)
	}
}

// kinesisMapping is the usual input: fn reads stream with batch size n.
func kinesisMapping(f *fn, stream string, batch int32) *lambda.CreateEventSourceMappingInput {
	return &lambda.CreateEventSourceMappingInput{
		FunctionName:   aws.String(f.name),
		EventSourceArn: aws.String(streamARN(stream)),
		BatchSize:      aws.Int32(batch),
	}
}

// onFailure sets an on-failure destination.
func onFailure(dest string) *ltypes.DestinationConfig {
	return &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(streamARN(dest))}}
}

// failureRecord is what Lambda writes to an on-failure destination for a
// stream batch.
type failureRecord struct {
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionArn            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	ResponseContext struct {
		StatusCode      int    `json:"statusCode"`
		ExecutedVersion string `json:"executedVersion"`
		FunctionError   string `json:"functionError"`
	} `json:"responseContext"`
	Version          string `json:"version"`
	Timestamp        string `json:"timestamp"`
	KinesisBatchInfo struct {
		ShardID                         string `json:"shardId"`
		StartSequenceNumber             string `json:"startSequenceNumber"`
		EndSequenceNumber               string `json:"endSequenceNumber"`
		ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
		ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
		BatchSize                       int    `json:"batchSize"`
		StreamArn                       string `json:"streamArn"`
	} `json:"KinesisBatchInfo"`
	raw string
}

// failures reads the on-failure records in dest.
func (e *env) failures(t *testing.T, dest string) []failureRecord {
	t.Helper()
	var out []failureRecord
	for _, r := range e.readStream(t, dest) {
		var f failureRecord
		if err := json.Unmarshal(r.Data, &f); err != nil {
			t.Fatalf("on-failure record %q: %v", r.Data, err)
		}
		f.raw = string(r.Data)
		out = append(out, f)
	}
	return out
}

// awaitFailures waits until dest holds at least n on-failure records.
func (e *env) awaitFailures(t *testing.T, dest string, n int) []failureRecord {
	t.Helper()
	var got []failureRecord
	testutil.Eventually(t, wait, fmt.Sprintf("%d on-failure records in %s", n, dest), func() bool {
		got = e.failures(t, dest)
		return len(got) >= n
	})
	return got
}

// checkFailureRecord checks an on-failure record against Lambda's shape
// for a Kinesis batch.
func checkFailureRecord(t *testing.T, f failureRecord, fnc *fn, stream, condition string, batch []put) {
	t.Helper()
	errorf := func(format string, args ...any) {
		t.Helper()
		t.Errorf("on-failure record %s: "+format, append([]any{f.raw}, args...)...)
	}
	rc, bi := f.RequestContext, f.KinesisBatchInfo
	if rc.Condition != condition {
		errorf("condition %q, want %q", rc.Condition, condition)
	}
	if rc.RequestID == "" {
		errorf("no requestId")
	}
	if rc.FunctionArn != fnc.arn() && !strings.HasPrefix(rc.FunctionArn, fnc.arn()+":") {
		errorf("functionArn %q, want %q", rc.FunctionArn, fnc.arn())
	}
	if f.Version != "1.0" {
		errorf("version %q, want 1.0", f.Version)
	}
	if _, err := time.Parse(time.RFC3339Nano, f.Timestamp); err != nil {
		errorf("timestamp: %v", err)
	}
	if bi.StreamArn != streamARN(stream) {
		errorf("streamArn %q, want %q", bi.StreamArn, streamARN(stream))
	}
	if len(batch) > 0 {
		if bi.ShardID != batch[0].Shard {
			errorf("shardId %q, want %q", bi.ShardID, batch[0].Shard)
		}
		if bi.StartSequenceNumber != batch[0].Seq || bi.EndSequenceNumber != batch[len(batch)-1].Seq {
			errorf("sequence numbers %s…%s, want %s…%s", bi.StartSequenceNumber, bi.EndSequenceNumber, batch[0].Seq, batch[len(batch)-1].Seq)
		}
		if bi.BatchSize != len(batch) {
			errorf("batchSize %d, want %d", bi.BatchSize, len(batch))
		}
	}
	first, err1 := time.Parse(time.RFC3339Nano, bi.ApproximateArrivalOfFirstRecord)
	last, err2 := time.Parse(time.RFC3339Nano, bi.ApproximateArrivalOfLastRecord)
	if err1 != nil || err2 != nil {
		errorf("approximate arrivals: %v %v", err1, err2)
	} else if last.Before(first) {
		errorf("approximateArrivalOfLastRecord before approximateArrivalOfFirstRecord")
	}
}
