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
	var res engine.BatchResult
	version, err := s.run(ctx, name, qualifier, func(ctx context.Context, fn *engine.Function, eng engine.Engine, deadline time.Time) ([]byte, error) {
		b.Context.FunctionName = fn.Name
		b.Context.Deadline = deadline
		var err error
		res, err = eng.InvokeBatch(ctx, fn, b)
		return res.Logs, err
	})
	return res, version, err
}

// Invoke runs a function once with a JSON event for a service that calls
// functions itself (Kinesis Analytics' preprocessing and Lambda outputs),
// as a RequestResponse Invoke does, with the same resolution, concurrency
// slot and logs as InvokeBatch. functionError is "" or "Unhandled" (the
// function failed; response is its error document).
func (s *Service) Invoke(ctx context.Context, name, qualifier string, payload []byte) (response []byte, functionError string, err error) {
	_, err = s.run(ctx, name, qualifier, func(ctx context.Context, fn *engine.Function, eng engine.Engine, deadline time.Time) ([]byte, error) {
		res, err := eng.Invoke(ctx, fn, engine.Invocation{RequestID: newRevisionID(), Payload: payload, Deadline: deadline})
		response, functionError = res.Payload, res.FunctionError
		return res.Logs, err
	})
	return response, functionError, err
}

// run resolves a function, holds one of its concurrency slots while call
// runs it before the function's deadline, and publishes its logs.
func (s *Service) run(ctx context.Context, name, qualifier string, call func(ctx context.Context, fn *engine.Function, eng engine.Engine, deadline time.Time) ([]byte, error)) (string, error) {
	fn, eng, reserved, err := s.resolve(ctx, name, qualifier)
	if err != nil {
		return "", err
	}
	if !s.conc.acquire(fn.Name, reserved) {
		return fn.Version, errThrottled
	}
	defer s.conc.release(fn.Name)
	deadline := time.Now().Add(fn.Timeout)
	ctx, cancel := context.WithDeadline(ctx, deadline.Add(time.Second))
	defer cancel()
	start := time.Now()
	logs, err := call(ctx, fn, eng, deadline)
	s.publishLogs(fn.Name, fn.Version, newRevisionID(), start, logs)
	return fn.Version, err
}

// errThrottled is InvokeBatch's and Invoke's error when reserved concurrency is used up.
var errThrottled = throttledBatch{}

type throttledBatch struct{}

func (throttledBatch) Error() string {
	return "functions: reserved concurrency used up (" + throttleReason + ")"
}
func (throttledBatch) Unwrap() error { return engine.ErrNoCapacity }
