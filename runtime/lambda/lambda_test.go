package lambda_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/runtime/lambda"
)

// codeDir holds the lambda-noop example built as a bootstrap.
var codeDir string

func TestMain(m *testing.M) {
	if os.Getenv("LAMBDA_TEST_RAW_RUNTIME") == "1" {
		rawRuntime()
		return
	}
	dir, err := os.MkdirTemp("", "lambda-noop")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(dir, "bootstrap"),
		"github.com/kinesin/kinesin/examples/functions/lambda-noop")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build lambda-noop:", err)
		os.Exit(1)
	}
	codeDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func newEngine(t testing.TB) *lambda.Engine {
	t.Helper()
	e, err := lambda.New(lambda.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(context.Background()) })
	return e
}

func function(name string) *engine.Function {
	return &engine.Function{
		Name: name, Version: "$LATEST", Runtime: "provided.al2023", Handler: "bootstrap",
		ARN:      "arn:aws:lambda:us-east-1:123456789012:function:" + name,
		CodeDir:  codeDir,
		MemoryMB: 256, Timeout: 10 * time.Second, Region: "us-east-1", AccountID: "123456789012",
	}
}

func invoke(t testing.TB, e *lambda.Engine, fn *engine.Function, payload string) engine.Result {
	t.Helper()
	res, err := e.Invoke(context.Background(), fn, engine.Invocation{Payload: []byte(payload)})
	if err != nil {
		t.Fatalf("invoke %s: %v", payload, err)
	}
	return res
}

type errDoc struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

func functionError(t *testing.T, res engine.Result) errDoc {
	t.Helper()
	if res.FunctionError != "Unhandled" {
		t.Fatalf("FunctionError = %q, payload %s; want Unhandled", res.FunctionError, res.Payload)
	}
	var d errDoc
	if err := json.Unmarshal(res.Payload, &d); err != nil {
		t.Fatalf("error payload %s: %v", res.Payload, err)
	}
	return d
}

type who struct{ Pid, StartNs, EndNs int64 }

func whoami(t *testing.T, e *lambda.Engine, fn *engine.Function, sleepMs int) who {
	t.Helper()
	res := invoke(t, e, fn, fmt.Sprintf(`{"who":true,"sleepMs":%d}`, sleepMs))
	var w who
	if res.FunctionError != "" || json.Unmarshal(res.Payload, &w) != nil {
		t.Fatalf("who: %s %s", res.FunctionError, res.Payload)
	}
	return w
}

// checkFor polls cond until it holds or d passes.
func checkFor(t *testing.T, d time.Duration, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not a wait for the condition
	}
}

// children lists the live processes whose parent is this test.
func children() []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	self := strconv.Itoa(os.Getpid())
	for _, ent := range ents {
		pid, err := strconv.Atoi(ent.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", ent.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) > 1 && f[1] == self && f[0] != "Z" {
			out = append(out, pid)
		}
	}
	return out
}

func processGone(pid int64) error {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	if s := string(b); strings.Contains(s[strings.LastIndexByte(s, ')'):], ") Z") {
		return nil
	}
	return fmt.Errorf("process %d still running", pid)
}

func TestEcho(t *testing.T) {
	e := newEngine(t)
	fn := function("echo")
	for _, p := range []string{`{"hello":"world"}`, `[1,2,3]`, `"text"`} {
		res := invoke(t, e, fn, p)
		if res.FunctionError != "" || string(res.Payload) != p {
			t.Errorf("invoke %s = %s %s", p, res.FunctionError, res.Payload)
		}
	}
}

func TestFunctionError(t *testing.T) {
	e := newEngine(t)
	fn := function("fails")
	d := functionError(t, invoke(t, e, fn, `{"error":"bad input"}`))
	if d.ErrorMessage != "bad input" || d.ErrorType != "errorString" {
		t.Errorf("error = %+v", d)
	}
	// A panic is reported by the runtime, which then exits; the next
	// invocation gets a fresh process.
	d = functionError(t, invoke(t, e, fn, `{"panic":"boom"}`))
	if d.ErrorMessage != "boom" {
		t.Errorf("panic = %+v", d)
	}
	if res := invoke(t, e, fn, `{"ok":1}`); res.FunctionError != "" {
		t.Errorf("after panic: %s %s", res.FunctionError, res.Payload)
	}
}

func TestTimeout(t *testing.T) {
	e := newEngine(t)
	fn := function("slow")
	fn.Timeout = 300 * time.Millisecond
	first := whoami(t, e, fn, 0)
	d := functionError(t, invoke(t, e, fn, `{"sleepMs":5000}`))
	if !strings.HasSuffix(d.ErrorMessage, "Task timed out after 0.30 seconds") {
		t.Errorf("timeout message = %q", d.ErrorMessage)
	}
	checkFor(t, 2*time.Second, func() error { return processGone(first.Pid) })
	if second := whoami(t, e, fn, 0); second.Pid == first.Pid {
		t.Errorf("the timed-out process %d served again", first.Pid)
	}
}

