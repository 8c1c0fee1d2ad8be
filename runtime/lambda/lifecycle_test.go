package lambda_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/runtime/lambda"
)

// The output captured per invocation is capped at 1 MiB, keeping the end.
func TestLogsCapKeepsEnd(t *testing.T) {
	e := newEngine(t)
	fn := function("biglogs")
	msg := strings.Repeat("a", 700<<10) + "END" // written twice: stdout and stderr
	res := invoke(t, e, fn, fmt.Sprintf(`{"log":%q}`, msg))
	if len(res.Logs) != 1<<20 {
		t.Fatalf("captured %d bytes of output, want %d", len(res.Logs), 1<<20)
	}
	if !strings.HasSuffix(string(res.Logs), "aaaEND\nerr: "+msg+"\n") {
		t.Fatalf("captured output does not end with the last output: ...%q", res.Logs[len(res.Logs)-100:])
	}
	// The next invocation starts afresh.
	if res := invoke(t, e, fn, `{"log":"small"}`); string(res.Logs) != "small\nerr: small\n" {
		t.Fatalf("next logs = %q", res.Logs)
	}
}

// Close kills the busy processes of evicted pools too.
func TestCloseAfterEvictDuringInvocation(t *testing.T) {
	e, err := lambda.New(lambda.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	fn := function("busy")
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.Invoke(context.Background(), fn, engine.Invocation{Payload: []byte(`{"sleepMs":20000}`)})
	}()
	checkFor(t, 5*time.Second, func() error {
		if n := len(children()); n != 1 {
			return fmt.Errorf("%d children", n)
		}
		return nil
	})
	e.Evict(fn.Name)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if kids := children(); len(kids) != 0 {
		t.Errorf("children after Close: %v", kids)
	}
	select {
	case <-done:
	case <-ctx.Done():
		t.Error("the invocation did not end at Close")
	}
}

// An invocation that gets no process before its context ends fails with
// engine.ErrNoCapacity.
func TestNoCapacity(t *testing.T) {
	e := newEngine(t)
	fn := function("one")
	fn.Concurrency = 1
	go e.Invoke(context.Background(), fn, engine.Invocation{Payload: []byte(`{"sleepMs":3000}`)})
	checkFor(t, 5*time.Second, func() error { // its process holds the only slot
		if n := len(children()); n != 1 {
			return fmt.Errorf("%d children", n)
		}
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := e.Invoke(ctx, fn, engine.Invocation{Payload: []byte(`{}`)})
	if !errors.Is(err, engine.ErrNoCapacity) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want ErrNoCapacity", err)
	}
}

// An invocation waiting for a process of a pool that Evict closes moves
// to a fresh pool once the busy process lets its slot go, instead of
// failing as if the engine were closed.
func TestEvictWhileWaiting(t *testing.T) {
	e := newEngine(t)
	fn := function("queued")
	fn.Concurrency = 1
	type outcome struct {
		res engine.Result
		err error
	}
	run := func(payload string) <-chan outcome {
		ch := make(chan outcome, 1)
		go func() {
			res, err := e.Invoke(context.Background(), fn, engine.Invocation{Payload: []byte(payload)})
			ch <- outcome{res, err}
		}()
		return ch
	}
	first := run(`{"who":true,"sleepMs":1000}`)
	checkFor(t, 5*time.Second, func() error { // its process holds the only slot
		if n := len(children()); n != 1 {
			return fmt.Errorf("%d children", n)
		}
		return nil
	})
	second := run(`{"who":true}`)
	checkFor(t, 5*time.Second, func() error {
		if n := lambda.Waiting(e, fn.Name); n != 1 {
			return fmt.Errorf("%d invocations waiting", n)
		}
		return nil
	})
	e.Evict(fn.Name)

	var w1, w2 who
	for _, c := range []struct {
		ch <-chan outcome
		w  *who
	}{{first, &w1}, {second, &w2}} {
		select {
		case o := <-c.ch:
			if o.err != nil {
				t.Fatalf("invoke: %v", o.err)
			}
			if o.res.FunctionError != "" || json.Unmarshal(o.res.Payload, c.w) != nil {
				t.Fatalf("who: %s %s", o.res.FunctionError, o.res.Payload)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("invocation did not end")
		}
	}
	if w2.Pid == w1.Pid {
		t.Errorf("the queued invocation ran on the evicted process %d", w1.Pid)
	}
	if w2.StartNs < w1.EndNs {
		t.Errorf("the queued invocation started before the busy one ended: a second process ran at Concurrency 1")
	}
}
