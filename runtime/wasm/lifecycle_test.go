package wasm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
)

// evictLoop evicts the functions named until the test ends; it returns a
// stop function that waits for the loop to end.
func evictLoop(e *Engine, names ...string) (stop func()) {
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; !done.Load(); i++ {
			e.Evict(names[i%len(names)])
		}
	})
	return func() { done.Store(true); wg.Wait() }
}

// An Evict of another function must not close the compiled module of a
// function being validated or about to get its pool.
func TestEvictOtherFunctionDuringCompile(t *testing.T) {
	e := newEngine(t)
	code := guest(t, "faults")
	stop := evictLoop(e, "someone-else")
	defer stop()
	for i := range 10 {
		fn := &engine.Function{
			Name: fmt.Sprint("f", i), Version: "$LATEST", Runtime: "wasm", Code: code,
			CodeSHA256: fmt.Sprint("sha", i), MemoryMB: 128, Timeout: 5 * time.Second, Region: "us-east-1",
		}
		if err := e.Validate(context.Background(), fn); err != nil {
			t.Fatalf("validate %s: %v", fn.Name, err)
		}
		res, err := e.Invoke(context.Background(), fn, engine.Invocation{Payload: []byte(`{"echo":"x"}`)})
		if err != nil || res.FunctionError != "" {
			t.Fatalf("invoke %s: %v %s", fn.Name, err, res.Payload)
		}
	}
}

// Invocations of a function evicted over and over keep succeeding: a
// closed pool makes no instances, the call takes a fresh pool.
func TestEvictSameFunctionDuringInvokes(t *testing.T) {
	e := newEngine(t)
	fn := function(t, "faults")
	invoke(t, e, fn, `{}`)
	stop := evictLoop(e, fn.Name)
	defer stop()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Go(func() {
			for i := range 10 {
				want := fmt.Sprintf("%d-%d", g, i)
				res, err := e.Invoke(context.Background(), fn, engine.Invocation{Payload: []byte(`{"echo":"` + want + `"}`)})
				if err != nil || res.FunctionError != "" {
					errs <- fmt.Errorf("%s: %v %s", want, err, res.Payload)
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

// waitFor polls cond until it holds or the test has waited too long.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestNoCapacity(t *testing.T) {
	e := newEngine(t)
	fn := function(t, "faults")
	fn.Concurrency = 1
	fn.Timeout = 2 * time.Second
	invoke(t, e, fn, `{}`)
	busy := make(chan error, 1)
	go func() {
		_, err := e.Invoke(context.Background(), fn, engine.Invocation{Payload: []byte(`{"action":"loop"}`)})
		busy <- err
	}()
	waitFor(t, "the only slot to be taken", func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, p := range e.pools[fn.Name] {
			return len(p.sem) == 1
		}
		return false
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := e.Invoke(ctx, fn, engine.Invocation{Payload: []byte(`{}`)})
	if !errors.Is(err, engine.ErrNoCapacity) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want ErrNoCapacity", err)
	}
	if err := <-busy; err != nil {
		t.Fatal(err)
	}
}
