package lambda

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
)

// call is one invocation on its way through a process.
type call struct {
	id       string
	arn      string
	inv      engine.Invocation
	deadline time.Time
	done     chan answer // cap 1: the process's answer
	logs     []byte      // output while it ran, guarded by process.mu
	// delivered is set when a GET /next took the call: before that, a
	// process that dies (after answering its previous invocation with a
	// panic, say) has not started it, and another process can.
	delivered atomic.Bool
}

// answer is what the runtime posted: a response, or an error of errType.
type answer struct {
	payload []byte
	errType string
}

func (pl *pool) invoke(ctx context.Context, inv engine.Invocation) (engine.Result, error) {
	if inv.RequestID == "" {
		inv.RequestID = newRequestID()
	}
	c := &call{id: inv.RequestID, arn: pl.fn.ARN, inv: inv, done: make(chan answer, 1)}
	if err := pl.acquire(ctx); err != nil {
		return engine.Result{}, err
	}
	defer pl.releaseSlot()

	for attempt := 0; ; attempt++ {
		p, err := pl.takeIdle()
		if err != nil {
			return engine.Result{}, err
		}
		if p == nil {
			var res *engine.Result
			p, res, err = pl.startAndInit(ctx, c)
			if p == nil {
				if res != nil {
					return *res, nil
				}
				return engine.Result{}, err
			}
		}
		res, again, err := pl.run(ctx, p, c)
		if !again || attempt == maxAttempts-1 {
			return res, err
		}
		c.logs = nil
	}
}

// maxAttempts bounds how often an invocation moves on when the idle
// process it got died before taking it.
const maxAttempts = 3

// startAndInit starts a process and waits for its first GET /next. An
// init failure is a function error Result; the process is gone then.
func (pl *pool) startAndInit(ctx context.Context, c *call) (*process, *engine.Result, error) {
	p, err := pl.start(c)
	if err != nil {
		return nil, nil, err
	}
	timer := time.NewTimer(pl.cfg.InitTimeout)
	defer timer.Stop()
	fail := func(eb errorBody) (*process, *engine.Result, error) {
		pl.discard(p)
		p.detach(c)
		pl.log.Warn("lambda: init failed", "requestId", c.id, "errorType", eb.ErrorType, "error", eb.ErrorMessage)
		return nil, &engine.Result{Payload: eb.JSON(), FunctionError: errTypeUnhandled, Logs: c.logs}, nil
	}
	select {
	case <-p.ready:
		return p, nil, nil
	case eb := <-p.initErr:
		return fail(eb)
	case <-p.exited:
		select {
		case eb := <-p.initErr:
			return fail(eb)
		default:
		}
		p.waitExit(outputGrace)
		return fail(exitError(c.id, p.exitErr))
	case <-timer.C:
		return fail(errorBody{ErrorType: errTypeInit, ErrorMessage: "RequestId: " + c.id + " Error: init timed out after " + pl.cfg.InitTimeout.String()})
	case <-ctx.Done():
		pl.discard(p)
		p.detach(c)
		return nil, nil, ctx.Err()
	}
}

// run sends c to a ready process and waits for its answer, the deadline,
// the process's exit or the caller leaving.
// again reports that the process died before it took c.
func (pl *pool) run(ctx context.Context, p *process, c *call) (_ engine.Result, again bool, _ error) {
	timeout := pl.fn.Timeout
	if timeout <= 0 {
		timeout = pl.cfg.Timeout
	}
	start := time.Now()
	c.deadline = start.Add(timeout)
	if d := c.inv.Deadline; !d.IsZero() && d.Before(c.deadline) {
		c.deadline = d
	}
	p.assign(c)
	timer := time.NewTimer(c.deadline.Sub(start))
	defer timer.Stop()

	select {
	case a := <-c.done:
		pl.put(p)
		return result(a, c.logs), false, nil
	case <-timer.C:
		pl.discard(p)
		p.detach(c)
		select {
		case a := <-c.done: // answered at the last moment
			return result(a, c.logs), false, nil
		default:
		}
		return engine.Result{Payload: timeoutError(c.id, time.Now(), c.deadline.Sub(start)).JSON(),
			FunctionError: errTypeUnhandled, Logs: c.logs}, false, nil
	case <-p.exited:
		pl.discard(p)
		p.waitExit(outputGrace) // the output it wrote before dying
		p.detach(c)
		select {
		case a := <-c.done: // answered, then exited (a panic does that)
			return result(a, c.logs), false, nil
		default:
		}
		if !c.delivered.Load() {
			return engine.Result{}, true, nil
		}
		pl.log.Warn("lambda: process exited during an invocation", "requestId", c.id, "error", p.exitErr)
		return engine.Result{Payload: exitError(c.id, p.exitErr).JSON(), FunctionError: errTypeUnhandled, Logs: c.logs}, false, nil
	case <-ctx.Done():
		pl.discard(p)
		p.detach(c)
		return engine.Result{}, false, ctx.Err()
	}
}

func result(a answer, logs []byte) engine.Result {
	r := engine.Result{Payload: a.payload, Logs: logs}
	if a.errType != "" {
		r.FunctionError = errTypeUnhandled
	}
	return r
}

// outputGrace bounds waiting for a dead process's output (a child it
// left could hold the pipe open).
const outputGrace = 200 * time.Millisecond
