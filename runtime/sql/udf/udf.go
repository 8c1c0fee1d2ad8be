package udf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kinesin/kinesin/runtime/engine"
	"github.com/kinesin/kinesin/runtime/sql/eval"
)

// Invoker finds a function and the engine that runs it;
// functions.Service implements it. name is a function name, a partial ARN
// or an ARN, optionally qualified ("f", "f:3", "f:prod"); qualifier is "".
// Errors are Lambda API errors (ResourceNotFoundException,
// ResourceConflictException while the function is not Active, ...).
type Invoker interface {
	Resolve(name, qualifier string) (*engine.Function, engine.Engine, error)
}

// resolveEvery is how long a resolution (or its failure) is reused.
const resolveEvery = time.Second

// maxName is Lambda's limit on a FunctionName (an ARN with a qualifier).
const maxName = 170

// FunctionError is Call's error when the function itself failed: an error
// it returned, a panic, a trap, a timeout or running out of memory.
type FunctionError struct {
	Function string
	Type     string // Lambda's errorType, e.g. "errorString", "Sandbox.Timedout"
	Message  string // Lambda's errorMessage
}

func (e *FunctionError) Error() string {
	if e.Type == "" {
		return fmt.Sprintf("function %s failed: %s", e.Function, e.Message)
	}
	return fmt.Sprintf("function %s failed: %s: %s", e.Function, e.Type, e.Message)
}

// ConvertError is Call's error when the function's answer does not
// convert to the return type.
type ConvertError struct {
	Function string
	Answer   string // the answer, cut to 100 bytes
	Type     eval.Type
	Err      error
}

func (e *ConvertError) Error() string {
	return fmt.Sprintf("function %s answered %s, which does not convert to %s: %v", e.Function, e.Answer, e.Type, e.Err)
}

func (e *ConvertError) Unwrap() error { return e.Err }

// New answers an eval.Func that calls the named function once per call
// with the JSON array of its arguments and converts the JSON answer to
// returns (see the package documentation for both conversions). The
// function is looked up at the first call, not here, so it may be created
// after the SQL that uses it. Call is safe for concurrent use.
func New(inv Invoker, function string, params []eval.Type, returns eval.Type) (*eval.Func, error) {
	return NewContext(context.Background(), inv, function, params, returns)
}

// NewContext is New whose calls end when ctx does (the application stops):
// a call in flight then fails with ctx's error rather than running to the
// function's timeout.
func NewContext(ctx context.Context, inv Invoker, function string, params []eval.Type, returns eval.Type) (*eval.Func, error) {
	switch {
	case ctx == nil:
		return nil, errors.New("udf: nil context")
	case inv == nil:
		return nil, errors.New("udf: no invoker")
	case function == "":
		return nil, errors.New("udf: empty function name")
	case len(function) > maxName:
		return nil, fmt.Errorf("udf: function name %.20q... is longer than %d characters", function, maxName)
	case returns.Kind == eval.Null:
		return nil, fmt.Errorf("udf: %s: no return type", function)
	}
	for i, p := range params {
		if p.Kind == eval.Null {
			return nil, fmt.Errorf("udf: %s: parameter %d has no type", function, i+1)
		}
	}
	c := &caller{ctx: ctx, inv: inv, name: function, nparams: len(params), returns: returns}
	c.bufs.New = func() any { b := make([]byte, 0, 256); return &b }
	return &eval.Func{Params: append([]eval.Type(nil), params...), Returns: returns, Call: c.call}, nil
}

// caller is one function as a SQL function.
type caller struct {
	ctx     context.Context
	inv     Invoker
	name    string
	nparams int
	returns eval.Type
	res     atomic.Pointer[resolution]
	bufs    sync.Pool // *[]byte event buffers
}

// resolution is a lookup of the function, reused for resolveEvery.
type resolution struct {
	fn  *engine.Function
	eng engine.Engine
	err error
	at  time.Time
}

func (c *caller) resolve() (*resolution, error) {
	r := c.res.Load()
	if r == nil || time.Since(r.at) >= resolveEvery {
		fn, eng, err := c.inv.Resolve(c.name, "")
		r = &resolution{fn: fn, eng: eng, err: err, at: time.Now()}
		c.res.Store(r)
	}
	if r.err != nil {
		return nil, fmt.Errorf("function %s: %w", c.name, r.err)
	}
	return r, nil
}

func (c *caller) call(args []eval.Value) (eval.Value, error) {
	if len(args) != c.nparams {
		return eval.NullValue, fmt.Errorf("function %s takes %d arguments, not %d", c.name, c.nparams, len(args))
	}
	r, err := c.resolve()
	if err != nil {
		return eval.NullValue, err
	}
	bp := c.bufs.Get().(*[]byte)
	event := appendArgs((*bp)[:0], args)
	res, err := invoke(c.ctx, r.fn, r.eng, event)
	if cap(event) <= 64<<10 { // do not pin one huge event's buffer
		*bp = event[:0]
		c.bufs.Put(bp)
	}
	if err != nil {
		return eval.NullValue, fmt.Errorf("function %s: %w", c.name, err)
	}
	if res.FunctionError != "" {
		return eval.NullValue, functionError(c.name, res.Payload)
	}
	v, err := decodeAnswer(res.Payload, c.returns)
	if err != nil {
		return eval.NullValue, &ConvertError{Function: c.name, Answer: excerpt(res.Payload), Type: c.returns, Err: err}
	}
	return v, nil
}

// invoke runs one synchronous invocation; the engine bounds the call by
// inv.Deadline, the context one second later guards the platform.
func invoke(ctx context.Context, fn *engine.Function, eng engine.Engine, event []byte) (engine.Result, error) {
	timeout := fn.Timeout
	if timeout <= 0 {
		timeout = 3 * time.Second // Lambda's default
	}
	deadline := time.Now().Add(timeout)
	ctx, cancel := context.WithDeadline(ctx, deadline.Add(time.Second))
	defer cancel()
	// RequestID stays empty: engines that need one make it.
	return eng.Invoke(ctx, fn, engine.Invocation{Payload: event, Deadline: deadline})
}

// functionError reads Lambda's error document.
func functionError(name string, payload []byte) error {
	var body struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}
	if json.Unmarshal(payload, &body) != nil || body.Message == "" && body.Type == "" {
		return &FunctionError{Function: name, Message: excerpt(payload)}
	}
	return &FunctionError{Function: name, Type: body.Type, Message: body.Message}
}

// excerpt is the start of an answer, for error messages.
func excerpt(b []byte) string {
	const n = 100
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