func TestCrash(t *testing.T) {
	e := newEngine(t)
	fn := function("crash")
	first := whoami(t, e, fn, 0)
	d := functionError(t, invoke(t, e, fn, `{"exit":3}`))
	if d.ErrorType != "Runtime.ExitError" || !strings.Contains(d.ErrorMessage, "Runtime exited with error: exit status 3") {
		t.Errorf("crash = %+v", d)
	}
	if second := whoami(t, e, fn, 0); second.Pid == first.Pid {
		t.Errorf("the crashed process %d served again", first.Pid)
	}
}

func TestInitError(t *testing.T) {
	e := newEngine(t)
	fn := function("initerr")
	fn.Environment = map[string]string{"NOOP_INIT_ERROR": "no config"}
	for range 2 { // each invocation tries a fresh process
		res := invoke(t, e, fn, `{}`)
		d := functionError(t, res)
		if d.ErrorType != "Runtime.NoopInitError" || d.ErrorMessage != "no config" {
			t.Errorf("init error = %+v", d)
		}
		if !strings.Contains(string(res.Logs), "init failing: no config") {
			t.Errorf("init logs = %q", res.Logs)
		}
	}
	fn = function("initexit")
	fn.Environment = map[string]string{"NOOP_INIT_EXIT": "4"}
	d := functionError(t, invoke(t, e, fn, `{}`))
	if d.ErrorType != "Runtime.ExitError" || !strings.Contains(d.ErrorMessage, "exit status 4") {
		t.Errorf("init exit = %+v", d)
	}
}

func TestConcurrentProcesses(t *testing.T) {
	e := newEngine(t)
	fn := function("parallel")
	fn.Concurrency = 4
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		runs []who
	)
	for range 4 {
		wg.Go(func() {
			w := whoami(t, e, fn, 1500) // long enough to overlap on a loaded machine
			mu.Lock()
			runs = append(runs, w)
			mu.Unlock()
		})
	}
	wg.Wait()
	pids := map[int64]bool{}
	var lastStart, firstEnd int64 = 0, 1 << 62
	for _, r := range runs {
		pids[r.Pid] = true
		lastStart, firstEnd = max(lastStart, r.StartNs), min(firstEnd, r.EndNs)
	}
	if len(pids) != 4 {
		t.Errorf("ran on %d processes, want 4: %+v", len(pids), runs)
	}
	if lastStart >= firstEnd {
		t.Errorf("invocations did not overlap: %+v", runs)
	}
	// A fifth concurrent caller waits for a free process: still 4.
	var more sync.WaitGroup
	for range 8 {
		more.Go(func() {
			w := whoami(t, e, fn, 50)
			mu.Lock()
			pids[w.Pid] = true
			mu.Unlock()
		})
	}
	more.Wait()
	if len(pids) != 4 {
		t.Errorf("%d processes served, want the 4 warm ones", len(pids))
	}
}

func TestEnvironment(t *testing.T) {
	e := newEngine(t)
	fn := function("env")
	fn.Environment = map[string]string{"GREETING": "hi"}
	names := []string{"GREETING", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION", "AWS_DEFAULT_REGION", "_HANDLER",
		"LAMBDA_TASK_ROOT", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_EXECUTION_ENV", "AWS_ACCESS_KEY_ID",
		"AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_LOG_STREAM_NAME"}
	q, _ := json.Marshal(map[string]any{"env": names})
	res := invoke(t, e, fn, string(q))
	var got map[string]string
	if err := json.Unmarshal(res.Payload, &got); err != nil {
		t.Fatalf("%s: %v", res.Payload, err)
	}
	want := map[string]string{
		"GREETING": "hi", "AWS_LAMBDA_FUNCTION_NAME": "env", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256", "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
		"_HANDLER": "bootstrap", "LAMBDA_TASK_ROOT": codeDir, "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/env",
		"AWS_EXECUTION_ENV": "AWS_Lambda_provided.al2023",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_LOG_STREAM_NAME"} {
		if got[k] == "" {
			t.Errorf("%s is empty", k)
		}
	}
}

func TestLogs(t *testing.T) {
	e := newEngine(t)
	fn := function("logs")
	for i := range 20 { // output of one invocation never leaks into the next
		msg := fmt.Sprintf("line %d", i)
		res := invoke(t, e, fn, fmt.Sprintf(`{"log":%q}`, msg))
		if got, want := string(res.Logs), msg+"\nerr: "+msg+"\n"; got != want {
			t.Fatalf("logs = %q, want %q", got, want)
		}
	}
	res := invoke(t, e, fn, `{"log":"before error","error":"x"}`)
	if !strings.Contains(string(res.Logs), "before error") {
		t.Errorf("error logs = %q", res.Logs)
	}
}

