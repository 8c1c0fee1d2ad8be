package router

import (
	"context"
	"io"
)

// Request is a transport-neutral view of one HTTP request. Body and the
// strings are only valid until the handler returns (fasthttp reuses them);
// a Response.Stream function must copy what it keeps.
type Request struct {
	Ctx    context.Context
	Method string
	Path   string
	// RawQuery is the undecoded query string, without '?'.
	RawQuery string
	Header   func(name string) string
	// Body is the whole request body, read before the handler runs; nil on
	// stream routes (see Server.HandleStreamPath).
	Body []byte
	// BodyStream reads the request body as it arrives, on stream routes
	// only (nil elsewhere). Unlike Body it stays valid while the
	// Response.Stream of the request runs, which may read it while it
	// writes. A read fails when the client goes away mid-body or the
	// server shuts down.
	BodyStream io.Reader
	// RemoteAddr is the client's address, for logs.
	RemoteAddr string
}

// StreamWriter is what a streaming response writes to. Flush sends what was
// written so far to the client; an error from Write or Flush means the
// client is gone and the stream should end.
type StreamWriter interface {
	io.Writer
	Flush() error
}

// Response is what a handler answers. Exactly one of Body and Stream is
// used: Stream, when set, runs after the status and headers are sent and
// keeps the response open until it returns (event streams); its context is
// cancelled when the server shuts down or the client goes away (for HTTP/1.1
// that is noticed at the next failed Write or Flush).
type Response struct {
	Status int
	// Header holds extra response headers (Content-Type among them).
	Header map[string]string
	Body   []byte
	Stream func(ctx context.Context, w StreamWriter)
	// Done, when set, is called once the body has been written, so that a
	// handler can return pooled buffers.
	Done func()
}

// Handler serves one request.
type Handler interface {
	Serve(r *Request) *Response
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(r *Request) *Response

// Serve calls f(r).
func (f HandlerFunc) Serve(r *Request) *Response { return f(r) }
