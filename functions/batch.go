package functions

import (
	"context"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
)

// InvokeBatch runs a record batch through a function for a trigger (an
// event source mapping): it resolves name and qualifier as Resolve does,
// holds one of the function's concurrency slots as Invoke does (with its
// reserved concurrency used up, the error wraps engine.ErrNoCapacity: a
// throttle), sets the batch's function name and deadline from the
// function's configuration, and publishes what the function wrote to its
// logs. It returns the version that ran.
func (s *Service) InvokeBatch(ctx context.Context, name, qualifier string, b engine.Batch) (engine.BatchResult, string, error) {
	fn, eng, reserved, err := s.resolve(ctx, name, qualifier)
	if err != nil {
		return engine.BatchResult{}, "", err
	}
	if !s.conc.acquire(fn.Name, reserved) {
		return engine.BatchResult{}, fn.Version, errThrottled
	}
	defer s.conc.release(fn.Name)
	b.Context.FunctionName = fn.Name
	b.Context.Deadline = time.Now().Add(fn.Timeout)
	ctx, cancel := context.WithDeadline(ctx, b.Context.Deadline.Add(time.Second))
	defer cancel()
	start := time.Now()
	res, err := eng.InvokeBatch(ctx, fn, b)
	s.publishLogs(fn.Name, fn.Version, newRevisionID(), start, res.Logs)
	return res, fn.Version, err
}

// errThrottled is InvokeBatch's error when reserved concurrency is used up.
var errThrottled = throttledBatch{}

type throttledBatch struct{}

func (throttledBatch) Error() string {
	return "functions: reserved concurrency used up (" + throttleReason + ")"
}
func (throttledBatch) Unwrap() error { return engine.ErrNoCapacity }