func TestInvokeBatchKinesis(t *testing.T) {
	e := newEngine(t)
	fn := function("batch")
	now := time.Now()
	b := engine.Batch{
		Context: engine.BatchContext{FunctionName: "batch", ShardID: "shardId-000000000000",
			StreamARN: "arn:aws:kinesis:us-east-1:123456789012:stream/s"},
		Records: []engine.Record{
			{SequenceNumber: "1", PartitionKey: "a", ArrivalTime: now, Data: []byte("ok")},
			{SequenceNumber: "2", PartitionKey: "b", ArrivalTime: now, Data: []byte("fail")},
			{SequenceNumber: "3", PartitionKey: "c", ArrivalTime: now, Data: []byte("ok")},
		},
	}
	res, err := e.InvokeBatch(context.Background(), fn, b)
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != "" || !slices.Equal(res.Failed, []string{"2"}) {
		t.Errorf("result = %+v", res)
	}
	if len(res.Records) != 3 || res.Records[1].Status != engine.ProcessingFailed || res.Records[0].Status != engine.Ok {
		t.Errorf("records = %+v", res.Records)
	}

	b.Context.Window = &engine.Window{Start: now.Truncate(time.Minute), End: now.Truncate(time.Minute).Add(time.Minute)}
	b.Context.State = []byte(`{"count":"4"}`)
	res, err = e.InvokeBatch(context.Background(), fn, b)
	if err != nil {
		t.Fatal(err)
	}
	if string(res.State) != `{"count":"7"}` || !slices.Equal(res.Failed, []string{"2"}) {
		t.Errorf("window result = %+v state %s", res, res.State)
	}

	res, err = e.InvokeBatch(context.Background(), fn, engine.Batch{Records: []engine.Record{
		{SequenceNumber: "9", Data: []byte(`{"error":"whole batch"}`)}}})
	if err != nil || res.FunctionError != "" {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestInvokeBatchFirehose(t *testing.T) {
	e := newEngine(t)
	fn := function("transform")
	b := engine.Batch{Records: []engine.Record{
		{RecordID: "r1", PartitionKey: "k1", Data: []byte("hello")},
		{RecordID: "r2", PartitionKey: "k2", Data: []byte("drop")},
		{RecordID: "r3", PartitionKey: "k3", Data: []byte("fail")},
	}}
	res, err := e.InvokeBatch(context.Background(), fn, b)
	if err != nil {
		t.Fatal(err)
	}
	want := []engine.Status{engine.Ok, engine.Dropped, engine.ProcessingFailed}
	for i, r := range res.Records {
		if r.Status != want[i] {
			t.Errorf("record %d status %d, want %d", i, r.Status, want[i])
		}
	}
	if string(res.Records[0].Data) != "HELLO" || res.Records[0].PartitionKeys["pk"] != "k1" {
		t.Errorf("record 0 = %+v", res.Records[0])
	}
}

func TestEvictAndClose(t *testing.T) {
	e, err := lambda.New(lambda.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	a, b := function("a"), function("b")
	wa, wb := whoami(t, e, a, 0), whoami(t, e, b, 0)
	e.Evict("a")
	checkFor(t, 2*time.Second, func() error { return processGone(wa.Pid) })
	if err := processGone(wb.Pid); err == nil {
		t.Errorf("evicting a stopped b's process")
	}
	if w := whoami(t, e, a, 0); w.Pid == wa.Pid {
		t.Errorf("evicted process served again")
	}
	// Busy processes too: Close stops them and leaves no child behind.
	go e.Invoke(context.Background(), b, engine.Invocation{Payload: []byte(`{"sleepMs":5000}`)})
	checkFor(t, 2*time.Second, func() error {
		if n := len(children()); n < 2 {
			return fmt.Errorf("%d children", n)
		}
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if kids := children(); len(kids) != 0 {
		t.Errorf("children after Close: %v", kids)
	}
	if _, err := e.Invoke(context.Background(), a, engine.Invocation{Payload: []byte(`{}`)}); err == nil {
		t.Errorf("Invoke after Close succeeded")
	}
}

func TestValidate(t *testing.T) {
	e := newEngine(t)
	if err := e.Validate(context.Background(), function("ok")); err != nil {
		t.Errorf("valid package: %v", err)
	}
	empty := t.TempDir()
	fn := function("none")
	fn.CodeDir = empty
	if err := e.Validate(context.Background(), fn); err == nil || !strings.Contains(err.Error(), "no bootstrap") {
		t.Errorf("missing bootstrap: %v", err)
	}
	os.WriteFile(filepath.Join(empty, "bootstrap"), []byte("#!/bin/sh\n"), 0o644)
	if err := e.Validate(context.Background(), fn); err == nil || !strings.Contains(err.Error(), "not executable") {
		t.Errorf("non-executable bootstrap: %v", err)
	}
}
