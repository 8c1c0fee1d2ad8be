package functions

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router"
	"github.com/kinesin/kinesin/runtime/engine"
)

// Invoke limits, as Lambda sets them.
const (
	maxSyncPayload  = 6291456
	maxAsyncPayload = 1048576
	maxLogTail      = 4096
	// maxAsyncAge is how long an Event invocation waits for a free slot
	// under reserved concurrency before it is dropped (Lambda's default
	// maximum event age).
	maxAsyncAge = 6 * time.Hour
	// maxQueuedEvents and maxQueuedEventBytes bound the Event invocations
	// this process holds (waiting or running); beyond them Invoke answers
	// TooManyRequestsException.
	maxQueuedEvents     = 1000
	maxQueuedEventBytes = 64 << 20
)

// InvalidRequestContent is Invoke's answer to a payload that is not JSON.
var InvalidRequestContent = awserr.Kind{Code: "InvalidRequestContentException", Status: 400}

// Resolve turns a function name, partial ARN or ARN and a qualifier
// (version, alias or "" for $LATEST; an alias with a routing configuration
// picks a version by weight) into the function to run and the engine that
// runs it. Errors are Lambda API errors: ResourceNotFoundException for an
// unknown function, version or alias, ResourceConflictException while the
// function is Pending or Failed.
func (s *Service) Resolve(name, qualifier string) (*engine.Function, engine.Engine, error) {
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	fn, eng, _, err := s.resolve(ctx, name, qualifier)
	return fn, eng, err
}

// resolve is Resolve, also returning the function's reserved concurrency.
func (s *Service) resolve(ctx context.Context, name, qualifier string) (*engine.Function, engine.Engine, *int, error) {
	r, err := s.parseRef(name, qualifier)
	if err != nil {
		return nil, nil, nil, err
	}
	cfg, rec, err := s.loadConfigRouted(ctx, r, true)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := checkRunnable(cfg); err != nil {
		return nil, nil, nil, err
	}
	fn, eng, err := s.function(ctx, cfg, rec)
	return fn, eng, rec.Reserved, err
}

func checkRunnable(cfg *FunctionConfiguration) error {
	if cfg.State != stateActive {
		return ResourceConflict.New("The operation cannot be performed at this time. The function is currently in the following state: %s", cfg.State)
	}
	return nil
}

// function builds the engine's view of a configuration, loading (and
// caching) its code: the module of a wasm function, the extracted
// directory of a Lambda-runtime function.
func (s *Service) function(ctx context.Context, cfg *FunctionConfiguration, rec *funcRecord) (*engine.Function, engine.Engine, error) {
	eng := s.engines[engineKind(cfg.Runtime)]
	if eng == nil {
		return nil, nil, ServiceError.New("No engine runs the runtime %s on this server.", cfg.Runtime)
	}
	fn := &engine.Function{
		Name: cfg.FunctionName, Version: cfg.Version, ARN: s.functionARN(cfg.FunctionName),
		Runtime: cfg.Runtime, Handler: cfg.Handler, CodeSHA256: cfg.CodeSha256,
		MemoryMB: cfg.MemorySize, Timeout: time.Duration(cfg.Timeout) * time.Second,
		Region: s.cfg.Region, AccountID: s.cfg.AccountID,
	}
	if cfg.Environment != nil {
		fn.Environment = cfg.Environment.Variables
	}
	if rec != nil && rec.Reserved != nil {
		fn.Concurrency = *rec.Reserved
	}
	hexSum := hexOfSha(cfg.CodeSha256)
	if isWasm(cfg.Runtime) {
		if b := s.cache.getWasm(hexSum); b != nil {
			fn.Code = b
			return fn, eng, nil
		}
		pkg, err := s.st.getCode(ctx, hexSum)
		if err != nil {
			return nil, nil, err
		}
		mod, err := wasmModule(pkg)
		if err != nil {
			return nil, nil, err
		}
		s.cache.putWasm(hexSum, mod)
		fn.Code = mod
		return fn, eng, nil
	}
	dir := filepath.Join(s.cfg.CodeDir, hexSum)
	if _, err := os.Stat(dir); err != nil {
		pkg, err := s.st.getCode(ctx, hexSum)
		if err != nil {
			return nil, nil, err
		}
		if err := extractZip(pkg, dir); err != nil {
			return nil, nil, err
		}
	}
	fn.CodeDir = dir
	return fn, eng, nil
}

