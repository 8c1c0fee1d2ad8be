package lambda

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/valyala/fasthttp"
)

// The Runtime API is served with fasthttp: per invocation the engine
// answers two requests of a local process, and net/http's per-request
// allocations and background reads cost as much as the function itself.

var (
	apiPrefix        = []byte("/2018-06-01/runtime")
	pathNext         = []byte("/invocation/next")
	pathInitError    = []byte("/init/error")
	pathInvocation   = []byte("/invocation/")
	suffixResponse   = []byte("/response")
	suffixError      = []byte("/error")
	hdrRequestID     = []byte("Lambda-Runtime-Aws-Request-Id")
	hdrDeadline      = []byte("Lambda-Runtime-Deadline-Ms")
	hdrFunctionArn   = []byte("Lambda-Runtime-Invoked-Function-Arn")
	hdrTraceID       = []byte("Lambda-Runtime-Trace-Id")
	hdrClientContext = []byte("Lambda-Runtime-Client-Context")
	// Lambda-Runtime-Cognito-Identity is never sent: Invoke has no
	// Cognito identity to pass.
)

const (
	hdrErrorType = "Lambda-Runtime-Function-Error-Type"
	hdrErrorBody = "Lambda-Runtime-Function-Error-Body"
)

// newServer is the Runtime API of one process.
func (p *process) newServer() *fasthttp.Server {
	return &fasthttp.Server{
		Handler:      p.serve,
		ErrorHandler: p.serveError,
		// Bodies up to a few times the limit are read, so the runtime gets a
		// clean 413; beyond, the connection is dropped.
		MaxRequestBodySize:    4 * int(p.pool.cfg.MaxResponseBytes),
		NoDefaultServerHeader: true,
		NoDefaultDate:         true,
		NoDefaultContentType:  true,
		Logger:                fasthttpLogger{p},
	}
}

type fasthttpLogger struct{ p *process }

func (l fasthttpLogger) Printf(format string, args ...any) {
	l.p.log.Debug("lambda: runtime api", "detail", fmt.Sprintf(format, args...))
}

func (p *process) serve(ctx *fasthttp.RequestCtx) {
	path := ctx.Path()
	if !bytes.HasPrefix(path, apiPrefix) {
		ctx.SetStatusCode(http.StatusNotFound)
		return
	}
	rest := path[len(apiPrefix):]
	switch {
	case bytes.Equal(rest, pathNext) && ctx.IsGet():
		p.handleNext(ctx)
	case bytes.Equal(rest, pathInitError) && ctx.IsPost():
		p.handleInitError(ctx)
	case bytes.HasPrefix(rest, pathInvocation) && ctx.IsPost():
		rest = rest[len(pathInvocation):]
		switch {
		case bytes.HasSuffix(rest, suffixResponse):
			p.handleResponse(ctx, string(rest[:len(rest)-len(suffixResponse)]))
		case bytes.HasSuffix(rest, suffixError):
			p.handleError(ctx, string(rest[:len(rest)-len(suffixError)]))
		default:
			ctx.SetStatusCode(http.StatusNotFound)
		}
	default:
		ctx.SetStatusCode(http.StatusNotFound)
	}
}

// serveError answers requests fasthttp could not read; a body far over
// the limit fails the invocation it answers, as Lambda does.
func (p *process) serveError(ctx *fasthttp.RequestCtx, err error) {
	if !errors.Is(err, fasthttp.ErrBodyTooLarge) {
		errBadBody.write(ctx)
		return
	}
	limit := p.pool.cfg.MaxResponseBytes
	rest := ctx.Path()
	if bytes.HasPrefix(rest, apiPrefix) && bytes.HasPrefix(rest[len(apiPrefix):], pathInvocation) {
		rest = rest[len(apiPrefix)+len(pathInvocation):]
		if i := bytes.IndexByte(rest, '/'); i > 0 {
			if c, _ := p.lookup(string(rest[:i])); c != nil {
				p.answer(c, answer{payload: tooLargeError(limit).JSON(), errType: errTypeTooLarge})
			}
		}
	}
	errTooLarge(limit).write(ctx)
}

