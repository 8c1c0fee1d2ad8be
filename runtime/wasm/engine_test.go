package wasm

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
)

func invoke(t *testing.T, e *Engine, fn *engine.Function, payload string) (engine.Result, map[string]string) {
	t.Helper()
	res, err := e.Invoke(context.Background(), fn, engine.Invocation{RequestID: "req-1", Payload: []byte(payload)})
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	if err := json.Unmarshal(res.Payload, &body); err != nil {
		t.Fatalf("payload %q: %v", res.Payload, err)
	}
	return res, body
}

func TestInvokeJSON(t *testing.T) {
	e := newEngine(t)
	fn := function(t, "faults")
	res, body := invoke(t, e, fn, `{"echo":"hi"}`)
	if res.FunctionError != "" || body["echo"] != "hi" || body["region"] != "us-east-1" {
		t.Fatalf("got %+v %v", res, body)
	}
	res, _ = invoke(t, e, fn, `{"action":"log"}`)
	if !strings.Contains(string(res.Logs), "hello from the guest\nand from stderr\n") {
		t.Fatalf("logs %q", res.Logs)
	}
	res, _ = invoke(t, e, fn, `{}`)
	if len(res.Logs) != 0 {
		t.Fatalf("logs of a silent call: %q", res.Logs)
	}
}

func TestGuestFailures(t *testing.T) {
	e := newEngine(t)
	fn := function(t, "faults")
	for _, tc := range []struct{ action, errType, msg string }{
		{"error", "errorString", "boom"},
		{"panic", "string", "guest panicked"},
		{"trap", "Runtime.ExitError", "RequestId: req-1 Error: Runtime exited with error: exit status 3"},
		{"bogus-json", "UnmarshalTypeError", "cannot unmarshal"},
	} {
		payload := `{"action":"` + tc.action + `"}`
		if tc.action == "bogus-json" {
			payload = `{"action":1}`
		}
		res, body := invoke(t, e, fn, payload)
		if res.FunctionError != "Unhandled" || body["errorType"] != tc.errType || !strings.Contains(body["errorMessage"], tc.msg) {
			t.Errorf("%s: got %s %v", tc.action, res.FunctionError, body)
		}
	}
	// The function still works after all that.
	if _, body := invoke(t, e, fn, `{"echo":"again"}`); body["echo"] != "again" {
		t.Fatalf("after failures: %v", body)
	}
}