// invocationTypes are X-Amz-Invocation-Type's values.
var invocationTypes = []string{"Event", "RequestResponse", "DryRun"}

func (s *Service) invoke(c *call, name string, _ []string) (result, error) {
	typ := c.r.Header("X-Amz-Invocation-Type")
	if typ == "" {
		typ = "RequestResponse"
	}
	logType := c.r.Header("X-Amz-Log-Type")
	var v awserr.Violations
	if typ != "Event" && typ != "RequestResponse" && typ != "DryRun" {
		v.Add(typ, "invocationType", awserr.Enum(invocationTypes...))
	}
	if logType != "" && logType != "None" && logType != "Tail" {
		v.Add(logType, "logType", awserr.Enum("None", "Tail"))
	}
	if err := validationErr(&v); err != nil {
		return result{}, err
	}
	payload := c.r.Body
	if typ == "Event" && len(payload) > maxAsyncPayload {
		return result{}, RequestTooLarge.New("Request must be smaller than %d bytes for the InvokeAsync operation", maxAsyncPayload)
	}
	if len(payload) > maxSyncPayload {
		return result{}, RequestTooLarge.New("Request must be smaller than %d bytes for the InvokeFunction operation", maxSyncPayload)
	}
	if len(payload) > 0 && !json.Valid(payload) {
		return result{}, InvalidRequestContent.New("Could not parse request body into json: Could not parse payload into json")
	}
	r, err := s.parseRef(name, c.query.Get("Qualifier"))
	if err != nil {
		return result{}, err
	}
	cfg, rec, err := s.loadConfigRouted(c.ctx, r, true)
	if err != nil {
		return result{}, err
	}
	if err := checkRunnable(cfg); err != nil {
		return result{}, err
	}
	header := map[string]string{"X-Amz-Executed-Version": cfg.Version}
	if typ == "DryRun" {
		return result{resp: &router.Response{Status: 204, Header: header}}, nil
	}
	fn, eng, err := s.function(c.ctx, cfg, rec)
	if err != nil {
		return result{}, err
	}
	inv := engine.Invocation{RequestID: newRevisionID(), ClientContext: c.r.Header("X-Amz-Client-Context"),
		TraceID: c.r.Header("X-Amzn-Trace-Id")}
	if typ == "Event" {
		if !s.events.take(len(payload)) {
			return result{}, errNoCapacity()
		}
		inv.Payload = append([]byte(nil), payload...) // the body is reused after we return
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.events.give(len(inv.Payload))
			s.runEvent(fn, eng, inv, rec.Reserved)
		}()
		return result{resp: &router.Response{Status: 202}}, nil
	}
	if !s.conc.acquire(fn.Name, rec.Reserved) {
		return result{}, errTooManyRequests()
	}
	defer s.conc.release(fn.Name)
	inv.Payload = payload
	inv.Deadline = time.Now().Add(fn.Timeout)
	ctx, cancel := context.WithDeadline(c.ctx, inv.Deadline.Add(time.Second))
	defer cancel()
	start := time.Now()
	res, err := eng.Invoke(ctx, fn, inv)
	s.publishLogs(fn.Name, fn.Version, inv.RequestID, start, res.Logs)
	if err != nil {
		if errors.Is(err, engine.ErrNoCapacity) {
			return result{}, errNoCapacity()
		}
		s.log.Error("functions: invoke failed", "function", fn.Name, "version", fn.Version, "err", err)
		return result{}, ServiceError.New("Lambda could not run the function: %s", err.Error())
	}
	header["Content-Type"] = "application/json"
	if res.FunctionError != "" {
		header["X-Amz-Function-Error"] = res.FunctionError
	}
	if logType == "Tail" {
		logs := res.Logs
		if len(logs) > maxLogTail {
			logs = logs[len(logs)-maxLogTail:]
		}
		header["X-Amz-Log-Result"] = base64.StdEncoding.EncodeToString(logs)
	}
	return result{resp: &router.Response{Status: 200, Header: header, Body: res.Payload}}, nil
}