// handleNext blocks until an invocation is assigned to the process.
func (p *process) handleNext(ctx *fasthttp.RequestCtx) {
	p.readyOne.Do(func() { close(p.ready) })
	var c *call
	select {
	case c = <-p.calls:
		c.delivered.Store(true)
	case <-p.exited:
		ctx.SetConnectionClose()
		return
	}
	h := &ctx.Response.Header
	h.SetContentType("application/json")
	h.SetCanonical(hdrRequestID, []byte(c.id))
	h.SetCanonical(hdrDeadline, strconv.AppendInt(nil, c.deadline.UnixMilli(), 10))
	h.SetCanonical(hdrFunctionArn, []byte(c.arn))
	if c.inv.TraceID != "" {
		h.SetCanonical(hdrTraceID, []byte(c.inv.TraceID))
	}
	if c.inv.ClientContext != "" {
		// Invoke takes the client context base64 encoded; the runtime gets
		// the JSON.
		if cc, err := base64.StdEncoding.DecodeString(c.inv.ClientContext); err == nil {
			h.SetCanonical(hdrClientContext, cc)
		}
	}
	ctx.SetBody(c.inv.Payload)
}

func (p *process) handleResponse(ctx *fasthttp.RequestCtx, id string) {
	c, aerr := p.lookup(id)
	if c == nil {
		aerr.write(ctx)
		return
	}
	if body := ctx.PostBody(); int64(len(body)) > p.pool.cfg.MaxResponseBytes {
		limit := p.pool.cfg.MaxResponseBytes
		p.answer(c, answer{payload: tooLargeError(limit).JSON(), errType: errTypeTooLarge})
		errTooLarge(limit).write(ctx)
		return
	}
	// A streamed body that failed midway carries the error in trailers.
	if t := ctx.Request.Header.Peek(hdrErrorType); len(t) > 0 {
		eb, _ := base64.StdEncoding.DecodeString(string(ctx.Request.Header.Peek(hdrErrorBody)))
		payload, typ := functionErrorPayload(eb, string(t))
		p.answer(c, answer{payload: payload, errType: typ})
	} else {
		p.answer(c, answer{payload: bytes.Clone(ctx.PostBody())})
	}
	ctx.SetStatusCode(http.StatusAccepted)
}

func (p *process) handleError(ctx *fasthttp.RequestCtx, id string) {
	c, aerr := p.lookup(id)
	if c == nil {
		aerr.write(ctx)
		return
	}
	payload, typ := functionErrorPayload(bytes.Clone(ctx.PostBody()), string(ctx.Request.Header.Peek(hdrErrorType)))
	p.answer(c, answer{payload: payload, errType: typ})
	ctx.SetStatusCode(http.StatusAccepted)
}

func (p *process) handleInitError(ctx *fasthttp.RequestCtx) {
	select {
	case <-p.ready:
		errInvalidState.write(ctx) // init is over
		return
	default:
	}
	body := ctx.PostBody()
	var eb errorBody
	if json.Unmarshal(body, &eb) != nil || eb.ErrorMessage == "" {
		eb.ErrorMessage = string(body)
	}
	if eb.ErrorType == "" {
		eb.ErrorType = string(ctx.Request.Header.Peek(hdrErrorType))
	}
	if eb.ErrorType == "" {
		eb.ErrorType = errTypeInit
	}
	select {
	case p.initErr <- eb:
	default:
	}
	ctx.SetStatusCode(http.StatusAccepted)
}

// lookup finds the invocation id names: 400 when it is unknown, 403 when
// it was answered already.
func (p *process) lookup(id string) (*call, apiError) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.cur != nil && p.cur.id == id:
		return p.cur, apiError{}
	case id == p.lastID:
		return nil, errInvalidState
	default:
		return nil, errInvalidRequestID
	}
}
