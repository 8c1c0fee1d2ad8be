package wasm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/runtime/wasm/abi"
	"github.com/tetratelabs/wazero/sys"
)

// Validate checks that fn's code compiles, implements ABI v1 and reports
// version 1. Its errors are meant for the deployer.
func (e *Engine) Validate(ctx context.Context, fn *engine.Function) error {
	if len(fn.Code) == 0 {
		return errors.New("wasm: no module code")
	}
	c, err := e.compile(ctx, fn)
	if err != nil {
		return err
	}
	defer e.unref(c)
	inst, err := newInstance(ctx, c, moduleConfig(fn))
	if err != nil {
		return err
	}
	inst.close()
	return nil
}

// Invoke runs fn on a JSON event (ABI kind 1).
func (e *Engine) Invoke(ctx context.Context, fn *engine.Function, inv engine.Invocation) (engine.Result, error) {
	var res engine.Result
	out, logs, fail, err := e.run(ctx, fn, inv.Deadline, abi.KindJSON, len(inv.Payload),
		func(dst []byte) { copy(dst, inv.Payload) },
		func(status byte, body []byte) error {
			if status == abi.StatusError {
				res.FunctionError = "Unhandled"
			}
			res.Payload = bytes.Clone(body)
			return nil
		})
	if err != nil {
		return res, err
	}
	res.Logs = logs
	if fail != nil {
		res.FunctionError = "Unhandled"
		res.Payload = fail.body(inv.RequestID)
	} else if out != nil {
		res.FunctionError = "Unhandled"
		res.Payload, _ = json.Marshal(failure{"Runtime.InvalidResponse", out.Error()})
	}
	return res, nil
}

// InvokeBatch runs fn on a record batch (ABI kind 2).
func (e *Engine) InvokeBatch(ctx context.Context, fn *engine.Function, b engine.Batch) (engine.BatchResult, error) {
	var res engine.BatchResult
	out, logs, fail, err := e.run(ctx, fn, b.Context.Deadline, abi.KindBatch, abi.EnvelopeSize(&b),
		func(dst []byte) { abi.AppendEnvelope(dst[:0], &b) },
		func(status byte, body []byte) error {
			if status == abi.StatusError {
				var f failure
				if json.Unmarshal(body, &f) != nil || f.Message == "" {
					f.Message = string(body)
				}
				res.FunctionError, res.ErrorMessage = "Unhandled", f.Message
				return nil
			}
			// Copy once out of guest memory; results alias the copy.
			return abi.DecodeResult(bytes.Clone(body), len(b.Records), &res)
		})
	if err != nil {
		return res, err
	}
	if fail != nil {
		res = engine.BatchResult{FunctionError: "Unhandled", ErrorMessage: fail.Message}
	} else if out != nil {
		res = engine.BatchResult{FunctionError: "Unhandled", ErrorMessage: "invalid batch result: " + out.Error()}
	}
	res.Logs = logs
	return res, nil
}

// failure is a function failure in Lambda's error shape.
type failure struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

func (f *failure) body(requestID string) []byte {
	g := *f
	if requestID != "" {
		g.Message = "RequestId: " + requestID + " Error: " + g.Message
	}
	b, _ := json.Marshal(g)
	return b
}

// run does one call on an instance of fn: fill writes the n-byte input
// into guest memory, read gets the output's status byte and body before
// the instance is released. It returns read's error (a bad output), the
// logs, a failure of the function (trap, timeout, out of memory), or an
// error of the platform.
func (e *Engine) run(ctx context.Context, fn *engine.Function, deadline time.Time, kind uint32, n int,
	fill func([]byte), read func(status byte, body []byte) error,
) (readErr error, logs []byte, fail *failure, err error) {
	var p *pool
	var inst *instance
	for inst == nil {
		if p, err = e.pool(ctx, fn); err != nil {
			return nil, nil, nil, err
		}
		// An evicted pool makes no instances: take a fresh pool then.
		if inst, err = p.acquire(ctx); err != nil && !errors.Is(err, errPoolClosed) {
			return nil, nil, nil, fmt.Errorf("wasm: %s: %w", fn.Name, err)
		}
	}
	d := time.Now().Add(p.timeout)
	if !deadline.IsZero() && deadline.Before(d) {
		d = deadline
	}
	callCtx, cancel := context.WithDeadline(ctx, d)
	defer cancel()
	inst.logs.Reset()
	out, callErr := inst.call(callCtx, kind, n, fill)
	if callErr == nil {
		if out[0] > abi.StatusError {
			readErr = fmt.Errorf("unknown status byte %d", out[0])
		} else {
			readErr = read(out[0], out[1:])
		}
	}
	if l := inst.logs.Bytes(); len(l) > 0 {
		logs = bytes.Clone(l)
		e.logOutput(fn, logs)
	}
	if callErr != nil {
		if ctx.Err() != nil {
			p.release(inst, false)
			return nil, logs, nil, fmt.Errorf("wasm: %s: %w", fn.Name, ctx.Err())
		}
		fail = classify(callErr, callCtx, p, inst, logs)
		e.log.Warn("function failed; instance discarded", "function", fn.Name, "version", fn.Version,
			"errorType", fail.Type, "error", callErr)
	}
	p.release(inst, callErr == nil)
	return readErr, logs, fail, nil
}

// classify words a failed call as Lambda does.
func classify(err error, callCtx context.Context, p *pool, inst *instance, logs []byte) *failure {
	var exit *sys.ExitError
	isExit := errors.As(err, &exit)
	switch {
	case errors.Is(callCtx.Err(), context.DeadlineExceeded) ||
		isExit && exit.ExitCode() == sys.ExitCodeDeadlineExceeded:
		return &failure{"Sandbox.Timedout", fmt.Sprintf("Task timed out after %.2f seconds", p.timeout.Seconds())}
	case bytes.Contains(logs, []byte("out of memory")) || inst.mem.Size() >= p.highWater/3*4-1<<20:
		return &failure{"Runtime.OutOfMemory", "Runtime exited with error: out of memory (" + err.Error() + ")"}
	case isExit:
		return &failure{"Runtime.ExitError", fmt.Sprintf("Runtime exited with error: exit status %d", exit.ExitCode())}
	}
	return &failure{"Runtime.ExitError", "Runtime exited with error: " + err.Error()}
}

// logOutput passes a function's output to the engine's logger, a record
// per line.
func (e *Engine) logOutput(fn *engine.Function, out []byte) {
	for line := range bytes.Lines(out) {
		e.log.Info(string(bytes.TrimRight(line, "\r\n")), "function", fn.Name, "version", fn.Version)
	}
}