func TestTimeout(t *testing.T) {
	e := newEngine(t)
	fn := function(t, "faults")
	fn.Timeout = time.Second
	invoke(t, e, fn, `{}`) // compile and warm up first
	start := time.Now()
	res, body := invoke(t, e, fn, `{"action":"loop"}`)
	if res.FunctionError != "Unhandled" || body["errorType"] != "Sandbox.Timedout" ||
		body["errorMessage"] != "RequestId: req-1 Error: Task timed out after 1.00 seconds" {
		t.Fatalf("got %v", body)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
	if _, body := invoke(t, e, fn, `{"echo":"x"}`); body["echo"] != "x" {
		t.Fatalf("after timeout: %v", body)
	}
}

func TestMemoryCap(t *testing.T) {
	e := newEngine(t)
	fn := function(t, "faults")
	fn.MemoryMB = 64
	res, body := invoke(t, e, fn, `{"action":"alloc"}`)
	if res.FunctionError != "Unhandled" || body["errorType"] != "Runtime.OutOfMemory" {
		t.Fatalf("got %v, logs %q", body, res.Logs)
	}
	if _, body := invoke(t, e, fn, `{"echo":"x"}`); body["echo"] != "x" {
		t.Fatalf("after OOM: %v", body)
	}
}

func TestValidate(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	if err := e.Validate(ctx, function(t, "transform")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		code []byte
		want string
	}{
		{"garbage", []byte("not wasm at all"), "module does not compile"},
		{"empty module", []byte("\x00asm\x01\x00\x00\x00"), "missing export kinesin_abi_version; missing export kinesin_alloc; missing export kinesin_invoke; missing exported memory"},
		{"wrong abi", guest(t, "wrongabi"), "ABI version 2"},
	} {
		fn := &engine.Function{Name: tc.name, Code: tc.code}
		if err := e.Validate(ctx, fn); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}

func batchOf(data ...string) engine.Batch {
	b := engine.Batch{Context: engine.BatchContext{FunctionName: "f", ShardID: "shardId-000000000000", StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/s", Attempt: 1}}
	for i, d := range data {
		b.Records = append(b.Records, engine.Record{SequenceNumber: fmt.Sprint(i + 1), PartitionKey: "pk", ArrivalTime: time.Now(), Data: []byte(d)})
	}
	return b
}

func TestBatchTransform(t *testing.T) {
	e := newEngine(t)
	res, err := e.InvokeBatch(context.Background(), function(t, "transform"), batchOf("abc", "", "Mixed 1"))
	if err != nil {
		t.Fatal(err)
	}
	want := []engine.RecordResult{{Status: engine.Ok, Data: []byte("ABC")}, {Status: engine.Dropped}, {Status: engine.Ok, Data: []byte("MIXED 1")}}
	if res.FunctionError != "" || len(res.Records) != 3 {
		t.Fatalf("got %+v", res)
	}
	for i, w := range want {
		if g := res.Records[i]; g.Status != w.Status || string(g.Data) != string(w.Data) {
			t.Errorf("record %d: got %v %q, want %v %q", i, g.Status, g.Data, w.Status, w.Data)
		}
	}
}

func TestBatchKinesisHandler(t *testing.T) {
	e := newEngine(t)
	fn := function(t, "handler")
	res, err := e.InvokeBatch(context.Background(), fn, batchOf("ok", "fail", "ok"))
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != "" || len(res.Records) != 3 || len(res.Failed) != 1 || res.Failed[0] != "2" {
		t.Fatalf("got %+v", res)
	}
	if !strings.Contains(string(res.Logs), "failing record 2") {
		t.Fatalf("logs %q", res.Logs)
	}
	// The same handler answers a JSON KinesisEvent (kind 1).
	ev := `{"Records":[{"kinesis":{"sequenceNumber":"7","data":"ZmFpbA=="}}]}`
	r, err := e.Invoke(context.Background(), fn, engine.Invocation{Payload: []byte(ev)})
	if err != nil || r.FunctionError != "" || string(r.Payload) != `{"batchItemFailures":[{"itemIdentifier":"7"}]}` {
		t.Fatalf("JSON invoke: %v %s %s", err, r.FunctionError, r.Payload)
	}
}

func TestBatchIntoJSONHandler(t *testing.T) {
	e := newEngine(t)
	res, err := e.InvokeBatch(context.Background(), function(t, "faults"), batchOf("x"))
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != "Unhandled" || !strings.Contains(res.ErrorMessage, "takes JSON events") {
		t.Fatalf("got %+v", res)
	}
}

func TestConcurrentInvokes(t *testing.T) {
	e := newEngine(t)
	fn := function(t, "transform")
	fn.Concurrency = 3
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				d := fmt.Sprintf("g%d-r%d", g, i)
				res, err := e.InvokeBatch(context.Background(), fn, batchOf(d))
				if err != nil {
					errs <- err
					return
				}
				if len(res.Records) != 1 || string(res.Records[0].Data) != strings.ToUpper(d) {
					errs <- fmt.Errorf("%s: got %+v", d, res)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestTrapDiscardsOnlyThatInstance(t *testing.T) {
	e := newEngine(t)
	fn := function(t, "faults")
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 4 {
		wg.Go(func() {
			for i := range 10 {
				action := "echo"
				if g == 0 && i%2 == 0 {
					action = "trap"
				}
				res, err := e.Invoke(context.Background(), fn, engine.Invocation{Payload: []byte(fmt.Sprintf(`{"action":%q,"echo":"%d-%d"}`, action, g, i))})
				switch {
				case err != nil:
					errs <- err.Error()
				case action == "trap" && res.FunctionError != "Unhandled":
					errs <- "trap did not fail: " + string(res.Payload)
				case action == "echo" && !strings.Contains(string(res.Payload), fmt.Sprintf(`"%d-%d"`, g, i)):
					errs <- "echo: " + string(res.Payload)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestEvictAndClose(t *testing.T) {
	e := newEngine(t)
	fn := function(t, "faults")
	invoke(t, e, fn, `{}`)
	e.Evict(fn.Name)
	if _, body := invoke(t, e, fn, `{"echo":"back"}`); body["echo"] != "back" {
		t.Fatalf("after evict: %v", body)
	}
	if err := e.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Invoke(context.Background(), fn, engine.Invocation{Payload: []byte(`{}`)}); err == nil {
		t.Fatal("invoke after Close succeeded")
	}
}

func TestUninterruptible(t *testing.T) {
	e, err := New(Config{Uninterruptible: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	res, err := e.InvokeBatch(context.Background(), function(t, "transform"), batchOf("a"))
	if err != nil || len(res.Records) != 1 || string(res.Records[0].Data) != "A" {
		t.Fatalf("got %+v, %v", res, err)
	}
}
