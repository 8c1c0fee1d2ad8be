package router

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/kinesin/kinesin/internal/awserr"
	"github.com/kinesin/kinesin/router/awsproto"
)

// byEncoding holds one prebuilt response per awsproto.Encoding.
type byEncoding [2]*Response

func (b *byEncoding) in(enc awsproto.Encoding) *Response {
	if enc == awsproto.CBOR {
		return b[1]
	}
	return b[0]
}

// tierErrors are the answers the tier gives itself. They never change, so
// they are built once and shared; the transports only read them.
type tierErrors struct {
	unknownOp, notFound, internal byEncoding
	// HTTP/1.1 requests fasthttp rejects before a handler sees them.
	tooLarge, headersTooLarge, malformed byEncoding
	ready, starting                      *Response
}

func newTierErrors(maxBody int) tierErrors {
	build := func(e *awserr.Error) byEncoding {
		var b byEncoding
		for i, enc := range []awsproto.Encoding{awsproto.JSON, awsproto.CBOR} {
			b[i] = &Response{
				Status: e.Status,
				Header: map[string]string{"Content-Type": enc.ContentType()},
				Body:   enc.MarshalError(e),
			}
		}
		return b
	}
	health := func(status int, body string) *Response {
		return &Response{Status: status, Header: map[string]string{"Content-Type": "application/json"}, Body: []byte(body)}
	}
	return tierErrors{
		unknownOp: build(awserr.UnknownOperation.New("")),
		notFound:  build(&awserr.Error{Kind: awserr.Kind{Code: awserr.UnknownOperation.Code, Status: http.StatusNotFound}}),
		internal:  build(awserr.InternalFailure.New("")),
		tooLarge: build(&awserr.Error{
			Kind:    awserr.Kind{Code: awserr.Serialization.Code, Status: http.StatusRequestEntityTooLarge},
			Message: fmt.Sprintf("Request body is larger than %d bytes", maxBody),
		}),
		headersTooLarge: build(&awserr.Error{
			Kind:    awserr.Kind{Code: awserr.Serialization.Code, Status: http.StatusRequestHeaderFieldsTooLarge},
			Message: "Request headers are too large",
		}),
		malformed: build(awserr.Serialization.New("Malformed HTTP request")),
		ready:     health(http.StatusOK, `{"status":"ok"}`),
		starting:  health(http.StatusServiceUnavailable, `{"status":"unavailable"}`),
	}
}

// isHealth says whether a request is the health check dispatch answers.
func isHealth(method, path string) bool {
	return path == "/health" && (method == "GET" || method == "HEAD")
}

// dispatch answers one request the same way for every transport: health,
// routing, the handler, and a recovered panic as 500 InternalFailure. The
// transport has read the body into r.Body unless it found a stream route
// in t and set r.BodyStream; a stream route whose body was read whole
// (a later request on a fasthttp connection) gets BodyStream over it.
func (s *Server) dispatch(r *Request, t *routeTable, target string, enc awsproto.Encoding, id *requestID) (resp *Response) {
	if isHealth(r.Method, r.Path) {
		if s.ready.Load() {
			return s.errs.ready
		}
		return s.errs.starting
	}
	h, stream, m := t.match(r.Method, r.Path, target)
	switch m {
	case missTarget:
		return s.errs.unknownOp.in(enc)
	case missPath:
		return s.errs.notFound.in(enc)
	}
	if stream && r.BodyStream == nil {
		r.BodyStream = bytes.NewReader(r.Body)
		r.Body = nil
	}
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("router: handler panic", "panic", fmt.Sprint(v), "requestId", string(id.uuid[:]),
				"method", r.Method, "path", r.Path, "target", target, "stack", string(debug.Stack()))
			resp = s.errs.internal.in(enc)
		}
	}()
	if resp = h.Serve(r); resp == nil {
		s.log.Error("router: handler returned no response", "requestId", string(id.uuid[:]),
			"method", r.Method, "path", r.Path, "target", target)
		return s.errs.internal.in(enc)
	}
	return resp
}

// runStream runs a Response.Stream after the headers are out, then Done.
// The status is already sent, so a panic can only be logged and the
// stream ended.
func (s *Server) runStream(ctx context.Context, cancel context.CancelFunc, resp *Response, w StreamWriter) {
	defer func() {
		cancel()
		if v := recover(); v != nil {
			s.log.Error("router: stream panic", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
		if resp.Done != nil {
			resp.Done()
		}
	}()
	resp.Stream(ctx, w)
}

// skipHeader drops response headers the transport owns.
func skipHeader(k string) bool { return strings.EqualFold(k, "Content-Length") }