// runEvent runs an Event invocation, waiting for a slot when reserved
// concurrency is exhausted (Lambda queues asynchronous events).
func (s *Service) runEvent(fn *engine.Function, eng engine.Engine, inv engine.Invocation, reserved *int) {
	start := time.Now()
	wait := 10 * time.Millisecond
	for !s.conc.acquire(fn.Name, reserved) {
		if time.Since(start) > maxAsyncAge {
			s.log.Warn("functions: event dropped, too old", "function", fn.Name, "request", inv.RequestID)
			return
		}
		select {
		case <-s.ctx.Done():
			return
		case <-s.conc.released(fn.Name):
		case <-time.After(wait):
		}
		wait = min(wait*2, time.Second)
	}
	defer s.conc.release(fn.Name)
	// The event may still wait for an instance of the engine: the engine
	// starts the function's timeout once it has one, so inv.Deadline stays
	// zero and only the event's maximum age bounds the wait.
	ctx, cancel := context.WithDeadline(s.ctx, start.Add(maxAsyncAge+fn.Timeout+time.Second))
	defer cancel()
	began := time.Now()
	res, err := eng.Invoke(ctx, fn, inv)
	s.publishLogs(fn.Name, fn.Version, inv.RequestID, began, res.Logs)
	switch {
	case err != nil:
		s.log.Error("functions: event invocation failed", "function", fn.Name, "request", inv.RequestID, "err", err)
	case res.FunctionError != "":
		s.log.Warn("functions: event invocation returned an error", "function", fn.Name, "request", inv.RequestID, "error", string(res.Payload))
	}
}

// eventQueue counts the Event invocations this process holds.
type eventQueue struct {
	mu       sync.Mutex
	n, bytes int
}

func (q *eventQueue) take(size int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n >= maxQueuedEvents || q.bytes+size > maxQueuedEventBytes {
		return false
	}
	q.n++
	q.bytes += size
	return true
}

func (q *eventQueue) give(size int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.n--
	q.bytes -= size
}

// concurrency counts this process's in-flight invocations per function.
type concurrency struct {
	mu       sync.Mutex
	inflight map[string]int
	waiters  map[string]chan struct{}
}

func (c *concurrency) init() {
	c.inflight = map[string]int{}
	c.waiters = map[string]chan struct{}{}
}

// acquire takes a slot unless the reserved concurrency is used up.
func (c *concurrency) acquire(name string, reserved *int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if reserved != nil && c.inflight[name] >= *reserved {
		return false
	}
	c.inflight[name]++
	return true
}

func (c *concurrency) release(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inflight[name]--; c.inflight[name] <= 0 {
		delete(c.inflight, name)
	}
	if ch := c.waiters[name]; ch != nil {
		close(ch)
		delete(c.waiters, name)
	}
}

// released is closed at the next release of a slot of name.
func (c *concurrency) released(name string) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := c.waiters[name]
	if ch == nil {
		ch = make(chan struct{})
		c.waiters[name] = ch
	}
	return ch
}

// inFlight is the number of running invocations of name.
func (c *concurrency) inFlight(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.inflight[name]
}

func (c *concurrency) forget(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inflight[name] == 0 {
		delete(c.inflight, name)
	}
}
